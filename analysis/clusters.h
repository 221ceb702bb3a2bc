/*
 * Login clusters: accounts created close together whose logins are one stem plus a number
 * (coolviewer_0001 .. coolviewer_0150), the signature of a batch of bot accounts made by a
 * script. Must never do I/O or guess at lookalike logins beyond the rule below.
 */
#ifndef TCA_AN_CLUSTERS_H
#define TCA_AN_CLUSTERS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/accounts.h"

/**
 * The rule. A login (lowercased) takes part when it ends in 1..18 ASCII digits and what
 * precedes them, the stem, has at least min_stem characters; profiles with created_at 0 do
 * not take part. Accounts with the same stem, sorted by creation time, form one cluster
 * while each is created at most window_ms after the previous one. Clusters of at least
 * min_size distinct accounts whose numbers lie within max_number_spread * size of each
 * other (number_max - number_min < that; 0: any numbers) are reported.
 */
struct an_cluster_rule {
    int64_t window_ms;        /* default 24 h */
    size_t min_size;          /* default 5 */
    size_t min_stem;          /* default 3 */
    size_t max_number_spread; /* default 100 */
};

/** The default rule (values above). */
struct an_cluster_rule an_cluster_rule_default(void);

/** One cluster. Owns user_ids. */
struct an_cluster {
    char stem[32];
    size_t n;
    int64_t *user_ids; /* n of them, sorted */
    int64_t first_created_ms;
    int64_t last_created_ms;
    uint64_t number_min; /* smallest and largest number after the stem */
    uint64_t number_max;
    int sequence; /* 1 when the numbers are a dense run: number_max - number_min + 1 <= 2n */
};

/** Every cluster found; owns clusters (largest first, ties by stem then first creation). */
struct an_clusters {
    struct an_cluster *clusters;
    size_t n;
};

/**
 * Finds the clusters among profiles (a repeated user_id counts once). rule NULL uses the
 * defaults. Free out with an_clusters_free.
 */
void an_clusters(const struct an_profile *profiles, size_t n, const struct an_cluster_rule *rule,
                 struct an_clusters *out);
/** Frees the clusters; safe on a zeroed struct. */
void an_clusters_free(struct an_clusters *c);
/** Every member of every cluster, sorted and unique, in a new array (caller frees). */
int64_t *an_clusters_members(const struct an_clusters *c, size_t *n_out);

#endif
