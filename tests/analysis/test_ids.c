/* The id index and id sorting: numbers are dense and stable, lookups agree with a naive
 * search, and the radix sort agrees with qsort, negative and huge ids included. */
#include "tests/support/testutil.h"
#include "tests/analysis/snapshots.h"
#include "analysis/ids.h"

#include <stdlib.h>
#include <string.h>

static void numbers_are_dense_in_order_of_first_insertion(void **state)
{
    struct an_id_index ix;
    an_id_index_init(&ix, 0);
    assert_int_equal(an_id_index_add(&ix, 500), 0);
    assert_int_equal(an_id_index_add(&ix, 7), 1);
    assert_int_equal(an_id_index_add(&ix, 500), 0);
    assert_int_equal(an_id_index_add(&ix, INT64_MAX), 2);
    uint32_t k;
    assert_true(an_id_index_find(&ix, 7, &k));
    assert_int_equal(k, 1);
    assert_false(an_id_index_find(&ix, 8, &k));
    assert_int_equal(ix.n, 3);
    an_id_index_free(&ix);
    struct an_id_index empty = {0};
    assert_false(an_id_index_find(&empty, 1, &k));
}

static void growing_past_the_expected_size_keeps_every_number(void **state)
{
    struct an_id_index ix;
    an_id_index_init(&ix, 4);
    for (int64_t i = 0; i < 100000; i++)
        assert_int_equal(an_id_index_add(&ix, i * 1000003), (uint32_t)i);
    for (int64_t i = 0; i < 100000; i++) {
        uint32_t k;
        assert_true(an_id_index_find(&ix, i * 1000003, &k));
        assert_int_equal(k, i);
    }
    int64_t ids[] = {1000003, 5, 2000006};
    roaring_bitmap_t *b = an_id_index_bitmap(&ix, ids, 3);
    assert_int_equal(roaring_bitmap_get_cardinality(b), 3);
    assert_true(roaring_bitmap_contains(b, 100000)); /* 5 was new: next number */
    roaring_bitmap_free(b);
    an_id_index_free(&ix);
}

static void radix_sort_agrees_with_qsort(void **state)
{
    uint64_t rng = 3;
    for (size_t n = 0; n < 3000; n = n * 2 + 1) {
        int64_t *a = xmalloc((n + 1) * sizeof *a), *b = xmalloc((n + 1) * sizeof *b);
        for (size_t i = 0; i < n; i++) {
            uint64_t v = (uint64_t)snap_rand(&rng) << 32 | snap_rand(&rng);
            a[i] = i % 3 == 0 ? (int64_t)v : (int64_t)(v % 1000);
            if (i % 7 == 0 && a[i] != INT64_MIN)
                a[i] = -a[i];
        }
        memcpy(b, a, n * sizeof *a);
        an_ids_sort(a, n);
        qsort(b, n, sizeof *b, snap_cmp_i64);
        assert_memory_equal(a, b, n * sizeof *a);
        size_t u = an_ids_sort_unique(a, n);
        for (size_t i = 1; i < u; i++)
            assert_true(a[i - 1] < a[i]);
        for (size_t i = 0; i < n; i++)
            assert_true(an_ids_contain(a, u, b[i]));
        assert_false(an_ids_contain(a, u, 1001));
        free(a);
        free(b);
    }
}

static void order_lists_positions_by_id_and_keeps_ties_in_input_order(void **state)
{
    int64_t ids[] = {30, -5, 30, 7, INT64_MIN, 7};
    uint32_t order[6];
    an_ids_order(ids, 6, order);
    uint32_t want[] = {4, 1, 3, 5, 0, 2};
    assert_memory_equal(order, want, sizeof want);
    an_ids_order(NULL, 0, order);
}

/* Input already in order (ids read in key order) takes a shortcut: it must answer the same. */
static void sorted_input_sorts_and_orders_as_any_other(void **state)
{
    int64_t ids[] = {INT64_MIN, -5, 7, 7, 30, 30, 31};
    uint32_t order[7], want[] = {0, 1, 2, 3, 4, 5, 6};
    an_ids_order(ids, 7, order);
    assert_memory_equal(order, want, sizeof want);
    int64_t copy[7];
    memcpy(copy, ids, sizeof ids);
    an_ids_sort(copy, 7);
    assert_memory_equal(copy, ids, sizeof ids);
    assert_int_equal(an_ids_sort_unique(copy, 7), 5);
    int64_t one_out[] = {1, 2, 3, 5, 4};
    an_ids_order(one_out, 5, order);
    uint32_t want_out[] = {0, 1, 2, 4, 3};
    assert_memory_equal(order, want_out, sizeof want_out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(numbers_are_dense_in_order_of_first_insertion),
        cmocka_unit_test(growing_past_the_expected_size_keeps_every_number),
        cmocka_unit_test(radix_sort_agrees_with_qsort),
        cmocka_unit_test(order_lists_positions_by_id_and_keeps_ties_in_input_order),
        cmocka_unit_test(sorted_input_sorts_and_orders_as_any_other),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
