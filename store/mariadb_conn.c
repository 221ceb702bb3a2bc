/*
 * The MariaDB store's connection: the URL, connecting, reconnecting after a lost connection,
 * the cache of prepared statements (mysql_stmt_*), transactions and error mapping. One
 * connection per thread, as with SQLite. The password is a secret: it must never appear in
 * an error message or a log line.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <errmsg.h>
#include <mysqld_error.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { COLUMN_BUF = 64 };

/* Errors after which the connection is gone and must be made again. */
static int connection_lost(unsigned e)
{
    return e == CR_SERVER_GONE_ERROR || e == CR_SERVER_LOST || e == CR_CONNECTION_ERROR ||
           e == CR_CONN_HOST_ERROR || e == ER_CONNECTION_KILLED || e == ER_SERVER_SHUTDOWN ||
           e == CR_SERVER_LOST_EXTENDED || e == CR_COMMANDS_OUT_OF_SYNC;
}

int my_fail(struct mariadb_store *c, unsigned errnum, const char *msg, char *err, size_t errlen,
            const char *what)
{
    int code = TCA_EDB;
    if (errnum == ER_DUP_ENTRY || errnum == ER_DUP_KEY)
        code = TCA_ECONFLICT;
    else if (errnum == ER_NO_REFERENCED_ROW_2 || errnum == ER_NO_REFERENCED_ROW)
        return tca_fail(err, errlen, TCA_ENOTFOUND, "%s: no such parent row", what);
    else if (errnum == ER_LOCK_DEADLOCK || errnum == ER_LOCK_WAIT_TIMEOUT)
        code = TCA_ETEMP;
    else if (connection_lost(errnum)) {
        code = TCA_ETEMP;
        if (c)
            c->broken = 1;
    }
    return tca_fail(err, errlen, code, "%s: %s (%u)", what, msg, errnum);
}

int my_parse_url(const char *url, struct my_target *t, char *err, size_t errlen)
{
    memset(t, 0, sizeof *t);
    const char *p = strstr(url, "://");
    if (!p)
        return tca_fail(err, errlen, TCA_EINVAL, "store URL: expected mysql://");
    p += 3;
    const char *at = strrchr(p, '@');
    const char *slash = strchr(at ? at : p, '/');
    if (!at || !slash)
        return tca_fail(err, errlen, TCA_EINVAL,
                        "store URL: expected mysql://USER:PASSWORD@HOST:PORT/DATABASE");
    const char *colon = memchr(p, ':', (size_t)(at - p));
    size_t ulen = (size_t)((colon ? colon : at) - p);
    snprintf(t->user, sizeof t->user, "%.*s", (int)ulen, p);
    if (colon)
        snprintf(t->pass, sizeof t->pass, "%.*s", (int)(at - colon - 1), colon + 1);
    const char *host = at + 1;
    const char *hcolon = memchr(host, ':', (size_t)(slash - host));
    snprintf(t->host, sizeof t->host, "%.*s", (int)((hcolon ? hcolon : slash) - host), host);
    if (hcolon) {
        char *end;
        unsigned long port = strtoul(hcolon + 1, &end, 10);
        if (end != slash || port == 0 || port > 65535)
            return tca_fail(err, errlen, TCA_EINVAL, "store URL: bad port");
        t->port = (unsigned)port;
    }
    const char *q = strchr(slash, '?');
    snprintf(t->db, sizeof t->db, "%.*s", (int)((q ? q : slash + strlen(slash)) - slash - 1),
             slash + 1);
    if (q && !strncmp(q + 1, "socket=", 7))
        snprintf(t->socket, sizeof t->socket, "%s", q + 8);
    else if (q)
        return tca_fail(err, errlen, TCA_EINVAL, "store URL: the only option is ?socket=PATH");
    if (!*t->user || !*t->db || (!*t->host && !*t->socket))
        return tca_fail(err, errlen, TCA_EINVAL,
                        "store URL: expected mysql://USER:PASSWORD@HOST:PORT/DATABASE");
    return 0;
}

void my_drop_statements(struct mariadb_store *c)
{
    for (size_t i = 0; i < c->n_stmts; i++) {
        mysql_stmt_close(c->stmts[i].stmt);
        free(c->stmts[i].sql);
    }
    c->n_stmts = 0;
}

