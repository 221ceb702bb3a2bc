/* Raids: a hand-built influx with known stays, back-to-back raids, returning crowds that are
 * not raids, and the stayed counts against naive runs over random snapshots. */
#include "tests/support/testutil.h"
#include "tests/analysis/snapshots.h"
#include "analysis/raids.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN 60000

/* 40 captures a minute apart; users 1..10 stay throughout; one passer-by joins (seen once)
 * at every capture but the raid ones; raids of 50 at the captures in raid_at. */
struct fixture {
    struct an_capture caps[40];
    struct an_stay stays[400];
    size_t n;
};

static void raid_of_fifty(struct fixture *f, int64_t at, int64_t first_id)
{
    for (int64_t i = 0; i < 50; i++) {
        int64_t to = i < 20 ? 0 : i < 30 ? at + 15 : i < 40 ? at + 5 : at;
        f->stays[f->n++] = (struct an_stay){first_id + i, 1, at, to};
    }
}

static void build(struct fixture *f, const int64_t *raid_at, size_t n_raids)
{
    f->n = 0;
    for (int64_t k = 1; k <= 40; k++)
        f->caps[k - 1] = (struct an_capture){k, (k - 1) * MIN};
    for (int64_t u = 1; u <= 10; u++)
        f->stays[f->n++] = (struct an_stay){u, 1, 1, 0};
    for (int64_t k = 2; k <= 40; k++) {
        int raid = 0;
        for (size_t r = 0; r < n_raids; r++)
            raid |= raid_at[r] == k;
        if (raid)
            raid_of_fifty(f, k, 1000 * k);
        else
            f->stays[f->n++] = (struct an_stay){100 + k, 1, k, k};
    }
}

static void influx_of_new_chatters_is_a_raid_with_its_stayers_and_wave_share(void **state)
{
    static struct fixture f;
    int64_t at[] = {6};
    build(&f, at, 1);
    struct an_channel ch = {1, f.caps, 40, f.stays, f.n};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, NULL, 0), 0);
    int64_t wave[] = {6000, 6001, 6002, 6003, 6004, 6040, 6041, 6042,
                      6043, 6044, 6045, 6046, 6047, 6048, 6049, 99999};
    struct an_raids r;
    assert_int_equal(an_raids(&ch, &p, NULL, wave, 16, &r, NULL, 0), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.raids[0].seq, 6);
    assert_int_equal(r.raids[0].taken_at_ms, 5 * MIN);
    assert_int_equal(r.raids[0].joined, 50);
    assert_int_equal(r.raids[0].size, 49); /* one of the 50 is the usual passer-by */
    assert_int_equal(r.raids[0].audience, 11);
    assert_int_equal(r.raids[0].new_to_channel, 50);
    assert_true(r.raids[0].new_share == 1.0);
    assert_true(r.raids[0].expected == 1.0);
    assert_true(r.raids[0].spread == 1.0);
    /* 20 open (35 min), 10 for 15 min, 10 for 5 min, 10 seen once. */
    assert_int_equal(r.raids[0].stayed[0], 40);
    assert_int_equal(r.raids[0].stayed[1], 30);
    assert_int_equal(r.raids[0].stayed[2], 20);
    assert_int_equal(r.raids[0].in_wave, 15);
    assert_true(r.raids[0].wave_share == 15.0 / 50.0);
    an_raids_free(&r);
    an_participation_free(&p);
}

static void back_to_back_raids_are_both_found_because_raids_leave_the_baseline(void **state)
{
    static struct fixture f;
    int64_t at[] = {6, 7, 20};
    build(&f, at, 3);
    struct an_channel ch = {1, f.caps, 40, f.stays, f.n};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, NULL, 0), 0);
    struct an_raids r;
    assert_int_equal(an_raids(&ch, &p, NULL, NULL, 0, &r, NULL, 0), 0);
    assert_int_equal(r.n, 3);
    assert_int_equal(r.raids[0].seq, 6);
    assert_int_equal(r.raids[1].seq, 7);
    assert_int_equal(r.raids[2].seq, 20);
    /* one passer-by a minute on 11 chatters, so 60 chatters would bring 60/11 */
    assert_true(fabs(r.raids[1].expected - 60.0 / 11.0) < 1e-9);
    /* open stays end at capture 40, 20 min after the raid: 30 min is not observable yet */
    assert_false(r.raids[2].stayed_known[2]);
    assert_int_equal(r.raids[2].stayed[2], 0);
    assert_true(r.raids[2].stayed_known[1]);
    assert_int_equal(r.raids[2].stayed[1], 30);
    assert_int_equal(r.raids[2].stayed[0], 40);
    an_raids_free(&r);
    an_participation_free(&p);
}

