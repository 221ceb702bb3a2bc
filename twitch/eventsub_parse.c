/*
 * Parser of EventSub WebSocket messages (jansson). Every field tca uses is checked for its
 * JSON type and shape; fields it does not use are ignored so that Twitch adding one breaks
 * nothing. Must never copy a chat message's text out of the parser, nor trust a length from
 * the body.
 */
#include "twitch/eventsub.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "twitch/parse.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static const struct {
    enum twitch_es_sub sub;
    const char *name;
} subs[] = {
    {TWITCH_ES_SUB_CHAT_MESSAGE, "channel.chat.message"},
    {TWITCH_ES_SUB_RAID, "channel.raid"},
    {TWITCH_ES_SUB_STREAM_ONLINE, "stream.online"},
    {TWITCH_ES_SUB_STREAM_OFFLINE, "stream.offline"},
};

const char *twitch_es_sub_name(enum twitch_es_sub sub)
{
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (subs[i].sub == sub)
            return subs[i].name;
    return "unknown";
}

enum twitch_es_sub twitch_es_sub_from_name(const char *name)
{
    for (size_t i = 0; i < sizeof subs / sizeof subs[0]; i++)
        if (strcmp(subs[i].name, name) == 0)
            return subs[i].sub;
    return 0;
}

static int bad(char *err, size_t errlen, const char *where, const char *why)
{
    return tca_fail(err, errlen, TCA_EPROTO, "eventsub message: %s: %s", where, why);
}

/* An identifier copied into a fixed field: printable ASCII, 1..max bytes. */
static int get_token(json_t *obj, const char *key, char *dst, size_t max, const char *where,
                     char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v))
        return bad(err, errlen, where, v ? "is not a string" : "is missing");
    size_t n = json_string_length(v);
    const char *s = json_string_value(v);
    if (n == 0 || n > max)
        return bad(err, errlen, where, "has an unexpected length");
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7F)
            return bad(err, errlen, where, "has unexpected characters");
    memcpy(dst, s, n + 1);
    return 0;
}

static int get_id(json_t *obj, const char *key, int64_t *id, const char *where, char *err,
                  size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || twitch_parse_id(json_string_value(v), id) < 0)
        return bad(err, errlen, where, "is not a positive decimal id");
    return 0;
}

static int get_login(json_t *obj, const char *key, char *dst, const char *where, char *err,
                     size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || !twitch_login_valid(json_string_value(v)))
        return bad(err, errlen, where, "is not a valid Twitch login");
    strcpy(dst, json_string_value(v));
    return 0;
}

static int get_time(json_t *obj, const char *key, int64_t *ms, const char *where, char *err,
                    size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_string(v) || twitch_parse_time(json_string_value(v), ms) < 0)
        return bad(err, errlen, where, "is not an RFC 3339 time");
    return 0;
}

static json_t *get_object(json_t *obj, const char *key, const char *where, char *err, size_t errlen)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_object(v)) {
        bad(err, errlen, where, v ? "is not an object" : "is missing");
        return NULL;
    }
    return v;
}

static int parse_session(json_t *payload, struct twitch_es_message *m, char *err, size_t errlen)
{
    json_t *s = get_object(payload, "session", "payload.session", err, errlen);
    if (!s)
        return TCA_EPROTO;
    int rc = get_token(s, "id", m->session_id, TWITCH_ES_ID_MAX, "payload.session.id", err, errlen);
    if (rc < 0)
        return rc;
    if (m->kind == TWITCH_ES_WELCOME) {
        json_t *k = json_object_get(s, "keepalive_timeout_seconds");
        /* Twitch allows 10..600; anything else would make the client's timer meaningless. */
        if (!json_is_integer(k) || json_integer_value(k) < 1 || json_integer_value(k) > 600)
            return bad(err, errlen, "payload.session.keepalive_timeout_seconds",
                       "is not a number of seconds in 1..600");
        m->keepalive_s = (int)json_integer_value(k);
        return 0;
    }
    rc = get_token(s, "reconnect_url", m->reconnect_url, TWITCH_ES_URL_MAX,
                   "payload.session.reconnect_url", err, errlen);
    if (rc < 0)
        return rc;
    if (strncmp(m->reconnect_url, "wss://", 6) != 0 && strncmp(m->reconnect_url, "ws://", 5) != 0)
        return bad(err, errlen, "payload.session.reconnect_url", "is not a ws:// or wss:// URL");
    return 0;
}

/* Lends the fragments to the reader; a fragment without text is an empty one. */
static void read_fragments(json_t *frags, const struct twitch_es_reader *rd,
                           struct twitch_es_chat *c)
{
    size_t n = json_array_size(frags), i;
    struct twitch_es_fragment *fr = xcalloc(n ? n : 1, sizeof *fr);
    json_t *f;
    json_array_foreach(frags, i, f)
    {
        json_t *text = json_object_get(f, "text");
        const char *type = json_string_value(json_object_get(f, "type"));
        fr[i].text = json_is_string(text) ? json_string_value(text) : "";
        fr[i].len = json_is_string(text) ? json_string_length(text) : 0;
        /* a mention's text is someone's login, a cheermote's a bits count */
        fr[i].emote = strcmp(type, "text") != 0;
    }
    int score = 0;
    c->read = rd->read(rd->ctx, fr, n, &score) == 1;
    c->score = c->read ? score : 0;
    free(fr);
}

