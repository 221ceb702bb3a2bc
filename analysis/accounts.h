/*
 * Accounts: when the audience's Twitch accounts were created. An account-age histogram by
 * day, week, month or year of creation, and the top creation days with a warning level,
 * which is how waves of freshly made bot accounts show up. Must never do I/O; times are UTC.
 */
#ifndef TCA_AN_ACCOUNTS_H
#define TCA_AN_ACCOUNTS_H

#include <stddef.h>
#include <stdint.h>

/** A chatter's profile. login is borrowed; created_at_ms is 0 when not enriched yet. */
struct an_profile {
    int64_t user_id;
    const char *login;
    int64_t created_at_ms;
};

/**
 * The profiles that repeat an earlier one's user_id, as a new bitset (bit i of word i / 64;
 * caller frees), or NULL when there is none. Profiles sorted by user_id (as the store lists
 * them) are checked in one pass without an index.
 */
uint64_t *an_profiles_repeats(const struct an_profile *profiles, size_t n);

/** Calendar periods of the histogram (UTC; weeks start on Monday). */
enum an_period { AN_PERIOD_DAY, AN_PERIOD_WEEK, AN_PERIOD_MONTH, AN_PERIOD_YEAR };

/** Start (Unix ms, UTC) of the period that contains t. */
int64_t an_period_start(int64_t t, enum an_period period);

/** Writes the UTC date of t as "YYYY-MM-DD" into out. */
void an_date_format(int64_t t, char out[11]);

/** One bar of the account-age histogram. */
struct an_age_bucket {
    int64_t start_ms; /* start of the period */
    size_t count;     /* distinct chatters whose account was created in it */
};

/** The histogram; owns buckets (sorted by start_ms, only periods with accounts). */
struct an_age_histogram {
    struct an_age_bucket *buckets;
    size_t n;
    size_t unknown; /* distinct chatters whose creation time is not known (created_at 0) */
};

/**
 * Counts distinct chatters (a repeated user_id counts once) by period of account creation.
 * Free out with an_age_histogram_free.
 */
void an_account_ages(const struct an_profile *profiles, size_t n, enum an_period period,
                     struct an_age_histogram *out);
/** Frees the buckets; safe on a zeroed struct. */
void an_age_histogram_free(struct an_age_histogram *h);

/** How alarming a creation day is. */
enum an_level { AN_LEVEL_NORMAL, AN_LEVEL_WATCH, AN_LEVEL_SUSPECT, AN_LEVEL_CRITICAL };

/** Minimum distinct accounts created on one day for each level. */
struct an_wave_levels {
    size_t critical;
    size_t suspect;
    size_t watch;
};

/** The default levels: critical >= 100, suspect >= 50, watch >= 30, else normal. */
struct an_wave_levels an_wave_levels_default(void);
/** The level of a day with count accounts. */
enum an_level an_wave_level(const struct an_wave_levels *levels, size_t count);
/** "normal", "watch", "suspect" or "critical". */
const char *an_level_name(enum an_level level);

/** One creation day. Owns user_ids and logins (the array; the strings are borrowed). */
struct an_creation_day {
    int64_t day_ms;      /* 00:00 UTC of the day */
    size_t count;        /* distinct chatters created that day */
    double share;        /* count / audience (0 when audience is 0) */
    double usual;        /* mean accounts a day over the 30 days on each side of it */
    enum an_level level; /* of count - usual: what the day has beyond the audience's usual */
    int64_t *user_ids;   /* count of them, sorted */
    const char **logins; /* same order as user_ids; borrowed from the profiles */
};

/** The top days; owns days. */
struct an_creation_days {
    struct an_creation_day *days; /* most accounts first, ties by earlier day */
    size_t n;
    size_t audience; /* distinct chatters in the input, known creation time or not */
};

/**
 * The top (at most `top`) creation days by distinct chatters, each with its level from the
 * accounts beyond the usual of the days around it (a 100,000-chatter audience has 40-50
 * accounts on an ordinary day; a wave stands out of that). levels NULL uses the
 * defaults. Profiles must stay alive while out is used (logins are borrowed).
 * Free out with an_creation_days_free.
 */
void an_top_creation_days(const struct an_profile *profiles, size_t n, size_t top,
                          const struct an_wave_levels *levels, struct an_creation_days *out);
/** Frees the days and their arrays; safe on a zeroed struct. */
void an_creation_days_free(struct an_creation_days *d);

#endif
