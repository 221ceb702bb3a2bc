/*
 * The chatter table of a session one page at a time: filtered, searched and sorted on the
 * server, so a browser never downloads a million rows. The rows of the chatters export
 * (same values, same flags and new/returning status) are kept in compact per-session arrays
 * in a bounded cache, with one sorted index (32-bit row numbers) per sort key built the first
 * time that key is asked for. Must never build JSON for more than one page, log, or read the
 * clock itself (the caller passes the time that ages entries out).
 */
#ifndef TCA_REPORT_CHATTER_PAGE_H
#define TCA_REPORT_CHATTER_PAGE_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"

/** Most rows one page returns. */
#define REPORT_PAGE_MAX 500

/** Sort keys, the columns of the table. */
enum report_chatter_sort {
    REPORT_SORT_LOGIN,
    REPORT_SORT_STATUS, /* new before returning */
    REPORT_SORT_FLAGS,  /* by the flags text ("" first) */
    REPORT_SORT_CREATED,
    REPORT_SORT_CAPTURES,
    REPORT_SORT_PRESENT,
    REPORT_SORT_FIRST_SEEN,
    REPORT_SORT_LAST_SEEN,
    REPORT_SORT_ROLE, /* none, vip, moderator, broadcaster */
    REPORT_SORT_COUNT
};

/** Parses a sort key by its column name (login, status, flags, created_at, captures_seen,
 * time_present_s, first_seen, last_seen, role); -1 if unknown. */
int report_chatter_sort_parse(const char *name);

/** Which rows, in which order. */
enum report_chatter_filter {
    REPORT_CHATTERS_ALL,
    REPORT_CHATTERS_NEW,
    REPORT_CHATTERS_RETURNING,
    REPORT_CHATTERS_FLAGGED,
    REPORT_CHATTERS_ROLE,   /* broadcasters, moderators and VIPs */
    REPORT_CHATTERS_WATCHED /* on the owner's watchlist */
};

/** A page request; search (borrowed, may be NULL) is a case-insensitive login substring. */
struct report_chatter_query {
    int64_t offset;
    size_t limit; /* 1..REPORT_PAGE_MAX */
    enum report_chatter_sort sort;
    int desc; /* the exact reverse of the ascending order */
    const char *search;
    enum report_chatter_filter filter;
    int exclude_bots; /* leave out accounts on the user's known-bots list */
};

/** The cache of loaded sessions; thread-safe. */
struct report_chatter_cache;

/** A cache holding at most max_rows chatters over all its sessions, each entry reused for at
 * most max_age_ms (a known-bots change shows after that). Free with report_chatter_cache_free. */
struct report_chatter_cache *report_chatter_cache_new(size_t max_rows, int64_t max_age_ms);
/** Frees the cache; NULL is a no-op. */
void report_chatter_cache_free(struct report_chatter_cache *c);
/** Forgets the tables of user_id's sessions (their known-bots list changed: flags did). */
void report_chatter_cache_drop_user(struct report_chatter_cache *c, int64_t user_id);
/** How many session tables the cache has loaded since it was made (metrics, tests). */
uint64_t report_chatter_cache_loads(struct report_chatter_cache *c);

/**
 * One page of the chatters of user_id's session (channel filter and exclusion of o applied as
 * in the chatters export) as a new JSON object (caller json_decref):
 * {"total": rows matching, "chatters": rows before filter and search, "offset", "limit",
 *  "sort", "order", "rows": [...export fields (role and watched included) plus flagged and
 * known_bot...]}. Order: ascending by the key (times to the second shown), then login, then id;
 * descending is its exact reverse. TCA_ENOTFOUND if the session is not the user's. now_ms ages
 * cache entries. aside (may be NULL) is a second connection to the same store, borrowed for
 * the call: a load reads the profiles on it in a second thread while st reads the stays.
 */
int report_chatter_page(struct report_chatter_cache *c, struct store *st, struct store *aside,
                        int64_t user_id, int64_t session_id, const struct report_options *o,
                        const struct report_chatter_query *q, int64_t now_ms, json_t **out,
                        char *err, size_t errlen);

#endif
