/*
 * Follower-wave alerts over a real store: the capture whose new followers are a batch of
 * accounts made within hours is announced once per webhook (a later enrichment offers it
 * again and nothing is queued), with its capture, count and creation day; ordinary follows
 * are never announced; a webhook that wants other events gets nothing.
 */
#include "tests/report/fixture.h"
#include "jobs/alert.h"
#include "store/store_alerts.h"
#include "store/store_followers.h"

enum { MIN = 60000 };
#define DAY 86400000LL

/* Four captures of FX_BETA; the read of capture 3 finds 30 accounts made in one afternoon,
 * the others two ordinary follows each (accounts years apart). */
static void follows(struct fx *f)
{
    char err[256];
    const int64_t ids[] = {1, 2, 3};
    for (int k = 0; k < 4; k++)
        fx_capture(f->st, f->session, FX_BETA, ids, 3, FX_T0 + k * MIN);
    for (int64_t seq = 1; seq <= 4; seq++) {
        struct store_follow fo[30];
        struct store_profile p[30];
        size_t n = seq == 3 ? 30 : 2;
        for (size_t i = 0; i < n; i++) {
            int64_t id = seq * 1000 + (int64_t)i;
            fo[i] = (struct store_follow){.user_id = id, .followed_at_ms = FX_T0 + seq * MIN};
            snprintf(fo[i].login, sizeof fo[i].login, "follower%lld", (long long)id);
            p[i] = (struct store_profile){.id = id, .enriched_at_ms = FX_T0};
            p[i].created_at_ms = seq == 3 ? FX_T0 - 30 * DAY + (int64_t)i * 5 * MIN
                                          : FX_T0 - (int64_t)(seq * 300 + i * 700) * DAY;
            snprintf(p[i].login, sizeof p[i].login, "%s", fo[i].login);
        }
        assert_int_equal(store_followers_add(f->st, f->session, FX_BETA, seq, fo, n,
                                             FX_T0 + seq * MIN, 100, NULL, err, sizeof err),
                         0);
        assert_int_equal(store_profile_put(f->st, p, n, NULL, err, sizeof err), 0);
    }
}

static void hook(struct fx *f, int event)
{
    char err[256];
    struct store_webhook w = {
        .owner_id = FX_USER, .channel_id = FX_BETA, .events = 1 << event, .created_at_ms = FX_T0};
    snprintf(w.kind, sizeof w.kind, "json");
    snprintf(w.url_sealed, sizeof w.url_sealed, "sealed");
    int64_t id;
    assert_int_equal(store_webhook_create(f->st, &w, &id, err, sizeof err), 0);
}

static int queued(struct fx *f)
{
    char err[256];
    int alerts = -1;
    assert_int_equal(alert_on_follower_wave(f->st, FX_USER, f->session, FX_T0 + 10 * MIN, &alerts,
                                            err, sizeof err),
                     0);
    return alerts;
}

static void a_follower_wave_is_announced_once_with_its_capture(void **state)
{
    struct fx *f = *state;
    follows(f);
    hook(f, ALERT_FOLLOWER_WAVE);
    assert_int_equal(queued(f), 1);
    assert_int_equal(queued(f), 0); /* the next enrichment offers it again: once is enough */
    struct store_delivery *d = NULL;
    size_t n = 0;
    char err[256];
    assert_int_equal(store_delivery_list(f->st, FX_USER, 10, &d, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    struct store_delivery full;
    assert_int_equal(store_delivery_get(f->st, d[0].id, &full, err, sizeof err), 0);
    assert_non_null(strstr(full.body, "follower_wave"));
    assert_non_null(strstr(full.body, "30 new followers at capture 3"));
    assert_non_null(strstr(full.body, "\"seq\":3"));
    assert_non_null(strstr(full.body, "\"count\":30"));
    store_delivery_clear(&full);
    free(d);
    assert_string_equal(alert_event_name(ALERT_FOLLOWER_WAVE), "follower_wave");
    assert_int_equal(alert_event_parse("follower_wave"), ALERT_FOLLOWER_WAVE);
}

static void a_webhook_for_other_events_gets_no_follower_wave(void **state)
{
    struct fx *f = *state;
    follows(f);
    hook(f, ALERT_BOT_WAVE);
    assert_int_equal(queued(f), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_follower_wave_is_announced_once_with_its_capture,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(a_webhook_for_other_events_gets_no_follower_wave, fx_setup,
                                        fx_teardown),
    };
    return test_store_run("alert_followers", tests, sizeof tests / sizeof *tests);
}
