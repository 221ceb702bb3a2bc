/*
 * Existence oracles: every answer about a session, a channel's history or a chatter must be
 * the same whether the thing belongs to another user or does not exist, and a chatter's
 * name history must not tell when another user captured that chatter. Two users of the
 * simulator (demo_mod and other_mod) capture through the in-process gateway and worker.
 */
#include "tests/web/gwtest.h"

#include "base/err.h"
#include "jobs/worker.h"

static void run_jobs(struct gw *g)
{
    char err[256];
    struct store *st;
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    struct twitch_client *tw = twitch_client_new(&g->o.twitch);
    struct worker_env env = {.st = st, .tw = tw, .keys = &g->keys, .clock = g->o.twitch.clock};
    struct worker_outcome o;
    while (worker_run_one(&env, &o, err, sizeof err) == 1)
        ;
    twitch_client_free(tw);
    store_close(st);
}

static void capture(struct gw *g, CURL *b, const char *channel_id)
{
    struct gw_resp r;
    char *path = xasprintf("/api/v1/sessions/active/channels/%s/capture", channel_id);
    gw_send(g, b, "POST", path, NULL, &r);
    assert_int_equal(r.status, 202);
    gw_resp_free(&r);
    free(path);
    run_jobs(g);
}

/* GETs path through b; returns status and copies the error message into msg. */
static long get_error(struct gw *g, CURL *b, const char *path, char *msg, size_t msglen)
{
    struct gw_resp r;
    char *url = xasprintf("%s%s", g->base, path);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    const char *m = json_string_value(json_object_get(r.json, "message"));
    snprintf(msg, msglen, "%s", m ? m : "");
    long s = r.status;
    gw_resp_free(&r);
    free(url);
    return s;
}

static void overlap_of_someone_elses_session_reads_like_a_missing_one(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *mod = gw_browser(), *other = gw_browser();
    char theirs[512], missing[512];
    gw_login(g, mod, NULL);
    gw_login(g, other, "other_mod");
    capture(g, mod, "20001");   /* session 1: demo_mod's */
    capture(g, other, "20001"); /* session 2: other_mod's */
    assert_int_equal(
        get_error(g, other, "/api/v1/overlap?session_a=1&session_b=2", theirs, sizeof theirs), 404);
    assert_int_equal(
        get_error(g, other, "/api/v1/overlap?session_a=3&session_b=2", missing, sizeof missing),
        404);
    assert_string_equal(theirs, "no session 1");
    assert_string_equal(missing, "no session 3");
    /* the same through the second position */
    assert_int_equal(
        get_error(g, other, "/api/v1/overlap?session_a=2&session_b=1", theirs, sizeof theirs), 404);
    assert_string_equal(theirs, "no session 1");
    assert_int_equal(gw_get_status(g, mod, "/api/v1/overlap?session_a=1&session_b=1"), 200);
    curl_easy_cleanup(mod);
    curl_easy_cleanup(other);
    gw_stop(g);
}

static void history_of_a_channel_only_others_track_reads_like_an_unknown_one(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *mod = gw_browser(), *other = gw_browser();
    char theirs[512], unknown[512];
    gw_login(g, mod, NULL);
    gw_login(g, other, "other_mod");
    capture(g, mod, "20002");
    assert_int_equal(gw_get_status(g, mod, "/api/v1/channels/cozy_channel/history"), 200);
    assert_int_equal(
        get_error(g, other, "/api/v1/channels/cozy_channel/history", theirs, sizeof theirs), 404);
    assert_int_equal(
        get_error(g, other, "/api/v1/channels/nosuch_channel/history", unknown, sizeof unknown),
        404);
    assert_string_equal(theirs, "no history of channel cozy_channel in your sessions");
    assert_string_equal(unknown, "no history of channel nosuch_channel in your sessions");
    curl_easy_cleanup(mod);
    curl_easy_cleanup(other);
    gw_stop(g);
}

/* The id of one chatter of session id, read from its viewer list as b. */
static json_int_t some_chatter(struct gw *g, CURL *b, int session)
{
    struct gw_resp r;
    char *url = xasprintf("%s/api/v1/sessions/%d/stats?sections=viewer_list", g->base, session);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    free(url);
    assert_int_equal(r.status, 200);
    char *text = json_dumps(r.json, 0);
    /* the first "id" of a viewer in the document */
    const char *p = strstr(text, "\"chatters\": [{");
    assert_non_null(p);
    p = strstr(p, "\"id\": \"");
    assert_non_null(p);
    json_int_t id = strtoll(p + 7, NULL, 10);
    free(text);
    gw_resp_free(&r);
    return id;
}

static void chatter_names_never_show_another_users_capture_time(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *mod = gw_browser(), *other = gw_browser();
    struct gw_resp r;
    gw_login(g, mod, NULL);
    gw_login(g, other, "other_mod");
    capture(g, mod, "20001"); /* enrichment records the names now */
    json_int_t chatter = some_chatter(g, mod, 1);
    char *path = xasprintf("%s/api/v1/chatters/%lld", g->base, (long long)chatter);
    gw_do(mod, "GET", path, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *names = json_object_get(r.json, "names");
    assert_true(json_array_size(names) >= 1);
    assert_true(json_is_string(json_object_get(json_array_get(names, 0), "seen_at")));
    gw_resp_free(&r);
    /* three days later other_mod captures the same channel: the names are not new */
    g->clock.offset_ms += 3LL * 86400 * 1000;
    gw_login(g, other, "other_mod");
    capture(g, other, "20001");
    gw_do(other, "GET", path, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    names = json_object_get(r.json, "names");
    assert_true(json_array_size(names) >= 1);
    for (size_t i = 0; i < json_array_size(names); i++)
        assert_true(json_is_null(json_object_get(json_array_get(names, i), "seen_at")));
    gw_resp_free(&r);
    free(path);
    curl_easy_cleanup(mod);
    curl_easy_cleanup(other);
    gw_stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(overlap_of_someone_elses_session_reads_like_a_missing_one),
        cmocka_unit_test(history_of_a_channel_only_others_track_reads_like_an_unknown_one),
        cmocka_unit_test(chatter_names_never_show_another_users_capture_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
