/*
 * OAuth at {auth_base}: the authorize URL, code exchange, refresh, validate, revoke, and the
 * Device Code Grant. Forms are URL-encoded POSTs. Must never put a token, a code or the
 * client secret into err or into a URL.
 */
#include "twitch/internal.h"
#include "twitch/parse.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

char *twitch_oauth_authorize_url(struct twitch_client *c, const char *scopes, const char *state)
{
    struct buf q;
    buf_init(&q, 0);
    http_form_add(c, &q, "response_type", "code");
    http_form_add(c, &q, "client_id", c->client_id);
    if (c->redirect_url)
        http_form_add(c, &q, "redirect_uri", c->redirect_url);
    http_form_add(c, &q, "scope", scopes ? scopes : TWITCH_SCOPES);
    if (state)
        http_form_add(c, &q, "state", state);
    char *url = xasprintf("%s/authorize?%s", c->auth_base, q.data);
    buf_free(&q);
    return url;
}

/* The client id, and the secret when this is a confidential client, as form fields. */
static void add_client(struct twitch_client *c, struct buf *form)
{
    http_form_add(c, form, "client_id", c->client_id);
    if (c->client_secret && *c->client_secret)
        http_form_add(c, form, "client_secret", c->client_secret);
}

/* Wipes a form that held a secret, then frees it. */
static void form_free(struct buf *form)
{
    if (form->data)
        explicit_bzero(form->data, form->len);
    buf_free(form);
}

/* POSTs form to {auth}/path. Returns 0 with the answer (any status) or a TCA_E* code. */
static int post(struct twitch_client *c, const char *path, struct buf *form, struct http_answer *a,
                char *err, size_t errlen)
{
    char *url = xasprintf("%s%s", c->auth_base, path);
    struct http_call call = {.method = "POST", .url = url, .form = form->data ? form->data : ""};
    int rc = client_send(c, &call, 0, a, err, errlen);
    free(url);
    form_free(form);
    return rc;
}

/* The code for a refused OAuth request: credentials problems are TCA_EAUTH. */
static int refused(const struct http_answer *a, const char *what, char *err, size_t errlen)
{
    int rc = client_status_error(a, what, err, errlen);
    return rc == TCA_EINVAL || rc == TCA_EFORBIDDEN ? TCA_EAUTH : rc;
}

int twitch_oauth_exchange_code(struct twitch_client *c, const char *code, struct twitch_token *out,
                               char *err, size_t errlen)
{
    struct buf form;
    struct http_answer a;
    buf_init(&form, 0);
    http_answer_init(&a);
    add_client(c, &form);
    http_form_add(c, &form, "code", code);
    http_form_add(c, &form, "grant_type", "authorization_code");
    if (c->redirect_url)
        http_form_add(c, &form, "redirect_uri", c->redirect_url);
    int rc = post(c, "/token", &form, &a, err, errlen);
    if (rc == 0 && a.status != 200)
        rc = refused(&a, "code exchange", err, errlen);
    if (rc == 0)
        rc = twitch_parse_token(a.body.data, a.body.len, c->clock.now_ms(c->clock.ctx), out, err,
                                errlen);
    http_answer_free(&a);
    return rc;
}

int twitch_oauth_refresh(struct twitch_client *c, struct twitch_token *tok, char *err,
                         size_t errlen)
{
    if (!tok->refresh_token)
        return tca_fail(err, errlen, TCA_EAUTH, "token refresh: no refresh token");
    struct buf form;
    struct http_answer a;
    buf_init(&form, 0);
    http_answer_init(&a);
    add_client(c, &form);
    http_form_add(c, &form, "grant_type", "refresh_token");
    http_form_add(c, &form, "refresh_token", tok->refresh_token);
    int rc = post(c, "/token", &form, &a, err, errlen);
    if (rc == 0 && a.status != 200)
        rc = refused(&a, "token refresh", err, errlen);
    struct twitch_token fresh = {0};
    if (rc == 0)
        rc = twitch_parse_token(a.body.data, a.body.len, c->clock.now_ms(c->clock.ctx), &fresh, err,
                                errlen);
    if (rc == 0) {
        /* Keep what the answer does not repeat: Twitch may omit a new refresh token. */
        struct twitch_token old = *tok;
        tok->access_token = fresh.access_token;
        fresh.access_token = old.access_token;
        if (fresh.refresh_token) {
            tok->refresh_token = fresh.refresh_token;
            fresh.refresh_token = old.refresh_token;
        }
        if (fresh.scopes[0])
            memcpy(tok->scopes, fresh.scopes, sizeof tok->scopes);
        tok->expires_at_ms = fresh.expires_at_ms;
        tok->refreshed = 1;
        twitch_token_clear(&fresh);
    }
    metrics_add(c->metrics, TM_TOKEN_REFRESHES, rc ? TM_RESULT_FAILED : TM_RESULT_OK, 0, 1);
    http_answer_free(&a);
    return rc;
}

