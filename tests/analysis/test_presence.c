/* The presence diff against a naive set comparison, on hand-built and random inputs. */
#include "tests/support/testutil.h"
#include "analysis/presence.h"

#include <stdlib.h>
#include <string.h>

static void fill(struct chatter_set *s, const int64_t *ids, size_t n)
{
    chatter_set_init(s);
    for (size_t i = 0; i < n; i++)
        chatter_set_add(s, ids[i], "x");
}

static void joiners_and_leavers_are_split_and_stayers_cost_nothing(void **state)
{
    int64_t open[] = {1, 3, 5, 7};
    int64_t now_ids[] = {2, 3, 7, 9};
    struct chatter_set now;
    fill(&now, now_ids, 4);
    struct an_presence_diff d;
    an_presence_diff(open, 4, now.items, now.n, &d);
    assert_int_equal(d.n_joined, 2);
    assert_int_equal(d.joined[0], 2);
    assert_int_equal(d.joined[1], 9);
    assert_int_equal(d.n_left, 2);
    assert_int_equal(d.left[0], 1);
    assert_int_equal(d.left[1], 5);
    an_presence_diff_free(&d);
    chatter_set_free(&now);
}

static void first_capture_joins_everyone_and_empty_capture_closes_everyone(void **state)
{
    int64_t ids[] = {4, 8};
    struct chatter_set now;
    fill(&now, ids, 2);
    struct an_presence_diff d;
    an_presence_diff(NULL, 0, now.items, now.n, &d);
    assert_int_equal(d.n_joined, 2);
    assert_int_equal(d.n_left, 0);
    an_presence_diff_free(&d);
    an_presence_diff(ids, 2, NULL, 0, &d);
    assert_int_equal(d.n_joined, 0);
    assert_int_equal(d.n_left, 2);
    an_presence_diff_free(&d);
    chatter_set_free(&now);
}

static void duplicates_from_pages_are_removed_before_the_diff(void **state)
{
    int64_t ids[] = {9, 2, 9, 5, 2};
    struct chatter_set now;
    fill(&now, ids, 5);
    chatter_set_sort_unique(&now);
    assert_int_equal(now.n, 3);
    assert_int_equal(now.items[0].id, 2);
    assert_int_equal(now.items[2].id, 9);
    chatter_set_free(&now);
}

static int in(const int64_t *a, size_t n, int64_t v)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] == v)
            return 1;
    return 0;
}

static void random_diffs_match_naive_set_difference(void **state)
{
    srand(7);
    for (int round = 0; round < 200; round++) {
        int64_t open[64], nowv[64];
        size_t no = 0, nn = 0;
        for (int64_t v = 1; v <= 100; v++) {
            if (rand() % 3 == 0 && no < 64)
                open[no++] = v;
            if (rand() % 3 == 0 && nn < 64)
                nowv[nn++] = v;
        }
        struct chatter_set now;
        fill(&now, nowv, nn);
        struct an_presence_diff d;
        an_presence_diff(open, no, now.items, now.n, &d);
        size_t ej = 0, el = 0;
        for (size_t k = 0; k < nn; k++)
            if (!in(open, no, nowv[k]))
                assert_int_equal(d.joined[ej++], nowv[k]);
        for (size_t k = 0; k < no; k++)
            if (!in(nowv, nn, open[k]))
                assert_int_equal(d.left[el++], open[k]);
        assert_int_equal(ej, d.n_joined);
        assert_int_equal(el, d.n_left);
        an_presence_diff_free(&d);
        chatter_set_free(&now);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(joiners_and_leavers_are_split_and_stayers_cost_nothing),
        cmocka_unit_test(first_capture_joins_everyone_and_empty_capture_closes_everyone),
        cmocka_unit_test(duplicates_from_pages_are_removed_before_the_diff),
        cmocka_unit_test(random_diffs_match_naive_set_difference),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
