/*
 * The flags of a session in one call: known bots, creation-day waves, login clusters,
 * renamers, then multi-channel presence (which needs the other reasons first). The report
 * layer and the simulator's ground-truth test both go through here, so what is measured is
 * what users see. Must never do I/O.
 */
#ifndef TCA_AN_SESSION_FLAGS_H
#define TCA_AN_SESSION_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/accounts.h"
#include "analysis/clusters.h"
#include "analysis/flags.h"
#include "analysis/stays.h"
#include "analysis/suspects.h"

/** Every rule the flags follow. */
struct an_flag_rules {
    struct an_wave_levels levels; /* creation-day levels */
    enum an_level flag_level;     /* days at or above it flag their accounts (suspect) */
    size_t top_days;              /* days looked at (10) */
    struct an_cluster_rule cluster;
    struct an_multi_rule multi;
    size_t min_renames; /* 3 */
};

/** The defaults of every rule (see each module). */
struct an_flag_rules an_flag_rules_default(void);

/** The flags and what was found on the way; owns everything. */
struct an_session_flags {
    struct an_flags flags;
    struct an_creation_days days; /* the top creation days of the audience */
    struct an_clusters clusters;
    struct an_multi *multi; /* every account at once in >= multi.with_reason channels */
    size_t n_multi;
    struct an_renamer *renamers; /* strings borrowed from names */
    size_t n_renamers;
};

/**
 * Flags the audience: profiles sorted by user_id (borrowed; logins must outlive out), the
 * session's channels (every stay), its name-history rows and the known-bots list (NULL:
 * none). rules NULL uses the defaults. Returns 0 or TCA_EINVAL (a malformed channel).
 * Free out with an_session_flags_free, also after a failure.
 */
int an_session_flags(const struct an_profile *profiles, size_t n_profiles,
                     const struct an_channel *chs, size_t n_channels, const struct an_name *names,
                     size_t n_names, const struct an_known_bots *bots,
                     const struct an_flag_rules *rules, struct an_session_flags *out, char *err,
                     size_t errlen);
/** Frees everything; safe on a zeroed struct. */
void an_session_flags_free(struct an_session_flags *s);

#endif
