/* The simulator's OAuth endpoints over real HTTP: code flow, refresh, revoke, device flow. */
#include "tests/sim/simtest.h"

static void post_form(struct simtest *st, const char *path, const char *form, struct http_resp *r)
{
    char *url = xasprintf("%s%s", st->base, path);
    http_do("POST", url, form, NULL, NULL, r);
    free(url);
}

static void validate(struct simtest *st, const char *token, struct http_resp *r)
{
    char *url = xasprintf("%s/oauth2/validate", st->base);
    char *auth = xasprintf("Authorization: OAuth %s", token);
    http_do("GET", url, NULL, auth, NULL, r);
    free(auth);
    free(url);
}

static void code_flow_gives_tokens_that_validate_refresh_and_revoke(void **state)
{
    struct simtest *st = simtest_start_manual();
    struct http_resp r;
    char *url = xasprintf("%s/oauth2/authorize?client_id=tca-sim-client&redirect_uri="
                          "http%%3A%%2F%%2Flocalhost%%3A9%%2Fcb%%3Fx%%3D1&response_type=code"
                          "&scope=moderator%%3Aread%%3Achatters%%20user%%3Aread%%3Amoderated_"
                          "channels&state=xyz%%20123",
                          st->base);
    http_do("GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 302);
    assert_true(strncmp(r.location, "http://localhost:9/cb?x=1&code=", 31) == 0);
    char *code = url_param(r.location, "code");
    char *state_back = url_param(r.location, "state");
    char *scope = url_param(r.location, "scope");
    assert_string_equal(state_back, "xyz 123");
    assert_string_equal(scope, "moderator:read:chatters user:read:moderated_channels");
    http_resp_free(&r);

    char *form = xasprintf("client_id=tca-sim-client&client_secret=tca-sim-secret&code=%s&"
                           "grant_type=authorization_code&redirect_uri=http%%3A%%2F%%2F"
                           "localhost%%3A9%%2Fcb%%3Fx%%3D1",
                           code);
    post_form(st, "/oauth2/token", form, &r);
    assert_int_equal(r.status, 200);
    json_t *j = r.json;
    assert_string_equal(json_string_value(json_object_get(j, "token_type")), "bearer");
    assert_int_equal(json_integer_value(json_object_get(j, "expires_in")), 14400);
    assert_int_equal(json_array_size(json_object_get(j, "scope")), 2);
    char *access = xstrdup(json_string_value(json_object_get(j, "access_token")));
    char *refresh = xstrdup(json_string_value(json_object_get(j, "refresh_token")));
    http_resp_free(&r);

    /* a code works once */
    post_form(st, "/oauth2/token", form, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(r.json, "message")),
                        "Invalid authorization code");
    http_resp_free(&r);

    validate(st, access, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "login")), "demo_mod");
    assert_string_equal(json_string_value(json_object_get(r.json, "user_id")), "10001");
    assert_string_equal(json_string_value(json_object_get(r.json, "client_id")), "tca-sim-client");
    assert_true(json_integer_value(json_object_get(r.json, "expires_in")) > 14000);
    assert_int_equal(json_array_size(json_object_get(r.json, "scopes")), 2);
    http_resp_free(&r);

    char *rform = xasprintf("client_id=tca-sim-client&client_secret=tca-sim-secret&"
                            "grant_type=refresh_token&refresh_token=%s",
                            refresh);
    post_form(st, "/oauth2/token", rform, &r);
    assert_int_equal(r.status, 200);
    const char *access2 = json_string_value(json_object_get(r.json, "access_token"));
    assert_string_not_equal(access2, access);
    assert_string_not_equal(json_string_value(json_object_get(r.json, "refresh_token")), refresh);
    char *a2 = xstrdup(access2);
    char *revoke = xasprintf("client_id=tca-sim-client&token=%s", a2);
    http_resp_free(&r);

    post_form(st, "/oauth2/revoke", revoke, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    post_form(st, "/oauth2/revoke", "client_id=tca-sim-client&token=nope", &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(r.json, "message")), "Invalid token");
    http_resp_free(&r);

    /* the revoked token is dead; the first one still lives */
    validate(st, a2, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(json_string_value(json_object_get(r.json, "message")),
                        "invalid access token");
    http_resp_free(&r);
    validate(st, access, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);

    free(a2);
    free(revoke);
    free(rform);
    free(access);
    free(refresh);
    free(form);
    free(scope);
    free(state_back);
    free(code);
    free(url);
    simtest_stop(st);
}

