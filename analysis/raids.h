/*
 * Raids: captures where a crowd arrives at once, far beyond the channel's normal arrivals and
 * a real share of its audience. Reports the surge (the raid's size), how many of the raid's
 * chatters stayed (only once that is observable) and how many belong to a bot wave. Must
 * never do I/O, and never call ordinary churn a raid.
 */
#ifndef TCA_AN_RAIDS_H
#define TCA_AN_RAIDS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/participation.h"
#include "analysis/stays.h"

/**
 * The influx rule. For capture k, the baseline is the arrival rates joined(j) / chatters(j-1)
 * of the (at most `window`) captures j just before k, leaving out capture 1 (everyone
 * "joins" there), captures after an empty one, and captures already found to be raids.
 * With fewer than min_baseline of them, k is no raid. With a = chatters(k - 1):
 *   expected(k) = median(rates) * a                  (the usual arrivals at this audience)
 *   spread(k)   = max(1.4826 * MAD(rates) * a, sqrt(expected), 1)
 *                 (a robust stddev, never below the Poisson noise of the arrivals, so a
 *                 baseline of identical counts does not make every blip a raid)
 *   surge(k)    = joined(k) - expected(k)            (the raid's size)
 * Capture k is a raid when all of:
 *   surge(k) >= min_surge                             (a crowd, not a few people)
 *   surge(k) >= min_share * a                         (a real share of the audience)
 *   surge(k) >= z * spread(k) + z^2 / 4               (far outside the usual arrivals; z^2/4
 *                                                      is the skew of counts: with spread
 *                                                      sqrt(e) the bar is (sqrt(e) + z/2)^2)
 *   new_to_channel(k) / joined(k) >= min_new_share    (mostly people new to the channel)
 * Departures never count, so an end-of-stream exodus is never a raid.
 */
struct an_raid_rule {
    size_t window;        /* default 10 */
    size_t min_baseline;  /* default 4 */
    double z;             /* default 4.0 */
    size_t min_surge;     /* default 10 */
    double min_share;     /* default 0.10 */
    double min_new_share; /* default 0.5 */
};

/** The default rule (values above). */
struct an_raid_rule an_raid_rule_default(void);

/** The windows of the stay counts, in minutes (stayed[i] is for AN_STAY_WINDOWS_MIN[i]). */
#define AN_STAY_WINDOWS 3
extern const int AN_STAY_WINDOWS_MIN[AN_STAY_WINDOWS];

/** One influx. */
struct an_raid {
    int64_t seq;
    int64_t taken_at_ms;
    size_t joined;   /* every chatter who joined at this capture, usual arrivals included */
    size_t size;     /* the surge: joined - expected, rounded (what the raid brought) */
    size_t audience; /* chatters at the capture before */
    double expected; /* the baseline median: the usual arrivals of a capture */
    double spread;   /* the baseline spread as the rule above floors it */
    size_t new_to_channel;
    double new_share; /* new_to_channel / joined */
    /* Joiners whose stay starting at this capture lasted at least 5, 15, 30 minutes
     * (taken_at of its last capture - taken_at of this one). A count is known only when its
     * window has fully passed by the channel's last capture (stayed_known[i]); until then it
     * is 0 here and must be shown as unknown, becoming observable at
     * taken_at_ms + AN_STAY_WINDOWS_MIN[i] minutes. */
    size_t stayed[AN_STAY_WINDOWS];
    int stayed_known[AN_STAY_WINDOWS];
    size_t in_wave;    /* joiners in the wave list given */
    double wave_share; /* in_wave / joined */
};

/** The raids of one channel; owns raids (by seq). */
struct an_raids {
    struct an_raid *raids;
    size_t n;
};

/**
 * Finds the raids of ch, whose participation p was computed by an_participation (its
 * series gives joined and new_to_channel). wave_ids (sorted, may be NULL when n_wave is 0)
 * are accounts in a bot wave, e.g. the members of an_clusters. rule NULL uses the
 * defaults. Returns 0 or TCA_EINVAL (p does not match ch). Free out with an_raids_free.
 */
int an_raids(const struct an_channel *ch, const struct an_participation *p,
             const struct an_raid_rule *rule, const int64_t *wave_ids, size_t n_wave,
             struct an_raids *out, char *err, size_t errlen);
/** Frees the raids; safe on a zeroed struct. */
void an_raids_free(struct an_raids *r);

#endif
