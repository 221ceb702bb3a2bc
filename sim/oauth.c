/*
 * The simulator's id.twitch.tv: /oauth2/authorize (auto-consent), token (authorization code,
 * refresh, client credentials, device code), validate, revoke, device, and /activate where
 * a "user" approves a device code. Error bodies follow Twitch's {"status","message"} (and the
 * statuses its authentication guide documents, tested in tests/sim/test_sim_errors.c). Must
 * never put a token or secret into an error message.
 */
#include "sim/server.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define DEVICE_GRANT "urn:ietf:params:oauth:grant-type:device_code"

static int fail(struct call *c, int status, const char *message)
{
    call_reply_oauth_error(c, status, message);
    return -1;
}

static json_t *scope_array(const char *scopes)
{
    json_t *a = json_array();
    const char *p = scopes;
    while (*p) {
        while (*p == ' ')
            p++;
        size_t n = strcspn(p, " ");
        if (n > 0)
            json_array_append_new(a, json_stringn(p, n));
        p += n;
    }
    return a;
}

/* The logged-in user: sim_login= picks one of the cast, else the default login. */
static int pick_user(struct sim *s, struct call *c, int64_t *user)
{
    const char *login = call_arg(c, "sim_login");
    struct world_user u;
    if (!login || !*login) {
        *user = s->default_user;
        return 0;
    }
    if (world_user_by_login(s->world, login, 0, &u) < 0 || u.id >= WORLD_SHARED_BASE)
        return -1;
    *user = u.id;
    return 0;
}

static int authorize(struct sim *s, struct call *c)
{
    const char *client_id = call_arg(c, "client_id");
    const char *redirect = call_arg(c, "redirect_uri");
    const char *type = call_arg(c, "response_type");
    const char *scope = call_arg(c, "scope");
    const char *state = call_arg(c, "state");
    int64_t user;
    if (!client_id || !redirect || !*redirect || !type || !scope)
        return fail(c, 400,
                    "missing client_id, redirect_uri, "
                    "response_type or scope");
    if (!tokens_client_known(s->tokens, client_id))
        return fail(c, 400, "invalid client");
    if (strcmp(type, "code") != 0)
        return fail(c, 400, "unsupported response_type");
    if (pick_user(s, c, &user) < 0)
        return fail(c, 400, "unknown sim_login");
    char *estate = call_urlencode(state ? state : "");
    const char *sep = strchr(redirect, '?') ? "&" : "?";
    const char *deny = call_arg(c, "sim_deny");
    if (deny && strcmp(deny, "1") == 0) {
        /* the user clicked "Cancel": Twitch sends them back with the error, not a page */
        char *loc = xasprintf("%s%serror=access_denied&error_description=The+user+denied+you+"
                              "access%s%s",
                              redirect, sep, state ? "&state=" : "", state ? estate : "");
        call_redirect(c, loc);
        free(loc);
        free(estate);
        return 0;
    }
    char code[TOKENS_TEXT];
    tokens_code_new(s->tokens, user, scope, redirect, clock_wall_ms(), code);
    char *escope = call_urlencode(scope);
    char *loc = xasprintf("%s%scode=%s&scope=%s%s%s", redirect, sep, code, escope,
                          state ? "&state=" : "", state ? estate : "");
    call_redirect(c, loc);
    free(loc);
    free(escope);
    free(estate);
    return 0;
}

static int reply_tokens(struct sim *s, struct call *c, const struct token_info *t)
{
    json_t *j = json_pack("{s:s, s:i, s:s}", "access_token", t->access_token, "expires_in",
                          s->opt.token_ttl_s, "token_type", "bearer");
    if (t->user_id) {
        json_object_set_new(j, "refresh_token", json_string(t->refresh_token));
        json_object_set_new(j, "scope", scope_array(t->scopes));
    }
    call_reply_json(c, 200, j);
    return 0;
}

static int token(struct sim *s, struct call *c)
{
    const char *grant = call_form_get(c, "grant_type");
    const char *client_id = call_form_get(c, "client_id");
    const char *secret = call_form_get(c, "client_secret");
    int64_t now = clock_wall_ms();
    struct token_info t;
    if (!grant)
        return fail(c, 400, "missing grant_type");
    if (!tokens_client_known(s->tokens, client_id))
        return fail(c, 400, "invalid client");
    if (strcmp(grant, DEVICE_GRANT) == 0) {
        /* public clients poll without a secret */
        const char *device = call_form_get(c, "device_code");
        int64_t auto_user = s->opt.device_auto_approve ? s->default_user : 0;
        int rc = device ? tokens_device_poll(s->tokens, device, auto_user, now, &t) : TCA_EAUTH;
        if (rc == TCA_ETEMP)
            return fail(c, 400, "authorization_pending");
        if (rc < 0)
            return fail(c, 400, "invalid device code");
        return reply_tokens(s, c, &t);
    }
    if (!tokens_secret_ok(s->tokens, client_id, secret))
        return fail(c, 403, "invalid client secret");
    if (strcmp(grant, "authorization_code") == 0) {
        const char *code = call_form_get(c, "code");
        if (!code ||
            tokens_code_redeem(s->tokens, code, call_form_get(c, "redirect_uri"), now, &t) < 0)
            return fail(c, 400, "Invalid authorization code");
    } else if (strcmp(grant, "refresh_token") == 0) {
        const char *refresh = call_form_get(c, "refresh_token");
        if (!refresh || tokens_refresh(s->tokens, refresh, now, &t) < 0) {
            /* the one id.twitch.tv error that also carries Helix's "error" field */
            call_reply_helix_error(c, 400, "Invalid refresh token");
            return -1;
        }
    } else if (strcmp(grant, "client_credentials") == 0) {
        tokens_issue(s->tokens, 0, "", now, &t);
    } else {
        return fail(c, 400, "unsupported grant_type");
    }
    return reply_tokens(s, c, &t);
}

