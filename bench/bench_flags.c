/*
 * Benchmark of the flags pass alone (an_session_flags: known bots, creation-day waves, login
 * clusters, renamers; one channel, so no multi-channel step), the part of a chatter table's
 * cold open and of an export's first row that reads every chatter of the session. Two
 * audiences of N chatters (default 1,000,000) sorted by id as the store gives them:
 * "one stem", bench_chatter_table's (viewer_0000000.., created over 5,000 days: one stem
 * holding everyone), and "mixed" (logins from 200,000 stems, 60% with a number, 40% without,
 * and a batch of 1,000 bot accounts a minute apart per 1,000,000). Prints CPU milliseconds and
 * the memory the pass adds to the peak (peak RSS after minus before, the inputs built
 * first); asserts nothing. Run each shape in its own process: the peak is per process.
 * Usage: bench_flags one|mixed [N]
 */
#include "analysis/session_flags.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define DAY 86400000LL

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(int argc, char **argv)
{
    int mixed = argc > 1 && strcmp(argv[1], "mixed") == 0;
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
    if (n < 2000)
        n = 2000;
    struct an_profile *p = xmalloc(n * sizeof *p);
    char(*logins)[32] = xmalloc(n * sizeof *logins);
    uint64_t rng = 42;
    size_t bots = n / 1000;
    for (size_t i = 0; i < n; i++) {
        int64_t created = 1300000000000LL + (int64_t)(next(&rng) % 5000) * DAY;
        if (!mixed)
            snprintf(logins[i], sizeof logins[i], "viewer_%07zu", (i * 7919) % n);
        else if (i % (n / bots) == 0) {
            snprintf(logins[i], sizeof logins[i], "coolviewer_%04zu", i / (n / bots) + 1);
            created = 1710028800000LL + (int64_t)(i / (n / bots)) * 60000;
        } else if (next(&rng) % 10 < 6)
            snprintf(logins[i], sizeof logins[i], "w%llux%llu",
                     (unsigned long long)(next(&rng) % 200000),
                     (unsigned long long)(next(&rng) % 10000));
        else
            snprintf(logins[i], sizeof logins[i], "w%llux",
                     (unsigned long long)(next(&rng) % 200000));
        p[i] = (struct an_profile){500000000 + (int64_t)i, logins[i], created};
    }
    struct an_channel ch = {0};
    long before = peak_rss_kb();
    double t0 = cpu_ms();
    struct an_session_flags sf;
    char err[256];
    if (an_session_flags(p, n, &ch, 1, NULL, 0, NULL, NULL, &sf, err, sizeof err))
        return 1;
    double t1 = cpu_ms();
    printf("%s, %zu chatters: flags %.1f ms CPU (%zu flagged, %zu clusters, top day %zu); "
           "peak RSS +%.1f MB over the inputs (%.1f MB)\n",
           mixed ? "mixed" : "one stem", n, t1 - t0, sf.flags.n, sf.clusters.n,
           sf.days.n ? sf.days.days[0].count : 0, (double)(peak_rss_kb() - before) / 1024,
           (double)before / 1024);
    an_session_flags_free(&sf);
    free(p);
    free(logins);
    return 0;
}
