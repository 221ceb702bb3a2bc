/*
 * A small fixed-size string cache with expiry, shared by the gateway's threads under one
 * mutex: API-key lookups and session summaries. Bounded by construction (a key hashes to one
 * slot and replaces what was there), so a flood of keys can never grow memory.
 */
#include "web/internal.h"

#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct slot {
    char *key;
    char *value;
    int64_t expires_ms;
};

struct web_cache {
    pthread_mutex_t lock;
    struct slot *slots;
    size_t n;
};

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

struct web_cache *web_cache_new(size_t slots)
{
    struct web_cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->n = slots ? slots : 1;
    c->slots = xcalloc(c->n, sizeof *c->slots);
    return c;
}

void web_cache_free(struct web_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++) {
        free(c->slots[i].key);
        free(c->slots[i].value);
    }
    free(c->slots);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

char *web_cache_get(struct web_cache *c, const char *key, int64_t now_ms)
{
    char *out = NULL;
    struct slot *s = &c->slots[hash(key) % c->n];
    pthread_mutex_lock(&c->lock);
    if (s->key && strcmp(s->key, key) == 0 && s->expires_ms > now_ms)
        out = xstrdup(s->value);
    pthread_mutex_unlock(&c->lock);
    return out;
}

void web_cache_put(struct web_cache *c, const char *key, const char *value, int64_t expires_ms)
{
    char *k = xstrdup(key), *v = xstrdup(value);
    struct slot *s = &c->slots[hash(key) % c->n];
    pthread_mutex_lock(&c->lock);
    char *old_k = s->key, *old_v = s->value;
    s->key = k;
    s->value = v;
    s->expires_ms = expires_ms;
    pthread_mutex_unlock(&c->lock);
    free(old_k);
    free(old_v);
}

void web_cache_drop(struct web_cache *c, const char *key)
{
    char *old_k = NULL, *old_v = NULL;
    struct slot *s = &c->slots[hash(key) % c->n];
    pthread_mutex_lock(&c->lock);
    if (s->key && strcmp(s->key, key) == 0) {
        old_k = s->key;
        old_v = s->value;
        s->key = s->value = NULL;
    }
    pthread_mutex_unlock(&c->lock);
    free(old_k);
    free(old_v);
}
