/*
 * Raids: captures where a crowd of chatters, mostly new to the channel, arrives at once,
 * measured against the running baseline of the captures before. Reports how many of the
 * raid's chatters stayed and how many belong to a bot wave. Must never do I/O.
 */
#ifndef TCA_AN_RAIDS_H
#define TCA_AN_RAIDS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/participation.h"
#include "analysis/stays.h"

/**
 * The influx rule. For capture k >= 2, the baseline is the joined counts of the (at most
 * `window`) captures just before k, leaving out capture 1 (everyone "joins" there) and
 * captures already found to be influxes. Capture k is an influx when the baseline has at
 * least min_baseline captures and
 *   joined(k) >= max(min_joined, mean + z * stddev)   (population stddev of the baseline)
 *   new_to_channel(k) / joined(k) >= min_new_share.
 */
struct an_raid_rule {
    size_t window;        /* default 10 */
    size_t min_baseline;  /* default 3 */
    double z;             /* default 3.0 */
    size_t min_joined;    /* default 10 */
    double min_new_share; /* default 0.5 */
};

/** The default rule (values above). */
struct an_raid_rule an_raid_rule_default(void);

/** One influx. */
struct an_raid {
    int64_t seq;
    int64_t taken_at_ms;
    size_t joined; /* the raid's size: chatters who joined at this capture */
    size_t new_to_channel;
    double new_share; /* new_to_channel / joined */
    double baseline_mean;
    double baseline_stddev;
    /* Joiners whose stay starting at this capture lasted at least 5, 15, 30 minutes
     * (taken_at of its last capture - taken_at of this one; open stays end at the last
     * capture, so a raid near the end cannot show long stays yet). */
    size_t stayed_5m;
    size_t stayed_15m;
    size_t stayed_30m;
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
