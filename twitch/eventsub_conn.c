/*
 * The client side of EventSub over WebSocket (libwebsockets; Debian's libcurl has no
 * WebSocket). One lws context per session, serviced only inside twitch_es_next by the calling
 * thread. Follows Twitch's protocol: the welcome gives the session, keepalives prove the
 * connection alive, a session_reconnect opens the new URL and keeps reading the old
 * connection until the new one's welcome, and duplicates are dropped by message id. Must
 * never log (a chat message is personal data) and never hand back a message twice.
 */
#include "twitch/eventsub.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <libwebsockets.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How long a connection replaced by a reconnect is still read if the server keeps it open. */
#define OLD_GRACE_MS 30000

struct rx_msg {
    struct rx_msg *next;
    char *body; /* owned */
    size_t len;
};

struct wsconn {
    struct twitch_es *es;
    struct lws *wsi;
    struct buf partial; /* fragments of the message being received */
    struct rx_msg *head, *tail;
    int closed;
    int close_code;
    int closing;              /* we asked to close */
    struct wsconn *dead_next; /* in es->dead once closed */
};

struct twitch_es {
    struct lws_context *ctx;
    struct wsconn *cur;  /* owned: the session's connection */
    struct wsconn *next; /* owned: a reconnect's new connection, until its welcome */
    struct wsconn *old;  /* owned: the connection a reconnect replaced, read until it closes */
    int64_t old_since_ms;
    struct wsconn *dead;         /* owned: closed connections, freed after the context (lws may
                                    still write through their pointers until then) */
    lws_sorted_usec_list_t wake; /* bounds each lws_service wait (lws 4.1 ignores its timeout) */
    char session_id[TWITCH_ES_ID_MAX + 1];
    int keepalive_s;
    int64_t last_rx_ms;
    char seen[TWITCH_ES_DEDUPE][TWITCH_ES_ID_MAX + 1]; /* ring of recent message ids */
    size_t seen_at;
    /* Two generations of hash sets over the ring (slot + 1; 0 empty): the current one takes
     * half the ring's ids, then becomes the previous one, so a lookup is a few probes and no
     * slot is referenced after the ring overwrote it. */
    uint16_t gen_cur[2 * TWITCH_ES_DEDUPE], gen_prev[2 * TWITCH_ES_DEDUPE];
    size_t gen_n;
    long duplicates, reconnects;
    struct twitch_es_reader reader; /* read.read NULL: none */
};

static void queue_message(struct wsconn *c)
{
    struct rx_msg *m = xmalloc(sizeof *m);
    m->len = c->partial.len;
    m->body = buf_steal(&c->partial);
    buf_init(&c->partial, TWITCH_ES_MESSAGE_MAX);
    m->next = NULL;
    if (c->tail)
        c->tail->next = m;
    else
        c->head = m;
    c->tail = m;
}

static int callback(struct lws *wsi, enum lws_callback_reasons reason, void *user, void *in,
                    size_t len)
{
    struct wsconn *c = user;
    switch (reason) {
    case LWS_CALLBACK_CLIENT_RECEIVE:
        if (!c)
            return 0;
        if (buf_append(&c->partial, in, len) < 0) {
            c->closed = 1;
            c->close_code = 1009; /* message too big: nothing tca subscribes to is */
            return -1;
        }
        if (lws_is_final_fragment(wsi))
            queue_message(c);
        return 0;
    case LWS_CALLBACK_WS_PEER_INITIATED_CLOSE:
        if (c && len >= 2)
            c->close_code = ((unsigned char *)in)[0] << 8 | ((unsigned char *)in)[1];
        return 0;
    case LWS_CALLBACK_CLIENT_WRITEABLE:
        return c && c->closing ? -1 : 0;
    case LWS_CALLBACK_CLIENT_CONNECTION_ERROR:
    case LWS_CALLBACK_CLIENT_CLOSED:
        if (c) {
            c->closed = 1;
            c->wsi = NULL;
        }
        return 0;
    default:
        return 0;
    }
}

static void woken(lws_sorted_usec_list_t *sul)
{
}

/* Services the context for at most ms: lws 4.1 would sleep until its own next timer. */
static void service(struct twitch_es *es, int64_t ms)
{
    lws_sul_schedule(es->ctx, 0, &es->wake, woken, (ms < 1 ? 1 : ms) * LWS_US_PER_MS);
    lws_service(es->ctx, 0);
}

static const struct lws_protocols protocols[] = {
    {"twitch-eventsub", callback, 0, 4096, 0, NULL, 0},
    {NULL, NULL, 0, 0, 0, NULL, 0},
};

