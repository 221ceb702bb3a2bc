/*
 * Twitch client: Helix calls and OAuth (libcurl + jansson). Every URL is built from
 * api_base and auth_base, so tests point it at `tca twitch-sim` on loopback.
 *
 * A `struct twitch_client` owns one curl easy handle and is used by one thread at a time.
 * The rate-limit budget (`struct twitch_budget`) is shared by every client of a process and
 * is thread-safe. Functions return 0 or a negative TCA_E* code with a message in err; they
 * never log, and never put a token in err.
 *
 * Resilience, inside every Helix call: the budget is never overdrawn (it waits for the
 * reset); a 429 waits until Ratelimit-Reset and retries; 5xx and timeouts retry with capped
 * exponential backoff (max_retries); a 401 refreshes the token once (if it has a refresh
 * token) and retries, setting token->refreshed so the caller stores the new tokens.
 */
#ifndef TCA_TWITCH_H
#define TCA_TWITCH_H

#include <stddef.h>
#include <stdint.h>

#include "base/chatter.h"
#include "base/clock.h"

struct kv;
struct twitch_budget;
struct twitch_client;
struct metrics;

/** Scopes tca asks for at login. */
#define TWITCH_SCOPES "user:read:moderated_channels moderator:read:chatters"
/** The same plus what EventSub's channel.chat.message needs: asked only by a login that turns
 * chat capture on (messages are personal data). */
#define TWITCH_SCOPES_CHAT TWITCH_SCOPES " user:read:chat"

struct twitch_settings {
    const char *api_base;  /* e.g. https://api.twitch.tv/helix (no trailing slash) */
    const char *auth_base; /* e.g. https://id.twitch.tv/oauth2 */
    const char *client_id;
    const char *client_secret;    /* may be NULL for device-code public clients */
    const char *redirect_url;     /* for the authorization-code flow; may be NULL */
    long timeout_ms;              /* per request; 0: 10000 */
    int max_retries;              /* 5xx/timeout/429 retries per call; 0: 5 */
    int64_t backoff_base_ms;      /* first backoff; doubles up to backoff_max_ms; 0: 500 */
    int64_t backoff_max_ms;       /* 0: 30000 */
    struct clock clock;           /* time and sleeping; tests may fake it */
    struct twitch_budget *budget; /* shared; NULL: the client makes a private one */
    struct metrics *metrics;      /* requests, retries, waits, tokens are counted here; NULL: not */
};

/** A user's tokens, in clear in memory only. Release with twitch_token_clear. */
struct twitch_token {
    char *access_token;  /* owned */
    char *refresh_token; /* owned; may be NULL */
    int64_t expires_at_ms;
    int64_t user_id;  /* from validate; 0 if unknown */
    char login[32];   /* from validate */
    char scopes[256]; /* space-separated */
    int refreshed;    /* set to 1 by the client when it refreshed the token */
};

/** Frees the owned strings (wiping them); safe on a zeroed struct. */
void twitch_token_clear(struct twitch_token *t);

/** Creates a budget shared by the clients of this process; thread-safe. */
struct twitch_budget *twitch_budget_new(struct clock clock);
/**
 * Creates a budget kept in kv (shared by every process on the same Redis); thread-safe.
 * kv must outlive the budget; NULL: as twitch_budget_new.
 */
struct twitch_budget *twitch_budget_new_kv(struct kv *kv, struct clock clock);
/** Frees a budget; twitch_budget_free(NULL) is a no-op. */
void twitch_budget_free(struct twitch_budget *b);
/** Points left in the most constrained bucket seen (for /metrics); -1 if none seen yet. */
long twitch_budget_remaining(struct twitch_budget *b);

/** Creates a client; strings in s are copied. Needs curl_global_init done once before. */
struct twitch_client *twitch_client_new(const struct twitch_settings *s);
/** Frees a client; twitch_client_free(NULL) is a no-op. */
void twitch_client_free(struct twitch_client *c);
/** The HTTP status of the client's last answer from Twitch; 0 when its last attempt got none
 * (timeout, connection failure): tells a 5xx from a timeout after a TCA_ETEMP. */
long twitch_client_last_status(const struct twitch_client *c);

/* ---- Helix ------------------------------------------------------------------------------ */

/**
 * Get Chatters with first=1000, following the cursor until it is empty. Chatters are
 * appended to out, which is sorted and made unique before returning. *pages receives the
 * page count. Any failure (after retries) returns an error and out must be discarded:
 * a partial capture is never returned as complete. TCA_EFORBIDDEN when the token's user is
 * not a moderator of the channel.
 */
int twitch_get_chatters(struct twitch_client *c, struct twitch_token *tok, int64_t broadcaster_id,
                        int64_t moderator_id, struct chatter_set *out, int *pages, char *err,
                        size_t errlen);

struct twitch_user {
    int64_t id;
    char login[32];
    char display_name[128];
    char type[16];
    char broadcaster_type[16];
    int64_t created_at_ms;
};

/** Get Users by id, any number of ids, 100 per request. *out is the caller's to free(). */
int twitch_get_users(struct twitch_client *c, struct twitch_token *tok, const int64_t *ids,
                     size_t n, struct twitch_user **out, size_t *n_out, char *err, size_t errlen);
