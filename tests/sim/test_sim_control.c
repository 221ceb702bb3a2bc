/* The simulator's control API over real HTTP: clock, events, faults, expiry, statistics. */
#include "tests/sim/simtest.h"

#include "base/clock.h"

struct fixture {
    struct simtest *st;
    char token[64];
    char refresh[64];
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    f->st = simtest_start_manual();
    simtest_login(f->st, "demo_mod", SIMTEST_SCOPES, f->token, f->refresh);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    simtest_stop(f->st);
    free(f);
    return 0;
}

static void control(struct fixture *f, const char *method, const char *path, const char *body,
                    struct http_resp *r)
{
    char *url = xasprintf("%s%s", f->st->base, path);
    http_do(method, url, body, NULL, NULL, r);
    free(url);
}

static void add_fault(struct fixture *f, const char *json)
{
    struct http_resp r;
    control(f, "POST", "/_sim/faults", json, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
}

static long users_status(struct fixture *f)
{
    struct http_resp r;
    helix_get(f->st, "/helix/users?id=10001", f->token, &r);
    long status = r.status;
    http_resp_free(&r);
    return status;
}

static void advance_moves_the_manual_clock(void **state)
{
    struct fixture *f = *state;
    struct http_resp r;
    assert_int_equal(sim_tick(f->st->sim), 0);
    control(f, "POST", "/_sim/advance?ticks=4", "", &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "tick")), 4);
    http_resp_free(&r);
    control(f, "GET", "/_sim/audience?broadcaster_id=20002", NULL, &r);
    assert_int_equal(json_integer_value(json_object_get(r.json, "tick")), 4);
    http_resp_free(&r);
    control(f, "POST", "/_sim/advance?ticks=0", "", &r);
    assert_int_equal(r.status, 400);
    http_resp_free(&r);
}

static void events_name_the_raid_and_bot_wave_users_who_then_chat(void **state)
{
    struct fixture *f = *state;
    struct http_resp r, chat;
    control(f, "GET", "/_sim/events?broadcaster_id=20005", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(r.json), 2);
    json_t *raid = json_array_get(r.json, 0), *bots = json_array_get(r.json, 1);
    assert_string_equal(json_string_value(json_object_get(raid, "kind")), "raid");
    assert_int_equal(json_integer_value(json_object_get(raid, "tick")), 5);
    assert_int_equal(json_array_size(json_object_get(raid, "user_ids")), 600);
    assert_string_equal(json_string_value(json_object_get(bots, "kind")), "bot_wave");
    assert_int_equal(json_integer_value(json_object_get(bots, "size")), 150);
    assert_non_null(json_string_value(json_object_get(bots, "created_on")));

    struct http_resp adv;
    control(f, "POST", "/_sim/advance?ticks=8", "", &adv);
    http_resp_free(&adv);
    helix_get(f->st, "/helix/chat/chatters?broadcaster_id=20005&moderator_id=10001&first=1000",
              f->token, &chat);
    assert_int_equal(chat.status, 200);
    const char *bot = json_string_value(json_array_get(json_object_get(bots, "user_ids"), 0));
    int found = 0;
    json_t *data = json_object_get(chat.json, "data");
    for (size_t i = 0; i < json_array_size(data); i++) {
        json_t *c = json_array_get(data, i);
        if (strcmp(json_string_value(json_object_get(c, "user_id")), bot) == 0) {
            found = 1;
            assert_string_equal(json_string_value(json_object_get(c, "user_login")),
                                "coolviewer_0001");
        }
    }
    assert_true(found);
    http_resp_free(&chat);
    http_resp_free(&r);
}

static void status_fault_skips_then_fails_count_requests_then_recovers(void **state)
{
    struct fixture *f = *state;
    add_fault(f, "{\"path\":\"/helix/users\",\"skip\":1,\"count\":2,\"status\":503}");
    assert_int_equal(users_status(f), 200);
    assert_int_equal(users_status(f), 503);
    assert_int_equal(users_status(f), 503);
    assert_int_equal(users_status(f), 200);
    add_fault(f, "{\"path\":\"/helix/users\",\"count\":1,\"status\":500}");
    struct http_resp r;
    helix_get(f->st, "/helix/users?id=10001", f->token, &r);
    assert_int_equal(r.status, 500);
    assert_int_equal(json_integer_value(json_object_get(r.json, "status")), 500);
    http_resp_free(&r);
}

