/*
 * Followers over the HTTP API against the in-process simulator: a login made with
 * /auth/login?with=followers lets its captures read new followers; the statistics document's
 * followers section and the followers export say the same (reads, new followers per capture,
 * each follow once); a login without the scope gets a followers section with no reads.
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

/* gw_login through /auth/login?with=... */
static void login_with(struct gw *g, CURL *h, const char *with)
{
    struct gw_resp r;
    char *url = xasprintf("%s/auth/login?with=%s", g->base, with);
    gw_do(h, "GET", url, NULL, NULL, NULL, &r);
    free(url);
    assert_int_equal(r.status, 302);
    assert_non_null(strstr(r.location, "moderator%3Aread%3Afollowers"));
    char *authorize = xstrdup(r.location);
    gw_resp_free(&r);
    gw_do(NULL, "GET", authorize, NULL, NULL, NULL, &r);
    free(authorize);
    assert_int_equal(r.status, 302);
    char *callback = xstrdup(r.location);
    gw_resp_free(&r);
    gw_do(h, "GET", callback, NULL, NULL, NULL, &r);
    free(callback);
    assert_int_equal(r.status, 302);
    gw_resp_free(&r);
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

static json_t *cozy(json_t *doc)
{
    json_t *chs = json_object_get(json_object_get(doc, "followers"), "channels");
    assert_int_equal(json_array_size(chs), 1);
    return json_array_get(chs, 0);
}

static void the_followers_section_and_export_agree_capture_by_capture(void **state)
{
    (void)state;
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    login_with(g, b, "followers");
    for (int i = 0; i < 3; i++)
        capture(g, b);
    json_t *doc = get_json(g, b, "/api/v1/sessions/active/stats?sections=followers");
    json_t *rows = get_json(g, b, "/api/v1/sessions/active/export?what=followers&format=json");
    json_t *ch = cozy(doc);
    assert_string_equal(json_string_value(json_object_get(ch, "login")), "cozy_channel");
    assert_int_equal(json_integer_value(json_object_get(ch, "reads")), 3);
    assert_int_equal(json_integer_value(json_object_get(ch, "new_followers")),
                     json_array_size(rows));
    assert_true(json_integer_value(json_object_get(ch, "total")) > 0);
    size_t i, k;
    json_t *c, *row;
    json_array_foreach(json_object_get(ch, "captures"), i, c)
    {
        json_int_t seq = json_integer_value(json_object_get(c, "seq")), n = 0;
        json_array_foreach(rows, k, row)
        {
            n += json_integer_value(json_object_get(row, "seq")) == seq;
            assert_non_null(json_string_value(json_object_get(row, "created_at")));
        }
        assert_int_equal(json_integer_value(json_object_get(c, "new_followers")), n);
        assert_false(json_is_true(json_object_get(c, "wave")));
    }
    json_decref(doc);
    json_decref(rows);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void a_login_without_the_scope_reads_no_followers(void **state)
{
    (void)state;
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    gw_login(g, b, NULL);
    capture(g, b);
    json_t *doc = get_json(g, b, "/api/v1/sessions/active/stats?sections=followers");
    json_t *ch = cozy(doc);
    assert_int_equal(json_integer_value(json_object_get(ch, "reads")), 0);
    assert_int_equal(json_integer_value(json_object_get(ch, "new_followers")), 0);
    json_decref(doc);
    curl_easy_cleanup(b);
    gw_stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_followers_section_and_export_agree_capture_by_capture),
        cmocka_unit_test(a_login_without_the_scope_reads_no_followers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
