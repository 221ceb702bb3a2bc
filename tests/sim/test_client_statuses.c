/*
 * tca's Twitch client (twitch/) against the simulator's documented error statuses: each maps
 * to the right TCA_E* code, and a 401 that no new token can cure (moderator_id mismatch,
 * missing scope) costs one refresh and then fails, leaving a token that still works.
 */
#include "tests/sim/simtest.h"

#include "base/clock.h"
#include "base/err.h"
#include "twitch/twitch.h"

struct fixture {
    struct simtest *st;
    char api[96], auth[96];
    struct twitch_client *c;
    struct twitch_token tok;
    char err[256];
};

static long tokens_issued(struct simtest *st)
{
    struct http_resp r;
    char *url = xasprintf("%s/_sim/stats", st->base);
    http_do("GET", url, NULL, NULL, NULL, &r);
    long n = (long)json_integer_value(json_object_get(r.json, "tokens_issued"));
    http_resp_free(&r);
    free(url);
    return n;
}

static void login_as(struct fixture *f, const char *login, const char *scopes)
{
    char access[64], refresh[64];
    twitch_token_clear(&f->tok);
    simtest_login(f->st, login, scopes, access, refresh);
    f->tok.access_token = xstrdup(access);
    f->tok.refresh_token = xstrdup(refresh);
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    f->st = simtest_start_manual();
    snprintf(f->api, sizeof f->api, "%s/helix", f->st->base);
    snprintf(f->auth, sizeof f->auth, "%s/oauth2", f->st->base);
    struct twitch_settings s = {.api_base = f->api,
                                .auth_base = f->auth,
                                .client_id = "tca-sim-client",
                                .client_secret = "tca-sim-secret",
                                .max_retries = 2,
                                .backoff_base_ms = 1,
                                .backoff_max_ms = 5,
                                .clock = clock_real()};
    f->c = twitch_client_new(&s);
    login_as(f, "demo_mod", SIMTEST_SCOPES);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    twitch_token_clear(&f->tok);
    twitch_client_free(f->c);
    simtest_stop(f->st);
    free(f);
    return 0;
}

static int chatters(struct fixture *f, int64_t broadcaster, int64_t moderator)
{
    struct chatter_set s;
    int pages = 0;
    chatter_set_init(&s);
    int rc = twitch_get_chatters(f->c, &f->tok, broadcaster, moderator, &s, &pages, f->err,
                                 sizeof f->err);
    chatter_set_free(&s);
    return rc;
}

static void moderator_mismatch_costs_one_refresh_then_fails_and_the_token_still_works(void **state)
{
    struct fixture *f = *state;
    long before = tokens_issued(f->st);
    assert_int_equal(chatters(f, 20003, 10002), TCA_EAUTH);
    assert_non_null(strstr(f->err, "must match the user ID"));
    /* the client cannot tell this 401 from an expired token: it refreshes once, no more */
    assert_true(f->tok.refreshed);
    assert_int_equal(tokens_issued(f->st), before + 1);
    /* and the login is not lost: the same (refreshed) token captures as it should */
    f->tok.refreshed = 0;
    assert_int_equal(chatters(f, 20003, 10001), 0);
    assert_false(f->tok.refreshed);
    assert_int_equal(tokens_issued(f->st), before + 1);
}

static void missing_scope_is_an_auth_error_after_one_refresh(void **state)
{
    struct fixture *f = *state;
    login_as(f, "demo_mod", "user:read:moderated_channels");
    long before = tokens_issued(f->st);
    assert_int_equal(chatters(f, 20003, 10001), TCA_EAUTH);
    assert_non_null(strstr(f->err, "moderator:read:chatters"));
    assert_int_equal(tokens_issued(f->st), before + 1);
}

static void not_a_moderator_is_forbidden_without_a_refresh(void **state)
{
    struct fixture *f = *state;
    login_as(f, "other_mod", SIMTEST_SCOPES);
    long before = tokens_issued(f->st);
    assert_int_equal(chatters(f, 20003, 10002), TCA_EFORBIDDEN);
    assert_false(f->tok.refreshed);
    assert_int_equal(tokens_issued(f->st), before);
}

static void bad_parameters_are_invalid_and_server_errors_temporary(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(chatters(f, 99999999, 10001), TCA_EINVAL);
    struct http_resp r;
    char *url = xasprintf("%s/_sim/faults", f->st->base);
    http_do("POST", url, "{\"path\":\"/helix/moderation/channels\",\"status\":500,\"count\":9}",
            NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    struct twitch_channel *chans = NULL;
    size_t n = 0;
    assert_int_equal(
        twitch_get_moderated_channels(f->c, &f->tok, 10001, &chans, &n, f->err, sizeof f->err),
        TCA_ETEMP);
    assert_null(chans);
    free(url);
}

static void an_expired_token_is_refreshed_and_the_call_succeeds(void **state)
{
    struct fixture *f = *state;
    struct http_resp r;
    char *url = xasprintf("%s/_sim/expire-tokens", f->st->base);
    http_do("POST", url, "", NULL, NULL, &r);
    http_resp_free(&r);
    assert_int_equal(chatters(f, 20003, 10001), 0);
    assert_true(f->tok.refreshed);
    free(url);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            moderator_mismatch_costs_one_refresh_then_fails_and_the_token_still_works, setup,
            teardown),
        cmocka_unit_test_setup_teardown(missing_scope_is_an_auth_error_after_one_refresh, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(not_a_moderator_is_forbidden_without_a_refresh, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(bad_parameters_are_invalid_and_server_errors_temporary,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(an_expired_token_is_refreshed_and_the_call_succeeds, setup,
                                        teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
