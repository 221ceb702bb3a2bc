/*
 * The data shapes every statistic reads: the captures of a channel, the stays of its
 * chatters, and a chatter's history in the channel. The store layer fills these; analysis
 * code only reads them. Must never do I/O or keep state between calls.
 */
#ifndef TCA_AN_STAYS_H
#define TCA_AN_STAYS_H

#include <stddef.h>
#include <stdint.h>

/** One capture of a channel within a session: seq counts from 1, taken_at in Unix ms. */
struct an_capture {
    int64_t seq;
    int64_t taken_at_ms;
};

/**
 * A stay: the chatter was present at every capture from from_seq to to_seq inclusive.
 * to_seq == 0 means the stay is open: it runs to the channel's last capture.
 */
struct an_stay {
    int64_t user_id;
    int64_t channel_id;
    int64_t from_seq;
    int64_t to_seq;
};

/**
 * One channel of a session. Everything is borrowed from the caller.
 * captures: sorted by seq, seq == index + 1, taken_at non-decreasing.
 * stays: any order; maximal, as the store writes them: one chatter's stays neither overlap
 * nor follow each other without a gap (a stay ending at k and one starting at k + 1);
 * channel_id of the stays is not read (they are this channel's).
 */
struct an_channel {
    int64_t channel_id;
    const struct an_capture *captures;
    size_t n_captures;
    const struct an_stay *stays;
    size_t n_stays;
};

/** One earlier session in which a chatter was seen in a channel. */
struct an_visit {
    int64_t session_id;
    int64_t last_seen_ms;
};

/**
 * A chatter's history in one channel, across sessions. first_session_id/first_seq say
 * where the chatter was first seen ever; visits lists the sessions the chatter was seen in
 * (the current one may be among them and is ignored). visits is borrowed.
 */
struct an_history {
    int64_t user_id;
    int64_t first_session_id;
    int64_t first_seq;
    const struct an_visit *visits;
    size_t n_visits;
};

/** Checks the preconditions above; returns 0 or TCA_EINVAL with the reason in err. */
int an_channel_check(const struct an_channel *ch, char *err, size_t errlen);
/** The last capture seq of a stay (to_seq, or the channel's last capture when open). */
int64_t an_stay_last_seq(const struct an_channel *ch, const struct an_stay *s);
/** taken_at of capture seq (1..n_captures) of a checked channel. */
int64_t an_channel_time(const struct an_channel *ch, int64_t seq);
/** Time present in one stay: taken_at(last) - taken_at(from). */
int64_t an_stay_duration_ms(const struct an_channel *ch, const struct an_stay *s);
/** Finds user_id in history sorted by user_id; NULL if absent. */
const struct an_history *an_history_find(const struct an_history *h, size_t n, int64_t user_id);

#endif
