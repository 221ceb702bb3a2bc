/*
 * Gateway state in the SQLite store: login sessions (keyed hashes of their ids only), OAuth
 * states, API keys (hashes only) and the channels each user may capture. Must never see a
 * session id, state or API key in clear: callers hash them first (base/crypto.h).
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int prep(struct store *st, const char *sql, sqlite3_stmt **s, char *err, size_t errlen)
{
    int rc = sq_cached(st, sql, s);
    if (rc != SQLITE_OK) {
        *s = NULL;
        return sq_fail(st, rc, err, errlen, "prepare");
    }
    return 0;
}

/* Steps a statement that returns no row and resets it. */
static int exec1(struct store *st, sqlite3_stmt *s, char *err, size_t errlen, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, rc, err, errlen, what);
}

int sq_login_create(struct store *st, const struct store_login *l, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st,
                  "INSERT INTO login_sessions(id_hash, user_id, csrf, created_at, last_seen,"
                  " expires_at) VALUES(?, ?, ?, ?, ?, ?)",
                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, l->id_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, l->user_id);
    sqlite3_bind_text(s, 3, l->csrf, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 4, l->created_at_ms);
    sqlite3_bind_int64(s, 5, l->last_seen_ms);
    sqlite3_bind_int64(s, 6, l->expires_at_ms);
    return exec1(st, s, err, errlen, "login create");
}

int sq_login_get(struct store *st, const char *id_hash, struct store_login *out, char *err,
                 size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st,
                  "SELECT id_hash, user_id, csrf, created_at, last_seen, expires_at"
                  " FROM login_sessions WHERE id_hash = ?",
                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, id_hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        sq_copy_text(out->id_hash, sizeof out->id_hash, s, 0);
        out->user_id = sqlite3_column_int64(s, 1);
        sq_copy_text(out->csrf, sizeof out->csrf, s, 2);
        out->created_at_ms = sqlite3_column_int64(s, 3);
        out->last_seen_ms = sqlite3_column_int64(s, 4);
        out->expires_at_ms = sqlite3_column_int64(s, 5);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such login session");
    } else {
        rc = sq_fail(st, rc, err, errlen, "login get");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_login_touch(struct store *st, const char *id_hash, int64_t now_ms, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st, "UPDATE login_sessions SET last_seen = ? WHERE id_hash = ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, now_ms);
    sqlite3_bind_text(s, 2, id_hash, -1, SQLITE_STATIC);
    return exec1(st, s, err, errlen, "login touch");
}

int sq_login_delete(struct store *st, const char *id_hash, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st, "DELETE FROM login_sessions WHERE id_hash = ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, id_hash, -1, SQLITE_STATIC);
    return exec1(st, s, err, errlen, "login delete");
}

int sq_login_delete_user(struct store *st, int64_t user_id, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st, "DELETE FROM login_sessions WHERE user_id = ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    return exec1(st, s, err, errlen, "login delete user");
}

int sq_login_sweep(struct store *st, int64_t idle_before_ms, int64_t now_ms, int *removed,
                   char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st, "DELETE FROM login_sessions WHERE last_seen < ? OR expires_at <= ?", &s, err,
                  errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, idle_before_ms);
    sqlite3_bind_int64(s, 2, now_ms);
    rc = exec1(st, s, err, errlen, "login sweep");
    if (rc)
        return rc;
    if (removed)
        *removed = sqlite3_changes(sq_conn(st)->db);
    rc = prep(st, "DELETE FROM oauth_states WHERE expires_at <= ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, now_ms);
    return exec1(st, s, err, errlen, "oauth state sweep");
}

int sq_oauth_state_put(struct store *st, const char *state_hash, int64_t expires_at_ms, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st, "INSERT OR REPLACE INTO oauth_states(state_hash, expires_at) VALUES(?, ?)",
                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, state_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, expires_at_ms);
    return exec1(st, s, err, errlen, "oauth state put");
}

int sq_oauth_state_take(struct store *st, const char *state_hash, int64_t now_ms, char *err,
                        size_t errlen)
{
    sqlite3_stmt *s;
    /* One statement, so a state can be consumed once even by two racing callbacks. */
    int rc = prep(st, "DELETE FROM oauth_states WHERE state_hash = ? AND expires_at > ?", &s, err,
                  errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, state_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now_ms);
    rc = exec1(st, s, err, errlen, "oauth state take");
    if (!rc && sqlite3_changes(sq_conn(st)->db) == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "unknown or expired login attempt");
    return rc;
}

#define KEY_COLUMNS                                                                                \
    "SELECT id, user_id, key_hash, name, prefix, read_only, created_at, last_used, revoked_at"     \
    " FROM api_keys"

static void read_key(sqlite3_stmt *s, struct store_api_key *k)
{
    k->id = sqlite3_column_int64(s, 0);
    k->user_id = sqlite3_column_int64(s, 1);
    sq_copy_text(k->key_hash, sizeof k->key_hash, s, 2);
    sq_copy_text(k->name, sizeof k->name, s, 3);
    sq_copy_text(k->prefix, sizeof k->prefix, s, 4);
    k->read_only = sqlite3_column_int(s, 5);
    k->created_at_ms = sqlite3_column_int64(s, 6);
    k->last_used_ms = sqlite3_column_int64(s, 7);
    k->revoked_at_ms = sqlite3_column_int64(s, 8);
}

