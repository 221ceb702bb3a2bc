/* Participation: hand-computed fixtures and edge cases, then random snapshots against a
 * naive recomputation from the full per-capture chatter sets. */
#include "tests/support/testutil.h"
#include "tests/analysis/snapshots.h"
#include "analysis/participation.h"
#include "base/err.h"

#include <stdlib.h>

#define MIN 60000

/* Five captures a minute apart: 10 stays throughout, 20 leaves after 2 and returns at 4,
 * 30 is seen once at 3, 40 is present at 2..3. */
static const struct an_capture five[] = {
    {1, 0}, {2, MIN}, {3, 2 * MIN}, {4, 3 * MIN}, {5, 4 * MIN}};
static const struct an_stay five_stays[] = {
    {10, 1, 1, 0}, {20, 1, 1, 2}, {20, 1, 4, 0}, {30, 1, 3, 3}, {40, 1, 2, 3},
};

static void series_counts_joins_leaves_and_churn_per_capture(void **state)
{
    struct an_channel ch = {1, five, 5, five_stays, 5};
    struct an_participation p;
    char err[128];
    assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, err, sizeof err), 0);
    assert_int_equal(p.n_series, 5);
    size_t chatters[] = {2, 3, 3, 2, 2}, joined[] = {2, 1, 1, 1, 0}, left[] = {0, 0, 1, 2, 0};
    for (size_t k = 0; k < 5; k++) {
        assert_int_equal(p.series[k].seq, k + 1);
        assert_int_equal(p.series[k].taken_at_ms, (int64_t)k * MIN);
        assert_int_equal(p.series[k].chatters, chatters[k]);
        assert_int_equal(p.series[k].joined, joined[k]);
        assert_int_equal(p.series[k].left, left[k]);
    }
    assert_true(p.series[0].churn == 0.0);
    assert_true(p.series[2].churn == 1.0 / 3.0);
    assert_true(p.series[3].churn == 2.0 / 3.0);
    assert_int_equal(p.peak_chatters, 3);
    assert_int_equal(p.peak_seq, 2);
    assert_int_equal(p.peak_at_ms, MIN);
    assert_true(p.avg_chatters == 12.0 / 5.0);
    an_participation_free(&p);
}

static void time_present_sums_stays_and_a_gap_is_not_counted(void **state)
{
    struct an_channel ch = {1, five, 5, five_stays, 5};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, NULL, 0), 0);
    assert_int_equal(p.unique_chatters, 4);
    int64_t ids[] = {10, 20, 30, 40}, ms[] = {4 * MIN, 2 * MIN, 0, MIN};
    size_t caps[] = {5, 4, 1, 2}, stays[] = {1, 2, 1, 1};
    for (size_t i = 0; i < 4; i++) {
        assert_int_equal(p.chatters[i].user_id, ids[i]);
        assert_int_equal(p.chatters[i].present_ms, ms[i]);
        assert_int_equal(p.chatters[i].captures_present, caps[i]);
        assert_int_equal(p.chatters[i].stays, stays[i]);
    }
    /* Sorted times 0, 1m, 2m, 4m: nearest rank ceil(.5*4)=2, ceil(.9*4)=4, ceil(.99*4)=4. */
    assert_int_equal(p.p50_ms, MIN);
    assert_int_equal(p.p90_ms, 4 * MIN);
    assert_int_equal(p.p99_ms, 4 * MIN);
    assert_int_equal(p.time_buckets[0], 1);
    assert_int_equal(p.time_buckets[1], 3);
    /* 5 captures: >= 25% needs 2 captures, >= 50% and >= 75% need 3 and 4, 100% needs 5. */
    assert_int_equal(p.retained[0], 3);
    assert_int_equal(p.retained[1], 2);
    assert_int_equal(p.retained[2], 2);
    assert_int_equal(p.retained[3], 1);
    assert_true(p.retention[0] == 3.0 / 4.0);
    assert_true(p.retention[3] == 1.0 / 4.0);
    an_participation_free(&p);
}