static void authorize_refuses_unknown_client_and_missing_parameters(void **state)
{
    struct simtest *st = simtest_start_manual();
    struct http_resp r;
    char *bad = xasprintf("%s/oauth2/authorize?client_id=nope&redirect_uri=http://x/cb&"
                          "response_type=code&scope=a",
                          st->base);
    char *missing = xasprintf("%s/oauth2/authorize?client_id=tca-sim-client&scope=a", st->base);
    http_do("GET", bad, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_non_null(json_object_get(r.json, "message"));
    http_resp_free(&r);
    http_do("GET", missing, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    http_resp_free(&r);
    free(bad);
    free(missing);
    simtest_stop(st);
}

static void sim_login_picks_the_user_and_bad_secret_is_403(void **state)
{
    struct simtest *st = simtest_start_manual();
    char access[64], refresh[64];
    struct http_resp r;
    simtest_login(st, "other_mod", SIMTEST_SCOPES, access, refresh);
    validate(st, access, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "login")), "other_mod");
    assert_string_equal(json_string_value(json_object_get(r.json, "user_id")), "10002");
    http_resp_free(&r);
    char *form = xasprintf("client_id=tca-sim-client&client_secret=wrong&"
                           "grant_type=refresh_token&refresh_token=%s",
                           refresh);
    post_form(st, "/oauth2/token", form, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(json_string_value(json_object_get(r.json, "message")),
                        "invalid client secret");
    http_resp_free(&r);
    post_form(st, "/oauth2/token",
              "client_id=tca-sim-client&client_secret=tca-sim-secret&grant_type=refresh_token&"
              "refresh_token=unknown",
              &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(r.json, "message")),
                        "Invalid refresh token");
    http_resp_free(&r);
    free(form);
    simtest_stop(st);
}

static void client_credentials_token_has_no_refresh_token_and_no_user(void **state)
{
    struct simtest *st = simtest_start_manual();
    struct http_resp r;
    post_form(st, "/oauth2/token",
              "client_id=tca-sim-client&client_secret=tca-sim-secret&"
              "grant_type=client_credentials",
              &r);
    assert_int_equal(r.status, 200);
    assert_null(json_object_get(r.json, "refresh_token"));
    char *access = xstrdup(json_string_value(json_object_get(r.json, "access_token")));
    http_resp_free(&r);
    validate(st, access, &r);
    assert_int_equal(r.status, 200);
    assert_null(json_object_get(r.json, "user_id"));
    http_resp_free(&r);
    free(access);
    simtest_stop(st);
}

static char *start_device(struct simtest *st, char *user_code, size_t len)
{
    struct http_resp r;
    post_form(st, "/oauth2/device", "client_id=tca-sim-client&scopes=moderator%3Aread%3Achatters",
              &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_integer_value(json_object_get(r.json, "expires_in")), 1800);
    assert_int_equal(json_integer_value(json_object_get(r.json, "interval")), 5);
    snprintf(user_code, len, "%s", json_string_value(json_object_get(r.json, "user_code")));
    assert_int_equal(strlen(user_code), 8);
    const char *uri = json_string_value(json_object_get(r.json, "verification_uri"));
    char *expect = xasprintf("%s/activate?device-code=%s", st->base, user_code);
    assert_string_equal(uri, expect);
    free(expect);
    char *device = xstrdup(json_string_value(json_object_get(r.json, "device_code")));
    http_resp_free(&r);
    return device;
}

static void poll_device(struct simtest *st, const char *device, struct http_resp *r)
{
    char *form = xasprintf("client_id=tca-sim-client&device_code=%s&scopes=x&grant_type="
                           "urn%%3Aietf%%3Aparams%%3Aoauth%%3Agrant-type%%3Adevice_code",
                           device);
    post_form(st, "/oauth2/token", form, r);
    free(form);
}

static void device_code_is_pending_then_approved_on_second_poll(void **state)
{
    struct simtest *st = simtest_start_manual();
    char user_code[16];
    char *device = start_device(st, user_code, sizeof user_code);
    struct http_resp r;
    poll_device(st, device, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(r.json, "message")),
                        "authorization_pending");
    http_resp_free(&r);
    poll_device(st, device, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(json_object_get(r.json, "refresh_token"));
    assert_string_equal(json_string_value(json_array_get(json_object_get(r.json, "scope"), 0)),
                        "moderator:read:chatters");
    http_resp_free(&r);
    poll_device(st, device, &r); /* used up */
    assert_int_equal(r.status, 400);
    assert_string_equal(json_string_value(json_object_get(r.json, "message")),
                        "invalid device code");
    http_resp_free(&r);
    free(device);
    simtest_stop(st);
}

static void device_code_without_auto_approve_waits_for_activate(void **state)
{
    struct sim_options o;
    sim_options_default(&o);
    o.device_auto_approve = 0;
    struct simtest *st = simtest_start(&o);
    char user_code[16];
    char *device = start_device(st, user_code, sizeof user_code);
    struct http_resp r;
    for (int i = 0; i < 3; i++) {
        poll_device(st, device, &r);
        assert_int_equal(r.status, 400);
        http_resp_free(&r);
    }
    char *url = xasprintf("%s/activate?device-code=%s&sim_login=other_mod", st->base, user_code);
    http_do("GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    poll_device(st, device, &r);
    assert_int_equal(r.status, 200);
    char *access = xstrdup(json_string_value(json_object_get(r.json, "access_token")));
    http_resp_free(&r);
    validate(st, access, &r);
    assert_string_equal(json_string_value(json_object_get(r.json, "login")), "other_mod");
    http_resp_free(&r);
    free(access);
    free(url);
    free(device);
    simtest_stop(st);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(code_flow_gives_tokens_that_validate_refresh_and_revoke),
        cmocka_unit_test(authorize_refuses_unknown_client_and_missing_parameters),
        cmocka_unit_test(sim_login_picks_the_user_and_bad_secret_is_403),
        cmocka_unit_test(client_credentials_token_has_no_refresh_token_and_no_user),
        cmocka_unit_test(device_code_is_pending_then_approved_on_second_poll),
        cmocka_unit_test(device_code_without_auto_approve_waits_for_activate),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