static int open_conn(struct twitch_es *es, const char *url, struct wsconn **out, char *err,
                     size_t errlen)
{
    char copy[TWITCH_ES_URL_MAX + 1], path[TWITCH_ES_URL_MAX + 2];
    const char *prot, *host, *p;
    int port;
    if (strlen(url) > TWITCH_ES_URL_MAX)
        return tca_fail(err, errlen, TCA_EINVAL, "eventsub: URL too long");
    snprintf(copy, sizeof copy, "%s", url);
    if (lws_parse_uri(copy, &prot, &host, &port, &p) ||
        (strcmp(prot, "ws") != 0 && strcmp(prot, "wss") != 0))
        return tca_fail(err, errlen, TCA_EINVAL, "eventsub: %s is not a ws:// or wss:// URL", url);
    snprintf(path, sizeof path, "/%s", p);
    struct wsconn *c = xcalloc(1, sizeof *c);
    c->es = es;
    buf_init(&c->partial, TWITCH_ES_MESSAGE_MAX);
    struct lws_client_connect_info ci;
    memset(&ci, 0, sizeof ci);
    ci.context = es->ctx;
    ci.address = host;
    ci.port = port;
    ci.path = path;
    ci.host = host;
    ci.origin = host;
    ci.ssl_connection = strcmp(prot, "wss") == 0 ? LCCSCF_USE_SSL : 0;
    ci.protocol = NULL; /* Twitch names no subprotocol */
    ci.userdata = c;
    ci.pwsi = &c->wsi;
    if (!lws_client_connect_via_info(&ci)) {
        c->dead_next = es->dead;
        es->dead = c;
        return tca_fail(err, errlen, TCA_ETEMP, "eventsub: cannot connect to %s", host);
    }
    *out = c;
    return 0;
}

static void free_conn(struct wsconn *c)
{
    if (!c)
        return;
    while (c->head) {
        struct rx_msg *m = c->head;
        c->head = m->next;
        free(m->body);
        free(m);
    }
    buf_free(&c->partial);
    free(c);
}

/* Asks lws to close c and services until it did, so its callbacks stop before c is freed. */
static void close_conn(struct twitch_es *es, struct wsconn *c)
{
    if (!c)
        return;
    if (c->wsi && !c->closed) {
        c->closing = 1;
        lws_callback_on_writable(c->wsi);
        int64_t until = clock_mono_ms() + 2000;
        while (!c->closed && clock_mono_ms() < until)
            service(es, 50);
        if (c->wsi)
            lws_set_wsi_user(c->wsi, NULL); /* too slow: its last callbacks see no conn */
    }
    c->dead_next = es->dead;
    es->dead = c;
}

static struct rx_msg *take(struct wsconn *c)
{
    struct rx_msg *m = c ? c->head : NULL;
    if (m) {
        c->head = m->next;
        if (!c->head)
            c->tail = NULL;
    }
    return m;
}

#define GEN_SLOTS (2 * TWITCH_ES_DEDUPE) /* a table at most a quarter full */

static uint32_t id_hash(const char *id)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (; *id; id++)
        h = (h ^ (unsigned char)*id) * 16777619u;
    return h;
}

static int in_gen(const struct twitch_es *es, const uint16_t *gen, const char *id, uint32_t h)
{
    for (uint32_t i = h % GEN_SLOTS; gen[i]; i = (i + 1) % GEN_SLOTS)
        if (strcmp(es->seen[gen[i] - 1], id) == 0)
            return 1;
    return 0;
}

static int seen_before(struct twitch_es *es, const char *id)
{
    uint32_t h = id_hash(id);
    if (in_gen(es, es->gen_cur, id, h) || in_gen(es, es->gen_prev, id, h))
        return 1;
    if (es->gen_n == TWITCH_ES_DEDUPE / 2) {
        memcpy(es->gen_prev, es->gen_cur, sizeof es->gen_prev);
        memset(es->gen_cur, 0, sizeof es->gen_cur);
        es->gen_n = 0;
    }
    snprintf(es->seen[es->seen_at], sizeof es->seen[0], "%s", id);
    uint32_t i = h % GEN_SLOTS;
    while (es->gen_cur[i])
        i = (i + 1) % GEN_SLOTS;
    es->gen_cur[i] = (uint16_t)(es->seen_at + 1);
    es->gen_n++;
    es->seen_at = (es->seen_at + 1) % TWITCH_ES_DEDUPE;
    return 0;
}

/* What one received message does to the session: 1 when it is for the caller. */
static int handle(struct twitch_es *es, struct wsconn *from, struct twitch_es_message *m, char *err,
                  size_t errlen)
{
    switch (m->kind) {
    case TWITCH_ES_WELCOME:
        if (from == es->next) {
            /* the new connection took over; the old one may still carry messages in flight,
             * so it is read until the server closes it */
            close_conn(es, es->old);
            es->old = es->cur;
            es->old_since_ms = clock_mono_ms();
            es->cur = es->next;
            es->next = NULL;
            es->reconnects++;
        } else if (!es->session_id[0]) {
            snprintf(es->session_id, sizeof es->session_id, "%s", m->session_id);
        }
        es->keepalive_s = m->keepalive_s;
        return 0;
    case TWITCH_ES_KEEPALIVE:
        return 0;
    case TWITCH_ES_RECONNECT:
        if (es->next || from != es->cur)
            return 0;
        return open_conn(es, m->reconnect_url, &es->next, err, errlen);
    case TWITCH_ES_NOTIFICATION:
    case TWITCH_ES_REVOCATION:
        if (seen_before(es, m->message_id)) {
            es->duplicates++;
            return 0;
        }
        return 1;
    }
    return 0;
}

