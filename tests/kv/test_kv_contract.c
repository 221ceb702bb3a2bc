/*
 * The kv contract: one suite, run on the memory back end always and on a real redis-server
 * when TCA_TEST_REDIS names its socket (scripts/run-tests.sh starts one). On Redis the
 * suite uses two connections, so "shared" means shared between processes' handles.
 */
#include "tests/support/testutil.h"
#include "base/clock.h"
#include "base/err.h"
#include "kv/kv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
    struct kv *a, *b; /* b is a second connection on Redis, a itself on memory */
    int64_t now;
    char key[64]; /* unique per test, so runs never see each other's state */
};

static int serial;

static int setup(void **state, const char *url)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    assert_int_equal(kv_open(url, &f->a, err, sizeof err), 0);
    if (url)
        assert_int_equal(kv_open(url, &f->b, err, sizeof err), 0);
    else
        f->b = f->a;
    f->now = clock_wall_ms();
    snprintf(f->key, sizeof f->key, "test:%d:%d:%lld", (int)getpid(), ++serial, (long long)f->now);
    *state = f;
    return 0;
}

static int setup_memory(void **state)
{
    return setup(state, NULL);
}

static int setup_redis(void **state)
{
    char url[512];
    snprintf(url, sizeof url, "unix://%s", getenv("TCA_TEST_REDIS"));
    return setup(state, url);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    if (f->b != f->a)
        kv_close(f->b);
    kv_close(f->a);
    free(f);
    return 0;
}

static int64_t take(struct kv *kv, const char *key, int64_t now)
{
    int64_t wait = -1;
    assert_int_equal(kv_budget_take(kv, key, now, &wait, NULL, 0), 0);
    return wait;
}

static void budget_of_an_unknown_token_lets_the_first_request_through(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(take(f->a, f->key, f->now), 0);
    assert_int_equal(take(f->a, f->key, f->now), 0);
}

static void budget_is_shared_by_every_handle_and_refills_at_twitchs_rate(void **state)
{
    struct fixture *f = *state;
    /* 60 points a minute, 58 missing, full in 58 s: one point a second */
    assert_int_equal(kv_budget_update(f->a, f->key, 60, 2, f->now + 58000, f->now, NULL, NULL, 0),
                     0);
    assert_int_equal(take(f->a, f->key, f->now), 0);
    assert_int_equal(take(f->b, f->key, f->now), 0);
    int64_t wait = take(f->a, f->key, f->now);
    assert_true(wait >= 1000 && wait <= 1001);
    wait = take(f->b, f->key, f->now + 500);
    assert_true(wait >= 500 && wait <= 501);
    assert_int_equal(take(f->a, f->key, f->now + 1100), 0);
    assert_true(take(f->b, f->key, f->now + 1100) > 0);
    /* refilled to the limit, never above */
    for (int i = 0; i < 60; i++)
        assert_int_equal(take(i % 2 ? f->a : f->b, f->key, f->now + 600000), 0);
    assert_true(take(f->a, f->key, f->now + 600000) > 0);
}

static void budget_counts_requests_in_flight_against_twitchs_count(void **state)
{
    struct fixture *f = *state;
    long left = -1;
    assert_int_equal(kv_budget_update(f->a, f->key, 800, 10, f->now + 60000, f->now, NULL, NULL, 0),
                     0);
    for (int i = 0; i < 5; i++)
        assert_int_equal(take(i % 2 ? f->a : f->b, f->key, f->now), 0);
    /* Twitch has seen 1 of the 5 and says 6 (someone else spent 3): 4 are still on their
     * way, so 2 points are left, not 5 nor 6 */
    assert_int_equal(kv_budget_update(f->b, f->key, 800, 6, f->now + 60000, f->now, &left, NULL, 0),
                     0);
    assert_int_equal(left, 2);
    assert_int_equal(take(f->a, f->key, f->now), 0);
    assert_int_equal(take(f->b, f->key, f->now), 0);
    assert_true(take(f->a, f->key, f->now) > 0);
}

static void budget_keeps_its_own_count_when_a_late_answer_says_more(void **state)
{
    struct fixture *f = *state;
    long left = -1;
    assert_int_equal(kv_budget_update(f->a, f->key, 800, 3, f->now + 60000, f->now, NULL, NULL, 0),
                     0);
    assert_int_equal(take(f->a, f->key, f->now), 0);
    /* an answer sent long before arrives late with a higher count: ours already spent it */
    assert_int_equal(
        kv_budget_update(f->b, f->key, 800, 700, f->now + 60000, f->now, &left, NULL, 0), 0);
    assert_int_equal(left, 2);
    assert_int_equal(take(f->a, f->key, f->now), 0);
    assert_int_equal(take(f->a, f->key, f->now), 0);
    assert_true(take(f->a, f->key, f->now) > 0);
}

