/*
 * When each simulated channel is live: a seeded schedule of online and offline periods on the
 * audience clock (ticks), and the switches a test makes through POST /_sim/streams. Get
 * Streams reads it. It must never read the wall clock (times are passed in) and never depend
 * on the order of requests, except through explicit switches.
 */
#ifndef TCA_SIM_STREAMS_H
#define TCA_SIM_STREAMS_H

#include <stddef.h>
#include <stdint.h>

#include "sim/world.h"

/* Period lengths in ticks (one tick is a minute by default): a stream lasts 4 to 8 hours, a
 * channel then stays offline 8 to 24 hours. */
#define STREAMS_LIVE_MIN 240
#define STREAMS_LIVE_SPAN 240
#define STREAMS_OFFLINE_MIN 480
#define STREAMS_OFFLINE_SPAN 960

/** Where a channel stands at one tick. */
struct stream_state {
    int live;
    int64_t since_tick;    /* the tick the current period began */
    int64_t until_tick;    /* the tick the next period begins, if nobody switches */
    int64_t started_at_ms; /* when live: the broadcast's start, wall clock */
    uint64_t stream_id;    /* when live: one number per broadcast */
};

struct streams;

/**
 * Creates the schedules of every channel of w (which must outlive it): each channel starts in
 * its world `live` state; the broadcasts already live at tick 0 began before start_ms,
 * staggered per channel. Free with streams_free.
 */
struct streams *streams_new(const struct world *w, int64_t start_ms);
/** Frees the schedules; NULL is a no-op. */
void streams_free(struct streams *st);

/**
 * The state of channel number `channel` at tick (never earlier than a tick already asked).
 * A broadcast's start time is fixed the first time it is seen: the wall time of its first tick
 * counted back from now_ms in steps of tick_ms, never after now_ms. Thread-safe.
 */
void streams_state(struct streams *st, size_t channel, int64_t tick, int64_t now_ms,
                   int64_t tick_ms, struct stream_state *out);
/**
 * Switches channel number `channel` live (live=1) or offline at tick, starting now_ms; a
 * channel already in that state is left as it is. The seeded schedule goes on from there.
 * Writes the new state to out. Thread-safe.
 */
void streams_switch(struct streams *st, size_t channel, int live, int64_t tick, int64_t now_ms,
                    int64_t tick_ms, struct stream_state *out);

#endif
