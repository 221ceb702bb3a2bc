/*
 * Benchmark of the server-side chatter table: a session of N chatters (default 1,000,000)
 * written through store_capture_commit in three captures (5% churn each), with enriched
 * profiles, then report_chatter_page timed cold (the session is loaded into the cache),
 * warm, for each sort key's first use, for a search and a filter; prints wall milliseconds
 * and peak RSS, asserts nothing. The cold open is timed three times (each with a new cache),
 * in wall and in CPU milliseconds: on a shared machine the CPU time is the steadier figure.
 * Usage: bench_chatter_table [N [DB]]
 *   With DB, the store is kept there and a later run with the same DB reuses it (no write).
 *        bench_chatter_table --write DB USER_ID CHANNEL_ID N
 *   The second form only writes: a new active session of USER_ID (whose channel CHANNEL_ID
 *   exists) with N chatters, into the store of a running `tca serve` (the browser
 *   performance test builds its 1,000,000-chatter session so); prints the session id.
 */
#include "report/chatter_page.h"
#include "base/chatter.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define FIRST_ID 500000000LL
#define T0 1767261600000LL /* 2026-01-01T10:00:00Z */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void die(const char *what, const char *err)
{
    fprintf(stderr, "bench_chatter_table: %s: %s\n", what, err);
    exit(1);
}

/* Capture k (1..3) holds chatters [k-1, k-1 + 18) twentieths of n: 5% leave and 5% join. */
static void commit(struct store *st, int64_t session, int64_t channel, size_t n, int k, int64_t t0)
{
    size_t lo = (size_t)(k - 1) * n / 20, hi = lo + n * 18 / 20;
    if (k == 3)
        hi = n;
    struct chatter *cs = xmalloc((hi - lo) * sizeof *cs);
    for (size_t i = lo; i < hi; i++) {
        cs[i - lo].id = FIRST_ID + (int64_t)i;
        /* logins in another order than ids, so a login sort really sorts */
        snprintf(cs[i - lo].login, sizeof cs[i - lo].login, "viewer_%07zu",
                 (i * 7919) % (n > 1 ? n : 1));
    }
    size_t j_lo = k == 1 ? lo : (size_t)(k == 2 ? 18 : 19) * n / 20;
    size_t n_joined = k == 1 ? hi - lo : hi - j_lo, n_left = k == 1 ? 0 : n / 20;
    int64_t *joined = xmalloc((n_joined + 1) * sizeof *joined);
    int64_t *left = xmalloc((n_left + 1) * sizeof *left);
    for (size_t i = 0; i < n_joined; i++)
        joined[i] = FIRST_ID + (int64_t)(j_lo + i);
    for (size_t i = 0; i < n_left; i++)
        left[i] = FIRST_ID + (int64_t)((size_t)(k - 2) * n / 20 + i);
    struct store_capture_input in = {.session_id = session,
                                     .channel_id = channel,
                                     .seq = k,
                                     .taken_at_ms = t0 + (int64_t)k * 600000,
                                     .pages = (int)(hi - lo + 999) / 1000,
                                     .chatters = cs,
                                     .n_chatters = hi - lo,
                                     .joined = joined,
                                     .n_joined = n_joined,
                                     .left = left,
                                     .n_left = n_left};
    struct store_capture_result out;
    char err[256];
    if (store_capture_commit(st, &in, &out, err, sizeof err))
        die("capture", err);
    free(cs);
    free(joined);
    free(left);
}

static void profiles(struct store *st, size_t n, int64_t t0)
{
    enum { BATCH = 5000 };
    struct store_profile *p = xcalloc(BATCH, sizeof *p);
    uint64_t rng = 42;
    char err[256];
    for (size_t at = 0; at < n; at += BATCH) {
        size_t m = n - at < BATCH ? n - at : BATCH;
        for (size_t i = 0; i < m; i++) {
            rng = rng * 6364136223846793005ull + 1442695040888963407ull;
            p[i].id = FIRST_ID + (int64_t)(at + i);
            snprintf(p[i].login, sizeof p[i].login, "viewer_%07zu", ((at + i) * 7919) % n);
            snprintf(p[i].display_name, sizeof p[i].display_name, "Viewer_%07zu",
                     ((at + i) * 7919) % n);
            p[i].created_at_ms = 1300000000000LL + (int64_t)((rng >> 33) % 5000) * 86400000LL;
            p[i].enriched_at_ms = t0;
        }
        int renames;
        if (store_profile_put(st, p, m, &renames, err, sizeof err))
            die("profiles", err);
    }
    free(p);
}

/* t0: the session's start; in a running server it must be recent, or its sweep of expired
 * unsaved sessions deletes the session under the test. */
static int64_t write_session(struct store *st, int64_t user, int64_t channel, size_t n, int64_t t0)
{
    char err[256];
    int64_t session;
    if (store_session_deactivate(st, user, t0, err, sizeof err) ||
        store_session_active(st, user, t0, &session, err, sizeof err))
        die("session", err);
    for (int k = 1; k <= 3; k++)
        commit(st, session, channel, n, k, t0);
    profiles(st, n, t0);
    return session;
}

