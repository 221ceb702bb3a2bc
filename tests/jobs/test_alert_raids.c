/*
 * Raid alerts over a real store: a raid is announced at the capture it arrived in, or at a
 * later one when the rules recognise it only then (saying so), once per webhook however many
 * captures offer it, and never from further back than RAID_LATE_CAPTURES. Its stay counts
 * follow up once per window as the capture that makes each observable arrives (the later one
 * only when a capture makes two known at once).
 */
#include "tests/report/fixture.h"
#include "jobs/alert.h"
#include "store/store_alerts.h"

enum { MIN = 60000 };

/* The report tests' raid: 100 raiders join FX_BETA at its capture 6 (5 minutes later than
 * capture 5), then leave over the next captures. */
static void raid(struct fx *f)
{
    int64_t ids[120];
    const int64_t t[] = {0, MIN, 2 * MIN, 3 * MIN, 4 * MIN, 5 * MIN, 10 * MIN, 20 * MIN, 35 * MIN};
    const size_t keep[] = {0, 0, 0, 0, 0, 100, 50, 20, 10};
    for (int k = 0; k < 9; k++) {
        size_t n = 0;
        for (int64_t id = 1; id <= 9; id++)
            ids[n++] = id;
        ids[n++] = k < 5 ? 11 + k : 15;
        for (size_t r = 0; r < keep[k]; r++)
            ids[n++] = 1000 + (int64_t)r;
        fx_capture(f->st, f->session, FX_BETA, ids, n, FX_T0 + t[k]);
    }
}

static void hook(struct fx *f)
{
    char err[256];
    struct store_webhook w = {.owner_id = FX_USER,
                              .channel_id = FX_BETA,
                              .events = 1 << ALERT_RAID,
                              .created_at_ms = FX_T0};
    snprintf(w.kind, sizeof w.kind, "json");
    snprintf(w.url_sealed, sizeof w.url_sealed, "sealed");
    int64_t id;
    assert_int_equal(store_webhook_create(f->st, &w, &id, err, sizeof err), 0);
}

static int queued_at(struct fx *f, int64_t seq)
{
    char err[256];
    int alerts = -1;
    assert_int_equal(alert_on_raid(f->st, FX_USER, f->session, FX_BETA, seq, FX_T0 + 40 * MIN,
                                   &alerts, err, sizeof err),
                     0);
    return alerts;
}

/* How many of FX_USER's deliveries hold what (and also, unless NULL) in their body. */
static int has_delivery(struct fx *f, const char *what, const char *also)
{
    struct store_delivery *d = NULL;
    size_t n = 0;
    char err[256];
    int found = 0;
    assert_int_equal(store_delivery_list(f->st, FX_USER, 20, &d, &n, err, sizeof err), 0);
    for (size_t i = 0; i < n; i++) {
        struct store_delivery full;
        assert_int_equal(store_delivery_get(f->st, d[i].id, &full, err, sizeof err), 0);
        found += strstr(full.body, what) && (!also || strstr(full.body, also));
        store_delivery_clear(&full);
    }
    free(d);
    return found;
}

static int deliveries(struct fx *f)
{
    struct store_delivery *d = NULL;
    size_t n = 0;
    char err[256];
    assert_int_equal(store_delivery_list(f->st, FX_USER, 20, &d, &n, err, sizeof err), 0);
    free(d);
    return (int)n;
}

static void a_raid_seen_late_is_announced_once_and_says_so(void **state)
{
    struct fx *f = *state;
    raid(f);
    hook(f);
    assert_int_equal(queued_at(f, 5), 0); /* before the raid's capture: nothing */
    /* two captures late (20 minutes in): announced now, with the 15-minute follow-up */
    assert_int_equal(queued_at(f, 8), 2);
    assert_int_equal(has_delivery(f, "joined at capture 6", "recognised at capture 8"), 1);
    assert_int_equal(has_delivery(f, "\"recognised_at_seq\":8", "joined at capture 6"), 1);
    assert_int_equal(queued_at(f, 6), 0);
    assert_int_equal(has_delivery(f, "joined at capture 6", NULL), 1); /* and only once */
}

static void stay_counts_follow_up_once_per_window_as_they_become_observable(void **state)
{
    struct fx *f = *state;
    raid(f);
    hook(f);
    assert_int_equal(queued_at(f, 6), 1); /* the raid's own capture: no window has passed */
    assert_int_equal(has_delivery(f, "joined at capture 6", NULL), 1);
    /* capture 7, 10 minutes in: the 5-minute count (50 of the 100 raiders) */
    assert_int_equal(queued_at(f, 7), 1);
    assert_int_equal(has_delivery(f, "50 of its 100 chatters still there after 5 minutes", NULL),
                     1);
    assert_int_equal(queued_at(f, 7), 0); /* the same capture again: nothing */
    /* capture 8, 20 minutes in: the 15-minute count; capture 9, 35 minutes in: 30 minutes */
    assert_int_equal(queued_at(f, 8), 1);
    assert_int_equal(has_delivery(f, "20 of its 100 chatters still there after 15 minutes",
                                  "\"followup_window_min\":15"),
                     1);
    assert_int_equal(queued_at(f, 9), 1);
    assert_int_equal(has_delivery(f, "10 of its 100 chatters still there after 30 minutes", NULL),
                     1);
    assert_int_equal(queued_at(f, 9), 0);
    assert_int_equal(deliveries(f), 4);
}

static void a_capture_that_makes_two_windows_known_posts_the_later_only(void **state)
{
    struct fx *f = *state;
    raid(f);
    hook(f);
    /* first look at capture 8 (20 minutes in): 5 and 15 minutes known, one post for 15 */
    assert_int_equal(queued_at(f, 8), 2);
    assert_int_equal(has_delivery(f, "after 15 minutes", NULL), 1);
    assert_int_equal(has_delivery(f, "after 5 minutes", NULL), 0);
    assert_int_equal(queued_at(f, 9), 1);
    assert_int_equal(has_delivery(f, "after 5 minutes", NULL), 0); /* never posted later */
}

static void a_raid_further_back_than_the_window_is_left_alone(void **state)
{
    struct fx *f = *state;
    raid(f);
    hook(f);
    assert_int_equal(queued_at(f, 6 + RAID_LATE_CAPTURES), 0);
    assert_int_equal(queued_at(f, 6 + RAID_LATE_CAPTURES - 1), 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_raid_seen_late_is_announced_once_and_says_so, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(a_raid_further_back_than_the_window_is_left_alone, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(
            stay_counts_follow_up_once_per_window_as_they_become_observable, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(a_capture_that_makes_two_windows_known_posts_the_later_only,
                                        fx_setup, fx_teardown),
    };
    return test_store_run("alert_raids", tests, sizeof tests / sizeof *tests);
}
