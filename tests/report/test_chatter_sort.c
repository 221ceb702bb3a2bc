/*
 * report/chatter_sort.c replaces the chatter table's qsort compares: the login order must
 * equal strcmp-then-id on logins that share long prefixes, end at 8-byte boundaries, repeat,
 * are empty or hold bytes over 0x7f; the key sort must be stable on keys spread over every
 * byte and on runs of equal keys, small and large.
 */
#include "tests/support/testutil.h"
#include "report/chatter_table.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { ROWS = 20000 };

static uint64_t rng = 7;

static uint64_t next(void)
{
    rng = rng * 6364136223846793005ull + 1442695040888963407ull;
    return rng >> 17;
}

/* Logins made to tie: a few stems of 0, 7, 8, 9 and 16 bytes, short tails, some repeats. */
static void random_login(char *out, size_t len)
{
    static const char *const stems[] = {"",          "viewer_",         "viewer_0",
                                        "viewer_0x", "viewer_0viewer_", "\xc3\xa9t\xc3\xa9"};
    size_t tail = next() % 4;
    int n = snprintf(out, len, "%s", stems[next() % 6]);
    for (size_t i = 0; i < tail && (size_t)n + 1 < len; i++)
        out[n++] = (char)(next() % 3 ? 'a' + next() % 3 : 0x80 + next() % 3);
    out[n] = '\0';
}

static const struct rp_chatter_table *cmp_table;

static int by_login_then_id(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    const struct rp_chatter_table *t = cmp_table;
    int c = strcmp(t->pool + t->login[x], t->pool + t->login[y]);
    return c ? c : (t->id[x] > t->id[y]) - (t->id[x] < t->id[y]);
}

static void login_order_equals_strcmp_then_id(void **state)
{
    (void)state;
    for (size_t n = 0; n <= ROWS; n = n ? n * 5 : 1) {
        struct rp_chatter_table t = {.n = n};
        t.id = xmalloc((n + 1) * sizeof *t.id);
        t.login = xmalloc((n + 1) * sizeof *t.login);
        t.pool = xmalloc((n + 1) * 32);
        for (size_t i = 0; i < n; i++) {
            t.id[i] = (int64_t)(next() % 1000000) - 500000; /* not in row order */
            t.login[i] = (uint32_t)t.pool_len;
            random_login(t.pool + t.pool_len, 32);
            t.pool_len += strlen(t.pool + t.pool_len) + 1;
        }
        uint32_t *got = xmalloc((n + 1) * sizeof *got), *want = xmalloc((n + 1) * sizeof *want);
        for (size_t i = 0; i < n; i++)
            want[i] = (uint32_t)i;
        cmp_table = &t;
        qsort(want, n, sizeof *want, by_login_then_id);
        rp_sort_logins(&t, got);
        for (size_t i = 0; i < n; i++) /* equal ids with equal logins may swap: compare values */
            if (got[i] != want[i] && by_login_then_id(&got[i], &want[i]) != 0)
                fail_msg("n %zu, place %zu: row %u, expected %u", n, i, got[i], want[i]);
        free(got);
        free(want);
        free(t.id);
        free(t.login);
        free(t.pool);
    }
}

static void key_sort_is_ascending_and_stable(void **state)
{
    (void)state;
    for (size_t n = 0; n <= ROWS; n = n ? n * 3 : 1) {
        for (int spread = 0; spread < 3; spread++) {
            struct rp_sort_item *a = xmalloc((n + 1) * sizeof *a);
            for (size_t i = 0; i < n; i++) {
                uint64_t k = spread == 0 ? next() % 4 : spread == 1 ? next() % 70000 : next();
                a[i] = (struct rp_sort_item){k << (spread == 2 ? 7 : 32), (uint32_t)i};
            }
            rp_sort_items(a, n);
            for (size_t i = 1; i < n; i++) {
                assert_true(a[i - 1].key <= a[i].key);
                if (a[i - 1].key == a[i].key)
                    assert_true(a[i - 1].row < a[i].row);
            }
            free(a);
        }
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(login_order_equals_strcmp_then_id),
        cmocka_unit_test(key_sort_is_ascending_and_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
