/*
 * Follower waves: many new followers of one capture whose accounts were all created within
 * hours of each other, far beyond what the channel's other reads usually hold. Ordinary
 * follows come from accounts of every age; a follow-bot wave is a batch made by one script.
 * Must never do I/O; the creation days and clusters are analysis/accounts.h's and
 * analysis/clusters.h's, not recomputed here.
 */
#ifndef TCA_AN_FOLLOWERS_H
#define TCA_AN_FOLLOWERS_H

#include <stddef.h>
#include <stdint.h>

/** A follow seen by the read beside capture seq. login is borrowed. */
struct an_follow {
    int64_t user_id;
    const char *login;
    int64_t followed_at_ms;
    int64_t created_at_ms; /* 0 when not enriched yet: takes no part in a burst */
    int64_t seq;
};

/** When a read's new followers are a wave. */
struct an_follower_rule {
    size_t min_accounts; /* a burst of at least this many accounts (default 20) */
    int64_t window_ms;   /* created within this of the burst's first (default 24 h) */
    double over_usual;   /* and at least this many times the usual burst (default 5) */
};

/** The default rule (values above). */
struct an_follower_rule an_follower_rule_default(void);

/** One read of a channel's followers. */
struct an_follower_read {
    int64_t seq;
    size_t n_new;          /* follows it stored */
    size_t known;          /* of them with a known creation time */
    size_t burst;          /* most of them created within window_ms of each other */
    int64_t burst_from_ms; /* creation of the burst's first and last accounts */
    int64_t burst_to_ms;
    int64_t median_age_ms; /* median of followed_at - created_at over the known (0: none) */
    double usual;          /* median burst of the channel's other reads */
    int wave;              /* 1 when the burst is a follower wave under the rule */
};

/**
 * Rates each read seqs[0..n_reads) of one channel (sorted ascending) from that channel's
 * follows[0..n] (any order; a follow whose seq is no read is ignored) into out[0..n_reads).
 * rule NULL uses the defaults.
 */
void an_follower_waves(const struct an_follow *follows, size_t n, const int64_t *seqs,
                       size_t n_reads, const struct an_follower_rule *rule,
                       struct an_follower_read *out);
/** 1 when follow f belongs to the wave of read r (same capture, created inside its burst). */
int an_follow_in_wave(const struct an_follower_read *r, const struct an_follow *f);

#endif
