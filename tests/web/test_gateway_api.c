/*
 * The gateway's JSON API over real HTTP against the in-process simulator: ownership of
 * sessions and channels, capture now with the job's progress (a worker runs it in-process),
 * periodic and while-live capture control, the saved-session limit, the expiry sweep of
 * unsaved sessions, and the operations endpoints.
 */
#include "tests/web/gwtest.h"

#include "base/err.h"
#include "jobs/worker.h"

static json_int_t int_at(json_t *j, const char *key)
{
    return json_integer_value(json_object_get(j, key));
}

static void another_users_session_is_not_found_and_an_unmoderated_channel_is_forbidden(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *mod = gw_browser(), *other = gw_browser();
    struct gw_resp r;
    gw_login(g, mod, NULL);          /* demo_mod moderates every channel */
    gw_login(g, other, "other_mod"); /* other_mod moderates tiny_channel only */
    assert_int_equal(gw_get_status(g, other, "/api/v1/channels"), 200);
    gw_send(g, mod, "POST", "/api/v1/sessions/active/channels/20002/capture", NULL, &r);
    assert_int_equal(r.status, 202);
    json_int_t job = int_at(r.json, "job_id");
    gw_resp_free(&r);
    char *path = xasprintf("/api/v1/sessions/%d", 1);
    char *jobs = xasprintf("/api/v1/jobs/%lld", (long long)job);
    assert_int_equal(gw_get_status(g, mod, path), 200);
    /* the same 404 as for a session that does not exist: nothing leaks */
    assert_int_equal(gw_get_status(g, other, path), 404);
    assert_int_equal(gw_get_status(g, other, "/api/v1/sessions/999999"), 404);
    assert_int_equal(gw_get_status(g, other, "/api/v1/sessions/1/captures"), 404);
    assert_int_equal(gw_get_status(g, other, jobs), 404);
    gw_send(g, other, "DELETE", path, NULL, &r);
    assert_int_equal(r.status, 404);
    gw_resp_free(&r);
    gw_send(g, other, "POST", "/api/v1/sessions/1/purge", NULL, &r);
    assert_int_equal(r.status, 404);
    gw_resp_free(&r);
    /* a channel other_mod does not moderate, in their own session */
    gw_send(g, other, "POST", "/api/v1/sessions/active/channels/20002/capture", NULL, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(gw_error(&r), "forbidden");
    gw_resp_free(&r);
    gw_send(g, other, "PUT", "/api/v1/sessions/active/channels/20003/schedule",
            "{\"interval_s\": 60}", &r);
    assert_int_equal(r.status, 403);
    gw_resp_free(&r);
    gw_send(g, other, "POST", "/api/v1/sessions/active/channels/20001/capture", NULL, &r);
    assert_int_equal(r.status, 202);
    gw_resp_free(&r);
    free(jobs);
    free(path);
    curl_easy_cleanup(mod);
    curl_easy_cleanup(other);
    gw_stop(g);
}

static int run_one_job(struct gw *g, struct worker_outcome *out)
{
    char err[256];
    struct store *st;
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    struct twitch_client *tw = twitch_client_new(&g->o.twitch);
    struct worker_env env = {.st = st, .tw = tw, .keys = &g->keys, .clock = g->o.twitch.clock};
    int rc = worker_run_one(&env, out, err, sizeof err);
    twitch_client_free(tw);
    store_close(st);
    return rc;
}

static void capture_now_queues_a_job_whose_progress_and_result_are_readable(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    struct gw_resp r;
    gw_login(g, b, NULL);
    gw_send(g, b, "POST", "/api/v1/sessions/active/channels/20002/capture", NULL, &r);
    assert_int_equal(r.status, 202);
    json_int_t job = int_at(r.json, "job_id");
    char *status_url =
        xasprintf("%s%s", g->base, json_string_value(json_object_get(r.json, "status_url")));
    gw_resp_free(&r);
    /* a second click while it is queued returns the same job */
    gw_send(g, b, "POST", "/api/v1/sessions/active/channels/20002/capture", NULL, &r);
    assert_int_equal(int_at(r.json, "job_id"), job);
    assert_true(json_is_true(json_object_get(r.json, "already_queued")));
    gw_resp_free(&r);
    gw_do(b, "GET", status_url, NULL, NULL, NULL, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "state")), "queued");
    gw_resp_free(&r);
    struct worker_outcome o;
    assert_int_equal(run_one_job(g, &o), 1);
    assert_int_equal(o.state, JOB_DONE);
    gw_do(b, "GET", status_url, NULL, NULL, NULL, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "state")), "done");
    gw_resp_free(&r);
    char *url = xasprintf("%s/api/v1/sessions/active", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *ch = json_array_get(json_object_get(r.json, "channels"), 0);
    assert_int_equal(int_at(ch, "id"), 20002);
    json_t *last = json_object_get(ch, "last_capture");
    assert_non_null(last);
    assert_int_equal(int_at(last, "seq"), 1);
    assert_true(int_at(last, "chatters") > 0);
    gw_resp_free(&r);
    free(url);
    url = xasprintf("%s/api/v1/sessions/active/captures?channel=20002", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "captures")), 1);
    gw_resp_free(&r);
    free(url);
    free(status_url);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void lost_moderator_role_fails_the_job_with_its_reason_and_stops_the_schedule(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    struct gw_resp r;
    gw_login(g, b, NULL);
    gw_send(g, b, "PUT", "/api/v1/sessions/active/channels/20003/schedule", "{\"interval_s\": 60}",
            &r);
    assert_int_equal(r.status, 200);
    gw_resp_free(&r);
    gw_send(g, b, "POST", "/api/v1/sessions/active/channels/20003/capture", NULL, &r);
    json_int_t job = int_at(r.json, "job_id");
    gw_resp_free(&r);
    /* the broadcaster removes demo_mod from the moderators before the capture runs */
    char *mods = xasprintf("%s/_sim/moderators", g->sim_base);
    gw_do(NULL, "POST", mods,
          "{\"broadcaster_id\": \"20003\", \"user_id\": \"10001\", \"moderator\": false}", NULL,
          NULL, &r);
    assert_int_equal(r.status, 200);
    gw_resp_free(&r);
    struct worker_outcome o;
    assert_int_equal(run_one_job(g, &o), 1);
    assert_int_equal(o.state, JOB_FAILED);
    char *url = xasprintf("%s/api/v1/jobs/%lld", g->base, (long long)job);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "state")), "failed");
    assert_true(json_is_string(json_object_get(r.json, "error")));
    gw_resp_free(&r);
    free(url);
    url = xasprintf("%s/api/v1/sessions/active", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    json_t *ch = json_array_get(json_object_get(r.json, "channels"), 0);
    assert_false(json_is_true(json_object_get(ch, "periodic")));
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(ch, "last_job"), "state")), "failed");
    gw_resp_free(&r);
    /* and the channel list, asked again, no longer offers it */
    free(url);
    url = xasprintf("%s/api/v1/channels?refresh=true", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    json_t *c;
    size_t i;
    json_array_foreach(json_object_get(r.json, "channels"), i, c)
        assert_int_not_equal(int_at(c, "id"), 20003);
    gw_resp_free(&r);
    free(url);
    free(mods);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void capture_while_live_starts_periodic_capture_of_a_live_channel_only(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    struct gw_resp r;
    gw_login(g, b, NULL);
    gw_send(g, b, "PUT", "/api/v1/sessions/active/channels/20002/live", "{\"interval_s\": 30}", &r);
    assert_int_equal(r.status, 200);
    assert_true(json_is_true(json_object_get(r.json, "live"))); /* cozy_channel is live */
    gw_resp_free(&r);
    gw_send(g, b, "PUT", "/api/v1/sessions/active/channels/20001/live", "{\"interval_s\": 30}", &r);
    assert_int_equal(r.status, 200);
    assert_false(json_is_true(json_object_get(r.json, "live"))); /* tiny_channel is offline */
    gw_resp_free(&r);
    char *url = xasprintf("%s/api/v1/sessions/active", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    json_t *chans = json_object_get(r.json, "channels");
    assert_int_equal(json_array_size(chans), 2);
    assert_false(json_is_true(json_object_get(json_array_get(chans, 0), "periodic")));
    assert_true(json_is_true(json_object_get(json_array_get(chans, 1), "periodic")));
    gw_resp_free(&r);
    web_sweep_now(g->web); /* the expiry sweep leaves live watches alone */
    gw_send(g, b, "DELETE", "/api/v1/sessions/active/channels/20002/schedule", NULL, &r);
    assert_int_equal(r.status, 200);
    gw_resp_free(&r);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    chans = json_object_get(r.json, "channels");
    assert_false(json_is_true(json_object_get(json_array_get(chans, 1), "periodic")));
    gw_resp_free(&r);
    free(url);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void two_saved(struct web_options *o)
{
    o->max_saved_sessions = 2;
    o->session_ttl_ms = 3600 * 1000;
    o->login_idle_ms = 4 * 3600 * 1000;
    o->login_max_ms = 8 * 3600 * 1000;
}

static void saving_past_the_limit_is_refused_and_nothing_is_deleted(void **state)
{
    struct gw *g = gw_start(two_saved);
    CURL *b = gw_browser();
    struct gw_resp r;
    gw_login(g, b, NULL);
    for (int i = 0; i < 3; i++) {
        char body[64];
        snprintf(body, sizeof body, "{\"label\": \"stream %d\"}", i);
        gw_send(g, b, "POST", "/api/v1/sessions/active/save", body, &r);
        if (i < 2) {
            assert_int_equal(r.status, 200);
            assert_true(json_is_true(json_object_get(r.json, "saved")));
        } else {
            assert_int_equal(r.status, 409);
            assert_string_equal(gw_error(&r), "limit_reached");
            assert_non_null(
                strstr(json_string_value(json_object_get(r.json, "message")), "delete one first"));
        }
        gw_resp_free(&r);
        gw_send(g, b, "POST", "/api/v1/sessions", NULL, &r); /* the next active session */
        assert_int_equal(r.status, 201);
        gw_resp_free(&r);
    }
    char *url = xasprintf("%s/api/v1/sessions", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(json_array_size(json_object_get(r.json, "sessions")), 4);
    assert_int_equal(int_at(r.json, "saved"), 2);
    gw_resp_free(&r);
    /* relabelling a saved one is not saving one more */
    gw_send(g, b, "PUT", "/api/v1/sessions/1/label", "{\"label\": \"renamed\"}", &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "label")), "renamed");
    gw_resp_free(&r);
    /* unsaved sessions idle past the TTL go in the sweep; saved ones stay */
    g->clock.offset_ms = 2 * 3600 * 1000;
    web_sweep_now(g->web);
    g->clock.offset_ms = 0;
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    json_t *list = json_object_get(r.json, "sessions");
    assert_int_equal(json_array_size(list), 2);
    json_t *s;
    size_t i;
    json_array_foreach(list, i, s) assert_true(json_is_true(json_object_get(s, "saved")));
    gw_resp_free(&r);
    gw_send(g, b, "DELETE", "/api/v1/sessions/1", NULL, &r);
    assert_int_equal(r.status, 200);
    gw_resp_free(&r);
    assert_int_equal(gw_get_status(g, b, "/api/v1/sessions/1"), 404);
    free(url);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void operations_endpoints_answer_without_login(void **state)
{
    struct gw *g = gw_start(NULL);
    struct gw_resp r;
    assert_int_equal(gw_get_status(g, NULL, "/healthz"), 200);
    char *url = xasprintf("%s/readyz", g->base);
    gw_do(NULL, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "twitch")), "ok");
    gw_resp_free(&r);
    free(url);
    url = xasprintf("%s/metrics", g->base);
    gw_do(NULL, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.body, "tca_http_requests_total{method=\"GET\",route=\"/healthz\","
                                   "status=\"200\"} 1"));
    assert_non_null(strstr(r.body, "tca_jobs{state=\"queued\"} 0"));
    assert_non_null(strstr(r.body, "tca_twitch_ratelimit_remaining"));
    assert_non_null(strstr(r.body, "tca_http_request_duration_seconds_bucket"));
    gw_resp_free(&r);
    free(url);
    gw_stop(g);
}

