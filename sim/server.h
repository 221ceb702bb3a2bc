/*
 * Internal to sim/: the state a running simulator shares between its HTTP front (sim.c) and
 * its route handlers (oauth.c, helix.c, control.c). Not for use outside sim/. Handlers run
 * on libmicrohttpd's pool threads at once, so everything mutable here sits behind `lock` or
 * inside a thread-safe module.
 */
#ifndef TCA_SIM_SERVER_H
#define TCA_SIM_SERVER_H

#include <pthread.h>
#include <stdint.h>

#include "sim/audience.h"
#include "sim/call.h"
#include "sim/sim.h"
#include "sim/streams.h"
#include "sim/tokens.h"
#include "sim/world.h"

#define SIM_MAX_FAULTS 32
#define SIM_MAX_STAT_PATHS 48
#define SIM_MAX_STAT_STATUSES 16

/** A rule of POST /_sim/faults: after `skip` matching requests, the next `count` misbehave. */
struct sim_fault {
    char path[64];
    long skip;
    long count;
    int status;    /* 429/500/503..., or 0 */
    int malformed; /* 200 with a truncated body */
    long delay_ms; /* answer late but right */
    long seen;     /* matching requests so far */
};

/** What a fault does to one request. */
struct sim_fault_hit {
    int status;
    int malformed;
    long delay_ms;
};

struct sim_stat {
    char key[64];
    long count;
};

struct sim_es;
struct followers;

struct sim {
    struct sim_options opt; /* strings point into the owned copies below */
    char *client_id;
    char *client_secret;
    char *default_login;
    int64_t default_user;
    struct world *world;
    struct audience *audience;
    struct tokens *tokens;
    struct streams *streams;
    struct followers *followers; /* sim/followers.c */
    struct MHD_Daemon *daemon;
    struct sim_es *es; /* the EventSub WebSocket server, on its own port */
    int es_port;
    char host[128]; /* for URLs when the request has no Host header */
    int port;
    int64_t start_ms; /* wall clock at sim_new: tick 0, and the streams' reference */

    pthread_mutex_t lock; /* guards everything below */
    int64_t tick_offset;  /* added by POST /_sim/advance */
    struct sim_fault faults[SIM_MAX_FAULTS];
    size_t n_faults;
    struct sim_stat paths[SIM_MAX_STAT_PATHS];
    size_t n_paths;
    struct sim_stat statuses[SIM_MAX_STAT_STATUSES];
    size_t n_statuses;
};

/** Handles /oauth2/... and /activate; returns 0 when the path is not one of them. */
int oauth_handle(struct sim *s, struct call *c);
/** Handles /helix/...; returns 0 when the path is not one of them. */
int helix_handle(struct sim *s, struct call *c);
/** Handles /helix/eventsub/subscriptions and /_sim/eventsub...; returns 0 for other paths. */
int eventsub_handle(struct sim *s, struct call *c);
/** Checks a Helix request's token, Client-Id and bucket; replies and returns -1 on failure. */
int helix_authenticate(struct sim *s, struct call *c, struct token_info *tok);
/** Handles Get Moderators and Get VIPs (sim/roles.c); returns 0 for other paths. */
int roles_handle(struct sim *s, struct call *c);
/** Handles Get Channel Followers (sim/followers.c); returns 0 for other paths. */
int followers_handle(struct sim *s, struct call *c);
/** Handles /_sim/roles and /_sim/followers, their ground truth; returns 0 for other paths. */
int audience_truth_handle(struct sim *s, struct call *c);
/** Handles /_sim/...; returns 0 when the path is not one of them. */
int control_handle(struct sim *s, struct call *c);

/** Consumes the faults matching path and says what to do with this request. */
void control_fault_check(struct sim *s, const char *path, struct sim_fault_hit *hit);
/** Counts a finished request for GET /_sim/stats. */
void control_count(struct sim *s, const char *path, int status);

/** "http://host:port" as the client reached us (caller frees). */
char *sim_base_url(struct sim *s, struct call *c);

#endif
