/* Flags: every source of a flag, reasons combining on one account, the text people read,
 * and leaving flagged accounts out of a statistic. */
#include "tests/support/testutil.h"
#include "analysis/flags.h"
#include "analysis/participation.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAR10 1710028800000LL

static void known_bots_match_by_id_or_by_login_ignoring_case(void **state)
{
    struct an_profile p[] = {
        {1, "nightbot", 0}, {2, "viewer", 0},   {3, "StreamElements", 0},
        {4, "someone", 0},  {1, "nightbot", 0},
    };
    int64_t ids[] = {4, 99};
    const char *logins[] = {"streamelements", "NightBot", "moobot"};
    struct an_known_bots bots = {ids, 2, logins, 3};
    struct an_flags f;
    an_flags_init(&f);
    an_flags_add_known_bots(&f, p, 5, &bots);
    assert_int_equal(f.n, 3);
    assert_non_null(an_flags_find(&f, 1));
    assert_null(an_flags_find(&f, 2));
    assert_true(an_flags_match(&f, 3, AN_REASON_KNOWN_BOT));
    assert_true(an_flags_match(&f, 4, AN_REASON_KNOWN_BOT));
    assert_string_equal(an_flags_find(&f, 1)->text, "known bot"); /* listed twice, flagged once */
    an_flags_free(&f);
}

static void reasons_from_every_statistic_combine_on_one_account(void **state)
{
    struct an_profile p[60];
    char logins[60][32];
    for (int i = 0; i < 60; i++) {
        snprintf(logins[i], sizeof logins[i], "farm_%03d", i);
        p[i] = (struct an_profile){100 + i, logins[i], MAR10 + i * 1000};
    }
    struct an_creation_days days;
    an_top_creation_days(p, 60, 10, NULL, &days);
    struct an_clusters clusters;
    an_clusters(p, 60, NULL, &clusters);
    struct an_multi multi[] = {{100, 4, 5000}};
    struct an_renamer ren[] = {{100, 3, "a", "farm_000"}, {7, 5, "x", "y"}};
    struct an_flags f;
    an_flags_init(&f);
    an_flags_add_waves(&f, &days, AN_LEVEL_SUSPECT);
    an_flags_add_clusters(&f, &clusters);
    an_flags_add_renamers(&f, ren, 2);
    struct an_multi_rule mr = an_multi_rule_default();
    an_flags_add_multi_channel(&f, multi, 1, 4, &mr, p, 60);
    assert_int_equal(f.n, 61);
    const struct an_flag *flag = an_flags_find(&f, 100);
    assert_int_equal(flag->reasons, AN_REASON_WAVE | AN_REASON_CLUSTER | AN_REASON_MULTI_CHANNEL |
                                        AN_REASON_RENAMER);
    assert_string_equal(flag->text, "created 2024-03-10, a suspect creation day (60 accounts); "
                                    "login cluster farm_* (60 accounts, 0..59); "
                                    "3 renames (a -> farm_000); "
                                    "in 4 channels at once, with another reason");
    assert_int_equal(an_flags_find(&f, 7)->reasons, AN_REASON_RENAMER);
    const struct an_flag **sorted = an_flags_sorted(&f);
    assert_int_equal(sorted[0]->user_id, 7);
    assert_int_equal(sorted[60]->user_id, 159);
    free(sorted);
    an_flags_free(&f);
    /* Below the wave level nothing is flagged for the wave. */
    an_flags_init(&f);
    an_flags_add_waves(&f, &days, AN_LEVEL_CRITICAL);
    assert_int_equal(f.n, 0);
    an_flags_free(&f);
    an_creation_days_free(&days);
    an_clusters_free(&clusters);
}

