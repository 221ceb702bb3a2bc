/*
 * Helpers shared by the gateway's tests: a simulated Twitch and a gateway started
 * in-process on ports the OS picks, a clock the test can move forward, and "browsers":
 * libcurl handles that keep their own cookie jar and follow the login redirects by hand.
 * Header-only (static inline) because each test is one program.
 */
#ifndef TCA_TESTS_GWTEST_H
#define TCA_TESTS_GWTEST_H

#include "tests/support/testutil.h"

#include "base/clock.h"
#include "base/crypto.h"
#include "base/xalloc.h"
#include "sim/sim.h"
#include "store/store.h"
#include "web/web.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GW_SECRET "dGNhLXVuaXQtdGVzdC1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg=="

struct gw_clock {
    int64_t offset_ms; /* added to the real clock: lets a test jump past an expiry */
};

static inline int64_t gw_now(void *ctx)
{
    return clock_wall_ms() + ((struct gw_clock *)ctx)->offset_ms;
}

static inline void gw_sleep(void *ctx, int64_t ms)
{
    (void)ctx;
    clock_sleep_ms(ms > 50 ? 50 : ms);
}

struct gw {
    struct sim *sim;
    struct web *web;
    char *dir, *db, *api, *auth;
    char base[64]; /* http://127.0.0.1:PORT of the gateway */
    char sim_base[64];
    struct crypto_keys keys;
    struct gw_clock clock;
    struct web_options o;
};

/* Starts the simulator and a gateway; tune(o) may change options before the start. */
static inline struct gw *gw_start(void (*tune)(struct web_options *o))
{
    struct gw *g = xcalloc(1, sizeof *g);
    struct sim_options so;
    char err[256];
    int port = 0;
    curl_global_init(CURL_GLOBAL_DEFAULT);
    assert_int_equal(crypto_init(), 0);
    sim_options_default(&so);
    so.manual_clock = 1;
    g->sim = sim_new(&so);
    assert_int_equal(sim_start(g->sim, "127.0.0.1:0", &port, err, sizeof err), 0);
    snprintf(g->sim_base, sizeof g->sim_base, "http://127.0.0.1:%d", port);
    g->api = xasprintf("%s/helix", g->sim_base);
    g->auth = xasprintf("%s/oauth2", g->sim_base);
    g->dir = test_tmpdir();
    g->db = xasprintf("%s/tca.db", g->dir);
    assert_int_equal(crypto_keys_derive(GW_SECRET, &g->keys, err, sizeof err), 0);
    g->o.listen = "127.0.0.1:0";
    g->o.db_path = g->db;
    g->o.keys = &g->keys;
    g->o.twitch.api_base = g->api;
    g->o.twitch.auth_base = g->auth;
    g->o.twitch.client_id = "tca-sim-client";
    g->o.twitch.client_secret = "tca-sim-secret";
    g->o.twitch.clock = (struct clock){.now_ms = gw_now, .sleep_ms = gw_sleep, .ctx = &g->clock};
    g->o.threads = 2;
    g->o.sweep_every_ms = 3600 * 1000; /* tests sweep with web_sweep_now */
    if (tune)
        tune(&g->o);
    assert_int_equal(web_start(&g->o, &g->web, &port, err, sizeof err), 0);
    snprintf(g->base, sizeof g->base, "http://127.0.0.1:%d", port);
    return g;
}

static inline void gw_stop(struct gw *g)
{
    web_stop(g->web);
    sim_free(g->sim);
    crypto_keys_wipe(&g->keys);
    free(g->api);
    free(g->auth);
    free(g->db);
    free(g->dir);
    free(g);
}

struct gw_resp {
    long status;
    char *body;
    size_t len;
    json_t *json;
    char location[2048];
    char retry_after[32];
    char set_cookie[512]; /* the first Set-Cookie header */
    char csp[256];
};

static inline size_t gw_write(char *p, size_t size, size_t n, void *ud)
{
    struct gw_resp *r = ud;
    r->body = xrealloc(r->body, r->len + size * n + 1);
    memcpy(r->body + r->len, p, size * n);
    r->len += size * n;
    r->body[r->len] = 0;
    return size * n;
}

static inline void gw_header(CURL *h, const char *name, char *out, size_t outlen)
{
    struct curl_header *hd;
    out[0] = 0;
    if (curl_easy_header(h, name, 0, CURLH_HEADER, -1, &hd) == CURLHE_OK)
        snprintf(out, outlen, "%s", hd->value);
}

