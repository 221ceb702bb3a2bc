/*
 * The gateway's login over real HTTP against the in-process simulator: the whole
 * authorization-code flow with a cookie jar, the state bound to the browser, CSRF refusal,
 * logout of one browser, logout everywhere, disconnecting Twitch (revoking the token), idle expiry
 * of login sessions, and a token Twitch no longer accepts ending the login with a 401 (never a
 * 500).
 */
#include "tests/web/gwtest.h"
#include "web/internal.h"

#include "base/err.h"
#include "twitch/user_token.h"

static void login_flow_sets_an_httponly_lax_cookie_and_me_names_the_user(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    struct gw_resp r;
    char *url = xasprintf("%s/auth/login", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 302);
    assert_non_null(strstr(r.location, "scope=user%3Aread%3Amoderated_channels"));
    assert_non_null(strstr(r.set_cookie, "tca_oauth_state="));
    assert_non_null(strstr(r.set_cookie, "HttpOnly"));
    assert_non_null(strstr(r.set_cookie, "SameSite=Lax"));
    assert_null(strstr(r.set_cookie, "Secure")); /* the public URL is http here */
    assert_non_null(strstr(r.csp, "frame-ancestors 'none'"));
    gw_resp_free(&r);
    free(url);

    gw_login(g, b, NULL);
    url = xasprintf("%s/api/v1/me", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    assert_string_equal(json_string_value(json_object_get(r.json, "login")), "demo_mod");
    assert_string_equal(json_string_value(json_object_get(r.json, "auth")), "session");
    assert_true(strlen(json_string_value(json_object_get(r.json, "csrf_token"))) >= 43);
    gw_resp_free(&r);
    free(url);
    /* without the cookie nobody is logged in */
    assert_int_equal(gw_get_status(g, NULL, "/api/v1/me"), 401);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void callback_whose_state_was_not_started_in_this_browser_is_refused(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *victim = gw_browser(), *attacker = gw_browser();
    struct gw_resp r;
    /* the attacker starts a login and hands the callback URL to another browser */
    char *url = xasprintf("%s/auth/login", g->base);
    gw_do(attacker, "GET", url, NULL, NULL, NULL, &r);
    free(url);
    char *authorize = xstrdup(r.location);
    gw_resp_free(&r);
    gw_do(NULL, "GET", authorize, NULL, NULL, NULL, &r);
    char *callback = xstrdup(r.location);
    gw_resp_free(&r);
    gw_do(victim, "GET", callback, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    assert_string_equal(gw_error(&r), "invalid_state");
    assert_null(strstr(r.set_cookie, "tca_session="));
    gw_resp_free(&r);
    assert_int_equal(gw_get_status(g, victim, "/api/v1/me"), 401);
    /* a state is single-use: the attacker's own browser may use it once */
    gw_do(attacker, "GET", callback, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 302);
    gw_resp_free(&r);
    gw_do(attacker, "GET", callback, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 400);
    gw_resp_free(&r);
    free(callback);
    free(authorize);
    curl_easy_cleanup(victim);
    curl_easy_cleanup(attacker);
    gw_stop(g);
}

static void state_changing_request_without_the_csrf_token_is_refused(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    struct gw_resp r;
    gw_login(g, b, NULL);
    char *url = xasprintf("%s/api/v1/sessions", g->base);
    gw_do(b, "POST", url, "{}", NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    assert_string_equal(gw_error(&r), "csrf");
    gw_resp_free(&r);
    gw_do(b, "POST", url, "{}", "X-CSRF-Token: not-the-token-of-this-session-at-all-000000", NULL,
          &r);
    assert_int_equal(r.status, 403);
    gw_resp_free(&r);
    free(url);
    gw_send(g, b, "POST", "/api/v1/sessions", "{}", &r);
    assert_int_equal(r.status, 201);
    gw_resp_free(&r);
    curl_easy_cleanup(b);
    gw_stop(g);
}

/* The Twitch token of user 10001 (demo_mod) as stored, or TCA_ENOTFOUND. */
static int stored_token(struct gw *g)
{
    struct store *st;
    char err[256];
    struct store_token stored = {0};
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    int rc = store_token_get(st, 10001, &stored, err, sizeof err);
    store_token_clear(&stored);
    store_close(st);
    return rc;
}

static void logout_ends_this_browser_only_and_captures_keep_their_token(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser(), *other = gw_browser();
    struct gw_resp r;
    gw_login(g, b, NULL);
    gw_login(g, other, NULL);
    char *url = xasprintf("%s/auth/logout", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r); /* logout is never a GET */
    assert_int_equal(r.status, 405);
    gw_resp_free(&r);
    gw_do(b, "POST", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 403);
    gw_resp_free(&r);
    free(url);
    gw_send(g, b, "POST", "/auth/logout", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.set_cookie, "tca_session=;"));
    gw_resp_free(&r);
    assert_int_equal(gw_get_status(g, b, "/api/v1/me"), 401);
    /* the other browser and the Twitch token (so the scheduled captures) are untouched */
    assert_int_equal(gw_get_status(g, other, "/api/v1/me"), 200);
    assert_int_equal(stored_token(g), 0);
    curl_easy_cleanup(b);
    curl_easy_cleanup(other);
    gw_stop(g);
}

static void logout_everywhere_ends_every_browser_but_keeps_the_twitch_token(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser(), *other = gw_browser();
    struct gw_resp r;
    gw_login(g, b, NULL);
    gw_login(g, other, NULL);
    gw_send(g, b, "POST", "/auth/logout-everywhere", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(
        strstr(json_string_value(json_object_get(r.json, "message")), "captures go on"));
    gw_resp_free(&r);
    assert_int_equal(gw_get_status(g, b, "/api/v1/me"), 401);
    assert_int_equal(gw_get_status(g, other, "/api/v1/me"), 401);
    assert_int_equal(stored_token(g), 0);
    curl_easy_cleanup(b);
    curl_easy_cleanup(other);
    gw_stop(g);
}

static void disconnect_revokes_the_twitch_token_and_says_captures_stop(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser(), *other = gw_browser();
    struct gw_resp r;
    char err[256];
    gw_login(g, b, NULL);
    gw_login(g, other, NULL);
    /* keep a copy of the token to ask Twitch about it afterwards */
    struct store *st;
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    struct twitch_client *tw = twitch_client_new(&g->o.twitch);
    struct twitch_token tok = {0};
    assert_int_equal(
        user_token_load(st, &g->keys, tw, 10001, clock_wall_ms(), &tok, err, sizeof err), 0);
    gw_send(g, b, "POST", "/auth/disconnect", NULL, &r);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "message")),
                           "scheduled captures stopped"));
    assert_non_null(strstr(r.set_cookie, "tca_session=;"));
    gw_resp_free(&r);
    assert_int_equal(gw_get_status(g, b, "/api/v1/me"), 401);
    assert_int_equal(gw_get_status(g, other, "/api/v1/me"), 401);
    assert_int_equal(twitch_oauth_validate(tw, &tok, err, sizeof err), TCA_EAUTH);
    assert_int_equal(stored_token(g), TCA_ENOTFOUND);
    twitch_token_clear(&tok);
    twitch_client_free(tw);
    store_close(st);
    curl_easy_cleanup(b);
    curl_easy_cleanup(other);
    gw_stop(g);
}