int my_connect(struct mariadb_store *c, char *err, size_t errlen)
{
    /* Statements first: each belongs to the connection it was prepared on. */
    my_drop_statements(c);
    if (c->db)
        mysql_close(c->db);
    c->broken = 0;
    c->in_tx = 0;
    c->db = mysql_init(NULL);
    if (!c->db)
        return tca_fail(err, errlen, TCA_EDB, "mysql_init failed");
    unsigned timeout = 10;
    mysql_optionsv(c->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    mysql_optionsv(c->db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
    /* Affected rows count the rows a WHERE matched, as sqlite3_changes does. */
    const struct my_target *t = &c->target;
    if (!mysql_real_connect(c->db, *t->socket ? NULL : t->host, t->user, t->pass, t->db, t->port,
                            *t->socket ? t->socket : NULL, CLIENT_FOUND_ROWS)) {
        /* The message names user and host, never the password. */
        int rc = my_fail(c, mysql_errno(c->db), mysql_error(c->db), err, errlen, "connect");
        mysql_close(c->db);
        c->db = NULL;
        return rc;
    }
    return 0;
}

/* The statement for sql, prepared on first use on this connection. */
static int statement(struct mariadb_store *c, const char *sql, MYSQL_STMT **out, char *err,
                     size_t errlen)
{
    /* the caller's address first, confirmed by text (see sq_cached in sqlite_open.c) */
    for (size_t i = 0; i < c->n_stmts; i++)
        if (c->stmts[i].seen == sql && !strcmp(c->stmts[i].sql, sql)) {
            *out = c->stmts[i].stmt;
            return 0;
        }
    for (size_t i = 0; i < c->n_stmts; i++)
        if (!strcmp(c->stmts[i].sql, sql)) {
            c->stmts[i].seen = sql;
            *out = c->stmts[i].stmt;
            return 0;
        }
    MYSQL_STMT *s = mysql_stmt_init(c->db);
    if (!s)
        return my_fail(c, mysql_errno(c->db), mysql_error(c->db), err, errlen, "prepare");
    if (mysql_stmt_prepare(s, sql, (unsigned long)strlen(sql))) {
        int rc = my_fail(c, mysql_stmt_errno(s), mysql_stmt_error(s), err, errlen, "prepare");
        mysql_stmt_close(s);
        return rc;
    }
    c->stmts = xgrow(c->stmts, &c->cap_stmts, c->n_stmts, sizeof *c->stmts, 32);
    c->stmts[c->n_stmts++] = (struct my_cached){.sql = xstrdup(sql), .seen = sql, .stmt = s};
    *out = s;
    return 0;
}

/* Prepares, binds and executes; *sent says whether the server may have run it. */
static int execute(struct mariadb_store *c, const char *sql, const struct my_val *args, size_t n,
                   int cursor, MYSQL_STMT **out, int *sent, char *err, size_t errlen)
{
    *sent = 0;
    if (c->broken || !c->db) {
        if (c->in_tx)
            return tca_fail(err, errlen, TCA_ETEMP, "connection lost inside a transaction");
        int rc = my_connect(c, err, errlen);
        if (rc)
            return rc;
    }
    MYSQL_STMT *s = NULL;
    int rc = statement(c, sql, &s, err, errlen);
    if (rc)
        return rc;
    MYSQL_BIND bind[n ? n : 1];
    memset(bind, 0, sizeof bind);
    unsigned long lens[n ? n : 1];
    for (size_t i = 0; i < n; i++) {
        if (args[i].type == MYV_INT) {
            bind[i].buffer_type = MYSQL_TYPE_LONGLONG;
            bind[i].buffer = (void *)&args[i].i;
        } else if (args[i].s) {
            lens[i] = (unsigned long)strlen(args[i].s);
            bind[i].buffer_type = MYSQL_TYPE_STRING;
            bind[i].buffer = (void *)args[i].s;
            bind[i].buffer_length = lens[i];
            bind[i].length = &lens[i];
        } else {
            bind[i].buffer_type = MYSQL_TYPE_NULL;
        }
    }
    /* A read-only cursor keeps the rows on the server and fetches them in batches: a stream
     * reads a session of any size in bounded memory, and other statements may run between
     * fetches. */
    unsigned long cursor_type = cursor ? CURSOR_TYPE_READ_ONLY : CURSOR_TYPE_NO_CURSOR;
    unsigned long prefetch = 1000;
    mysql_stmt_attr_set(s, STMT_ATTR_CURSOR_TYPE, &cursor_type);
    if (cursor)
        mysql_stmt_attr_set(s, STMT_ATTR_PREFETCH_ROWS, &prefetch);
    if (n && mysql_stmt_bind_param(s, bind))
        return my_fail(c, mysql_stmt_errno(s), mysql_stmt_error(s), err, errlen, "bind");
    *sent = 1;
    if (mysql_stmt_execute(s)) {
        unsigned e = mysql_stmt_errno(s);
        /* "Gone away" is seen before the statement is sent: the server never ran it. */
        if (e == CR_SERVER_GONE_ERROR)
            *sent = 0;
        return my_fail(c, e, mysql_stmt_error(s), err, errlen, "execute");
    }
    *out = s;
    return 0;
}

int my_exec(struct store *st, const char *sql, const struct my_val *args, size_t n,
            uint64_t *affected, int64_t *insert_id, char *err, size_t errlen)
{
    struct mariadb_store *c = my_conn(st);
    MYSQL_STMT *s = NULL;
    int sent;
    int rc = execute(c, sql, args, n, 0, &s, &sent, err, errlen);
    if (rc && c->broken && !sent && !c->in_tx)
        rc = execute(c, sql, args, n, 0, &s, &sent, err, errlen);
    if (rc)
        return rc;
    if (affected)
        *affected = (uint64_t)mysql_stmt_affected_rows(s);
    if (insert_id)
        *insert_id = (int64_t)mysql_stmt_insert_id(s);
    mysql_stmt_free_result(s);
    return 0;
}

static int bind_results(struct my_rows *r, int cursor, char *err, size_t errlen)
{
    MYSQL_STMT *s = r->stmt;
    r->ncols = mysql_stmt_field_count(s);
    unsigned n = r->ncols ? r->ncols : 1;
    r->bind = xcalloc(n, sizeof *r->bind);
    r->buf = xcalloc(n, sizeof *r->buf);
    r->len = xcalloc(n, sizeof *r->len);
    r->cap = xcalloc(n, sizeof *r->cap);
    r->null = xcalloc(n, sizeof *r->null);
    r->trunc = xcalloc(n, sizeof *r->trunc);
    for (unsigned i = 0; i < r->ncols; i++) {
        r->cap[i] = COLUMN_BUF;
        r->buf[i] = xcalloc(1, COLUMN_BUF + 1);
        r->bind[i].buffer_type = MYSQL_TYPE_STRING;
        r->bind[i].buffer = r->buf[i];
        r->bind[i].buffer_length = COLUMN_BUF;
        r->bind[i].length = &r->len[i];
        r->bind[i].is_null = &r->null[i];
        r->bind[i].error = &r->trunc[i];
    }
    if (mysql_stmt_bind_result(s, r->bind))
        return my_fail(r->conn, mysql_stmt_errno(s), mysql_stmt_error(s), err, errlen, "bind");
    if (!cursor && mysql_stmt_store_result(s))
        return my_fail(r->conn, mysql_stmt_errno(s), mysql_stmt_error(s), err, errlen, "rows");
    return 0;
}

static int query(struct store *st, const char *sql, const struct my_val *args, size_t n, int cursor,
                 struct my_rows *rows, char *err, size_t errlen)
{
    struct mariadb_store *c = my_conn(st);
    memset(rows, 0, sizeof *rows);
    rows->conn = c;
    int sent;
    int rc = execute(c, sql, args, n, cursor, &rows->stmt, &sent, err, errlen);
    if (rc && c->broken && !c->in_tx)
        rc = execute(c, sql, args, n, cursor, &rows->stmt, &sent, err, errlen);
    if (!rc)
        rc = bind_results(rows, cursor, err, errlen);
    if (rc)
        my_done(rows);
    return rc;
}

int my_query(struct store *st, const char *sql, const struct my_val *args, size_t n,
             struct my_rows *rows, char *err, size_t errlen)
{
    return query(st, sql, args, n, 0, rows, err, errlen);
}

int my_query_stream(struct store *st, const char *sql, const struct my_val *args, size_t n,
                    struct my_rows *rows, char *err, size_t errlen)
{
    return query(st, sql, args, n, 1, rows, err, errlen);
}

int my_next(struct my_rows *r, char *err, size_t errlen)
{
    int f = mysql_stmt_fetch(r->stmt);
    if (f == MYSQL_NO_DATA)
        return 0;
    if (f == 1)
        return my_fail(r->conn, mysql_stmt_errno(r->stmt), mysql_stmt_error(r->stmt), err, errlen,
                       "fetch");
    for (unsigned i = 0; f == MYSQL_DATA_TRUNCATED && i < r->ncols; i++) {
        if (!r->trunc[i])
            continue;
        /* A long text (a job payload, a sealed token): grow this column and read it again. */
        r->cap[i] = r->len[i];
        r->buf[i] = xrealloc(r->buf[i], r->cap[i] + 1);
        r->bind[i].buffer = r->buf[i];
        r->bind[i].buffer_length = r->cap[i];
        if (mysql_stmt_fetch_column(r->stmt, &r->bind[i], i, 0))
            return my_fail(r->conn, mysql_stmt_errno(r->stmt), mysql_stmt_error(r->stmt), err,
                           errlen, "fetch column");
    }
    return 1;
}

void my_done(struct my_rows *r)
{
    if (r->stmt)
        mysql_stmt_free_result(r->stmt);
    for (unsigned i = 0; r->buf && i < r->ncols; i++)
        free(r->buf[i]);
    free(r->bind);
    free(r->buf);
    free(r->len);
    free(r->cap);
    free(r->null);
    free(r->trunc);
    memset(r, 0, sizeof *r);
}

int my_null(const struct my_rows *r, unsigned col)
{
    return r->null[col];
}

int64_t my_int(const struct my_rows *r, unsigned col)
{
    if (r->null[col])
        return 0;
    unsigned long len = r->len[col] < r->cap[col] ? r->len[col] : r->cap[col];
    r->buf[col][len] = '\0';
    return strtoll(r->buf[col], NULL, 10);
}

const char *my_str(const struct my_rows *r, unsigned col)
{
    if (r->null[col])
        return NULL;
    unsigned long len = r->len[col] < r->cap[col] ? r->len[col] : r->cap[col];
    r->buf[col][len] = '\0';
    return r->buf[col];
}

void my_text(const struct my_rows *r, unsigned col, char *dst, size_t n)
{
    size_t len = r->null[col] ? 0 : (r->len[col] < r->cap[col] ? r->len[col] : r->cap[col]);
    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, r->buf[col], len);
    dst[len] = '\0';
}

char *my_dup(const struct my_rows *r, unsigned col)
{
    if (r->null[col])
        return NULL;
    size_t len = r->len[col] < r->cap[col] ? r->len[col] : r->cap[col];
    return xstrndup(r->buf[col], len);
}

int my_query_int(struct store *st, const char *sql, const struct my_val *args, size_t n,
                 int64_t *out, char *err, size_t errlen)
{
    struct my_rows r;
    int rc = my_query(st, sql, args, n, &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        *out = my_int(&r, 0);
        rc = 0;
    } else if (rc == 0) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no row");
    }
    my_done(&r);
    return rc;
}

