/*
 * API keys, rate limits and request validation over real HTTP: a key acts as its user, a
 * read-only key cannot write, a revoked key is refused at once, keys cannot create keys;
 * per-IP and per-key limits answer 429 with Retry-After; malformed JSON, unknown members,
 * oversize bodies, bad path and query parameters, unknown routes and wrong methods get the
 * right 4xx with a JSON error.
 */
#include "tests/web/gwtest.h"

static char *create_key(struct gw *g, CURL *b, const char *body, long *id)
{
    struct gw_resp r;
    gw_send(g, b, "POST", "/api/v1/keys", body, &r);
    assert_int_equal(r.status, 201);
    const char *key = json_string_value(json_object_get(r.json, "key"));
    assert_non_null(key);
    *id = (long)json_integer_value(json_object_get(r.json, "id"));
    char *out = xasprintf("Authorization: Bearer %s", key);
    gw_resp_free(&r);
    return out;
}

static void api_key_acts_as_its_user_until_revoked(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    struct gw_resp r;
    long id;
    gw_login(g, b, NULL);
    char *auth = create_key(g, b, "{\"name\": \"my bot\"}", &id);
    char *me = xasprintf("%s/api/v1/me", g->base);
    gw_do(NULL, "GET", me, NULL, auth, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "login")), "demo_mod");
    assert_null(json_object_get(r.json, "csrf_token"));
    gw_resp_free(&r);
    /* writes need no CSRF token with a key, which no browser sends on its own */
    char *cap = xasprintf("%s/api/v1/sessions/active/channels/20002/capture", g->base);
    gw_do(NULL, "POST", cap, NULL, auth, NULL, &r);
    assert_int_equal(r.status, 202);
    gw_resp_free(&r);
    /* the list shows a prefix, never the key */
    char *keys = xasprintf("%s/api/v1/keys", g->base);
    gw_do(NULL, "GET", keys, NULL, auth, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *k0 = json_array_get(json_object_get(r.json, "keys"), 0);
    assert_null(json_object_get(k0, "key"));
    assert_non_null(strstr(auth, json_string_value(json_object_get(k0, "prefix"))));
    gw_resp_free(&r);
    /* a key cannot mint keys */
    gw_do(NULL, "POST", keys, "{\"name\": \"child\"}", auth, NULL, &r);
    assert_int_equal(r.status, 403);
    gw_resp_free(&r);
    char *path = xasprintf("/api/v1/keys/%ld", id);
    gw_send(g, b, "DELETE", path, NULL, &r);
    assert_int_equal(r.status, 200);
    gw_resp_free(&r);
    gw_do(NULL, "GET", me, NULL, auth, NULL, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(gw_error(&r), "invalid_api_key");
    gw_resp_free(&r);
    gw_do(NULL, "GET", me, NULL, "Authorization: Bearer tca_madeupmadeupmadeupmadeup", NULL, &r);
    assert_int_equal(r.status, 401);
    gw_resp_free(&r);
    free(path);
    free(keys);
    free(cap);
    free(me);
    free(auth);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void read_only_key_reads_but_cannot_write(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    struct gw_resp r;
    long id;
    gw_login(g, b, NULL);
    char *auth = create_key(g, b, "{\"name\": \"dashboard\", \"read_only\": true}", &id);
    char *url = xasprintf("%s/api/v1/sessions/active", g->base);
    gw_do(NULL, "GET", url, NULL, auth, NULL, &r);
    assert_int_equal(r.status, 200);
    gw_resp_free(&r);
    gw_do(NULL, "DELETE", url, NULL, auth, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(gw_error(&r), "read_only_key");
    gw_resp_free(&r);
    free(url);
    free(auth);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void tight_limits(struct web_options *o)
{
    o->rate_limit = 1; /* one a minute: no refill during the test */
    o->rate_burst = 5;
}

static void requests_past_the_rate_limit_get_429_with_retry_after(void **state)
{
    struct gw *g = gw_start(tight_limits);
    struct gw_resp r;
    char *url = xasprintf("%s/api/v1/me", g->base);
    int limited = 0;
    for (int i = 0; i < 10 && !limited; i++) {
        gw_do(NULL, "GET", url, NULL, NULL, NULL, &r);
        if (r.status == 429) {
            limited = 1;
            assert_true(i >= 5);
            assert_string_equal(gw_error(&r), "rate_limited");
            assert_true(atoi(r.retry_after) >= 1);
        } else {
            assert_int_equal(r.status, 401);
        }
        gw_resp_free(&r);
    }
    assert_true(limited);
    /* probes are never limited */
    assert_int_equal(gw_get_status(g, NULL, "/healthz"), 200);
    free(url);
    gw_stop(g);
}

static void expect(struct gw *g, CURL *b, const char *method, const char *path, const char *body,
                   long status, const char *error)
{
    struct gw_resp r;
    if (strcmp(method, "GET") == 0) {
        char *url = xasprintf("%s%s", g->base, path);
        gw_do(b, method, url, body, NULL, NULL, &r);
        free(url);
    } else {
        gw_send(g, b, method, path, body, &r);
    }
    if (r.status != status || strcmp(gw_error(&r), error) != 0)
        fail_msg("%s %s: %ld %s", method, path, r.status, r.body);
    assert_non_null(json_object_get(r.json, "message"));
    gw_resp_free(&r);
}

static void malformed_bodies_and_bad_parameters_are_refused_with_json_errors(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    gw_login(g, b, NULL);
    const char *sched = "/api/v1/sessions/active/channels/20002/schedule";
    expect(g, b, "PUT", sched, "{\"interval_s\": 60", 400, "invalid_json");
    expect(g, b, "PUT", sched, "[60]", 400, "invalid_json");
    expect(g, b, "PUT", sched, "{\"interval_s\": 60, \"interval_s\": 61}", 400, "invalid_json");
    expect(g, b, "PUT", sched, "{\"interval_s\": \"60\"}", 400, "invalid_body");
    expect(g, b, "PUT", sched, "{\"interval_s\": 60, \"extra\": 1}", 400, "invalid_body");
    expect(g, b, "PUT", sched, "{\"interval_s\": 1}", 400, "invalid_body");
    expect(g, b, "PUT", sched, "{\"interval_s\": 60, \"stop_at\": \"yesterday\"}", 400,
           "invalid_body");
    expect(g, b, "PUT", sched, "{\"interval_s\": 60, \"stop_at\": \"2001-01-01T00:00:00Z\"}", 400,
           "invalid_body");
    expect(g, b, "POST", "/api/v1/sessions/active/save", "{\"label\": 7}", 400, "invalid_body");
    char big[200];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    char *long_label = xasprintf("{\"label\": \"%s\"}", big);
    expect(g, b, "POST", "/api/v1/sessions/active/save", long_label, 400, "invalid_body");
    free(long_label);
    size_t n = 70 * 1024;
    char *huge = xmalloc(n + 32);
    snprintf(huge, n + 32, "{\"label\": \"%0*d\"}", (int)n, 0);
    expect(g, b, "POST", "/api/v1/sessions/active/save", huge, 413, "body_too_large");
    free(huge);
    expect(g, b, "GET", "/api/v1/sessions/abc", NULL, 400, "invalid_parameter");
    expect(g, b, "GET", "/api/v1/sessions/-1", NULL, 400, "invalid_parameter");
    expect(g, b, "GET", "/api/v1/sessions/99999999999999999999", NULL, 400, "invalid_parameter");
    expect(g, b, "GET", "/api/v1/sessions/active/jobs?limit=0", NULL, 400, "invalid_parameter");
    expect(g, b, "GET", "/api/v1/sessions/active/jobs?limit=ten", NULL, 400, "invalid_parameter");
    expect(g, b, "GET", "/api/v1/channels?refresh=maybe", NULL, 400, "invalid_parameter");
    expect(g, b, "GET", "/api/v1/nope", NULL, 404, "not_found");
    expect(g, b, "GET", "/api/v1/sessions/1/2/3/4", NULL, 404, "not_found");
    expect(g, b, "PUT", "/api/v1/sessions", "{}", 405, "method_not_allowed");
    expect(g, b, "POST", "/api/v1/keys", "{\"name\": \"\"}", 400, "invalid_body");
    expect(g, b, "POST", "/api/v1/keys", "{}", 400, "invalid_body");
    curl_easy_cleanup(b);
    gw_stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(api_key_acts_as_its_user_until_revoked),
        cmocka_unit_test(read_only_key_reads_but_cannot_write),
        cmocka_unit_test(requests_past_the_rate_limit_get_429_with_retry_after),
        cmocka_unit_test(malformed_bodies_and_bad_parameters_are_refused_with_json_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
