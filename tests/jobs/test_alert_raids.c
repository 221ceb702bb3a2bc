/*
 * Raid alerts over a real store: a raid is announced at the capture it arrived in, or at a
 * later one when the rules recognise it only then (saying so), once per webhook however many
 * captures offer it, and never from further back than RAID_LATE_CAPTURES.
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

static void a_raid_seen_late_is_announced_once_and_says_so(void **state)
{
    struct fx *f = *state;
    raid(f);
    hook(f);
    assert_int_equal(queued_at(f, 5), 0); /* before the raid's capture: nothing */
    assert_int_equal(queued_at(f, 8), 1); /* two captures late: announced now */
    assert_int_equal(queued_at(f, 9), 0); /* and only once */
    assert_int_equal(queued_at(f, 6), 0);
    struct store_delivery *d = NULL;
    size_t n = 0;
    char err[256];
    assert_int_equal(store_delivery_list(f->st, FX_USER, 10, &d, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    struct store_delivery full;
    assert_int_equal(store_delivery_get(f->st, d[0].id, &full, err, sizeof err), 0);
    assert_non_null(strstr(full.body, "joined at capture 6"));
    assert_non_null(strstr(full.body, "recognised at capture 8"));
    assert_non_null(strstr(full.body, "\"recognised_at_seq\":8"));
    store_delivery_clear(&full);
    free(d);
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
    };
    return test_store_run("alert_raids", tests, sizeof tests / sizeof *tests);
}
