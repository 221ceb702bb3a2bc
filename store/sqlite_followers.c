/*
 * Followers on SQLite: a read's new follows and the read itself in one transaction, the
 * newest follow of a channel, and a session's follows with their profiles. Never decides
 * what a wave is: it keeps what the reads found.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static int add_follows(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                       const struct store_follow *follows, size_t n, int *added, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT OR IGNORE INTO channel_followers(channel_id, user_id, login,"
                     " followed_at, session_id, seq) VALUES(?, ?, ?, ?, ?, ?)",
                     &s, err, errlen);
    for (size_t i = 0; i < n && !rc; i++) {
        sqlite3_bind_int64(s, 1, channel_id);
        sqlite3_bind_int64(s, 2, follows[i].user_id);
        sqlite3_bind_text(s, 3, follows[i].login, -1, SQLITE_STATIC);
        sqlite3_bind_int64(s, 4, follows[i].followed_at_ms);
        sqlite3_bind_int64(s, 5, session_id);
        sqlite3_bind_int64(s, 6, seq);
        rc = sq_run(st, s, err, errlen, "follower");
        if (!rc)
            *added += sqlite3_changes(sq_conn(st)->db);
    }
    return rc;
}

int sq_followers_add(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                     const struct store_follow *follows, size_t n, int64_t read_at_ms,
                     int64_t total, int *added, char *err, size_t errlen)
{
    *added = 0;
    int rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    rc = add_follows(st, session_id, channel_id, seq, follows, n, added, err, errlen);
    sqlite3_stmt *s;
    if (!rc)
        rc = sq_stmt(st,
                     "INSERT INTO follower_reads(session_id, channel_id, seq, read_at,"
                     " new_followers, total) VALUES(?, ?, ?, ?, ?, ?)"
                     " ON CONFLICT(session_id, channel_id, seq) DO UPDATE SET"
                     " read_at = excluded.read_at, total = excluded.total,"
                     " new_followers = new_followers + excluded.new_followers",
                     &s, err, errlen);
    if (!rc) {
        sqlite3_bind_int64(s, 1, session_id);
        sqlite3_bind_int64(s, 2, channel_id);
        sqlite3_bind_int64(s, 3, seq);
        sqlite3_bind_int64(s, 4, read_at_ms);
        sqlite3_bind_int64(s, 5, *added);
        sqlite3_bind_int64(s, 6, total);
        rc = sq_run(st, s, err, errlen, "follower read");
    }
    if (!rc)
        rc = sq_commit(st, err, errlen);
    if (rc) {
        sq_rollback(st);
        *added = 0;
    }
    return rc;
}

static int one_int(struct store *st, const char *sql, int64_t arg, int64_t *out, char *err,
                   size_t errlen)
{
    sqlite3_stmt *s;
    *out = 0;
    int rc = sq_stmt(st, sql, &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, arg);
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        *out = sqlite3_column_int64(s, 0);
    else if (src != SQLITE_DONE)
        rc = sq_fail(st, src, err, errlen, "followers");
    sqlite3_reset(s);
    return rc;
}

int sq_followers_latest(struct store *st, int64_t channel_id, int64_t *followed_at_ms,
                        int64_t *read_at_ms, char *err, size_t errlen)
{
    int rc = one_int(st,
                     "SELECT COALESCE(MAX(followed_at), 0) FROM channel_followers"
                     " WHERE channel_id = ?",
                     channel_id, followed_at_ms, err, errlen);
    if (!rc)
        rc =
            one_int(st, "SELECT COALESCE(MAX(read_at), 0) FROM follower_reads WHERE channel_id = ?",
                    channel_id, read_at_ms, err, errlen);
    return rc;
}

int sq_followers_list(struct store *st, int64_t session_id, struct store_follow **out, size_t *n,
                      char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT f.channel_id, f.user_id, COALESCE(u.login, f.login), f.followed_at,"
                     " f.seq, COALESCE(u.created_at, 0) FROM channel_followers f"
                     " LEFT JOIN twitch_users u ON u.id = f.user_id WHERE f.session_id = ?"
                     " ORDER BY f.channel_id, f.seq, f.user_id",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 64);
        struct store_follow *f = &(*out)[(*n)++];
        memset(f, 0, sizeof *f);
        f->channel_id = sqlite3_column_int64(s, 0);
        f->user_id = sqlite3_column_int64(s, 1);
        sq_copy_text(f->login, sizeof f->login, s, 2);
        f->followed_at_ms = sqlite3_column_int64(s, 3);
        f->seq = sqlite3_column_int64(s, 4);
        f->created_at_ms = sqlite3_column_int64(s, 5);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "followers");
    }
    return 0;
}

int sq_follower_reads(struct store *st, int64_t session_id, struct store_follower_read **out,
                      size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT channel_id, seq, read_at, new_followers, total FROM follower_reads"
                     " WHERE session_id = ? ORDER BY channel_id, seq",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 64);
        struct store_follower_read *r = &(*out)[(*n)++];
        r->channel_id = sqlite3_column_int64(s, 0);
        r->seq = sqlite3_column_int64(s, 1);
        r->read_at_ms = sqlite3_column_int64(s, 2);
        r->new_followers = sqlite3_column_int64(s, 3);
        r->total = sqlite3_column_int64(s, 4);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "follower reads");
    }
    return 0;
}
