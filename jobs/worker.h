/*
 * The worker: claims jobs from the durable queue in the store and runs them. A capture job
 * fetches every page of Get Chatters, diffs it against the open stays and commits the capture
 * and the job's completion in one transaction, then queues the enrichment of new chatters.
 * An enrichment job fills profiles (account creation date, type) and records renames. A
 * validate job checks a user's tokens with Twitch, as Twitch asks at start-up and hourly.
 *
 * One `struct worker_env` per thread: it holds that thread's store connection and Twitch
 * client. Nothing here logs; outcomes are returned in struct worker_outcome.
 */
#ifndef TCA_WORKER_H
#define TCA_WORKER_H

#include <stddef.h>
#include <stdint.h>

#include "base/clock.h"
#include "base/crypto.h"
#include "base/metrics.h"
#include "store/store.h"
#include "twitch/twitch.h"

struct worker_env {
    struct store *st;         /* this thread's connection */
    struct twitch_client *tw; /* this thread's client */
    const struct crypto_keys *keys;
    struct clock clock;
    int64_t lease_ms;           /* how long a claimed job is ours; 0: 120000 */
    int max_attempts;           /* then the job is dead-lettered; 0: 5 */
    int64_t profile_max_age_ms; /* profiles older than this are enriched again; 0: 7 days */
    struct metrics *metrics;    /* jobs, captures and enrichment are counted here; NULL: not */
    int64_t
        followers_interval_ms; /* a channel's followers read at most this often; 0: each capture */
};

/** What one call of worker_run_one did, for the caller to log or print. */
struct worker_outcome {
    int64_t job_id;
    char kind[16];
    int state;                           /* enum store_job_state after the run */
    struct store_capture_result capture; /* for capture jobs that succeeded */
    int64_t channel_id;
    int pages;
    int64_t duration_ms;
    int enriched; /* profiles stored, for enrich jobs */
    int renames;
    char error[256]; /* why it failed or will be retried */
};

/**
 * Claims one due job and runs it. Returns 1 when a job ran (whatever its outcome, in *out),
 * 0 when none was due, or a negative code when the store itself failed.
 */
int worker_run_one(struct worker_env *env, struct worker_outcome *out, char *err, size_t errlen);

/** The lease a claimed job gets (env->lease_ms or the default). */
int64_t worker_lease_ms(const struct worker_env *env);

/** The dedupe key that keeps two captures of one channel of a session apart. */
void worker_capture_key(int64_t session_id, int64_t channel_id, char *out, size_t outlen);
/** Queues a capture now; TCA_ECONFLICT (with *job_id set) if one is already queued or running. */
int worker_enqueue_capture(struct store *st, int64_t session_id, int64_t channel_id,
                           int64_t user_id, int64_t now_ms, int64_t *job_id, char *err,
                           size_t errlen);
/** Queues a validation of user_id's tokens with Twitch (deduplicated per user). */
int worker_enqueue_validate(struct store *st, int64_t user_id, int64_t now_ms, char *err,
                            size_t errlen);
/** Queues the enrichment of a session's chatters (deduplicated per session). */
int worker_enqueue_enrich(struct store *st, int64_t session_id, int64_t user_id, int64_t now_ms,
                          int64_t *job_id, char *err, size_t errlen);

#endif
