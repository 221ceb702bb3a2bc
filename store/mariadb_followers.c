/*
 * Followers on MariaDB: a read's new follows and the read itself in one transaction, the
 * newest follow of a channel, and a session's follows with their profiles. Never decides
 * what a wave is: it keeps what the reads found.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

int my_followers_add(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                     const struct store_follow *follows, size_t n, int64_t read_at_ms,
                     int64_t total, int *added, char *err, size_t errlen)
{
    *added = 0;
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    for (size_t i = 0; i < n && !rc; i++) {
        uint64_t changed = 0;
        rc = my_exec(st,
                     "INSERT IGNORE INTO channel_followers(channel_id, user_id, login,"
                     " followed_at, session_id, seq) VALUES(?, ?, ?, ?, ?, ?)",
                     MY_ARGS(MY_INT(channel_id), MY_INT(follows[i].user_id),
                             MY_TEXT(follows[i].login), MY_INT(follows[i].followed_at_ms),
                             MY_INT(session_id), MY_INT(seq)),
                     &changed, NULL, err, errlen);
        *added += (int)changed;
    }
    if (!rc)
        rc = my_exec(st,
                     "INSERT INTO follower_reads(session_id, channel_id, seq, read_at,"
                     " new_followers, total) VALUES(?, ?, ?, ?, ?, ?)"
                     " ON DUPLICATE KEY UPDATE read_at = VALUES(read_at), total = VALUES(total),"
                     " new_followers = new_followers + VALUES(new_followers)",
                     MY_ARGS(MY_INT(session_id), MY_INT(channel_id), MY_INT(seq),
                             MY_INT(read_at_ms), MY_INT(*added), MY_INT(total)),
                     NULL, NULL, err, errlen);
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc) {
        my_rollback(st);
        *added = 0;
    }
    return rc;
}

int my_followers_latest(struct store *st, int64_t channel_id, int64_t *followed_at_ms,
                        int64_t *read_at_ms, char *err, size_t errlen)
{
    int rc = my_query_int(st,
                          "SELECT COALESCE(MAX(followed_at), 0) FROM channel_followers"
                          " WHERE channel_id = ?",
                          MY_ARGS(MY_INT(channel_id)), followed_at_ms, err, errlen);
    if (!rc)
        rc = my_query_int(st,
                          "SELECT COALESCE(MAX(read_at), 0) FROM follower_reads"
                          " WHERE channel_id = ?",
                          MY_ARGS(MY_INT(channel_id)), read_at_ms, err, errlen);
    return rc;
}

int my_followers_list(struct store *st, int64_t session_id, struct store_follow **out, size_t *n,
                      char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT f.channel_id, f.user_id, COALESCE(u.login, f.login), f.followed_at,"
                      " f.seq, COALESCE(u.created_at, 0) FROM channel_followers f"
                      " LEFT JOIN twitch_users u ON u.id = f.user_id WHERE f.session_id = ?"
                      " ORDER BY f.channel_id, f.seq, f.user_id",
                      MY_ARGS(MY_INT(session_id)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 64);
        struct store_follow *f = &(*out)[(*n)++];
        memset(f, 0, sizeof *f);
        f->channel_id = my_int(&r, 0);
        f->user_id = my_int(&r, 1);
        my_text(&r, 2, f->login, sizeof f->login);
        f->followed_at_ms = my_int(&r, 3);
        f->seq = my_int(&r, 4);
        f->created_at_ms = my_int(&r, 5);
    }
    my_done(&r);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}

int my_follower_reads(struct store *st, int64_t session_id, struct store_follower_read **out,
                      size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT channel_id, seq, read_at, new_followers, total FROM follower_reads"
                      " WHERE session_id = ? ORDER BY channel_id, seq",
                      MY_ARGS(MY_INT(session_id)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 64);
        struct store_follower_read *x = &(*out)[(*n)++];
        x->channel_id = my_int(&r, 0);
        x->seq = my_int(&r, 1);
        x->read_at_ms = my_int(&r, 2);
        x->new_followers = my_int(&r, 3);
        x->total = my_int(&r, 4);
    }
    my_done(&r);
    if (rc < 0) {
        free(*out);
        *out = NULL;
        *n = 0;
        return rc;
    }
    return 0;
}
