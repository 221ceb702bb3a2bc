/*
 * Helpers shared by the simulator's HTTP tests: start a simulator in-process on a port the
 * OS picks, make real HTTP requests to it with libcurl, and log a user in through the
 * authorization-code flow. Header-only (static inline) because each test is one program.
 */
#ifndef TCA_TESTS_SIMTEST_H
#define TCA_TESTS_SIMTEST_H

#include "tests/support/testutil.h"

#include "base/xalloc.h"
#include "sim/sim.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct http_resp {
    long status;
    char *body; /* owned, NUL-terminated */
    size_t len;
    json_t *json; /* parsed body, or NULL when it is not JSON */
    char location[2048];
    long rl_limit, rl_remaining, rl_reset; /* -1 when the header is absent */
};

struct simtest {
    struct sim *sim;
    int port;
    char base[64]; /* http://127.0.0.1:PORT */
};

static inline size_t simtest_write(char *p, size_t size, size_t n, void *ud)
{
    struct http_resp *r = ud;
    r->body = xrealloc(r->body, r->len + size * n + 1);
    memcpy(r->body + r->len, p, size * n);
    r->len += size * n;
    r->body[r->len] = 0;
    return size * n;
}

static inline long simtest_header_long(CURL *h, const char *name)
{
    struct curl_header *hd;
    if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) != CURLHE_OK)
        return -1;
    return atol(hd->value);
}

/* Sends method url with an optional body and up to a few "Name: value" headers. */
static inline void http_do(const char *method, const char *url, const char *body, const char *h1,
                           const char *h2, struct http_resp *r)
{
    memset(r, 0, sizeof *r);
    CURL *h = curl_easy_init();
    struct curl_slist *hs = NULL;
    if (h1)
        hs = curl_slist_append(hs, h1);
    if (h2)
        hs = curl_slist_append(hs, h2);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, simtest_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    if (body)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    CURLcode rc = curl_easy_perform(h);
    assert_int_equal(rc, CURLE_OK);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    char *loc = NULL;
    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
    if (loc)
        snprintf(r->location, sizeof r->location, "%s", loc);
    r->rl_limit = simtest_header_long(h, "Ratelimit-Limit");
    r->rl_remaining = simtest_header_long(h, "Ratelimit-Remaining");
    r->rl_reset = simtest_header_long(h, "Ratelimit-Reset");
    if (!r->body)
        r->body = xstrdup("");
    r->json = json_loadb(r->body, r->len, 0, NULL);
    curl_slist_free_all(hs);
    curl_easy_cleanup(h);
}

static inline void http_resp_free(struct http_resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

/* GET base+path with a Bearer token and the simulator's client id. */
static inline void helix_get(struct simtest *st, const char *path, const char *token,
                             struct http_resp *r)
{
    char *url = xasprintf("%s%s", st->base, path);
    char *auth = xasprintf("Authorization: Bearer %s", token);
    http_do("GET", url, NULL, auth, "Client-Id: tca-sim-client", r);
    free(auth);
    free(url);
}

static inline struct simtest *simtest_start(const struct sim_options *o)
{
    struct simtest *st = xcalloc(1, sizeof *st);
    char err[256];
    st->sim = sim_new(o);
    assert_int_equal(sim_start(st->sim, "127.0.0.1:0", &st->port, err, sizeof err), 0);
    assert_true(st->port > 0);
    snprintf(st->base, sizeof st->base, "http://127.0.0.1:%d", st->port);
    return st;
}

static inline struct simtest *simtest_start_manual(void)
{
    struct sim_options o;
    sim_options_default(&o);
    o.manual_clock = 1;
    return simtest_start(&o);
}

static inline void simtest_stop(struct simtest *st)
{
    sim_free(st->sim);
    free(st);
}

/* A query parameter's value from a URL (caller frees), or NULL. */
static inline char *url_param(const char *url, const char *key)
{
    size_t k = strlen(key);
    const char *p = strchr(url, '?');
    while (p) {
        p++;
        if (strncmp(p, key, k) == 0 && p[k] == '=') {
            size_t n = strcspn(p + k + 1, "&#");
            int len = 0;
            char *v = curl_easy_unescape(NULL, p + k + 1, (int)n, &len);
            char *out = xstrdup(v);
            curl_free(v);
            return out;
        }
        p = strchr(p, '&');
    }
    return NULL;
}

/* Logs login in with scopes through authorize + token; fills the tokens (TOKENS 64 bytes). */
static inline void simtest_login(struct simtest *st, const char *login, const char *scopes,
                                 char *access, char *refresh)
{
    struct http_resp r;
    char *escopes = curl_easy_escape(NULL, scopes, 0);
    char *url = xasprintf("%s/oauth2/authorize?client_id=tca-sim-client&redirect_uri="
                          "http%%3A%%2F%%2Flocalhost%%2Fcb&response_type=code&scope=%s&state=s1"
                          "&sim_login=%s",
                          st->base, escopes, login);
    http_do("GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 302);
    char *code = url_param(r.location, "code");
    assert_non_null(code);
    http_resp_free(&r);
    char *form = xasprintf("client_id=tca-sim-client&client_secret=tca-sim-secret&code=%s"
                           "&grant_type=authorization_code&redirect_uri=http%%3A%%2F%%2Flocalhost"
                           "%%2Fcb",
                           code);
    char *turl = xasprintf("%s/oauth2/token", st->base);
    http_do("POST", turl, form, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    snprintf(access, 64, "%s", json_string_value(json_object_get(r.json, "access_token")));
    if (refresh)
        snprintf(refresh, 64, "%s", json_string_value(json_object_get(r.json, "refresh_token")));
    http_resp_free(&r);
    free(turl);
    free(form);
    free(code);
    free(url);
    curl_free(escopes);
}

#define SIMTEST_SCOPES "user:read:moderated_channels moderator:read:chatters"

#endif
