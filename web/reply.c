/*
 * Reading requests and writing replies for the handlers: strict JSON bodies, validated query
 * and path parameters, cookies, and JSON errors {"error", "message"}. Never echoes a cookie,
 * token or body back into a reply.
 */
#include "web/internal.h"

#include "base/chatter.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int web_utf8_valid(const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = *p < 0x80             ? 0
                   : (*p & 0xE0) == 0xC0 ? 1
                   : (*p & 0xF0) == 0xE0 ? 2
                   : (*p & 0xF8) == 0xF0 ? 3
                                         : 4;
        if (n == 4 || (n == 1 && *p < 0xC2) || (n == 3 && *p > 0xF4))
            return 0;
        unsigned cp = n ? *p & (0x3F >> n) : *p;
        for (size_t i = 1; i <= n; i++) {
            if ((p[i] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (p[i] & 0x3F);
        }
        /* overlong forms, UTF-16 surrogates and code points past U+10FFFF */
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        p += n + 1;
    }
    return 1;
}

static enum MHD_Result check_utf8(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    int *ok = cls;
    if (!web_utf8_valid(key) || (value && !web_utf8_valid(value)))
        *ok = 0;
    return *ok ? MHD_YES : MHD_NO;
}

int web_query_utf8_valid(struct web_req *r)
{
    int ok = 1;
    MHD_get_connection_values(r->conn, MHD_GET_ARGUMENT_KIND, check_utf8, &ok);
    return ok;
}

void web_reply_json(struct web_req *r, int status, json_t *j)
{
    free(r->resp);
    if (!j) /* json_pack refuses invalid UTF-8: never an empty body */
        j = json_pack("{s:s, s:s}", "error", "internal", "message",
                      "something went wrong on our side");
    r->resp = json_dumps(j, JSON_COMPACT);
    r->resp_len = r->resp ? strlen(r->resp) : 0;
    r->ctype = "application/json";
    r->status = status;
    json_decref(j);
}

void web_error(struct web_req *r, int status, const char *code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    /* messages may quote the request: bytes that are not UTF-8 become '?', not a NULL reply */
    if (!web_utf8_valid(msg))
        for (unsigned char *p = (unsigned char *)msg; *p; p++)
            if (*p >= 0x80)
                *p = '?';
    web_reply_json(r, status, json_pack("{s:s, s:s}", "error", code, "message", msg));
}

void web_fail(struct web_req *r, int rc, const char *message)
{
    switch (rc) {
    case TCA_ENOTFOUND:
        web_error(r, 404, "not_found", "%s", message);
        break;
    case TCA_EINVAL:
        web_error(r, 400, "invalid", "%s", message);
        break;
    case TCA_ECONFLICT:
        web_error(r, 409, "conflict", "%s", message);
        break;
    case TCA_ELIMIT:
        web_error(r, 409, "limit_reached", "%s", message);
        break;
    case TCA_EAUTH:
        /* only the reply: ending the login is web_twitch_refused's, where the error is known */
        web_error(r, 401, "login_expired",
                  "Twitch no longer accepts your login (revoked or expired): log in again at "
                  "/auth/login");
        break;
    case TCA_EFORBIDDEN:
        web_error(r, 403, "forbidden", "%s", message);
        break;
    case TCA_ERATELIMIT:
    case TCA_ETEMP:
        r->retry_after = 5;
        web_error(r, 503, "unavailable", "Twitch or the store is busy: try again shortly");
        break;
    case TCA_EPROTO:
        web_error(r, 502, "bad_gateway", "Twitch answered something unexpected");
        break;
    default:
        /* store and internal details stay out of replies */
        web_error(r, 500, "internal", "something went wrong on our side");
        break;
    }
}

void web_redirect(struct web_req *r, const char *url)
{
    free(r->location);
    r->location = xstrdup(url);
    free(r->resp);
    r->resp = NULL;
    r->resp_len = 0;
    r->status = 302;
}

void web_set_cookie(struct web_req *r, const char *value)
{
    if (r->n_cookies < (int)(sizeof r->cookies / sizeof *r->cookies))
        r->cookies[r->n_cookies++] = xstrdup(value);
}

char *web_cookie_value(struct web *w, const char *name, const char *value, int64_t max_age_s)
{
    return xasprintf("%s=%s; Path=/; Max-Age=%lld; HttpOnly; SameSite=Lax%s", name, value,
                     (long long)max_age_s, w->secure_cookies ? "; Secure" : "");
}

int web_body_json(struct web_req *r, json_t **out)
{
    *out = NULL;
    const char *ct = web_header(r, MHD_HTTP_HEADER_CONTENT_TYPE);
    if (r->body.len == 0) {
        *out = json_object();
        return 0;
    }
    if (!ct || strncasecmp(ct, "application/json", 16) != 0) {
        web_error(r, 415, "unsupported_media_type", "request bodies must be application/json");
        return -1;
    }
    json_error_t je;
    json_t *j = json_loadb(r->body.data, r->body.len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        web_error(r, 400, "invalid_json", "malformed JSON at line %d column %d: %s", je.line,
                  je.column, je.text);
        return -1;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        web_error(r, 400, "invalid_json", "the body must be a JSON object");
        return -1;
    }
    *out = j;
    return 0;
}

const char *web_query(struct web_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, name);
}

const char *web_header(struct web_req *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

int web_query_int(struct web_req *r, const char *name, int64_t lo, int64_t hi, int64_t dflt,
                  int64_t *out)
{
    const char *v = web_query(r, name);
    *out = dflt;
    if (!v)
        return 0;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (errno || end == v || *end || x < lo || x > hi) {
        web_error(r, 400, "invalid_parameter", "%s must be an integer from %lld to %lld", name,
                  (long long)lo, (long long)hi);
        return -1;
    }
    *out = x;
    return 0;
}

int web_parse_id(const char *s, int64_t *out)
{
    return s ? chatter_parse_id(s, out) : -1;
}

int web_param_id(struct web_req *r, int i, int64_t *out)
{
    if (i >= r->n_params || web_parse_id(r->params[i], out) < 0) {
        web_error(r, 400, "invalid_parameter", "ids in the path are positive integers");
        return -1;
    }
    return 0;
}

int web_cookie_find(const char *header, const char *name, char *out, size_t outlen)
{
    size_t k = strlen(name);
    const char *p = header;
    while (p && *p) {
        while (*p == ' ' || *p == ';')
            p++;
        size_t n = strcspn(p, ";");
        if (n > k && strncmp(p, name, k) == 0 && p[k] == '=') {
            size_t vn = n - k - 1;
            if (vn + 1 > outlen)
                return -1;
            memcpy(out, p + k + 1, vn);
            out[vn] = 0;
            return 0;
        }
        p += n;
    }
    return -1;
}
