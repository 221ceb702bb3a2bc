/*
 * One HTTP exchange with Twitch over the client's reused curl handle: capped body, the
 * Ratelimit-* headers, form encoding. Must never retry (client.c decides that), never follow
 * redirects, and never put a token (headers, form bodies) into err.
 */
#include "twitch/internal.h"
#include "twitch/parse.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

void http_answer_init(struct http_answer *a)
{
    a->status = 0;
    buf_init(&a->body, TWITCH_BODY_MAX);
    a->rl_limit = a->rl_remaining = -1;
    a->rl_reset_s = -1;
}

void http_answer_free(struct http_answer *a)
{
    buf_free(&a->body);
}

struct sink {
    struct buf *body;
    int overflow;
};

static size_t on_body(char *p, size_t size, size_t nmemb, void *ctx)
{
    struct sink *s = ctx;
    size_t n = size * nmemb;
    if (buf_append(s->body, p, n) < 0) {
        s->overflow = 1;
        return 0; /* makes curl stop with CURLE_WRITE_ERROR */
    }
    return n;
}

/* A header value as a non-negative integer; -1 when absent or not a plain number. */
static long long header_number(CURL *h, const char *name)
{
    struct curl_header *hdr;
    if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hdr) != CURLHE_OK)
        return -1;
    const char *v = hdr->value;
    while (*v == ' ' || *v == '\t')
        v++;
    if (*v < '0' || *v > '9')
        return -1;
    char *end;
    long long n = strtoll(v, &end, 10);
    while (*end == ' ' || *end == '\t')
        end++;
    /* Past 10^12 is no count or Unix time Twitch sends; it would only overflow later. */
    return *end || n > 1000000000000LL ? -1 : n;
}

int http_exchange(struct twitch_client *c, const struct http_call *call, struct http_answer *a,
                  char *err, size_t errlen)
{
    CURL *h = c->curl;
    struct curl_slist *headers = NULL;
    char line[4096 + 32];
    struct sink sink = {.body = &a->body, .overflow = 0};
    char curl_err[CURL_ERROR_SIZE] = "";

    buf_reset(&a->body);
    a->status = 0;
    a->rl_limit = a->rl_remaining = -1;
    a->rl_reset_s = -1;

    /* Reset keeps the connection cache, so the handle still reuses its connection. */
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, call->url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->timeout_ms);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->timeout_ms < 5000 ? c->timeout_ms : 5000L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    /* A proxy from the environment can never reach a loopback twitch-sim. */
    curl_easy_setopt(h, CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, "tca");
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, curl_err);
    if (call->auth) {
        snprintf(line, sizeof line, "Authorization: %s", call->auth);
        headers = curl_slist_append(headers, line);
    }
    if (call->client_id) {
        snprintf(line, sizeof line, "Client-Id: %s", c->client_id);
        headers = curl_slist_append(headers, line);
    }
    if (strcmp(call->method, "POST") == 0) {
        const char *form = call->json ? call->json : call->form ? call->form : "";
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(form));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, form);
        headers = curl_slist_append(headers,
                                    call->json ? "Content-Type: application/json"
                                               : "Content-Type: application/x-www-form-urlencoded");
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    headers = curl_slist_append(headers, "Accept: application/json");
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    explicit_bzero(line, sizeof line);

    CURLcode cc = curl_easy_perform(h);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(headers); /* held the token: the slist frees without wiping, sadly */
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);

    int rc = 0;
    if (sink.overflow) {
        rc = tca_fail(err, errlen, TCA_EPROTO, "answer larger than %zu bytes",
                      (size_t)TWITCH_BODY_MAX);
    } else if (cc != CURLE_OK) {
        /* curl's messages name the host and the failure, never headers or bodies. */
        rc =
            tca_fail(err, errlen, TCA_ETEMP, "%s", curl_err[0] ? curl_err : curl_easy_strerror(cc));
    } else {
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &a->status);
        a->rl_limit = (long)header_number(h, "Ratelimit-Limit");
        a->rl_remaining = (long)header_number(h, "Ratelimit-Remaining");
        a->rl_reset_s = header_number(h, "Ratelimit-Reset");
    }
    return rc;
}

/* True when url continues base with path, then ends or starts its query. */
static int is_path(const char *url, const char *base, const char *path)
{
    size_t nb = strlen(base), np = strlen(path);
    return strncmp(url, base, nb) == 0 && strncmp(url + nb, path, np) == 0 &&
           (url[nb + np] == 0 || url[nb + np] == '?');
}

int http_endpoint(const struct twitch_client *c, const char *url)
{
    static const struct {
        int api; /* under api_base, else auth_base */
        const char *path;
        int endpoint;
    } paths[] = {
        {1, "/chat/chatters", TM_EP_CHATTERS},
        {1, "/users", TM_EP_USERS},
        {1, "/streams", TM_EP_STREAMS},
        {1, "/moderation/channels", TM_EP_MODERATED_CHANNELS},
        {0, "/token", TM_EP_TOKEN},
        {0, "/validate", TM_EP_VALIDATE},
        {0, "/revoke", TM_EP_REVOKE},
        {0, "/device", TM_EP_DEVICE},
    };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++)
        if (is_path(url, paths[i].api ? c->api_base : c->auth_base, paths[i].path))
            return paths[i].endpoint;
    return TM_EP_OTHER;
}

void http_form_add(struct twitch_client *c, struct buf *b, const char *name, const char *value)
{
    char *esc = curl_easy_escape(c->curl, value, 0);
    if (!esc)
        abort(); /* only fails on out-of-memory, which aborts everywhere in tca */
    buf_printf(b, "%s%s=%s", b->len ? "&" : "", name, esc);
    curl_free(esc);
}
