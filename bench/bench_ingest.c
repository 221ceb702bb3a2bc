/*
 * Ingest benchmark: the full path of one capture (open stays, presence diff, commit) on a
 * real SQLite file, for channels of 1,000 / 20,000 / 100,000 chatters: a first capture, 20
 * captures with 5% churn, 20 more where 0.1% of the chatters also rename, and (20,000) 20
 * unchanged captures. Prints median and max CPU and
 * wall time per capture, chatters/s and peak RSS; it must never assert, so it runs on any
 * machine. Usage: bench_ingest [dir] (default: a fresh /tmp directory, removed at the end);
 * TCA_BENCH_STORE=mysql://... runs it on that (empty) MariaDB database instead;
 * TCA_BENCH_SIZE=100000 runs one channel size only and TCA_BENCH_CAPTURES=N takes N samples
 * per line instead of 20 (short runs under callgrind, whose instruction counts compare
 * before/after on a loaded machine where CPU times do not).
 */
#include "analysis/presence.h"
#include "base/chatter.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

enum { CHURN_CAPTURES = 20, UNCHANGED_CAPTURES = 20 };

struct sample {
    double cpu_ms;
    double wall_ms;
    double open_cpu_ms;   /* store_presence_open alone */
    double commit_cpu_ms; /* store_capture_commit alone */
};

/* The benchmark's own random stream: reproducible runs, no global state. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static double now_ms(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* Twitch ids are spread over a wide range, so stays land all over the B-trees. */
static int64_t fresh_id(uint64_t *rng)
{
    return (int64_t)(next_random(rng) % 2000000000000ULL) + 1;
}

static void fill(struct chatter_set *set, size_t n, uint64_t *rng)
{
    char login[32];
    for (size_t i = 0; i < n; i++) {
        int64_t id = fresh_id(rng);
        snprintf(login, sizeof login, "user%lld", (long long)id);
        chatter_set_add_named(set, id, login, login);
    }
    chatter_set_sort_unique(set);
}

/* 5% of the chatters leave and as many fresh ones join. */
static void churn(struct chatter_set *set, uint64_t *rng)
{
    size_t n = set->n, k = n / 20;
    for (size_t i = 0; i < k; i++) {
        size_t victim = next_random(rng) % set->n;
        set->items[victim] = set->items[--set->n];
    }
    char login[32];
    for (size_t i = 0; i < k; i++) {
        int64_t id = fresh_id(rng);
        snprintf(login, sizeof login, "user%lld", (long long)id);
        chatter_set_add_named(set, id, login, login);
    }
    chatter_set_sort_unique(set);
}

/* A rename wave: one chatter in every 1,000 takes a new login (the simulator's rate). */
static void rename_some(struct chatter_set *set, uint64_t *rng)
{
    for (size_t i = 0; i < set->n / 1000; i++) {
        struct chatter *c = &set->items[next_random(rng) % set->n];
        snprintf(c->login, sizeof c->login, "renamed%llu", (unsigned long long)next_random(rng));
        snprintf(c->display_name, sizeof c->display_name, "%s", c->login);
    }
}

/* One capture's ingest path, timed: what a worker does after the Twitch pages arrived. */
static struct sample ingest(struct store *st, int64_t session, int64_t channel,
                            const struct chatter_set *set, int64_t taken_at)
{
    char err[256];
    double c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID), w0 = now_ms(CLOCK_MONOTONIC);
    int64_t *open, *hashes, *renamed, last_seq;
    size_t n_open, n_renamed;
    if (store_presence_open_named(st, session, channel, &open, &hashes, &n_open, &last_seq, err,
                                  sizeof err)) {
        fprintf(stderr, "presence: %s\n", err);
        exit(1);
    }
    double c1 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    struct an_presence_diff d;
    an_presence_diff(open, n_open, set->items, set->n, &d);
    chatter_renamed(open, hashes, n_open, set->items, set->n, &renamed, &n_renamed);
    struct store_capture_input in = {
        .session_id = session,
        .channel_id = channel,
        .seq = last_seq + 1,
        .taken_at_ms = taken_at,
        .pages = (int)(set->n / 1000 + 1),
        .chatters = set->items,
        .n_chatters = set->n,
        .joined = d.joined,
        .n_joined = d.n_joined,
        .left = d.left,
        .n_left = d.n_left,
        .renamed = renamed,
        .n_renamed = n_renamed,
    };
    struct store_capture_result res;
    double c2 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    if (store_capture_commit(st, &in, &res, err, sizeof err)) {
        fprintf(stderr, "commit: %s\n", err);
        exit(1);
    }
    double c3 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
    an_presence_diff_free(&d);
    free(open);
    free(hashes);
    free(renamed);
    return (struct sample){now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0, now_ms(CLOCK_MONOTONIC) - w0,
                           c1 - c0, c3 - c2};
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void report(const char *what, size_t chatters, const struct sample *s, size_t n)
{
    double cpu[64] = {0}, wall[64] = {0}, open[64] = {0}, commit[64] = {0};
    double cpu_max = 0, wall_max = 0;
    for (size_t i = 0; i < n; i++) {
        cpu[i] = s[i].cpu_ms;
        wall[i] = s[i].wall_ms;
        open[i] = s[i].open_cpu_ms;
        commit[i] = s[i].commit_cpu_ms;
        cpu_max = cpu[i] > cpu_max ? cpu[i] : cpu_max;
        wall_max = wall[i] > wall_max ? wall[i] : wall_max;
    }
    qsort(cpu, n, sizeof *cpu, by_value);
    qsort(wall, n, sizeof *wall, by_value);
    qsort(open, n, sizeof *open, by_value);
    qsort(commit, n, sizeof *commit, by_value);
    double cpu_med = cpu[n / 2], wall_med = wall[n / 2];
    printf("%-20s %8zu %4zu %9.2f %9.2f %9.2f %9.2f %11.0f %9.2f %9.2f\n", what, chatters, n,
           cpu_med, cpu_max, wall_med, wall_max,
           wall_med > 0 ? (double)chatters / (wall_med / 1e3) : 0, open[n / 2], commit[n / 2]);
}