static void new_to_channel_counts_first_appearances_not_returns(void **state)
{
    struct an_channel ch = {1, five, 5, five_stays, 5};
    /* 10 was first seen in an earlier session; 30 first seen in this one (7). */
    struct an_history hist[] = {{10, 99, 4, NULL, 0}, {30, 7, 3, NULL, 0}};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 7, hist, 2, &p, NULL, 0), 0);
    size_t fresh[] = {1, 1, 1, 0, 0};
    for (size_t k = 0; k < 5; k++)
        assert_int_equal(p.series[k].new_to_channel, fresh[k]);
    an_participation_free(&p);
}

static void empty_session_gives_zeros(void **state)
{
    struct an_channel ch = {1, NULL, 0, NULL, 0};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, NULL, 0), 0);
    assert_int_equal(p.n_series, 0);
    assert_int_equal(p.unique_chatters, 0);
    assert_int_equal(p.peak_chatters, 0);
    assert_true(p.avg_chatters == 0.0);
    assert_int_equal(p.p50_ms, 0);
    assert_true(p.retention[0] == 0.0);
    an_participation_free(&p);
}

static void one_capture_means_everyone_joined_stayed_zero_and_is_fully_retained(void **state)
{
    struct an_capture one[] = {{1, 5000}};
    struct an_stay stays[] = {{3, 1, 1, 0}, {1, 1, 1, 0}, {2, 1, 1, 1}};
    struct an_channel ch = {1, one, 1, stays, 3};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, NULL, 0), 0);
    assert_int_equal(p.series[0].chatters, 3);
    assert_int_equal(p.series[0].joined, 3);
    assert_int_equal(p.series[0].left, 0);
    assert_int_equal(p.series[0].new_to_channel, 3);
    assert_int_equal(p.p99_ms, 0);
    assert_int_equal(p.time_buckets[0], 3);
    assert_int_equal(p.retained[3], 3);
    assert_int_equal(p.chatters[0].user_id, 1);
    an_participation_free(&p);
}

static void identical_captures_have_no_joins_or_leaves_after_the_first(void **state)
{
    struct an_capture caps[] = {{1, 0}, {2, MIN}, {3, 2 * MIN}};
    struct an_stay stays[] = {{5, 1, 1, 0}, {6, 1, 1, 0}};
    struct an_channel ch = {1, caps, 3, stays, 2};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, NULL, 0), 0);
    for (size_t k = 1; k < 3; k++) {
        assert_int_equal(p.series[k].chatters, 2);
        assert_int_equal(p.series[k].joined, 0);
        assert_int_equal(p.series[k].left, 0);
        assert_true(p.series[k].churn == 0.0);
    }
    assert_int_equal(p.p50_ms, 2 * MIN);
    an_participation_free(&p);
}

static void malformed_channels_are_refused(void **state)
{
    struct an_capture caps[] = {{1, 0}, {3, MIN}};
    struct an_channel ch = {1, caps, 2, NULL, 0};
    struct an_participation p;
    char err[128];
    assert_int_equal(an_participation(&ch, 7, NULL, 0, &p, err, sizeof err), TCA_EINVAL);
    struct an_stay late[] = {{1, 1, 2, 9}};
    struct an_channel ch2 = {1, five, 5, late, 1};
    assert_int_equal(an_participation(&ch2, 7, NULL, 0, &p, err, sizeof err), TCA_EINVAL);
    struct an_capture back[] = {{1, MIN}, {2, 0}};
    struct an_channel ch3 = {1, back, 2, NULL, 0};
    assert_int_equal(an_participation(&ch3, 7, NULL, 0, &p, err, sizeof err), TCA_EINVAL);
    an_participation_free(&p);
}

static int64_t naive_rank(int64_t *v, size_t n, size_t pct)
{
    if (n == 0)
        return 0;
    qsort(v, n, sizeof *v, snap_cmp_i64);
    size_t r = 1;
    while (r * 100 < pct * n)
        r++;
    return v[r - 1];
}