static void mapping_an_auth_error_to_a_status_changes_no_data(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    gw_login(g, b, NULL);
    struct web_req r = {.w = g->web, .route = -1, .user_id = 10001};
    web_fail(&r, TCA_EAUTH, "whatever failed");
    assert_int_equal(r.status, 401);
    assert_non_null(strstr(r.resp, "\"login_expired\""));
    assert_int_equal(r.n_cookies, 0);
    web_release(&r);
    free(r.resp);
    /* the login and the Twitch token are both still there */
    assert_int_equal(gw_get_status(g, b, "/api/v1/me"), 200);
    assert_int_equal(stored_token(g), 0);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void short_idle(struct web_options *o)
{
    o->login_idle_ms = 60 * 1000;
    o->login_max_ms = 3600 * 1000;
}

static void login_session_expires_after_its_idle_time_and_its_absolute_limit(void **state)
{
    struct gw *g = gw_start(short_idle);
    CURL *b = gw_browser();
    gw_login(g, b, NULL);
    assert_int_equal(gw_get_status(g, b, "/api/v1/me"), 200);
    g->clock.offset_ms = 59 * 1000;
    assert_int_equal(gw_get_status(g, b, "/api/v1/me"), 200); /* activity restarts the idle time */
    g->clock.offset_ms = 2 * 59 * 1000;
    assert_int_equal(gw_get_status(g, b, "/api/v1/me"), 200);
    g->clock.offset_ms += 61 * 1000;
    struct gw_resp r;
    char *url = xasprintf("%s/api/v1/me", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(gw_error(&r), "session_expired");
    gw_resp_free(&r);
    /* the absolute limit holds however active the user is */
    g->clock.offset_ms = 0;
    gw_login(g, b, NULL);
    for (int64_t t = 50; t <= 3600; t += 50) {
        g->clock.offset_ms = t * 1000;
        long s = gw_get_status(g, b, "/api/v1/me");
        assert_int_equal(s, t < 3600 ? 200 : 401);
    }
    free(url);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void new_login_replaces_the_session_id_of_the_browser(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    gw_login(g, b, NULL);
    struct curl_slist *cookies = NULL;
    curl_easy_getinfo(b, CURLINFO_COOKIELIST, &cookies);
    char first[256] = "";
    for (struct curl_slist *c = cookies; c; c = c->next)
        if (strstr(c->data, "tca_session"))
            snprintf(first, sizeof first, "%s", strrchr(c->data, '\t') + 1);
    curl_slist_free_all(cookies);
    assert_true(strlen(first) >= 43);
    gw_login(g, b, NULL);
    /* the old id no longer works (no fixation) */
    struct gw_resp r;
    char *hdr = xasprintf("Cookie: tca_session=%s", first);
    char *url = xasprintf("%s/api/v1/me", g->base);
    gw_do(NULL, "GET", url, NULL, hdr, NULL, &r);
    assert_int_equal(r.status, 401);
    gw_resp_free(&r);
    assert_int_equal(gw_get_status(g, b, "/api/v1/me"), 200);
    free(url);
    free(hdr);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void token_twitch_no_longer_accepts_ends_the_login_with_401(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    char err[256];
    gw_login(g, b, NULL);
    struct store *st;
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    struct twitch_client *tw = twitch_client_new(&g->o.twitch);
    struct twitch_token tok = {0};
    assert_int_equal(
        user_token_load(st, &g->keys, tw, 10001, clock_wall_ms(), &tok, err, sizeof err), 0);
    /* the user disconnects the app on Twitch: both tokens die */
    assert_int_equal(twitch_oauth_revoke(tw, tok.access_token, err, sizeof err), 0);
    assert_int_equal(twitch_oauth_revoke(tw, tok.refresh_token, err, sizeof err), 0);
    struct gw_resp r;
    char *url = xasprintf("%s/api/v1/channels?refresh=true", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(gw_error(&r), "login_expired");
    assert_non_null(strstr(json_string_value(json_object_get(r.json, "message")), "log in again"));
    gw_resp_free(&r);
    assert_int_equal(gw_get_status(g, b, "/api/v1/me"), 401);
    free(url);
    twitch_token_clear(&tok);
    twitch_client_free(tw);
    store_close(st);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void demo_login_with(struct web_options *o)
{
    o->login_with = "chat";
}

/* The location /auth/login?with=... (NULL: no query) redirects to; the caller frees it. */
static char *login_location(struct gw *g, const char *with, long *status)
{
    CURL *b = gw_browser();
    struct gw_resp r;
    char *url = with ? xasprintf("%s/auth/login?with=%s", g->base, with)
                     : xasprintf("%s/auth/login", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    *status = r.status;
    char *loc = xstrdup(r.location);
    gw_resp_free(&r);
    free(url);
    curl_easy_cleanup(b);
    return loc;
}

static void login_with_option_keeps_its_scope_whatever_the_browser_asks(void **state)
{
    long status;
    struct gw *g = gw_start(NULL);
    char *loc = login_location(g, NULL, &status);
    assert_int_equal(status, 302);
    assert_null(strstr(loc, "user%3Aread%3Achat")); /* a real gateway asks chat only if told */
    free(loc);
    gw_stop(g);

    g = gw_start(demo_login_with); /* the demo: every browser login asks chat too */
    loc = login_location(g, NULL, &status);
    assert_int_equal(status, 302);
    assert_non_null(strstr(loc, "user%3Aread%3Achat"));
    free(loc);
    loc = login_location(g, "followers", &status);
    assert_int_equal(status, 302);
    assert_non_null(strstr(loc, "user%3Aread%3Achat"));
    assert_non_null(strstr(loc, "moderator%3Aread%3Afollowers"));
    free(loc);
    loc = login_location(g, "bogus", &status);
    assert_int_equal(status, 400);
    free(loc);
    gw_stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(login_flow_sets_an_httponly_lax_cookie_and_me_names_the_user),
        cmocka_unit_test(callback_whose_state_was_not_started_in_this_browser_is_refused),
        cmocka_unit_test(state_changing_request_without_the_csrf_token_is_refused),
        cmocka_unit_test(logout_ends_this_browser_only_and_captures_keep_their_token),
        cmocka_unit_test(logout_everywhere_ends_every_browser_but_keeps_the_twitch_token),
        cmocka_unit_test(disconnect_revokes_the_twitch_token_and_says_captures_stop),
        cmocka_unit_test(mapping_an_auth_error_to_a_status_changes_no_data),
        cmocka_unit_test(login_session_expires_after_its_idle_time_and_its_absolute_limit),
        cmocka_unit_test(new_login_replaces_the_session_id_of_the_browser),
        cmocka_unit_test(token_twitch_no_longer_accepts_ends_the_login_with_401),
        cmocka_unit_test(login_with_option_keeps_its_scope_whatever_the_browser_asks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