/** Get Users for one login; TCA_ENOTFOUND if Twitch knows no such user. */
int twitch_get_user_by_login(struct twitch_client *c, struct twitch_token *tok, const char *login,
                             struct twitch_user *out, char *err, size_t errlen);

struct twitch_channel {
    int64_t id; /* broadcaster id */
    char login[32];
    char display_name[128];
};

/** Get Moderated Channels of user_id, every page. *out is the caller's to free(). */
int twitch_get_moderated_channels(struct twitch_client *c, struct twitch_token *tok,
                                  int64_t user_id, struct twitch_channel **out, size_t *n,
                                  char *err, size_t errlen);

struct twitch_stream {
    int64_t user_id;
    char user_login[32];
    int64_t viewer_count;
    int64_t started_at_ms;
    char title[256];
    char game_name[128];
};

/** Get Streams for up to any number of user ids (100 per request); only live ones return. */
int twitch_get_streams(struct twitch_client *c, struct twitch_token *tok, const int64_t *user_ids,
                       size_t n, struct twitch_stream **out, size_t *n_out, char *err,
                       size_t errlen);

/** Scopes asked only of a broadcaster who wants roles marked (Get Moderators, Get VIPs). */
#define TWITCH_ROLE_SCOPES "moderation:read channel:read:vips"
/** Scope for Get Channel Followers (a moderator's token may hold it too). */
#define TWITCH_FOLLOWER_SCOPE "moderator:read:followers"

/** The two role lists Twitch gives a broadcaster. */
enum twitch_role { TWITCH_ROLE_MODERATORS = 1, TWITCH_ROLE_VIPS = 2 };

/**
 * Get Moderators or Get VIPs of broadcaster_id (the token's own channel: Twitch refuses any
 * other with 401), every page; sorted unique ids in *ids (caller frees).
 */
int twitch_get_channel_roles(struct twitch_client *c, struct twitch_token *tok,
                             int64_t broadcaster_id, enum twitch_role role, int64_t **ids,
                             size_t *n, char *err, size_t errlen);

/**
 * The login scopes with extras, a comma-separated list of "roles" (TWITCH_ROLE_SCOPES),
 * "followers" (TWITCH_FOLLOWER_SCOPE) and "chat" (TWITCH_SCOPES_CHAT); NULL or "": the base
 * scopes. TCA_EINVAL for anything
 * else. These are asked only by a user who wants them (a broadcaster for roles).
 */
int twitch_scopes_with(const char *extras, char *out, size_t outlen);
/** 1 when tok's space-separated scopes hold scope as a whole word. */
int twitch_token_has_scope(const struct twitch_token *tok, const char *scope);

/** One follow of a channel. */
struct twitch_follow {
    int64_t user_id;
    char login[32];
    int64_t followed_at_ms;
};

/**
 * Get Channel Followers of broadcaster_id, newest first, stopping at the first follow at or
 * before since_ms (0: every follower, at most max_follows). *total receives Twitch's count;
 * a token Twitch gives the total alone (no scope, not a moderator) gets TCA_EFORBIDDEN.
 * *out is the caller's to free().
 */
int twitch_get_new_followers(struct twitch_client *c, struct twitch_token *tok,
                             int64_t broadcaster_id, int64_t since_ms, size_t max_follows,
                             struct twitch_follow **out, size_t *n, int64_t *total, char *err,
                             size_t errlen);

/* ---- OAuth ------------------------------------------------------------------------------ */

/** The authorize URL for the authorization-code flow (caller frees). */
char *twitch_oauth_authorize_url(struct twitch_client *c, const char *scopes, const char *state);
/** Exchanges an authorization code for tokens. */
int twitch_oauth_exchange_code(struct twitch_client *c, const char *code, struct twitch_token *out,
                               char *err, size_t errlen);
/** Refreshes tok in place (sets refreshed). TCA_EAUTH if Twitch refuses the refresh token. */
int twitch_oauth_refresh(struct twitch_client *c, struct twitch_token *tok, char *err,
                         size_t errlen);
/** Validates tok, filling user_id, login, scopes and expires_at_ms. TCA_EAUTH if invalid. */
int twitch_oauth_validate(struct twitch_client *c, struct twitch_token *tok, char *err,
                          size_t errlen);
/** Revokes a token (access or refresh). */
int twitch_oauth_revoke(struct twitch_client *c, const char *token, char *err, size_t errlen);

struct twitch_device {
    char scopes[256]; /* what twitch_device_start asked for; each poll asks the same */
    char device_code[128];
    char user_code[32];
    char verification_uri[256];
    int interval_s;
    int64_t expires_at_ms;
};

/** Starts the Device Code Grant for scopes. */
int twitch_device_start(struct twitch_client *c, const char *scopes, struct twitch_device *out,
                        char *err, size_t errlen);
/**
 * Polls once: 0 with *out filled when the user approved; TCA_ETEMP while authorization is
 * pending (or on slow_down); TCA_EAUTH when denied or expired.
 */
int twitch_device_poll(struct twitch_client *c, const struct twitch_device *d,
                       struct twitch_token *out, char *err, size_t errlen);

#endif
