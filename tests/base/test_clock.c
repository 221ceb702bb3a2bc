/* clock_format_rfc3339: the hand-computed dates equal gmtime_r + strftime everywhere. */
#include "tests/support/testutil.h"
#include "base/clock.h"

#include <stdint.h>
#include <string.h>
#include <time.h>

static void reference(int64_t ms, char *out, size_t len)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void check(int64_t ms)
{
    char got[40], want[40];
    clock_format_rfc3339(ms, got, sizeof got);
    reference(ms, want, sizeof want);
    assert_string_equal(got, want);
}

static void dates_at_the_edges_match_libc(void **state)
{
    static const int64_t s[] = {0,          59,         86399,       86400,     951782400,
                                951868799,  951868800,  4107456000,  946684799, 1700000000,
                                4102444800, 7258118400, 253402300799};
    for (size_t i = 0; i < sizeof s / sizeof *s; i++) {
        check(s[i] * 1000);
        check(s[i] * 1000 + 999);
    }
    check(-1000);             /* before 1970: libc's path */
    check(253402300800000LL); /* year 10000: libc's path */
}

static void a_million_random_times_match_libc(void **state)
{
    uint64_t x = 0x243f6a8885a308d3ULL;
    for (int i = 0; i < 1000000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        check((int64_t)(x % 253402300800000ULL));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(dates_at_the_edges_match_libc),
        cmocka_unit_test(a_million_random_times_match_libc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