int twitch_oauth_validate(struct twitch_client *c, struct twitch_token *tok, char *err,
                          size_t errlen)
{
    static const char what[] = "token validation";
    if (!client_token_usable(tok->access_token))
        return tca_fail(err, errlen, TCA_EAUTH, "%s: no usable access token", what);
    char *url = xasprintf("%s/validate", c->auth_base);
    char *auth = xasprintf("OAuth %s", tok->access_token);
    struct http_call call = {.method = "GET", .url = url, .auth = auth};
    struct http_answer a;
    http_answer_init(&a);
    int rc = client_send(c, &call, 0, &a, err, errlen);
    explicit_bzero(auth, strlen(auth));
    free(auth);
    free(url);
    if (rc == 0 && a.status != 200)
        rc = refused(&a, what, err, errlen);
    char client_id[128];
    if (rc == 0)
        rc = twitch_parse_validate(a.body.data, a.body.len, c->clock.now_ms(c->clock.ctx), tok,
                                   client_id, sizeof client_id, err, errlen);
    if (rc == 0 && strcmp(client_id, c->client_id) != 0)
        rc = tca_fail(err, errlen, TCA_EAUTH, "%s: the token belongs to another client id", what);
    metrics_add(c->metrics, TM_TOKEN_VALIDATIONS, rc ? TM_RESULT_FAILED : TM_RESULT_OK, 0, 1);
    http_answer_free(&a);
    return rc;
}

int twitch_oauth_revoke(struct twitch_client *c, const char *token, char *err, size_t errlen)
{
    struct buf form;
    struct http_answer a;
    buf_init(&form, 0);
    http_answer_init(&a);
    http_form_add(c, &form, "client_id", c->client_id);
    http_form_add(c, &form, "token", token);
    int rc = post(c, "/revoke", &form, &a, err, errlen);
    if (rc == 0 && a.status != 200)
        rc = client_status_error(&a, "token revocation", err, errlen);
    http_answer_free(&a);
    return rc;
}

int twitch_device_start(struct twitch_client *c, const char *scopes, struct twitch_device *out,
                        char *err, size_t errlen)
{
    struct buf form;
    struct http_answer a;
    buf_init(&form, 0);
    http_answer_init(&a);
    http_form_add(c, &form, "client_id", c->client_id);
    http_form_add(c, &form, "scopes", scopes ? scopes : TWITCH_SCOPES);
    int rc = post(c, "/device", &form, &a, err, errlen);
    if (rc == 0 && a.status != 200)
        rc = refused(&a, "device authorization", err, errlen);
    if (rc == 0)
        rc = twitch_parse_device(a.body.data, a.body.len, c->clock.now_ms(c->clock.ctx), out, err,
                                 errlen);
    if (rc == 0)
        snprintf(out->scopes, sizeof out->scopes, "%s", scopes ? scopes : TWITCH_SCOPES);
    http_answer_free(&a);
    return rc;
}

int twitch_device_poll(struct twitch_client *c, const struct twitch_device *d,
                       struct twitch_token *out, char *err, size_t errlen)
{
    static const char what[] = "device authorization";
    struct buf form;
    struct http_answer a;
    buf_init(&form, 0);
    http_answer_init(&a);
    add_client(c, &form);
    http_form_add(c, &form, "scopes", d->scopes[0] ? d->scopes : TWITCH_SCOPES);
    http_form_add(c, &form, "device_code", d->device_code);
    http_form_add(c, &form, "grant_type", "urn:ietf:params:oauth:grant-type:device_code");
    int rc = post(c, "/token", &form, &a, err, errlen);
    if (rc == 0 && a.status != 200) {
        char msg[128];
        twitch_parse_error(a.body.data, a.body.len, msg, sizeof msg);
        if (a.status == 400 &&
            (strcmp(msg, "authorization_pending") == 0 || strcmp(msg, "slow_down") == 0))
            rc = tca_fail(err, errlen, TCA_ETEMP, "%s: %s", what, msg);
        else
            rc = refused(&a, what, err, errlen);
    }
    if (rc == 0)
        rc = twitch_parse_token(a.body.data, a.body.len, c->clock.now_ms(c->clock.ctx), out, err,
                                errlen);
    http_answer_free(&a);
    return rc;
}
