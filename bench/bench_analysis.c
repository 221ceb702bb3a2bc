/*
 * Benchmark of the analysis layer: the statistics of one large session and the overlap
 * matrix of many channels, on synthetic stays. Prints CPU milliseconds (one core) and peak
 * RSS; asserts nothing. Must never read the store or the network.
 */
#include "analysis/accounts.h"
#include "analysis/clusters.h"
#include "analysis/flags.h"
#include "analysis/overlap.h"
#include "analysis/participation.h"
#include "analysis/raids.h"
#include "analysis/suspects.h"
#include "analysis/viewers.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static uint32_t next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*s >> 33);
}

/* A channel of `audience` chatters over n captures a minute apart; each capture `churn`
 * of them leave and as many join, half of the joiners returning, half never seen. */
struct session {
    struct an_capture *captures;
    struct an_stay *stays;
    size_t n_stays;
};

static void make_session(struct session *s, size_t audience, size_t n, size_t churn, uint64_t *rng)
{
    s->captures = xmalloc(n * sizeof *s->captures);
    size_t cap = audience + n * churn;
    s->stays = xmalloc(cap * sizeof *s->stays);
    s->n_stays = 0;
    int64_t *here = xmalloc(audience * sizeof *here), *from = xmalloc(audience * sizeof *from);
    int64_t *gone = xmalloc(cap * sizeof *gone);
    size_t n_gone = 0;
    int64_t fresh = 100000000;
    for (size_t i = 0; i < audience; i++) {
        here[i] = fresh++;
        from[i] = 1;
    }
    for (size_t k = 1; k <= n; k++) {
        s->captures[k - 1] = (struct an_capture){(int64_t)k, 1700000000000LL + (int64_t)k * 60000};
        if (k == 1)
            continue;
        for (size_t c = 0; c < churn; c++) {
            size_t i = next(rng) % audience;
            if (from[i] == (int64_t)k)
                continue; /* joined this capture already */
            s->stays[s->n_stays++] = (struct an_stay){here[i], 1, from[i], (int64_t)k - 1};
            gone[n_gone++] = here[i];
            size_t g = next(rng) % n_gone;
            if (next(rng) % 2 && gone[g] != here[i]) {
                here[i] = gone[g];
                gone[g] = gone[--n_gone];
            } else {
                here[i] = fresh++;
            }
            from[i] = (int64_t)k;
        }
    }
    for (size_t i = 0; i < audience; i++)
        s->stays[s->n_stays++] = (struct an_stay){here[i], 1, from[i], 0};
    free(here);
    free(from);
    free(gone);
}

