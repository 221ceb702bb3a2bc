/*
 * Token life cycle for workers, the gateway and the CLI. Never logs or returns a token in an
 * error; a token Twitch no longer accepts ends the login cleanly (tokens deleted, TCA_EAUTH).
 */
#include "twitch/user_token.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int user_token_save(struct store *st, const struct crypto_keys *keys,
                    const struct twitch_token *tok, int64_t validated_at_ms, char *err,
                    size_t errlen)
{
    struct store_token row = {0};
    row.user_id = tok->user_id;
    row.access_sealed = crypto_seal(keys, tok->user_id, tok->access_token);
    row.refresh_sealed =
        tok->refresh_token ? crypto_seal(keys, tok->user_id, tok->refresh_token) : NULL;
    row.expires_at_ms = tok->expires_at_ms;
    row.validated_at_ms = validated_at_ms;
    snprintf(row.scopes, sizeof row.scopes, "%s", tok->scopes);
    int rc = store_token_put(st, &row, err, errlen);
    store_token_clear(&row);
    return rc;
}

int user_token_persist_refresh(struct store *st, const struct crypto_keys *keys,
                               struct twitch_token *tok, int64_t now_ms, char *err, size_t errlen)
{
    if (!tok->refreshed)
        return 0;
    tok->refreshed = 0;
    /* A refreshed token was issued just now, so it counts as validated. */
    return user_token_save(st, keys, tok, now_ms, err, errlen);
}

static int forget(struct store *st, int64_t user_id, int rc, char *err, size_t errlen)
{
    char ignored[64];
    store_token_delete(st, user_id, ignored, sizeof ignored);
    return rc;
}

static int load(struct store *st, const struct crypto_keys *keys, struct twitch_client *tw,
                int64_t user_id, int64_t now_ms, int force_validate, struct twitch_token *out,
                char *err, size_t errlen)
{
    struct store_token row = {0};
    memset(out, 0, sizeof *out);
    int rc = store_token_get(st, user_id, &row, err, errlen);
    if (rc == TCA_ENOTFOUND)
        return tca_fail(err, errlen, TCA_EAUTH, "user %lld has no Twitch login: run `tca login`",
                        (long long)user_id);
    if (rc)
        return rc;
    rc = crypto_open(keys, user_id, row.access_sealed, &out->access_token, err, errlen);
    if (!rc && row.refresh_sealed)
        rc = crypto_open(keys, user_id, row.refresh_sealed, &out->refresh_token, err, errlen);
    out->user_id = user_id;
    out->expires_at_ms = row.expires_at_ms;
    snprintf(out->scopes, sizeof out->scopes, "%s", row.scopes);
    int64_t validated_at = row.validated_at_ms;
    store_token_clear(&row);
    if (rc) {
        twitch_token_clear(out);
        return forget(st, user_id, TCA_EAUTH, err, errlen);
    }

    if (out->expires_at_ms && out->expires_at_ms - USER_TOKEN_REFRESH_MARGIN_MS <= now_ms) {
        if (!out->refresh_token) {
            twitch_token_clear(out);
            return forget(
                st, user_id,
                tca_fail(err, errlen, TCA_EAUTH, "the Twitch login expired: log in again"), err,
                errlen);
        }
        rc = twitch_oauth_refresh(tw, out, err, errlen);
        if (rc == TCA_EAUTH) {
            twitch_token_clear(out);
            return forget(st, user_id, rc, err, errlen);
        }
        if (rc) {
            twitch_token_clear(out);
            return rc;
        }
        out->user_id = user_id;
        validated_at = 0; /* validate the new token below, which also fills login */
    }

    if (force_validate || now_ms - validated_at >= USER_TOKEN_VALIDATE_EVERY_MS) {
        rc = twitch_oauth_validate(tw, out, err, errlen);
        if (rc == TCA_EAUTH && out->refresh_token && !out->refreshed) {
            rc = twitch_oauth_refresh(tw, out, err, errlen);
            if (!rc)
                rc = twitch_oauth_validate(tw, out, err, errlen);
        }
        if (rc == TCA_EAUTH) {
            twitch_token_clear(out);
            return forget(st, user_id,
                          tca_fail(err, errlen, TCA_EAUTH,
                                   "Twitch no longer accepts this login: log in again"),
                          err, errlen);
        }
        if (rc) {
            twitch_token_clear(out);
            return rc;
        }
        if (out->user_id != user_id) {
            twitch_token_clear(out);
            return forget(st, user_id,
                          tca_fail(err, errlen, TCA_EAUTH, "token belongs to another user"), err,
                          errlen);
        }
        out->refreshed = 0;
        rc = user_token_save(st, keys, out, now_ms, err, errlen);
        if (rc) {
            twitch_token_clear(out);
            return rc;
        }
    }
    return 0;
}

int user_token_load(struct store *st, const struct crypto_keys *keys, struct twitch_client *tw,
                    int64_t user_id, int64_t now_ms, struct twitch_token *out, char *err,
                    size_t errlen)
{
    return load(st, keys, tw, user_id, now_ms, 0, out, err, errlen);
}

int user_token_check(struct store *st, const struct crypto_keys *keys, struct twitch_client *tw,
                     int64_t user_id, int64_t now_ms, char *err, size_t errlen)
{
    struct twitch_token tok = {0};
    int rc = load(st, keys, tw, user_id, now_ms, 1, &tok, err, errlen);
    twitch_token_clear(&tok);
    return rc;
}
