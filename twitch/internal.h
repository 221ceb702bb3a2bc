/*
 * What the files of twitch/ share and nobody outside twitch/ may use: the client struct,
 * one HTTP exchange over the client's curl handle, the budget's take/update, and the retry
 * loop. Must never be included from another layer.
 */
#ifndef TCA_TWITCH_INTERNAL_H
#define TCA_TWITCH_INTERNAL_H

#include <curl/curl.h>
#include <stdint.h>

#include "base/buf.h"
#include "base/tca_metrics.h"
#include "twitch/twitch.h"
#include "twitch/parse.h"

struct twitch_client {
    char *api_base, *auth_base, *client_id, *client_secret, *redirect_url; /* owned */
    long timeout_ms;
    int max_retries;
    int64_t backoff_base_ms, backoff_max_ms;
    struct clock clock;
    struct twitch_budget *budget; /* owned only when own_budget */
    int own_budget;
    CURL *curl;              /* owned; reused so the connection stays open */
    uint64_t jitter;         /* xorshift state for backoff jitter */
    struct metrics *metrics; /* borrowed; NULL: nothing counted */
    long last_status;        /* of the last answer; 0: the last attempt got none */
};

/** One answer: status, capped body and the Ratelimit-* headers (-1 when absent). */
struct http_answer {
    long status;
    struct buf body; /* owned; capped at TWITCH_BODY_MAX */
    long rl_limit;
    long rl_remaining;
    int64_t rl_reset_s; /* Unix seconds */
};

/** Initialises an empty answer. */
void http_answer_init(struct http_answer *a);
/** Frees the body. */
void http_answer_free(struct http_answer *a);

/** What to send. auth is the whole Authorization header value, or NULL. */
struct http_call {
    const char *method; /* "GET" or "POST" */
    const char *url;
    const char *auth;
    int client_id;    /* send the Client-Id header */
    const char *form; /* form-encoded POST body, or NULL */
    const char *json; /* JSON POST body (instead of form), or NULL */
};

/**
 * Performs one exchange. Returns 0 with a filled answer (any status), TCA_ETEMP on a
 * connection failure or timeout, TCA_EPROTO when the body passes TWITCH_BODY_MAX.
 */
int http_exchange(struct twitch_client *c, const struct http_call *call, struct http_answer *a,
                  char *err, size_t errlen);

/** The endpoint label (enum tm_endpoint) of a URL built from the client's bases. Pure. */
int http_endpoint(const struct twitch_client *c, const char *url);

/** Appends "&name=value" (no '&' when b is empty) with value URL-escaped. */
void http_form_add(struct twitch_client *c, struct buf *b, const char *name, const char *value);

/** The bucket key of a token: a hash, so the budget never keeps the token itself. */
uint64_t budget_key(const char *token);
/** Takes a point from key's bucket, sleeping until its reset when it is empty. */
void budget_take(struct twitch_budget *b, uint64_t key);
/** Updates key's bucket from an answer's Ratelimit-* headers (ignored when absent). */
void budget_update(struct twitch_budget *b, uint64_t key, long limit, long remaining,
                   int64_t reset_s);

/**
 * Sends call, retrying 5xx, timeouts and connection failures with capped exponential
 * backoff and 429 after Ratelimit-Reset, up to max_retries. When key is non-zero the budget
 * is taken before every attempt and updated after. Returns 0 with the final answer (any
 * non-retryable status), or TCA_ETEMP / TCA_ERATELIMIT once retries are spent.
 */
int client_send(struct twitch_client *c, const struct http_call *call, uint64_t key,
                struct http_answer *a, char *err, size_t errlen);

/** Returns 1 when a token can go into a header: 1-2048 visible ASCII characters. */
int client_token_usable(const char *token);

/** Maps a final non-2xx answer to a TCA_E* code with Twitch's message in err. */
int client_status_error(const struct http_answer *a, const char *what, char *err, size_t errlen);

/** A Helix GET with one token refresh on 401 (per *refreshed_once); 0 with a 2xx in a. */
int client_helix_get(struct twitch_client *c, struct twitch_token *tok, const char *url,
                     int *refreshed_once, struct http_answer *a, const char *what, char *err,
                     size_t errlen);
/** Appends "&after=<cursor>" to url when cursor is not empty. */
void client_add_after(struct twitch_client *c, struct buf *url, const char *cursor);
/** Fails when cursor repeats one of the last few (seen: 4 slots) or pages pass the cap. */
int client_check_cursor(char (*seen)[TWITCH_CURSOR_MAX + 1], int pages, const char *cursor,
                        const char *what, char *err, size_t errlen);

#endif
