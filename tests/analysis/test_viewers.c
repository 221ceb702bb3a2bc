/* New and returning viewers: classification against a hand-built history, and the ranking
 * of regulars with its tie-breaks. */
#include "tests/support/testutil.h"
#include "analysis/viewers.h"

#include <stdlib.h>

#define H 3600000

static const struct an_chatter_time chatters[] = {
    {1, 2 * H, 10, 1, 1}, {2, 1 * H, 5, 1, 1}, {3, 3 * H, 12, 2, 1},
    {4, 2 * H, 10, 1, 3}, {5, 0, 1, 1, 4},
};
/* 1: seen in sessions 3 and 4 before (and this one, 7); 2: first seen in this session;
 * 3: seen in session 4 twice (listed twice) and 5; 5: first seen elsewhere, no visit rows. */
static const struct an_visit v1[] = {{3, 1000}, {7, 9000}, {4, 2000}};
static const struct an_visit v3[] = {{4, 500}, {5, 4000}, {4, 600}};
static const struct an_history hist[] = {
    {1, 3, 2, v1, 3},
    {2, 7, 1, NULL, 0},
    {3, 4, 9, v3, 3},
    {5, 2, 1, NULL, 0},
};

static void chatters_are_new_only_when_first_seen_in_this_session(void **state)
{
    struct an_viewers v;
    an_viewers(7, chatters, 5, hist, 4, &v);
    assert_int_equal(v.n, 5);
    assert_int_equal(v.n_new, 2);
    assert_int_equal(v.n_returning, 3);
    assert_int_equal(v.viewers[0].returning, 1);
    assert_int_equal(v.viewers[0].earlier_sessions, 2);
    assert_int_equal(v.viewers[0].last_seen_ms, 2000); /* this session's visit is not earlier */
    assert_int_equal(v.viewers[1].returning, 0);
    assert_int_equal(v.viewers[2].earlier_sessions, 2); /* session 4 counted once */
    assert_int_equal(v.viewers[2].last_seen_ms, 4000);
    assert_int_equal(v.viewers[3].returning, 0); /* no history at all */
    assert_int_equal(v.viewers[3].sessions, 1);
    assert_int_equal(v.viewers[4].returning, 1);
    assert_int_equal(v.viewers[4].earlier_sessions, 0);
    an_viewers_free(&v);
}

static void regulars_rank_by_sessions_then_time_then_id(void **state)
{
    struct an_viewers v;
    an_viewers(7, chatters, 5, hist, 4, &v);
    size_t n;
    struct an_viewer *r = an_regulars(&v, 4, &n);
    assert_int_equal(n, 4);
    /* 3 and 1 both have 3 sessions: 3 has more time. Then 4 (2h) before 2 (1h) and 5 (0). */
    assert_int_equal(r[0].user_id, 3);
    assert_int_equal(r[1].user_id, 1);
    assert_int_equal(r[2].user_id, 4);
    assert_int_equal(r[3].user_id, 2);
    free(r);
    an_viewers_free(&v);
}

static void empty_session_has_no_viewers(void **state)
{
    struct an_viewers v;
    an_viewers(7, NULL, 0, NULL, 0, &v);
    assert_int_equal(v.n, 0);
    size_t n;
    struct an_viewer *r = an_regulars(&v, 10, &n);
    assert_int_equal(n, 0);
    free(r);
    an_viewers_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chatters_are_new_only_when_first_seen_in_this_session),
        cmocka_unit_test(regulars_rank_by_sessions_then_time_then_id),
        cmocka_unit_test(empty_session_has_no_viewers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
