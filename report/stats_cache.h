/*
 * The statistics documents already built, as the JSON text the API sends: a repeat of the
 * same question on a session that has the same captures is answered without touching the
 * store. Bounded by bytes over all entries (least recently used first out); an entry is reused
 * while its session has the same captures and update time (and, with the chat section, the
 * same chat counts sequence and setting time: chat arrives without a capture), for at most
 * max_age_ms (enrichment changes profiles without a capture). Must never serve another user's
 * entry, and never hold its lock while a document is built.
 */
#ifndef TCA_REPORT_STATS_CACHE_H
#define TCA_REPORT_STATS_CACHE_H

#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "store/store.h"

struct report_stats_cache;

/** A new empty cache holding at most max_bytes of documents; free with
 * report_stats_cache_free. */
struct report_stats_cache *report_stats_cache_new(size_t max_bytes, int64_t max_age_ms);
/** Frees the cache and every document in it; NULL is a no-op. */
void report_stats_cache_free(struct report_stats_cache *c);
/** Forgets every document of user_id (their known-bots list changed, so did their flags). */
void report_stats_cache_drop_user(struct report_stats_cache *c, int64_t user_id);
/** How many documents were built (not found in the cache) so far: for tests. */
uint64_t report_stats_cache_builds(struct report_stats_cache *c);

/**
 * The session document of s (report_session of s->user_id with o and sections) as compact
 * JSON text: from the cache when it holds it for s as it is now, else built and kept. *json
 * receives a new NUL-terminated string (caller frees) of *len bytes. Two requests that miss
 * at the same moment both build: the cache never waits for a build. aside: NULL for none.
 */
/** Where a build gets a second connection to read the profiles beside the stays
 * (report_session_aside): take is asked only when the document is not in the cache and
 * reads profiles (report_sections_read_profiles), and may
 * return NULL (the build reads on one connection). The caller gives the connection back. */
struct report_aside {
    struct store *(*take)(void *ctx);
    void *ctx;
};

int report_stats_cached(struct report_stats_cache *c, struct store *st,
                        const struct report_aside *aside, const struct store_session *s,
                        const struct report_options *o, unsigned sections, int64_t now_ms,
                        char **json, size_t *len, char *err, size_t errlen);

#endif