/* A browser: a curl handle that keeps its cookies across requests. */
static inline CURL *gw_browser(void)
{
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_COOKIEFILE, ""); /* the in-memory cookie engine */
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
    return h;
}

/* Sends method url (body: JSON, or NULL) with up to two extra headers through browser h
 * (NULL: a fresh handle without cookies). */
static inline void gw_do(CURL *h, const char *method, const char *url, const char *body,
                         const char *h1, const char *h2, struct gw_resp *r)
{
    memset(r, 0, sizeof *r);
    int own = h == NULL;
    if (own)
        h = gw_browser();
    struct curl_slist *hs = NULL;
    if (body)
        hs = curl_slist_append(hs, "Content-Type: application/json");
    if (h1)
        hs = curl_slist_append(hs, h1);
    if (h2)
        hs = curl_slist_append(hs, h2);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L); /* forget the previous request's body */
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
        curl_easy_setopt(h, CURLOPT_COPYPOSTFIELDS, body);
    }
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, gw_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
    assert_int_equal(curl_easy_perform(h), CURLE_OK);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    char *loc = NULL;
    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
    if (loc)
        snprintf(r->location, sizeof r->location, "%s", loc);
    gw_header(h, "Retry-After", r->retry_after, sizeof r->retry_after);
    gw_header(h, "Set-Cookie", r->set_cookie, sizeof r->set_cookie);
    gw_header(h, "Content-Security-Policy", r->csp, sizeof r->csp);
    if (!r->body)
        r->body = xstrdup("");
    r->json = json_loadb(r->body, r->len, 0, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hs);
    if (own)
        curl_easy_cleanup(h);
}

static inline void gw_resp_free(struct gw_resp *r)
{
    free(r->body);
    json_decref(r->json);
    memset(r, 0, sizeof *r);
}

/* The "error" member of a JSON error reply ("" when absent). */
static inline const char *gw_error(const struct gw_resp *r)
{
    const char *e = json_string_value(json_object_get(r->json, "error"));
    return e ? e : "";
}

/* GETs base+path through browser h and returns the status (reply discarded). */
static inline long gw_get_status(struct gw *g, CURL *h, const char *path)
{
    struct gw_resp r;
    char *url = xasprintf("%s%s", g->base, path);
    gw_do(h, "GET", url, NULL, NULL, NULL, &r);
    long s = r.status;
    gw_resp_free(&r);
    free(url);
    return s;
}

/* Logs browser h in through the simulator's authorize auto-consent as login (NULL: the
 * simulator's default, demo_mod). */
static inline void gw_login(struct gw *g, CURL *h, const char *login)
{
    struct gw_resp r;
    char *url = xasprintf("%s/auth/login", g->base);
    gw_do(h, "GET", url, NULL, NULL, NULL, &r);
    free(url);
    assert_int_equal(r.status, 302);
    assert_non_null(strstr(r.location, g->sim_base));
    char *authorize = login ? xasprintf("%s&sim_login=%s", r.location, login) : xstrdup(r.location);
    gw_resp_free(&r);
    gw_do(NULL, "GET", authorize, NULL, NULL, NULL, &r); /* the user consents at Twitch */
    free(authorize);
    assert_int_equal(r.status, 302);
    char *callback = xstrdup(r.location);
    gw_resp_free(&r);
    gw_do(h, "GET", callback, NULL, NULL, NULL, &r);
    free(callback);
    assert_int_equal(r.status, 302);
    gw_resp_free(&r);
}

/* The CSRF token of browser h's login session, as a header line (caller frees). */
static inline char *gw_csrf_header(struct gw *g, CURL *h)
{
    struct gw_resp r;
    char *url = xasprintf("%s/api/v1/me", g->base);
    gw_do(h, "GET", url, NULL, NULL, NULL, &r);
    free(url);
    assert_int_equal(r.status, 200);
    const char *t = json_string_value(json_object_get(r.json, "csrf_token"));
    assert_non_null(t);
    char *out = xasprintf("X-CSRF-Token: %s", t);
    gw_resp_free(&r);
    return out;
}

/* Sends method base+path through browser h with its CSRF token and an optional body. */
static inline void gw_send(struct gw *g, CURL *h, const char *method, const char *path,
                           const char *body, struct gw_resp *r)
{
    char *csrf = gw_csrf_header(g, h);
    char *url = xasprintf("%s%s", g->base, path);
    gw_do(h, method, url, body, csrf, NULL, r);
    free(url);
    free(csrf);
}

#endif
