/*
 * Stay rates of a raid Twitch announced (report/chat_raids.c) against the simulator's truth:
 * raid_channel's audience model (600 raiders at tick 5, most leaving within 1-4 ticks, a fifth
 * staying) is captured once a minute into a real store, the raid is recorded as EventSub would,
 * and the chat document's stayed_5m/15m/30m equal a naive recount from the model's per-tick
 * chatter lists; a window not passed by the last capture is null with the time it will be.
 */
#include "tests/report/fixture.h"
#include "tests/report/jpath.h"
#include "base/clock.h"
#include "report/chat.h"
#include "sim/audience.h"
#include "sim/world.h"
#include "store/store_chat.h"

#include <jansson.h>

#define RAID_CHANNEL 20005
#define MINUTE 60000LL

struct model {
    struct world *w;
    struct audience *a;
    size_t channel;
};

static int present(struct model *m, int64_t tick, int64_t id)
{
    struct audience_snapshot *s = audience_get(m->a, m->channel, tick);
    int in = 0;
    for (size_t i = 0; i < s->n && !in; i++)
        in = s->ids[i] == id;
    audience_release(m->a, s);
    return in;
}

/* The truth over captures at ticks 0..last: of those who joined at tick `at`, how many were
 * present without a break for at least `window` ticks after it (a tick is a minute). */
static long stayed(struct model *m, int64_t at, int64_t last, int64_t window)
{
    struct audience_snapshot *s = audience_get(m->a, m->channel, at);
    long n = 0;
    for (size_t i = 0; i < s->n; i++) {
        int64_t id = s->ids[i];
        if (at > 0 && present(m, at - 1, id))
            continue; /* no arrival */
        int64_t t = at;
        while (t < last && present(m, t + 1, id))
            t++;
        n += t - at >= window;
    }
    audience_release(m->a, s);
    return n;
}

static void capture_ticks(struct fx *f, struct model *m, int64_t from, int64_t to)
{
    for (int64_t t = from; t <= to; t++) {
        struct audience_snapshot *s = audience_get(m->a, m->channel, t);
        fx_capture(f->st, f->session, RAID_CHANNEL, s->ids, s->n, FX_T0 + t * MINUTE);
        audience_release(m->a, s);
    }
}

static json_t *raid_of(struct fx *f, json_t **doc)
{
    char err[256];
    assert_int_equal(report_chat(f->st, FX_USER, f->session, 10, 0, doc, err, sizeof err), 0);
    assert_int_equal(json_array_size(jp(*doc, "raids")), 1);
    return jp(*doc, "raids.0");
}

static void stay_rates_of_an_announced_raid_match_the_simulators_audience(void **state)
{
    struct fx *f = *state;
    char err[256];
    struct model m = {.w = world_new(1)};
    m.a = audience_new(m.w);
    int ch = world_channel_index(m.w, RAID_CHANNEL);
    assert_true(ch >= 0);
    m.channel = (size_t)ch;
    struct store_channel c = {.id = RAID_CHANNEL};
    snprintf(c.login, sizeof c.login, "raid_channel");
    assert_int_equal(store_channel_upsert(f->st, &c, err, sizeof err), 0);

    /* announced half a minute before the capture of the raid's tick */
    int64_t at_tick = WORLD_RAID_TICK;
    struct store_chat_raid r = {.session_id = f->session,
                                .channel_id = RAID_CHANNEL,
                                .from_id = 20101,
                                .viewers = WORLD_RAID_SIZE,
                                .at_ms = FX_T0 + at_tick * MINUTE - MINUTE / 2};
    snprintf(r.from_login, sizeof r.from_login, "chan_01");
    assert_int_equal(store_chat_raid_add(f->st, &r, err, sizeof err), 0);

    json_t *doc, *raid = raid_of(f, &doc);
    assert_true(json_is_null(jp(raid, "captures_saw")));
    assert_true(json_is_null(jp(raid, "stayed_5m")));
    assert_true(json_is_null(jp(raid, "stayed_5m_observable_at")));
    json_decref(doc);

    /* 12 minutes of captures: 5 minutes observable, 15 and 30 not yet */
    capture_ticks(f, &m, 0, at_tick + 12);
    raid = raid_of(f, &doc);
    assert_int_equal(jpi(raid, "captures_saw.seq"), at_tick + 1);
    long joined = (long)jpi(raid, "captures_saw.joined");
    assert_true(joined >= WORLD_RAID_SIZE);
    assert_int_equal(jpi(raid, "stayed_5m"), stayed(&m, at_tick, at_tick + 12, 5));
    assert_null(jp(raid, "stayed_5m_observable_at"));
    assert_true(json_is_null(jp(raid, "stayed_15m")));
    char want[40];
    clock_format_rfc3339(FX_T0 + (at_tick + 15) * MINUTE, want, sizeof want);
    assert_string_equal(json_string_value(jp(raid, "stayed_15m_observable_at")), want);
    assert_true(json_is_null(jp(raid, "stayed_30m")));
    json_decref(doc);

    /* 40 minutes: every window has passed */
    int64_t last = at_tick + 40;
    capture_ticks(f, &m, at_tick + 13, last);
    raid = raid_of(f, &doc);
    long s5 = stayed(&m, at_tick, last, 5), s15 = stayed(&m, at_tick, last, 15),
         s30 = stayed(&m, at_tick, last, 30);
    assert_int_equal(jpi(raid, "stayed_5m"), s5);
    assert_int_equal(jpi(raid, "stayed_15m"), s15);
    assert_int_equal(jpi(raid, "stayed_30m"), s30);
    /* the model's raiders mostly leave within 4 ticks and a fifth stay: a real drop, not 0 */
    assert_true(s5 < joined && s30 > WORLD_RAID_SIZE / 10);
    assert_int_equal(jpi(raid, "viewers"), WORLD_RAID_SIZE);
    json_decref(doc);
    audience_free(m.a);
    world_free(m.w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            stay_rates_of_an_announced_raid_match_the_simulators_audience, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
