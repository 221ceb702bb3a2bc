/*
 * Posting a delivery: opens the webhook's sealed URL (and secret), shapes the event for
 * Discord, Slack or the signed generic JSON receiver, posts it with libcurl, and decides what
 * the answer means: 2xx sent; 429 wait for its retry_after (the whole webhook waits); other
 * 4xx never retried; 5xx and timeouts retried with backoff. Must never put the URL or the
 * secret in an error, a log line or a stored field.
 */
#include "base/err.h"
#include "base/xalloc.h"
#include "jobs/alert.h"

#include <curl/curl.h>
#include <math.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ANSWER_MAX 4096
#define BACKOFF_BASE_MS 2000
#define BACKOFF_MAX_MS (10 * 60 * 1000)
#define RETRY_AFTER_MAX_MS (60 * 60 * 1000)

struct answer {
    char body[ANSWER_MAX + 1];
    size_t n;
    int64_t retry_after_ms; /* from the Retry-After header; -1 when absent */
};

static size_t keep_body(char *p, size_t size, size_t nmemb, void *ctx)
{
    struct answer *a = ctx;
    size_t len = size * nmemb;
    size_t room = ANSWER_MAX - a->n;
    size_t take = len < room ? len : room; /* the rest is read and dropped */
    memcpy(a->body + a->n, p, take);
    a->n += take;
    a->body[a->n] = '\0';
    return len;
}

static size_t keep_header(char *p, size_t size, size_t nmemb, void *ctx)
{
    struct answer *a = ctx;
    size_t len = size * nmemb;
    if (len > 12 && strncasecmp(p, "Retry-After:", 12) == 0) {
        char v[32];
        size_t vl = len - 12 < sizeof v - 1 ? len - 12 : sizeof v - 1;
        memcpy(v, p + 12, vl);
        v[vl] = '\0';
        double s = strtod(v, NULL);
        if (s >= 0 && isfinite(s))
            a->retry_after_ms = (int64_t)(s * 1000.0);
    }
    return len;
}

/* Discord answers 429 with {"retry_after": seconds (float)}; older APIs used milliseconds. */
static int64_t retry_after_ms(const struct answer *a)
{
    int64_t ms = a->retry_after_ms;
    json_t *o = json_loadb(a->body, a->n, 0, NULL);
    json_t *ra = o ? json_object_get(o, "retry_after") : NULL;
    if (ra && json_is_number(ra) && json_number_value(ra) >= 0)
        ms = (int64_t)(json_number_value(ra) * 1000.0);
    json_decref(o);
    if (ms < 0)
        ms = BACKOFF_BASE_MS;
    return ms > RETRY_AFTER_MAX_MS ? RETRY_AFTER_MAX_MS : ms;
}

static int64_t backoff_ms(int attempts)
{
    int64_t d = BACKOFF_BASE_MS;
    for (int i = 1; i < attempts && d < BACKOFF_MAX_MS; i++)
        d *= 2;
    return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

/* The body a kind of webhook receives: the event itself for json, its text for the others. */
static char *shape(const char *kind, const char *event_json)
{
    if (strcmp(kind, "json") == 0)
        return xstrdup(event_json);
    json_t *ev = json_loads(event_json, 0, NULL);
    const char *text = ev ? json_string_value(json_object_get(ev, "text")) : NULL;
    json_t *o = strcmp(kind, "discord") == 0
                    ? json_pack("{ssss}", "username", "tca", "content", text ? text : "")
                    : json_pack("{ss}", "text", text ? text : "");
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    json_decref(ev);
    return s;
}

/* "sha256=" + hex HMAC-SHA256(secret, timestamp "." body). */
static void sign(const char *secret, const char *ts, const char *body, char out[72])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, strlen(body));
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "sha256=", 7);
    sodium_bin2hex(out + 7, 65, mac, sizeof mac);
}

/*
 * Posts body; *status gets the HTTP status (0: no answer). Returns 0 when an answer came,
 * TCA_ETEMP on a transport failure (message without the URL).
 */
static int post(const char *url, const char *body, const struct store_webhook *w,
                const char *secret, const char *event, int64_t delivery_id, int64_t now_ms,
                long *status, struct answer *a, char *err, size_t errlen)
{
    CURL *c = curl_easy_init();
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char line[128], ts[24], sig[72];
    snprintf(line, sizeof line, "%s: %s", ALERT_HEADER_EVENT, event);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "%s: %lld", ALERT_HEADER_DELIVERY, (long long)delivery_id);
    h = curl_slist_append(h, line);
    if (strcmp(w->kind, "json") == 0) {
        snprintf(ts, sizeof ts, "%lld", (long long)(now_ms / 1000));
        sign(secret ? secret : "", ts, body, sig);
        snprintf(line, sizeof line, "%s: %s", ALERT_HEADER_TIMESTAMP, ts);
        h = curl_slist_append(h, line);
        snprintf(line, sizeof line, "%s: %s", ALERT_HEADER_SIGNATURE, sig);
        h = curl_slist_append(h, line);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https,http"); /* http: loopback, checked */
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "tca-webhooks");
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, a);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, keep_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, a);
    CURLcode cc = curl_easy_perform(c);
    *status = 0;
    int rc = 0;
    if (cc != CURLE_OK)
        rc = tca_fail(err, errlen, TCA_ETEMP, "webhook post: %s", curl_easy_strerror(cc));
    else
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

