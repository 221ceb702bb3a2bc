/*
 * The presence diff: compares the chatters of a new capture with the stays that were open
 * after the previous one. Pure: sorted arrays in, sorted arrays out, no I/O.
 */
#ifndef TCA_PRESENCE_H
#define TCA_PRESENCE_H

#include <stddef.h>
#include <stdint.h>

#include "base/chatter.h"

/** The outcome of one diff; both arrays are owned and sorted. */
struct an_presence_diff {
    int64_t *joined; /* in the capture, not open before */
    size_t n_joined;
    int64_t *left; /* open before, not in the capture */
    size_t n_left;
};

/**
 * Diffs open (sorted, unique user ids) against now (sorted by id, unique). Everyone in both
 * costs nothing: one merge pass, O(n + m).
 */
void an_presence_diff(const int64_t *open, size_t n_open, const struct chatter *now, size_t n_now,
                      struct an_presence_diff *out);
/** Frees the arrays of a diff; safe on a zeroed struct. */
void an_presence_diff_free(struct an_presence_diff *d);

#endif
