/*
 * Twitch response parsers on jansson. Every field the client uses is checked for its JSON
 * type and its shape (ids, logins, timestamps); fields it does not use are ignored so that
 * Twitch adding one never breaks a capture. Must never trust a length or a count from the
 * body, and never append half a page.
 */
#include "twitch/parse.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <string.h>

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

/* Copies at most dstlen-1 bytes without cutting a UTF-8 sequence in half. */
static void copy_text(char *dst, size_t dstlen, const char *src)
{
    size_t n = strlen(src);
    if (n >= dstlen) {
        n = dstlen - 1;
        while (n > 0 && ((unsigned char)src[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, src, n);
    dst[n] = '\0';
}

int twitch_parse_id(const char *s, int64_t *id)
{
    return chatter_parse_id(s, id);
}

int twitch_login_valid(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > CHATTER_LOGIN_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
            return 0;
    return 1;
}

static int digits(const char *s, int n)
{
    for (int i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return 1;
}

/*
 * clock_parse_rfc3339 relies on strptime, which is lenient; check the exact shape first
 * ("2024-01-02T03:04:05" + optional fraction + "Z" or "+hh:mm") so nothing odd reaches it.
 */
int twitch_parse_time(const char *s, int64_t *ms)
{
    size_t n = strlen(s);
    if (n < 20 || !digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' ||
        !digits(s + 8, 2) || (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2) || s[13] != ':' ||
        !digits(s + 14, 2) || s[16] != ':' || !digits(s + 17, 2))
        return -1;
    const char *p = s + 19;
    if (*p == '.') {
        const char *q = ++p;
        while (*p >= '0' && *p <= '9')
            p++;
        if (p == q || p - q > 9)
            return -1;
    }
    if (*p == 'Z' || *p == 'z') {
        if (p[1])
            return -1;
    } else if (*p == '+' || *p == '-') {
        if (strlen(p) != 6 || !digits(p + 1, 2) || p[3] != ':' || !digits(p + 4, 2))
            return -1;
    } else {
        return -1;
    }
    return clock_parse_rfc3339(s, ms);
}

/* Reads the optional "pagination": {"cursor": "..."} object into cursor. */
static int read_cursor(json_t *root, const char *what, char *cursor, char *err, size_t errlen)
{
    cursor[0] = '\0';
    json_t *pag = json_object_get(root, "pagination");
    if (!pag || json_is_null(pag))
        return 0;
    if (!json_is_object(pag))
        return tca_fail(err, errlen, TCA_EPROTO, "%s: pagination is not an object", what);
    json_t *cur = json_object_get(pag, "cursor");
    if (!cur || json_is_null(cur))
        return 0;
    if (!json_is_string(cur))
        return tca_fail(err, errlen, TCA_EPROTO, "%s: pagination.cursor is not a string", what);
    size_t n = json_string_length(cur);
    const char *s = json_string_value(cur);
    if (n > TWITCH_CURSOR_MAX)
        return tca_fail(err, errlen, TCA_EPROTO, "%s: cursor longer than %d bytes", what,
                        TWITCH_CURSOR_MAX);
    /* The cursor goes into a URL; Twitch's are base64, anything else is not theirs. */
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7F)
            return tca_fail(err, errlen, TCA_EPROTO, "%s: cursor has unexpected characters", what);
    memcpy(cursor, s, n + 1);
    return 0;
}

static json_t *data_array(json_t *root, const char *what, char *err, size_t errlen)
{
    json_t *data = json_object_get(root, "data");
    if (!data || !json_is_array(data)) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: %s", what,
                 data ? "data is not an array" : "data is missing");
        return NULL;
    }
    return data;
}

static int bad_item(char *err, size_t errlen, const char *what, size_t i, const char *why)
{
    return tca_fail(err, errlen, TCA_EPROTO, "%s: data[%zu]: %s", what, i, why);
}

/* Checks an id and a login of one item; both are what tca keys its tables with. */
static int id_login(const char *what, size_t i, const char *id_s, const char *login, int64_t *id,
                    char *err, size_t errlen)
{
    if (twitch_parse_id(id_s, id) < 0)
        return bad_item(err, errlen, what, i, "id is not a positive decimal number");
    if (!twitch_login_valid(login))
        return bad_item(err, errlen, what, i, "login is not a valid Twitch login");
    return 0;
}

int twitch_parse_chatters(const char *body, size_t len, struct chatter_set *out, char *cursor,
                          int64_t *total, char *err, size_t errlen)
{
    static const char what[] = "chatters page";
    size_t before = out->n;
    int rc = TCA_EPROTO;
    json_t *root = load(body, len, what, err, errlen);
    if (!root)
        return TCA_EPROTO;
    json_t *data = data_array(root, what, err, errlen);
    if (!data)
        goto out;
    json_t *t = json_object_get(root, "total");
    if (total && (!json_is_integer(t) || json_integer_value(t) < 0)) {
        tca_fail(err, errlen, TCA_EPROTO, "%s: total is missing or not a count", what);
        goto out;
    }
    if (total)
        *total = json_integer_value(t);
    if ((rc = read_cursor(root, what, cursor, err, errlen)) < 0)
        goto out;
    size_t i;
    json_t *item;
    json_array_foreach(data, i, item)
    {
        const char *id_s, *login, *name;
        json_error_t jerr;
        if (json_unpack_ex(item, &jerr, 0, "{s:s, s:s, s:s}", "user_id", &id_s, "user_login",
                           &login, "user_name", &name) < 0) {
            rc = bad_item(err, errlen, what, i, jerr.text);
            goto out;
        }
        int64_t id;
        if ((rc = id_login(what, i, id_s, login, &id, err, errlen)) < 0)
            goto out;
        chatter_set_add_named(out, id, login, name);
    }
    rc = 0;
out:
    if (rc < 0)
        out->n = before;
    json_decref(root);
    return rc;
}

int twitch_parse_users(const char *body, size_t len, struct twitch_user **users, size_t *n,
                       char *err, size_t errlen)
{
    static const char what[] = "users";
    int rc = TCA_EPROTO;
    json_t *root = load(body, len, what, err, errlen);
    if (!root)
        return TCA_EPROTO;
    json_t *data = data_array(root, what, err, errlen);
    if (!data)
        goto out;
    size_t count = json_array_size(data);
    struct twitch_user *a = xreallocarray(*users, *n + count + 1, sizeof *a);
    *users = a;
    size_t i;
    json_t *item;
    json_array_foreach(data, i, item)
    {
        const char *id_s, *login, *name, *type, *btype, *created;
        json_error_t jerr;
        if (json_unpack_ex(item, &jerr, 0, "{s:s, s:s, s:s, s:s, s:s, s:s}", "id", &id_s, "login",
                           &login, "display_name", &name, "type", &type, "broadcaster_type", &btype,
                           "created_at", &created) < 0) {
            rc = bad_item(err, errlen, what, i, jerr.text);
            goto out;
        }
        struct twitch_user *u = &a[*n + i];
        memset(u, 0, sizeof *u);
        if ((rc = id_login(what, i, id_s, login, &u->id, err, errlen)) < 0)
            goto out;
        if (twitch_parse_time(created, &u->created_at_ms) < 0) {
            rc = bad_item(err, errlen, what, i, "created_at is not an RFC 3339 time");
            goto out;
        }
        copy_text(u->login, sizeof u->login, login);
        copy_text(u->display_name, sizeof u->display_name, name);
        copy_text(u->type, sizeof u->type, type);
        copy_text(u->broadcaster_type, sizeof u->broadcaster_type, btype);
    }
    *n += count;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int twitch_parse_moderated_channels(const char *body, size_t len, struct twitch_channel **channels,
                                    size_t *n, char *cursor, char *err, size_t errlen)
{
    static const char what[] = "moderated channels page";
    int rc = TCA_EPROTO;
    json_t *root = load(body, len, what, err, errlen);
    if (!root)
        return TCA_EPROTO;
    json_t *data = data_array(root, what, err, errlen);
    if (!data)
        goto out;
    if ((rc = read_cursor(root, what, cursor, err, errlen)) < 0)
        goto out;
    size_t count = json_array_size(data);
    struct twitch_channel *a = xreallocarray(*channels, *n + count + 1, sizeof *a);
    *channels = a;
    size_t i;
    json_t *item;
    json_array_foreach(data, i, item)
    {
        const char *id_s, *login, *name;
        json_error_t jerr;
        if (json_unpack_ex(item, &jerr, 0, "{s:s, s:s, s:s}", "broadcaster_id", &id_s,
                           "broadcaster_login", &login, "broadcaster_name", &name) < 0) {
            rc = bad_item(err, errlen, what, i, jerr.text);
            goto out;
        }
        struct twitch_channel *ch = &a[*n + i];
        memset(ch, 0, sizeof *ch);
        if ((rc = id_login(what, i, id_s, login, &ch->id, err, errlen)) < 0)
            goto out;
        copy_text(ch->login, sizeof ch->login, login);
        copy_text(ch->display_name, sizeof ch->display_name, name);
    }
    *n += count;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int twitch_parse_streams(const char *body, size_t len, struct twitch_stream **streams, size_t *n,
                         char *cursor, char *err, size_t errlen)
{
    static const char what[] = "streams";
    int rc = TCA_EPROTO;
    json_t *root = load(body, len, what, err, errlen);
    if (!root)
        return TCA_EPROTO;
    json_t *data = data_array(root, what, err, errlen);
    if (!data)
        goto out;
    if ((rc = read_cursor(root, what, cursor, err, errlen)) < 0)
        goto out;
    size_t count = json_array_size(data);
    struct twitch_stream *a = xreallocarray(*streams, *n + count + 1, sizeof *a);
    *streams = a;
    size_t i;
    json_t *item;
    json_array_foreach(data, i, item)
    {
        const char *id_s, *login, *started, *title, *game;
        json_int_t viewers;
        json_error_t jerr;
        if (json_unpack_ex(item, &jerr, 0, "{s:s, s:s, s:I, s:s, s:s, s:s}", "user_id", &id_s,
                           "user_login", &login, "viewer_count", &viewers, "started_at", &started,
                           "title", &title, "game_name", &game) < 0) {
            rc = bad_item(err, errlen, what, i, jerr.text);
            goto out;
        }
        struct twitch_stream *st = &a[*n + i];
        memset(st, 0, sizeof *st);
        if ((rc = id_login(what, i, id_s, login, &st->user_id, err, errlen)) < 0)
            goto out;
        rc = TCA_EPROTO;
        if (viewers < 0) {
            bad_item(err, errlen, what, i, "viewer_count is negative");
            goto out;
        }
        if (twitch_parse_time(started, &st->started_at_ms) < 0) {
            bad_item(err, errlen, what, i, "started_at is not an RFC 3339 time");
            goto out;
        }
        st->viewer_count = viewers;
        copy_text(st->user_login, sizeof st->user_login, login);
        copy_text(st->title, sizeof st->title, title);
        copy_text(st->game_name, sizeof st->game_name, game);
    }
    *n += count;
    rc = 0;
out:
    json_decref(root);
    return rc;
}

int twitch_parse_cursor(json_t *root, const char *what, char *cursor, char *err, size_t errlen)
{
    return read_cursor(root, what, cursor, err, errlen);
}
