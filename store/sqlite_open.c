/*
 * The SQLite store's connection: opening with the pragmas every connection needs, the cache
 * of prepared statements, transactions and error mapping. One connection per thread; it must
 * never be shared between threads at once (it is opened without SQLite's own mutex).
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Pragmas for every connection. WAL lets readers run beside the one writer; NORMAL
 * synchronous is durable across process crashes and only risks the last transactions on
 * power loss, which a capture every N seconds can afford.
 * Measured with bench/bench_ingest (100,000 chatters, 5% churn, median of 5 runs):
 * - page_size 16 KiB (only takes effect on a new file, hence first): a churn capture of a
 *   big channel dirties pages all over B-trees keyed by random Twitch ids, and each dirty
 *   page costs a WAL write; 16 KiB pages took the capture from ~107 ms (4 KiB) to ~80 ms.
 *   32 KiB was no better and makes every small transaction write more.
 * - wal_autocheckpoint 2,500 pages (40 MB of WAL): fewer, larger checkpoints than the
 *   default; checkpoints run inside the commit that crosses the mark, so this also bounds
 *   the slowest capture (max ~95 ms against ~125 ms at 1,000 or 10,000 pages).
 * - cache_size 32 MB: the open stays and chatter history of a 100,000-chatter channel stay
 *   in memory (the page cache only grows as far as it is used). */
static const char *const pragmas[] = {
    "PRAGMA page_size = 16384",    "PRAGMA busy_timeout = 5000",       "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",         "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -32768",  "PRAGMA wal_autocheckpoint = 2500",
};

int sq_fail(struct store *st, int rc, char *err, size_t errlen, const char *what)
{
    int code = TCA_EDB;
    /* A missing parent (session, channel, user) is the caller naming something absent. */
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return tca_fail(err, errlen, TCA_ENOTFOUND, "%s: no such parent row", what);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = TCA_ETEMP;
        break;
    case SQLITE_CONSTRAINT:
        code = TCA_ECONFLICT;
        break;
    default:
        break;
    }
    const char *msg = st && st->db ? sqlite3_errmsg(st->db) : sqlite3_errstr(rc);
    return tca_fail(err, errlen, code, "%s: %s", what, msg);
}

int sq_stmt(struct store *st, enum sq_stmt_id id, const char *sql, sqlite3_stmt **out, char *err,
            size_t errlen)
{
    sqlite3_stmt *s = st->stmts[id];
    *out = NULL;
    if (s) {
        sqlite3_reset(s);
        *out = s;
        return 0;
    }
    int rc = sqlite3_prepare_v3(st->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK)
        return sq_fail(st, rc, err, errlen, "prepare");
    st->stmts[id] = s;
    *out = s;
    return 0;
}

int sq_run(struct store *st, sqlite3_stmt *s, char *err, size_t errlen, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_fail(st, rc, err, errlen, what);
    return 0;
}

static int run_fixed(struct store *st, enum sq_stmt_id id, const char *sql, char *err,
                     size_t errlen)
{
    sqlite3_stmt *s = NULL;
    int rc = sq_stmt(st, id, sql, &s, err, errlen);
    if (rc)
        return rc;
    return sq_run(st, s, err, errlen, sql);
}

int sq_begin(struct store *st, char *err, size_t errlen)
{
    return run_fixed(st, SQ_BEGIN, "BEGIN IMMEDIATE", err, errlen);
}

int sq_begin_read(struct store *st, char *err, size_t errlen)
{
    return run_fixed(st, SQ_BEGIN_READ, "BEGIN", err, errlen);
}

int sq_commit(struct store *st, char *err, size_t errlen)
{
    return run_fixed(st, SQ_COMMIT, "COMMIT", err, errlen);
}

void sq_rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(st->db))
        run_fixed(st, SQ_ROLLBACK, "ROLLBACK", NULL, 0);
}

void sq_copy_text(char *dst, size_t n, sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    size_t len = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, t, len);
    dst[len] = '\0';
}

char *sq_dup_text(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, col)) : NULL;
}

int store_open(const char *path, struct store **out, char *err, size_t errlen)
{
    *out = NULL;
    struct store *st = xcalloc(1, sizeof *st);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &st->db, flags, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(st, rc, err, errlen, "open");
        goto out;
    }
    /* The file holds sealed tokens and everyone's captures: 0600, set by name right after
     * SQLite created it (still empty), and SQLite gives its -wal and -shm the database's mode.
     * Never open() and close() the file here: closing any descriptor of it drops the POSIX
     * locks of every other connection in this process (SQLite's own warning). */
    if (*path && strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0)
        chmod(path, 0600);
    sqlite3_extended_result_codes(st->db, 1);
    for (size_t i = 0; i < sizeof pragmas / sizeof *pragmas; i++) {
        int src = sqlite3_exec(st->db, pragmas[i], NULL, NULL, NULL);
        if (src != SQLITE_OK) {
            rc = sq_fail(st, src, err, errlen, pragmas[i]);
            goto out;
        }
    }
    int from, to;
    rc = sq_migrate(st, &from, &to, err, errlen);
out:
    if (rc) {
        store_close(st);
        return rc;
    }
    *out = st;
    return 0;
}

void store_close(struct store *st)
{
    if (!st)
        return;
    for (int i = 0; i < SQ_STMT_COUNT; i++)
        sqlite3_finalize(st->stmts[i]);
    sqlite3_close(st->db);
    free(st);
}

int store_migrate(struct store *st, int *from, int *to, char *err, size_t errlen)
{
    return sq_migrate(st, from, to, err, errlen);
}
