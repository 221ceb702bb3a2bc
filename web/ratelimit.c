/*
 * Request rate limits: a token bucket per client (an IP address or an API key), refilled at
 * per_minute / 60 tokens a second up to burst, kept in the kv: per process on the memory kv
 * (bounded slots), shared by every gateway on Redis. Never sleeps: it answers how long to
 * wait, and the router replies 429 with Retry-After. A kv failure lets the request through:
 * the limit protects the service, it must not take it down with Redis.
 */
#include "web/internal.h"

#include "base/xalloc.h"
#include "kv/kv.h"

#include <stdio.h>
#include <stdlib.h>

struct web_ratelimit {
    struct kv *kv; /* not owned */
    int per_minute, burst;
};

struct web_ratelimit *web_ratelimit_new(struct kv *kv, int per_minute, int burst)
{
    struct web_ratelimit *l = xcalloc(1, sizeof *l);
    l->kv = kv;
    l->per_minute = per_minute;
    l->burst = burst > 0 ? burst : 1;
    return l;
}

void web_ratelimit_free(struct web_ratelimit *l)
{
    free(l);
}

int web_ratelimit_take(struct web_ratelimit *l, const char *who, int64_t now_ms)
{
    char name[128];
    int64_t wait = 0;
    if (l->per_minute <= 0)
        return 0;
    snprintf(name, sizeof name, "http:%s", who);
    if (kv_rate_take(l->kv, name, l->per_minute, l->burst, now_ms, &wait, NULL, 0) || wait <= 0)
        return 0;
    return (int)(wait / 1000) + 1;
}
