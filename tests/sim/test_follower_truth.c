/* Follower waves against the simulator's ground truth. For 200 seeds, every simulated
 * channel's follows are read as captures would read them (every tick, and every 5 ticks;
 * a channel's first read keeps the hour before it, as jobs/followers.c does), each follower
 * gets its account's creation time, and each channel's reads go through an_follower_waves
 * with the default rule. The seed's follow-bot wave (60-200 accounts made within 6 hours)
 * should be found; ordinary follows (accounts of every age) should never be. Prints the false
 * alarms, misses, and account precision and recall; a false alarm or a miss fails. */
#include "tests/support/testutil.h"
#include "analysis/followers.h"
#include "base/xalloc.h"
#include "sim/followers.h"
#include "sim/world.h"

#include <stdio.h>
#include <stdlib.h>

#define SEEDS 200
#define TICKS 30
#define T0 1764547200000LL /* 2025-12-01 */
#define TICK_MS 60000LL

struct tally {
    size_t reads, alarms, false_alarms, waves, missed;
    size_t flagged, flagged_bots, bots;
    size_t max_ordinary_burst; /* largest burst of a read without follow bots */
};

/* Rates one channel's reads every `every` ticks; counts into t. */
static void rate_channel(struct world *w, struct followers *fm, size_t ch, int every,
                         const struct world_follow_wave *wave, struct tally *t)
{
    struct follower_list *l = followers_get(fm, ch, TICKS - 1);
    struct an_follow *f = xcalloc(l->n + 1, sizeof *f);
    size_t n = 0, bots = 0;
    for (size_t i = 0; i < l->n; i++) {
        int64_t tick = followers_tick_of(fm, ch, l->follows[i].user_id);
        if (tick <= -61)
            continue; /* before the first read's hour */
        struct world_user u;
        world_user_by_id(w, l->follows[i].user_id, tick, &u);
        int64_t read = tick <= 0 ? 0 : (tick + every - 1) / every * every;
        if (read >= TICKS)
            continue;
        f[n++] = (struct an_follow){u.id, NULL, l->follows[i].at_ms, u.created_at_ms, read + 1};
        bots += world_user_kind(w, u.id) == WORLD_KIND_FOLLOWBOT;
    }
    followers_release(fm, l);
    int64_t seqs[TICKS];
    size_t n_reads = 0;
    for (int64_t r = 0; r < TICKS; r += every)
        seqs[n_reads++] = r + 1;
    struct an_follower_read reads[TICKS];
    an_follower_waves(f, n, seqs, n_reads, NULL, reads);
    int caught = 0;
    for (size_t r = 0; r < n_reads; r++) {
        t->reads++;
        size_t read_bots = 0;
        for (size_t i = 0; i < n; i++)
            read_bots += f[i].seq == reads[r].seq &&
                         world_user_kind(w, f[i].user_id) == WORLD_KIND_FOLLOWBOT;
        if (!read_bots && reads[r].burst > t->max_ordinary_burst)
            t->max_ordinary_burst = reads[r].burst;
        if (!reads[r].wave)
            continue;
        t->alarms++;
        size_t members = 0, member_bots = 0;
        for (size_t i = 0; i < n; i++)
            if (an_follow_in_wave(&reads[r], &f[i])) {
                members++;
                member_bots += world_user_kind(w, f[i].user_id) == WORLD_KIND_FOLLOWBOT;
            }
        t->flagged += members;
        t->flagged_bots += member_bots;
        if (member_bots * 2 < members)
            t->false_alarms++;
        else
            caught = 1;
    }
    if ((size_t)wave->channel == ch) {
        t->waves++;
        t->bots += bots;
        t->missed += !caught;
    }
    free(f);
}

static void the_follow_bot_wave_is_found_and_ordinary_follows_never_are(void **state)
{
    (void)state;
    const int cadences[] = {1, 5};
    for (size_t c = 0; c < 2; c++) {
        struct tally t = {0};
        for (uint64_t seed = 1; seed <= SEEDS; seed++) {
            struct world *w = world_new(seed);
            struct followers *fm = followers_new(w, T0, TICK_MS);
            struct world_follow_wave wave;
            world_follow_wave(w, &wave);
            for (size_t ch = 0; ch < world_channel_count(w); ch++)
                rate_channel(w, fm, ch, cadences[c], &wave, &t);
            followers_free(fm);
            world_free(w);
        }
        printf("follower waves against the simulator, %d seeds, a read every %d tick(s): "
               "%zu reads, %zu alarms, %zu false alarms, %zu of %zu waves missed; accounts: "
               "precision %.4f (%zu of %zu flagged are follow bots), recall %.4f (of %zu); largest "
               "burst of ordinary follows %zu (a wave needs 20)\n",
               SEEDS, cadences[c], t.reads, t.alarms, t.false_alarms, t.missed, t.waves,
               t.flagged ? (double)t.flagged_bots / (double)t.flagged : 1.0, t.flagged_bots,
               t.flagged, t.bots ? (double)t.flagged_bots / (double)t.bots : 1.0, t.bots,
               t.max_ordinary_burst);
        assert_int_equal(t.false_alarms, 0);
        assert_int_equal(t.missed, 0);
        assert_int_equal(t.waves, SEEDS);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_follow_bot_wave_is_found_and_ordinary_follows_never_are),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
