/*
 * The audience model. Each user's presence is decided from hashes of (seed, channel, user,
 * time bucket), so any tick can be computed without history, and walking the id ranges in
 * ascending order yields a sorted list with no sort: a 100,000-chatter tick takes a few ms.
 * The cache keeps the last two ticks per channel because a pagination pins the tick of its
 * first page while the clock moves on. Must never depend on request order or the clock.
 */
#include "sim/audience.h"

#include "base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define CACHE_SLOTS 2

enum {
    TAG_REGULAR = 11,
    TAG_CASUAL = 12,
    TAG_SHARED = 13,
    TAG_RAID = 14,
    TAG_PHASE = 15,
    TAG_LURKER = 16
};

#define MAX_EVENTS 4
#define LURKER_PERCENT 80 /* a lurker bot sits in this share of the channels */

struct channel_cache {
    pthread_mutex_t lock;
    struct audience_snapshot *slots[CACHE_SLOTS];
    size_t next; /* the slot to evict next */
};

struct audience {
    struct world *world;
    struct channel_cache *caches;
    size_t n;
};

/* A regular is away for whole blocks, so its absences are runs, not flicker. */
static int regular_present(uint64_t seed, uint64_t channel, int64_t id, int64_t tick)
{
    uint64_t phase = world_hash(seed, TAG_PHASE, (uint64_t)id, channel) % WORLD_BLOCK;
    uint64_t block = ((uint64_t)tick + phase) / WORLD_BLOCK;
    return world_hash(seed, TAG_REGULAR ^ (channel << 8), (uint64_t)id, block) % 100 >=
           WORLD_AWAY_PERCENT;
}

/* A casual viewer makes one visit per epoch; epochs are shifted per user so arrivals and
 * departures spread evenly over ticks. */
static int casual_present(uint64_t seed, uint64_t channel, int64_t id, int64_t tick)
{
    uint64_t phase = world_hash(seed, TAG_PHASE, (uint64_t)id, channel) % WORLD_EPOCH;
    uint64_t t = (uint64_t)tick + phase;
    uint64_t r = world_hash(seed, TAG_CASUAL ^ (channel << 8), (uint64_t)id, t / WORLD_EPOCH);
    uint64_t pos = t % WORLD_EPOCH;
    uint64_t start = r % WORLD_EPOCH;
    uint64_t len = WORLD_VISIT_MIN + (r >> 20) % (WORLD_VISIT_MAX - WORLD_VISIT_MIN + 1);
    return pos >= start && pos < start + len;
}

static int raider_stay(uint64_t seed, int64_t id)
{
    uint64_t h = world_hash(seed, TAG_RAID, (uint64_t)id, 0);
    /* most raiders leave within 1-4 ticks; a fifth stays for good */
    return h % 100 < 80 ? 1 + (int)((h >> 8) % 4) : 1 << 30;
}

struct idlist {
    int64_t *ids;
    size_t n, cap;
};

static void push(struct idlist *l, int64_t id)
{
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->ids = xreallocarray(l->ids, l->cap, sizeof *l->ids);
    }
    l->ids[l->n++] = id;
}

size_t audience_compute(const struct world *w, size_t channel, int64_t tick, int64_t **ids)
{
    const struct world_channel *c = world_channel_at(w, channel);
    uint64_t seed = world_seed(w);
    struct idlist l = {0};
    l.cap = (size_t)c->nominal + c->nominal / 4 + 64;
    l.ids = xmalloc(l.cap * sizeof *l.ids);
    if (c->shared_percent > 0)
        for (int64_t id = WORLD_SHARED_BASE; id < WORLD_SHARED_BASE + WORLD_SHARED_SIZE; id++)
            if (world_hash(seed, TAG_SHARED, (uint64_t)id, 0) % 100 < (uint64_t)c->shared_percent &&
                regular_present(seed, channel, id, tick))
                push(&l, id);
    /* lurker bots never leave the channels they sit in */
    for (int64_t id = WORLD_LURKER_BASE; id < WORLD_LURKER_BASE + world_options(w)->lurker_bots;
         id++)
        if (world_hash(seed, TAG_LURKER, (uint64_t)id, channel) % 100 < LURKER_PERCENT)
            push(&l, id);
    struct audience_event ev[MAX_EVENTS];
    size_t n_ev = audience_events(w, channel, ev, MAX_EVENTS);
    for (size_t e = 0; e < n_ev; e++) {
        if (tick < ev[e].tick)
            continue;
        for (int64_t id = ev[e].first_id; id < ev[e].first_id + ev[e].size; id++) {
            int stay = strcmp(ev[e].kind, "raid") == 0 ? raider_stay(seed, id) : 30;
            if (tick < ev[e].tick + stay)
                push(&l, id);
        }
    }
    for (int k = 0; k < c->pool_size; k++) {
        int64_t id = c->pool_base + k;
        int in = k < c->regulars ? regular_present(seed, channel, id, tick)
                                 : casual_present(seed, channel, id, tick);
        if (in)
            push(&l, id);
    }
    *ids = l.ids;
    return l.n;
}

