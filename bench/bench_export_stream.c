/*
 * Streamed export benchmark: a 120,000-chatter session (a 100,000-chatter first capture,
 * then four captures with 5% churn) on a real SQLite file, served by the gateway in this
 * process on loopback, downloaded with libcurl and an API key. Prints, per export, the time
 * to the response headers, to the first body byte and to the last, the size, and the
 * process's peak RSS; then TWINS identical downloads at once (one export run shared by all)
 * with their total time and the runs counted by /metrics. It must never assert.
 * Usage: bench_export_stream [dir]
 */
#include "analysis/presence.h"
#include "base/chatter.h"
#include "base/clock.h"
#include "base/crypto.h"
#include "base/buf.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "web/web.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { USER = 1, CHANNEL = 100 };
#define SECRET "dGNhLWJlbmNobWFyay1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg=="
#define KEY "tca_bench_export_key_0123456789abcdef"

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void die(const char *what, const char *err)
{
    fprintf(stderr, "%s: %s\n", what, err);
    exit(1);
}

static void add_fresh(struct chatter_set *set, size_t n, uint64_t *rng)
{
    char login[32];
    for (size_t i = 0; i < n; i++) {
        int64_t id = (int64_t)(next_random(rng) % 2000000000000ULL) + 1;
        snprintf(login, sizeof login, "user%lld", (long long)id);
        chatter_set_add_named(set, id, login, login);
    }
    chatter_set_sort_unique(set);
}

static void commit(struct store *st, int64_t session, const struct chatter_set *set,
                   int64_t taken_at)
{
    char err[256];
    int64_t *open, last_seq;
    size_t n_open;
    if (store_presence_open(st, session, CHANNEL, &open, &n_open, &last_seq, err, sizeof err))
        die("presence", err);
    struct an_presence_diff d;
    an_presence_diff(open, n_open, set->items, set->n, &d);
    struct store_capture_input in = {.session_id = session,
                                     .channel_id = CHANNEL,
                                     .seq = last_seq + 1,
                                     .taken_at_ms = taken_at,
                                     .pages = (int)(set->n / 1000 + 1),
                                     .chatters = set->items,
                                     .n_chatters = set->n,
                                     .joined = d.joined,
                                     .n_joined = d.n_joined,
                                     .left = d.left,
                                     .n_left = d.n_left};
    struct store_capture_result res;
    if (store_capture_commit(st, &in, &res, err, sizeof err))
        die("commit", err);
    an_presence_diff_free(&d);
    free(open);
}

/* The session and an API key for its owner. */
static void prepare(const char *path, const struct crypto_keys *keys, size_t first)
{
    char err[256];
    struct store *st;
    if (store_open(path, &st, err, sizeof err))
        die("open", err);
    struct store_user u = {.id = USER, .login = "bench", .display_name = "Bench"};
    struct store_channel c = {.id = CHANNEL, .login = "bigchannel", .display_name = "BigChannel"};
    int64_t session, key_id;
    if (store_user_upsert(st, &u, err, sizeof err) ||
        store_channel_upsert(st, &c, err, sizeof err) ||
        store_session_active(st, USER, 1, &session, err, sizeof err))
        die("setup", err);
    struct store_api_key k = {.user_id = USER, .name = "bench", .prefix = "tca_bench"};
    crypto_token_hash(keys, KEY, k.key_hash);
    if (store_api_key_create(st, &k, &key_id, err, sizeof err))
        die("api key", err);
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    struct chatter_set set;
    chatter_set_init(&set);
    add_fresh(&set, first, &rng);
    int64_t t = 1700000000000;
    commit(st, session, &set, t);
    for (int i = 0; i < 4; i++) {
        for (size_t j = 0; j < first / 20; j++) { /* 5% leave ... */
            size_t victim = next_random(&rng) % set.n;
            set.items[victim] = set.items[--set.n];
        }
        add_fresh(&set, first / 20, &rng); /* ... and as many join */
        commit(st, session, &set, t += 60000);
    }
    chatter_set_free(&set);
    store_close(st);
}

struct download {
    double start, first_byte, first_row; /* first_row: the second line ended (row 1 whole) */
    size_t bytes;
    size_t newlines;
};

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct download *d = ud;
    if (!d->bytes)
        d->first_byte = now_ms() - d->start;
    for (size_t i = 0; i < size * n; i++)
        if (p[i] == '\n' && ++d->newlines == 2)
            d->first_row = now_ms() - d->start;
    d->bytes += size * n;
    return size * n;
}

static void fetch(int port, const char *what, const char *format, const char *extra)
{
    char url[256];
    snprintf(url, sizeof url,
             "http://127.0.0.1:%d/api/v1/sessions/active/export?what=%s&format=%s%s", port, what,
             format, extra);
    CURL *h = curl_easy_init();
    struct curl_slist *hs = curl_slist_append(NULL, "Authorization: Bearer " KEY);
    struct download d = {.start = now_ms()};
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &d);
    CURLcode rc = curl_easy_perform(h);
    double total = now_ms() - d.start, headers = 0;
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_STARTTRANSFER_TIME, &headers);
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    /* CSV: a header line then a line a row; JSON: "[" and "]" around a line a row. */
    size_t extra_lines = strcmp(format, "csv") == 0 ? 1 : 2;
    double rows = d.newlines > extra_lines ? (double)(d.newlines - extra_lines) : 0;
    printf("%-20s %-6s %4ld %8.1f %8.1f %8.1f %8.1f %10zu %9.0f %s\n", what, format, status,
           headers * 1e3, d.first_byte, d.first_row, total, d.bytes,
           total > 0 ? rows / (total / 1e3) : 0, rc == CURLE_OK ? "" : curl_easy_strerror(rc));
    curl_slist_free_all(hs);
    curl_easy_cleanup(h);
}