static void budget_treats_a_reset_hours_away_as_clock_skew(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(
        kv_budget_update(f->a, f->key, 800, 0, f->now + 10 * 3600 * 1000, f->now, NULL, NULL, 0),
        0);
    int64_t wait = take(f->a, f->key, f->now);
    assert_true(wait > 0 && wait <= KV_BUDGET_RESET_MAX_MS / 800 + 1);
}

static void budget_without_a_usable_reset_waits_a_second(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(kv_budget_update(f->a, f->key, 0, 0, -1, f->now, NULL, NULL, 0), 0);
    assert_int_equal(take(f->a, f->key, f->now), 1000);
}

static int64_t rate(struct kv *kv, const char *key, int64_t now)
{
    int64_t wait = -1;
    assert_int_equal(kv_rate_take(kv, key, 60, 3, now, &wait, NULL, 0), 0);
    return wait;
}

static void rate_limit_allows_a_burst_then_one_a_second_across_handles(void **state)
{
    struct fixture *f = *state;
    char other[80];
    snprintf(other, sizeof other, "%s:other", f->key);
    assert_int_equal(rate(f->a, f->key, f->now), 0);
    assert_int_equal(rate(f->b, f->key, f->now), 0);
    assert_int_equal(rate(f->a, f->key, f->now), 0);
    int64_t wait = rate(f->b, f->key, f->now);
    assert_true(wait > 0 && wait <= 1001);
    assert_int_equal(rate(f->a, other, f->now), 0); /* another client has its own bucket */
    assert_int_equal(rate(f->a, f->key, f->now + 1000), 0);
    assert_true(rate(f->b, f->key, f->now + 1000) > 0);
}

static void rate_limit_of_zero_is_off(void **state)
{
    struct fixture *f = *state;
    int64_t wait = -1;
    for (int i = 0; i < 100; i++) {
        assert_int_equal(kv_rate_take(f->a, f->key, 0, 1, f->now, &wait, NULL, 0), 0);
        assert_int_equal(wait, 0);
    }
}

static void cache_drop_reaches_every_handle_and_holds_off_stale_puts(void **state)
{
    struct fixture *f = *state;
    char *v = NULL;
    assert_int_equal(kv_cache_get(f->a, f->key, &v, NULL, 0), TCA_ENOTFOUND);
    assert_int_equal(kv_cache_put(f->a, f->key, "1 2 0", 60000, NULL, 0), 0);
    assert_int_equal(kv_cache_get(f->b, f->key, &v, NULL, 0), 0);
    assert_string_equal(v, "1 2 0");
    free(v);
    assert_int_equal(kv_cache_drop(f->b, f->key, 60000, NULL, 0), 0);
    assert_int_equal(kv_cache_get(f->a, f->key, &v, NULL, 0), TCA_ENOTFOUND);
    /* a reader that loaded the value before the drop cannot put it back */
    assert_int_equal(kv_cache_put(f->a, f->key, "1 2 0", 60000, NULL, 0), 0);
    assert_int_equal(kv_cache_get(f->b, f->key, &v, NULL, 0), TCA_ENOTFOUND);
}

static void cache_entries_expire_and_holds_end(void **state)
{
    struct fixture *f = *state;
    char *v = NULL;
    assert_int_equal(kv_cache_put(f->a, f->key, "x", 50, NULL, 0), 0);
    clock_sleep_ms(200); /* a lower bound on the wait: load can only make it longer */
    assert_int_equal(kv_cache_get(f->a, f->key, &v, NULL, 0), TCA_ENOTFOUND);
    assert_int_equal(kv_cache_drop(f->a, f->key, 50, NULL, 0), 0);
    clock_sleep_ms(200);
    assert_int_equal(kv_cache_put(f->a, f->key, "y", 60000, NULL, 0), 0);
    assert_int_equal(kv_cache_get(f->b, f->key, &v, NULL, 0), 0);
    assert_string_equal(v, "y");
    free(v);
}

static void lease_has_one_holder_until_released(void **state)
{
    struct fixture *f = *state;
    int held = -1;
    assert_int_equal(kv_lease(f->a, f->key, "worker-a", 60000, &held, NULL, 0), 0);
    assert_int_equal(held, 1);
    assert_int_equal(kv_lease(f->b, f->key, "worker-b", 60000, &held, NULL, 0), 0);
    assert_int_equal(held, 0);
    assert_int_equal(kv_lease(f->a, f->key, "worker-a", 60000, &held, NULL, 0), 0);
    assert_int_equal(held, 1); /* renewed */
    assert_int_equal(kv_lease_release(f->b, f->key, "worker-b", NULL, 0), 0);
    assert_int_equal(kv_lease(f->b, f->key, "worker-b", 60000, &held, NULL, 0), 0);
    assert_int_equal(held, 0); /* only the holder can release */
    assert_int_equal(kv_lease_release(f->a, f->key, "worker-a", NULL, 0), 0);
    assert_int_equal(kv_lease(f->b, f->key, "worker-b", 60000, &held, NULL, 0), 0);
    assert_int_equal(held, 1);
}

