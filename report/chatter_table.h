/*
 * What the chatter table's files share (internal to report/): a session's chatters loaded as
 * compact columns, and the cache that keeps them between requests (chatter_cache.c). A table
 * is read-only once loaded, but for its sort indexes, built under its own lock.
 */
#ifndef TCA_REPORT_CHATTER_TABLE_H
#define TCA_REPORT_CHATTER_TABLE_H

#include <pthread.h>

#include "report/chatter_page.h"

/* One loaded session: the chatters export's rows as columns, in user id order. */
struct rp_chatter_table {
    /* the key */
    int64_t user_id, session_id, captures, updated_at_ms, loaded_at_ms;
    struct report_options o;
    /* the columns */
    size_t n;
    int64_t *id, *created, *first, *last, *present_s, *captures_seen;
    uint32_t *reasons;
    uint8_t *returning;
    uint8_t *role;             /* enum rp_role (report/marks.h) */
    uint8_t *watched;          /* on the owner's watchlist */
    uint32_t *login, *display; /* offsets into pool */
    char *pool;
    size_t pool_len, pool_cap;
    /* indexes */
    pthread_mutex_t lock;               /* guards building order and rank; read freely once set */
    uint32_t *rank;                     /* row -> its place in login order */
    uint32_t *order[REPORT_SORT_COUNT]; /* ascending orders, built on demand */
    uint32_t flag_rank[32];             /* reasons bits -> place of their text */
    /* the cache */
    int refs;
    int evicted;
    int loading; /* being loaded by one request; the others wait on the cache's cond */
    int failed;
    uint64_t used; /* last use, for LRU */
};

/**
 * Fills t (not yet visible to other requests) with session s under o, reading on st and, when
 * not NULL, on aside beside it (chatter_load.c); the orders by login and by key (the first
 * page's) are built with it when they can be.
 */
int rp_chatter_load(struct store *st, struct store *aside, const struct store_session *s,
                    const struct report_options *o, int key, struct rp_chatter_table *t, char *err,
                    size_t errlen);
/** The ascending order of key (enum report_chatter_sort), built once (chatter_sort.c); the
 * caller holds t->lock, or is loading t. */
const uint32_t *rp_chatter_order(struct rp_chatter_table *t, int key);

/** A row and the key it sorts by (chatter_sort.c). */
struct rp_sort_item {
    uint64_t key;
    uint32_t row;
};

/** Sorts a[0..n) by key, ascending and stable (equal keys keep their order). */
void rp_sort_items(struct rp_sort_item *a, size_t n);
/** Fills out[0..t->n) with t's rows by login (bytes as strcmp compares them), then by id. */
void rp_sort_logins(const struct rp_chatter_table *t, uint32_t *out);

/** Frees a table and its indexes; NULL is a no-op. */
void rp_chatter_table_free(struct rp_chatter_table *t);

/**
 * The table of session s under o, loaded once however many requests ask for it at the same
 * time: the first gets *load set and must load it, then call rp_chatter_cache_loaded; the
 * others wait for that. Every caller holds a reference until rp_chatter_cache_release.
 */
struct rp_chatter_table *rp_chatter_cache_acquire(struct report_chatter_cache *c,
                                                  const struct store_session *s,
                                                  const struct report_options *o, int64_t now_ms,
                                                  int *load);
/** Ends the load of t (rc its result: 0 keeps it) and wakes the requests waiting for it. */
void rp_chatter_cache_loaded(struct report_chatter_cache *c, struct rp_chatter_table *t, int rc);
/** Gives back a reference; the table is freed when it left the cache and nobody uses it. */
void rp_chatter_cache_release(struct report_chatter_cache *c, struct rp_chatter_table *t);

#endif
