/*
 * The simulator's EventSub WebSocket server (see eventsub.h). Twitch's documented behaviour:
 * a session_welcome on connect, a session_keepalive when nothing was sent for the keepalive
 * timeout, notifications for the session's subscriptions, session_reconnect with a URL whose
 * new connection takes over the session (queued messages move with it), revocation, and the
 * close of a connection that subscribes to nothing within 10 seconds. Must never block the
 * service thread on anything but the module's lock.
 */
#include "sim/chat.h"
#include "sim/eventsub_internal.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "twitch/eventsub.h"

#include <libwebsockets.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void es_make_id(struct sim_es *es, const char *prefix, char *out, size_t outlen)
{
    unsigned char r[8];
    randombytes_buf(r, sizeof r);
    snprintf(out, outlen, "%s%lu-%02x%02x%02x%02x%02x%02x%02x%02x", prefix, ++es->next_id, r[0],
             r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
}

void es_push(struct conn *c, json_t *j)
{
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    size_t n = strlen(s);
    struct out_msg *m = xmalloc(sizeof *m + LWS_PRE + n);
    m->next = NULL;
    m->len = n;
    memcpy(m->buf + LWS_PRE, s, n);
    free(s);
    if (c->tail)
        c->tail->next = m;
    else
        c->head = m;
    c->tail = m;
    if (++c->queued > c->queued_peak)
        c->queued_peak = c->queued;
}

json_t *es_metadata(struct sim_es *es, const char *type, const char *message_id,
                    const struct sub *sub)
{
    char ts[40], id[64];
    clock_format_rfc3339(clock_wall_ms(), ts, sizeof ts);
    if (!message_id) {
        es_make_id(es, "m", id, sizeof id);
        message_id = id;
    }
    json_t *m = json_pack("{s:s, s:s, s:s}", "message_id", message_id, "message_type", type,
                          "message_timestamp", ts);
    if (sub) {
        json_object_set_new(m, "subscription_type", json_string(twitch_es_sub_name(sub->type)));
        json_object_set_new(m, "subscription_version", json_string("1"));
    }
    return m;
}

json_t *es_sub_json(const struct sub *sub)
{
    char ts[40], b[24];
    clock_format_rfc3339(sub->created_ms, ts, sizeof ts);
    snprintf(b, sizeof b, "%lld", (long long)sub->broadcaster);
    json_t *cond = json_object();
    if (sub->type == TWITCH_ES_SUB_RAID) {
        json_object_set_new(cond, "to_broadcaster_user_id", json_string(b));
    } else {
        json_object_set_new(cond, "broadcaster_user_id", json_string(b));
        if (sub->type == TWITCH_ES_SUB_CHAT_MESSAGE) {
            char u[24];
            snprintf(u, sizeof u, "%lld", (long long)sub->owner);
            json_object_set_new(cond, "user_id", json_string(u));
        }
    }
    return json_pack("{s:s, s:s, s:s, s:s, s:i, s:o, s:{s:s, s:s}, s:s}", "id", sub->id, "status",
                     sub->status, "type", twitch_es_sub_name(sub->type), "version", "1", "cost", 0,
                     "condition", cond, "transport", "method", "websocket", "session_id",
                     sub->session_id, "created_at", ts);
}

struct conn *es_current_conn(struct sim_es *es, const char *session_id)
{
    for (size_t i = 0; i < MAX_CONNS; i++)
        if (es->conns[i] && es->conns[i]->current &&
            strcmp(es->conns[i]->session_id, session_id) == 0)
            return es->conns[i];
    return NULL;
}

/* Sends a notification stamped at_ms (0: now). */
static void notify_at(struct sim_es *es, const struct sub *sub, const char *message_id, json_t *ev,
                      int64_t at_ms)
{
    struct conn *c = es_current_conn(es, sub->session_id);
    if (!c) {
        json_decref(ev);
        return;
    }
    json_t *meta = es_metadata(es, "notification", message_id, sub);
    if (at_ms > 0) {
        char ts[40];
        clock_format_rfc3339(at_ms, ts, sizeof ts);
        json_object_set_new(meta, "message_timestamp", json_string(ts));
    }
    es_push(c, json_pack("{s:o, s:{s:o, s:o}}", "metadata", meta, "payload", "subscription",
                         es_sub_json(sub), "event", ev));
    es->sent++;
}

static void notify(struct sim_es *es, const struct sub *sub, const char *message_id, json_t *ev)
{
    notify_at(es, sub, message_id, ev, 0);
}

static json_t *broadcaster_fields(struct sim_es *es, const struct sub *sub, const char *prefix)
{
    const struct world_channel *ch = world_channel_at(es->sim->world, sub->channel);
    char id[24], k1[64], k2[64], k3[64];
    snprintf(id, sizeof id, "%lld", (long long)ch->id);
    snprintf(k1, sizeof k1, "%sbroadcaster_user_id", prefix);
    snprintf(k2, sizeof k2, "%sbroadcaster_user_login", prefix);
    snprintf(k3, sizeof k3, "%sbroadcaster_user_name", prefix);
    return json_pack("{s:s, s:s, s:s}", k1, id, k2, ch->login, k3, ch->login);
}

/* The messages one chatter writes at tick. */
static void chatter_events(struct sim_es *es, const struct sub *sub, int64_t user, int64_t tick)
{
    struct world *w = es->sim->world;
    int64_t sent_at = chat_sent_at_ms(es->sim->start_ms, es->sim->opt.tick_ms, tick);
    int n = chat_messages(w, sub->channel, user, tick);
    char login[32], uid[24], mid[128], chat_id[80];
    if (n > 0) {
        world_user_login(w, user, tick, login, sizeof login);
        snprintf(uid, sizeof uid, "%lld", (long long)user);
    }
    for (int k = 0; k < n; k++) {
        int emote;
        const char *text = chat_text(w, user, tick, k, &emote);
        /* ids from the event itself: a resent message carries the same id */
        snprintf(chat_id, sizeof chat_id, "chat-%zu-%lld-%lld-%d", sub->channel, (long long)tick,
                 (long long)user, k);
        snprintf(mid, sizeof mid, "%s-%s", sub->id, chat_id);
        json_t *ev = broadcaster_fields(es, sub, "");
        json_t *frag = json_pack("{s:s, s:s}", "type", emote ? "emote" : "text", "text", text);
        json_object_update_new(ev, json_pack("{s:s, s:s, s:s, s:s, s:{s:s, s:[o]}, s:s, s:[]}",
                                             "chatter_user_id", uid, "chatter_user_login", login,
                                             "chatter_user_name", login, "message_id", chat_id,
                                             "message", "text", text, "fragments", frag,
                                             "message_type", "text", "badges"));
        notify_at(es, sub, mid, ev, sent_at);
    }
}

void es_sub_release(struct sim_es *es, struct sub *sub)
{
    audience_release(es->sim->audience, sub->chat_audience);
    sub->chat_audience = NULL;
}

/* Writes the chat of sub's next chatters on c, up to c's queue bound: 1 if it wrote or moved
 * on, 0 when sub's chat is written up to the last tick that passed. */
static int chat_step(struct sim_es *es, struct sub *sub, struct conn *c)
{
    if (sub->chat_tick < es->last_tick - MAX_TICKS_PER_PUMP + 1) {
        es_sub_release(es, sub); /* too far behind: like a jump of the clock, the last day only */
        sub->chat_tick = es->last_tick - MAX_TICKS_PER_PUMP + 1;
        sub->chat_at = 0;
    }
    if (sub->chat_tick > es->last_tick)
        return 0;
    if (!sub->chat_audience)
        sub->chat_audience = audience_get(es->sim->audience, sub->channel, sub->chat_tick);
    const struct audience_snapshot *snap = sub->chat_audience;
    /* a few chatters at a time, so the session's other channels take turns */
    for (int k = 0; k < 64 && sub->chat_at < snap->n && c->queued < CHAT_QUEUE_MAX; k++)
        chatter_events(es, sub, snap->ids[sub->chat_at++], sub->chat_tick);
    if (sub->chat_at == snap->n) {
        es_sub_release(es, sub);
        sub->chat_tick++;
        sub->chat_at = 0;
    }
    return 1;
}

/* Tops c's queue up with the chat of its session's subscriptions. Under the lock. */
static void write_chat(struct sim_es *es, struct conn *c)
{
    int more = 1;
    while (more && c->current && c->queued < CHAT_QUEUE_MAX) {
        more = 0;
        for (size_t i = 0; i < es->n_subs && c->queued < CHAT_QUEUE_MAX; i++) {
            struct sub *sub = &es->subs[i];
            if (sub->type != TWITCH_ES_SUB_CHAT_MESSAGE || strcmp(sub->status, "enabled") != 0 ||
                strcmp(sub->session_id, c->session_id) != 0)
                continue;
            more |= chat_step(es, sub, c);
        }
    }
}

static void raid_events(struct sim_es *es, const struct sub *sub, int64_t tick)
{
    struct audience_event ev[4];
    size_t n = audience_events(es->sim->world, sub->channel, ev, 4);
    for (size_t i = 0; i < n && i < 4; i++) {
        if (strcmp(ev[i].kind, "raid") != 0 || ev[i].tick != tick)
            continue;
        /* the raider: the next channel of the world, a real broadcaster with a login */
        size_t nch = world_channel_count(es->sim->world);
        struct sub from = *sub;
        from.channel = (sub->channel + 1) % nch;
        json_t *e = broadcaster_fields(es, &from, "from_");
        json_object_update_new(e, broadcaster_fields(es, sub, "to_"));
        json_object_set_new(e, "viewers", json_integer(ev[i].size));
        char mid[96];
        snprintf(mid, sizeof mid, "%s-raid-%lld", sub->id, (long long)tick);
        notify(es, sub, mid, e);
    }
}

static void stream_events(struct sim_es *es, struct sub *sub, int64_t tick, int64_t now)
{
    struct stream_state st;
    streams_state(es->sim->streams, sub->channel, tick, now, es->sim->opt.tick_ms, &st);
    int want = sub->type == TWITCH_ES_SUB_STREAM_ONLINE;
    int changed = st.live != sub->live;
    sub->live = st.live;
    if (!changed || st.live != want)
        return;
    json_t *e = broadcaster_fields(es, sub, "");
    char mid[96];
    snprintf(mid, sizeof mid, "%s-%s-%lld", sub->id, want ? "online" : "offline",
             (long long)st.since_tick);
    if (want) {
        char id[24], ts[40];
        snprintf(id, sizeof id, "%llu", (unsigned long long)st.stream_id);
        clock_format_rfc3339(st.started_at_ms, ts, sizeof ts);
        json_object_update_new(
            e, json_pack("{s:s, s:s, s:s}", "id", id, "type", "live", "started_at", ts));
    }
    notify(es, sub, mid, e);
}

/* Runs on the service thread, under the lock: events of the ticks that passed, keepalives,
 * and the close of connections that never subscribed. */
static void pump(struct sim_es *es)
{
    int64_t now = clock_wall_ms(), tick = sim_tick(es->sim);
    int64_t from = es->last_tick + 1;
    if (tick - from >= MAX_TICKS_PER_PUMP)
        from = tick - MAX_TICKS_PER_PUMP + 1;
    /* chat is written as the connections drain (write_chat), raids at once */
    for (int64_t t = from; t <= tick; t++)
        for (size_t i = 0; i < es->n_subs; i++)
            if (es->subs[i].type == TWITCH_ES_SUB_RAID &&
                strcmp(es->subs[i].status, "enabled") == 0)
                raid_events(es, &es->subs[i], t);
    if (tick > es->last_tick)
        es->last_tick = tick;
    for (size_t i = 0; i < es->n_subs; i++)
        if (strcmp(es->subs[i].status, "enabled") != 0)
            es_sub_release(es, &es->subs[i]); /* its chat will not be written */
    for (size_t i = 0; i < es->n_subs; i++)
        if (strcmp(es->subs[i].status, "enabled") == 0 &&
            es->subs[i].type != TWITCH_ES_SUB_CHAT_MESSAGE &&
            es->subs[i].type != TWITCH_ES_SUB_RAID)
            stream_events(es, &es->subs[i], tick, now);
    for (size_t i = 0; i < MAX_CONNS; i++) {
        struct conn *c = es->conns[i];
        if (!c)
            continue;
        write_chat(es, c);
        if (c->current && !c->head && now - c->last_sent_ms >= c->keepalive_s * 1000LL)
            es_push(c, json_pack("{s:o, s:{}}", "metadata",
                                 es_metadata(es, "session_keepalive", NULL, NULL), "payload"));
        int subscribed = 0;
        for (size_t k = 0; k < es->n_subs && !subscribed; k++)
            subscribed = strcmp(es->subs[k].session_id, c->session_id) == 0;
        if (c->current && !subscribed && c->welcomed_ms && now - c->welcomed_ms > WELCOME_GRACE_MS)
            c->closing = 1;
        if (c->head || c->closing)
            lws_callback_on_writable(c->wsi);
    }
}

json_t *es_session_json(const struct conn *c, const char *status, const char *url)
{
    char ts[40];
    clock_format_rfc3339(clock_wall_ms(), ts, sizeof ts);
    json_t *ka = strcmp(status, "connected") == 0 ? json_integer(c->keepalive_s) : json_null();
    return json_pack("{s:s, s:s, s:s, s:o, s:o, s:n}", "id", c->session_id, "status", status,
                     "connected_at", ts, "keepalive_timeout_seconds", ka, "reconnect_url",
                     url ? json_string(url) : json_null(), "recovery_url");
}

static void on_established(struct sim_es *es, struct lws *wsi, struct conn *c)
{
    char arg[64];
    memset(c, 0, sizeof *c);
    c->wsi = wsi;
    c->keepalive_s = 10;
    const char *v = lws_get_urlarg_by_name(wsi, "keepalive_timeout_seconds=", arg, sizeof arg);
    if (v && atoi(v) >= 10 && atoi(v) <= 600)
        c->keepalive_s = atoi(v);
    pthread_mutex_lock(&es->lock);
    v = lws_get_urlarg_by_name(wsi, "reconnect=", arg, sizeof arg);
    if (v && strlen(v) < sizeof c->session_id && es_current_conn(es, v))
        snprintf(c->session_id, sizeof c->session_id, "%s", v); /* takes over at its welcome */
    else
        es_make_id(es, "s", c->session_id, sizeof c->session_id);
    size_t i = 0;
    while (i < MAX_CONNS && es->conns[i])
        i++;
    if (i == MAX_CONNS) {
        c->closing = 1;
    } else {
        es->conns[i] = c;
        es_push(c, json_pack("{s:o, s:{s:o}}", "metadata",
                             es_metadata(es, "session_welcome", NULL, NULL), "payload", "session",
                             es_session_json(c, "connected", NULL)));
    }
    pthread_mutex_unlock(&es->lock);
    lws_callback_on_writable(wsi);
}

/* After the welcome of a reconnect's new connection: events go there, including those still
 * queued on the old one, which then closes (Twitch closes it too). */
static void take_over(struct sim_es *es, struct conn *c)
{
    struct conn *old = es_current_conn(es, c->session_id);
    c->current = 1;
    if (!old || old == c)
        return;
    old->current = 0;
    old->closing = 1;
    if (old->head) {
        if (c->tail)
            c->tail->next = old->head;
        else
            c->head = old->head;
        c->tail = old->tail;
        c->queued += old->queued;
        if (c->queued > c->queued_peak)
            c->queued_peak = c->queued;
        old->head = old->tail = NULL;
        old->queued = 0;
    }
    /* resend the old connection's last notifications, as Twitch may around a reconnect */
    struct out_msg *again[HISTORY];
    int n = 0;
    for (size_t k = 1; k <= HISTORY && n < es->resend; k++) {
        struct out_msg *h = old->history[(old->history_at + HISTORY - k) % HISTORY];
        if (h && memmem(h->buf + LWS_PRE, h->len, "\"notification\"", 14))
            again[n++] = h;
    }
    while (n-- > 0) {
        struct out_msg *copy = xmalloc(sizeof *copy + LWS_PRE + again[n]->len);
        memcpy(copy, again[n], sizeof *copy + LWS_PRE + again[n]->len);
        copy->next = NULL;
        if (c->tail)
            c->tail->next = copy;
        else
            c->head = copy;
        c->tail = copy;
        if (++c->queued > c->queued_peak)
            c->queued_peak = c->queued;
    }
    es->resend = 0;
    lws_callback_on_writable(old->wsi);
}

static int on_writeable(struct sim_es *es, struct lws *wsi, struct conn *c)
{
    pthread_mutex_lock(&es->lock);
    struct out_msg *m = c->head;
    if (m) {
        c->head = m->next;
        if (!c->head)
            c->tail = NULL;
        c->queued--;
        if (!c->welcomed_ms) {
            /* the session is this connection's before its welcome leaves: a client that
             * subscribes the moment it reads the welcome must find it (it once did not, under
             * load, when this waited until after the write) */
            c->welcomed_ms = clock_wall_ms();
            take_over(es, c);
        }
    }
    if (c->queued < CHAT_QUEUE_MAX / 2)
        write_chat(es, c);
    int closing = c->closing && !c->head && !m;
    pthread_mutex_unlock(&es->lock);
    if (closing && lws_partial_buffered(wsi)) {
        /* what was written must reach the client before the close */
        lws_callback_on_writable(wsi);
        return 0;
    }
    if (closing) {
        lws_close_reason(wsi, 4003, (unsigned char *)"closed by server", 16);
        return -1;
    }
    if (!m)
        return 0;
    int n = lws_write(wsi, m->buf + LWS_PRE, m->len, LWS_WRITE_TEXT);
    pthread_mutex_lock(&es->lock);
    free(c->history[c->history_at]);
    c->history[c->history_at] = m;
    c->history_at = (c->history_at + 1) % HISTORY;
    if (n < 0) {
        pthread_mutex_unlock(&es->lock);
        return -1;
    }
    c->last_sent_ms = clock_wall_ms();
    int more = c->head || c->closing;
    pthread_mutex_unlock(&es->lock);
    if (more)
        lws_callback_on_writable(wsi);
    return 0;
}

static void on_closed(struct sim_es *es, struct conn *c)
{
    pthread_mutex_lock(&es->lock);
    for (size_t i = 0; i < MAX_CONNS; i++)
        if (es->conns[i] == c)
            es->conns[i] = NULL;
    /* the session ends with its current connection: Twitch disables its subscriptions */
    if (c->current && !es_current_conn(es, c->session_id))
        for (size_t i = 0; i < es->n_subs; i++)
            if (strcmp(es->subs[i].session_id, c->session_id) == 0 &&
                strcmp(es->subs[i].status, "enabled") == 0)
                snprintf(es->subs[i].status, sizeof es->subs[i].status, "websocket_disconnected");
    while (c->head) {
        struct out_msg *m = c->head;
        c->head = m->next;
        free(m);
    }
    c->tail = NULL;
    c->queued = 0;
    if (c->queued_peak > es->queued_peak)
        es->queued_peak = c->queued_peak;
    for (size_t i = 0; i < HISTORY; i++) {
        free(c->history[i]);
        c->history[i] = NULL;
    }
    pthread_mutex_unlock(&es->lock);
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct lws_context *ctx = lws_get_context(wsi);
    struct sim_es *es = ctx ? lws_context_user(ctx) : NULL;
    struct conn *c = user;
    /* lws also calls protocol callbacks outside any connection (no context user yet): only
     * connections of this server have work to do here */
    if (!es)
        return 0;
    switch (reason) {
    case LWS_CALLBACK_ESTABLISHED:
        on_established(es, wsi, c);
        return 0;
    case LWS_CALLBACK_SERVER_WRITEABLE:
        return on_writeable(es, wsi, c);
    case LWS_CALLBACK_RECEIVE:
        /* Twitch closes a connection whose client sends anything (4001) */
        pthread_mutex_lock(&es->lock);
        c->closing = 1;
        pthread_mutex_unlock(&es->lock);
        lws_callback_on_writable(wsi);
        return 0;
    case LWS_CALLBACK_CLOSED:
        on_closed(es, c);
        return 0;
    case LWS_CALLBACK_EVENT_WAIT_CANCELLED:
        if (es) {
            pthread_mutex_lock(&es->lock);
            pump(es);
            pthread_mutex_unlock(&es->lock);
        }
        return 0;
    default:
        return 0;
    }
}

static const struct lws_protocols protocols[] = {
    {"twitch-eventsub", callback, sizeof(struct conn), 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

/* lws 4.1 ignores lws_service's timeout and sleeps until its next timer: this one keeps the
 * pump (ticks, keepalives) within 100 ms of the clock. */
static void heartbeat(lws_sorted_usec_list_t *sul)
{
    struct sim_es *es = lws_container_of(sul, struct sim_es, pump_timer);
    pthread_mutex_lock(&es->lock);
    pump(es);
    pthread_mutex_unlock(&es->lock);
    lws_sul_schedule(es->ctx, 0, &es->pump_timer, heartbeat, 100 * LWS_US_PER_MS);
}

static void *service(void *arg)
{
    struct sim_es *es = arg;
    lws_sul_schedule(es->ctx, 0, &es->pump_timer, heartbeat, 100 * LWS_US_PER_MS);
    for (;;) {
        pthread_mutex_lock(&es->lock);
        int stop = es->stop;
        pthread_mutex_unlock(&es->lock);
        if (stop)
            break;
        lws_service(es->ctx, 0);
    }
    return NULL;
}

struct sim_es *sim_es_new(struct sim *s)
{
    struct sim_es *es = xcalloc(1, sizeof *es);
    es->sim = s;
    es->last_tick = sim_tick(s);
    pthread_mutex_init(&es->lock, NULL);
    return es;
}

int sim_es_start(struct sim_es *es, const char *host, int *port, char *err, size_t errlen)
{
    snprintf(es->host, sizeof es->host, "%s", host);
    lws_set_log_level(0, NULL); /* the simulator never logs; errors come back through err */
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = 0;
    info.iface = es->host;
    info.protocols = protocols;
    info.user = es;
    info.options = LWS_SERVER_OPTION_DISABLE_IPV6;
    es->ctx = lws_create_context(&info);
    if (!es->ctx)
        return tca_fail(err, errlen, TCA_ERR, "cannot listen for EventSub on %s", host);
    struct lws_vhost *vh = lws_get_vhost_by_name(es->ctx, "default");
    es->port = vh ? lws_get_vhost_listen_port(vh) : 0;
    if (es->port <= 0)
        return tca_fail(err, errlen, TCA_ERR, "EventSub server has no port");
    if (pthread_create(&es->thread, NULL, service, es) != 0)
        return tca_fail(err, errlen, TCA_ERR, "cannot start the EventSub thread");
    es->running = 1;
    *port = es->port;
    return 0;
}

void sim_es_free(struct sim_es *es)
{
    if (!es)
        return;
    if (es->running) {
        pthread_mutex_lock(&es->lock);
        es->stop = 1;
        pthread_mutex_unlock(&es->lock);
        lws_cancel_service(es->ctx);
        pthread_join(es->thread, NULL);
    }
    if (es->ctx)
        lws_context_destroy(es->ctx); /* closes the connections: on_closed frees their queues */
    for (size_t i = 0; i < es->n_subs; i++)
        es_sub_release(es, &es->subs[i]);
    pthread_mutex_destroy(&es->lock);
    free(es);
}

long sim_es_sent(struct sim_es *es)
{
    pthread_mutex_lock(&es->lock);
    long n = es->sent;
    pthread_mutex_unlock(&es->lock);
    return n;
}

long sim_es_queued_peak(struct sim_es *es)
{
    pthread_mutex_lock(&es->lock);
    size_t n = es->queued_peak;
    for (size_t i = 0; i < MAX_CONNS; i++)
        if (es->conns[i] && es->conns[i]->queued_peak > n)
            n = es->conns[i]->queued_peak;
    pthread_mutex_unlock(&es->lock);
    return (long)n;
}
