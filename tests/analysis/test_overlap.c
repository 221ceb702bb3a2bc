/* Overlap: hand-built sets, empty sets, repeats, and random sets against a naive count. */
#include "tests/support/testutil.h"
#include "tests/analysis/snapshots.h"
#include "analysis/overlap.h"

#include <stdlib.h>

static void two_sets_share_ids_with_jaccard_of_shared_over_either(void **state)
{
    int64_t a[] = {5, 1, 3, 9, 3};
    int64_t b[] = {3, 4, 5, 12345678901234LL};
    struct an_overlap o;
    an_overlap(a, 5, b, 4, &o);
    assert_int_equal(o.a, 4);
    assert_int_equal(o.b, 4);
    assert_int_equal(o.shared, 2);
    assert_int_equal(o.either, 6);
    assert_true(o.jaccard == 2.0 / 6.0);
    assert_int_equal(o.shared_ids[0], 3);
    assert_int_equal(o.shared_ids[1], 5);
    an_overlap_free(&o);
}

static void empty_sets_overlap_in_nothing_with_jaccard_zero(void **state)
{
    int64_t a[] = {1};
    struct an_overlap o;
    an_overlap(NULL, 0, NULL, 0, &o);
    assert_int_equal(o.shared, 0);
    assert_true(o.jaccard == 0.0);
    an_overlap_free(&o);
    an_overlap(a, 1, NULL, 0, &o);
    assert_int_equal(o.a, 1);
    assert_int_equal(o.either, 1);
    assert_true(o.jaccard == 0.0);
    an_overlap_free(&o);
    an_overlap(a, 1, a, 1, &o);
    assert_true(o.jaccard == 1.0);
    an_overlap_free(&o);
}

static size_t naive_distinct(const int64_t *a, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++) {
        size_t j = 0;
        while (j < i && a[j] != a[i])
            j++;
        d += j == i;
    }
    return d;
}

static size_t naive_shared(const int64_t *a, size_t na, const int64_t *b, size_t nb)
{
    size_t s = 0;
    for (size_t i = 0; i < na; i++) {
        size_t j = 0, k = 0;
        while (j < i && a[j] != a[i])
            j++;
        while (k < nb && b[k] != a[i])
            k++;
        s += j == i && k < nb;
    }
    return s;
}

static void random_sets_match_naive_counts(void **state)
{
    uint64_t rng = 11;
    for (int round = 0; round < 100; round++) {
        int64_t a[300], b[300];
        size_t na = snap_rand(&rng) % 300, nb = snap_rand(&rng) % 300;
        for (size_t i = 0; i < na; i++)
            a[i] = 100000000000LL + snap_rand(&rng) % 400;
        for (size_t i = 0; i < nb; i++)
            b[i] = 100000000000LL + snap_rand(&rng) % 400;
        struct an_overlap o;
        an_overlap(a, na, b, nb, &o);
        size_t da = naive_distinct(a, na), db = naive_distinct(b, nb);
        size_t s = naive_shared(a, na, b, nb);
        assert_int_equal(o.a, da);
        assert_int_equal(o.b, db);
        assert_int_equal(o.shared, s);
        assert_true(o.jaccard == (da + db - s ? (double)s / (double)(da + db - s) : 0.0));
        for (size_t i = 0; i < o.shared; i++) {
            assert_int_equal(naive_shared(&o.shared_ids[i], 1, a, na), 1);
            assert_int_equal(naive_shared(&o.shared_ids[i], 1, b, nb), 1);
            if (i)
                assert_true(o.shared_ids[i - 1] < o.shared_ids[i]);
        }
        an_overlap_free(&o);
    }
}

