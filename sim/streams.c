/*
 * Stream schedules of the simulated channels. A channel's timeline is an anchor (a tick, the
 * state there, a period counter) followed by alternating seeded periods; a switch replaces the
 * anchor. Never reads the clock: the caller passes tick and wall time in.
 */
#include "sim/streams.h"

#include "base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>

enum { TAG_STREAM_LENGTH = 21, TAG_STREAM_ID = 22 };

/* A switch starts a fresh run of period numbers, so its schedule differs from the seeded one */
#define SWITCH_PERIODS 1000000

struct timeline {
    int64_t anchor_tick;
    int anchor_live;
    uint64_t anchor_period; /* number of the period that begins at anchor_tick */
    int64_t anchor_started; /* started_at of a broadcast live at anchor_tick; 0: not fixed */
    int64_t seen_since;     /* the broadcast whose start was fixed last, by its first tick */
    int64_t seen_started_ms;
    int seen;
};

struct streams {
    const struct world *world;
    uint64_t seed;
    size_t n;
    struct timeline *lines;
    uint64_t switches;
    pthread_mutex_t lock; /* guards lines and switches */
};

struct streams *streams_new(const struct world *w, int64_t start_ms)
{
    struct streams *st = xcalloc(1, sizeof *st);
    st->world = w;
    st->seed = world_seed(w);
    st->n = world_channel_count(w);
    st->lines = xcalloc(st->n, sizeof *st->lines);
    for (size_t i = 0; i < st->n; i++) {
        struct timeline *t = &st->lines[i];
        t->anchor_live = world_channel_at(w, i)->live;
        /* the streams on air at start went live before the simulator, staggered per channel */
        if (t->anchor_live)
            t->anchor_started = start_ms - (int64_t)(i + 1) * 37 * 60 * 1000;
    }
    pthread_mutex_init(&st->lock, NULL);
    return st;
}

void streams_free(struct streams *st)
{
    if (!st)
        return;
    pthread_mutex_destroy(&st->lock);
    free(st->lines);
    free(st);
}

static int64_t period_length(const struct streams *st, size_t channel, uint64_t period, int live)
{
    uint64_t h = world_hash(st->seed, TAG_STREAM_LENGTH, channel, period);
    return live ? STREAMS_LIVE_MIN + (int64_t)(h % STREAMS_LIVE_SPAN)
                : STREAMS_OFFLINE_MIN + (int64_t)(h % STREAMS_OFFLINE_SPAN);
}

/* Walks the periods from the anchor to the one holding tick. Caller holds the lock. */
static void locate(struct streams *st, size_t channel, int64_t tick, int64_t now_ms,
                   int64_t tick_ms, struct stream_state *out)
{
    struct timeline *t = &st->lines[channel];
    int64_t since = t->anchor_tick;
    uint64_t period = t->anchor_period;
    int live = t->anchor_live;
    int64_t len = period_length(st, channel, period, live);
    while (since + len <= tick) {
        since += len;
        period++;
        live = !live;
        len = period_length(st, channel, period, live);
    }
    out->live = live;
    out->since_tick = since;
    out->until_tick = since + len;
    out->started_at_ms = 0;
    out->stream_id = 0;
    if (!live)
        return;
    if (since == t->anchor_tick && t->anchor_started) {
        out->started_at_ms = t->anchor_started;
    } else if (t->seen && t->seen_since == since) {
        out->started_at_ms = t->seen_started_ms;
    } else {
        /* the first look at this broadcast fixes its start, so it never moves afterwards */
        int64_t back = (tick - since) * tick_ms;
        out->started_at_ms = now_ms - back;
        t->seen = 1;
        t->seen_since = since;
        t->seen_started_ms = out->started_at_ms;
    }
    out->stream_id =
        40000000000ull + world_hash(st->seed, TAG_STREAM_ID, channel, period) % 10000000000ull;
}

void streams_state(struct streams *st, size_t channel, int64_t tick, int64_t now_ms,
                   int64_t tick_ms, struct stream_state *out)
{
    pthread_mutex_lock(&st->lock);
    locate(st, channel, tick, now_ms, tick_ms, out);
    pthread_mutex_unlock(&st->lock);
}

void streams_switch(struct streams *st, size_t channel, int live, int64_t tick, int64_t now_ms,
                    int64_t tick_ms, struct stream_state *out)
{
    pthread_mutex_lock(&st->lock);
    locate(st, channel, tick, now_ms, tick_ms, out);
    if (out->live != !!live) {
        struct timeline *t = &st->lines[channel];
        st->switches++;
        t->anchor_tick = tick;
        t->anchor_live = !!live;
        t->anchor_period = st->switches * SWITCH_PERIODS;
        t->anchor_started = live ? now_ms : 0;
        locate(st, channel, tick, now_ms, tick_ms, out);
    }
    pthread_mutex_unlock(&st->lock);
}
