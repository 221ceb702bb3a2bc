/*
 * MariaDB: gateway state (login sessions and OAuth states as keyed hashes only, API keys as
 * hashes only, the channels each user may capture) and session management (save, label,
 * purge, delete, the expiry sweep, a session's channels and jobs, live watches). Must never
 * see a session id, state or API key in clear, and never delete a saved session on its own.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Runs a statement; TCA_ENOTFOUND (with what) when it matched no row. */
static int exec_one(struct store *st, const char *sql, const struct my_val *args, size_t n,
                    const char *what, char *err, size_t errlen)
{
    uint64_t changed = 0;
    int rc = my_exec(st, sql, args, n, &changed, NULL, err, errlen);
    if (!rc && !changed)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "%s", what);
    return rc;
}

int my_login_create(struct store *st, const struct store_login *l, char *err, size_t errlen)
{
    return my_exec(st,
                   "INSERT INTO login_sessions(id_hash, user_id, csrf, created_at, last_seen,"
                   " expires_at) VALUES(?, ?, ?, ?, ?, ?)",
                   MY_ARGS(MY_TEXT(l->id_hash), MY_INT(l->user_id), MY_TEXT(l->csrf),
                           MY_INT(l->created_at_ms), MY_INT(l->last_seen_ms),
                           MY_INT(l->expires_at_ms)),
                   NULL, NULL, err, errlen);
}

int my_login_get(struct store *st, const char *id_hash, struct store_login *out, char *err,
                 size_t errlen)
{
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT id_hash, user_id, csrf, created_at, last_seen, expires_at"
                      " FROM login_sessions WHERE id_hash = ?",
                      MY_ARGS(MY_TEXT(id_hash)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        my_text(&r, 0, out->id_hash, sizeof out->id_hash);
        out->user_id = my_int(&r, 1);
        my_text(&r, 2, out->csrf, sizeof out->csrf);
        out->created_at_ms = my_int(&r, 3);
        out->last_seen_ms = my_int(&r, 4);
        out->expires_at_ms = my_int(&r, 5);
        rc = 0;
    } else if (rc == 0) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such login session");
    }
    my_done(&r);
    return rc;
}

int my_login_touch(struct store *st, const char *id_hash, int64_t now_ms, char *err, size_t errlen)
{
    return my_exec(st, "UPDATE login_sessions SET last_seen = ? WHERE id_hash = ?",
                   MY_ARGS(MY_INT(now_ms), MY_TEXT(id_hash)), NULL, NULL, err, errlen);
}

int my_login_delete(struct store *st, const char *id_hash, char *err, size_t errlen)
{
    return my_exec(st, "DELETE FROM login_sessions WHERE id_hash = ?", MY_ARGS(MY_TEXT(id_hash)),
                   NULL, NULL, err, errlen);
}

int my_login_delete_user(struct store *st, int64_t user_id, char *err, size_t errlen)
{
    return my_exec(st, "DELETE FROM login_sessions WHERE user_id = ?", MY_ARGS(MY_INT(user_id)),
                   NULL, NULL, err, errlen);
}

int my_login_sweep(struct store *st, int64_t idle_before_ms, int64_t now_ms, int *removed,
                   char *err, size_t errlen)
{
    uint64_t gone = 0;
    int rc = my_exec(st, "DELETE FROM login_sessions WHERE last_seen < ? OR expires_at <= ?",
                     MY_ARGS(MY_INT(idle_before_ms), MY_INT(now_ms)), &gone, NULL, err, errlen);
    if (rc)
        return rc;
    if (removed)
        *removed = (int)gone;
    return my_exec(st, "DELETE FROM oauth_states WHERE expires_at <= ?", MY_ARGS(MY_INT(now_ms)),
                   NULL, NULL, err, errlen);
}

