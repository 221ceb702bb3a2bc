/*
 * The Helix rate-limit budget of a process: a token bucket per token, kept as Twitch
 * reports it in Ratelimit-Limit/Remaining/Reset, and spent one point per request before it
 * is sent. Thread-safe (one mutex). Must never overdraw a bucket, never sleep while holding
 * the mutex, and never keep a token: buckets are keyed by a hash.
 */
#include "twitch/internal.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>

/* A bucket whose reset passed this long ago tells nothing more; its slot is reused. */
#define STALE_MS (10 * 60 * 1000)
/* Twitch windows are a minute: never wait longer than this for one reset. */
#define RESET_MAX_MS 65000

struct bucket {
    uint64_t key;
    long limit;
    long remaining;
    int64_t reset_ms;
};

struct twitch_budget {
    pthread_mutex_t lock;
    struct clock clock;
    struct bucket *buckets;
    size_t n, cap;
};

uint64_t budget_key(const char *token)
{
    /* FNV-1a: the key only has to spread tokens over buckets, in memory. */
    uint64_t h = 1469598103934665603ULL;
    for (; *token; token++)
        h = (h ^ (unsigned char)*token) * 1099511628211ULL;
    return h ? h : 1;
}

struct twitch_budget *twitch_budget_new(struct clock clock)
{
    struct twitch_budget *b = xcalloc(1, sizeof *b);
    pthread_mutex_init(&b->lock, NULL);
    b->clock = clock;
    return b;
}

void twitch_budget_free(struct twitch_budget *b)
{
    if (!b)
        return;
    pthread_mutex_destroy(&b->lock);
    free(b->buckets);
    free(b);
}

long twitch_budget_remaining(struct twitch_budget *b)
{
    pthread_mutex_lock(&b->lock);
    long r = -1;
    for (size_t i = 0; i < b->n; i++)
        if (r < 0 || b->buckets[i].remaining < r)
            r = b->buckets[i].remaining;
    pthread_mutex_unlock(&b->lock);
    return r;
}

static struct bucket *find(struct twitch_budget *b, uint64_t key)
{
    for (size_t i = 0; i < b->n; i++)
        if (b->buckets[i].key == key)
            return &b->buckets[i];
    return NULL;
}

/* A bucket whose reset time has come is full again. */
static void refill(struct bucket *k, int64_t now)
{
    if (k->remaining < k->limit && k->reset_ms <= now)
        k->remaining = k->limit;
}

void budget_take(struct twitch_budget *b, uint64_t key)
{
    pthread_mutex_lock(&b->lock);
    for (;;) {
        struct bucket *k = find(b, key);
        if (!k)
            break; /* never heard of: the first answer will tell */
        int64_t now = b->clock.now_ms(b->clock.ctx);
        refill(k, now);
        if (k->remaining > 0) {
            k->remaining--;
            break;
        }
        int64_t wait = k->reset_ms - now;
        if (wait <= 0) {
            /* Twitch said empty but gave no usable reset: assume a one-second refill. */
            k->reset_ms = now + 1000;
            wait = 1000;
        }
        pthread_mutex_unlock(&b->lock);
        b->clock.sleep_ms(b->clock.ctx, wait);
        pthread_mutex_lock(&b->lock);
    }
    pthread_mutex_unlock(&b->lock);
}

void budget_update(struct twitch_budget *b, uint64_t key, long limit, long remaining,
                   int64_t reset_s)
{
    if (remaining < 0)
        return;
    pthread_mutex_lock(&b->lock);
    int64_t now = b->clock.now_ms(b->clock.ctx);
    struct bucket *k = find(b, key);
    if (!k) {
        for (size_t i = 0; i < b->n && !k; i++)
            if (b->buckets[i].reset_ms + STALE_MS < now)
                k = &b->buckets[i];
        if (!k) {
            if (b->n == b->cap) {
                b->cap = b->cap ? b->cap * 2 : 8;
                b->buckets = xreallocarray(b->buckets, b->cap, sizeof *b->buckets);
            }
            k = &b->buckets[b->n++];
        }
        k->key = key;
        k->limit = 0;
        k->remaining = remaining;
        k->reset_ms = 0;
    }
    if (limit > 0)
        k->limit = limit;
    else if (k->limit < remaining)
        k->limit = remaining;
    /*
     * Answers of concurrent requests arrive out of order; Twitch's count only goes down
     * until the reset, so keep the lower of ours (already spent in-flight) and theirs.
     */
    int64_t reset_ms = reset_s >= 0 ? reset_s * 1000 : k->reset_ms;
    if (reset_s >= 0 && reset_ms > now + RESET_MAX_MS)
        reset_ms = now + RESET_MAX_MS; /* further than a window is clock skew, not a plan */
    if (reset_ms > k->reset_ms)
        k->remaining = remaining; /* a new window */
    else if (remaining < k->remaining)
        k->remaining = remaining;
    if (reset_s >= 0)
        k->reset_ms = reset_ms;
    pthread_mutex_unlock(&b->lock);
}
