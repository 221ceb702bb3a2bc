/*
 * Overlap: how two chatter sets (two sessions, two channels) share an audience, and the
 * matrix of every pair of channels of a session. Sets become CRoaring bitmaps over one id
 * index, so a pair costs a bitmap intersection, not a scan of ids. Must never do I/O.
 */
#ifndef TCA_AN_OVERLAP_H
#define TCA_AN_OVERLAP_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/stays.h"

/** The overlap of two sets a and b. Owns shared_ids. */
struct an_overlap {
    size_t a;            /* distinct ids in a */
    size_t b;            /* distinct ids in b */
    size_t shared;       /* in both */
    size_t either;       /* in a or b */
    double jaccard;      /* shared / either; 0 when both are empty */
    int64_t *shared_ids; /* the shared ids, sorted */
};

/**
 * Overlap of two id lists (any order, repeats allowed). Free out with an_overlap_free.
 */
void an_overlap(const int64_t *a, size_t na, const int64_t *b, size_t nb, struct an_overlap *out);
/** Frees shared_ids; safe on a zeroed struct. */
void an_overlap_free(struct an_overlap *o);

/** A named chatter set: key is a channel or session id; ids are borrowed, any order. */
struct an_id_set {
    int64_t key;
    const int64_t *ids;
    size_t n;
};

/** Every pair of n sets. Owns its arrays; cell (i, j) is at [i * n + j], symmetric. */
struct an_overlap_matrix {
    size_t n;
    int64_t *keys;   /* key of set i */
    size_t *sizes;   /* distinct ids of set i */
    size_t *shared;  /* |i and j|; the diagonal holds sizes */
    double *jaccard; /* shared / |i or j|; 1 on a non-empty diagonal, 0 for two empty sets */
};

/** The matrix of n sets. Free out with an_overlap_matrix_free. */
void an_overlap_matrix(const struct an_id_set *sets, size_t n, struct an_overlap_matrix *out);
/**
 * The matrix of the channels of a session: a channel's set is every chatter with a stay in
 * it. Keys are the channel ids. Stays are not range-checked (only user_id is read).
 */
void an_overlap_channels(const struct an_channel *chs, size_t n, struct an_overlap_matrix *out);
/** Frees the arrays; safe on a zeroed struct. */
void an_overlap_matrix_free(struct an_overlap_matrix *m);

#endif
