/*
 * The Helix rate-limit budget: a token bucket per token, kept as Twitch reports it in
 * Ratelimit-Limit/Remaining/Reset and spent one point per request before it is sent. The
 * buckets live in a kv: in-process (memory) or shared by every worker of every machine
 * (Redis), so N workers on one token draw from one bucket. Must never overdraw a bucket,
 * never keep a token (buckets are keyed by a hash), and never stop capturing because the kv
 * is down: then requests go unbudgeted and Twitch's 429 (waited out in client.c) is the net.
 */
#include "twitch/internal.h"
#include "base/xalloc.h"
#include "kv/kv.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* The few buckets this process saw, for twitch_budget_remaining (metrics only). */
#define SEEN_MAX 64

struct seen {
    uint64_t key;
    long left;
};

struct twitch_budget {
    struct kv *kv;     /* shared, or own_kv */
    struct kv *own_kv; /* owned; NULL when the kv was given */
    struct clock clock;
    pthread_mutex_t lock; /* guards seen */
    struct seen seen[SEEN_MAX];
    size_t n_seen;
};

uint64_t budget_key(const char *token)
{
    /* FNV-1a: the key only has to spread tokens over buckets; it cannot give the token back */
    uint64_t h = 1469598103934665603ULL;
    for (; *token; token++)
        h = (h ^ (unsigned char)*token) * 1099511628211ULL;
    return h ? h : 1;
}

struct twitch_budget *twitch_budget_new_kv(struct kv *kv, struct clock clock)
{
    struct twitch_budget *b = xcalloc(1, sizeof *b);
    pthread_mutex_init(&b->lock, NULL);
    b->clock = clock;
    b->kv = kv ? kv : (b->own_kv = kv_memory_new());
    return b;
}

struct twitch_budget *twitch_budget_new(struct clock clock)
{
    return twitch_budget_new_kv(NULL, clock);
}

void twitch_budget_free(struct twitch_budget *b)
{
    if (!b)
        return;
    pthread_mutex_destroy(&b->lock);
    kv_close(b->own_kv);
    free(b);
}

long twitch_budget_remaining(struct twitch_budget *b)
{
    pthread_mutex_lock(&b->lock);
    long r = -1;
    for (size_t i = 0; i < b->n_seen; i++)
        if (r < 0 || b->seen[i].left < r)
            r = b->seen[i].left;
    pthread_mutex_unlock(&b->lock);
    return r;
}

static void name_of(uint64_t key, char out[24])
{
    snprintf(out, 24, "%016" PRIx64, key);
}

void budget_take(struct twitch_budget *b, uint64_t key)
{
    char name[24];
    name_of(key, name);
    for (;;) {
        int64_t wait = 0;
        if (kv_budget_take(b->kv, name, b->clock.now_ms(b->clock.ctx), &wait, NULL, 0) || wait <= 0)
            return;
        b->clock.sleep_ms(b->clock.ctx, wait);
    }
}

static void remember(struct twitch_budget *b, uint64_t key, long left)
{
    pthread_mutex_lock(&b->lock);
    size_t i = 0;
    while (i < b->n_seen && b->seen[i].key != key)
        i++;
    if (i == b->n_seen && b->n_seen < SEEN_MAX)
        b->n_seen++;
    if (i < b->n_seen)
        b->seen[i] = (struct seen){key, left};
    pthread_mutex_unlock(&b->lock);
}

void budget_update(struct twitch_budget *b, uint64_t key, long limit, long remaining,
                   int64_t reset_s)
{
    char name[24];
    long left = remaining;
    if (remaining < 0)
        return;
    name_of(key, name);
    if (kv_budget_update(b->kv, name, limit, remaining, reset_s >= 0 ? reset_s * 1000 : -1,
                         b->clock.now_ms(b->clock.ctx), &left, NULL, 0) == 0)
        remember(b, key, left);
}