static int by_user_then_from(const void *a, const void *b)
{
    const struct an_stay *x = a, *y = b;
    if (x->user_id != y->user_id)
        return x->user_id < y->user_id ? -1 : 1;
    return (x->from_seq > y->from_seq) - (x->from_seq < y->from_seq);
}

/* The stays grouped by chatter in id order (as the store reads them: summed in place) and
 * reversed (no order: through the id index) give the same participation as p. */
static void expect_same_in_any_order(const struct an_channel *ch, const struct an_history *hist,
                                     size_t n_hist, const struct an_participation *p)
{
    struct an_stay *stays = xmalloc((ch->n_stays + 1) * sizeof *stays);
    for (int way = 0; way < 2; way++) {
        memcpy(stays, ch->stays, ch->n_stays * sizeof *stays);
        qsort(stays, ch->n_stays, sizeof *stays, by_user_then_from);
        for (size_t i = 0; way == 1 && i < ch->n_stays / 2; i++) {
            struct an_stay t = stays[i];
            stays[i] = stays[ch->n_stays - 1 - i];
            stays[ch->n_stays - 1 - i] = t;
        }
        struct an_channel c = *ch;
        c.stays = stays;
        struct an_participation q;
        assert_int_equal(an_participation(&c, 7, hist, n_hist, &q, NULL, 0), 0);
        assert_int_equal(q.unique_chatters, p->unique_chatters);
        assert_memory_equal(q.chatters, p->chatters, p->unique_chatters * sizeof *p->chatters);
        assert_memory_equal(q.series, p->series, p->n_series * sizeof *p->series);
        assert_memory_equal(q.time_buckets, p->time_buckets, sizeof p->time_buckets);
        assert_memory_equal(q.retained, p->retained, sizeof p->retained);
        assert_int_equal(q.p50_ms, p->p50_ms);
        assert_int_equal(q.p90_ms, p->p90_ms);
        assert_int_equal(q.p99_ms, p->p99_ms);
        an_participation_free(&q);
    }
    free(stays);
}

