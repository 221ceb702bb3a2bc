/*
 * Follower waves: a burst of accounts created within hours in one read is a wave; ordinary
 * follows of every age are not, however many; the bar follows the channel's usual bursts;
 * unknown creation times take no part; a read with no follows is rated too.
 */
#include "tests/support/testutil.h"
#include "analysis/followers.h"

#include <string.h>

#define DAY 86400000LL
#define T0 1764547200000LL

static void thirty_accounts_made_within_hours_in_one_read_are_a_wave(void **state)
{
    (void)state;
    struct an_follow f[40];
    size_t n = 0;
    for (int i = 0; i < 30; i++) /* one script, three hours */
        f[n++] = (struct an_follow){1000 + i, "bot", T0, T0 - 200 * DAY + i * 360000LL, 2};
    for (int i = 0; i < 5; i++) /* ordinary follows the same read */
        f[n++] = (struct an_follow){2000 + i, "v", T0, T0 - (i + 1) * 400 * DAY, 2};
    f[n++] = (struct an_follow){3000, "v", T0, T0 - 50 * DAY, 1};
    f[n++] = (struct an_follow){3001, "v", T0, T0 - 900 * DAY, 3};
    const int64_t seqs[] = {1, 2, 3, 4};
    struct an_follower_read r[4];
    an_follower_waves(f, n, seqs, 4, NULL, r);
    assert_int_equal(r[1].n_new, 35);
    assert_int_equal(r[1].burst, 30);
    assert_true(r[1].wave);
    assert_int_equal(r[1].burst_from_ms, T0 - 200 * DAY);
    assert_false(r[0].wave);
    assert_false(r[2].wave);
    assert_int_equal(r[3].n_new, 0);
    assert_int_equal(r[3].burst, 0);
    assert_false(r[3].wave);
    size_t members = 0;
    for (size_t i = 0; i < n; i++)
        members += an_follow_in_wave(&r[1], &f[i]);
    assert_int_equal(members, 30);
}

static void many_ordinary_follows_of_every_age_are_no_wave(void **state)
{
    (void)state;
    static struct an_follow f[3000];
    for (int i = 0; i < 3000; i++) /* 3,000 follows, one account a day over 8 years */
        f[i] = (struct an_follow){i + 1, "v", T0, T0 - (i % 3000) * DAY, 1 + i % 3};
    const int64_t seqs[] = {1, 2, 3};
    struct an_follower_read r[3];
    an_follower_waves(f, 3000, seqs, 3, NULL, r);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(r[i].n_new, 1000);
        assert_true(r[i].burst <= 2);
        assert_false(r[i].wave);
    }
}

static void a_channel_whose_reads_always_burst_needs_five_times_its_usual(void **state)
{
    (void)state;
    /* a channel whose new followers are always young accounts: 30 same-day ones per read */
    static struct an_follow f[200];
    size_t n = 0;
    for (int s = 1; s <= 5; s++)
        for (int i = 0; i < 30; i++)
            f[n++] = (struct an_follow){s * 100 + i, "v", T0, T0 - s * 10 * DAY, s};
    const int64_t seqs[] = {1, 2, 3, 4, 5};
    struct an_follower_read r[5];
    an_follower_waves(f, n, seqs, 5, NULL, r);
    for (int i = 0; i < 5; i++) {
        assert_int_equal(r[i].usual, 30.0);
        assert_false(r[i].wave);
    }
    struct an_follower_rule rule = an_follower_rule_default();
    rule.over_usual = 1.0;
    an_follower_waves(f, n, seqs, 5, &rule, r);
    assert_true(r[0].wave);
}

static void unknown_creation_times_take_no_part(void **state)
{
    (void)state;
    struct an_follow f[25];
    for (int i = 0; i < 25; i++)
        f[i] = (struct an_follow){i + 1, "v", T0, i < 19 ? T0 - DAY : 0, 1};
    const int64_t seq = 1;
    struct an_follower_read r;
    an_follower_waves(f, 25, &seq, 1, NULL, &r);
    assert_int_equal(r.n_new, 25);
    assert_int_equal(r.known, 19);
    assert_int_equal(r.burst, 19);
    assert_false(r.wave);
    assert_int_equal(r.median_age_ms, DAY);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(thirty_accounts_made_within_hours_in_one_read_are_a_wave),
        cmocka_unit_test(many_ordinary_follows_of_every_age_are_no_wave),
        cmocka_unit_test(a_channel_whose_reads_always_burst_needs_five_times_its_usual),
        cmocka_unit_test(unknown_creation_times_take_no_part),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