static void returning_crowd_is_not_a_raid_unless_the_new_share_rule_allows_it(void **state)
{
    static struct fixture f;
    int64_t at[] = {6};
    build(&f, at, 1);
    /* Every raider was first seen in an earlier session. */
    struct an_history hist[50];
    for (int64_t i = 0; i < 50; i++)
        hist[i] = (struct an_history){6000 + i, 3, 1, NULL, 0};
    struct an_channel ch = {1, f.caps, 40, f.stays, f.n};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 7, hist, 50, &p, NULL, 0), 0);
    struct an_raids r;
    assert_int_equal(an_raids(&ch, &p, NULL, NULL, 0, &r, NULL, 0), 0);
    assert_int_equal(r.n, 0);
    an_raids_free(&r);
    struct an_raid_rule rule = an_raid_rule_default();
    rule.min_new_share = 0.0;
    assert_int_equal(an_raids(&ch, &p, &rule, NULL, 0, &r, NULL, 0), 0);
    assert_int_equal(r.n, 1);
    assert_true(r.raids[0].new_share == 0.0);
    an_raids_free(&r);
    rule.min_surge = 50; /* the surge is 49 */
    assert_int_equal(an_raids(&ch, &p, &rule, NULL, 0, &r, NULL, 0), 0);
    assert_int_equal(r.n, 0);
    an_raids_free(&r);
    an_participation_free(&p);
}

static void short_or_empty_sessions_have_no_raids(void **state)
{
    struct an_channel ch = {1, NULL, 0, NULL, 0};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, NULL, 0), 0);
    struct an_raids r;
    assert_int_equal(an_raids(&ch, &p, NULL, NULL, 0, &r, NULL, 0), 0);
    assert_int_equal(r.n, 0);
    an_raids_free(&r);
    an_participation_free(&p);
    /* Three captures: capture 3 has a baseline of one capture, below min_baseline. */
    struct an_capture caps[] = {{1, 0}, {2, MIN}, {3, 2 * MIN}};
    struct an_stay stays[60];
    for (int64_t i = 0; i < 60; i++)
        stays[i] = (struct an_stay){i + 1, 1, i < 10 ? 1 : 3, 0};
    struct an_channel ch3 = {1, caps, 3, stays, 60};
    assert_int_equal(an_participation(&ch3, 7, NULL, 0, &p, NULL, 0), 0);
    assert_int_equal(an_raids(&ch3, &p, NULL, NULL, 0, &r, NULL, 0), 0);
    assert_int_equal(r.n, 0);
    an_raids_free(&r);
    an_participation_free(&p);
}

/* A channel of `audience` chatters where joined[k] new chatters arrive at capture k and as
 * many of the longest present leave. Returns the raids found with the default rule. */
static size_t raids_in_steady_channel(size_t audience, const size_t *joined, size_t n)
{
    struct an_capture *caps = xmalloc(n * sizeof *caps);
    struct an_stay *stays = xmalloc((audience + n * 200 + 1) * sizeof *stays);
    int64_t *here = xmalloc(audience * sizeof *here), *from = xmalloc(audience * sizeof *from);
    size_t n_stays = 0, oldest = 0;
    int64_t next = 1;
    for (size_t i = 0; i < audience; i++)
        here[i] = next++, from[i] = 1;
    for (size_t k = 1; k <= n; k++) {
        caps[k - 1] = (struct an_capture){(int64_t)k, (int64_t)(k - 1) * MIN};
        for (size_t j = 0; k > 1 && j < joined[k - 1]; j++) { /* a ring: oldest out, new in */
            size_t slot = (oldest + j) % audience;
            stays[n_stays++] = (struct an_stay){here[slot], 1, from[slot], (int64_t)k - 1};
            here[slot] = next++;
            from[slot] = (int64_t)k;
        }
        if (k > 1)
            oldest = (oldest + joined[k - 1]) % audience;
    }
    for (size_t i = 0; i < audience; i++)
        stays[n_stays++] = (struct an_stay){here[i], 1, from[i], 0};
    struct an_channel ch = {1, caps, n, stays, n_stays};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, NULL, 0), 0);
    struct an_raids r;
    assert_int_equal(an_raids(&ch, &p, NULL, NULL, 0, &r, NULL, 0), 0);
    size_t found = r.n;
    an_raids_free(&r);
    an_participation_free(&p);
    free(caps);
    free(stays);
    free(here);
    free(from);
    return found;
}

