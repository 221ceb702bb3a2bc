/*
 * The gateway's caches (API-key lookups, session summaries) over the kv: in-process on the
 * memory kv, shared by every gateway and analysis process on Redis, so a drop (a revoked
 * key, a written session) reaches all of them at once. A drop also holds the key off for
 * HOLD_MS, so a request that read the store just before the drop cannot put the old value
 * back. A kv failure is a cache miss: the cache must never decide anything on its own.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/xalloc.h"
#include "kv/kv.h"

#include <stdio.h>
#include <stdlib.h>

/* Longer than any store read between a miss and its put. */
#define HOLD_MS 2000

struct web_cache {
    struct kv *kv; /* not owned */
    char ns[16];
};

struct web_cache *web_cache_new(struct kv *kv, const char *ns)
{
    struct web_cache *c = xcalloc(1, sizeof *c);
    c->kv = kv;
    snprintf(c->ns, sizeof c->ns, "%s", ns);
    return c;
}

void web_cache_free(struct web_cache *c)
{
    free(c);
}

static void name_of(struct web_cache *c, const char *key, char *out, size_t len)
{
    snprintf(out, len, "%s:%s", c->ns, key);
}

char *web_cache_get(struct web_cache *c, const char *key, int64_t now_ms)
{
    char name[256];
    char *value = NULL;
    name_of(c, key, name, sizeof name);
    if (kv_cache_get(c->kv, name, &value, NULL, 0))
        return NULL;
    return value;
}

void web_cache_put(struct web_cache *c, const char *key, const char *value, int64_t expires_ms)
{
    char name[256];
    int64_t ttl = expires_ms - clock_mono_ms();
    name_of(c, key, name, sizeof name);
    if (ttl > 0)
        kv_cache_put(c->kv, name, value, ttl, NULL, 0);
}

void web_cache_drop(struct web_cache *c, const char *key)
{
    char name[256];
    name_of(c, key, name, sizeof name);
    kv_cache_drop(c->kv, name, HOLD_MS, NULL, 0);
}
