/* The shared rate-limit budget: never overdrawn by concurrent workers, waits for the refill. */
#include "tests/support/testutil.h"
#include "twitch/internal.h"

#include <pthread.h>
#include <string.h>

#define T0_MS 1700000000000LL

/*
 * A fake clock safe across threads. A sleeper blocks until the test moves time past its
 * wake-up, so the test sees a settled state: every worker either done or waiting.
 */
struct shared_clock {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int64_t now;
    int64_t longest_sleep;
    int blocking; /* sleeps block until advanced (else they advance time themselves) */
    int waiting, done;
};

static int64_t shared_now(void *ctx)
{
    struct shared_clock *c = ctx;
    pthread_mutex_lock(&c->lock);
    int64_t t = c->now;
    pthread_mutex_unlock(&c->lock);
    return t;
}

static void shared_sleep(void *ctx, int64_t ms)
{
    struct shared_clock *c = ctx;
    pthread_mutex_lock(&c->lock);
    if (ms > c->longest_sleep)
        c->longest_sleep = ms;
    int64_t wake = c->now + ms;
    if (!c->blocking)
        c->now = wake;
    c->waiting++;
    pthread_cond_broadcast(&c->changed);
    while (c->now < wake)
        pthread_cond_wait(&c->changed, &c->lock);
    c->waiting--;
    pthread_mutex_unlock(&c->lock);
}

static struct clock shared_clock_init(struct shared_clock *c)
{
    memset(c, 0, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->changed, NULL);
    c->now = T0_MS;
    return (struct clock){.now_ms = shared_now, .sleep_ms = shared_sleep, .ctx = c};
}

static void shared_clock_destroy(struct shared_clock *c)
{
    pthread_cond_destroy(&c->changed);
    pthread_mutex_destroy(&c->lock);
}

struct worker {
    struct twitch_budget *b;
    struct shared_clock *clock;
};

static void *take_one(void *arg)
{
    struct worker *w = arg;
    budget_take(w->b, 77);
    pthread_mutex_lock(&w->clock->lock);
    w->clock->done++;
    pthread_cond_broadcast(&w->clock->changed);
    pthread_mutex_unlock(&w->clock->lock);
    return NULL;
}

static void concurrent_workers_never_take_more_than_the_bucket_holds(void **state)
{
    struct shared_clock sc;
    struct twitch_budget *b = twitch_budget_new(shared_clock_init(&sc));
    sc.blocking = 1;
    /* 5 points left of 800, refilling at 800 a minute: one every 75 ms */
    budget_update(b, 77, 800, 5, T0_MS / 1000 + 60);
    struct worker w = {.b = b, .clock = &sc};
    pthread_t th[12];
    for (int i = 0; i < 12; i++)
        pthread_create(&th[i], NULL, take_one, &w);
    pthread_mutex_lock(&sc.lock);
    while (sc.done + sc.waiting < 12)
        pthread_cond_wait(&sc.changed, &sc.lock);
    assert_int_equal(sc.done, 5); /* the other 7 wait for the refill */
    assert_true(sc.longest_sleep > 0 && sc.longest_sleep <= 76);
    sc.now = T0_MS + 600; /* 8 points refilled */
    pthread_cond_broadcast(&sc.changed);
    pthread_mutex_unlock(&sc.lock);
    for (int i = 0; i < 12; i++)
        pthread_join(th[i], NULL);
    assert_int_equal(sc.done, 12);
    twitch_budget_free(b);
    shared_clock_destroy(&sc);
}

static void unknown_bucket_is_not_delayed(void **state)
{
    struct shared_clock sc;
    struct twitch_budget *b = twitch_budget_new(shared_clock_init(&sc));
    budget_take(b, 5);
    assert_int_equal(sc.longest_sleep, 0);
    assert_int_equal(twitch_budget_remaining(b), -1);
    twitch_budget_free(b);
    shared_clock_destroy(&sc);
}

static void reset_far_in_the_future_is_not_waited_for(void **state)
{
    struct shared_clock sc;
    struct twitch_budget *b = twitch_budget_new(shared_clock_init(&sc));
    budget_update(b, 9, 800, 0, T0_MS / 1000 + 3600);
    budget_take(b, 9);
    assert_true(sc.longest_sleep > 0 && sc.longest_sleep <= 65000);
    twitch_budget_free(b);
    shared_clock_destroy(&sc);
}

static void remaining_reports_the_lowest_bucket(void **state)
{
    struct shared_clock sc;
    struct twitch_budget *b = twitch_budget_new(shared_clock_init(&sc));
    budget_update(b, 1, 800, 700, T0_MS / 1000 + 60);
    budget_update(b, 2, 800, 300, T0_MS / 1000 + 60);
    assert_int_equal(twitch_budget_remaining(b), 300);
    /* A late answer of an older request never raises the count within a window. */
    budget_update(b, 2, 800, 500, T0_MS / 1000 + 60);
    assert_int_equal(twitch_budget_remaining(b), 300);
    twitch_budget_free(b);
    twitch_budget_free(NULL);
    shared_clock_destroy(&sc);
}

static void bucket_keys_differ_per_token(void **state)
{
    assert_true(budget_key("token-a") != budget_key("token-b"));
    assert_true(budget_key("") != 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(concurrent_workers_never_take_more_than_the_bucket_holds),
        cmocka_unit_test(unknown_bucket_is_not_delayed),
        cmocka_unit_test(reset_far_in_the_future_is_not_waited_for),
        cmocka_unit_test(remaining_reports_the_lowest_bucket),
        cmocka_unit_test(bucket_keys_differ_per_token),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