static void steady_churn_and_an_ordinary_busy_minute_are_not_raids(void **state)
{
    size_t joined[30];
    /* exactly 100 of 2,000 every minute: a baseline with no spread at all */
    for (size_t k = 0; k < 30; k++)
        joined[k] = 100;
    assert_int_equal(raids_in_steady_channel(2000, joined, 30), 0);
    /* the case: 148 joiners against 89 +- 19 is +3% of the audience */
    static const size_t busy[] = {0, 70, 110, 95, 60, 89, 120, 80, 100, 75, 148, 90, 85};
    assert_int_equal(raids_in_steady_channel(2000, busy, 13), 0);
    /* and 400 at once (20% of it) is one */
    size_t raid[13];
    memcpy(raid, busy, sizeof raid);
    raid[10] = 89 + 400;
    assert_int_equal(raids_in_steady_channel(2000, raid, 13), 1);
}

static void mismatched_participation_is_refused(void **state)
{
    struct an_capture caps[] = {{1, 0}, {2, MIN}};
    struct an_channel ch = {1, caps, 2, NULL, 0};
    struct an_participation p = {0};
    struct an_raids r;
    char err[128];
    assert_int_equal(an_raids(&ch, &p, NULL, NULL, 0, &r, err, sizeof err), TCA_EINVAL);
}

static void stayed_counts_match_naive_runs_over_random_snapshots(void **state)
{
    uint64_t rng = 77;
    struct an_raid_rule every = {.window = 5,
                                 .min_baseline = 1,
                                 .z = 0.0,
                                 .min_surge = 0,
                                 .min_share = 0,
                                 .min_new_share = 0};
    for (int round = 0; round < 40; round++) {
        struct snap s;
        snap_random(&s, &rng, 60, 40, 1000, 1);
        struct an_channel ch = snap_channel(&s, 1);
        struct an_participation p;
        assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, NULL, 0), 0);
        struct an_raids r;
        assert_int_equal(an_raids(&ch, &p, &every, NULL, 0, &r, NULL, 0), 0);
        assert_true(r.n > 0);
        for (size_t i = 0; i < r.n; i++) {
            size_t k = (size_t)r.raids[i].seq, joined = 0, st[3] = {0};
            for (size_t u = 0; u < s.n_users; u++) {
                if (!snap_at(&s, u, k) || snap_at(&s, u, k - 1))
                    continue;
                joined++;
                size_t e = k;
                while (snap_at(&s, u, e + 1))
                    e++;
                int64_t ms = s.captures[e - 1].taken_at_ms - s.captures[k - 1].taken_at_ms;
                st[0] += ms >= 5 * MIN;
                st[1] += ms >= 15 * MIN;
                st[2] += ms >= 30 * MIN;
            }
            assert_int_equal(r.raids[i].joined, joined);
            int64_t left_ms = s.captures[s.n_captures - 1].taken_at_ms - r.raids[i].taken_at_ms;
            static const int64_t win[3] = {5 * MIN, 15 * MIN, 30 * MIN};
            for (int w = 0; w < 3; w++) {
                /* unknown until the window has passed by the last capture, then exact */
                assert_int_equal(r.raids[i].stayed_known[w], left_ms >= win[w]);
                assert_int_equal(r.raids[i].stayed[w], left_ms >= win[w] ? st[w] : 0);
            }
        }
        an_raids_free(&r);
        an_participation_free(&p);
        snap_free(&s);
    }
}