static long peak_rss_kb(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

int main(void)
{
    uint64_t rng = 1;
    const size_t n = 720, audience = 20000;
    struct session s;
    make_session(&s, audience, n, audience / 50, &rng);
    struct an_channel ch = {1, s.captures, n, s.stays, s.n_stays};
    printf("session: %zu captures, %zu chatters present, %zu stays\n", n, audience, s.n_stays);

    /* Inputs the store would hand over, built outside the timing: a history for every
     * other chatter (first seen in an earlier session), profiles with creation times over
     * twelve years, and a batch of 500 bot accounts made one minute apart. */
    struct an_participation p;
    char err[256];
    if (an_participation(&ch, 1, NULL, 0, &p, err, sizeof err))
        return 1;
    size_t u = p.unique_chatters;
    struct an_history *hist = xcalloc(u, sizeof *hist);
    struct an_visit *visits = xcalloc(u, sizeof *visits);
    size_t n_hist = 0;
    struct an_profile *prof = xcalloc(u, sizeof *prof);
    char(*logins)[32] = xcalloc(u, sizeof *logins);
    for (size_t i = 0; i < u; i++) {
        int64_t id = p.chatters[i].user_id;
        if (i % 2 == 0) {
            visits[n_hist] = (struct an_visit){0, 1690000000000LL};
            hist[n_hist] = (struct an_history){id, 0, 1, &visits[n_hist], 1};
            n_hist++;
        }
        int64_t created = 1340000000000LL + (int64_t)(next(&rng) % 4000) * 86400000LL;
        if (i < 500) {
            snprintf(logins[i], sizeof logins[i], "coolviewer_%04zu", i + 1);
            created = 1710028800000LL + (int64_t)i * 60000;
        } else {
            snprintf(logins[i], sizeof logins[i], "v%lldx", (long long)id);
        }
        prof[i] = (struct an_profile){id, logins[i], created};
    }
    an_participation_free(&p);
    int64_t bot_ids[] = {100000001, 100000002};
    const char *bot_logins[] = {"nightbot", "streamelements"};
    struct an_known_bots bots = {bot_ids, 2, bot_logins, 2};

    long rss_inputs = peak_rss_kb();
    double t0 = cpu_ms();
    if (an_participation(&ch, 1, hist, n_hist, &p, err, sizeof err))
        return 1;
    double t1 = cpu_ms();
    struct an_viewers v;
    an_viewers(1, p.chatters, p.unique_chatters, hist, n_hist, &v);
    size_t n_reg;
    struct an_viewer *reg = an_regulars(&v, 100, &n_reg);
    double t2 = cpu_ms();
    struct an_age_histogram ages;
    an_account_ages(prof, u, AN_PERIOD_MONTH, &ages);
    struct an_creation_days days;
    an_top_creation_days(prof, u, 10, NULL, &days);
    struct an_clusters clusters;
    an_clusters(prof, u, NULL, &clusters);
    size_t n_wave;
    int64_t *wave = an_clusters_members(&clusters, &n_wave);
    double t3 = cpu_ms();
    struct an_raids raids;
    if (an_raids(&ch, &p, NULL, wave, n_wave, &raids, err, sizeof err))
        return 1;
    struct an_multi *multi;
    size_t n_multi;
    if (an_multi_channel(&ch, 1, 2, &multi, &n_multi, err, sizeof err))
        return 1;
    struct an_flags flags;
    an_flags_init(&flags);
    an_flags_add_known_bots(&flags, prof, u, &bots);
    an_flags_add_waves(&flags, &days, AN_LEVEL_SUSPECT);
    an_flags_add_clusters(&flags, &clusters);
    struct an_multi_rule mr = an_multi_rule_default();
    an_flags_add_multi_channel(&flags, multi, n_multi, 1, &mr, prof, u);
    double t4 = cpu_ms();
    printf("participation:          %6.1f ms (unique %zu, peak %zu, p50 %lld ms)\n", t1 - t0,
           p.unique_chatters, p.peak_chatters, (long long)p.p50_ms);
    printf("new/returning+regulars: %6.1f ms (new %zu, returning %zu)\n", t2 - t1, v.n_new,
           v.n_returning);
    printf("accounts+days+clusters: %6.1f ms (%zu months, top day %zu, %zu clusters)\n", t3 - t2,
           ages.n, days.n ? days.days[0].count : 0, clusters.n);
    printf("raids+multi+flags:      %6.1f ms (%zu raids, %zu flagged)\n", t4 - t3, raids.n,
           flags.n);
    printf("full session statistics: %.1f ms CPU\n", t4 - t0);
    printf("peak RSS: %.1f MB with the inputs (%.1f MB before computing)\n",
           (double)peak_rss_kb() / 1024.0, (double)rss_inputs / 1024.0);
    an_flags_free(&flags);
    free(multi);
    an_raids_free(&raids);
    free(wave);
    an_clusters_free(&clusters);
    an_creation_days_free(&days);
    an_age_histogram_free(&ages);
    free(reg);
    an_viewers_free(&v);
    an_participation_free(&p);
    free(hist);
    free(visits);
    free(prof);
    free(logins);

    enum { CHANNELS = 20, PER = 50000 };
    int64_t *ids = xmalloc((size_t)CHANNELS * PER * sizeof *ids);
    struct an_id_set sets[CHANNELS];
    for (size_t c = 0; c < CHANNELS; c++) {
        /* Channels draw from a pool of 400,000 viewers, so pairs share about an eighth. */
        for (size_t i = 0; i < PER; i++)
            ids[c * PER + i] = 40000000 + (int64_t)(next(&rng) % 400000) * 13;
        sets[c] = (struct an_id_set){(int64_t)c, ids + c * PER, PER};
    }
    double t5 = cpu_ms();
    struct an_overlap_matrix m;
    an_overlap_matrix(sets, CHANNELS, &m);
    double t6 = cpu_ms();
    printf("overlap matrix %dx%d of %d ids: %.1f ms CPU (jaccard[0][1] %.3f)\n", CHANNELS, CHANNELS,
           PER, t6 - t5, m.jaccard[1]);
    an_overlap_matrix_free(&m);
    free(ids);
    printf("peak RSS after the matrix: %.1f MB\n", (double)peak_rss_kb() / 1024.0);
    free(s.captures);
    free(s.stays);
    return 0;
}
