/*
 * tca users, their sealed OAuth tokens and the channels they capture. Tokens arrive and leave
 * sealed (base/crypto.h): this file must never see or store a token in clear.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static void bind_text(sqlite3_stmt *s, int i, const char *text)
{
    if (text)
        sqlite3_bind_text(s, i, text, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(s, i);
}

int sq_user_upsert(struct store *st, const struct store_user *u, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT INTO users(id, login, display_name, last_login) VALUES(?, ?, ?, ?)"
                     " ON CONFLICT(id) DO UPDATE SET login = excluded.login,"
                     " display_name = excluded.display_name, last_login = excluded.last_login",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, u->id);
    bind_text(s, 2, u->login);
    bind_text(s, 3, u->display_name);
    sqlite3_bind_int64(s, 4, u->last_login_ms);
    return sq_run(st, s, err, errlen, "user upsert");
}

static int read_user(struct store *st, sqlite3_stmt *s, struct store_user *out, char *err,
                     size_t errlen)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(s, 0);
        sq_copy_text(out->login, sizeof out->login, s, 1);
        sq_copy_text(out->display_name, sizeof out->display_name, s, 2);
        out->last_login_ms = sqlite3_column_int64(s, 3);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such user");
    } else {
        rc = sq_fail(st, rc, err, errlen, "user get");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_user_get(struct store *st, int64_t id, struct store_user *out, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, "SELECT id, login, display_name, last_login FROM users WHERE id = ?", &s,
                     err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    return read_user(st, s, out, err, errlen);
}

int sq_user_latest(struct store *st, struct store_user *out, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT id, login, display_name, last_login FROM users"
                     " ORDER BY last_login DESC, id LIMIT 1",
                     &s, err, errlen);
    if (rc)
        return rc;
    return read_user(st, s, out, err, errlen);
}

int sq_token_put(struct store *st, const struct store_token *token, char *err, size_t errlen)
{
    if (!token->access_sealed)
        return tca_fail(err, errlen, TCA_EINVAL, "token without an access token");
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT OR REPLACE INTO oauth_tokens(user_id, access_sealed, refresh_sealed,"
                     " expires_at, validated_at, scopes) VALUES(?, ?, ?, ?, ?, ?)",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, token->user_id);
    bind_text(s, 2, token->access_sealed);
    bind_text(s, 3, token->refresh_sealed);
    sqlite3_bind_int64(s, 4, token->expires_at_ms);
    sqlite3_bind_int64(s, 5, token->validated_at_ms);
    bind_text(s, 6, token->scopes);
    return sq_run(st, s, err, errlen, "token put");
}

int sq_token_get(struct store *st, int64_t user_id, struct store_token *out, char *err,
                 size_t errlen)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT access_sealed, refresh_sealed, expires_at, validated_at, scopes"
                     " FROM oauth_tokens WHERE user_id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->user_id = user_id;
        out->access_sealed = sq_dup_text(s, 0);
        out->refresh_sealed = sq_dup_text(s, 1);
        out->expires_at_ms = sqlite3_column_int64(s, 2);
        out->validated_at_ms = sqlite3_column_int64(s, 3);
        sq_copy_text(out->scopes, sizeof out->scopes, s, 4);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no tokens for user %lld", (long long)user_id);
    } else {
        rc = sq_fail(st, rc, err, errlen, "token get");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_token_validated(struct store *st, int64_t user_id, int64_t at_ms, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc =
        sq_stmt(st, "UPDATE oauth_tokens SET validated_at = ? WHERE user_id = ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, at_ms);
    sqlite3_bind_int64(s, 2, user_id);
    rc = sq_run(st, s, err, errlen, "token validated");
    if (!rc && sqlite3_changes(sq_conn(st)->db) == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no tokens for user %lld", (long long)user_id);
    return rc;
}

int sq_token_delete(struct store *st, int64_t user_id, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, "DELETE FROM oauth_tokens WHERE user_id = ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, user_id);
    return sq_run(st, s, err, errlen, "token delete");
}

int sq_token_stale(struct store *st, int64_t validated_before_ms, size_t limit, int64_t **user_ids,
                   size_t *n, char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    *user_ids = NULL;
    *n = 0;
    int rc = sq_cached(st,
                       "SELECT user_id FROM oauth_tokens WHERE validated_at < ?"
                       " ORDER BY validated_at LIMIT ?",
                       &s);
    if (rc != SQLITE_OK)
        return sq_fail(st, rc, err, errlen, "token stale");
    sqlite3_bind_int64(s, 1, validated_before_ms);
    sqlite3_bind_int64(s, 2, (sqlite3_int64)limit);
    int64_t *ids = xcalloc(limit ? limit : 1, sizeof *ids);
    size_t count = 0;
    while ((rc = sqlite3_step(s)) == SQLITE_ROW && count < limit)
        ids[count++] = sqlite3_column_int64(s, 0);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        rc = sq_fail(st, rc, err, errlen, "token stale");
        free(ids);
    } else {
        rc = 0;
        *user_ids = ids;
        *n = count;
    }
    sqlite3_reset(s);
    return rc;
}

int sq_channel_upsert(struct store *st, const struct store_channel *c, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "INSERT INTO channels(id, login, display_name) VALUES(?, ?, ?)"
                     " ON CONFLICT(id) DO UPDATE SET login = excluded.login,"
                     " display_name = excluded.display_name",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, c->id);
    bind_text(s, 2, c->login);
    bind_text(s, 3, c->display_name);
    return sq_run(st, s, err, errlen, "channel upsert");
}

static int read_channel(struct store *st, sqlite3_stmt *s, struct store_channel *out, char *err,
                        size_t errlen)
{
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(s, 0);
        sq_copy_text(out->login, sizeof out->login, s, 1);
        sq_copy_text(out->display_name, sizeof out->display_name, s, 2);
        rc = 0;
    } else if (rc == SQLITE_DONE) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such channel");
    } else {
        rc = sq_fail(st, rc, err, errlen, "channel get");
    }
    sqlite3_reset(s);
    return rc;
}

int sq_channel_get(struct store *st, int64_t id, struct store_channel *out, char *err,
                   size_t errlen)
{
    sqlite3_stmt *s;
    int rc =
        sq_stmt(st, "SELECT id, login, display_name FROM channels WHERE id = ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, id);
    return read_channel(st, s, out, err, errlen);
}

int sq_channel_by_login(struct store *st, const char *login, struct store_channel *out, char *err,
                        size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "SELECT id, login, display_name FROM channels"
                     " WHERE login = ? COLLATE NOCASE ORDER BY id LIMIT 1",
                     &s, err, errlen);
    if (rc)
        return rc;
    bind_text(s, 1, login);
    return read_channel(st, s, out, err, errlen);
}
