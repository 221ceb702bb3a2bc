/*
 * Request rate limits: a token bucket per client (an IP address or an API key), refilled at
 * per_minute / 60 tokens a second up to burst. A fixed table of buckets under one mutex:
 * clients hash to a slot and a newcomer takes over a slot idle long enough to be full, so
 * memory stays bounded whatever the number of clients. Never sleeps: it answers how long to
 * wait, and the router replies 429 with Retry-After.
 */
#include "web/internal.h"

#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 8192

struct bucket {
    char who[72];
    double tokens;
    int64_t at_ms;
};

struct web_ratelimit {
    pthread_mutex_t lock;
    double per_ms; /* tokens added per millisecond */
    double burst;
    struct bucket *b;
};

struct web_ratelimit *web_ratelimit_new(int per_minute, int burst)
{
    struct web_ratelimit *l = xcalloc(1, sizeof *l);
    pthread_mutex_init(&l->lock, NULL);
    l->per_ms = per_minute / 60000.0;
    l->burst = burst > 0 ? burst : 1;
    if (per_minute > 0)
        l->b = xcalloc(SLOTS, sizeof *l->b);
    return l;
}

void web_ratelimit_free(struct web_ratelimit *l)
{
    if (!l)
        return;
    pthread_mutex_destroy(&l->lock);
    free(l->b);
    free(l);
}

static size_t slot(const char *who)
{
    size_t h = 1469598103934665603ULL;
    for (; *who; who++)
        h = (h ^ (unsigned char)*who) * 1099511628211ULL;
    return h % SLOTS;
}

int web_ratelimit_take(struct web_ratelimit *l, const char *who, int64_t now_ms)
{
    if (!l->b)
        return 0;
    int wait = 0;
    struct bucket *b = &l->b[slot(who)];
    pthread_mutex_lock(&l->lock);
    if (strncmp(b->who, who, sizeof b->who - 1) != 0) {
        /* a collision: the old client's bucket goes if it would be full by now, else the
         * newcomer shares its budget (stricter, never looser) */
        double refill = b->tokens + (double)(now_ms - b->at_ms) * l->per_ms;
        if (b->who[0] == 0 || refill >= l->burst) {
            snprintf(b->who, sizeof b->who, "%s", who);
            b->tokens = l->burst;
            b->at_ms = now_ms;
        }
    }
    b->tokens += (double)(now_ms - b->at_ms) * l->per_ms;
    if (b->tokens > l->burst)
        b->tokens = l->burst;
    b->at_ms = now_ms;
    if (b->tokens >= 1.0) {
        b->tokens -= 1.0;
    } else {
        double ms = (1.0 - b->tokens) / l->per_ms;
        wait = (int)(ms / 1000.0) + 1;
    }
    pthread_mutex_unlock(&l->lock);
    return wait;
}
