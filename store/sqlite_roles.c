/*
 * Channel roles on SQLite: each read from Twitch replaces a channel's holders of one role in
 * one transaction, with the time of the read. Never decides who holds a role: it keeps what
 * the capture read.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int run2(struct store *st, const char *sql, int64_t a, int64_t b, int64_t c, int n_args,
                const char *what, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, sql, &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, a);
    sqlite3_bind_int64(s, 2, b);
    if (n_args > 2)
        sqlite3_bind_int64(s, 3, c);
    return sq_run(st, s, err, errlen, what);
}

int sq_roles_replace(struct store *st, int64_t channel_id, int role, const int64_t *ids, size_t n,
                     int64_t read_at_ms, char *err, size_t errlen)
{
    int rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    rc = run2(st, "DELETE FROM channel_roles WHERE channel_id = ? AND role = ?", channel_id, role,
              0, 2, "roles clear", err, errlen);
    for (size_t i = 0; i < n && !rc; i++)
        rc =
            run2(st, "INSERT OR IGNORE INTO channel_roles(channel_id, role, user_id) VALUES(?,?,?)",
                 channel_id, role, ids[i], 3, "roles add", err, errlen);
    if (!rc)
        rc = run2(st,
                  "INSERT INTO channel_roles_read(channel_id, role, read_at) VALUES(?,?,?)"
                  " ON CONFLICT(channel_id, role) DO UPDATE SET read_at = excluded.read_at",
                  channel_id, role, read_at_ms, 3, "roles read", err, errlen);
    if (!rc)
        rc = sq_commit(st, err, errlen);
    if (rc)
        sq_rollback(st);
    return rc;
}

int sq_roles_list(struct store *st, const int64_t *channels, size_t n_channels,
                  struct store_role_holder **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    size_t cap = 0;
    int rc = 0;
    for (size_t c = 0; c < n_channels && !rc; c++) {
        sqlite3_stmt *s;
        if ((rc = sq_stmt(st,
                          "SELECT user_id, role FROM channel_roles WHERE channel_id = ?"
                          " ORDER BY user_id, role",
                          &s, err, errlen)))
            break;
        sqlite3_bind_int64(s, 1, channels[c]);
        int src;
        while ((src = sqlite3_step(s)) == SQLITE_ROW) {
            *out = xgrow(*out, &cap, *n, sizeof **out, 64);
            struct store_role_holder *h = &(*out)[(*n)++];
            h->channel_id = channels[c];
            h->user_id = sqlite3_column_int64(s, 0);
            h->role = sqlite3_column_int(s, 1);
        }
        if (src != SQLITE_DONE)
            rc = sq_fail(st, src, err, errlen, "roles");
        sqlite3_reset(s);
    }
    if (rc) {
        free(*out);
        *out = NULL;
        *n = 0;
    }
    return rc;
}

int sq_roles_read_at(struct store *st, int64_t channel_id, int role, int64_t *read_at_ms, char *err,
                     size_t errlen)
{
    sqlite3_stmt *s;
    *read_at_ms = 0;
    int rc = sq_stmt(st, "SELECT read_at FROM channel_roles_read WHERE channel_id = ? AND role = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, channel_id);
    sqlite3_bind_int(s, 2, role);
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        *read_at_ms = sqlite3_column_int64(s, 0);
    else if (src != SQLITE_DONE)
        rc = sq_fail(st, src, err, errlen, "roles read at");
    sqlite3_reset(s);
    return rc;
}
