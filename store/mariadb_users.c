/*
 * MariaDB: tca users, their sealed OAuth tokens, channels, analysis sessions and the capture
 * schedule (the same contract as store/sqlite_users.c and store/sqlite_sessions.c). Tokens
 * arrive and leave sealed: this file must never see or store a token in clear.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

int my_user_upsert(struct store *st, const struct store_user *u, char *err, size_t errlen)
{
    return my_exec(st,
                   "INSERT INTO users(id, login, display_name, last_login) VALUES(?, ?, ?, ?)"
                   " ON DUPLICATE KEY UPDATE login = VALUES(login),"
                   " display_name = VALUES(display_name), last_login = VALUES(last_login)",
                   MY_ARGS(MY_INT(u->id), MY_TEXT(u->login), MY_TEXT(u->display_name),
                           MY_INT(u->last_login_ms)),
                   NULL, NULL, err, errlen);
}

static int read_user(struct store *st, const char *sql, const struct my_val *args, size_t n,
                     struct store_user *out, char *err, size_t errlen)
{
    struct my_rows r;
    int rc = my_query(st, sql, args, n, &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        out->id = my_int(&r, 0);
        my_text(&r, 1, out->login, sizeof out->login);
        my_text(&r, 2, out->display_name, sizeof out->display_name);
        out->last_login_ms = my_int(&r, 3);
        rc = 0;
    } else if (rc == 0) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such user");
    }
    my_done(&r);
    return rc;
}

int my_user_get(struct store *st, int64_t id, struct store_user *out, char *err, size_t errlen)
{
    return read_user(st, "SELECT id, login, display_name, last_login FROM users WHERE id = ?",
                     MY_ARGS(MY_INT(id)), out, err, errlen);
}

int my_user_latest(struct store *st, struct store_user *out, char *err, size_t errlen)
{
    return read_user(st,
                     "SELECT id, login, display_name, last_login FROM users"
                     " ORDER BY last_login DESC, id LIMIT 1",
                     MY_NOARGS, out, err, errlen);
}

int my_token_put(struct store *st, const struct store_token *token, char *err, size_t errlen)
{
    if (!token->access_sealed)
        return tca_fail(err, errlen, TCA_EINVAL, "token without an access token");
    return my_exec(st,
                   "REPLACE INTO oauth_tokens(user_id, access_sealed, refresh_sealed,"
                   " expires_at, validated_at, scopes) VALUES(?, ?, ?, ?, ?, ?)",
                   MY_ARGS(MY_INT(token->user_id), MY_TEXT(token->access_sealed),
                           MY_TEXT(token->refresh_sealed), MY_INT(token->expires_at_ms),
                           MY_INT(token->validated_at_ms), MY_TEXT(token->scopes)),
                   NULL, NULL, err, errlen);
}

int my_token_get(struct store *st, int64_t user_id, struct store_token *out, char *err,
                 size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct my_rows r;
    int rc = my_query(st,
                      "SELECT access_sealed, refresh_sealed, expires_at, validated_at, scopes"
                      " FROM oauth_tokens WHERE user_id = ?",
                      MY_ARGS(MY_INT(user_id)), &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        out->user_id = user_id;
        out->access_sealed = my_dup(&r, 0);
        out->refresh_sealed = my_dup(&r, 1);
        out->expires_at_ms = my_int(&r, 2);
        out->validated_at_ms = my_int(&r, 3);
        my_text(&r, 4, out->scopes, sizeof out->scopes);
        rc = 0;
    } else if (rc == 0) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no tokens for user %lld", (long long)user_id);
    }
    my_done(&r);
    return rc;
}

int my_token_validated(struct store *st, int64_t user_id, int64_t at_ms, char *err, size_t errlen)
{
    uint64_t changed = 0;
    int rc = my_exec(st, "UPDATE oauth_tokens SET validated_at = ? WHERE user_id = ?",
                     MY_ARGS(MY_INT(at_ms), MY_INT(user_id)), &changed, NULL, err, errlen);
    if (!rc && !changed)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no tokens for user %lld", (long long)user_id);
    return rc;
}

int my_token_delete(struct store *st, int64_t user_id, char *err, size_t errlen)
{
    return my_exec(st, "DELETE FROM oauth_tokens WHERE user_id = ?", MY_ARGS(MY_INT(user_id)), NULL,
                   NULL, err, errlen);
}

/* Reads the first column of every row as an id, at most limit of them. */
static int read_ids(struct store *st, const char *sql, const struct my_val *args, size_t nargs,
                    size_t limit, int64_t **ids, size_t *n, char *err, size_t errlen)
{
    *ids = NULL;
    *n = 0;
    struct my_rows r;
    int rc = my_query(st, sql, args, nargs, &r, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    while ((rc = my_next(&r, err, errlen)) == 1 && *n < limit) {
        *ids = xgrow(*ids, &cap, *n, sizeof **ids, 64);
        (*ids)[(*n)++] = my_int(&r, 0);
    }
    my_done(&r);
    if (rc < 0) {
        free(*ids);
        *ids = NULL;
        *n = 0;
        return rc;
    }
    if (!*ids)
        *ids = xcalloc(1, sizeof **ids);
    return 0;
}

int my_token_stale(struct store *st, int64_t validated_before_ms, size_t limit, int64_t **user_ids,
                   size_t *n, char *err, size_t errlen)
{
    return read_ids(st,
                    "SELECT user_id FROM oauth_tokens WHERE validated_at < ?"
                    " ORDER BY validated_at LIMIT ?",
                    MY_ARGS(MY_INT(validated_before_ms), MY_INT(limit)), limit, user_ids, n, err,
                    errlen);
}

int my_channel_upsert(struct store *st, const struct store_channel *c, char *err, size_t errlen)
{
    return my_exec(st,
                   "INSERT INTO channels(id, login, display_name) VALUES(?, ?, ?)"
                   " ON DUPLICATE KEY UPDATE login = VALUES(login),"
                   " display_name = VALUES(display_name)",
                   MY_ARGS(MY_INT(c->id), MY_TEXT(c->login), MY_TEXT(c->display_name)), NULL, NULL,
                   err, errlen);
}

static int read_channel(struct store *st, const char *sql, const struct my_val *args, size_t n,
                        struct store_channel *out, char *err, size_t errlen)
{
    struct my_rows r;
    int rc = my_query(st, sql, args, n, &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        out->id = my_int(&r, 0);
        my_text(&r, 1, out->login, sizeof out->login);
        my_text(&r, 2, out->display_name, sizeof out->display_name);
        rc = 0;
    } else if (rc == 0) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such channel");
    }
    my_done(&r);
    return rc;
}

int my_channel_get(struct store *st, int64_t id, struct store_channel *out, char *err,
                   size_t errlen)
{
    return read_channel(st, "SELECT id, login, display_name FROM channels WHERE id = ?",
                        MY_ARGS(MY_INT(id)), out, err, errlen);
}

int my_channel_by_login(struct store *st, const char *login, struct store_channel *out, char *err,
                        size_t errlen)
{
    return read_channel(st,
                        "SELECT id, login, display_name FROM channels WHERE login = ?"
                        " ORDER BY id LIMIT 1",
                        MY_ARGS(MY_TEXT(login)), out, err, errlen);
}