int my_oauth_state_put(struct store *st, const char *state_hash, int64_t expires_at_ms, char *err,
                       size_t errlen)
{
    return my_exec(st, "REPLACE INTO oauth_states(state_hash, expires_at) VALUES(?, ?)",
                   MY_ARGS(MY_TEXT(state_hash), MY_INT(expires_at_ms)), NULL, NULL, err, errlen);
}

int my_oauth_state_take(struct store *st, const char *state_hash, int64_t now_ms, char *err,
                        size_t errlen)
{
    /* One statement, so a state can be consumed once even by two racing callbacks. */
    return exec_one(st, "DELETE FROM oauth_states WHERE state_hash = ? AND expires_at > ?",
                    MY_ARGS(MY_TEXT(state_hash), MY_INT(now_ms)),
                    "unknown or expired login attempt", err, errlen);
}

#define KEY_COLUMNS                                                                                \
    "SELECT id, user_id, key_hash, name, prefix, read_only, created_at, last_used, revoked_at"     \
    " FROM api_keys"

static void read_key(const struct my_rows *r, struct store_api_key *k)
{
    k->id = my_int(r, 0);
    k->user_id = my_int(r, 1);
    my_text(r, 2, k->key_hash, sizeof k->key_hash);
    my_text(r, 3, k->name, sizeof k->name);
    my_text(r, 4, k->prefix, sizeof k->prefix);
    k->read_only = (int)my_int(r, 5);
    k->created_at_ms = my_int(r, 6);
    k->last_used_ms = my_int(r, 7);
    k->revoked_at_ms = my_int(r, 8);
}

int my_api_key_create(struct store *st, const struct store_api_key *k, int64_t *id, char *err,
                      size_t errlen)
{
    return my_exec(st,
                   "INSERT INTO api_keys(key_hash, user_id, name, prefix, read_only, created_at)"
                   " VALUES(?, ?, ?, ?, ?, ?)",
                   MY_ARGS(MY_TEXT(k->key_hash), MY_INT(k->user_id), MY_TEXT(k->name),
                           MY_TEXT(k->prefix), MY_INT(k->read_only ? 1 : 0),
                           MY_INT(k->created_at_ms)),
                   NULL, id, err, errlen);
}

int my_api_key_by_hash(struct store *st, const char *key_hash, struct store_api_key *out, char *err,
                       size_t errlen)
{
    struct my_rows r;
    int rc = my_query(st, KEY_COLUMNS " WHERE key_hash = ? AND revoked_at = 0",
                      MY_ARGS(MY_TEXT(key_hash)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        read_key(&r, out);
        rc = 0;
    } else if (rc == 0) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "unknown or revoked API key");
    }
    my_done(&r);
    return rc;
}