static void random_snapshots_match_naive_recomputation(void **state)
{
    uint64_t rng = 42;
    for (int round = 0; round < 60; round++) {
        struct snap s;
        snap_random(&s, &rng, 80, 40, 1000, 1);
        size_t n = s.n_captures;
        /* History: a third of users first seen earlier, a third in this session. */
        struct an_history *hist = xcalloc(s.n_users + 1, sizeof *hist);
        size_t n_hist = 0;
        for (size_t u = 0; u < s.n_users; u++) {
            uint32_t r = snap_rand(&rng) % 3;
            if (r == 0)
                hist[n_hist++] = (struct an_history){s.user_ids[u], 3, 1, NULL, 0};
            else if (r == 1)
                hist[n_hist++] = (struct an_history){s.user_ids[u], 7, 1, NULL, 0};
        }
        struct an_channel ch = snap_channel(&s, 1);
        struct an_participation p;
        assert_int_equal(an_participation(&ch, 7, hist, n_hist, &p, NULL, 0), 0);
        assert_int_equal(p.n_series, n);
        expect_same_in_any_order(&ch, hist, n_hist, &p);
        size_t total = 0, peak = 0;
        for (size_t k = 1; k <= n; k++) {
            size_t c = 0, j = 0, l = 0, f = 0, before = 0;
            for (size_t u = 0; u < s.n_users; u++) {
                c += snap_at(&s, u, k);
                before += snap_at(&s, u, k - 1);
                j += snap_at(&s, u, k) && !snap_at(&s, u, k - 1);
                l += !snap_at(&s, u, k) && snap_at(&s, u, k - 1);
                int first = snap_at(&s, u, k);
                for (size_t e = 1; e < k && first; e++)
                    first = !snap_at(&s, u, e);
                const struct an_history *h = an_history_find(hist, n_hist, s.user_ids[u]);
                f += first && (!h || h->first_session_id == 7);
            }
            assert_int_equal(p.series[k - 1].chatters, c);
            assert_int_equal(p.series[k - 1].joined, j);
            assert_int_equal(p.series[k - 1].left, l);
            assert_int_equal(p.series[k - 1].new_to_channel, f);
            assert_true(p.series[k - 1].churn == (before ? (double)l / (double)before : 0.0));
            total += c;
            peak = c > peak ? c : peak;
        }
        assert_int_equal(p.peak_chatters, peak);
        assert_true(p.avg_chatters == (double)total / (double)n);
        int64_t *times = xmalloc(s.n_users * sizeof *times);
        size_t uniq = 0, retained[4] = {0};
        for (size_t u = 0; u < s.n_users; u++) {
            int64_t ms = 0;
            size_t seen = 0;
            for (size_t k = 1; k <= n; k++) {
                seen += snap_at(&s, u, k);
                if (snap_at(&s, u, k) && snap_at(&s, u, k - 1))
                    ms += s.captures[k - 1].taken_at_ms - s.captures[k - 2].taken_at_ms;
            }
            if (!seen)
                continue;
            size_t i = 0;
            while (p.chatters[i].user_id != s.user_ids[u])
                i++;
            assert_int_equal(p.chatters[i].present_ms, ms);
            assert_int_equal(p.chatters[i].captures_present, seen);
            for (int r = 0; r < 4; r++)
                retained[r] += seen * 100 >= (size_t)(25 * (r + 1)) * n;
            times[uniq++] = ms;
        }
        assert_int_equal(p.unique_chatters, uniq);
        for (size_t i = 1; i < uniq; i++)
            assert_true(p.chatters[i - 1].user_id < p.chatters[i].user_id);
        for (int r = 0; r < 4; r++) {
            assert_int_equal(p.retained[r], retained[r]);
            assert_true(p.retention[r] == (double)retained[r] / (double)uniq);
        }
        assert_int_equal(p.p50_ms, naive_rank(times, uniq, 50));
        assert_int_equal(p.p90_ms, naive_rank(times, uniq, 90));
        assert_int_equal(p.p99_ms, naive_rank(times, uniq, 99));
        size_t in_buckets = 0;
        for (size_t b = 0; b < AN_TIME_BUCKETS; b++) {
            size_t want = 0;
            int64_t lo = an_time_bucket_floor_ms(b);
            int64_t hi = b + 1 < AN_TIME_BUCKETS ? an_time_bucket_floor_ms(b + 1) : INT64_MAX;
            for (size_t i = 0; i < uniq; i++)
                want += times[i] >= lo && times[i] < hi;
            assert_int_equal(p.time_buckets[b], want);
            in_buckets += want;
        }
        assert_int_equal(in_buckets, uniq);
        free(times);
        free(hist);
        an_participation_free(&p);
        snap_free(&s);
    }
}

/* Naive: is the chatter (index u of the snapshots) present over the whole of [t0, t1]? */
static int covers(const struct snap *s, size_t u, int64_t t0, int64_t t1)
{
    for (size_t k = 1; k <= s->n_captures; k++) {
        if (!snap_at(s, u, k) || s->captures[k - 1].taken_at_ms > t0)
            continue;
        size_t e = k;
        while (snap_at(s, u, e + 1))
            e++;
        if (s->captures[e - 1].taken_at_ms >= t1)
            return 1;
    }
    return 0;
}

