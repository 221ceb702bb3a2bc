/*
 * Request arguments and Twitch-shaped replies for the simulator's handlers. Never touches
 * the network and never logs; every size it reads was capped by sim.c.
 */
#include "sim/call.h"

#include "base/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct arg_walk {
    const char *key;
    const char **out;
    size_t max;
    size_t n;
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct arg_walk *a = cls;
    if (key && strcmp(key, a->key) == 0) {
        if (a->n < a->max)
            a->out[a->n] = value ? value : "";
        a->n++;
    }
    return MHD_YES;
}

const char *call_arg(struct call *c, const char *key)
{
    return MHD_lookup_connection_value(c->conn, MHD_GET_ARGUMENT_KIND, key);
}

size_t call_args(struct call *c, const char *key, const char **out, size_t max)
{
    struct arg_walk a = {key, out, max, 0};
    MHD_get_connection_values(c->conn, MHD_GET_ARGUMENT_KIND, collect, &a);
    return a.n;
}

const char *call_header(struct call *c, const char *name)
{
    return MHD_lookup_connection_value(c->conn, MHD_HEADER_KIND, name);
}

static char *form_decode(const char *s, size_t n)
{
    char *v = xstrndup(s, n);
    for (char *p = v; *p; p++)
        if (*p == '+')
            *p = ' ';
    MHD_http_unescape(v);
    return v;
}

static void form_parse(struct call *c)
{
    const char *p = c->body;
    const char *end = c->body + c->body_len;
    c->form_parsed = 1;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        const char *eq = memchr(p, '=', (size_t)(stop - p));
        if (stop > p) {
            struct call_form *f = &c->form;
            f->keys = xreallocarray(f->keys, f->n + 1, sizeof *f->keys);
            f->values = xreallocarray(f->values, f->n + 1, sizeof *f->values);
            f->keys[f->n] = form_decode(p, (size_t)((eq ? eq : stop) - p));
            f->values[f->n] = eq ? form_decode(eq + 1, (size_t)(stop - eq - 1)) : xstrdup("");
            f->n++;
        }
        p = stop + 1;
    }
}

const char *call_form_get(struct call *c, const char *key)
{
    if (!c->form_parsed)
        form_parse(c);
    for (size_t i = 0; i < c->form.n; i++)
        if (strcmp(c->form.keys[i], key) == 0)
            return c->form.values[i];
    return NULL;
}

void call_reply_json(struct call *c, int status, json_t *j)
{
    free(c->reply);
    c->reply = json_dumps(j, JSON_COMPACT);
    if (!c->reply)
        abort(); /* jansson fails only on out-of-memory */
    c->reply_len = strlen(c->reply);
    c->status = status;
    json_decref(j);
}

static const char *reason(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 413:
        return "Payload Too Large";
    case 429:
        return "Too Many Requests";
    case 503:
        return "Service Unavailable";
    default:
        return "Internal Server Error";
    }
}

void call_reply_helix_error(struct call *c, int status, const char *message)
{
    call_reply_json(c, status,
                    json_pack("{s:s, s:i, s:s}", "error", reason(status), "status", status,
                              "message", message));
}

void call_reply_oauth_error(struct call *c, int status, const char *message)
{
    call_reply_json(c, status, json_pack("{s:i, s:s}", "status", status, "message", message));
}

void call_redirect(struct call *c, const char *location)
{
    free(c->location);
    c->location = xstrdup(location);
    free(c->reply);
    c->reply = xstrdup("");
    c->reply_len = 0;
    c->status = 302;
}

void call_clear(struct call *c)
{
    for (size_t i = 0; i < c->form.n; i++) {
        free(c->form.keys[i]);
        free(c->form.values[i]);
    }
    free(c->form.keys);
    free(c->form.values);
    free(c->reply);
    free(c->location);
    memset(c, 0, sizeof *c);
}

char *call_urlencode(const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    char *out = xmalloc(strlen(s) * 3 + 1);
    char *o = out;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (isalnum(*p) || strchr("-_.~", *p)) {
            *o++ = (char)*p;
        } else {
            *o++ = '%';
            *o++ = hex[*p >> 4];
            *o++ = hex[*p & 15];
        }
    }
    *o = 0;
    return out;
}

int call_parse_id(const char *s, int64_t *id)
{
    if (!s || !*s || strlen(s) > 19)
        return -1;
    for (const char *p = s; *p; p++)
        if (!isdigit((unsigned char)*p))
            return -1;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno || v <= 0)
        return -1;
    *id = v;
    return 0;
}

int call_parse_int(const char *s, long min, long max, long def, long *out)
{
    if (!s || !*s) {
        *out = def;
        return 0;
    }
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < min || v > max)
        return -1;
    *out = v;
    return 0;
}
