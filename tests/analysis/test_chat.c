/* analysis/chat.c: talkers against lurkers, the per-minute timeline, the ranking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "analysis/chat.h"

static void talkers_lurkers_and_writers_the_captures_missed(void **state)
{
    (void)state;
    /* 1 and 2 write, 3 and 4 only sit in the list, 9 writes but no capture saw them */
    struct an_chat_count rows[] = {{60000, 2, 1, 0, {0}},
                                   {0, 1, 2, 1, {0}},
                                   {60000, 1, 1, 0, {0}},
                                   {0, 9, 1, 1, {0}},
                                   {0, 2, 0, 0, {0}}};
    int64_t present[] = {1, 2, 3, 4};
    struct an_chat c;
    an_chat(rows, 5, present, 4, &c);
    assert_int_equal(c.messages, 5);
    assert_int_equal(c.emote_only, 2);
    assert_int_equal(c.present, 4);
    assert_int_equal(c.talkers, 3);
    assert_int_equal(c.talkers_present, 2);
    assert_int_equal(c.lurkers, 2);
    assert_int_equal(c.n_minutes, 2);
    assert_int_equal(c.minutes[0].minute_ms, 0);
    assert_int_equal(c.minutes[0].messages, 3);
    assert_int_equal(c.minutes[0].talkers, 2); /* user 2's zero row is no talker */
    assert_int_equal(c.minutes[1].minute_ms, 60000);
    assert_int_equal(c.minutes[1].messages, 2);
    assert_int_equal(c.minutes[1].talkers, 2);
    assert_int_equal(c.ranked[0].user_id, 1);
    assert_int_equal(c.ranked[0].messages, 3);
    assert_int_equal(c.ranked[0].emote_only, 1);
    assert_int_equal(c.ranked[1].user_id, 2); /* ties by lower id */
    assert_int_equal(c.ranked[2].user_id, 9);
    an_chat_free(&c);
}

static void sentiment_sums_add_up_per_minute_per_talker_and_channel(void **state)
{
    (void)state;
    /* user 1: +3 and -1 in minute 0, nothing scored in minute 1; user 2: -4 in minute 1 */
    struct an_chat_count rows[] = {{0, 1, 3, 1, {2, 2, 1, 1}},
                                   {60000, 1, 1, 0, {0, 0, 0, 0}},
                                   {60000, 2, 2, 0, {1, -4, 0, 1}}};
    struct an_chat c;
    an_chat(rows, 3, NULL, 0, &c);
    assert_int_equal(c.tone.scored, 3);
    assert_int_equal(c.tone.score_sum, -2);
    assert_true(an_chat_tone_mean(&c.tone) == -2.0 / 3.0);
    assert_int_equal(c.minutes[0].tone.scored, 2);
    assert_true(an_chat_tone_mean(&c.minutes[0].tone) == 1.0);
    assert_int_equal(c.minutes[0].tone.positive, 1);
    assert_int_equal(c.minutes[0].tone.negative, 1);
    assert_int_equal(c.minutes[1].tone.scored, 1);
    assert_int_equal(c.minutes[1].tone.negative, 1);
    assert_int_equal(c.ranked[0].user_id, 1);
    assert_int_equal(c.ranked[0].tone.scored, 2);
    assert_int_equal(c.ranked[0].tone.score_sum, 2);
    assert_int_equal(c.ranked[1].tone.score_sum, -4);
    struct an_chat_tone none = {0};
    assert_true(an_chat_tone_mean(&none) == 0.0); /* the caller says null */
    an_chat_free(&c);
}

static void no_messages_makes_everyone_a_lurker(void **state)
{
    (void)state;
    int64_t present[] = {5, 6};
    struct an_chat c;
    an_chat(NULL, 0, present, 2, &c);
    assert_int_equal(c.talkers, 0);
    assert_int_equal(c.lurkers, 2);
    assert_int_equal(c.n_minutes, 0);
    an_chat_free(&c);
    an_chat_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(talkers_lurkers_and_writers_the_captures_missed),
        cmocka_unit_test(sentiment_sums_add_up_per_minute_per_talker_and_channel),
        cmocka_unit_test(no_messages_makes_everyone_a_lurker),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