/* Median by insertion sort: nothing shared with the code under test. */
static double naive_median(const double *v, size_t n)
{
    double s[16];
    for (size_t i = 0; i < n; i++) {
        size_t j = i;
        while (j > 0 && s[j - 1] > v[i]) {
            s[j] = s[j - 1];
            j--;
        }
        s[j] = v[i];
    }
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* The influx rule, recomputed from the snapshots the way the header states it. */
static void influxes_match_the_rule_applied_to_naive_series(void **state)
{
    uint64_t rng = 78;
    struct an_raid_rule rule = {.window = 5,
                                .min_baseline = 2,
                                .z = 1.0,
                                .min_surge = 2,
                                .min_share = 0.05,
                                .min_new_share = 0.3};
    size_t total = 0;
    for (int round = 0; round < 60; round++) {
        struct snap s;
        snap_random(&s, &rng, 60, 40, 1000, 1);
        struct an_channel ch = snap_channel(&s, 1);
        struct an_participation p;
        assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, NULL, 0), 0);
        struct an_raids r;
        assert_int_equal(an_raids(&ch, &p, &rule, NULL, 0, &r, NULL, 0), 0);
        size_t joined[41] = {0}, fresh[41] = {0}, found = 0;
        unsigned char raid[41] = {0};
        for (size_t k = 1; k <= 40; k++)
            for (size_t u = 0; u < s.n_users; u++) {
                int first = snap_at(&s, u, k);
                for (size_t e = 1; e < k && first; e++)
                    first = !snap_at(&s, u, e);
                joined[k] += snap_at(&s, u, k) && !snap_at(&s, u, k - 1);
                fresh[k] += first;
            }
        size_t present[41] = {0};
        for (size_t k = 1; k <= 40; k++)
            for (size_t u = 0; u < s.n_users; u++)
                present[k] += snap_at(&s, u, k);
        for (size_t k = 2; k <= 40; k++) {
            double base[5];
            size_t used = 0, audience = present[k - 1];
            for (size_t j = k - 1; j >= 2 && used < rule.window; j--)
                if (!raid[j] && present[j - 1])
                    base[used++] = (double)joined[j] / (double)present[j - 1];
            if (used < rule.min_baseline)
                continue;
            double rate = naive_median(base, used);
            for (size_t i = 0; i < used; i++)
                base[i] = fabs(base[i] - rate);
            double med = rate * (double)audience;
            double spread =
                fmax(fmax(1.4826 * naive_median(base, used) * (double)audience, sqrt(med)), 1.0);
            double surge = (double)joined[k] - med;
            if (joined[k] == 0 || surge < (double)rule.min_surge ||
                surge < rule.min_share * (double)audience ||
                surge < rule.z * spread + rule.z * rule.z / 4 ||
                (double)fresh[k] / (double)joined[k] < rule.min_new_share)
                continue;
            raid[k] = 1;
            assert_true(found < r.n);
            assert_int_equal(r.raids[found].seq, k);
            assert_int_equal(r.raids[found].new_to_channel, fresh[k]);
            assert_int_equal(r.raids[found].audience, audience);
            assert_true(fabs(r.raids[found].expected - med) < 1e-9);
            assert_true(fabs(r.raids[found].spread - spread) < 1e-9);
            assert_int_equal(r.raids[found].size, (size_t)llround(surge));
            found++;
        }
        assert_int_equal(found, r.n);
        total += found;
        an_raids_free(&r);
        an_participation_free(&p);
        snap_free(&s);
    }
    assert_true(total > 0); /* the rule did fire somewhere, so the comparison meant something */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(influx_of_new_chatters_is_a_raid_with_its_stayers_and_wave_share),
        cmocka_unit_test(back_to_back_raids_are_both_found_because_raids_leave_the_baseline),
        cmocka_unit_test(returning_crowd_is_not_a_raid_unless_the_new_share_rule_allows_it),
        cmocka_unit_test(short_or_empty_sessions_have_no_raids),
        cmocka_unit_test(steady_churn_and_an_ordinary_busy_minute_are_not_raids),
        cmocka_unit_test(mismatched_participation_is_refused),
        cmocka_unit_test(stayed_counts_match_naive_runs_over_random_snapshots),
        cmocka_unit_test(influxes_match_the_rule_applied_to_naive_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
