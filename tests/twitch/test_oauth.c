/* OAuth against a scripted Twitch: authorize URL, code exchange, validate, revoke, device flow. */
#include "tests/twitch/fake_twitch.h"
#include "base/err.h"

#define N(a) (sizeof(a) / sizeof *(a))

#define TOKEN_ANSWER                                                                               \
    "{\"access_token\":\"acc9\",\"refresh_token\":\"ref9\",\"expires_in\":14124,"                  \
    "\"scope\":[\"moderator:read:chatters\",\"user:read:moderated_channels\"],"                    \
    "\"token_type\":\"bearer\"}"

struct fixture {
    struct fake_twitch *f;
    struct fake_clock fc;
    struct twitch_client *c;
    char api[128], auth[128], err[256];
};

static struct fixture *start(const struct step *steps, size_t n)
{
    struct fixture *x = calloc(1, sizeof *x);
    x->f = fake_twitch_start(steps, n);
    x->c = fake_client(x->f, &x->fc, x->api, x->auth);
    return x;
}

static void stop(struct fixture *x)
{
    twitch_client_free(x->c);
    fake_twitch_stop(x->f);
    free(x);
}

static void authorize_url_escapes_every_parameter(void **state)
{
    struct fixture *x = start(NULL, 0);
    char *url = twitch_oauth_authorize_url(x->c, TWITCH_SCOPES, "st&te");
    char want[512];
    snprintf(want, sizeof want,
             "%s/authorize?response_type=code&client_id=cid123&redirect_uri=http%%3A%%2F%%2F"
             "localhost%%2Fcb&scope=user%%3Aread%%3Amoderated_channels%%20moderator%%3Aread%%3A"
             "chatters&state=st%%26te",
             x->auth);
    assert_string_equal(url, want);
    free(url);
    stop(x);
}

static void code_exchange_posts_the_form_and_fills_the_token(void **state)
{
    static const struct step steps[] = {{.status = 200, TOKEN_ANSWER}};
    struct fixture *x = start(steps, N(steps));
    struct twitch_token t = {0};
    assert_int_equal(twitch_oauth_exchange_code(x->c, "code1", &t, x->err, sizeof x->err), 0);
    assert_string_equal(t.access_token, "acc9");
    assert_string_equal(t.refresh_token, "ref9");
    assert_int_equal(t.expires_at_ms, T0_S * 1000 + 14124000LL);
    assert_string_equal(t.scopes, "moderator:read:chatters user:read:moderated_channels");
    const struct seen *r = &x->f->seen[0];
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->path, "/oauth2/token");
    assert_string_equal(r->body, "client_id=cid123&client_secret=sec456&code=code1&grant_type="
                                 "authorization_code&redirect_uri=http%3A%2F%2Flocalhost%2Fcb");
    twitch_token_clear(&t);
    stop(x);
}

static void refused_code_is_an_auth_error(void **state)
{
    static const struct step steps[] = {
        {.status = 400, "{\"status\":400,\"message\":\"Invalid authorization code\"}"}};
    struct fixture *x = start(steps, N(steps));
    struct twitch_token t = {0};
    assert_int_equal(twitch_oauth_exchange_code(x->c, "code1", &t, x->err, sizeof x->err),
                     TCA_EAUTH);
    assert_non_null(strstr(x->err, "Invalid authorization code"));
    assert_null(t.access_token);
    stop(x);
}

static void validate_fills_user_login_scopes_and_expiry(void **state)
{
    static const struct step steps[] = {
        {.status = 200,
         "{\"client_id\":\"cid123\",\"login\":\"twitchdev\",\"scopes\":"
         "[\"moderator:read:chatters\"],\"user_id\":\"141981764\","
         "\"expires_in\":5520838}"}};
    struct fixture *x = start(steps, N(steps));
    struct twitch_token t = {.access_token = strdup("acc9")};
    assert_int_equal(twitch_oauth_validate(x->c, &t, x->err, sizeof x->err), 0);
    assert_int_equal(t.user_id, 141981764);
    assert_string_equal(t.login, "twitchdev");
    assert_string_equal(t.scopes, "moderator:read:chatters");
    assert_int_equal(t.expires_at_ms, T0_S * 1000 + 5520838000LL);
    assert_string_equal(x->f->seen[0].method, "GET");
    assert_string_equal(x->f->seen[0].path, "/oauth2/validate");
    assert_string_equal(x->f->seen[0].auth, "OAuth acc9");
    twitch_token_clear(&t);
    stop(x);
}

static void validate_of_a_dead_token_is_an_auth_error(void **state)
{
    static const struct step steps[] = {
        {.status = 401, "{\"status\":401,\"message\":\"invalid access token\"}"}};
    struct fixture *x = start(steps, N(steps));
    struct twitch_token t = {.access_token = strdup("acc9")};
    assert_int_equal(twitch_oauth_validate(x->c, &t, x->err, sizeof x->err), TCA_EAUTH);
    assert_null(strstr(x->err, "acc9"));
    twitch_token_clear(&t);
    stop(x);
}