int sq_api_key_create(struct store *st, const struct store_api_key *k, int64_t *id, char *err,
                      size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st,
                  "INSERT INTO api_keys(key_hash, user_id, name, prefix, read_only, created_at)"
                  " VALUES(?, ?, ?, ?, ?, ?)",
                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, k->key_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, k->user_id);
    sqlite3_bind_text(s, 3, k->name, -1, SQLITE_STATIC);
    sqlite3_bind_text(s, 4, k->prefix, -1, SQLITE_STATIC);
    sqlite3_bind_int(s, 5, k->read_only ? 1 : 0);
    sqlite3_bind_int64(s, 6, k->created_at_ms);
    rc = exec1(st, s, err, errlen, "api key create");
    if (!rc)
        *id = sqlite3_last_insert_rowid(sq_conn(st)->db);
    return rc;
}

int sq_api_key_by_hash(struct store *st, const char *key_hash, struct store_api_key *out, char *err,
                       size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st, KEY_COLUMNS " WHERE key_hash = ? AND revoked_at = 0", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, key_hash, -1, SQLITE_STATIC);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        read_key(s, out);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "unknown or revoked API key");
    } else {
        rc = sq_fail(st, rc, err, errlen, "api key get");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_api_key_list(struct store *st, int64_t user_id, struct store_api_key **out, size_t *n,
                    char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(st, KEY_COLUMNS " WHERE user_id = ? ORDER BY id DESC", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        read_key(s, &(*out)[(*n)++]);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "api key list");
    }
    return 0;
}

int sq_api_key_revoke(struct store *st, int64_t user_id, int64_t id, int64_t now_ms, char *err,
                      size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st,
                  "UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ?"
                  " AND revoked_at = 0",
                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, now_ms > 0 ? now_ms : 1);
    sqlite3_bind_int64(s, 2, id);
    sqlite3_bind_int64(s, 3, user_id);
    rc = exec1(st, s, err, errlen, "api key revoke");
    if (!rc && sqlite3_changes(sq_conn(st)->db) == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such API key");
    return rc;
}

int sq_user_channels_set(struct store *st, int64_t user_id, const struct store_user_channel *c,
                         size_t n, int64_t now_ms, char *err, size_t errlen)
{
    sqlite3_stmt *del = NULL, *ins = NULL;
    int rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    rc = prep(st, "DELETE FROM user_channels WHERE user_id = ?", &del, err, errlen);
    if (!rc)
        rc = prep(st,
                  "INSERT INTO user_channels(user_id, channel_id, role, live, checked_at,"
                  " viewers) VALUES(?, ?, ?, ?, ?, ?)",
                  &ins, err, errlen);
    if (rc)
        goto out;
    sqlite3_bind_int64(del, 1, user_id);
    if (sqlite3_step(del) != SQLITE_DONE) {
        rc = sq_fail(st, sqlite3_errcode(sq_conn(st)->db), err, errlen, "user channels clear");
        goto out;
    }
    for (size_t i = 0; i < n; i++) {
        rc = sq_channel_upsert(st, &c[i].channel, err, errlen);
        if (rc)
            goto out;
        sqlite3_reset(ins);
        sqlite3_bind_int64(ins, 1, user_id);
        sqlite3_bind_int64(ins, 2, c[i].channel.id);
        sqlite3_bind_text(ins, 3, c[i].role, -1, SQLITE_STATIC);
        sqlite3_bind_int(ins, 4, c[i].live ? 1 : 0);
        sqlite3_bind_int64(ins, 5, now_ms);
        sqlite3_bind_int64(ins, 6, c[i].live ? c[i].viewers : 0);
        int src = sqlite3_step(ins);
        /* a channel can come twice (own channel also listed as moderated): keep the first */
        if (src != SQLITE_DONE && src != SQLITE_CONSTRAINT) {
            rc = sq_fail(st, src, err, errlen, "user channels insert");
            goto out;
        }
    }
    rc = sq_commit(st, err, errlen);
out:
    sqlite3_reset(del);
    sqlite3_reset(ins);
    if (rc)
        sq_rollback(st);
    return rc;
}

int sq_user_channels(struct store *st, int64_t user_id, struct store_user_channel **out, size_t *n,
                     char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(st,
                  "SELECT c.id, c.login, c.display_name, u.role, u.live, u.checked_at,"
                  " u.viewers FROM user_channels u JOIN channels c ON c.id = u.channel_id"
                  " WHERE u.user_id = ? ORDER BY u.role = 'moderator', c.login",
                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 16);
        struct store_user_channel *u = &(*out)[(*n)++];
        memset(u, 0, sizeof *u);
        u->channel.id = sqlite3_column_int64(s, 0);
        sq_copy_text(u->channel.login, sizeof u->channel.login, s, 1);
        sq_copy_text(u->channel.display_name, sizeof u->channel.display_name, s, 2);
        sq_copy_text(u->role, sizeof u->role, s, 3);
        u->live = sqlite3_column_int(s, 4);
        u->checked_at_ms = sqlite3_column_int64(s, 5);
        u->viewers = sqlite3_column_int64(s, 6);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "user channels");
    }
    return 0;
}

int sq_user_channel_allowed(struct store *st, int64_t user_id, int64_t channel_id, char *err,
                            size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st, "SELECT 1 FROM user_channels WHERE user_id = ? AND channel_id = ?", &s, err,
                  errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    sqlite3_bind_int64(s, 2, channel_id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc == SQLITE_ROW)
        return 0;
    if (rc == SQLITE_DONE)
        return tca_fail(err, errlen, TCA_ENOTFOUND, "not your channel");
    return sq_fail(st, rc, err, errlen, "user channel allowed");
}