static void channels_list_live_status_with_viewer_count(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    struct gw_resp r;
    gw_login(g, b, NULL);
    char *url = xasprintf("%s/api/v1/channels?refresh=true", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *chans = json_object_get(r.json, "channels");
    int live_seen = 0, offline_seen = 0;
    for (size_t i = 0; i < json_array_size(chans); i++) {
        json_t *c = json_array_get(chans, i);
        const char *login = json_string_value(json_object_get(c, "login"));
        json_int_t viewers = int_at(c, "viewer_count");
        if (strcmp(login, "big_channel") == 0) { /* live in the simulator */
            assert_true(json_is_true(json_object_get(c, "live")));
            assert_true(viewers > 0);
            live_seen = 1;
        } else if (strcmp(login, "tiny_channel") == 0) { /* offline */
            assert_false(json_is_true(json_object_get(c, "live")));
            assert_int_equal(viewers, 0);
            offline_seen = 1;
        }
    }
    assert_true(live_seen && offline_seen);
    gw_resp_free(&r);
    free(url);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void adding_a_channel_puts_it_in_the_session_without_capturing(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *mod = gw_browser(), *other = gw_browser();
    struct gw_resp r;
    gw_login(g, mod, NULL);
    gw_login(g, other, "other_mod");
    gw_send(g, mod, "PUT", "/api/v1/sessions/active/channels/20001", NULL, &r);
    assert_int_equal(r.status, 201);
    assert_true(json_is_true(json_object_get(r.json, "added")));
    gw_resp_free(&r);
    gw_send(g, mod, "PUT", "/api/v1/sessions/active/channels/20001", NULL, &r);
    assert_int_equal(r.status, 200); /* already there: nothing changes */
    gw_resp_free(&r);
    char *url = xasprintf("%s/api/v1/sessions/active", g->base);
    gw_do(mod, "GET", url, NULL, NULL, NULL, &r);
    json_t *chans = json_object_get(r.json, "channels");
    assert_int_equal(json_array_size(chans), 1);
    assert_int_equal(int_at(json_array_get(chans, 0), "id"), 20001);
    gw_resp_free(&r);
    int64_t counts[4];
    struct store *st = NULL;
    assert_int_equal(store_open(g->db, &st, NULL, 0), 0);
    assert_int_equal(store_job_counts(st, counts, NULL, 0), 0);
    assert_int_equal(counts[JOB_QUEUED] + counts[JOB_RUNNING], 0); /* no capture was queued */
    store_close(st);
    gw_send(g, other, "PUT", "/api/v1/sessions/active/channels/20003", NULL, &r);
    assert_int_equal(r.status, 403); /* other_mod does not moderate big_channel */
    gw_resp_free(&r);
    free(url);
    curl_easy_cleanup(mod);
    curl_easy_cleanup(other);
    gw_stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(adding_a_channel_puts_it_in_the_session_without_capturing),
        cmocka_unit_test(channels_list_live_status_with_viewer_count),
        cmocka_unit_test(
            another_users_session_is_not_found_and_an_unmoderated_channel_is_forbidden),
        cmocka_unit_test(capture_now_queues_a_job_whose_progress_and_result_are_readable),
        cmocka_unit_test(lost_moderator_role_fails_the_job_with_its_reason_and_stops_the_schedule),
        cmocka_unit_test(capture_while_live_starts_periodic_capture_of_a_live_channel_only),
        cmocka_unit_test(saving_past_the_limit_is_refused_and_nothing_is_deleted),
        cmocka_unit_test(operations_endpoints_answer_without_login),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