static void fault_429_shows_an_empty_bucket_resetting_in_a_second(void **state)
{
    struct fixture *f = *state;
    add_fault(f, "{\"path\":\"/helix/chat/chatters\",\"count\":1,\"status\":429}");
    struct http_resp r;
    long now = (long)(clock_wall_ms() / 1000);
    helix_get(f->st, "/helix/chat/chatters?broadcaster_id=20002&moderator_id=10001", f->token, &r);
    assert_int_equal(r.status, 429);
    assert_int_equal(r.rl_remaining, 0);
    assert_true(r.rl_reset >= now + 1 && r.rl_reset <= now + 2);
    http_resp_free(&r);
    helix_get(f->st, "/helix/chat/chatters?broadcaster_id=20002&moderator_id=10001", f->token, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
}

static void malformed_fault_is_200_with_a_body_that_does_not_parse(void **state)
{
    struct fixture *f = *state;
    add_fault(f, "{\"path\":\"/helix/chat/chatters\",\"count\":1,\"malformed\":true}");
    struct http_resp r;
    helix_get(f->st, "/helix/chat/chatters?broadcaster_id=20002&moderator_id=10001", f->token, &r);
    assert_int_equal(r.status, 200);
    assert_true(r.len > 10);
    assert_true(strncmp(r.body, "{\"data\":[", 9) == 0);
    assert_null(r.json);
    http_resp_free(&r);
}

static void delay_fault_answers_right_but_not_before_the_delay(void **state)
{
    struct fixture *f = *state;
    add_fault(f, "{\"path\":\"/helix/users\",\"count\":1,\"delay_ms\":300}");
    int64_t start = clock_mono_ms();
    assert_int_equal(users_status(f), 200);
    assert_true(clock_mono_ms() - start >= 300);
}

static void deleting_faults_clears_them_and_bad_faults_are_400(void **state)
{
    struct fixture *f = *state;
    add_fault(f, "{\"path\":\"/helix/users\",\"count\":5,\"status\":500}");
    assert_int_equal(users_status(f), 500);
    struct http_resp r;
    control(f, "DELETE", "/_sim/faults", NULL, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    assert_int_equal(users_status(f), 200);
    control(f, "POST", "/_sim/faults", "{\"path\":\"/helix/users\"}", &r);
    assert_int_equal(r.status, 400);
    http_resp_free(&r);
    control(f, "POST", "/_sim/faults", "{not json", &r);
    assert_int_equal(r.status, 400);
    http_resp_free(&r);
}

static void expired_tokens_are_401_and_refresh_still_works(void **state)
{
    struct fixture *f = *state;
    struct http_resp r;
    control(f, "POST", "/_sim/expire-tokens", "", &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    assert_int_equal(users_status(f), 401);
    char *form = xasprintf("client_id=tca-sim-client&client_secret=tca-sim-secret&"
                           "grant_type=refresh_token&refresh_token=%s",
                           f->refresh);
    control(f, "POST", "/oauth2/token", form, &r);
    assert_int_equal(r.status, 200);
    snprintf(f->token, sizeof f->token, "%s",
             json_string_value(json_object_get(r.json, "access_token")));
    http_resp_free(&r);
    assert_int_equal(users_status(f), 200);
    free(form);
}

static void stats_count_requests_by_path_and_status_and_tokens(void **state)
{
    struct fixture *f = *state;
    users_status(f);
    users_status(f);
    struct http_resp r;
    helix_get(f->st, "/helix/users?id=10001", "bad", &r);
    http_resp_free(&r);
    control(f, "GET", "/_sim/stats", NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *req = json_object_get(r.json, "requests");
    assert_int_equal(json_integer_value(json_object_get(req, "/helix/users")), 3);
    assert_int_equal(json_integer_value(json_object_get(req, "/oauth2/token")), 1);
    json_t *st = json_object_get(r.json, "statuses");
    assert_int_equal(json_integer_value(json_object_get(st, "401")), 1);
    assert_int_equal(json_integer_value(json_object_get(st, "302")), 1);
    assert_int_equal(json_integer_value(json_object_get(r.json, "tokens_issued")), 1);
    http_resp_free(&r);
}

static void bodies_over_64_kib_are_refused_with_413(void **state)
{
    struct fixture *f = *state;
    size_t n = 70 * 1024;
    char *big = xmalloc(n + 1);
    memset(big, 'x', n);
    big[n] = 0;
    struct http_resp r;
    control(f, "POST", "/oauth2/token", big, &r);
    assert_int_equal(r.status, 413);
    http_resp_free(&r);
    free(big);
}

static void real_time_clock_steps_once_per_tick_ms(void **state)
{
    struct sim_options o;
    sim_options_default(&o);
    o.tick_ms = 2;
    struct simtest *st = simtest_start(&o);
    int64_t before = sim_tick(st->sim);
    clock_sleep_ms(20);
    /* at least 10 ticks have passed; no upper bound, the machine may be slow */
    assert_true(sim_tick(st->sim) >= before + 10);
    struct http_resp r;
    char *url = xasprintf("%s/_sim/advance?ticks=1000", st->base);
    http_do("POST", url, "", NULL, NULL, &r);
    assert_true(json_integer_value(json_object_get(r.json, "tick")) >= before + 1010);
    http_resp_free(&r);
    free(url);
    simtest_stop(st);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(advance_moves_the_manual_clock),
        T(events_name_the_raid_and_bot_wave_users_who_then_chat),
        T(status_fault_skips_then_fails_count_requests_then_recovers),
        T(fault_429_shows_an_empty_bucket_resetting_in_a_second),
        T(malformed_fault_is_200_with_a_body_that_does_not_parse),
        T(delay_fault_answers_right_but_not_before_the_delay),
        T(deleting_faults_clears_them_and_bad_faults_are_400),
        T(expired_tokens_are_401_and_refresh_still_works),
        T(stats_count_requests_by_path_and_status_and_tokens),
        T(bodies_over_64_kib_are_refused_with_413),
        cmocka_unit_test(real_time_clock_steps_once_per_tick_ms),
    };
#undef T
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