/* Emote-only: every fragment is of type "emote" (and there is at least one). */
static int parse_chat_text(json_t *ev, const struct twitch_es_reader *rd, struct twitch_es_chat *c,
                           char *err, size_t errlen)
{
    json_t *msg = get_object(ev, "message", "payload.event.message", err, errlen);
    if (!msg)
        return TCA_EPROTO;
    json_t *text = json_object_get(msg, "text");
    if (!json_is_string(text))
        return bad(err, errlen, "payload.event.message.text", "is not a string");
    c->text_bytes = json_string_length(text);
    json_t *frags = json_object_get(msg, "fragments");
    if (!json_is_array(frags))
        return bad(err, errlen, "payload.event.message.fragments", "is not an array");
    size_t i, emotes = 0;
    json_t *f;
    json_array_foreach(frags, i, f)
    {
        json_t *type = json_object_get(f, "type");
        if (!json_is_string(type))
            return bad(err, errlen, "payload.event.message.fragments[].type", "is not a string");
        if (strcmp(json_string_value(type), "emote") == 0)
            emotes++;
    }
    c->emote_only = emotes > 0 && emotes == json_array_size(frags);
    if (rd && rd->read)
        read_fragments(frags, rd, c);
    return 0;
}

static int parse_event(json_t *ev, const struct twitch_es_reader *rd, struct twitch_es_message *m,
                       char *err, size_t errlen)
{
    int rc;
    switch (m->sub) {
    case TWITCH_ES_SUB_CHAT_MESSAGE:
        if ((rc = get_id(ev, "broadcaster_user_id", &m->broadcaster_id,
                         "payload.event.broadcaster_user_id", err, errlen)) < 0 ||
            (rc = get_id(ev, "chatter_user_id", &m->chat.chatter_id,
                         "payload.event.chatter_user_id", err, errlen)) < 0 ||
            (rc = get_login(ev, "chatter_user_login", m->chat.chatter_login,
                            "payload.event.chatter_user_login", err, errlen)) < 0 ||
            (rc = get_token(ev, "message_id", m->chat.message_id, TWITCH_ES_ID_MAX,
                            "payload.event.message_id", err, errlen)) < 0)
            return rc;
        return parse_chat_text(ev, rd, &m->chat, err, errlen);
    case TWITCH_ES_SUB_RAID: {
        if ((rc = get_id(ev, "from_broadcaster_user_id", &m->raid.from_id,
                         "payload.event.from_broadcaster_user_id", err, errlen)) < 0 ||
            (rc = get_login(ev, "from_broadcaster_user_login", m->raid.from_login,
                            "payload.event.from_broadcaster_user_login", err, errlen)) < 0 ||
            (rc = get_id(ev, "to_broadcaster_user_id", &m->raid.to_id,
                         "payload.event.to_broadcaster_user_id", err, errlen)) < 0)
            return rc;
        json_t *v = json_object_get(ev, "viewers");
        if (!json_is_integer(v) || json_integer_value(v) < 0)
            return bad(err, errlen, "payload.event.viewers", "is not a count");
        m->raid.viewers = json_integer_value(v);
        m->broadcaster_id = m->raid.to_id;
        return 0;
    }
    case TWITCH_ES_SUB_STREAM_ONLINE:
        if ((rc = get_time(ev, "started_at", &m->started_at_ms, "payload.event.started_at", err,
                           errlen)) < 0)
            return rc;
        /* both carry the broadcaster */
        __attribute__((fallthrough));
    case TWITCH_ES_SUB_STREAM_OFFLINE:
        return get_id(ev, "broadcaster_user_id", &m->broadcaster_id,
                      "payload.event.broadcaster_user_id", err, errlen);
    }
    return bad(err, errlen, "payload.subscription.type", "is not a type tca subscribes to");
}

