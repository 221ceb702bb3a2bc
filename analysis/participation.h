/*
 * Participation: how many chatters a channel had at each capture, who joined and left, how
 * long each chatter stayed, and how much of the stream they saw. Computed from stays only,
 * never from per-capture chatter lists, so a 10-hour stream costs its stays, not its
 * captures x chatters. Must never do I/O or keep state between calls.
 */
#ifndef TCA_AN_PARTICIPATION_H
#define TCA_AN_PARTICIPATION_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/stays.h"

/** Buckets of time present: [0,1m) [1m,5m) [5m,15m) [15m,30m) [30m,1h) [1h,2h) [2h,4h) [4h,+inf).
 */
#define AN_TIME_BUCKETS 8
/** Retention levels: present at >= 25%, 50%, 75%, 100% of the captures. */
#define AN_RETENTION_LEVELS 4

/** One point of the per-capture series, ready to chart. */
struct an_capture_stat {
    int64_t seq;
    int64_t taken_at_ms;
    size_t chatters;       /* present at this capture */
    size_t joined;         /* present now, not at the previous capture (everyone at seq 1) */
    size_t left;           /* present at the previous capture, not now (0 at seq 1) */
    size_t new_to_channel; /* joined and never seen in the channel before (see an_participation) */
    double churn;          /* left / chatters at the previous capture; 0 when that is 0 */
};

/** One chatter's presence, summed over the stays given. */
struct an_chatter_time {
    int64_t user_id;
    int64_t present_ms;      /* sum over stays of taken_at(to) - taken_at(from); over several
                                channels, the length of the union of those spans */
    size_t captures_present; /* sum over stays of to - from + 1 */
    size_t stays;
    int64_t first_seq; /* first capture present (single channel only; 0 otherwise) */
};

/**
 * Participation of one channel, or of a set of channels (then series is NULL and the
 * per-capture fields, peak, average and retention are 0). Owns series and chatters.
 */
struct an_participation {
    struct an_capture_stat *series; /* one per capture, by seq */
    size_t n_series;
    size_t unique_chatters;
    size_t peak_chatters; /* the largest chatters of the series; first such capture below */
    int64_t peak_seq;
    int64_t peak_at_ms;
    double avg_chatters;              /* (double)(sum of chatters over captures) / n_series */
    struct an_chatter_time *chatters; /* sorted by user_id; unique_chatters of them */
    /* Nearest-rank percentiles of present_ms over the unique chatters: with the values
     * sorted ascending v[0..n-1], pP = v[ceil(P * n / 100) - 1] (P = 50, 90, 99); 0 if n = 0. */
    int64_t p50_ms;
    int64_t p90_ms;
    int64_t p99_ms;
    size_t time_buckets[AN_TIME_BUCKETS]; /* chatters per bucket of present_ms */
    /* retained[i]: chatters with captures_present * 100 >= k_i * n_series, k = 25/50/75/100;
     * retention[i] = (double)retained[i] / unique_chatters (0 when no chatter). */
    size_t retained[AN_RETENTION_LEVELS];
    double retention[AN_RETENTION_LEVELS];
};

/** Lower bound (ms) of time bucket i (0 <= i < AN_TIME_BUCKETS). */
int64_t an_time_bucket_floor_ms(size_t i);
/** Percent k of retention level i (25, 50, 75, 100). */
int an_retention_percent(size_t i);

/**
 * Participation of one channel in session session_id. history (sorted by user_id, may be
 * NULL when n_history is 0) says where chatters were first seen ever: a chatter joining at
 * capture k counts as new to the channel when k is the chatter's first capture in this
 * session and the chatter has no history, or a history whose first_session_id is this
 * session. Returns 0 or TCA_EINVAL (malformed channel). Free out with an_participation_free.
 */
int an_participation(const struct an_channel *ch, int64_t session_id,
                     const struct an_history *history, size_t n_history,
                     struct an_participation *out, char *err, size_t errlen);

/**
 * Participation of several channels of a session together: unique chatters over all of
 * them; each chatter's time is the union of its stays over channels (a moment present in
 * two channels counts once), its captures and stays are summed; percentiles and buckets of
 * those times. Per-capture fields stay 0 (channels have their own captures).
 */
int an_participation_all(const struct an_channel *chs, size_t n_channels,
                         struct an_participation *out, char *err, size_t errlen);

/** Frees the arrays of p; safe on a zeroed struct. */
void an_participation_free(struct an_participation *p);

#endif