int my_begin(struct store *st, char *err, size_t errlen)
{
    struct mariadb_store *c = my_conn(st);
    if (c->broken || !c->db) {
        int rc = my_connect(c, err, errlen);
        if (rc)
            return rc;
    }
    /* Nothing has happened yet: a connection found dead here is made again, once. */
    if (mysql_autocommit(c->db, 0)) {
        int rc = my_fail(c, mysql_errno(c->db), mysql_error(c->db), err, errlen, "begin");
        if (!c->broken || (rc = my_connect(c, err, errlen)))
            return rc;
        if (mysql_autocommit(c->db, 0))
            return my_fail(c, mysql_errno(c->db), mysql_error(c->db), err, errlen, "begin");
    }
    c->in_tx = 1;
    return 0;
}

int my_commit(struct store *st, char *err, size_t errlen)
{
    struct mariadb_store *c = my_conn(st);
    int rc = 0;
    if (mysql_commit(c->db))
        rc = my_fail(c, mysql_errno(c->db), mysql_error(c->db), err, errlen, "commit");
    else if (mysql_autocommit(c->db, 1))
        rc = my_fail(c, mysql_errno(c->db), mysql_error(c->db), err, errlen, "commit");
    if (!rc)
        c->in_tx = 0;
    return rc;
}

void my_rollback(struct store *st)
{
    struct mariadb_store *c = my_conn(st);
    if (!c->in_tx)
        return;
    c->in_tx = 0;
    if (c->db && !c->broken && (mysql_rollback(c->db) || mysql_autocommit(c->db, 1)))
        c->broken = 1;
}
