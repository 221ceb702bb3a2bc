/*
 * The gateway's caches over the kv (web/cache.c): two caches on one kv stand for two gateway
 * processes. Without a near time a drop in one is seen by the other at once; with one, the
 * dropping process sees it at once and the other after at most the near time, and a stale
 * put after a drop never comes back. Runs on the memory kv, and on Redis when TCA_TEST_REDIS
 * names its socket.
 */
#include "tests/support/testutil.h"
#include "base/clock.h"
#include "kv/kv.h"
#include "web/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fixture {
    struct kv *kv;
    char key[64];
};

static int serial;

static int setup_on(void **state, const char *url)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    assert_int_equal(kv_open(url, &f->kv, err, sizeof err), 0);
    snprintf(f->key, sizeof f->key, "t%d-%d-%lld", (int)getpid(), ++serial,
             (long long)clock_wall_ms());
    *state = f;
    return 0;
}

static int setup_memory(void **state)
{
    return setup_on(state, NULL);
}

static int setup_redis(void **state)
{
    char url[512];
    snprintf(url, sizeof url, "unix://%s", getenv("TCA_TEST_REDIS"));
    return setup_on(state, url);
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    kv_close(f->kv);
    free(f);
    return 0;
}

/* The value of key in c, "" when missing. */
static void expect(struct web_cache *c, const char *key, const char *want)
{
    char *got = web_cache_get(c, key, clock_mono_ms());
    assert_string_equal(got ? got : "", want);
    free(got);
}

static void drop_without_near_time_is_seen_by_every_process_at_once(void **state)
{
    struct fixture *f = *state;
    struct web_cache *a = web_cache_new(f->kv, "t", 0), *b = web_cache_new(f->kv, "t", 0);
    web_cache_put(a, f->key, "v1", clock_mono_ms() + 60000);
    expect(b, f->key, "v1");
    web_cache_drop(a, f->key);
    expect(b, f->key, "");
    web_cache_free(a);
    web_cache_free(b);
}

static void near_copy_serves_reads_and_sees_other_drops_after_its_time(void **state)
{
    struct fixture *f = *state;
    struct web_cache *a = web_cache_new(f->kv, "t", 300), *b = web_cache_new(f->kv, "t", 300);
    web_cache_put(a, f->key, "v1", clock_mono_ms() + 60000);
    expect(b, f->key, "v1"); /* b keeps a near copy now */
    web_cache_drop(a, f->key);
    expect(a, f->key, ""); /* the dropping process sees its drop at once */
    clock_sleep_ms(600);   /* a lower bound: load only makes it longer */
    expect(b, f->key, "");
    web_cache_free(a);
    web_cache_free(b);
}

static void stale_put_after_a_drop_is_refused_near_and_far(void **state)
{
    struct fixture *f = *state;
    struct web_cache *a = web_cache_new(f->kv, "t", 60000), *b = web_cache_new(f->kv, "t", 0);
    web_cache_drop(a, f->key);
    /* a request that read the store before the drop puts the old value back */
    web_cache_put(a, f->key, "old", clock_mono_ms() + 60000);
    expect(a, f->key, "");
    expect(b, f->key, "");
    web_cache_free(a);
    web_cache_free(b);
}

static void near_copy_never_outlives_the_entry(void **state)
{
    struct fixture *f = *state;
    struct web_cache *a = web_cache_new(f->kv, "t", 60000);
    web_cache_put(a, f->key, "short", clock_mono_ms() + 100);
    clock_sleep_ms(400);
    expect(a, f->key, "");
    web_cache_free(a);
}

#define T(name, s) cmocka_unit_test_setup_teardown(name, s, teardown)
#define ALL(s)                                                                                     \
    T(drop_without_near_time_is_seen_by_every_process_at_once, s),                                 \
        T(near_copy_serves_reads_and_sees_other_drops_after_its_time, s),                          \
        T(stale_put_after_a_drop_is_refused_near_and_far, s),                                      \
        T(near_copy_never_outlives_the_entry, s)

int main(void)
{
    const struct CMUnitTest memory[] = {ALL(setup_memory)};
    int failed = cmocka_run_group_tests_name("cache on the memory kv", memory, NULL, NULL);
    if (!getenv("TCA_TEST_REDIS"))
        return failed;
    const struct CMUnitTest redis[] = {ALL(setup_redis)};
    return failed | cmocka_run_group_tests_name("cache on redis", redis, NULL, NULL);
}
