/*
 * The gateway's caches (API-key lookups, session summaries) over the kv: in-process on the
 * memory kv, shared by every gateway and analysis process on Redis, so a drop (a revoked
 * key, a written session) reaches all of them at once. A drop also holds the key off for
 * HOLD_MS, so a request that read the store just before the drop cannot put the old value
 * back. A kv failure is a cache miss: the cache must never decide anything on its own.
 *
 * A cache made with a near time also keeps what it read or wrote in this process for that
 * long, so a hot key costs no kv round trip (on Redis, one round trip was most of the cost of
 * a cached summary: 10-15k instead of 30-48k requests/s). The price: a drop made by another
 * process reaches this one only after the near time. Never give one to a cache whose drop
 * must be seen at once everywhere (API keys: a revoked key is refused on the next request).
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/xalloc.h"
#include "kv/kv.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longer than any store read between a miss and its put. */
#define HOLD_MS 2000
/* Near entries: a fixed table, a key evicts whatever hashed to its slot (memory bounded). */
#define NEAR_SLOTS 1024

struct near {
    char *key, *value;           /* owned; value NULL for a drop's hold */
    int64_t expires_ms, hold_ms; /* monotonic */
};

struct web_cache {
    struct kv *kv; /* not owned */
    char ns[16];
    int64_t near_ms; /* 0: no near copies */
    pthread_mutex_t lock;
    struct near *near; /* NEAR_SLOTS when near_ms > 0 */
};

struct web_cache *web_cache_new(struct kv *kv, const char *ns, int64_t near_ms)
{
    struct web_cache *c = xcalloc(1, sizeof *c);
    c->kv = kv;
    snprintf(c->ns, sizeof c->ns, "%s", ns);
    c->near_ms = near_ms > 0 ? near_ms : 0;
    pthread_mutex_init(&c->lock, NULL);
    if (c->near_ms)
        c->near = xcalloc(NEAR_SLOTS, sizeof *c->near);
    return c;
}

static void near_clear(struct near *n)
{
    free(n->key);
    free(n->value);
    memset(n, 0, sizeof *n);
}

void web_cache_free(struct web_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; c->near && i < NEAR_SLOTS; i++)
        near_clear(&c->near[i]);
    free(c->near);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

static void name_of(struct web_cache *c, const char *key, char *out, size_t len)
{
    snprintf(out, len, "%s:%s", c->ns, key);
}

static struct near *slot(struct web_cache *c, const char *name)
{
    size_t h = 1469598103934665603ULL; /* FNV-1a */
    for (const char *p = name; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return &c->near[h % NEAR_SLOTS];
}

/* The near copy of name, or NULL (the caller's to free). */
static char *near_get(struct web_cache *c, const char *name, int64_t now)
{
    char *value = NULL;
    if (!c->near)
        return NULL;
    pthread_mutex_lock(&c->lock);
    struct near *n = slot(c, name);
    if (n->key && n->value && strcmp(n->key, name) == 0 && n->expires_ms > now)
        value = xstrdup(n->value);
    pthread_mutex_unlock(&c->lock);
    return value;
}

/* Keeps value near until expires (a recent drop of name in this process refuses it). */
static void near_put(struct web_cache *c, const char *name, const char *value, int64_t expires,
                     int64_t now)
{
    if (!c->near)
        return;
    char *k = xstrdup(name), *v = xstrdup(value);
    pthread_mutex_lock(&c->lock);
    struct near *n = slot(c, name);
    struct near old = {0};
    if (!(n->key && strcmp(n->key, name) == 0 && n->hold_ms > now)) {
        old = *n;
        *n = (struct near){.key = k, .value = v, .expires_ms = expires};
        k = v = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    near_clear(&old);
    free(k);
    free(v);
}

char *web_cache_get(struct web_cache *c, const char *key, int64_t now_ms)
{
    char name[256];
    char *value = NULL;
    name_of(c, key, name, sizeof name);
    int64_t now = clock_mono_ms();
    if ((value = near_get(c, name, now)))
        return value;
    if (kv_cache_get(c->kv, name, &value, NULL, 0))
        return NULL;
    near_put(c, name, value, now + c->near_ms, now);
    return value;
}

void web_cache_put(struct web_cache *c, const char *key, const char *value, int64_t expires_ms)
{
    char name[256];
    int64_t now = clock_mono_ms();
    int64_t ttl = expires_ms - now;
    name_of(c, key, name, sizeof name);
    if (ttl <= 0)
        return;
    kv_cache_put(c->kv, name, value, ttl, NULL, 0);
    near_put(c, name, value, now + (ttl < c->near_ms ? ttl : c->near_ms), now);
}

void web_cache_drop(struct web_cache *c, const char *key)
{
    char name[256];
    name_of(c, key, name, sizeof name);
    if (c->near) {
        int64_t now = clock_mono_ms();
        char *k = xstrdup(name);
        pthread_mutex_lock(&c->lock);
        struct near *n = slot(c, name);
        struct near old = *n;
        *n = (struct near){.key = k, .hold_ms = now + HOLD_MS};
        pthread_mutex_unlock(&c->lock);
        near_clear(&old);
    }
    kv_cache_drop(c->kv, name, HOLD_MS, NULL, 0);
}
