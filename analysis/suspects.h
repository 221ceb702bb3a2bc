/*
 * Suspicious behaviour of single accounts: being in many channels at the same time (a
 * viewer bot's signature) and renaming often (ban evasion). Must never do I/O; renames are
 * counted from the name history rows, never from captures.
 */
#ifndef TCA_AN_SUSPECTS_H
#define TCA_AN_SUSPECTS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/stays.h"

/** An account present in several channels at once. */
struct an_multi {
    int64_t user_id;
    size_t channels; /* most channels the account was in at the same moment */
    int64_t at_ms;   /* first moment it was in that many */
};

/**
 * Accounts present in at least min_channels channels at overlapping times. A stay covers
 * the closed interval [taken_at(from), taken_at(last)] of its channel's captures; the
 * count at a moment is the number of distinct channels with a stay covering it. *out (caller frees)
 * is sorted by user_id, *n_out receives how many. Returns 0 or TCA_EINVAL (a malformed channel).
 */
int an_multi_channel(const struct an_channel *chs, size_t n_channels, size_t min_channels,
                     struct an_multi **out, size_t *n_out, char *err, size_t errlen);

/** One row of a name history; strings borrowed. */
struct an_name {
    int64_t user_id;
    const char *login;
    const char *display_name; /* may be NULL */
    int64_t seen_at_ms;
};

/** An account that renamed. Strings are borrowed from the history rows. */
struct an_renamer {
    int64_t user_id;
    size_t renames;          /* consecutive rows (by seen_at) whose login or display name differ */
    const char *first_login; /* oldest login in the history */
    const char *last_login;  /* newest */
};

/**
 * Accounts with at least min_renames renames in rows (any order; rows of one user sorted
 * by seen_at, ties kept in input order). A row repeating the previous names is no rename,
 * so a history written once per capture is not multiplied. *out (caller frees) is sorted
 * by user_id, *n_out receives how many.
 */
void an_renamers(const struct an_name *rows, size_t n, size_t min_renames, struct an_renamer **out,
                 size_t *n_out);

#endif