static double page(struct report_chatter_cache *c, struct store *st, struct store *aside,
                   int64_t user, int64_t session, const struct report_chatter_query *q,
                   int64_t *total)
{
    struct report_options o;
    json_t *doc;
    char err[256];
    report_options_default(&o);
    double t = now_ms();
    if (report_chatter_page(c, st, aside, user, session, &o, q, T0, &doc, err, sizeof err))
        die("page", err);
    t = now_ms() - t;
    *total = json_integer_value(json_object_get(doc, "total"));
    json_decref(doc);
    return t;
}

int main(int argc, char **argv)
{
    char err[256];
    struct store *st;
    if (argc == 6 && strcmp(argv[1], "--write") == 0) {
        if (store_open(argv[2], &st, err, sizeof err))
            die("open", err);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t t0 = (int64_t)now.tv_sec * 1000 - 3600000; /* captures over the last hour */
        int64_t session =
            write_session(st, atoll(argv[3]), atoll(argv[4]), (size_t)atol(argv[5]), t0);
        printf("%lld\n", (long long)session);
        store_close(st);
        return 0;
    }
    size_t n = argc > 1 ? (size_t)atol(argv[1]) : 1000000;
    char path[256] = "/tmp/tca-bench-chatters-XXXXXX";
    int keep = argc > 2, reuse = keep && access(argv[2], F_OK) == 0, fd = -1;
    if (keep)
        snprintf(path, sizeof path, "%s", argv[2]);
    else
        fd = mkstemp(path);
    if ((!keep && fd < 0) || store_open(path, &st, err, sizeof err))
        die("open", "cannot create the store");
    int64_t session;
    if (reuse) {
        if (store_session_active(st, 1, T0, &session, err, sizeof err))
            die("session", err);
    } else {
        struct store_user u = {.id = 1, .login = "mod", .display_name = "Mod"};
        struct store_channel ch = {.id = 2, .login = "big", .display_name = "Big"};
        if (store_user_upsert(st, &u, err, sizeof err) ||
            store_channel_upsert(st, &ch, err, sizeof err))
            die("setup", err);
        double t = now_ms();
        session = write_session(st, 1, 2, n, T0);
        printf("write: %zu chatters, 3 captures and profiles through the store: %.0f ms\n", n,
               now_ms() - t);
    }
    struct report_chatter_query q = {.limit = 100, .sort = REPORT_SORT_PRESENT, .desc = 1};
    int64_t total;
    struct store *aside;
    if (store_open(path, &aside, err, sizeof err))
        die("open", err);
    for (int i = 0; i < 2; i++) { /* cold opens that only time themselves */
        struct report_chatter_cache *cold = report_chatter_cache_new(4000000, 60000);
        double cpu = cpu_ms();
        double wall = page(cold, st, i ? aside : NULL, 1, session, &q, &total);
        printf("first page, cold, %s: %.1f ms (%.1f ms of CPU)\n",
               i ? "profiles on a second connection" : "one connection", wall, cpu_ms() - cpu);
        report_chatter_cache_free(cold);
    }
    struct report_chatter_cache *c = report_chatter_cache_new(4000000, 60000);
    double cpu = cpu_ms();
    double wall = page(c, st, aside, 1, session, &q, &total);
    printf("first page, cold (load into the cache + sort): %.1f ms (%.1f ms of CPU)\n", wall,
           cpu_ms() - cpu);
    printf("first page, warm: %.2f ms (%lld rows)\n", page(c, st, aside, 1, session, &q, &total),
           (long long)total);
    q.offset = (int64_t)n / 2;
    printf("middle page, warm: %.2f ms\n", page(c, st, aside, 1, session, &q, &total));
    q.offset = 0;
    static const char *const names[] = {"login",      "status",        "flags",
                                        "created_at", "captures_seen", "time_present_s",
                                        "first_seen", "last_seen",     "role"};
    _Static_assert(sizeof names / sizeof *names == REPORT_SORT_COUNT, "a name for every sort");
    for (int k = 0; k < REPORT_SORT_COUNT; k++) {
        q.sort = (enum report_chatter_sort)k;
        double first = page(c, st, aside, 1, session, &q, &total);
        printf("sort %s: first %.1f ms, again %.2f ms\n", names[k], first,
               page(c, st, aside, 1, session, &q, &total));
    }
    q.sort = REPORT_SORT_LOGIN;
    q.search = "viewer_09999";
    double ts = page(c, st, aside, 1, session, &q, &total);
    printf("search \"%s\": %.1f ms (%lld rows)\n", q.search, ts, (long long)total);
    q.search = NULL;
    q.filter = REPORT_CHATTERS_NEW;
    q.offset = 1000;
    double tf = page(c, st, aside, 1, session, &q, &total);
    printf("filter new, page at 1000: %.1f ms (%lld rows)\n", tf, (long long)total);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %.0f MB\n", (double)ru.ru_maxrss / 1024);
    report_chatter_cache_free(c);
    store_close(st);
    store_close(aside);
    if (keep)
        return 0;
    close(fd);
    unlink(path);
    char wal[300];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(wal);
    snprintf(wal, sizeof wal, "%s-shm", path);
    unlink(wal);
    return 0;
}