static void setup(struct store *st, int64_t channel, int64_t *session)
{
    char err[256];
    struct store_user u = {.id = 1, .login = "bench", .display_name = "bench"};
    struct store_channel c = {.id = channel};
    snprintf(c.login, sizeof c.login, "channel%lld", (long long)channel);
    snprintf(c.display_name, sizeof c.display_name, "Channel%lld", (long long)channel);
    if (store_user_upsert(st, &u, err, sizeof err) ||
        store_channel_upsert(st, &c, err, sizeof err) ||
        store_session_active(st, 1, 1, session, err, sizeof err)) {
        fprintf(stderr, "setup: %s\n", err);
        exit(1);
    }
}

int main(int argc, char **argv)
{
    char tmpl[] = "/tmp/tca-bench-XXXXXX";
    const char *dir = argc > 1 ? argv[1] : mkdtemp(tmpl);
    if (!dir) {
        perror("mkdtemp");
        return 1;
    }
    char *path = xasprintf("%s/ingest.db", dir);
    const char *url = getenv("TCA_BENCH_STORE") ? getenv("TCA_BENCH_STORE") : path;
    char shown[512];
    store_url_redact(url, shown, sizeof shown);
    struct store *st;
    char err[256];
    if (store_open(url, &st, err, sizeof err)) {
        fprintf(stderr, "open %s: %s\n", shown, err);
        return 1;
    }
    static const size_t sizes[] = {1000, 20000, 100000};
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    int64_t taken_at = 1700000000000;
    printf("store: %s (%s)\n", shown, store_backend(st));
    printf("%-20s %8s %4s %9s %9s %9s %9s %11s %9s %9s\n", "capture", "chatters", "n", "cpu_med",
           "cpu_max", "wall_med", "wall_max", "chatters/s", "open_cpu", "commit_cpu");
    size_t only = getenv("TCA_BENCH_SIZE") ? strtoul(getenv("TCA_BENCH_SIZE"), NULL, 10) : 0;
    int n_captures = getenv("TCA_BENCH_CAPTURES") ? atoi(getenv("TCA_BENCH_CAPTURES")) : 0;
    if (n_captures < 1 || n_captures > CHURN_CAPTURES)
        n_captures = CHURN_CAPTURES;
    for (size_t z = 0; z < sizeof sizes / sizeof *sizes; z++) {
        if (only && sizes[z] != only)
            continue;
        int64_t channel = 100 + (int64_t)z, session;
        setup(st, channel, &session);
        struct chatter_set set;
        chatter_set_init(&set);
        fill(&set, sizes[z], &rng);
        struct sample first = ingest(st, session, channel, &set, taken_at += 60000);
        report("first capture", set.n, &first, 1);
        struct sample samples[CHURN_CAPTURES];
        for (int i = 0; i < n_captures; i++) {
            churn(&set, &rng);
            samples[i] = ingest(st, session, channel, &set, taken_at += 60000);
        }
        report("capture, 5% churn", set.n, samples, (size_t)n_captures);
        /* Measured after the first 20: the tables are bigger, so compare with the line
         * above only knowing that (without the renames this line is ~25% slower too). */
        for (int i = 0; i < n_captures; i++) {
            churn(&set, &rng);
            rename_some(&set, &rng);
            samples[i] = ingest(st, session, channel, &set, taken_at += 60000);
        }
        report("next 20, 0.1% renamed", set.n, samples, (size_t)n_captures);
        if (sizes[z] == 20000) {
            struct sample same[UNCHANGED_CAPTURES];
            for (int i = 0; i < n_captures; i++)
                same[i] = ingest(st, session, channel, &set, taken_at += 60000);
            report("capture, unchanged", set.n, same, (size_t)n_captures);
        }
        chatter_set_free(&set);
    }
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    printf("peak RSS: %ld KiB\n", ru.ru_maxrss);
    printf("times in ms per capture: store_presence_open_named + an_presence_diff + "
           "chatter_renamed + store_capture_commit\n");
    printf("targets: 100,000 chatters with 5%% churn < 100 ms CPU; unchanged 20,000 < 10 ms\n");
    store_close(st);
    if (argc <= 1) { /* a directory of our own: leave nothing behind */
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
