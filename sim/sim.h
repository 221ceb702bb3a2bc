/*
 * `tca twitch-sim` as a library: a local Twitch (OAuth under /oauth2, Helix under /helix)
 * with simulated channels, plus a control API under /_sim/ for tests. `tca serve` embeds it
 * for the demo; every integration test talks to it. It must never call the real Twitch and
 * never log: errors come back through err.
 */
#ifndef TCA_SIM_H
#define TCA_SIM_H

#include <stddef.h>
#include <stdint.h>

struct sim_options {
    uint64_t seed;             /* default 1: same seed, same audience */
    const char *client_id;     /* default "tca-sim-client" */
    const char *client_secret; /* default "tca-sim-secret" */
    int64_t tick_ms;           /* real-time mode: the audience takes one step every tick_ms */
    int manual_clock;          /* 1: ticks advance only through POST /_sim/advance */
    int ratelimit_points;      /* bucket per token per minute; default 800 (Twitch's) */
    int token_ttl_s;           /* access-token lifetime; default 14400 */
    int device_interval_s;     /* the interval the device flow announces; default 5 */
    int device_auto_approve;   /* 1 (default): a device code is approved on its second poll */
    const char *default_login; /* who the auto-consent and device flows log in */
    int lurker_bots;           /* viewer-list lurker bots in most channels; default 0 */
    int bot_shapes;            /* 1: two more bot waves (cozy_channel, chan_03); default 0 */
    int rename_permille;       /* chatters per 1000 who ever rename; default 10 */
};

struct sim;

/** Fills o with the defaults above. */
void sim_options_default(struct sim_options *o);
/** Creates a simulator (strings in o are copied); it serves nothing until sim_start. */
struct sim *sim_new(const struct sim_options *o);
/**
 * Starts serving on listen ("HOST:PORT"; port 0 lets the OS pick) in background threads and
 * writes the bound port to *port. Returns 0, or TCA_EINVAL / TCA_ERR with a message in err.
 */
int sim_start(struct sim *s, const char *listen, int *port, char *err, size_t errlen);
/** Stops the server and frees everything; NULL is a no-op. */
void sim_free(struct sim *s);

/** The EventSub WebSocket URL of a started simulator (GET /_sim/eventsub's); caller frees. */
char *sim_eventsub_url(struct sim *s);
/** The current tick of the audience clock. */
int64_t sim_tick(struct sim *s);

#endif