static void lease_of_a_silent_holder_passes_on_after_its_ttl(void **state)
{
    struct fixture *f = *state;
    int held = -1;
    assert_int_equal(kv_lease(f->a, f->key, "worker-a", 100, &held, NULL, 0), 0);
    assert_int_equal(held, 1);
    assert_int_equal(kv_lease(f->b, f->key, "worker-b", 100, &held, NULL, 0), 0);
    assert_int_equal(held, 0);
    clock_sleep_ms(300);
    assert_int_equal(kv_lease(f->b, f->key, "worker-b", 60000, &held, NULL, 0), 0);
    assert_int_equal(held, 1);
    assert_int_equal(kv_lease(f->a, f->key, "worker-a", 100, &held, NULL, 0), 0);
    assert_int_equal(held, 0);
}

/* A user id of this test alone, so runs on one Redis never see each other's logins. */
static int64_t user_of(const struct fixture *f, int n)
{
    return (int64_t)getpid() * 1000000 + serial * 10 + n;
}

static struct kv_login login_of(int64_t user_id, int64_t now)
{
    struct kv_login l = {.user_id = user_id,
                         .created_at_ms = now,
                         .last_seen_ms = now,
                         .expires_at_ms = now + 3600000};
    snprintf(l.csrf, sizeof l.csrf, "csrf-%lld", (long long)user_id);
    return l;
}

static void login_issued_by_one_handle_is_read_and_ended_by_another(void **state)
{
    struct fixture *f = *state;
    char h[96];
    struct kv_login l = login_of(user_of(f, 1), f->now), got;
    snprintf(h, sizeof h, "%s-1", f->key);
    assert_int_equal(kv_login_get(f->b, h, &got, NULL, 0), TCA_ENOTFOUND);
    assert_int_equal(kv_login_put(f->a, h, &l, 60000, NULL, 0), 0);
    assert_int_equal(kv_login_get(f->b, h, &got, NULL, 0), 0);
    assert_int_equal(got.user_id, l.user_id);
    assert_string_equal(got.csrf, l.csrf);
    assert_int_equal(got.created_at_ms, l.created_at_ms);
    assert_int_equal(got.expires_at_ms, l.expires_at_ms);
    assert_int_equal(kv_login_touch(f->b, h, f->now + 5000, 60000, NULL, 0), 0);
    assert_int_equal(kv_login_get(f->a, h, &got, NULL, 0), 0);
    assert_int_equal(got.last_seen_ms, f->now + 5000);
    assert_int_equal(kv_login_delete(f->b, h, NULL, 0), 0);
    assert_int_equal(kv_login_get(f->a, h, &got, NULL, 0), TCA_ENOTFOUND);
    /* a request that read the login before the logout cannot bring it back by touching it */
    assert_int_equal(kv_login_touch(f->a, h, f->now + 6000, 60000, NULL, 0), TCA_ENOTFOUND);
    assert_int_equal(kv_login_get(f->b, h, &got, NULL, 0), TCA_ENOTFOUND);
    assert_int_equal(kv_login_delete(f->a, h, NULL, 0), 0); /* ending it twice is no error */
}

static void logout_everywhere_ends_only_that_users_logins(void **state)
{
    struct fixture *f = *state;
    char h[3][96];
    int64_t alice = user_of(f, 1), bob = user_of(f, 2);
    struct kv_login got;
    for (int i = 0; i < 3; i++) {
        struct kv_login l = login_of(i < 2 ? alice : bob, f->now);
        snprintf(h[i], sizeof h[i], "%s-%d", f->key, i);
        assert_int_equal(kv_login_put(i % 2 ? f->b : f->a, h[i], &l, 60000, NULL, 0), 0);
    }
    assert_int_equal(kv_login_delete_user(f->b, alice, NULL, 0), 0);
    assert_int_equal(kv_login_get(f->a, h[0], &got, NULL, 0), TCA_ENOTFOUND);
    assert_int_equal(kv_login_get(f->a, h[1], &got, NULL, 0), TCA_ENOTFOUND);
    assert_int_equal(kv_login_get(f->a, h[2], &got, NULL, 0), 0);
    assert_int_equal(got.user_id, bob);
}

