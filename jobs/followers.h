/*
 * Followers beside a capture: when the capturing login holds moderator:read:followers, a
 * capture also reads the channel's new follows from Get Channel Followers (at most every
 * followers interval) and keeps them with the capture that read them; their creation dates
 * come from the enrichment like the chatters'. Best effort: a failure here never fails the
 * capture, and nothing here logs.
 */
#ifndef TCA_JOBS_FOLLOWERS_H
#define TCA_JOBS_FOLLOWERS_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/worker.h"
#include "store/store_followers.h"

/** A channel's first read keeps the follows of this long before it as its new followers. */
#define FOLLOWERS_LOOKBACK_MS (60 * 60 * 1000)
/** Most follows one read keeps (100 a page: 20 Helix calls of the shared budget). */
#define FOLLOWERS_READ_MAX 2000

/** What one read found, held between Twitch and the capture's commit. */
struct followers_read {
    int done;                     /* 1 when Twitch was read */
    struct store_follow *follows; /* owned; n of them */
    size_t n;
    int64_t total; /* Twitch's follower count */
    int64_t read_at_ms;
};

/**
 * Reads the new follows of channel_id with tok into *out (zeroed first) when tok holds the
 * scope and the channel's last read is at least env->followers_interval_ms old. Returns 1 when
 * Twitch was read, 0 when not due or not allowed, or a negative TCA_E* code with err filled.
 */
int followers_fetch(struct worker_env *env, struct twitch_token *tok, int64_t channel_id,
                    int64_t now_ms, struct followers_read *out, char *err, size_t errlen);
/** Stores a read beside capture seq of channel_id in session_id; a read not done is a no-op. */
int followers_store(struct worker_env *env, int64_t session_id, int64_t channel_id, int64_t seq,
                    const struct followers_read *r, int *added, char *err, size_t errlen);
/** Frees what a read holds; safe on a zeroed struct. */
void followers_read_free(struct followers_read *r);

#endif
