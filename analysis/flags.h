/*
 * Flags: every account that some statistic found suspicious, with all its reasons as a
 * bitmask and as text for people, and a way to leave flagged accounts out of the other
 * statistics. Also the known-bots list. Must never decide on its own: it only records
 * what the statistics found and what the caller asked to flag.
 */
#ifndef TCA_AN_FLAGS_H
#define TCA_AN_FLAGS_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/accounts.h"
#include "analysis/clusters.h"
#include "analysis/ids.h"
#include "analysis/stays.h"
#include "analysis/suspects.h"

/** Why an account is flagged (bits of an_flag.reasons). */
enum an_reason {
    AN_REASON_KNOWN_BOT = 1u << 0,     /* on the known-bots list */
    AN_REASON_WAVE = 1u << 1,          /* created on a top creation day at or above a level */
    AN_REASON_CLUSTER = 1u << 2,       /* member of a login cluster */
    AN_REASON_MULTI_CHANNEL = 1u << 3, /* in many channels at once */
    AN_REASON_RENAMER = 1u << 4,       /* renamed often */
};

/**
 * One flagged account. text: "; "-separated details, in the order flags were added; owned by
 * the set (one copy of each distinct text: a cluster or a wave gives thousands of accounts
 * the same words).
 */
struct an_flag {
    int64_t user_id;
    uint32_t reasons;
    const char *text;
};

/** The flagged accounts, in order of first flag. Owns flags, the index and the texts. */
struct an_flags {
    struct an_flag *flags;
    size_t n;
    size_t cap;
    struct an_id_index ix; /* user_id -> position in flags */
    char **texts;          /* every distinct text, each owned */
    size_t n_texts;
    uint32_t *text_slots; /* hash table of texts: position + 1, 0 when empty */
    size_t text_mask;     /* slot count - 1 (a power of two), kept at most half full */
    /* the last text made from (text, detail): the next account of a cluster or a day asks
     * for the same (NULL when none yet) */
    const char *last_from, *last_detail, *last_to;
};

/** The known-bots list: ids sorted ascending, logins in any case; all borrowed. */
struct an_known_bots {
    const int64_t *ids;
    size_t n_ids;
    const char *const *logins;
    size_t n_logins;
};

/** Starts an empty set of flags. */
void an_flags_init(struct an_flags *f);
/** Frees everything; safe on a zeroed struct. */
void an_flags_free(struct an_flags *f);
/** Flags user_id for reason with a detail text (copied); the same reason twice adds text only. */
void an_flags_add(struct an_flags *f, int64_t user_id, uint32_t reason, const char *detail);
/** The flag of user_id, or NULL. */
const struct an_flag *an_flags_find(const struct an_flags *f, int64_t user_id);
/** 1 when user_id has any reason in mask. */
int an_flags_match(const struct an_flags *f, int64_t user_id, uint32_t mask);
/** A new array (caller frees; the flags stay owned by f) of pointers sorted by user_id. */
const struct an_flag **an_flags_sorted(const struct an_flags *f);

/** Flags the profiles on the known-bots list (by id, or by login ignoring case). */
void an_flags_add_known_bots(struct an_flags *f, const struct an_profile *profiles, size_t n,
                             const struct an_known_bots *bots);
/** Flags the accounts of every day in days at min_level or above. */
void an_flags_add_waves(struct an_flags *f, const struct an_creation_days *days,
                        enum an_level min_level);
/** Flags the members of every cluster. */
void an_flags_add_clusters(struct an_flags *f, const struct an_clusters *c);
/**
 * The multi-channel rule. Loyal viewers sit in the few channels of a community at once, so
 * presence alone proves nothing until it is implausible for a person: an account is flagged
 * when it was at once in at least max(alone, ceil(alone_share * channels of the session))
 * channels, or in at least with_reason channels and also has another reason (known bot,
 * wave, cluster, renamer; add those flags first) or an account younger than fresh_ms at
 * that moment.
 */
struct an_multi_rule {
    size_t with_reason; /* default 3 */
    size_t alone;       /* default 5 */
    double alone_share; /* default 0.5 */
    int64_t fresh_ms;   /* default 30 days */
};

/** The default rule (values above). */
struct an_multi_rule an_multi_rule_default(void);

/**
 * Flags the accounts of an_multi_channel (m, n; found with at least rule->with_reason
 * channels) under the rule, in a session of n_channels. profiles sorted by user_id give
 * the creation times (an account without a profile or created_at is never "fresh").
 * Returns how many were flagged for this reason.
 */
size_t an_flags_add_multi_channel(struct an_flags *f, const struct an_multi *m, size_t n,
                                  size_t n_channels, const struct an_multi_rule *rule,
                                  const struct an_profile *profiles, size_t n_profiles);
/** Flags the accounts of an_renamers. */
void an_flags_add_renamers(struct an_flags *f, const struct an_renamer *r, size_t n);

/**
 * Copies stays, leaving out those of accounts with a reason in mask, so any statistic can
 * be computed without (say) known bots. *out is the caller's to free; *n_out the count.
 */
void an_flags_exclude_stays(const struct an_flags *f, uint32_t mask, const struct an_stay *stays,
                            size_t n, struct an_stay **out, size_t *n_out);

#endif
