/*
 * Login with Twitch (authorization-code flow with a state bound to the browser by a
 * short-lived cookie), login sessions (random 256-bit ids; only their keyed hash is
 * stored, in Redis or the store: logins.c), CSRF tokens, logout, API-key authentication, and the
 * ownership checks every handler uses. Must never put a session id, state, code, token or key in a
 * reply or log.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "twitch/user_token.h"

#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define AUTH_CACHE_MS 5000 /* how long an API key lookup is trusted without the store */

static int64_t now_ms(struct web *w)
{
    return w->o.twitch.clock.now_ms ? w->o.twitch.clock.now_ms(w->o.twitch.clock.ctx)
                                    : clock_wall_ms();
}

int64_t web_now_ms(struct web_req *r)
{
    return now_ms(r->w);
}

static void clear_cookie(struct web_req *r, const char *name)
{
    char *c = web_cookie_value(r->w, name, "", 0);
    web_set_cookie(r, c);
    free(c);
}

void web_auth_login(struct web_req *r)
{
    struct web *w = r->w;
    char state[CRYPTO_TOKEN_CHARS + 1], hash[CRYPTO_HASH_HEX + 1], err[256];
    crypto_random_token(state);
    crypto_token_hash(w->o.keys, state, hash);
    int rc = web_state_put(r, hash, now_ms(w), err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    char *cookie = web_cookie_value(w, WEB_STATE_COOKIE, state, WEB_STATE_TTL_MS / 1000);
    web_set_cookie(r, cookie);
    free(cookie);
    char scopes[256], extras[128];
    const char *with = web_query(r, "with");
    /* the demo's own extras (chat) stay granted whatever a re-login asks for */
    snprintf(extras, sizeof extras, "%s%s%s", with ? with : "",
             with && *with && w->o.login_with ? "," : "", w->o.login_with ? w->o.login_with : "");
    if (twitch_scopes_with(extras, scopes, sizeof scopes) < 0) {
        web_error(r, 400, "invalid_request",
                  "with= takes a comma-separated list of roles, followers and chat");
        return;
    }
    char *url = twitch_oauth_authorize_url(web_twitch(r), scopes, state);
    web_redirect(r, url);
    free(url);
}

/* Checks the state of the callback against the browser's cookie and consumes it. */
static int check_state(struct web_req *r)
{
    const char *state = web_query(r, "state");
    const char *cookies = web_header(r, MHD_HTTP_HEADER_COOKIE);
    char bound[CRYPTO_TOKEN_CHARS + 8], hash[CRYPTO_HASH_HEX + 1], err[256];
    if (!state || !cookies || web_cookie_find(cookies, WEB_STATE_COOKIE, bound, sizeof bound) < 0 ||
        strlen(state) != strlen(bound) || sodium_memcmp(state, bound, strlen(bound)) != 0) {
        web_error(r, 400, "invalid_state",
                  "this login did not start in this browser (or took too long): start again at "
                  "/auth/login");
        return -1;
    }
    crypto_token_hash(r->w->o.keys, state, hash);
    int rc = web_state_take(r, hash, now_ms(r->w), err, sizeof err);
    if (rc && rc != TCA_ENOTFOUND) {
        web_fail(r, rc, err);
        return -1;
    }
    if (rc) {
        web_error(r, 400, "invalid_state",
                  "this login attempt expired or was already used: start again at /auth/login");
        return -1;
    }
    return 0;
}

/* A fresh login session for user_id, replacing any the browser had (no fixation). */
static int new_login(struct web_req *r, int64_t user_id)
{
    struct web *w = r->w;
    char id[CRYPTO_TOKEN_CHARS + 1], old[CRYPTO_TOKEN_CHARS + 8], err[256];
    const char *cookies = web_header(r, MHD_HTTP_HEADER_COOKIE);
    if (cookies && web_cookie_find(cookies, WEB_SESSION_COOKIE, old, sizeof old) == 0) {
        char oldhash[CRYPTO_HASH_HEX + 1];
        crypto_token_hash(w->o.keys, old, oldhash);
        web_login_delete(r, oldhash, err, sizeof err);
    }
    struct store_login l = {.user_id = user_id};
    crypto_random_token(id);
    crypto_token_hash(w->o.keys, id, l.id_hash);
    crypto_random_token(l.csrf);
    l.created_at_ms = l.last_seen_ms = now_ms(w);
    l.expires_at_ms = l.created_at_ms + w->o.login_max_ms;
    int rc = web_login_create(r, &l, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return rc;
    }
    char *cookie = web_cookie_value(w, WEB_SESSION_COOKIE, id, w->o.login_max_ms / 1000);
    web_set_cookie(r, cookie);
    free(cookie);
    sodium_memzero(id, sizeof id);
    return 0;
}

/* A browser whose login failed goes to the UI's explanation (the reason code in the
 * fragment, never in a log); API clients and a gateway without UI get the JSON error. */
static void login_failed_page(struct web_req *r)
{
    const char *accept = web_header(r, MHD_HTTP_HEADER_ACCEPT);
    if (r->status < 400 || !accept || !strstr(accept, "text/html") || !web_ui_available(r->w))
        return;
    json_t *j = json_loadb(r->resp ? r->resp : "", r->resp_len, 0, NULL);
    const char *code = json_string_value(json_object_get(j, "error"));
    char *url = xasprintf("%s/#/login-failed/%s", r->w->public_url, code ? code : "unknown");
    web_redirect(r, url);
    free(url);
    json_decref(j);
}

static void callback(struct web_req *r)
{
    struct web *w = r->w;
    char err[256];
    struct twitch_token tok = {0};
    if (web_query(r, "error")) {
        web_error(r, 400, "login_refused", "Twitch did not grant access: nothing was stored");
        return;
    }
    const char *code = web_query(r, "code");
    if (!code || !*code || strlen(code) > 512) {
        web_error(r, 400, "invalid_parameter", "code is missing");
        return;
    }
    if (!web_store(r) || check_state(r) < 0)
        return;
    struct twitch_client *tw = web_twitch(r);
    int rc = twitch_oauth_exchange_code(tw, code, &tok, err, sizeof err);
    if (!rc)
        rc = twitch_oauth_validate(tw, &tok, err, sizeof err);
    if (rc) {
        web_metrics_event(w->metrics, "login_failures");
        if (rc == TCA_EAUTH)
            web_error(r, 400, "login_refused", "Twitch refused this login: start again");
        else
            web_fail(r, rc, "Twitch could not complete the login");
        goto out;
    }
    struct store_user u = {.id = tok.user_id, .last_login_ms = now_ms(w)};
    snprintf(u.login, sizeof u.login, "%s", tok.login);
    snprintf(u.display_name, sizeof u.display_name, "%s", tok.login);
    struct twitch_user *tu = NULL;
    size_t n = 0;
    if (twitch_get_users(tw, &tok, &tok.user_id, 1, &tu, &n, err, sizeof err) == 0 && n == 1)
        snprintf(u.display_name, sizeof u.display_name, "%s", tu[0].display_name);
    free(tu);
    rc = store_user_upsert(r->st, &u, err, sizeof err);
    if (!rc)
        rc = user_token_save(r->st, w->o.keys, &tok, now_ms(w), err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        goto out;
    }
    /* best effort: the channel list is fetched again on GET /api/v1/channels */
    web_channels_refresh(r, &tok, u.id, err, sizeof err);
    if (new_login(r, u.id))
        goto out;
    r->user_id = u.id;
    clear_cookie(r, WEB_STATE_COOKIE);
    web_metrics_event(w->metrics, "logins");
    char *home = xasprintf("%s/", w->public_url);
    web_redirect(r, home);
    free(home);
out:
    twitch_token_clear(&tok);
}

void web_auth_callback(struct web_req *r)
{
    callback(r);
    login_failed_page(r);
}

/* Logout: this browser's login session only. Other browsers, API keys and the Twitch
 * token (so every scheduled capture) keep going. */
void web_auth_logout(struct web_req *r)
{
    char err[256];
    int rc = web_login_delete(r, r->login_hash, err, sizeof err);
    if (rc && rc != TCA_ENOTFOUND) {
        web_fail(r, rc, err);
        return;
    }
    clear_cookie(r, WEB_SESSION_COOKIE);
    web_reply_json(r, 200, json_pack("{s:b}", "logged_out", 1));
}

/* Every browser of the user logged out; the Twitch token and captures stay. */
void web_auth_logout_everywhere(struct web_req *r)
{
    char err[256];
    int rc = web_login_delete_user(r, r->user_id, err, sizeof err);
    if (rc && rc != TCA_ENOTFOUND) {
        web_fail(r, rc, err);
        return;
    }
    clear_cookie(r, WEB_SESSION_COOKIE);
    web_reply_json(r, 200,
                   json_pack("{s:b, s:s}", "logged_out", 1, "message",
                             "every browser is logged out; scheduled captures go on"));
}

static void end_twitch_login(struct web_req *r)
{
    char err[256];
    store_token_delete(r->st, r->user_id, err, sizeof err);
    web_login_delete_user(r, r->user_id, err, sizeof err);
    if (!r->via_key)
        clear_cookie(r, WEB_SESSION_COOKIE);
}

/* Disconnect Twitch: the token revoked at Twitch and deleted here, which stops every
 * scheduled capture of the user, and every browser logged out. */
void web_auth_disconnect(struct web_req *r)
{
    struct web *w = r->w;
    char err[256];
    struct twitch_token tok = {0};
    if (!web_store(r))
        return;
    /* revoke at Twitch first; a token Twitch already refuses needs no revoking */
    if (user_token_load(r->st, w->o.keys, web_twitch(r), r->user_id, now_ms(w), &tok, err,
                        sizeof err) == 0) {
        twitch_oauth_revoke(r->tw, tok.access_token, err, sizeof err);
        if (tok.refresh_token)
            twitch_oauth_revoke(r->tw, tok.refresh_token, err, sizeof err);
    }
    twitch_token_clear(&tok);
    end_twitch_login(r);
    web_reply_json(r, 200,
                   json_pack("{s:b, s:s}", "disconnected", 1, "message",
                             "Twitch access revoked: scheduled captures stopped and every "
                             "browser is logged out; log in again to resume"));
}

void web_twitch_refused(struct web_req *r, int rc)
{
    if (rc == TCA_EAUTH && r->user_id && web_store(r))
        end_twitch_login(r);
}

int web_user_token(struct web_req *r, struct twitch_token *tok)
{
    char err[256];
    int rc = user_token_load(r->st, r->w->o.keys, web_twitch(r), r->user_id, now_ms(r->w), tok, err,
                             sizeof err);
    if (rc) {
        web_twitch_refused(r, rc);
        web_fail(r, rc, err);
    }
    return rc;
}

static int by_key(struct web_req *r, const char *key)
{
    struct web *w = r->w;
    char hash[CRYPTO_HASH_HEX + 1], ckey[CRYPTO_HASH_HEX + 4], err[256];
    crypto_token_hash(w->o.keys, key, hash);
    snprintf(ckey, sizeof ckey, "k:%s", hash);
    int64_t now = clock_mono_ms();
    char *hit = web_cache_get(w->auth_cache, ckey, now);
    if (hit) {
        long long uid, kid;
        int ro;
        int ok = sscanf(hit, "%lld %lld %d", &uid, &kid, &ro) == 3;
        free(hit);
        if (ok) {
            r->user_id = uid;
            r->key_id = kid;
            r->read_only = ro;
            r->via_key = 1;
            return 0;
        }
    }
    if (!web_store(r))
        return TCA_EDB;
    struct store_api_key k;
    int rc = store_api_key_by_hash(r->st, hash, &k, err, sizeof err);
    if (rc == TCA_ENOTFOUND) {
        web_error(r, 401, "invalid_api_key", "this API key is unknown or was revoked");
        return TCA_EAUTH;
    }
    if (rc) {
        web_fail(r, rc, err);
        return rc;
    }
    char v[80];
    snprintf(v, sizeof v, "%lld %lld %d", (long long)k.user_id, (long long)k.id, k.read_only);
    web_cache_put(w->auth_cache, ckey, v, now + AUTH_CACHE_MS);
    r->user_id = k.user_id;
    r->key_id = k.id;
    r->read_only = k.read_only;
    r->via_key = 1;
    return 0;
}

void web_forget_key(struct web *w, const char *key_hash)
{
    char ckey[CRYPTO_HASH_HEX + 4];
    snprintf(ckey, sizeof ckey, "k:%s", key_hash);
    web_cache_drop(w->auth_cache, ckey);
}

static int by_cookie(struct web_req *r, const char *cookies)
{
    struct web *w = r->w;
    char id[CRYPTO_TOKEN_CHARS + 8], err[256];
    if (web_cookie_find(cookies, WEB_SESSION_COOKIE, id, sizeof id) < 0 || !*id)
        return TCA_EAUTH;
    crypto_token_hash(w->o.keys, id, r->login_hash);
    sodium_memzero(id, sizeof id);
    struct store_login l;
    int rc = web_login_get(r, r->login_hash, &l, err, sizeof err);
    if (rc == TCA_ENOTFOUND)
        return TCA_EAUTH;
    if (rc) {
        web_fail(r, rc, err);
        return rc;
    }
    int64_t now = now_ms(w);
    if (now - l.last_seen_ms > w->o.login_idle_ms || now >= l.expires_at_ms) {
        web_login_delete(r, r->login_hash, err, sizeof err);
        clear_cookie(r, WEB_SESSION_COOKIE);
        web_error(r, 401, "session_expired",
                  "your login session expired: log in again at "
                  "/auth/login");
        return TCA_EAUTH;
    }
    /* one write a minute at most per login session, not one per request */
    int64_t every = w->o.login_idle_ms / 4 < 60000 ? w->o.login_idle_ms / 4 : 60000;
    if (now - l.last_seen_ms >= every)
        web_login_touch(r, &l, now, err, sizeof err);
    r->user_id = l.user_id;
    snprintf(r->csrf, sizeof r->csrf, "%s", l.csrf);
    return 0;
}

int web_authenticate(struct web_req *r)
{
    const char *auth = web_header(r, MHD_HTTP_HEADER_AUTHORIZATION);
    if (auth) {
        if (strncmp(auth, "Bearer ", 7) != 0 || strlen(auth + 7) < 16 || strlen(auth) > 256) {
            web_error(r, 401, "invalid_api_key", "Authorization must be Bearer <API key>");
            return TCA_EAUTH;
        }
        return by_key(r, auth + 7);
    }
    const char *cookies = web_header(r, MHD_HTTP_HEADER_COOKIE);
    return cookies ? by_cookie(r, cookies) : TCA_EAUTH;
}

int web_own_session(struct web_req *r, int i, struct store_session *out)
{
    char err[256];
    int64_t id;
    if (!web_store(r))
        return -1;
    if (i < r->n_params && strcmp(r->params[i], "active") == 0) {
        int rc = store_session_active(r->st, r->user_id, now_ms(r->w), &id, err, sizeof err);
        if (rc) {
            web_fail(r, rc, err);
            return -1;
        }
    } else if (web_param_id(r, i, &id) < 0) {
        return -1;
    }
    int rc = store_session_get(r->st, id, out, err, sizeof err);
    if (rc == TCA_ENOTFOUND || (!rc && out->user_id != r->user_id)) {
        /* the same answer for "absent" and "someone else's": nothing leaks */
        web_error(r, 404, "not_found", "no such session");
        return -1;
    }
    if (rc) {
        web_fail(r, rc, err);
        return -1;
    }
    return 0;
}

int web_own_channel(struct web_req *r, int64_t channel_id)
{
    char err[256];
    if (!web_store(r))
        return -1;
    int rc = store_user_channel_allowed(r->st, r->user_id, channel_id, err, sizeof err);
    if (rc == TCA_ENOTFOUND) {
        web_error(r, 403, "forbidden",
                  "you are not the broadcaster or a moderator of this channel (GET "
                  "/api/v1/channels?refresh=true rechecks)");
        return -1;
    }
    if (rc) {
        web_fail(r, rc, err);
        return -1;
    }
    return 0;
}

void web_api_me(struct web_req *r)
{
    char err[256];
    struct store_user u;
    if (!web_store(r))
        return;
    int rc = store_user_get(r->st, r->user_id, &u, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    json_t *j = json_pack("{s:I, s:s, s:s, s:s, s:b}", "id", (json_int_t)u.id, "login", u.login,
                          "display_name", u.display_name, "auth",
                          r->via_key ? "api_key" : "session", "read_only", r->read_only);
    if (!r->via_key)
        json_object_set_new(j, "csrf_token", json_string(r->csrf));
    web_reply_json(r, 200, j);
}
