/* Accounts: calendar periods against the C library's UTC calendar, the age histogram, and
 * the top creation days with their levels on a hand-built bot wave. */
#include "tests/support/testutil.h"
#include "tests/analysis/snapshots.h"
#include "analysis/accounts.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#define DAY 86400000LL
#define MAR10 1710028800000LL /* 2024-03-10 00:00 UTC, a Sunday */

static void periods_start_at_utc_day_monday_first_of_month_and_new_year(void **state)
{
    int64_t t = 1710506040000LL; /* 2024-03-15 12:34 UTC, a Friday */
    assert_int_equal(an_period_start(t, AN_PERIOD_DAY), 1710460800000LL);
    assert_int_equal(an_period_start(t, AN_PERIOD_WEEK), 1710115200000LL);
    assert_int_equal(an_period_start(t, AN_PERIOD_MONTH), 1709251200000LL);
    assert_int_equal(an_period_start(t, AN_PERIOD_YEAR), 1704067200000LL);
    /* Before 1970 the day still starts at midnight, not at the next one. */
    assert_int_equal(an_period_start(-DAY / 2, AN_PERIOD_DAY), -DAY);
    assert_int_equal(an_period_start(-DAY / 2, AN_PERIOD_WEEK), -3 * DAY);
}

static void periods_match_the_c_library_calendar_for_random_times(void **state)
{
    uint64_t rng = 5;
    for (int i = 0; i < 20000; i++) {
        int64_t t =
            (int64_t)(((uint64_t)snap_rand(&rng) << 20 | snap_rand(&rng)) % (3000000000000ULL)) -
            100000000000LL;
        time_t sec = (time_t)(t >= 0 ? t / 1000 : (t - 999) / 1000);
        struct tm tm;
        gmtime_r(&sec, &tm);
        tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
        struct tm day = tm, week = tm, month = tm, year = tm;
        week.tm_mday -= (tm.tm_wday + 6) % 7;
        month.tm_mday = 1;
        year.tm_mday = 1;
        year.tm_mon = 0;
        assert_int_equal(an_period_start(t, AN_PERIOD_DAY), (int64_t)timegm(&day) * 1000);
        assert_int_equal(an_period_start(t, AN_PERIOD_WEEK), (int64_t)timegm(&week) * 1000);
        assert_int_equal(an_period_start(t, AN_PERIOD_MONTH), (int64_t)timegm(&month) * 1000);
        assert_int_equal(an_period_start(t, AN_PERIOD_YEAR), (int64_t)timegm(&year) * 1000);
    }
}

/* The audience: 150 accounts made on Mar 10, 40 on Mar 11, 60 on Mar 12, 29 on Mar 13,
 * 10 on ten days of 2020, 5 never enriched, and every Mar 10 profile given twice. */
struct audience {
    struct an_profile p[600];
    char logins[600][32];
    size_t n;
};

static void add(struct audience *a, int64_t id, int64_t created)
{
    snprintf(a->logins[a->n], sizeof a->logins[a->n], "viewer%lld", (long long)id);
    a->p[a->n] = (struct an_profile){id, a->logins[a->n], created};
    a->n++;
}

static void build(struct audience *a)
{
    a->n = 0;
    int64_t id = 1;
    size_t per_day[] = {150, 40, 60, 29};
    for (int d = 0; d < 4; d++)
        for (size_t i = 0; i < per_day[d]; i++)
            add(a, id++, MAR10 + d * DAY + (int64_t)i * 1000);
    for (int i = 0; i < 10; i++)
        add(a, id++, 1577836800000LL + i * 3 * DAY);
    for (int i = 0; i < 5; i++)
        add(a, id++, 0);
    for (size_t i = 0; i < 150; i++)
        add(a, (int64_t)i + 1, MAR10 + (int64_t)i * 1000);
}

static void top_creation_days_rank_distinct_accounts_and_set_levels(void **state)
{
    static struct audience a;
    build(&a);
    struct an_creation_days top;
    an_top_creation_days(a.p, a.n, 10, NULL, &top);
    assert_int_equal(top.audience, 294);
    assert_int_equal(top.n, 10);
    assert_int_equal(top.days[0].day_ms, MAR10);
    assert_int_equal(top.days[0].count, 150);
    assert_int_equal(top.days[0].level, AN_LEVEL_CRITICAL);
    assert_true(top.days[0].share == 150.0 / 294.0);
    assert_int_equal(top.days[0].user_ids[0], 1);
    assert_string_equal(top.days[0].logins[149], "viewer150");
    assert_int_equal(top.days[1].day_ms, MAR10 + 2 * DAY);
    assert_int_equal(top.days[1].level, AN_LEVEL_SUSPECT);
    assert_int_equal(top.days[2].count, 40);
    assert_int_equal(top.days[2].level, AN_LEVEL_WATCH);
    assert_int_equal(top.days[3].count, 29);
    assert_int_equal(top.days[3].level, AN_LEVEL_NORMAL);
    /* Ties of one account each: earlier day first. */
    assert_int_equal(top.days[4].day_ms, 1577836800000LL);
    assert_int_equal(top.days[5].day_ms, 1577836800000LL + 3 * DAY);
    assert_string_equal(an_level_name(top.days[0].level), "critical");
    an_creation_days_free(&top);
}

