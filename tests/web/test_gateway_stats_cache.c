/*
 * The gateway's statistics cache over real HTTP against the in-process simulator: a repeat is
 * the document already built (a profile changed behind the gateway's back does not show) for
 * at most 10 s; a capture or a change to the known-bots list gives a fresh document at once.
 */
#include "tests/web/gwtest.h"

#include "jobs/worker.h"

/* Runs every queued job (captures and the enrichment they queue) in-process. */
static void run_jobs(struct gw *g)
{
    char err[256];
    struct store *st;
    struct worker_outcome out;
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    struct twitch_client *tw = twitch_client_new(&g->o.twitch);
    struct worker_env env = {.st = st, .tw = tw, .keys = &g->keys, .clock = g->o.twitch.clock};
    int rc;
    while ((rc = worker_run_one(&env, &out, err, sizeof err)) == 1)
        assert_int_equal(out.state, JOB_DONE);
    assert_int_equal(rc, 0);
    twitch_client_free(tw);
    store_close(st);
}

static json_t *get_json(struct gw *g, CURL *b, const char *path)
{
    struct gw_resp r;
    char *url = xasprintf("%s%s", g->base, path);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    free(url);
    if (r.status != 200)
        fail_msg("GET %s: %ld (%s)", path, r.status, r.body ? r.body : "");
    json_t *j = json_incref(r.json);
    gw_resp_free(&r);
    return j;
}

static void capture(struct gw *g, CURL *b)
{
    struct gw_resp r;
    gw_send(g, b, "POST", "/api/v1/sessions/active/channels/20002/capture", NULL, &r);
    assert_int_equal(r.status, 202);
    gw_resp_free(&r);
    run_jobs(g);
    sim_tick(g->sim);
}

/* Moves a chatter's account creation three years back, straight in the store. */
static void age_account(struct gw *g, int64_t id)
{
    char err[256];
    struct store *st;
    struct store_profile p;
    int renames;
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    assert_int_equal(store_profile_get(st, id, &p, err, sizeof err), 0);
    p.created_at_ms -= 3 * 365 * 86400000LL;
    assert_int_equal(store_profile_put(st, &p, 1, &renames, err, sizeof err), 0);
    store_close(st);
}

static void a_repeat_is_cached_until_a_capture_a_bot_change_or_ten_seconds(void **state)
{
    (void)state;
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    struct gw_resp r;
    gw_login(g, b, NULL);
    capture(g, b);
    json_t *export = get_json(g, b, "/api/v1/sessions/active/export?what=chatters&format=json");
    json_t *first = json_array_get(export, 0);
    const char *login = json_string_value(json_object_get(first, "login"));
    int64_t id = atoll(json_string_value(json_object_get(first, "id")));

    const char *accounts = "/api/v1/sessions/active/stats?sections=accounts";
    json_t *before = get_json(g, b, accounts);
    age_account(g, id);
    json_t *cached = get_json(g, b, accounts);
    assert_true(json_equal(before, cached)); /* no capture: the document already built */
    g->clock.offset_ms = 10001;
    json_t *aged = get_json(g, b, accounts);
    assert_false(json_equal(before, aged)); /* older than 10 s: built again */

    const char *flags = "/api/v1/sessions/active/stats?sections=flags";
    json_t *unflagged = get_json(g, b, flags);
    char *bot = xasprintf("{\"login\": \"%s\"}", login);
    gw_send(g, b, "POST", "/api/v1/bots", bot, &r);
    assert_int_equal(r.status, 200);
    gw_resp_free(&r);
    free(bot);
    json_t *flagged = get_json(g, b, flags);
    assert_false(json_equal(unflagged, flagged)); /* the bot list changed: fresh at once */

    const char *series = "/api/v1/sessions/active/stats?sections=series";
    json_t *one = get_json(g, b, series);
    capture(g, b);
    json_t *two = get_json(g, b, series);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(one, "session"), "captures")), 1);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(two, "session"), "captures")), 2);

    json_t *docs[] = {export, before, cached, aged, unflagged, flagged, one, two};
    for (size_t i = 0; i < sizeof docs / sizeof *docs; i++)
        json_decref(docs[i]);
    curl_easy_cleanup(b);
    gw_stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_repeat_is_cached_until_a_capture_a_bot_change_or_ten_seconds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
