/*
 * Benchmark of EventSub chat ingestion: an in-process simulator sends the chat of big_channel
 * (20,000 chatters) over a real loopback WebSocket, and tca's client (on this thread) receives,
 * parses and dedupes every message. Prints messages, wall time, messages a minute and this
 * thread's CPU (the simulator's threads excluded); asserts nothing.
 */
#include "base/clock.h"
#include "base/xalloc.h"
#include "sim/sim.h"
#include "sim/world.h"
#include "twitch/eventsub.h"
#include "twitch/twitch.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define BIG 20003

static double thread_cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    struct {
        char *s;
        size_t len;
    } *b = ud;
    b->s = xrealloc(b->s, b->len + size * n + 1);
    memcpy(b->s + b->len, p, size * n);
    b->len += size * n;
    b->s[b->len] = 0;
    return size * n;
}

/* One request to the simulator; returns the body (caller frees) and the redirect, if any. */
static char *request(const char *method, const char *url, char *location, size_t loclen)
{
    struct {
        char *s;
        size_t len;
    } b = {xstrdup(""), 0};
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    if (strcmp(method, "POST") == 0)
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
    if (curl_easy_perform(h) != CURLE_OK) {
        fprintf(stderr, "request %s failed\n", url);
        exit(1);
    }
    char *loc = NULL;
    curl_easy_getinfo(h, CURLINFO_REDIRECT_URL, &loc);
    if (location)
        snprintf(location, loclen, "%s", loc ? loc : "");
    curl_easy_cleanup(h);
    return b.s;
}

static long json_long(const char *body, const char *key)
{
    json_t *j = json_loads(body, 0, NULL);
    long v = (long)json_integer_value(json_object_get(j, key));
    json_decref(j);
    return v;
}

int main(int argc, char **argv)
{
    int ticks = argc > 1 ? atoi(argv[1]) : 3;
    char err[256], base[64], api[96], auth[96], url[512], loc[1024];
    curl_global_init(CURL_GLOBAL_DEFAULT);
    struct sim_options o;
    sim_options_default(&o);
    o.manual_clock = 1;
    struct sim *sim = sim_new(&o);
    int port;
    if (sim_start(sim, "127.0.0.1:0", &port, err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    snprintf(base, sizeof base, "http://127.0.0.1:%d", port);
    snprintf(api, sizeof api, "%s/helix", base);
    snprintf(auth, sizeof auth, "%s/oauth2", base);
    struct twitch_settings s = {.api_base = api,
                                .auth_base = auth,
                                .client_id = "tca-sim-client",
                                .client_secret = "tca-sim-secret",
                                .redirect_url = "http://localhost/cb",
                                .clock = clock_real()};
    struct twitch_client *c = twitch_client_new(&s);
    char *authorize = twitch_oauth_authorize_url(c, "user:read:chat", "s1");
    snprintf(url, sizeof url, "%s&sim_login=demo_mod", authorize);
    free(request("GET", url, loc, sizeof loc));
    free(authorize);
    const char *code = strstr(loc, "code=");
    char codebuf[128];
    snprintf(codebuf, sizeof codebuf, "%.*s", (int)strcspn(code ? code + 5 : "", "&"),
             code ? code + 5 : "");
    struct twitch_token tok = {0};
    if (twitch_oauth_exchange_code(c, codebuf, &tok, err, sizeof err) < 0) {
        fprintf(stderr, "login: %s\n", err);
        return 1;
    }
    tok.user_id = WORLD_DEMO_MOD;
    snprintf(url, sizeof url, "%s/_sim/eventsub", base);
    char *body = request("GET", url, NULL, 0);
    json_t *j = json_loads(body, 0, NULL);
    struct twitch_es *es;
    if (twitch_es_connect(json_string_value(json_object_get(j, "url")), 20000, &es, err,
                          sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    json_decref(j);
    free(body);
    char id[TWITCH_ES_ID_MAX + 1];
    if (twitch_es_subscribe(c, &tok, twitch_es_session_id(es), TWITCH_ES_SUB_CHAT_MESSAGE, BIG, id,
                            err, sizeof err) < 0) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    int64_t from = sim_tick(sim) + 1;
    snprintf(url, sizeof url, "%s/_sim/advance?ticks=%d", base, ticks);
    free(request("POST", url, NULL, 0));
    snprintf(url, sizeof url, "%s/_sim/chat?broadcaster_id=%d&from_tick=%lld&to_tick=%lld", base,
             BIG, (long long)from, (long long)(from + ticks - 1));
    body = request("GET", url, NULL, 0);
    long want = json_long(body, "messages"), got = 0;
    free(body);
    double cpu0 = thread_cpu_ms();
    int64_t t0 = clock_mono_ms();
    while (got < want) {
        struct twitch_es_message m;
        int rc = twitch_es_next(es, 10000, &m, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "after %ld of %ld: %s\n", got, want, rc == -2 ? "timeout" : err);
            break;
        }
        got++;
    }
    double wall = (double)(clock_mono_ms() - t0), cpu = thread_cpu_ms() - cpu0;
    printf("eventsub chat ingest: %ld of %ld messages (%d ticks of big_channel)\n", got, want,
           ticks);
    printf("  wall %.0f ms, %.0f messages/minute, client thread CPU %.0f ms (%.1f us/message)\n",
           wall, wall > 0 ? got * 60000.0 / wall : 0, cpu, got ? cpu * 1000.0 / got : 0);
    twitch_es_free(es);
    twitch_token_clear(&tok);
    twitch_client_free(c);
    sim_free(sim);
    curl_global_cleanup();
    return got == want ? 0 : 1;
}
