/*
 * Stream schedules: seeded online and offline periods, switches through the control API, and
 * Get Streams following both (started_at fixed per broadcast, a new id per broadcast).
 */
#include "tests/sim/simtest.h"

#include "base/clock.h"
#include "sim/streams.h"

#define T0_MS 1700000000000LL
#define TICK_MS 60000

static void each_channel_starts_in_its_world_state_and_alternates_within_bounds(void **state)
{
    struct world *w = world_new(7);
    struct streams *st = streams_new(w, T0_MS);
    for (size_t i = 0; i < world_channel_count(w); i++) {
        struct stream_state s;
        streams_state(st, i, 0, T0_MS, TICK_MS, &s);
        assert_int_equal(s.live, world_channel_at(w, i)->live);
        int64_t tick = 0;
        int live = s.live;
        for (int k = 0; k < 6; k++) {
            streams_state(st, i, tick, T0_MS + tick * TICK_MS, TICK_MS, &s);
            assert_int_equal(s.live, live);
            int64_t len = s.until_tick - s.since_tick;
            if (live)
                assert_true(len >= STREAMS_LIVE_MIN && len < STREAMS_LIVE_MIN + STREAMS_LIVE_SPAN);
            else
                assert_true(len >= STREAMS_OFFLINE_MIN &&
                            len < STREAMS_OFFLINE_MIN + STREAMS_OFFLINE_SPAN);
            /* the last tick of a period still belongs to it; the next one does not */
            streams_state(st, i, s.until_tick - 1, T0_MS, TICK_MS, &s);
            assert_int_equal(s.live, live);
            tick = s.until_tick;
            live = !live;
        }
    }
    streams_free(st);
    world_free(w);
}

static void same_seed_same_schedule_other_seed_another(void **state)
{
    struct world *a = world_new(7), *b = world_new(7), *c = world_new(8);
    struct streams *sa = streams_new(a, T0_MS), *sb = streams_new(b, T0_MS),
                   *sc = streams_new(c, T0_MS);
    int differs = 0;
    for (size_t i = 0; i < world_channel_count(a); i++) {
        struct stream_state x, y, z;
        streams_state(sa, i, 5000, T0_MS, TICK_MS, &x);
        streams_state(sb, i, 5000, T0_MS, TICK_MS, &y);
        streams_state(sc, i, 5000, T0_MS, TICK_MS, &z);
        assert_int_equal(x.live, y.live);
        assert_int_equal(x.since_tick, y.since_tick);
        assert_int_equal(x.until_tick, y.until_tick);
        differs |= x.since_tick != z.since_tick;
    }
    assert_true(differs);
    streams_free(sa);
    streams_free(sb);
    streams_free(sc);
    world_free(a);
    world_free(b);
    world_free(c);
}

static void a_broadcast_keeps_its_start_and_id_and_the_next_one_gets_new_ones(void **state)
{
    struct world *w = world_new(1);
    struct streams *st = streams_new(w, T0_MS);
    int tiny = world_channel_index(w, 20001); /* offline at start */
    struct stream_state s, again, next;
    streams_state(st, (size_t)tiny, 10, T0_MS + 10 * TICK_MS, TICK_MS, &s);
    assert_false(s.live);
    streams_switch(st, (size_t)tiny, 1, 10, T0_MS + 10 * TICK_MS, TICK_MS, &s);
    assert_true(s.live);
    assert_int_equal(s.since_tick, 10);
    assert_int_equal(s.started_at_ms, T0_MS + 10 * TICK_MS);
    /* asked later (wall time moves, ticks too) it is the same broadcast */
    streams_state(st, (size_t)tiny, 12, T0_MS + 99 * TICK_MS, TICK_MS, &again);
    assert_true(again.live);
    assert_int_equal(again.started_at_ms, s.started_at_ms);
    assert_true(again.stream_id == s.stream_id);
    /* switching live again changes nothing */
    streams_switch(st, (size_t)tiny, 1, 13, T0_MS + 100 * TICK_MS, TICK_MS, &again);
    assert_int_equal(again.since_tick, 10);
    /* the schedule ends it, then starts the next broadcast, whose start is fixed once seen */
    streams_state(st, (size_t)tiny, s.until_tick, T0_MS, TICK_MS, &next);
    assert_false(next.live);
    int64_t second = next.until_tick;
    streams_state(st, (size_t)tiny, second + 3, T0_MS + 500 * TICK_MS, TICK_MS, &next);
    assert_true(next.live);
    assert_int_equal(next.started_at_ms, T0_MS + 497 * TICK_MS);
    assert_true(next.stream_id != s.stream_id);
    streams_state(st, (size_t)tiny, second + 4, T0_MS + 900 * TICK_MS, TICK_MS, &again);
    assert_int_equal(again.started_at_ms, next.started_at_ms);
    /* switching offline ends the broadcast now */
    streams_switch(st, (size_t)tiny, 0, second + 5, T0_MS, TICK_MS, &again);
    assert_false(again.live);
    assert_int_equal(again.since_tick, second + 5);
    streams_free(st);
    world_free(w);
}