int my_api_key_list(struct store *st, int64_t user_id, struct store_api_key **out, size_t *n,
                    char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st, KEY_COLUMNS " WHERE user_id = ? ORDER BY id DESC",
                      MY_ARGS(MY_INT(user_id)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        read_key(&r, &(*out)[(*n)++]);
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

int my_api_key_revoke(struct store *st, int64_t user_id, int64_t id, int64_t now_ms, char *err,
                      size_t errlen)
{
    return exec_one(st,
                    "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ?"
                    " AND revoked_at = 0",
                    MY_ARGS(MY_INT(now_ms > 0 ? now_ms : 1), MY_INT(id), MY_INT(user_id)),
                    "no such API key", err, errlen);
}

int my_user_channels_set(struct store *st, int64_t user_id, const struct store_user_channel *c,
                         size_t n, int64_t now_ms, char *err, size_t errlen)
{
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    rc = my_exec(st, "DELETE FROM user_channels WHERE user_id = ?", MY_ARGS(MY_INT(user_id)), NULL,
                 NULL, err, errlen);
    for (size_t i = 0; i < n && !rc; i++) {
        rc = my_channel_upsert(st, &c[i].channel, err, errlen);
        /* a channel can come twice (own channel also listed as moderated): keep the first */
        if (!rc)
            rc = my_exec(st,
                         "INSERT IGNORE INTO user_channels(user_id, channel_id, role, live,"
                         " checked_at, viewers) VALUES(?, ?, ?, ?, ?, ?)",
                         MY_ARGS(MY_INT(user_id), MY_INT(c[i].channel.id), MY_TEXT(c[i].role),
                                 MY_INT(c[i].live ? 1 : 0), MY_INT(now_ms),
                                 MY_INT(c[i].live ? c[i].viewers : 0)),
                         NULL, NULL, err, errlen);
    }
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    return rc;
}

int my_user_channels(struct store *st, int64_t user_id, struct store_user_channel **out, size_t *n,
                     char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT c.id, c.login, c.display_name, u.role, u.live, u.checked_at,"
                      " u.viewers FROM user_channels u JOIN channels c ON c.id = u.channel_id"
                      " WHERE u.user_id = ? ORDER BY u.role = 'moderator',"
                      " c.login COLLATE utf8mb4_bin",
                      MY_ARGS(MY_INT(user_id)), &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 16);
        struct store_user_channel *u = &(*out)[(*n)++];
        memset(u, 0, sizeof *u);
        u->channel.id = my_int(&r, 0);
        my_text(&r, 1, u->channel.login, sizeof u->channel.login);
        my_text(&r, 2, u->channel.display_name, sizeof u->channel.display_name);
        my_text(&r, 3, u->role, sizeof u->role);
        u->live = (int)my_int(&r, 4);
        u->checked_at_ms = my_int(&r, 5);
        u->viewers = my_int(&r, 6);
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

int my_user_channel_allowed(struct store *st, int64_t user_id, int64_t channel_id, char *err,
                            size_t errlen)
{
    int64_t one = 0;
    int rc = my_query_int(st, "SELECT 1 FROM user_channels WHERE user_id = ? AND channel_id = ?",
                          MY_ARGS(MY_INT(user_id), MY_INT(channel_id)), &one, err, errlen);
    if (rc == TCA_ENOTFOUND)
        return tca_fail(err, errlen, TCA_ENOTFOUND, "not your channel");
    return rc;
}

int my_live_watch_set(struct store *st, const struct store_live_watch *w, char *err, size_t errlen)
{
    return my_exec(st,
                   "INSERT INTO live_watches(session_id, channel_id, user_id, interval_s, live)"
                   " VALUES(?, ?, ?, ?, ?) ON DUPLICATE KEY UPDATE user_id = VALUES(user_id),"
                   " interval_s = VALUES(interval_s), live = VALUES(live)",
                   MY_ARGS(MY_INT(w->session_id), MY_INT(w->channel_id), MY_INT(w->user_id),
                           MY_INT(w->interval_s), MY_INT(w->live ? 1 : 0)),
                   NULL, NULL, err, errlen);
}

int my_live_watch_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                       size_t errlen)
{
    return exec_one(st, "DELETE FROM live_watches WHERE session_id = ? AND channel_id = ?",
                    MY_ARGS(MY_INT(session_id), MY_INT(channel_id)),
                    "no live watch on this channel", err, errlen);
}

int my_live_watch_list(struct store *st, struct store_live_watch **out, size_t *n, char *err,
                       size_t errlen)
{
    *out = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT w.session_id, w.channel_id, w.user_id, w.interval_s, w.live"
                      " FROM live_watches w JOIN sessions s ON s.id = w.session_id"
                      " WHERE s.active = 1 ORDER BY w.session_id, w.channel_id",
                      MY_NOARGS, &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        struct store_live_watch *w = &(*out)[(*n)++];
        w->session_id = my_int(&r, 0);
        w->channel_id = my_int(&r, 1);
        w->user_id = my_int(&r, 2);
        w->interval_s = (int)my_int(&r, 3);
        w->live = (int)my_int(&r, 4);
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
