/*
 * The simulator's OAuth state: authorization codes, device codes, access and refresh tokens,
 * and each access token's rate-limit bucket. Thread-safe; time is passed in (now_ms) so the
 * rules can be tested without waiting. Never logs a token.
 */
#ifndef TCA_SIM_TOKENS_H
#define TCA_SIM_TOKENS_H

#include <stddef.h>
#include <stdint.h>

/** Room for one token, code or id as text. */
#define TOKENS_TEXT 64

/** What a token grants. */
struct token_info {
    char access_token[TOKENS_TEXT];
    char refresh_token[TOKENS_TEXT]; /* "" for app tokens */
    char client_id[TOKENS_TEXT];
    int64_t user_id;    /* 0 for app (client-credentials) tokens */
    char scopes[256];   /* space-separated */
    int64_t expires_ms; /* wall clock */
};

/** A rate-limit bucket's state after a request, for the Ratelimit-* headers. */
struct token_bucket {
    long limit;
    long remaining;
    int64_t reset_s; /* Unix seconds when the bucket is full again */
};

struct tokens;

/** Creates the store for one registered client; strings are copied. Free with tokens_free. */
struct tokens *tokens_new(const char *client_id, const char *client_secret, int ttl_s,
                          int points_per_minute);
/** Frees the store; NULL is a no-op. */
void tokens_free(struct tokens *t);

/** 1 when client_id is the registered client. */
int tokens_client_known(struct tokens *t, const char *client_id);
/** 1 when client_id and secret are the registered client's. */
int tokens_secret_ok(struct tokens *t, const char *client_id, const char *secret);

/** Creates a single-use authorization code (out: TOKENS_TEXT bytes), valid 10 minutes. */
void tokens_code_new(struct tokens *t, int64_t user_id, const char *scopes,
                     const char *redirect_uri, int64_t now_ms, char *out);
/** Redeems a code for new tokens; TCA_EAUTH when unknown, used, expired or misdirected. */
int tokens_code_redeem(struct tokens *t, const char *code, const char *redirect_uri, int64_t now_ms,
                       struct token_info *out);

/** Issues tokens for user_id (0: an app token, without a refresh token). */
void tokens_issue(struct tokens *t, int64_t user_id, const char *scopes, int64_t now_ms,
                  struct token_info *out);
/** Issues new tokens for a refresh token; TCA_EAUTH when unknown or revoked. */
int tokens_refresh(struct tokens *t, const char *refresh_token, int64_t now_ms,
                   struct token_info *out);
/** Looks an access token up; TCA_EAUTH when unknown, revoked or expired. */
int tokens_lookup(struct tokens *t, const char *access_token, int64_t now_ms,
                  struct token_info *out);
/** Revokes an access or refresh token; TCA_ENOTFOUND when unknown. */
int tokens_revoke(struct tokens *t, const char *token);
/** Expires every access token issued so far (their refresh tokens keep working). */
void tokens_expire_all(struct tokens *t, int64_t now_ms);
/** How many access tokens were issued. */
long tokens_issued(struct tokens *t);

/**
 * Takes one point from the bucket of access_token, refilling at points_per_minute. Fills b
 * in either case; returns 0, or TCA_ERATELIMIT when the bucket was empty.
 */
int tokens_take_point(struct tokens *t, const char *access_token, int64_t now_ms,
                      struct token_bucket *b);

/** Starts a device flow: device code and 8-letter user code (out buffers TOKENS_TEXT). */
void tokens_device_new(struct tokens *t, const char *scopes, int64_t now_ms, char *device_code,
                       char *user_code);
/** Approves a device flow by device or user code as user_id; TCA_ENOTFOUND when unknown. */
int tokens_device_approve(struct tokens *t, const char *code, int64_t user_id);
/**
 * Polls a device code: 0 with tokens once approved (the code is then used up), TCA_ETEMP
 * while pending, TCA_EAUTH when unknown, used or expired. auto_user (non-zero) approves the
 * code as that user on its second poll.
 */
int tokens_device_poll(struct tokens *t, const char *device_code, int64_t auto_user, int64_t now_ms,
                       struct token_info *out);

#endif