int twitch_es_next(struct twitch_es *es, int64_t timeout_ms, struct twitch_es_message *out,
                   char *err, size_t errlen)
{
    int64_t deadline = clock_mono_ms() + timeout_ms;
    int serviced = 0;
    for (;;) {
        /* a replaced connection is done once closed and read, or after a grace period */
        if (es->old && ((es->old->closed && !es->old->head) ||
                        clock_mono_ms() - es->old_since_ms > OLD_GRACE_MS)) {
            close_conn(es, es->old);
            es->old = NULL;
        }
        /* the old connection's messages come before the new one's */
        struct wsconn *from = es->old;
        struct rx_msg *msg = take(es->old);
        if (!msg) {
            from = es->cur;
            msg = take(es->cur);
        }
        if (!msg && es->next) {
            from = es->next;
            msg = take(es->next);
        }
        if (msg) {
            es->last_rx_ms = clock_mono_ms();
            int rc = twitch_es_parse_read(msg->body, msg->len, &es->reader, out, err, errlen);
            free(msg->body);
            free(msg);
            if (rc == 0)
                rc = handle(es, from, out, err, errlen);
            if (rc != 0)
                return rc > 0 ? 0 : rc;
            continue;
        }
        if (es->cur->closed && !es->next)
            return tca_fail(err, errlen, TCA_ETEMP, "eventsub: connection closed (code %d)",
                            es->cur->close_code);
        int64_t now = clock_mono_ms();
        /* Twitch's rule: no message for the keepalive timeout means the connection is gone;
         * judged only after reading the socket, since the caller may not have for a while */
        if (serviced && es->keepalive_s && now - es->last_rx_ms > (es->keepalive_s + 5) * 1000LL)
            return tca_fail(err, errlen, TCA_ETEMP, "eventsub: no keepalive for %d s",
                            es->keepalive_s + 5);
        if (serviced && now >= deadline)
            return TCA_ENOTFOUND;
        service(es, deadline - now < 50 ? deadline - now : 50);
        serviced = 1;
    }
}

int twitch_es_connect(const char *url, int64_t timeout_ms, struct twitch_es **out, char *err,
                      size_t errlen)
{
    lws_set_log_level(0, NULL); /* lws would log to stderr; errors come back through err */
    struct twitch_es *es = xcalloc(1, sizeof *es);
    struct lws_context_creation_info info;
    memset(&info, 0, sizeof info);
    info.port = CONTEXT_PORT_NO_LISTEN;
    info.protocols = protocols;
    info.options = LWS_SERVER_OPTION_DO_SSL_GLOBAL_INIT;
    int rc = TCA_ETEMP;
    es->ctx = lws_create_context(&info);
    if (!es->ctx) {
        rc = tca_fail(err, errlen, TCA_ERR, "eventsub: cannot create the WebSocket context");
        goto out;
    }
    if ((rc = open_conn(es, url, &es->cur, err, errlen)) < 0)
        goto out;
    int64_t deadline = clock_mono_ms() + timeout_ms;
    while (!es->session_id[0]) {
        struct rx_msg *msg = take(es->cur);
        if (msg) {
            struct twitch_es_message m;
            rc = twitch_es_parse(msg->body, msg->len, &m, err, errlen);
            free(msg->body);
            free(msg);
            if (rc < 0)
                goto out;
            if (m.kind != TWITCH_ES_WELCOME) {
                rc = tca_fail(err, errlen, TCA_EPROTO, "eventsub: first message is no welcome");
                goto out;
            }
            handle(es, es->cur, &m, err, errlen);
            es->last_rx_ms = clock_mono_ms();
            continue;
        }
        /* handle() may have swapped connections (a welcome on a reconnect URL) */
        if (!es->cur || es->cur->closed || clock_mono_ms() >= deadline) {
            rc = tca_fail(err, errlen, TCA_ETEMP, "eventsub: no welcome from %s", url);
            goto out;
        }
        service(es, 50);
    }
    *out = es;
    return 0;
out:
    twitch_es_free(es);
    return rc;
}

void twitch_es_set_reader(struct twitch_es *es, const struct twitch_es_reader *reader)
{
    es->reader = reader ? *reader : (struct twitch_es_reader){0};
}

const char *twitch_es_session_id(const struct twitch_es *es)
{
    return es->session_id;
}

void twitch_es_counts(const struct twitch_es *es, long *duplicates, long *reconnects)
{
    *duplicates = es->duplicates;
    *reconnects = es->reconnects;
}

void twitch_es_free(struct twitch_es *es)
{
    if (!es)
        return;
    if (es->ctx) {
        close_conn(es, es->next);
        close_conn(es, es->old);
        close_conn(es, es->cur);
        lws_context_destroy(es->ctx);
    }
    while (es->dead) {
        struct wsconn *c = es->dead;
        es->dead = c->dead_next;
        free_conn(c);
    }
    free(es);
}
