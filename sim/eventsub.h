/*
 * The simulator's EventSub WebSocket server (libwebsockets, its own loopback port, announced
 * by GET /_sim/eventsub): welcome, keepalives, notifications from the audience, chat, raid
 * and streams models, session_reconnect and revocation on request; and the subscription table
 * the Helix /eventsub/subscriptions routes read and write. Internal to sim/. One service
 * thread owns every socket; other threads only touch the tables under the module's lock and
 * wake the service thread. It must never send a client an event of a subscription it does
 * not hold, nor drop one queued for a session that reconnects.
 */
#ifndef TCA_SIM_EVENTSUB_H
#define TCA_SIM_EVENTSUB_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

struct sim;
struct sim_es;

/** Chat notifications queued on one connection at most (a few more when one chatter's
 * messages of a tick or a reconnect's resent ones pass it); the rest wait to be written. */
#define SIM_ES_CHAT_QUEUE_MAX 256

/** Creates the server over s (which must outlive it); nothing listens until sim_es_start. */
struct sim_es *sim_es_new(struct sim *s);
/** Listens on host, port chosen by the OS (written to *port), and starts the service thread. */
int sim_es_start(struct sim_es *es, const char *host, int *port, char *err, size_t errlen);
/** Stops the thread, closes every socket, frees everything; NULL is a no-op. */
void sim_es_free(struct sim_es *es);

/**
 * Creates a subscription for user_id's token on session_id (Helix Create EventSub
 * Subscription). condition is the request's condition object. Returns the HTTP status (202
 * with *out the subscription; else 400/403/409 with *why) .
 */
int sim_es_subscribe(struct sim_es *es, int64_t user_id, const char *type, const char *version,
                     json_t *condition, const char *session_id, const char *scopes, json_t **out,
                     const char **why);
/** The subscriptions created by user_id's tokens, as a JSON array (new reference). */
json_t *sim_es_list(struct sim_es *es, int64_t user_id);
/** Deletes a subscription of user_id; returns 204 or 404. */
int sim_es_delete(struct sim_es *es, int64_t user_id, const char *id);

/**
 * Sends session_reconnect to every connected session; at the takeover, the old connection's
 * last `resend` notifications (at most 16) are sent again on the new one. Returns how many.
 */
int sim_es_reconnect(struct sim_es *es, int resend);
/**
 * Revokes the subscriptions on channel broadcaster (of type, or all when type is NULL) with
 * status (e.g. "authorization_revoked"); returns how many.
 */
int sim_es_revoke(struct sim_es *es, int64_t broadcaster, const char *type, const char *status);
/** Notifications sent so far (every connection), for GET /_sim/eventsub. */
long sim_es_sent(struct sim_es *es);
/** The most messages ever queued on one connection (see SIM_ES_CHAT_QUEUE_MAX), for
 * GET /_sim/eventsub. */
long sim_es_queued_peak(struct sim_es *es);
/** Enabled subscriptions (of type, or all when NULL), for GET /_sim/eventsub. */
long sim_es_enabled(struct sim_es *es, const char *type);

#endif
