/* Multi-channel presence (hand-built channels with different capture times, then random
 * snapshots against a naive moment-by-moment count) and rename counting. */
#include "tests/support/testutil.h"
#include "tests/analysis/snapshots.h"
#include "analysis/suspects.h"
#include "base/err.h"

#include <stdlib.h>

static const struct an_capture ca[] = {{1, 0}, {2, 60}, {3, 120}, {4, 180}};
static const struct an_capture cb[] = {{1, 30}, {2, 90}, {3, 150}, {4, 210}};
static const struct an_capture cc[] = {{1, 0}, {2, 100}, {3, 200}};
static const struct an_capture cd[] = {{1, 120}, {2, 240}};
static const struct an_stay sa[] = {{1, 1, 1, 0}, {2, 1, 1, 1}, {3, 1, 2, 3}, {4, 1, 1, 3}};
static const struct an_stay sb[] = {{1, 2, 1, 0}, {2, 2, 2, 2}, {3, 2, 3, 0}};
static const struct an_stay sc[] = {{1, 3, 1, 0}, {3, 3, 2, 2}};
static const struct an_stay sd[] = {{4, 4, 1, 1}};

static void accounts_in_several_channels_at_the_same_moment_are_found(void **state)
{
    struct an_channel chs[] = {
        {1, ca, 4, sa, 4}, {2, cb, 4, sb, 3}, {3, cc, 3, sc, 2}, {4, cd, 2, sd, 1}};
    struct an_multi *m;
    size_t n;
    assert_int_equal(an_multi_channel(chs, 4, 2, &m, &n, NULL, 0), 0);
    assert_int_equal(n, 3);
    assert_int_equal(m[0].user_id, 1);
    assert_int_equal(m[0].channels, 3);
    assert_int_equal(m[0].at_ms, 30);
    assert_int_equal(m[1].user_id, 3); /* A 60..120 and C at 100; B starts after A ends */
    assert_int_equal(m[1].channels, 2);
    assert_int_equal(m[1].at_ms, 100);
    assert_int_equal(m[2].user_id, 4); /* A ends at 120 as D's capture is taken: touching */
    assert_int_equal(m[2].at_ms, 120);
    free(m);
    assert_int_equal(an_multi_channel(chs, 4, 3, &m, &n, NULL, 0), 0);
    assert_int_equal(n, 1);
    assert_int_equal(m[0].user_id, 1);
    free(m);
    assert_int_equal(an_multi_channel(NULL, 0, 2, &m, &n, NULL, 0), 0);
    assert_int_equal(n, 0);
    free(m);
    struct an_stay bad[] = {{1, 1, 5, 0}};
    struct an_channel broken = {1, ca, 4, bad, 1};
    char err[128];
    assert_int_equal(an_multi_channel(&broken, 1, 2, &m, &n, err, sizeof err), TCA_EINVAL);
}

/* Does channel c's snapshot put user u at moment t (inside or at the ends of a stay)? */
static int covers(const struct snap *s, size_t u, int64_t t)
{
    for (size_t k = 1; k <= s->n_captures; k++) {
        if (!snap_at(s, u, k))
            continue;
        int64_t a = s->captures[k - 1].taken_at_ms;
        int64_t b = snap_at(s, u, k + 1) ? s->captures[k].taken_at_ms : a;
        if (a <= t && t <= b)
            return 1;
    }
    return 0;
}

static void random_channels_match_a_naive_count_at_every_capture_time(void **state)
{
    uint64_t rng = 21;
    enum { C = 4 };
    for (int round = 0; round < 25; round++) {
        struct snap s[C];
        struct an_channel chs[C];
        for (size_t c = 0; c < C; c++) {
            /* Same ids in every channel (same base, same stride), different time grids. */
            snap_random(&s[c], &rng, 30, 25, 1000, (int64_t)c);
            for (size_t u = 0; u < 30; u++)
                s[c].user_ids[u] = 1000 + (int64_t)u;
            snap_derive_stays(&s[c], (int64_t)c, &rng);
            chs[c] = snap_channel(&s[c], (int64_t)c);
        }
        for (size_t min = 1; min <= C; min++) {
            struct an_multi *m;
            size_t n, found = 0;
            assert_int_equal(an_multi_channel(chs, C, min, &m, &n, NULL, 0), 0);
            for (size_t u = 0; u < 30; u++) {
                size_t most = 0;
                int64_t at = 0;
                for (size_t c = 0; c < C; c++)
                    for (size_t k = 0; k < s[c].n_captures; k++) {
                        int64_t t = s[c].captures[k].taken_at_ms;
                        size_t here = 0;
                        for (size_t d = 0; d < C; d++)
                            here += covers(&s[d], u, t);
                        if (here > most || (here == most && here && t < at)) {
                            most = here;
                            at = t;
                        }
                    }
                if (most < min)
                    continue;
                assert_true(found < n);
                assert_int_equal(m[found].user_id, 1000 + (int64_t)u);
                assert_int_equal(m[found].channels, most);
                assert_int_equal(m[found].at_ms, at);
                found++;
            }
            assert_int_equal(found, n);
            free(m);
        }
        for (size_t c = 0; c < C; c++)
            snap_free(&s[c]);
    }
}

static void renames_count_changes_between_history_rows_not_repeats(void **state)
{
    static struct an_name rows[120];
    size_t n = 0;
    rows[n++] = (struct an_name){1, "alpha", "Alpha", 1};
    rows[n++] = (struct an_name){1, "alpha", "Alpha", 2};
    rows[n++] = (struct an_name){1, "beta", "Beta", 3};
    rows[n++] = (struct an_name){1, "beta", "BETA", 4}; /* a display name change counts */
    rows[n++] = (struct an_name){1, "gamma", "Gamma", 5};
    for (int i = 0; i < 100; i++) /* written once per capture: one name, no renames */
        rows[n++] = (struct an_name){2, "same", "Same", 10 + i};
    rows[n++] = (struct an_name){2, "other", "Other", 500};
    rows[n++] = (struct an_name){3, "c3", NULL, 3}; /* out of order */
    rows[n++] = (struct an_name){3, "c1", NULL, 1};
    rows[n++] = (struct an_name){3, "c4", NULL, 4};
    rows[n++] = (struct an_name){3, "c2", NULL, 2};
    struct an_renamer *r;
    size_t nr;
    an_renamers(rows, n, 3, &r, &nr);
    assert_int_equal(nr, 2);
    assert_int_equal(r[0].user_id, 1);
    assert_int_equal(r[0].renames, 3);
    assert_string_equal(r[0].first_login, "alpha");
    assert_string_equal(r[0].last_login, "gamma");
    assert_int_equal(r[1].user_id, 3);
    assert_int_equal(r[1].renames, 3);
    assert_string_equal(r[1].first_login, "c1");
    assert_string_equal(r[1].last_login, "c4");
    free(r);
    an_renamers(rows, n, 1, &r, &nr);
    assert_int_equal(nr, 3);
    assert_int_equal(r[1].renames, 1);
    free(r);
    an_renamers(NULL, 0, 3, &r, &nr);
    assert_int_equal(nr, 0);
    free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(accounts_in_several_channels_at_the_same_moment_are_found),
        cmocka_unit_test(random_channels_match_a_naive_count_at_every_capture_time),
        cmocka_unit_test(renames_count_changes_between_history_rows_not_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
