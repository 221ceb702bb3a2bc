/*
 * Internal to sim/eventsub*.c: the EventSub server's tables (connections, subscriptions) and
 * the message builders both files use. Everything here is guarded by sim_es.lock; only the
 * service thread touches a struct lws. Never include it from elsewhere.
 */
#ifndef TCA_SIM_EVENTSUB_INTERNAL_H
#define TCA_SIM_EVENTSUB_INTERNAL_H

#include "sim/eventsub.h"
#include "sim/server.h"

#include <libwebsockets.h>
#include <pthread.h>

#define MAX_CONNS 64
#define HISTORY 16 /* messages a connection keeps after sending, to resend on request */
#define MAX_SUBS 1024
#define WELCOME_GRACE_MS 10000
#define MAX_TICKS_PER_PUMP 1440 /* a day of ticks: a jump further only sends the last day */
/* SIM_ES_CHAT_QUEUE_MAX: the rest of a tick's chat is written as the client reads, so a
 * client slower than the chat costs lag, not memory (a 100,000-chatter channel writes ~25,000
 * messages a tick; queued whole, a slow reader made the simulator hold hundreds of MB). */
#define CHAT_QUEUE_MAX SIM_ES_CHAT_QUEUE_MAX

struct out_msg {
    struct out_msg *next;
    size_t len;
    unsigned char buf[]; /* LWS_PRE bytes, then the message */
};

/* One WebSocket connection (libwebsockets' per-session user data). */
struct conn {
    struct lws *wsi;
    char session_id[40];
    struct out_msg *head, *tail;
    int keepalive_s;
    int64_t last_sent_ms;
    int64_t welcomed_ms;
    int current; /* the connection the session's events go to */
    int closing; /* replaced by a reconnect, or unused: close once the queue is empty */
    struct out_msg *history[HISTORY]; /* the last messages sent, oldest first once full */
    size_t history_at;
    size_t queued;      /* messages from head to tail */
    size_t queued_peak; /* the most there ever were */
};

struct sub {
    char id[40];
    int type; /* enum twitch_es_sub */
    int64_t owner;
    int64_t broadcaster;
    size_t channel;
    char session_id[40];
    char status[40];
    int64_t created_ms;
    int live; /* stream.*: the state last seen */
    /* channel.chat.message: where writing its chat stands (the tick, and the index of the next
     * chatter in that tick's audience, held while the tick is being written) */
    int64_t chat_tick;
    size_t chat_at;
    struct audience_snapshot *chat_audience;
};

struct sim_es {
    struct sim *sim;
    struct lws_context *ctx;
    pthread_t thread;
    lws_sorted_usec_list_t pump_timer; /* the service thread's 100 ms heartbeat */
    int running;
    int port;
    char host[64];
    pthread_mutex_t lock; /* guards everything below */
    int stop;
    struct conn *conns[MAX_CONNS];
    struct sub subs[MAX_SUBS];
    size_t n_subs;
    int64_t last_tick;
    int resend; /* notifications the next takeover sends again (as Twitch may) */
    long sent;
    size_t queued_peak; /* of the connections closed so far */
    unsigned long next_id;
};

/** A fresh id "<prefix><n>-<16 hex>" (sessions, subscriptions, messages). Under the lock. */
void es_make_id(struct sim_es *es, const char *prefix, char *out, size_t outlen);
/** Queues the JSON message j (stolen) on connection c. Under the lock. */
void es_push(struct conn *c, json_t *j);
/** A message's metadata; message_id NULL makes a fresh one; sub adds the subscription type. */
json_t *es_metadata(struct sim_es *es, const char *type, const char *message_id,
                    const struct sub *sub);
/** A subscription in Helix's shape. */
json_t *es_sub_json(const struct sub *sub);
/** payload.session of a welcome or reconnect (url: the reconnect URL, or NULL). */
json_t *es_session_json(const struct conn *c, const char *status, const char *url);
/** Lets go of what a subscription holds (before it is deleted). Under the lock. */
void es_sub_release(struct sim_es *es, struct sub *sub);
/** The connection a session's events go to, or NULL. Under the lock. */
struct conn *es_current_conn(struct sim_es *es, const char *session_id);

#endif