static void wave_levels_are_configurable(void **state)
{
    static struct audience a;
    build(&a);
    struct an_wave_levels lv = {.critical = 45, .suspect = 35, .watch = 29};
    struct an_creation_days top;
    an_top_creation_days(a.p, a.n, 3, &lv, &top);
    assert_int_equal(top.n, 3);
    assert_int_equal(top.days[1].level, AN_LEVEL_CRITICAL);
    assert_int_equal(top.days[2].level, AN_LEVEL_SUSPECT);
    assert_int_equal(an_wave_level(&lv, 29), AN_LEVEL_WATCH);
    assert_int_equal(an_wave_level(&lv, 28), AN_LEVEL_NORMAL);
    an_creation_days_free(&top);
}

static void age_histogram_counts_distinct_accounts_per_period(void **state)
{
    static struct audience a;
    build(&a);
    struct an_age_histogram h;
    an_account_ages(a.p, a.n, AN_PERIOD_MONTH, &h);
    assert_int_equal(h.unknown, 5);
    /* 2020: Jan 1..28 are ten days 3 apart (Jan 1 .. Jan 28), all in January; then March 2024. */
    assert_int_equal(h.n, 2);
    assert_int_equal(h.buckets[0].start_ms, 1577836800000LL);
    assert_int_equal(h.buckets[0].count, 10);
    assert_int_equal(h.buckets[1].start_ms, 1709251200000LL);
    assert_int_equal(h.buckets[1].count, 279);
    an_age_histogram_free(&h);
    an_account_ages(a.p, a.n, AN_PERIOD_DAY, &h);
    assert_int_equal(h.n, 14);
    assert_int_equal(h.buckets[10].count, 150);
    an_age_histogram_free(&h);
    an_account_ages(a.p, a.n, AN_PERIOD_WEEK, &h);
    /* Mar 10 is a Sunday: it closes the week of Mar 4; Mar 11..13 open the next. */
    assert_int_equal(h.buckets[h.n - 2].count, 150);
    assert_int_equal(h.buckets[h.n - 1].count, 129);
    an_age_histogram_free(&h);
    an_account_ages(a.p, a.n, AN_PERIOD_YEAR, &h);
    assert_int_equal(h.n, 2);
    an_age_histogram_free(&h);
}

static void no_profiles_give_empty_results(void **state)
{
    struct an_creation_days top;
    an_top_creation_days(NULL, 0, 10, NULL, &top);
    assert_int_equal(top.n, 0);
    assert_int_equal(top.audience, 0);
    an_creation_days_free(&top);
    struct an_age_histogram h;
    an_account_ages(NULL, 0, AN_PERIOD_DAY, &h);
    assert_int_equal(h.n, 0);
    an_age_histogram_free(&h);
}

static void top_days_match_a_naive_count_over_random_profiles(void **state)
{
    uint64_t rng = 8;
    static struct an_profile p[400];
    for (int round = 0; round < 30; round++) {
        size_t n = 50 + snap_rand(&rng) % 350;
        for (size_t i = 0; i < n; i++) {
            /* Few ids and few days: repeats and ties on every round. */
            int64_t id = (int64_t)(snap_rand(&rng) % 300);
            int64_t day = (int64_t)(snap_rand(&rng) % 12) - 3;
            p[i] = (struct an_profile){id, "x", i % 17 ? MAR10 + day * DAY + id * 1000 : 0};
        }
        /* A repeated id keeps its first profile (creation may differ between repeats). */
        struct an_creation_days top;
        an_top_creation_days(p, n, 5, NULL, &top);
        int64_t days[12];
        size_t count[12] = {0}, audience = 0;
        for (int d = 0; d < 12; d++)
            days[d] = MAR10 + (d - 3) * DAY;
        for (size_t i = 0; i < n; i++) {
            size_t j = 0;
            while (j < i && p[j].user_id != p[i].user_id)
                j++;
            if (j < i)
                continue;
            audience++;
            for (int d = 0; d < 12 && p[i].created_at_ms; d++)
                count[d] += an_period_start(p[i].created_at_ms, AN_PERIOD_DAY) == days[d];
        }
        assert_int_equal(top.audience, audience);
        unsigned char used[12] = {0};
        for (size_t t = 0; t < top.n; t++) {
            int best = -1;
            for (int d = 0; d < 12; d++)
                if (!used[d] && count[d] && (best < 0 || count[d] > count[best]))
                    best = d;
            used[best] = 1;
            assert_int_equal(top.days[t].day_ms, days[best]);
            assert_int_equal(top.days[t].count, count[best]);
            assert_true(top.days[t].share == (double)count[best] / (double)audience);
            for (size_t m = 1; m < top.days[t].count; m++)
                assert_true(top.days[t].user_ids[m - 1] < top.days[t].user_ids[m]);
        }
        an_creation_days_free(&top);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(periods_start_at_utc_day_monday_first_of_month_and_new_year),
        cmocka_unit_test(periods_match_the_c_library_calendar_for_random_times),
        cmocka_unit_test(top_creation_days_rank_distinct_accounts_and_set_levels),
        cmocka_unit_test(wave_levels_are_configurable),
        cmocka_unit_test(age_histogram_counts_distinct_accounts_per_period),
        cmocka_unit_test(no_profiles_give_empty_results),
        cmocka_unit_test(top_days_match_a_naive_count_over_random_profiles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