/* A webhook URL or secret leaves no copy in freed memory. */
static void free_wiped(char *s)
{
    if (!s)
        return;
    sodium_memzero(s, strlen(s));
    free(s);
}

/* Opens the URL and secret, shapes and posts: fills d's outcome and *retry_at (0: final). */
static int attempt(struct worker_env *env, const struct store_webhook *w, struct store_delivery *d,
                   int64_t now, int64_t *retry_at, char *err, size_t errlen)
{
    char *url = NULL, *secret = NULL, *body = NULL;
    struct answer *a = xcalloc(1, sizeof *a);
    a->retry_after_ms = -1;
    *retry_at = 0;
    char why[160] = "";
    int rc = crypto_open(env->keys, w->owner_id, w->url_sealed, &url, why, sizeof why);
    if (!rc && w->secret_sealed[0])
        rc = crypto_open(env->keys, w->owner_id, w->secret_sealed, &secret, why, sizeof why);
    if (rc) {
        snprintf(d->last_error, sizeof d->last_error, "cannot open the sealed URL or secret");
        goto out;
    }
    if (alert_url_check(url, why, sizeof why)) {
        snprintf(d->last_error, sizeof d->last_error, "%s", why);
        goto out;
    }
    body = shape(w->kind, d->body);
    long status = 0;
    int prc = post(url, body, w, secret, d->event, d->id, now, &status, a, why, sizeof why);
    d->last_status = (int)status;
    if (prc) {
        snprintf(d->last_error, sizeof d->last_error, "%s", why);
        *retry_at = now + backoff_ms(d->attempts);
    } else if (status >= 200 && status < 300) {
        snprintf(d->state, sizeof d->state, "sent");
        d->last_error[0] = '\0';
    } else if (status == 429) {
        int64_t wait = retry_after_ms(a);
        snprintf(d->last_error, sizeof d->last_error, "HTTP 429: retry after %lld ms",
                 (long long)wait);
        *retry_at = now + wait;
        rc = store_webhook_block(env->st, w->id, *retry_at, err, errlen);
    } else if (status >= 500) {
        snprintf(d->last_error, sizeof d->last_error, "HTTP %ld", status);
        *retry_at = now + backoff_ms(d->attempts);
    } else {
        snprintf(d->last_error, sizeof d->last_error, "HTTP %ld: not retried", status);
    }
out:
    free_wiped(url);
    free_wiped(secret);
    free(body);
    free(a);
    return rc;
}

int alert_run_delivery(struct worker_env *env, const struct store_job *job, int64_t delivery_id,
                       struct worker_outcome *out, char *err, size_t errlen)
{
    struct store_delivery d = {0};
    struct store_webhook *w = xcalloc(1, sizeof *w);
    int64_t now = env->clock.now_ms(env->clock.ctx);
    int64_t retry_at = 0;
    int rc = store_delivery_get(env->st, delivery_id, &d, out->error, sizeof out->error);
    if (!rc)
        rc = store_webhook_get(env->st, d.webhook_id, w, out->error, sizeof out->error);
    if (rc == TCA_ENOTFOUND) {
        /* the webhook (and its deliveries) was deleted meanwhile: nothing left to send */
        out->state = JOB_DONE;
        rc = store_job_done(env->st, job->id, err, errlen);
        goto out;
    }
    if (rc)
        goto out;
    if (w->blocked_until_ms > now) {
        /* a 429 or the spacing between deliveries: wait without counting an attempt */
        out->state = JOB_QUEUED;
        snprintf(out->error, sizeof out->error, "webhook rate limited");
        rc = store_job_retry(env->st, job->id, out->error, w->blocked_until_ms, err, errlen);
        goto out;
    }
    d.attempts++;
    if ((rc = store_webhook_block(env->st, w->id, now + ALERT_MIN_INTERVAL_MS, err, errlen)))
        goto out;
    if ((rc = attempt(env, w, &d, now, &retry_at, err, errlen)))
        goto out;
    if (retry_at && d.attempts >= ALERT_MAX_ATTEMPTS)
        retry_at = 0;
    if (!strcmp(d.state, "sent")) {
        out->state = JOB_DONE;
        rc = store_job_done(env->st, job->id, err, errlen);
    } else if (retry_at) {
        snprintf(d.state, sizeof d.state, "queued");
        out->state = JOB_QUEUED;
        rc = store_job_retry(env->st, job->id, d.last_error, retry_at, err, errlen);
    } else {
        snprintf(d.state, sizeof d.state, "failed");
        out->state = JOB_FAILED;
        rc = store_job_fail(env->st, job->id, d.last_error, err, errlen);
    }
    snprintf(out->error, sizeof out->error, "%s", d.last_error);
    d.updated_at_ms = env->clock.now_ms(env->clock.ctx);
    if (!rc)
        rc = store_delivery_update(env->st, &d, err, errlen);
out:
    store_delivery_clear(&d);
    free(w);
    return rc;
}