enum { TWINS = 8 };

static size_t count_body(char *p, size_t size, size_t n, void *ud)
{
    (void)p;
    *(size_t *)ud += size * n;
    return size * n;
}

static size_t keep_body(char *p, size_t size, size_t n, void *ud)
{
    struct buf *b = ud;
    return buf_append(b, p, size * n) < 0 ? 0 : size * n;
}

/* A counter of the gateway's /metrics, or -1. */
static long long metric(int port, const char *name)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/metrics", port);
    struct buf b;
    buf_init(&b, 0);
    CURL *h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, keep_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
    long long v = -1;
    if (curl_easy_perform(h) == CURLE_OK && buf_append(&b, "", 1) == 0) {
        char *line = xasprintf("\n%s ", name);
        const char *at = strstr(b.data, line);
        if (at)
            v = strtoll(at + strlen(line), NULL, 10);
        free(line);
    }
    curl_easy_cleanup(h);
    buf_free(&b);
    return v;
}

/* TWINS identical downloads started together: they share one export run. */
static void fetch_twins(int port, const char *format)
{
    char url[256];
    snprintf(url, sizeof url,
             "http://127.0.0.1:%d/api/v1/sessions/active/export?what=chatters&format=%s", port,
             format);
    long long runs = metric(port, "tca_http_export_runs_total");
    CURLM *m = curl_multi_init();
    CURL *h[TWINS];
    size_t bytes[TWINS] = {0};
    struct curl_slist *hs = curl_slist_append(NULL, "Authorization: Bearer " KEY);
    double start = now_ms();
    for (int i = 0; i < TWINS; i++) {
        h[i] = curl_easy_init();
        curl_easy_setopt(h[i], CURLOPT_URL, url);
        curl_easy_setopt(h[i], CURLOPT_HTTPHEADER, hs);
        curl_easy_setopt(h[i], CURLOPT_WRITEFUNCTION, count_body);
        curl_easy_setopt(h[i], CURLOPT_WRITEDATA, &bytes[i]);
        curl_multi_add_handle(m, h[i]);
    }
    int running = 1;
    while (running) {
        curl_multi_perform(m, &running);
        if (running)
            curl_multi_poll(m, NULL, 0, 100, NULL);
    }
    double total = now_ms() - start;
    size_t same = 0;
    for (int i = 0; i < TWINS; i++) {
        same += bytes[i] == bytes[0];
        curl_multi_remove_handle(m, h[i]);
        curl_easy_cleanup(h[i]);
    }
    curl_multi_cleanup(m);
    curl_slist_free_all(hs);
    printf("%d identical chatters %s downloads at once: %.1f ms for all, %zu bytes each (%zu of "
           "%d the same size), %lld export run(s)\n",
           TWINS, format, total, bytes[0], same, TWINS,
           metric(port, "tca_http_export_runs_total") - runs);
}

int main(int argc, char **argv)
{
    char tmpl[] = "/tmp/tca-bench-XXXXXX", err[256];
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
    if (!dir || crypto_init() || curl_global_init(CURL_GLOBAL_DEFAULT))
        die("init", "failed");
    char *path = xasprintf("%s/export.db", dir);
    struct crypto_keys keys;
    if (crypto_keys_derive(SECRET, &keys, err, sizeof err))
        die("keys", err);
    const char *env = getenv("TCA_BENCH_CHATTERS");
    size_t first = env ? strtoul(env, NULL, 10) : 100000;
    if (first < 20)
        first = 100000;
    double t0 = now_ms();
    prepare(path, &keys, first);
    printf("store: %s (%zu-chatter session built in %.0f ms)\n", path, first + 4 * (first / 20),
           now_ms() - t0);
    struct web_options o = {.listen = "127.0.0.1:0",
                            .db_path = path,
                            .keys = &keys,
                            .twitch = {.api_base = "http://127.0.0.1:9/helix",
                                       .auth_base = "http://127.0.0.1:9/oauth2",
                                       .client_id = "bench",
                                       .client_secret = "bench",
                                       .clock = clock_real()},
                            .threads = 2,
                            .sweep_every_ms = 3600 * 1000};
    struct web *w;
    int port;
    if (web_start(&o, &w, &port, err, sizeof err))
        die("web_start", err);
    printf("%-20s %-6s %4s %8s %8s %8s %8s %10s %9s\n", "export", "format", "http", "headers",
           "1st_byte", "1st_row", "last", "bytes", "rows/s");
    for (int round = 0; round < 2; round++) { /* the second round reads a warm cache */
        fetch(port, "chatters", "csv", "");
        fetch(port, "chatters", "json", "");
        fetch(port, "capture", "json", "&channel=bigchannel&capture=5");
    }
    fetch_twins(port, "csv");
    fetch_twins(port, "json");
    web_stop(w);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("times in ms from the request; peak RSS of the whole process (store build, gateway, "
           "client): %ld MB\n",
           ru.ru_maxrss / 1024);
    crypto_keys_wipe(&keys);
    if (argc <= 1) {
        static const char *const suffixes[] = {"", "-wal", "-shm"};
        for (size_t i = 0; i < 3; i++) {
            char *file = xasprintf("%s%s", path, suffixes[i]);
            unlink(file);
            free(file);
        }
        rmdir(dir);
    }
    free(path);
    return 0;
}
