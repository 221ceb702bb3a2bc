/*
 * Parsers of the OAuth answers of {auth}/token, /validate and /device, and of Twitch error
 * bodies. Tokens end up in HTTP headers, so a token with anything but visible ASCII is
 * refused here; these functions must never put a token in err.
 */
#include "twitch/parse.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest lifetime believed, so that now + expires_in can never overflow. */
#define EXPIRES_IN_MAX (10LL * 365 * 24 * 3600)

static json_t *load(const char *body, size_t len, const char *what, char *err, size_t errlen)
{
    if (len > TWITCH_BODY_MAX) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: body of %zu bytes is too large", what, len);
        return NULL;
    }
    json_error_t jerr;
    json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: invalid JSON at line %d column %d: %s", what,
                 jerr.line, jerr.column, jerr.text);
        return NULL;
    }
    if (!json_is_object(root)) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: body is not a JSON object", what);
        json_decref(root);
        return NULL;
    }
    return root;
}

static int token_text_valid(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7F)
            return 0;
    return 1;
}

/*
 * Joins a "scope"/"scopes" array (or null) into out, space-separated. A scope that does not
 * fit is dropped whole rather than cut, so a check for a scope never matches half of one.
 */
static int join_scopes(json_t *arr, char *out, size_t outlen, const char *what, char *err,
                       size_t errlen)
{
    out[0] = '\0';
    if (!arr || json_is_null(arr))
        return 0;
    if (!json_is_array(arr))
        return tca_fail(err, errlen, TCA_EPROTO, "%s: scopes are not an array", what);
    size_t used = 0, i;
    json_t *s;
    json_array_foreach(arr, i, s)
    {
        if (!json_is_string(s) || !token_text_valid(json_string_value(s)))
            return tca_fail(err, errlen, TCA_EPROTO, "%s: scope %zu is not a scope name", what, i);
        size_t n = json_string_length(s);
        if (used + (used > 0) + n + 1 > outlen)
            continue;
        if (used > 0)
            out[used++] = ' ';
        memcpy(out + used, json_string_value(s), n + 1);
        used += n;
    }
    return 0;
}

static int read_expires_in(json_t *root, int required, int64_t *secs, const char *what, char *err,
                           size_t errlen)
{
    json_t *e = json_object_get(root, "expires_in");
    *secs = 0;
    if (!e)
        return required ? tca_fail(err, errlen, TCA_EPROTO, "%s: expires_in is missing", what) : 0;
    if (!json_is_integer(e) || json_integer_value(e) < 0 || json_integer_value(e) > EXPIRES_IN_MAX)
        return tca_fail(err, errlen, TCA_EPROTO, "%s: expires_in is not a lifetime", what);
    *secs = json_integer_value(e);
    return 0;
}

