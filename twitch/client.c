/*
 * The Twitch client object and the retry loop every call goes through: the budget before
 * each attempt, backoff with jitter on 5xx and transport failures, waiting for the reset on
 * 429, and the mapping of final statuses to TCA_E* codes. Must never retry a 4xx other than
 * 429 (the caller handles 401), and never sleep without going through the clock.
 */
#include "twitch/internal.h"
#include "twitch/parse.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest wait believed for a 429: Twitch windows are a minute; more is clock skew. */
#define RESET_WAIT_MAX_MS 65000

static char *copy_base(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == '/')
        n--;
    return xstrndup(s, n);
}

struct twitch_client *twitch_client_new(const struct twitch_settings *s)
{
    struct twitch_client *c = xcalloc(1, sizeof *c);
    c->api_base = copy_base(s->api_base ? s->api_base : "https://api.twitch.tv/helix");
    c->auth_base = copy_base(s->auth_base ? s->auth_base : "https://id.twitch.tv/oauth2");
    c->client_id = xstrdup(s->client_id ? s->client_id : "");
    c->client_secret = xstrdup(s->client_secret);
    c->redirect_url = xstrdup(s->redirect_url);
    c->timeout_ms = s->timeout_ms > 0 ? s->timeout_ms : 10000;
    c->max_retries = s->max_retries > 0 ? s->max_retries : 5;
    c->backoff_base_ms = s->backoff_base_ms > 0 ? s->backoff_base_ms : 500;
    c->backoff_max_ms = s->backoff_max_ms > 0 ? s->backoff_max_ms : 30000;
    if (c->backoff_max_ms < c->backoff_base_ms)
        c->backoff_max_ms = c->backoff_base_ms;
    c->clock = s->clock.now_ms && s->clock.sleep_ms ? s->clock : clock_real();
    if (s->budget) {
        c->budget = s->budget;
    } else {
        c->budget = twitch_budget_new(c->clock);
        c->own_budget = 1;
    }
    c->curl = curl_easy_init();
    if (!c->curl)
        abort(); /* only fails on out-of-memory, which aborts everywhere in tca */
    c->metrics = s->metrics;
    c->jitter = ((uint64_t)clock_mono_ms() << 20) ^ (uint64_t)(uintptr_t)c ^ 0x9E3779B97F4A7C15ULL;
    return c;
}

void twitch_client_free(struct twitch_client *c)
{
    if (!c)
        return;
    curl_easy_cleanup(c->curl);
    if (c->own_budget)
        twitch_budget_free(c->budget);
    free(c->api_base);
    free(c->auth_base);
    free(c->client_id);
    if (c->client_secret)
        explicit_bzero(c->client_secret, strlen(c->client_secret));
    free(c->client_secret);
    free(c->redirect_url);
    free(c);
}

long twitch_client_last_status(const struct twitch_client *c)
{
    return c->last_status;
}

void twitch_token_clear(struct twitch_token *t)
{
    if (t->access_token)
        explicit_bzero(t->access_token, strlen(t->access_token));
    if (t->refresh_token)
        explicit_bzero(t->refresh_token, strlen(t->refresh_token));
    free(t->access_token);
    free(t->refresh_token);
    memset(t, 0, sizeof *t);
}

/* Capped exponential backoff with "equal jitter": half fixed, half random. */
static int64_t backoff(struct twitch_client *c, int attempt)
{
    int64_t d = c->backoff_base_ms;
    for (int i = 0; i < attempt && d < c->backoff_max_ms; i++)
        d *= 2;
    if (d > c->backoff_max_ms)
        d = c->backoff_max_ms;
    c->jitter ^= c->jitter << 13;
    c->jitter ^= c->jitter >> 7;
    c->jitter ^= c->jitter << 17;
    return d / 2 + (int64_t)(c->jitter % (uint64_t)(d / 2 + 1));
}

