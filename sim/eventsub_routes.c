/*
 * The HTTP side of the simulator's EventSub: Helix Create / Get / Delete EventSub
 * Subscriptions in Twitch's documented shapes (cost 0, transport websocket), and the control
 * calls tests use: where the WebSocket server listens, a forced session_reconnect, a
 * revocation, and the exact chat counts of the chat model over a range of ticks. Must never
 * answer a Helix call without the same token checks as the other Helix routes.
 */
#include "sim/chat.h"
#include "sim/eventsub.h"
#include "sim/server.h"

#include "base/err.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_CHAT_TICKS 10080 /* a week of minutes per /_sim/chat call */
#define MAX_TEXT_TICKS 60    /* an hour of minutes when the texts are asked for */

static json_t *page(json_t *data)
{
    return json_pack("{s:o, s:I, s:i, s:i}", "data", data, "total",
                     (json_int_t)json_array_size(data), "total_cost", 0, "max_total_cost", 10000);
}

static void create(struct sim *s, struct call *c, const struct token_info *tok)
{
    json_error_t jerr;
    json_t *j = json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &jerr);
    const char *type = NULL, *version = NULL, *method = NULL, *session = NULL;
    json_t *cond = NULL;
    if (!j || json_unpack_ex(j, &jerr, 0, "{s:s, s:s, s:o, s:{s:s, s?s}}", "type", &type, "version",
                             &version, "condition", &cond, "transport", "method", &method,
                             "session_id", &session) < 0) {
        json_decref(j);
        call_reply_helix_error(c, 400, "expected type, version, condition and transport");
        return;
    }
    if (strcmp(method, "websocket") != 0 || !session || tok->user_id == 0) {
        json_decref(j);
        call_reply_helix_error(c, 400,
                               "the simulator only has the websocket transport, "
                               "with a user access token and a session_id");
        return;
    }
    json_t *sub = NULL;
    const char *why = NULL;
    int status = sim_es_subscribe(s->es, tok->user_id, type, version, cond, session, tok->scopes,
                                  &sub, &why);
    json_decref(j);
    if (status != 202) {
        call_reply_helix_error(c, status, why);
        return;
    }
    call_reply_json(c, 202, page(json_pack("[o]", sub)));
}

static int subscriptions(struct sim *s, struct call *c)
{
    struct token_info tok;
    if (helix_authenticate(s, c, &tok) < 0)
        goto out;
    if (strcmp(c->method, "POST") == 0) {
        create(s, c, &tok);
    } else if (strcmp(c->method, "GET") == 0) {
        json_t *p = page(sim_es_list(s->es, tok.user_id));
        json_object_set_new(p, "pagination", json_object());
        call_reply_json(c, 200, p);
    } else if (strcmp(c->method, "DELETE") == 0) {
        const char *id = call_arg(c, "id");
        if (!id || !*id)
            call_reply_helix_error(c, 400, "Missing required parameter \"id\"");
        else if (sim_es_delete(s->es, tok.user_id, id) == 404)
            call_reply_helix_error(c, 404, "subscription not found");
        else
            c->status = 204;
    } else {
        call_reply_helix_error(c, 404, "Not Found");
    }
out:
    sodium_memzero(&tok, sizeof tok);
    return 1;
}

static int fail(struct call *c, int status, const char *message)
{
    call_reply_oauth_error(c, status, message);
    return 1;
}

static int channel_arg(struct sim *s, struct call *c, int64_t *id)
{
    if (call_parse_id(call_arg(c, "broadcaster_id"), id) < 0)
        return -1;
    return world_channel_index(s->world, *id);
}

static int revoke_subs(struct sim *s, struct call *c)
{
    int64_t b;
    if (channel_arg(s, c, &b) < 0)
        return fail(c, 400, "unknown or missing broadcaster_id");
    const char *status = call_arg(c, "status");
    int n = sim_es_revoke(s->es, b, call_arg(c, "type"),
                          status && *status ? status : "authorization_revoked");
    call_reply_json(c, 200, json_pack("{s:i}", "revoked", n));
    return 1;
}