static void several_channels_count_a_moment_in_two_channels_once(void **state)
{
    (void)state;
    uint64_t rng = 9;
    struct snap a, b;
    /* Same id base: the two channels share many chatters. */
    snap_random(&a, &rng, 50, 40, 1000, 1);
    snap_random(&b, &rng, 50, 30, 1000, 2);
    struct an_channel chs[2] = {snap_channel(&a, 1), snap_channel(&b, 2)};
    struct an_participation all;
    assert_int_equal(an_participation_all(chs, 2, &all, NULL, 0), 0);
    assert_null(all.series);
    /* Every capture time of both channels cuts time into pieces; a chatter's time is the
     * total length of the pieces that one of its stays in either channel covers. */
    size_t nt = a.n_captures + b.n_captures;
    int64_t *times = xmalloc(nt * sizeof *times);
    for (size_t k = 0; k < a.n_captures; k++)
        times[k] = a.captures[k].taken_at_ms;
    for (size_t k = 0; k < b.n_captures; k++)
        times[a.n_captures + k] = b.captures[k].taken_at_ms;
    qsort(times, nt, sizeof *times, snap_cmp_i64);
    size_t want = 0;
    for (size_t ua = 0, ub = 0; ua < a.n_users || ub < b.n_users;) {
        /* ids ascend with the index in each snapshot: walk both like a merge */
        int64_t ia = ua < a.n_users ? a.user_ids[ua] : INT64_MAX;
        int64_t ib = ub < b.n_users ? b.user_ids[ub] : INT64_MAX;
        int64_t id = ia < ib ? ia : ib;
        int has_a = ia == id, has_b = ib == id, seen = 0;
        for (size_t k = 1; has_a && k <= a.n_captures; k++)
            seen |= snap_at(&a, ua, k);
        for (size_t k = 1; has_b && k <= b.n_captures; k++)
            seen |= snap_at(&b, ub, k);
        int64_t ms = 0;
        for (size_t i = 0; seen && i + 1 < nt; i++)
            if (times[i + 1] > times[i] && ((has_a && covers(&a, ua, times[i], times[i + 1])) ||
                                            (has_b && covers(&b, ub, times[i], times[i + 1]))))
                ms += times[i + 1] - times[i];
        if (seen) {
            assert_int_equal(all.chatters[want].user_id, id);
            assert_int_equal(all.chatters[want].present_ms, ms);
            want++;
        }
        ua += has_a;
        ub += has_b;
    }
    assert_int_equal(all.unique_chatters, want);
    free(times);
    an_participation_free(&all);
    struct an_stay bad[] = {{1, 2, 0, 0}};
    chs[1].stays = bad;
    chs[1].n_stays = 1;
    char err[128];
    assert_int_equal(an_participation_all(chs, 2, &all, err, sizeof err), TCA_EINVAL);
    an_participation_free(&all);
    snap_free(&a);
    snap_free(&b);
}

static void the_same_stay_in_two_channels_is_its_length_not_twice(void **state)
{
    (void)state;
    /* 1:03:05 to 1:05:16 in both channels; a later minute in the second one only. */
    const int64_t t0 = 3785000, t1 = 3916000, t2 = 4000000, t3 = 4060000;
    struct an_capture ca[] = {{1, t0}, {2, t1}};
    struct an_capture cb[] = {{1, t0}, {2, t1}, {3, t2}, {4, t3}};
    struct an_stay sa[] = {{42, 1, 1, 2}};
    struct an_stay sb[] = {{42, 2, 1, 2}, {42, 2, 3, 4}};
    struct an_channel chs[2] = {{1, ca, 2, sa, 1}, {2, cb, 4, sb, 2}};
    struct an_participation all;
    assert_int_equal(an_participation_all(chs, 2, &all, NULL, 0), 0);
    assert_int_equal(all.unique_chatters, 1);
    assert_int_equal(all.chatters[0].present_ms, (t1 - t0) + (t3 - t2));
    assert_int_equal(all.chatters[0].captures_present, 6);
    assert_int_equal(all.p50_ms, (t1 - t0) + (t3 - t2));
    an_participation_free(&all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(series_counts_joins_leaves_and_churn_per_capture),
        cmocka_unit_test(time_present_sums_stays_and_a_gap_is_not_counted),
        cmocka_unit_test(new_to_channel_counts_first_appearances_not_returns),
        cmocka_unit_test(empty_session_gives_zeros),
        cmocka_unit_test(one_capture_means_everyone_joined_stayed_zero_and_is_fully_retained),
        cmocka_unit_test(identical_captures_have_no_joins_or_leaves_after_the_first),
        cmocka_unit_test(malformed_channels_are_refused),
        cmocka_unit_test(random_snapshots_match_naive_recomputation),
        cmocka_unit_test(several_channels_count_a_moment_in_two_channels_once),
        cmocka_unit_test(the_same_stay_in_two_channels_is_its_length_not_twice),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
