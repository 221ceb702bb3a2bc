/*
 * What the capture-time aggregates cost at their worst: joiners the channel already knows,
 * each at their first stay of the session, so each is looked up in the owner's earlier
 * sessions (store/sqlite_aggregates.c). A channel of AUDIENCE chatters drawn from a pool of
 * twice as many, EARLIER sessions of one capture each before the measured one, then in a new
 * session a first capture (every chatter known to the channel) and CAPTURES captures with 5%
 * churn whose joiners all come back from the pool. Prints the median and max CPU of the
 * commit per capture, and its wall time (on MariaDB most of the cost is the server's);
 * asserts nothing. Under callgrind (TCA_BENCH_CAPTURES=3) the inclusive cost of
 * sq_aggregates_join against sq_capture_commit is the aggregates' share.
 * Usage: bench_aggregates [AUDIENCE] [EARLIER] (default 100000 4); TCA_BENCH_CAPTURES=N;
 * TCA_BENCH_STORE=mysql://... runs it on that (empty) MariaDB database instead.
 */
#include "analysis/presence.h"
#include "base/chatter.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { OWNER = 1, CHANNEL = 2 };

static uint64_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

static double clock_ms(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* What one commit took. */
struct cost {
    double cpu, wall;
};

static void die(const char *what, const char *err)
{
    fprintf(stderr, "bench_aggregates: %s: %s\n", what, err);
    exit(1);
}

/* The chatters of ids[0, n) as a capture's sorted set. */
static void set_of(struct chatter_set *set, const int64_t *ids, size_t n)
{
    chatter_set_init(set);
    for (size_t i = 0; i < n; i++) {
        char login[32];
        snprintf(login, sizeof login, "user%lld", (long long)ids[i]);
        chatter_set_add(set, ids[i], login);
    }
    chatter_set_sort_unique(set);
}

/* Commits the capture of ids in session; returns the commit's milliseconds. */
static struct cost capture(struct store *st, int64_t session, const int64_t *ids, size_t n,
                           int64_t taken_at)
{
    char err[256];
    int64_t *open, last_seq;
    size_t n_open;
    if (store_presence_open(st, session, CHANNEL, &open, &n_open, &last_seq, err, sizeof err))
        die("presence", err);
    struct chatter_set set;
    set_of(&set, ids, n);
    struct an_presence_diff d;
    an_presence_diff(open, n_open, set.items, set.n, &d);
    struct store_capture_input in = {.session_id = session,
                                     .channel_id = CHANNEL,
                                     .seq = last_seq + 1,
                                     .taken_at_ms = taken_at,
                                     .pages = (int)(n / 1000 + 1),
                                     .chatters = set.items,
                                     .n_chatters = set.n,
                                     .joined = d.joined,
                                     .n_joined = d.n_joined,
                                     .left = d.left,
                                     .n_left = d.n_left};
    struct store_capture_result r;
    struct cost t = {clock_ms(CLOCK_PROCESS_CPUTIME_ID), clock_ms(CLOCK_MONOTONIC)};
    if (store_capture_commit(st, &in, &r, err, sizeof err))
        die("commit", err);
    t.cpu = clock_ms(CLOCK_PROCESS_CPUTIME_ID) - t.cpu;
    t.wall = clock_ms(CLOCK_MONOTONIC) - t.wall;
    an_presence_diff_free(&d);
    chatter_set_free(&set);
    free(open);
    return t;
}

/* audience distinct ids of the pool, at random. */
static void draw(int64_t *out, size_t audience, const int64_t *pool, size_t n_pool, uint64_t *rng)
{
    unsigned char *taken = xcalloc(n_pool, 1);
    for (size_t i = 0; i < audience;) {
        size_t k = next(rng) % n_pool;
        if (!taken[k]) {
            taken[k] = 1;
            out[i++] = pool[k];
        }
    }
    free(taken);
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    size_t audience = argc > 1 ? strtoul(argv[1], NULL, 10) : 100000;
    int earlier = argc > 2 ? atoi(argv[2]) : 4;
    int captures = getenv("TCA_BENCH_CAPTURES") ? atoi(getenv("TCA_BENCH_CAPTURES")) : 20;
    if (audience < 100 || earlier < 0 || captures < 1 || captures > 1000)
        die("usage", "bench_aggregates [AUDIENCE >= 100] [EARLIER >= 0]");
    char tmpl[] = "/tmp/tca-bench-aggregates-XXXXXX", err[256];
    const char *dir = mkdtemp(tmpl);
    if (!dir)
        die("mkdtemp", "failed");
    char *path = xasprintf("%s/store.db", dir);
    struct store *st;
    struct store_user u = {.id = OWNER, .login = "bench", .display_name = "bench"};
    struct store_channel c = {.id = CHANNEL, .login = "big", .display_name = "Big"};
    int64_t at = 1700000000000LL, session;
    const char *url = getenv("TCA_BENCH_STORE") ? getenv("TCA_BENCH_STORE") : path;
    if (store_open(url, &st, err, sizeof err) || store_user_upsert(st, &u, err, sizeof err) ||
        store_channel_upsert(st, &c, err, sizeof err))
        die("setup", err);
    size_t n_pool = audience * 2;
    int64_t *pool = xmalloc(n_pool * sizeof *pool), *ids = xmalloc(audience * sizeof *ids);
    for (size_t i = 0; i < n_pool; i++)
        pool[i] = 100000000 + (int64_t)i * 7919;
    uint64_t rng = 7;
    for (int e = 0; e <= earlier; e++) {
        if (e && store_session_deactivate(st, OWNER, at, err, sizeof err))
            die("deactivate", err);
        if (store_session_active(st, OWNER, at, &session, err, sizeof err))
            die("session", err);
        draw(ids, audience, pool, n_pool, &rng);
        struct cost first = capture(st, session, ids, audience, at += 60000);
        if (e == earlier)
            printf("%s: first capture of the measured session: %zu chatters, all known to the "
                   "channel, %d earlier sessions: commit %.1f ms CPU, %.1f ms wall\n",
                   store_backend(st), audience, earlier, first.cpu, first.wall);
    }
    /* 5% churn: leavers drawn from the audience, joiners from the pool outside it */
    double *cpu = xmalloc((size_t)captures * sizeof *cpu),
           *wall = xmalloc((size_t)captures * sizeof *wall);
    unsigned char *in = xcalloc(n_pool, 1);
    for (size_t i = 0; i < audience; i++)
        in[(size_t)(ids[i] - 100000000) / 7919] = 1;
    for (int k = 0; k < captures; k++) {
        size_t churn = audience / 20;
        for (size_t i = 0; i < churn; i++) {
            size_t victim = next(&rng) % audience, j;
            do
                j = next(&rng) % n_pool;
            while (in[j]);
            in[(size_t)(ids[victim] - 100000000) / 7919] = 0;
            in[j] = 1;
            ids[victim] = pool[j];
        }
        struct cost t = capture(st, session, ids, audience, at += 60000);
        cpu[k] = t.cpu;
        wall[k] = t.wall;
    }
    qsort(cpu, (size_t)captures, sizeof *cpu, by_value);
    qsort(wall, (size_t)captures, sizeof *wall, by_value);
    printf("%s: 5%% churn, every joiner back from the pool: %d captures, commit median %.1f ms, "
           "max %.1f ms CPU; wall median %.1f ms, max %.1f ms\n",
           store_backend(st), captures, cpu[captures / 2], cpu[captures - 1], wall[captures / 2],
           wall[captures - 1]);
    store_close(st);
    free(cpu);
    free(wall);
    free(in);
    free(pool);
    free(ids);
    char *rm = xasprintf("rm -rf '%s'", dir);
    if (system(rm) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    free(rm);
    free(path);
    return 0;
}
