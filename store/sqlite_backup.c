/*
 * Whole-store operations on SQLite. store_backup: the online backup API copies every page
 * into a new file in one step, so the copy is one read snapshot (WAL lets writers go on).
 * store_token_reseal: every sealed token rewritten in one transaction. store_compact: VACUUM.
 * Must never overwrite an existing file, leave a partial copy behind, or commit a rotation
 * halfway.
 */
#include "store/sqlite_internal.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

int sq_backup(struct store *st, const char *path, char *err, size_t errlen)
{
    sqlite3 *dst = NULL;
    sqlite3_backup *b = NULL;
    int rc = 0, created = 0;
    /* O_EXCL claims the name first: a backup never replaces a file, even one made meanwhile */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
    if (fd < 0) {
        rc = tca_fail(err, errlen, errno == EEXIST ? TCA_ECONFLICT : TCA_EINVAL,
                      "cannot create %s: %s", path, strerror(errno));
        goto out;
    }
    close(fd);
    created = 1;
    if (sqlite3_open_v2(path, &dst, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        rc = tca_fail(err, errlen, TCA_EDB, "cannot open %s: %s", path,
                      dst ? sqlite3_errmsg(dst) : "out of memory");
        goto out;
    }
    b = sqlite3_backup_init(dst, "main", sq_conn(st)->db, "main");
    if (!b) {
        rc = tca_fail(err, errlen, TCA_EDB, "backup: %s", sqlite3_errmsg(dst));
        goto out;
    }
    /* -1: every page in one step, under one read lock of the source: a consistent copy.
     * A busy source (a checkpoint holding it) is waited for by the source's busy_timeout. */
    int step = sqlite3_backup_step(b, -1);
    int fin = sqlite3_backup_finish(b);
    b = NULL;
    if (step != SQLITE_DONE || fin != SQLITE_OK) {
        rc = tca_fail(err, errlen,
                      step == SQLITE_BUSY || step == SQLITE_LOCKED ? TCA_ETEMP : TCA_EDB,
                      "backup: %s", sqlite3_errstr(step != SQLITE_DONE ? step : fin));
        goto out;
    }
out:
    if (b)
        sqlite3_backup_finish(b);
    if (dst)
        sqlite3_close(dst);
    if (rc && created)
        unlink(path);
    return rc;
}

/* One row of oauth_tokens as read before rewriting it. */
struct sealed_row {
    int64_t user_id;
    char *access, *refresh;
};

static int reseal_one(store_reseal_fn fn, void *ctx, int64_t user_id, const char *sealed,
                      char **out, char *err, size_t errlen)
{
    *out = NULL;
    return sealed ? fn(ctx, user_id, sealed, out, err, errlen) : 0;
}

/* The store's size in bytes: its pages, as the file holds them after a checkpoint. */
static int store_bytes(struct store *st, int64_t *bytes, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc =
        sq_stmt(st, "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                &s, err, errlen);
    if (rc)
        return rc;
    int src = sqlite3_step(s);
    *bytes = src == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return src == SQLITE_ROW ? 0 : sq_fail(st, src, err, errlen, "page count");
}

int sq_compact(struct store *st, int64_t *before, int64_t *after, char *err, size_t errlen)
{
    *before = *after = 0;
    int rc = store_bytes(st, before, err, errlen);
    if (rc)
        return rc;
    /* Pages are left part full where rows grew or shrank in place (a profile enriched after
     * its placeholder, a stay closed) and free where a migration rewrote a table: only a
     * rewrite of the file packs them again. The checkpoint then hands the bytes back. */
    int src = sqlite3_exec(sq_conn(st)->db, "VACUUM", NULL, NULL, NULL);
    if (src == SQLITE_OK)
        src = sqlite3_exec(sq_conn(st)->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    if (src != SQLITE_OK)
        return sq_fail(st, src, err, errlen, "vacuum");
    return store_bytes(st, after, err, errlen);
}

int sq_token_reseal(struct store *st, store_reseal_fn fn, void *ctx, size_t *n, char *err,
                    size_t errlen)
{
    struct sealed_row *rows = NULL;
    size_t count = 0, cap = 0;
    sqlite3_stmt *s;
    *n = 0;
    int rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    /* read every row first: rewriting a table while stepping through it is undefined order */
    rc = sq_stmt(st,
                 "SELECT user_id, access_sealed, refresh_sealed FROM oauth_tokens"
                 " ORDER BY user_id",
                 &s, err, errlen);
    if (rc)
        goto out;
    int step;
    while ((step = sqlite3_step(s)) == SQLITE_ROW) {
        if (count == cap) {
            cap = cap ? 2 * cap : 16;
            rows = xreallocarray(rows, cap, sizeof *rows);
        }
        rows[count].user_id = sqlite3_column_int64(s, 0);
        rows[count].access = sq_dup_text(s, 1);
        rows[count].refresh = sq_dup_text(s, 2);
        count++;
    }
    sqlite3_reset(s);
    if (step != SQLITE_DONE) {
        rc = sq_fail(st, step, err, errlen, "token reseal");
        goto out;
    }
    for (size_t i = 0; i < count; i++) {
        char *access = NULL, *refresh = NULL;
        rc = reseal_one(fn, ctx, rows[i].user_id, rows[i].access, &access, err, errlen);
        if (!rc)
            rc = reseal_one(fn, ctx, rows[i].user_id, rows[i].refresh, &refresh, err, errlen);
        if (!rc)
            rc = sq_stmt(st,
                         "UPDATE oauth_tokens SET access_sealed = ?, refresh_sealed = ?"
                         " WHERE user_id = ?",
                         &s, err, errlen);
        if (!rc) {
            sqlite3_bind_text(s, 1, access, -1, SQLITE_TRANSIENT);
            if (refresh)
                sqlite3_bind_text(s, 2, refresh, -1, SQLITE_TRANSIENT);
            else
                sqlite3_bind_null(s, 2);
            sqlite3_bind_int64(s, 3, rows[i].user_id);
            rc = sq_run(st, s, err, errlen, "token reseal");
        }
        free(access);
        free(refresh);
        if (rc)
            goto out;
    }
    rc = sq_commit(st, err, errlen);
    if (!rc)
        *n = count;
out:
    if (rc)
        sq_rollback(st);
    for (size_t i = 0; i < count; i++) {
        free(rows[i].access);
        free(rows[i].refresh);
    }
    free(rows);
    return rc;
}