static int64_t reset_wait(struct twitch_client *c, const struct http_answer *a)
{
    if (a->rl_reset_s < 0)
        return 1000;
    int64_t wait = a->rl_reset_s * 1000 - c->clock.now_ms(c->clock.ctx);
    if (wait <= 0)
        return 1000; /* a reset in the past while refused: our clock is ahead */
    return wait > RESET_WAIT_MAX_MS ? RESET_WAIT_MAX_MS : wait;
}

/* The status_class label of a status; 0 (no answer) is "error". */
static size_t status_class(long status)
{
    if (status >= 200 && status < 600)
        return (size_t)(status / 100 - 2);
    return TM_CLASS_ERROR;
}

int client_send(struct twitch_client *c, const struct http_call *call, uint64_t key,
                struct http_answer *a, char *err, size_t errlen)
{
    int endpoint = http_endpoint(c, call->url);
    for (int attempt = 0;; attempt++) {
        if (key) {
            int64_t before = c->clock.now_ms(c->clock.ctx);
            budget_take(c->budget, key);
            metrics_add(c->metrics, TM_TWITCH_WAIT, TM_WAIT_BUDGET, 0,
                        c->clock.now_ms(c->clock.ctx) - before);
        }
        int rc = http_exchange(c, call, a, err, errlen);
        c->last_status = rc == 0 ? a->status : 0;
        metrics_add(c->metrics, TM_TWITCH_REQUESTS, (size_t)endpoint, status_class(c->last_status),
                    1);
        if (rc == TCA_EPROTO)
            return rc;
        if (rc == 0 && key)
            budget_update(c->budget, key, a->rl_limit, a->rl_remaining, a->rl_reset_s);
        int64_t wait;
        if (rc == 0 && a->status == 429) {
            wait = reset_wait(c, a);
            metrics_add(c->metrics, TM_TWITCH_429, (size_t)endpoint, 0, 1);
        } else if (rc < 0 || a->status >= 500) {
            wait = backoff(c, attempt);
        } else {
            return 0;
        }
        if (attempt >= c->max_retries) {
            char msg[256] = "";
            if (rc < 0) {
                if (err && errlen)
                    snprintf(msg, sizeof msg, "%s", err);
                return tca_fail(err, errlen, TCA_ETEMP, "Twitch unreachable after %d attempts: %s",
                                attempt + 1, msg);
            }
            twitch_parse_error(a->body.data, a->body.len, msg, sizeof msg);
            return tca_fail(err, errlen, a->status == 429 ? TCA_ERATELIMIT : TCA_ETEMP,
                            "Twitch answered %ld after %d attempts%s%s", a->status, attempt + 1,
                            msg[0] ? ": " : "", msg);
        }
        metrics_add(c->metrics, TM_TWITCH_RETRIES, (size_t)endpoint, 0, 1);
        if (a->status == 429 && rc == 0)
            metrics_add(c->metrics, TM_TWITCH_WAIT, TM_WAIT_429, 0, wait);
        c->clock.sleep_ms(c->clock.ctx, wait);
    }
}

int client_token_usable(const char *token)
{
    size_t n = token ? strlen(token) : 0;
    if (n == 0 || n > 2048)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)token[i] <= 0x20 || (unsigned char)token[i] >= 0x7F)
            return 0;
    return 1;
}

int client_status_error(const struct http_answer *a, const char *what, char *err, size_t errlen)
{
    char msg[256];
    twitch_parse_error(a->body.data, a->body.len, msg, sizeof msg);
    int code;
    switch (a->status) {
    case 400:
        code = TCA_EINVAL;
        break;
    case 401:
        code = TCA_EAUTH;
        break;
    case 403:
        code = TCA_EFORBIDDEN;
        break;
    case 404:
        code = TCA_ENOTFOUND;
        break;
    case 429:
        code = TCA_ERATELIMIT;
        break;
    default:
        code = a->status >= 500 ? TCA_ETEMP : TCA_EPROTO;
        break;
    }
    return tca_fail(err, errlen, code, "%s: Twitch answered %ld%s%s", what, a->status,
                    msg[0] ? ": " : "", msg);
}