static int validate(struct sim *s, struct call *c)
{
    const char *auth = call_header(c, MHD_HTTP_HEADER_AUTHORIZATION);
    struct token_info t;
    int64_t now = clock_wall_ms();
    const char *tok = NULL;
    if (!auth || !*auth)
        return fail(c, 401, "missing authorization token");
    if (strncasecmp(auth, "OAuth ", 6) == 0)
        tok = auth + 6;
    else if (strncasecmp(auth, "Bearer ", 7) == 0)
        tok = auth + 7;
    if (!tok || tokens_lookup(s->tokens, tok, now, &t) < 0)
        return fail(c, 401, "invalid access token");
    json_t *j =
        json_pack("{s:s, s:o, s:I}", "client_id", t.client_id, "scopes", scope_array(t.scopes),
                  "expires_in", (json_int_t)((t.expires_ms - now) / 1000));
    if (t.user_id) {
        struct world_user u;
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)t.user_id);
        world_user_by_id(s->world, t.user_id, sim_tick(s), &u);
        json_object_set_new(j, "login", json_string(u.login));
        json_object_set_new(j, "user_id", json_string(id));
    }
    call_reply_json(c, 200, j);
    return 0;
}

static int revoke_token(struct sim *s, struct call *c)
{
    const char *client_id = call_form_get(c, "client_id");
    const char *tok = call_form_get(c, "token");
    if (!tokens_client_known(s->tokens, client_id))
        return fail(c, 404, "client does not exist");
    if (!tok || tokens_revoke(s->tokens, tok) < 0)
        return fail(c, 400, "Invalid token");
    c->reply = xstrdup("");
    c->reply_len = 0;
    c->status = 200;
    return 0;
}

static int device(struct sim *s, struct call *c)
{
    const char *client_id = call_form_get(c, "client_id");
    const char *scopes = call_form_get(c, "scopes");
    if (!tokens_client_known(s->tokens, client_id))
        return fail(c, 400, "invalid client");
    char device_code[TOKENS_TEXT], user_code[TOKENS_TEXT];
    tokens_device_new(s->tokens, scopes ? scopes : "", clock_wall_ms(), device_code, user_code);
    char *base = sim_base_url(s, c);
    char *uri = xasprintf("%s/activate?device-code=%s", base, user_code);
    call_reply_json(c, 200,
                    json_pack("{s:s, s:i, s:i, s:s, s:s}", "device_code", device_code, "expires_in",
                              1800, "interval", s->opt.device_interval_s, "user_code", user_code,
                              "verification_uri", uri));
    free(uri);
    free(base);
    return 0;
}

static int activate(struct sim *s, struct call *c)
{
    const char *code = call_arg(c, "device-code");
    if (!code)
        code = call_arg(c, "user_code");
    int64_t user;
    if (pick_user(s, c, &user) < 0)
        return fail(c, 400, "unknown sim_login");
    if (!code || tokens_device_approve(s->tokens, code, user) < 0)
        return fail(c, 400, "invalid device code");
    call_reply_json(c, 200, json_pack("{s:i, s:s}", "status", 200, "message", "approved"));
    return 0;
}

int oauth_handle(struct sim *s, struct call *c)
{
    static const struct {
        const char *method;
        const char *path;
        int (*handle)(struct sim *, struct call *);
    } routes[] = {
        {"GET", "/oauth2/authorize", authorize}, {"POST", "/oauth2/token", token},
        {"GET", "/oauth2/validate", validate},   {"POST", "/oauth2/revoke", revoke_token},
        {"POST", "/oauth2/device", device},      {"GET", "/activate", activate},
    };
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (strcmp(c->path, routes[i].path) != 0)
            continue;
        if (strcmp(c->method, routes[i].method) != 0)
            call_reply_oauth_error(c, 405, "method not allowed");
        else
            routes[i].handle(s, c);
        return 1;
    }
    return 0;
}