static int parse_subscription(json_t *payload, const struct twitch_es_reader *rd,
                              struct twitch_es_message *m, char *err, size_t errlen)
{
    json_t *sub = get_object(payload, "subscription", "payload.subscription", err, errlen);
    if (!sub)
        return TCA_EPROTO;
    int rc;
    if ((rc = get_token(sub, "id", m->sub_id, TWITCH_ES_ID_MAX, "payload.subscription.id", err,
                        errlen)) < 0 ||
        (rc = get_token(sub, "status", m->sub_status, TWITCH_ES_ID_MAX,
                        "payload.subscription.status", err, errlen)) < 0)
        return rc;
    json_t *type = json_object_get(sub, "type");
    if (!json_is_string(type) || !(m->sub = twitch_es_sub_from_name(json_string_value(type))))
        return bad(err, errlen, "payload.subscription.type", "is not a type tca subscribes to");
    if (m->kind == TWITCH_ES_REVOCATION) {
        /* The condition names the channel; raids are keyed by their target. */
        json_t *cond = get_object(sub, "condition", "payload.subscription.condition", err, errlen);
        if (!cond)
            return TCA_EPROTO;
        const char *key =
            m->sub == TWITCH_ES_SUB_RAID ? "to_broadcaster_user_id" : "broadcaster_user_id";
        return get_id(cond, key, &m->broadcaster_id, "payload.subscription.condition", err, errlen);
    }
    json_t *ev = get_object(payload, "event", "payload.event", err, errlen);
    return ev ? parse_event(ev, rd, m, err, errlen) : TCA_EPROTO;
}

static int parse_kind(json_t *meta, struct twitch_es_message *m, char *err, size_t errlen)
{
    static const struct {
        enum twitch_es_kind kind;
        const char *name;
    } kinds[] = {
        {TWITCH_ES_WELCOME, "session_welcome"},   {TWITCH_ES_KEEPALIVE, "session_keepalive"},
        {TWITCH_ES_NOTIFICATION, "notification"}, {TWITCH_ES_RECONNECT, "session_reconnect"},
        {TWITCH_ES_REVOCATION, "revocation"},
    };
    json_t *t = json_object_get(meta, "message_type");
    if (!json_is_string(t))
        return bad(err, errlen, "metadata.message_type", "is not a string");
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
        if (strcmp(kinds[i].name, json_string_value(t)) == 0) {
            m->kind = kinds[i].kind;
            return 0;
        }
    return bad(err, errlen, "metadata.message_type", "is not a known type");
}

int twitch_es_parse_created(const char *body, size_t len, char *sub_id, char *err, size_t errlen)
{
    if (len > TWITCH_ES_MESSAGE_MAX)
        return tca_fail(err, errlen, TCA_EPROTO, "subscription answer: too large");
    json_error_t jerr;
    json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    json_t *data = json_object_get(root, "data");
    json_t *sub = json_array_get(data, 0);
    char status[TWITCH_ES_ID_MAX + 1];
    int rc = TCA_EPROTO;
    if (!json_is_array(data) || !json_is_object(sub)) {
        bad(err, errlen, "subscription answer", "has no data[0] object");
        goto out;
    }
    if ((rc = get_token(sub, "id", sub_id, TWITCH_ES_ID_MAX, "data[0].id", err, errlen)) < 0 ||
        (rc = get_token(sub, "status", status, TWITCH_ES_ID_MAX, "data[0].status", err, errlen)) <
            0)
        goto out;
    if (strcmp(status, "enabled") != 0)
        rc = bad(err, errlen, "data[0].status", "is not \"enabled\"");
out:
    json_decref(root);
    return rc;
}

int twitch_es_parse(const char *body, size_t len, struct twitch_es_message *out, char *err,
                    size_t errlen)
{
    return twitch_es_parse_read(body, len, NULL, out, err, errlen);
}

int twitch_es_parse_read(const char *body, size_t len, const struct twitch_es_reader *rd,
                         struct twitch_es_message *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (len > TWITCH_ES_MESSAGE_MAX)
        return tca_fail(err, errlen, TCA_EPROTO, "eventsub message: %zu bytes is too large", len);
    json_error_t jerr;
    json_t *root = json_loadb(body ? body : "", len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root)
        return tca_fail(err, errlen, TCA_EPROTO,
                        "eventsub message: invalid JSON at line %d column %d: %s", jerr.line,
                        jerr.column, jerr.text);
    int rc = TCA_EPROTO;
    json_t *meta = get_object(root, "metadata", "metadata", err, errlen);
    json_t *payload = meta ? get_object(root, "payload", "payload", err, errlen) : NULL;
    if (!payload)
        goto out;
    if ((rc = parse_kind(meta, out, err, errlen)) < 0 ||
        (rc = get_token(meta, "message_id", out->message_id, TWITCH_ES_ID_MAX,
                        "metadata.message_id", err, errlen)) < 0 ||
        (rc = get_time(meta, "message_timestamp", &out->sent_at_ms, "metadata.message_timestamp",
                       err, errlen)) < 0)
        goto out;
    switch (out->kind) {
    case TWITCH_ES_WELCOME:
    case TWITCH_ES_RECONNECT:
        rc = parse_session(payload, out, err, errlen);
        break;
    case TWITCH_ES_KEEPALIVE:
        rc = 0;
        break;
    case TWITCH_ES_NOTIFICATION:
    case TWITCH_ES_REVOCATION:
        rc = parse_subscription(payload, rd, out, err, errlen);
        break;
    }
out:
    json_decref(root);
    if (rc < 0) {
        /* Never hand back half a message. */
        memset(out, 0, sizeof *out);
    }
    return rc;
}