/* Every message of one tick as the chat model wrote it: who, the text, emotes only or not. */
static json_t *tick_lines(struct sim *s, size_t ch, const struct audience_snapshot *snap, long t)
{
    json_t *lines = json_array();
    for (size_t i = 0; i < snap->n; i++) {
        int n = chat_messages(s->world, ch, snap->ids[i], t);
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)snap->ids[i]);
        for (int k = 0; k < n; k++) {
            int emote;
            const char *text = chat_text(s->world, snap->ids[i], t, k, &emote);
            json_array_append_new(lines, json_pack("{s:s, s:s, s:b}", "user_id", id, "text", text,
                                                   "emote_only", emote));
        }
    }
    return json_pack("{s:I, s:I, s:i, s:o}", "tick", (json_int_t)t, "sent_at_ms",
                     (json_int_t)chat_sent_at_ms(s->start_ms, s->opt.tick_ms, t), "mood",
                     chat_mood(s->world, t), "lines", lines);
}

/* The chat model's exact counts: what a client subscribed over those ticks must have seen;
 * with texts=1 also every message's text per tick (the simulator's chat is no one's). */
static int chat(struct sim *s, struct call *c)
{
    int64_t b;
    long from, to;
    int ch = channel_arg(s, c, &b);
    if (ch < 0)
        return fail(c, 400, "unknown or missing broadcaster_id");
    if (call_parse_int(call_arg(c, "from_tick"), 0, 1L << 40, -1, &from) < 0 || from < 0 ||
        call_parse_int(call_arg(c, "to_tick"), from, from + MAX_CHAT_TICKS, from, &to) < 0)
        return fail(c, 400, "from_tick is required; to_tick within a week of it");
    const char *texts_arg = call_arg(c, "texts");
    int texts = texts_arg && strcmp(texts_arg, "1") == 0;
    if (texts && to - from >= MAX_TEXT_TICKS)
        return fail(c, 400, "texts=1 covers at most an hour of ticks");
    json_t *per = json_object(), *ticks = texts ? json_array() : NULL;
    long total = 0;
    for (long t = from; t <= to; t++) {
        struct audience_snapshot *snap = audience_get(s->audience, (size_t)ch, t);
        for (size_t i = 0; i < snap->n; i++) {
            int n = chat_messages(s->world, (size_t)ch, snap->ids[i], t);
            if (n == 0)
                continue;
            char id[24];
            snprintf(id, sizeof id, "%lld", (long long)snap->ids[i]);
            json_t *v = json_object_get(per, id);
            json_object_set_new(per, id, json_integer((v ? json_integer_value(v) : 0) + n));
            total += n;
        }
        if (ticks)
            json_array_append_new(ticks, tick_lines(s, (size_t)ch, snap, t));
        audience_release(s->audience, snap);
    }
    json_t *j = json_pack("{s:I, s:o}", "messages", (json_int_t)total, "per_chatter", per);
    if (ticks)
        json_object_set_new(j, "ticks", ticks);
    call_reply_json(c, 200, j);
    return 1;
}

int eventsub_handle(struct sim *s, struct call *c)
{
    if (strcmp(c->path, "/helix/eventsub/subscriptions") == 0)
        return subscriptions(s, c);
    int post = strcmp(c->method, "POST") == 0;
    if (strcmp(c->path, "/_sim/eventsub") == 0) {
        char url[160];
        snprintf(url, sizeof url, "ws://%s:%d/ws", s->host, s->es_port);
        call_reply_json(c, 200,
                        json_pack("{s:s, s:I, s:I, s:I, s:I}", "url", url, "notifications",
                                  (json_int_t)sim_es_sent(s->es), "queued_peak",
                                  (json_int_t)sim_es_queued_peak(s->es), "subscriptions",
                                  (json_int_t)sim_es_enabled(s->es, NULL), "chat_subscriptions",
                                  (json_int_t)sim_es_enabled(s->es, "channel.chat.message")));
        return 1;
    }
    if (strcmp(c->path, "/_sim/eventsub/reconnect") == 0 && post) {
        long resend;
        if (call_parse_int(call_arg(c, "resend"), 0, 16, 0, &resend) < 0)
            return fail(c, 400, "resend must be 0..16");
        call_reply_json(c, 200,
                        json_pack("{s:i}", "sessions", sim_es_reconnect(s->es, (int)resend)));
        return 1;
    }
    if (strcmp(c->path, "/_sim/eventsub/revoke") == 0 && post)
        return revoke_subs(s, c);
    if (strcmp(c->path, "/_sim/chat") == 0)
        return chat(s, c);
    return 0;
}
