/*
 * Parser of Get Channel Followers pages: {total, data:[{user_id, user_login, user_name,
 * followed_at}], pagination}. Pure and fuzzed (tests/fuzz/fuzz_twitch_followers.c):
 * it must never crash or read past len, and appends nothing on failure.
 */
#include "twitch/parse_followers.h"
#include "twitch/parse.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int twitch_parse_followers(const char *body, size_t len, struct twitch_follow **out, size_t *n,
                           char *cursor, int64_t *total, char *err, size_t errlen)
{
    static const char what[] = "followers page";
    json_error_t jerr;
    if (len > TWITCH_BODY_MAX)
        return tca_fail(err, errlen, TCA_EPROTO, "%s: body larger than %zu bytes", what,
                        TWITCH_BODY_MAX);
    json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return tca_fail(err, errlen, TCA_EPROTO, "%s: not JSON (%s at %d)", what, jerr.text,
                        jerr.position);
    int rc = TCA_EPROTO;
    size_t before = *n;
    json_t *data = json_object_get(root, "data"), *t = json_object_get(root, "total");
    if (!json_is_object(root) || !json_is_array(data) || !json_is_integer(t) ||
        json_integer_value(t) < 0) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: data or total missing", what);
        goto out;
    }
    *total = json_integer_value(t);
    if ((rc = twitch_parse_cursor(root, what, cursor, err, errlen)) < 0)
        goto out;
    rc = TCA_EPROTO;
    size_t count = json_array_size(data), i;
    *out = xreallocarray(*out, *n + count + 1, sizeof **out);
    json_t *item;
    json_array_foreach(data, i, item)
    {
        const char *id_s, *login, *name, *at;
        struct twitch_follow *f = &(*out)[*n];
        if (json_unpack_ex(item, &jerr, 0, "{s:s, s:s, s:s, s:s}", "user_id", &id_s, "user_login",
                           &login, "user_name", &name, "followed_at", &at) < 0) {
            tca_fail(err, errlen, TCA_EPROTO, "%s: data[%zu]: %s", what, i, jerr.text);
            goto out;
        }
        if (twitch_parse_id(id_s, &f->user_id) < 0 || !twitch_login_valid(login) ||
            twitch_parse_time(at, &f->followed_at_ms) < 0) {
            tca_fail(err, errlen, TCA_EPROTO, "%s: data[%zu]: bad id, login or followed_at", what,
                     i);
            goto out;
        }
        snprintf(f->login, sizeof f->login, "%s", login);
        (*n)++;
    }
    rc = 0;
out:
    if (rc < 0)
        *n = before;
    json_decref(root);
    return rc;
}
