/*
 * Internal to sim/: who follows a simulated channel at a tick. A quarter of a channel's own
 * viewers follow it, most before tick 0 and the rest one by one over the next 400 ticks;
 * the seed's follow-bot wave (world_follow_wave) follows its channel in a burst of two
 * ticks. Lists are a pure function of (seed, channel, tick); the last one per channel is
 * cached because a capture pages through the same tick. Never reads the clock itself: the
 * time of tick 0 and the tick length are given.
 */
#ifndef TCA_SIM_FOLLOWERS_H
#define TCA_SIM_FOLLOWERS_H

#include "sim/world.h"

#include <stddef.h>
#include <stdint.h>

/** A follow: who, and when (Unix ms). */
struct follow {
    int64_t user_id;
    int64_t at_ms;
};

/** One channel's followers at a tick, newest first (as Twitch lists them). Shared, read-only. */
struct follower_list {
    size_t channel;
    int64_t tick;
    struct follow *follows;
    size_t n;
    int refs;
};

struct followers;

/** A follower model over w (borrowed); tick t happens at start_ms + t * tick_ms. */
struct followers *followers_new(const struct world *w, int64_t start_ms, int64_t tick_ms);
/** Frees the model; NULL is a no-op. */
void followers_free(struct followers *f);
/** The followers of channel index ch at tick; release with followers_release. */
struct follower_list *followers_get(struct followers *f, size_t ch, int64_t tick);
/** Gives a list back. */
void followers_release(struct followers *f, struct follower_list *l);
/** The tick user_id followed channel ch, or INT64_MIN when it never does. */
int64_t followers_tick_of(const struct followers *f, size_t ch, int64_t user_id);

#endif