static void matrix_cells_equal_pairwise_overlaps(void **state)
{
    uint64_t rng = 12;
    enum { N = 6, M = 200 };
    int64_t ids[N][M];
    struct an_id_set sets[N];
    for (size_t i = 0; i < N; i++) {
        size_t n = i == 3 ? 0 : M; /* one empty channel */
        for (size_t j = 0; j < n; j++)
            ids[i][j] = (int64_t)(snap_rand(&rng) % 500);
        sets[i] = (struct an_id_set){(int64_t)i + 100, ids[i], n};
    }
    struct an_overlap_matrix m;
    an_overlap_matrix(sets, N, &m);
    assert_int_equal(m.n, N);
    for (size_t i = 0; i < N; i++) {
        assert_int_equal(m.keys[i], i + 100);
        for (size_t j = 0; j < N; j++) {
            struct an_overlap o;
            an_overlap(sets[i].ids, sets[i].n, sets[j].ids, sets[j].n, &o);
            assert_int_equal(m.shared[i * N + j], o.shared);
            assert_true(m.jaccard[i * N + j] == o.jaccard);
            an_overlap_free(&o);
        }
        assert_int_equal(m.sizes[i], naive_distinct(sets[i].ids, sets[i].n));
    }
    assert_true(m.jaccard[3 * N + 3] == 0.0);
    assert_true(m.jaccard[0] == 1.0);
    an_overlap_matrix_free(&m);
}

static void channel_matrix_uses_every_chatter_with_a_stay(void **state)
{
    struct an_capture caps[] = {{1, 0}, {2, 1000}};
    struct an_stay s1[] = {{1, 7, 1, 1}, {2, 7, 1, 0}, {1, 7, 2, 0}};
    struct an_stay s2[] = {{2, 8, 2, 0}, {3, 8, 1, 0}};
    struct an_channel chs[] = {{7, caps, 2, s1, 3}, {8, caps, 2, s2, 2}};
    struct an_overlap_matrix m;
    an_overlap_channels(chs, 2, &m);
    assert_int_equal(m.sizes[0], 2);
    assert_int_equal(m.sizes[1], 2);
    assert_int_equal(m.shared[1], 1);
    assert_true(m.jaccard[2] == 1.0 / 3.0);
    an_overlap_matrix_free(&m);
    an_overlap_channels(NULL, 0, &m);
    assert_int_equal(m.n, 0);
    an_overlap_matrix_free(&m);
}

/* One channel is counted without a bitmap when its stays come grouped by chatter, with one
 * otherwise: the same size either way. */
static void one_channel_counts_its_distinct_chatters_grouped_or_not(void **state)
{
    struct an_capture caps[] = {{1, 0}, {2, 1000}};
    struct an_stay grouped[] = {{1, 7, 1, 1}, {1, 7, 2, 0}, {4, 7, 1, 0}, {9, 7, 2, 2}};
    struct an_stay mixed[] = {{4, 7, 1, 0}, {1, 7, 1, 1}, {9, 7, 2, 2}, {1, 7, 2, 0}};
    struct an_stay *orders[] = {grouped, mixed};
    for (int k = 0; k < 2; k++) {
        struct an_channel ch = {7, caps, 2, orders[k], 4};
        struct an_overlap_matrix m;
        an_overlap_channels(&ch, 1, &m);
        assert_int_equal(m.n, 1);
        assert_int_equal(m.keys[0], 7);
        assert_int_equal(m.sizes[0], 3);
        assert_int_equal(m.shared[0], 3);
        assert_true(m.jaccard[0] == 1.0);
        an_overlap_matrix_free(&m);
    }
    struct an_channel none = {7, caps, 2, grouped, 0};
    struct an_overlap_matrix m;
    an_overlap_channels(&none, 1, &m);
    assert_int_equal(m.sizes[0], 0);
    assert_true(m.jaccard[0] == 0.0);
    an_overlap_matrix_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(two_sets_share_ids_with_jaccard_of_shared_over_either),
        cmocka_unit_test(empty_sets_overlap_in_nothing_with_jaccard_zero),
        cmocka_unit_test(random_sets_match_naive_counts),
        cmocka_unit_test(matrix_cells_equal_pairwise_overlaps),
        cmocka_unit_test(channel_matrix_uses_every_chatter_with_a_stay),
        cmocka_unit_test(one_channel_counts_its_distinct_chatters_grouped_or_not),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