/* Over HTTP: the control call and Get Streams. */

static void sim_json(struct simtest *st, const char *method, const char *path, const char *body,
                     struct http_resp *r)
{
    char *url = xasprintf("%s%s", st->base, path);
    http_do(method, url, body, body ? "Content-Type: application/json" : NULL, NULL, r);
    free(url);
}

static size_t live_count(struct simtest *st, const char *token, const char *query, json_t **first)
{
    struct http_resp r;
    char *path = xasprintf("/helix/streams%s", query);
    helix_get(st, path, token, &r);
    assert_int_equal(r.status, 200);
    json_t *data = json_object_get(r.json, "data");
    size_t n = json_array_size(data);
    if (first)
        *first = n ? json_incref(json_array_get(data, 0)) : NULL;
    http_resp_free(&r);
    free(path);
    return n;
}

static void get_streams_follows_a_switch_and_the_schedule(void **state)
{
    struct simtest *st = simtest_start_manual();
    char token[64];
    simtest_login(st, "demo_mod", SIMTEST_SCOPES, token, NULL);
    json_t *stream = NULL;
    assert_int_equal(live_count(st, token, "?user_id=20001", NULL), 0);

    struct http_resp r;
    int64_t before = clock_wall_ms();
    sim_json(st, "POST", "/_sim/streams", "{\"broadcaster_id\":\"20001\",\"live\":true}", &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "live")));
    json_int_t until = json_integer_value(json_object_get(r.json, "until_tick"));
    http_resp_free(&r);

    assert_int_equal(live_count(st, token, "?user_id=20001", &stream), 1);
    assert_string_equal(json_string_value(json_object_get(stream, "user_id")), "20001");
    assert_string_equal(json_string_value(json_object_get(stream, "type")), "live");
    int64_t started;
    assert_int_equal(
        clock_parse_rfc3339(json_string_value(json_object_get(stream, "started_at")), &started), 0);
    assert_true(started >= before / 1000 * 1000 && started <= clock_wall_ms());
    assert_true(json_integer_value(json_object_get(stream, "viewer_count")) > 0);
    char *id = xstrdup(json_string_value(json_object_get(stream, "id")));
    json_decref(stream);

    /* the same broadcast a few ticks later */
    sim_json(st, "POST", "/_sim/advance?ticks=3", "", &r);
    http_resp_free(&r);
    assert_int_equal(live_count(st, token, "?user_login=tiny_channel", &stream), 1);
    assert_string_equal(json_string_value(json_object_get(stream, "id")), id);
    json_decref(stream);

    /* the schedule ends it at until_tick */
    char *adv = xasprintf("/_sim/advance?ticks=%lld", (long long)(until - 3));
    sim_json(st, "POST", adv, "", &r);
    http_resp_free(&r);
    assert_int_equal(live_count(st, token, "?user_id=20001", NULL), 0);

    /* a live channel switched off disappears at once, and the listing says so */
    assert_int_equal(live_count(st, token, "?user_id=20003", NULL), 1);
    sim_json(st, "POST", "/_sim/streams", "{\"broadcaster_id\":\"20003\",\"live\":false}", &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    assert_int_equal(live_count(st, token, "?user_id=20003", NULL), 0);
    sim_json(st, "GET", "/_sim/streams", NULL, &r);
    json_t *s;
    size_t i;
    int seen = 0;
    json_array_foreach(json_object_get(r.json, "streams"), i, s)
    {
        if (strcmp(json_string_value(json_object_get(s, "broadcaster_id")), "20003") == 0) {
            assert_false(json_is_true(json_object_get(s, "live")));
            assert_null(json_object_get(s, "started_at"));
            seen = 1;
        }
    }
    assert_true(seen);
    http_resp_free(&r);

    sim_json(st, "POST", "/_sim/streams", "{\"broadcaster_id\":\"42\",\"live\":true}", &r);
    assert_int_equal(r.status, 400);
    http_resp_free(&r);
    free(adv);
    free(id);
    simtest_stop(st);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_channel_starts_in_its_world_state_and_alternates_within_bounds),
        cmocka_unit_test(same_seed_same_schedule_other_seed_another),
        cmocka_unit_test(a_broadcast_keeps_its_start_and_id_and_the_next_one_gets_new_ones),
        cmocka_unit_test(get_streams_follows_a_switch_and_the_schedule),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