static void validate_of_another_apps_token_is_an_auth_error(void **state)
{
    static const struct step steps[] = {{.status = 200,
                                         "{\"client_id\":\"other\",\"login\":\"a\",\"scopes\":[],"
                                         "\"user_id\":\"1\",\"expires_in\":5}"}};
    struct fixture *x = start(steps, N(steps));
    struct twitch_token t = {.access_token = strdup("acc9")};
    assert_int_equal(twitch_oauth_validate(x->c, &t, x->err, sizeof x->err), TCA_EAUTH);
    twitch_token_clear(&t);
    stop(x);
}

static void revoke_posts_client_id_and_token(void **state)
{
    static const struct step steps[] = {{.status = 200, ""}};
    struct fixture *x = start(steps, N(steps));
    assert_int_equal(twitch_oauth_revoke(x->c, "acc9", x->err, sizeof x->err), 0);
    assert_string_equal(x->f->seen[0].path, "/oauth2/revoke");
    assert_string_equal(x->f->seen[0].body, "client_id=cid123&token=acc9");
    stop(x);
}

static void device_flow_waits_while_pending_then_gives_tokens(void **state)
{
    static const struct step steps[] = {
        {.status = 200,
         "{\"device_code\":\"dev42\",\"expires_in\":1800,\"interval\":5,"
         "\"user_code\":\"ABCDEFGH\",\"verification_uri\":"
         "\"https://www.twitch.tv/activate?public=true&device-code=ABCDEFGH\"}"},
        {.status = 400, "{\"status\":400,\"message\":\"authorization_pending\"}"},
        {.status = 400, "{\"status\":400,\"message\":\"slow_down\"}"},
        {.status = 200, TOKEN_ANSWER},
    };
    struct fixture *x = start(steps, N(steps));
    struct twitch_device d;
    assert_int_equal(twitch_device_start(x->c, TWITCH_SCOPES, &d, x->err, sizeof x->err), 0);
    assert_string_equal(d.user_code, "ABCDEFGH");
    assert_int_equal(d.interval_s, 5);
    assert_int_equal(d.expires_at_ms, T0_S * 1000 + 1800000);
    assert_string_equal(x->f->seen[0].path, "/oauth2/device");
    assert_string_equal(x->f->seen[0].body, "client_id=cid123&scopes=user%3Aread%3Amoderated_"
                                            "channels%20moderator%3Aread%3Achatters");
    struct twitch_token t = {0};
    assert_int_equal(twitch_device_poll(x->c, &d, &t, x->err, sizeof x->err), TCA_ETEMP);
    assert_non_null(strstr(x->err, "authorization_pending"));
    assert_int_equal(twitch_device_poll(x->c, &d, &t, x->err, sizeof x->err), TCA_ETEMP);
    assert_int_equal(twitch_device_poll(x->c, &d, &t, x->err, sizeof x->err), 0);
    assert_string_equal(t.access_token, "acc9");
    const char *form = x->f->seen[3].body;
    assert_non_null(strstr(form, "device_code=dev42"));
    assert_non_null(
        strstr(form, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code"));
    assert_non_null(strstr(form, "client_id=cid123"));
    /* each poll asks for the scopes the flow was started with */
    assert_non_null(
        strstr(form, "scopes=user%3Aread%3Amoderated_channels%20moderator%3Aread%3Achatters"));
    assert_int_equal(x->fc.n_sleeps, 0); /* polling pace is the caller's */
    twitch_token_clear(&t);
    stop(x);
}

static void device_flow_denied_or_expired_is_an_auth_error(void **state)
{
    static const struct step steps[] = {
        {.status = 400, "{\"status\":400,\"message\":\"invalid device code\"}"}};
    struct fixture *x = start(steps, N(steps));
    struct twitch_device d = {
        .scopes = "moderator:read:chatters", .device_code = "dev42", .interval_s = 5};
    struct twitch_token t = {0};
    assert_int_equal(twitch_device_poll(x->c, &d, &t, x->err, sizeof x->err), TCA_EAUTH);
    assert_non_null(strstr(x->err, "invalid device code"));
    assert_non_null(strstr(x->f->seen[0].body, "scopes=moderator%3Aread%3Achatters&"));
    stop(x);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(authorize_url_escapes_every_parameter),
        cmocka_unit_test(code_exchange_posts_the_form_and_fills_the_token),
        cmocka_unit_test(refused_code_is_an_auth_error),
        cmocka_unit_test(validate_fills_user_login_scopes_and_expiry),
        cmocka_unit_test(validate_of_a_dead_token_is_an_auth_error),
        cmocka_unit_test(validate_of_another_apps_token_is_an_auth_error),
        cmocka_unit_test(revoke_posts_client_id_and_token),
        cmocka_unit_test(device_flow_waits_while_pending_then_gives_tokens),
        cmocka_unit_test(device_flow_denied_or_expired_is_an_auth_error),
    };
    return cmocka_run_group_tests(tests, global_setup, global_teardown);
}