static void login_is_forgotten_after_its_ttl_unless_touched(void **state)
{
    struct fixture *f = *state;
    char idle[96], busy[96];
    struct kv_login l = login_of(user_of(f, 1), f->now), got;
    snprintf(idle, sizeof idle, "%s-idle", f->key);
    snprintf(busy, sizeof busy, "%s-busy", f->key);
    assert_int_equal(kv_login_put(f->a, idle, &l, 300, NULL, 0), 0);
    assert_int_equal(kv_login_put(f->a, busy, &l, 300, NULL, 0), 0);
    assert_int_equal(kv_login_touch(f->b, busy, f->now, 60000, NULL, 0), 0);
    clock_sleep_ms(600); /* a lower bound on the wait: load can only make it longer */
    assert_int_equal(kv_login_get(f->b, idle, &got, NULL, 0), TCA_ENOTFOUND);
    assert_int_equal(kv_login_get(f->b, busy, &got, NULL, 0), 0);
}

static void oauth_state_is_taken_once_by_any_handle_and_expires(void **state)
{
    struct fixture *f = *state;
    char s1[96], s2[96];
    snprintf(s1, sizeof s1, "%s-s1", f->key);
    snprintf(s2, sizeof s2, "%s-s2", f->key);
    assert_int_equal(kv_state_put(f->a, s1, 60000, NULL, 0), 0);
    assert_int_equal(kv_state_put(f->a, s2, 100, NULL, 0), 0);
    assert_int_equal(kv_state_take(f->b, s1, NULL, 0), 0);
    assert_int_equal(kv_state_take(f->a, s1, NULL, 0), TCA_ENOTFOUND);
    clock_sleep_ms(300);
    assert_int_equal(kv_state_take(f->b, s2, NULL, 0), TCA_ENOTFOUND);
    assert_int_equal(kv_state_take(f->b, "never-issued", NULL, 0), TCA_ENOTFOUND);
}

static void open_says_what_is_wrong_with_an_address(void **state)
{
    struct kv *kv = NULL;
    char err[256];
    assert_int_equal(kv_open("http://localhost:6379", &kv, err, sizeof err), TCA_EINVAL);
    assert_non_null(strstr(err, "redis://HOST:PORT"));
    assert_int_equal(kv_open("redis://localhost:99999", &kv, err, sizeof err), TCA_EINVAL);
    assert_non_null(strstr(err, "port"));
    assert_int_equal(kv_open("unix:///nonexistent/redis.sock", &kv, err, sizeof err), TCA_ETEMP);
    assert_non_null(strstr(err, "cannot connect to Redis at unix:///nonexistent/redis.sock"));
    assert_null(kv);
    assert_int_equal(kv_open("", &kv, err, sizeof err), 0);
    assert_string_equal(kv_name(kv), "memory");
    kv_close(kv);
}

#define T(name, setup_fn) cmocka_unit_test_setup_teardown(name, setup_fn, teardown)
#define CONTRACT(s)                                                                                \
    T(budget_of_an_unknown_token_lets_the_first_request_through, s),                               \
        T(budget_is_shared_by_every_handle_and_refills_at_twitchs_rate, s),                        \
        T(budget_counts_requests_in_flight_against_twitchs_count, s),                              \
        T(budget_keeps_its_own_count_when_a_late_answer_says_more, s),                             \
        T(budget_treats_a_reset_hours_away_as_clock_skew, s),                                      \
        T(budget_without_a_usable_reset_waits_a_second, s),                                        \
        T(rate_limit_allows_a_burst_then_one_a_second_across_handles, s),                          \
        T(rate_limit_of_zero_is_off, s),                                                           \
        T(cache_drop_reaches_every_handle_and_holds_off_stale_puts, s),                            \
        T(cache_entries_expire_and_holds_end, s), T(lease_has_one_holder_until_released, s),       \
        T(lease_of_a_silent_holder_passes_on_after_its_ttl, s),                                    \
        T(login_issued_by_one_handle_is_read_and_ended_by_another, s),                             \
        T(logout_everywhere_ends_only_that_users_logins, s),                                       \
        T(login_is_forgotten_after_its_ttl_unless_touched, s),                                     \
        T(oauth_state_is_taken_once_by_any_handle_and_expires, s)

int main(void)
{
    const struct CMUnitTest memory[] = {
        CONTRACT(setup_memory),
        cmocka_unit_test(open_says_what_is_wrong_with_an_address),
    };
    const struct CMUnitTest redis[] = {CONTRACT(setup_redis)};
    int failed = cmocka_run_group_tests_name("kv contract, memory", memory, NULL, NULL);
    const char *sock = getenv("TCA_TEST_REDIS");
    if (sock && *sock)
        failed += cmocka_run_group_tests_name("kv contract, redis", redis, NULL, NULL);
    else
        printf("kv contract, redis: skipped (TCA_TEST_REDIS names no socket)\n");
    return failed;
}
