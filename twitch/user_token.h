/*
 * A user's Twitch tokens as the workers, the gateway and the CLI need them: loaded from the
 * store and opened, refreshed when they are about to expire, validated at least hourly, and
 * sealed again whenever Twitch handed out new ones. Plain tokens live only in memory.
 */
#ifndef TCA_USER_TOKEN_H
#define TCA_USER_TOKEN_H

#include <stddef.h>
#include <stdint.h>

#include "base/crypto.h"
#include "store/store.h"
#include "twitch/twitch.h"

/** Twitch asks apps to validate tokens at least once an hour. */
#define USER_TOKEN_VALIDATE_EVERY_MS (60 * 60 * 1000)
/** Refresh this long before expiry so a long capture never starts with a dying token. */
#define USER_TOKEN_REFRESH_MARGIN_MS (5 * 60 * 1000)

/**
 * Loads and opens the tokens of user_id, refreshing and validating them as needed (and
 * storing the outcome). TCA_EAUTH when the user must log in again (no tokens, refresh
 * refused, validation failed); the stored tokens are deleted in that case.
 * Release out with twitch_token_clear.
 */
int user_token_load(struct store *st, const struct crypto_keys *keys, struct twitch_client *tw,
                    int64_t user_id, int64_t now_ms, struct twitch_token *out, char *err,
                    size_t errlen);
/**
 * Validates the stored tokens of user_id with Twitch now (refreshing if needed), as Twitch
 * asks of apps at start-up and hourly. TCA_EAUTH (tokens deleted) when the login is gone.
 */
int user_token_check(struct store *st, const struct crypto_keys *keys, struct twitch_client *tw,
                     int64_t user_id, int64_t now_ms, char *err, size_t errlen);
/** Seals and stores tok for tok->user_id (which must be set), marking it validated at now. */
int user_token_save(struct store *st, const struct crypto_keys *keys,
                    const struct twitch_token *tok, int64_t validated_at_ms, char *err,
                    size_t errlen);
/** Stores tok again if the client refreshed it during a call, and clears the flag. */
int user_token_persist_refresh(struct store *st, const struct crypto_keys *keys,
                               struct twitch_token *tok, int64_t now_ms, char *err, size_t errlen);

#endif