int twitch_parse_token(const char *body, size_t len, int64_t now_ms, struct twitch_token *out,
                       char *err, size_t errlen)
{
    static const char what[] = "token answer";
    int rc = TCA_EPROTO;
    json_t *root = load(body, len, what, err, errlen);
    if (!root)
        return TCA_EPROTO;
    const char *access, *type = NULL;
    json_t *refresh = NULL, *scope = NULL;
    json_error_t jerr;
    if (json_unpack_ex(root, &jerr, 0, "{s:s, s?o, s?o, s?s}", "access_token", &access,
                       "refresh_token", &refresh, "scope", &scope, "token_type", &type) < 0) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: %s", what, jerr.text);
        goto out;
    }
    if (!token_text_valid(access)) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: access_token is empty or not ASCII", what);
        goto out;
    }
    if (refresh && !json_is_null(refresh) &&
        (!json_is_string(refresh) || !token_text_valid(json_string_value(refresh)))) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: refresh_token is not a token", what);
        goto out;
    }
    if (type && strcasecmp(type, "bearer") != 0) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: token_type is not bearer", what);
        goto out;
    }
    char scopes[sizeof out->scopes];
    int64_t secs;
    if ((rc = join_scopes(scope, scopes, sizeof scopes, what, err, errlen)) < 0 ||
        (rc = read_expires_in(root, 0, &secs, what, err, errlen)) < 0)
        goto out;
    char *new_access = xstrdup(access);
    char *new_refresh = json_is_string(refresh) ? xstrdup(json_string_value(refresh)) : NULL;
    int64_t user_id = out->user_id;
    char login[sizeof out->login];
    memcpy(login, out->login, sizeof login);
    int refreshed = out->refreshed;
    twitch_token_clear(out);
    out->access_token = new_access;
    out->refresh_token = new_refresh;
    out->expires_at_ms = secs ? now_ms + secs * 1000 : 0;
    out->user_id = user_id;
    memcpy(out->login, login, sizeof login);
    memcpy(out->scopes, scopes, sizeof scopes);
    out->refreshed = refreshed;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int twitch_parse_validate(const char *body, size_t len, int64_t now_ms, struct twitch_token *tok,
                          char *client_id, size_t client_idlen, char *err, size_t errlen)
{
    static const char what[] = "validate answer";
    int rc = TCA_EPROTO;
    json_t *root = load(body, len, what, err, errlen);
    if (!root)
        return TCA_EPROTO;
    const char *cid, *login = "", *user_id = NULL;
    json_t *scopes = NULL;
    json_error_t jerr;
    if (json_unpack_ex(root, &jerr, 0, "{s:s, s?s, s?s, s?o}", "client_id", &cid, "login", &login,
                       "user_id", &user_id, "scopes", &scopes) < 0) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: %s", what, jerr.text);
        goto out;
    }
    int64_t id = 0, secs;
    if (user_id && twitch_parse_id(user_id, &id) < 0) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: user_id is not a positive decimal number", what);
        goto out;
    }
    if (*login && !twitch_login_valid(login)) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: login is not a valid Twitch login", what);
        goto out;
    }
    if (!token_text_valid(cid) || strlen(cid) >= client_idlen) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: client_id is not a client id", what);
        goto out;
    }
    char joined[sizeof tok->scopes];
    if ((rc = join_scopes(scopes, joined, sizeof joined, what, err, errlen)) < 0 ||
        (rc = read_expires_in(root, 1, &secs, what, err, errlen)) < 0)
        goto out;
    strcpy(client_id, cid);
    tok->user_id = id;
    snprintf(tok->login, sizeof tok->login, "%s", login);
    memcpy(tok->scopes, joined, sizeof joined);
    tok->expires_at_ms = secs ? now_ms + secs * 1000 : 0;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int twitch_parse_device(const char *body, size_t len, int64_t now_ms, struct twitch_device *out,
                        char *err, size_t errlen)
{
    static const char what[] = "device answer";
    int rc = TCA_EPROTO;
    json_t *root = load(body, len, what, err, errlen);
    if (!root)
        return TCA_EPROTO;
    const char *device_code, *user_code, *uri;
    json_int_t interval = 5;
    json_error_t jerr;
    if (json_unpack_ex(root, &jerr, 0, "{s:s, s:s, s:s, s?I}", "device_code", &device_code,
                       "user_code", &user_code, "verification_uri", &uri, "interval",
                       &interval) < 0) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: %s", what, jerr.text);
        goto out;
    }
    int64_t secs;
    if ((rc = read_expires_in(root, 1, &secs, what, err, errlen)) < 0)
        goto out;
    rc = TCA_EPROTO;
    if (!token_text_valid(device_code) || strlen(device_code) >= sizeof out->device_code ||
        !token_text_valid(user_code) || strlen(user_code) >= sizeof out->user_code ||
        !token_text_valid(uri) || strlen(uri) >= sizeof out->verification_uri) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: a code or the URI is empty or too long", what);
        goto out;
    }
    if (interval < 1 || interval > 3600) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: interval is out of range", what);
        goto out;
    }
    memset(out, 0, sizeof *out);
    strcpy(out->device_code, device_code);
    strcpy(out->user_code, user_code);
    strcpy(out->verification_uri, uri);
    out->interval_s = (int)interval;
    out->expires_at_ms = now_ms + secs * 1000;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int twitch_parse_error(const char *body, size_t len, char *msg, size_t msglen)
{
    if (msglen)
        msg[0] = '\0';
    if (len > TWITCH_BODY_MAX || msglen == 0)
        return -1;
    json_t *root = json_loadb(body ? body : "", len, 0, NULL);
    json_t *m = root ? json_object_get(root, "message") : NULL;
    int rc = -1;
    if (json_is_string(m) && json_string_length(m) > 0) {
        /* The message is echoed into logs and pages: keep it to printable ASCII. */
        const char *s = json_string_value(m);
        size_t n = 0;
        for (; *s && n + 1 < msglen; s++)
            msg[n++] = ((unsigned char)*s >= 0x20 && (unsigned char)*s < 0x7F) ? *s : '?';
        msg[n] = '\0';
        rc = 0;
    }
    json_decref(root);
    return rc;
}
