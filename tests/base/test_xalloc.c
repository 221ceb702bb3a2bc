/* xgrow: an array grows by doubling, only when the next element does not fit. */
#include "tests/support/testutil.h"
#include "base/xalloc.h"

#include <stdint.h>
#include <stdlib.h>

static void grows_from_first_then_doubles_and_keeps_contents(void **state)
{
    size_t cap = 0;
    int *a = NULL;
    for (size_t n = 0; n < 100; n++) {
        a = xgrow(a, &cap, n, sizeof *a, 8);
        assert_true(n < cap);
        a[n] = (int)n;
    }
    assert_int_equal(cap, 128); /* 8, 16, 32, 64, 128 */
    for (int i = 0; i < 100; i++)
        assert_int_equal(a[i], i);
    int *same = xgrow(a, &cap, 100, sizeof *a, 8);
    assert_ptr_equal(same, a); /* room left: no reallocation */
    free(a);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(grows_from_first_then_doubles_and_keeps_contents),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
