/*
 * Who is in a simulated channel's chat at a tick: regulars who are there most ticks, casual
 * viewers who come and go, regulars shared between cozy, big and huge, and raid_channel's
 * scripted raid and bot wave. A pure function of (seed, channel, tick); the sorted list of
 * recent ticks is cached per channel, thread-safe. Never reads the clock.
 */
#ifndef TCA_SIM_AUDIENCE_H
#define TCA_SIM_AUDIENCE_H

#include <stddef.h>
#include <stdint.h>

#include "sim/world.h"

/** The chatters of one channel at one tick, sorted ascending and unique. Read-only. */
struct audience_snapshot {
    int64_t tick;
    size_t channel;
    size_t n;
    int64_t *ids;
    int refs; /* private: holders, the cache included */
};

/** A scripted event of a channel; its users are the ids [first_id, first_id + size). */
struct audience_event {
    const char *kind; /* "raid" or "bot_wave" */
    int64_t tick;
    int size;
    int64_t first_id;
    const char *created_on; /* bot_wave: the day all its accounts were created; else NULL */
};

struct audience;

/** Creates the model over w (which must outlive it). Free with audience_free. */
struct audience *audience_new(struct world *w);
/** Frees the model and its cache; every snapshot must have been released. NULL: no-op. */
void audience_free(struct audience *a);

/**
 * The chatters of channel index `channel` at tick (>= 0). The caller holds a reference and
 * gives it back with audience_release; concurrent callers share one computation.
 */
struct audience_snapshot *audience_get(struct audience *a, size_t channel, int64_t tick);
/** Gives back a snapshot from audience_get; NULL is a no-op. */
void audience_release(struct audience *a, struct audience_snapshot *s);

/** Computes the chatters at tick into a new array (caller frees); no cache. Returns count. */
size_t audience_compute(const struct world *w, size_t channel, int64_t tick, int64_t **ids);

/** The scripted events of a channel; returns their count and writes at most max. */
size_t audience_events(const struct world *w, size_t channel, struct audience_event *out,
                       size_t max);

#endif