size_t audience_events(const struct world *w, size_t channel, struct audience_event *out,
                       size_t max)
{
    const char *login = world_channel_at(w, channel)->login;
    struct audience_event ev[MAX_EVENTS];
    size_t n = 0;
    if (strcmp(login, "raid_channel") == 0) {
        ev[n++] = (struct audience_event){"raid", WORLD_RAID_TICK, WORLD_RAID_SIZE, WORLD_RAID_BASE,
                                          NULL};
        ev[n++] = (struct audience_event){"bot_wave", WORLD_BOT_TICK, WORLD_BOT_SIZE,
                                          WORLD_BOT_BASE, WORLD_BOT_CREATED_ON};
    }
    /* ids ascend with the events, so the audience stays sorted */
    if (world_options(w)->bot_shapes && strcmp(login, WORLD_BURST_CHANNEL) == 0)
        ev[n++] = (struct audience_event){"bot_wave", WORLD_BURST_TICK, WORLD_BURST_SIZE,
                                          WORLD_BURST_BASE, "2025-09-02"};
    if (world_options(w)->bot_shapes && strcmp(login, WORLD_DRIP_CHANNEL) == 0)
        ev[n++] = (struct audience_event){"bot_wave", WORLD_DRIP_TICK, WORLD_DRIP_SIZE,
                                          WORLD_DRIP_BASE, NULL};
    for (size_t i = 0; i < n && i < max; i++)
        out[i] = ev[i];
    return n;
}

struct audience *audience_new(struct world *w)
{
    struct audience *a = xcalloc(1, sizeof *a);
    a->world = w;
    a->n = world_channel_count(w);
    a->caches = xcalloc(a->n, sizeof *a->caches);
    for (size_t i = 0; i < a->n; i++)
        pthread_mutex_init(&a->caches[i].lock, NULL);
    return a;
}

static void snapshot_free(struct audience_snapshot *s)
{
    free(s->ids);
    free(s);
}

void audience_free(struct audience *a)
{
    if (!a)
        return;
    for (size_t i = 0; i < a->n; i++) {
        for (size_t k = 0; k < CACHE_SLOTS; k++)
            if (a->caches[i].slots[k])
                snapshot_free(a->caches[i].slots[k]);
        pthread_mutex_destroy(&a->caches[i].lock);
    }
    free(a->caches);
    free(a);
}

struct audience_snapshot *audience_get(struct audience *a, size_t channel, int64_t tick)
{
    struct channel_cache *cc = &a->caches[channel];
    /* computing under the channel's lock makes concurrent pollers of a tick wait for one
     * computation instead of each doing it */
    pthread_mutex_lock(&cc->lock);
    for (size_t k = 0; k < CACHE_SLOTS; k++) {
        struct audience_snapshot *s = cc->slots[k];
        if (s && s->tick == tick) {
            s->refs++;
            pthread_mutex_unlock(&cc->lock);
            return s;
        }
    }
    struct audience_snapshot *s = xcalloc(1, sizeof *s);
    s->tick = tick;
    s->channel = channel;
    s->n = audience_compute(a->world, channel, tick, &s->ids);
    s->refs = 2; /* the cache and the caller */
    struct audience_snapshot *old = cc->slots[cc->next];
    cc->slots[cc->next] = s;
    cc->next = (cc->next + 1) % CACHE_SLOTS;
    if (old && --old->refs == 0)
        snapshot_free(old);
    pthread_mutex_unlock(&cc->lock);
    return s;
}

void audience_release(struct audience *a, struct audience_snapshot *s)
{
    if (!s)
        return;
    struct channel_cache *cc = &a->caches[s->channel];
    pthread_mutex_lock(&cc->lock);
    int last = --s->refs == 0;
    pthread_mutex_unlock(&cc->lock);
    if (last)
        snapshot_free(s);
}