static void flagged_accounts_can_be_left_out_of_participation(void **state)
{
    struct an_capture caps[] = {{1, 0}, {2, 60000}};
    struct an_stay stays[] = {{1, 9, 1, 0}, {2, 9, 1, 1}, {3, 9, 2, 0}, {2, 9, 2, 2}};
    struct an_flags f;
    an_flags_init(&f);
    an_flags_add(&f, 2, AN_REASON_KNOWN_BOT, "known bot");
    an_flags_add(&f, 3, AN_REASON_RENAMER, "4 renames");
    struct an_stay *kept;
    size_t n;
    an_flags_exclude_stays(&f, AN_REASON_KNOWN_BOT, stays, 4, &kept, &n);
    assert_int_equal(n, 2);
    struct an_channel ch = {9, caps, 2, kept, n};
    struct an_participation p;
    assert_int_equal(an_participation(&ch, 1, NULL, 0, &p, NULL, 0), 0);
    assert_int_equal(p.unique_chatters, 2);
    assert_int_equal(p.series[1].chatters, 2);
    an_participation_free(&p);
    free(kept);
    an_flags_exclude_stays(&f, AN_REASON_KNOWN_BOT | AN_REASON_RENAMER, stays, 4, &kept, &n);
    assert_int_equal(n, 1);
    free(kept);
    an_flags_free(&f);
}

static void many_channels_at_once_flags_alone_only_past_half_the_session(void **state)
{
    const int64_t day = 86400000, now = 2000 * day;
    /* 1: a regular of a 3-channel community; 2: in 15 of 30 channels; 3: in 3 channels with
     * an account 2 days old; 4: in 3 channels, already a known bot; 5: in 4 channels of 6 */
    struct an_profile prof[] = {{1, "regular", now - 900 * day},
                                {2, "lurker", now - 2000 * day},
                                {3, "fresh", now - 2 * day},
                                {4, "knownbot", now - 900 * day},
                                {5, "tabs", now - 900 * day}};
    struct an_multi m3[] = {{1, 3, now}, {3, 3, now}, {4, 3, now}};
    struct an_multi_rule rule = an_multi_rule_default();
    struct an_flags f;
    an_flags_init(&f);
    an_flags_add(&f, 4, AN_REASON_KNOWN_BOT, "known bot");
    assert_int_equal(an_flags_add_multi_channel(&f, m3, 3, 3, &rule, prof, 5), 2);
    assert_false(an_flags_match(&f, 1, AN_REASON_MULTI_CHANNEL));
    assert_string_equal(an_flags_find(&f, 3)->text, "in 3 channels at once, account 2 days old");
    assert_true(an_flags_match(&f, 4, AN_REASON_MULTI_CHANNEL));
    an_flags_free(&f);
    /* alone: max(5, ceil(0.5 * channels)) */
    struct an_multi m30[] = {{1, 14, now}, {2, 15, now}};
    an_flags_init(&f);
    assert_int_equal(an_flags_add_multi_channel(&f, m30, 2, 30, &rule, prof, 5), 1);
    assert_string_equal(an_flags_find(&f, 2)->text, "in 15 channels at once");
    an_flags_free(&f);
    struct an_multi m6[] = {{5, 4, now}, {1, 5, now}};
    an_flags_init(&f);
    assert_int_equal(an_flags_add_multi_channel(&f, m6, 2, 6, &rule, prof, 5), 1);
    assert_true(an_flags_match(&f, 1, AN_REASON_MULTI_CHANNEL));
    assert_false(an_flags_match(&f, 5, AN_REASON_MULTI_CHANNEL));
    an_flags_free(&f);
}

static void dates_print_as_utc_calendar_days(void **state)
{
    char d[11];
    an_date_format(MAR10 + 86399999, d);
    assert_string_equal(d, "2024-03-10");
    an_date_format(951782400000LL, d); /* 2000-02-29 */
    assert_string_equal(d, "2000-02-29");
    an_date_format(0, d);
    assert_string_equal(d, "1970-01-01");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(known_bots_match_by_id_or_by_login_ignoring_case),
        cmocka_unit_test(reasons_from_every_statistic_combine_on_one_account),
        cmocka_unit_test(flagged_accounts_can_be_left_out_of_participation),
        cmocka_unit_test(many_channels_at_once_flags_alone_only_past_half_the_session),
        cmocka_unit_test(dates_print_as_utc_calendar_days),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
