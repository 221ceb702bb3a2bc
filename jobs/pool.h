/*
 * A pool of worker threads (and optionally the scheduler, which also follows the live status
 * of "capture while live" channels) over one store. Each thread opens
 * its own store connection and Twitch client; the rate-limit budget in the settings is
 * shared. Stopping is graceful: a thread finishes the job it holds, then exits.
 *
 * Of all the pools that share a kv (every worker on one Redis), only the one holding the
 * "scheduler" lease runs the scheduler (and only the one holding "eventsub" the EventSub runner);
 * it renews the lease every second, and when it dies another takes over once the lease runs out
 * (leader_lease_ms).
 */
#ifndef TCA_POOL_H
#define TCA_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/sentiment.h"
#include "base/crypto.h"
#include "jobs/worker.h"
#include "kv/kv.h"
#include "twitch/twitch.h"

struct pool_options {
    const char *db_path;
    struct twitch_settings twitch; /* per thread; its strings must outlive the pool */
    const struct crypto_keys *keys;
    int workers;                   /* capture/enrich threads, >= 1 */
    int run_scheduler;             /* also turn due schedules into jobs, once a second */
    int64_t poll_ms;               /* idle wait between claims; 0: 250 */
    int64_t lease_ms;              /* see struct worker_env */
    int64_t followers_interval_ms; /* see struct worker_env */
    int max_attempts;
    struct kv *kv;           /* scheduler lease (shared on Redis); NULL: always lead */
    int64_t leader_lease_ms; /* a dead leader's lease runs out after; 0: 15000 */
    int64_t live_every_ms;   /* live checks of "capture while live" channels; 0: 30000 */
    /** EventSub WebSocket URL: a thread runs jobs/eventsub_runner.h (one process of those
     * sharing a kv, by the "eventsub" lease); NULL: no EventSub. Must outlive the pool. */
    const char *eventsub_url;
    /** The lexicon chat messages are scored with (NULL: counted, not scored); must outlive
     * the pool. */
    const struct an_lexicon *lexicon;
    struct metrics *metrics; /* the process's registry (workers, scheduler lag); NULL: none */
    /** Called from worker threads after each job (may be NULL); must be thread-safe. */
    void (*on_outcome)(void *ctx, const struct worker_outcome *o);
    /** Called from any pool thread on a store failure (may be NULL); must be thread-safe. */
    void (*on_error)(void *ctx, const char *message);
    /** Called when this pool's scheduler starts or stops leading (may be NULL). */
    void (*on_leader)(void *ctx, int leading, const char *owner);
    void *ctx;
};

struct worker_pool;

/** Starts the threads; the pool is the caller's to stop with worker_pool_stop. */
int worker_pool_start(const struct pool_options *o, struct worker_pool **out, char *err,
                      size_t errlen);
/** Asks every thread to stop after its current job, waits for them and frees the pool. */
void worker_pool_stop(struct worker_pool *p);

#endif
