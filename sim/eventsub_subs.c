/*
 * The simulator's EventSub subscription table: Helix Create / Get / Delete EventSub
 * Subscriptions behind sim/eventsub_routes.c, and the forced session_reconnect and revocation
 * of the control API. Must never enable a subscription Twitch would refuse (unknown session,
 * missing user:read:chat, duplicate).
 */
#include "sim/eventsub_internal.h"

#include "base/clock.h"
#include "base/xalloc.h"
#include "twitch/eventsub.h"

#include <stdio.h>
#include <string.h>

static const char *cond_id(json_t *cond, const char *key, int64_t *id)
{
    json_t *v = json_object_get(cond, key);
    if (!json_is_string(v) || call_parse_id(json_string_value(v), id) < 0)
        return key;
    return NULL;
}

static int has_scope(const char *scopes, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = scopes; (p = strstr(p, scope)); p += n)
        if ((p == scopes || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
            return 1;
    return 0;
}

int sim_es_subscribe(struct sim_es *es, int64_t user_id, const char *type, const char *version,
                     json_t *condition, const char *session_id, const char *scopes, json_t **out,
                     const char **why)
{
    int t = twitch_es_sub_from_name(type);
    if (!t || strcmp(version, "1") != 0) {
        *why = "unsupported subscription type or version";
        return 400;
    }
    int64_t b = 0, u = 0;
    const char *key = t == TWITCH_ES_SUB_RAID ? "to_broadcaster_user_id" : "broadcaster_user_id";
    if (!json_is_object(condition) || cond_id(condition, key, &b) ||
        (t == TWITCH_ES_SUB_CHAT_MESSAGE && cond_id(condition, "user_id", &u))) {
        *why = "invalid condition";
        return 400;
    }
    int ch = world_channel_index(es->sim->world, b);
    if (ch < 0) {
        *why = "unknown broadcaster";
        return 400;
    }
    /* channel.chat.message: Twitch's rule, user:read:chat on the token of condition.user_id */
    if (t == TWITCH_ES_SUB_CHAT_MESSAGE && (u != user_id || !has_scope(scopes, "user:read:chat"))) {
        *why = "subscription missing proper authorization";
        return 403;
    }
    int status = 202;
    pthread_mutex_lock(&es->lock);
    struct conn *c = es_current_conn(es, session_id);
    if (!c) {
        *why = "websocket transport session does not exist or has already disconnected";
        status = 400;
        goto out;
    }
    for (size_t i = 0; i < es->n_subs; i++) {
        struct sub *o = &es->subs[i];
        if (o->type == t && o->broadcaster == b && o->owner == user_id &&
            strcmp(o->status, "enabled") == 0) {
            *why = "subscription already exists";
            status = 409;
            goto out;
        }
    }
    if (es->n_subs == MAX_SUBS) {
        *why = "too many subscriptions";
        status = 429;
        goto out;
    }
    struct sub *s = &es->subs[es->n_subs++];
    memset(s, 0, sizeof *s);
    es_make_id(es, "sub", s->id, sizeof s->id);
    s->type = t;
    s->owner = user_id;
    s->broadcaster = b;
    s->channel = (size_t)ch;
    snprintf(s->session_id, sizeof s->session_id, "%s", session_id);
    snprintf(s->status, sizeof s->status, "enabled");
    s->created_ms = clock_wall_ms();
    s->chat_tick = es->last_tick + 1; /* chat from the next tick that passes */
    if (t == TWITCH_ES_SUB_STREAM_ONLINE || t == TWITCH_ES_SUB_STREAM_OFFLINE) {
        struct stream_state st;
        streams_state(es->sim->streams, s->channel, sim_tick(es->sim), s->created_ms,
                      es->sim->opt.tick_ms, &st);
        s->live = st.live;
    }
    *out = es_sub_json(s);
out:
    pthread_mutex_unlock(&es->lock);
    return status;
}

json_t *sim_es_list(struct sim_es *es, int64_t user_id)
{
    json_t *a = json_array();
    pthread_mutex_lock(&es->lock);
    for (size_t i = 0; i < es->n_subs; i++)
        if (es->subs[i].owner == user_id)
            json_array_append_new(a, es_sub_json(&es->subs[i]));
    pthread_mutex_unlock(&es->lock);
    return a;
}

int sim_es_delete(struct sim_es *es, int64_t user_id, const char *id)
{
    int status = 404;
    pthread_mutex_lock(&es->lock);
    for (size_t i = 0; i < es->n_subs; i++)
        if (es->subs[i].owner == user_id && strcmp(es->subs[i].id, id) == 0) {
            es_sub_release(es, &es->subs[i]);
            es->subs[i] = es->subs[--es->n_subs];
            status = 204;
            break;
        }
    pthread_mutex_unlock(&es->lock);
    return status;
}

int sim_es_reconnect(struct sim_es *es, int resend)
{
    int n = 0;
    pthread_mutex_lock(&es->lock);
    es->resend = resend;
    for (size_t i = 0; i < MAX_CONNS; i++) {
        struct conn *c = es->conns[i];
        if (!c || !c->current || c->closing)
            continue;
        char url[160];
        snprintf(url, sizeof url, "ws://%s:%d/ws?reconnect=%s", es->host, es->port, c->session_id);
        es_push(c, json_pack("{s:o, s:{s:o}}", "metadata",
                             es_metadata(es, "session_reconnect", NULL, NULL), "payload", "session",
                             es_session_json(c, "reconnecting", url)));
        n++;
    }
    pthread_mutex_unlock(&es->lock);
    lws_cancel_service(es->ctx);
    return n;
}

int sim_es_revoke(struct sim_es *es, int64_t broadcaster, const char *type, const char *status)
{
    int n = 0;
    pthread_mutex_lock(&es->lock);
    for (size_t i = 0; i < es->n_subs; i++) {
        struct sub *s = &es->subs[i];
        if (s->broadcaster != broadcaster || strcmp(s->status, "enabled") != 0 ||
            (type && strcmp(type, twitch_es_sub_name(s->type)) != 0))
            continue;
        snprintf(s->status, sizeof s->status, "%s", status);
        struct conn *c = es_current_conn(es, s->session_id);
        if (c)
            es_push(c,
                    json_pack("{s:o, s:{s:o}}", "metadata", es_metadata(es, "revocation", NULL, s),
                              "payload", "subscription", es_sub_json(s)));
        n++;
    }
    pthread_mutex_unlock(&es->lock);
    lws_cancel_service(es->ctx);
    return n;
}

long sim_es_enabled(struct sim_es *es, const char *type)
{
    pthread_mutex_lock(&es->lock);
    long n = 0;
    for (size_t i = 0; i < es->n_subs; i++)
        n += strcmp(es->subs[i].status, "enabled") == 0 &&
             (!type || strcmp(twitch_es_sub_name(es->subs[i].type), type) == 0);
    pthread_mutex_unlock(&es->lock);
    return n;
}
