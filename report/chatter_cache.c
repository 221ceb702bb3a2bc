/*
 * The cache of loaded chatter tables: bounded by a number of rows over all sessions (the
 * least recently used table goes first), an entry reused while its session has the same
 * captures and for at most max_age_ms, and one load per table however many requests ask at
 * once. Must never load anything itself or hold its lock while a table loads.
 */
#include "report/chatter_table.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct report_chatter_cache {
    pthread_mutex_t lock;
    pthread_cond_t loaded;
    struct rp_chatter_table **tables;
    size_t n, cap;
    size_t rows, max_rows;
    int64_t max_age_ms;
    uint64_t tick;
    uint64_t loads;
};

void rp_chatter_table_free(struct rp_chatter_table *t)
{
    if (!t)
        return;
    free(t->id);
    free(t->created);
    free(t->first);
    free(t->last);
    free(t->present_s);
    free(t->captures_seen);
    free(t->reasons);
    free(t->returning);
    free(t->role);
    free(t->watched);
    free(t->login);
    free(t->display);
    free(t->pool);
    free(t->rank);
    for (int k = 0; k < REPORT_SORT_COUNT; k++)
        free(t->order[k]);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

struct report_chatter_cache *report_chatter_cache_new(size_t max_rows, int64_t max_age_ms)
{
    struct report_chatter_cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->loaded, NULL);
    c->max_rows = max_rows;
    c->max_age_ms = max_age_ms;
    return c;
}

uint64_t report_chatter_cache_loads(struct report_chatter_cache *c)
{
    pthread_mutex_lock(&c->lock);
    uint64_t n = c->loads;
    pthread_mutex_unlock(&c->lock);
    return n;
}

void report_chatter_cache_free(struct report_chatter_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        rp_chatter_table_free(c->tables[i]);
    free(c->tables);
    pthread_mutex_destroy(&c->lock);
    pthread_cond_destroy(&c->loaded);
    free(c);
}

/* ---- the cache ------------------------------------------------------------------------ */

static int same_key(const struct rp_chatter_table *t, const struct store_session *s,
                    const struct report_options *o)
{
    return t->user_id == s->user_id && t->session_id == s->id && t->captures == s->captures &&
           t->updated_at_ms == s->updated_at_ms && memcmp(&t->o, o, sizeof *o) == 0;
}

/* Takes table i out of the cache; it is freed once no request uses it. */
static void drop_at(struct report_chatter_cache *c, size_t i)
{
    struct rp_chatter_table *t = c->tables[i];
    c->rows -= t->n;
    c->tables[i] = c->tables[--c->n];
    t->evicted = 1;
    if (t->refs == 0)
        rp_chatter_table_free(t);
}

void report_chatter_cache_drop_user(struct report_chatter_cache *c, int64_t user_id)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++)
        if (c->tables[i]->user_id == user_id && !c->tables[i]->loading)
            drop_at(c, i--);
    pthread_mutex_unlock(&c->lock);
}

/* Makes room for n more rows, dropping the least recently used loaded tables. */
static void make_room(struct report_chatter_cache *c, size_t n)
{
    while (c->rows + n > c->max_rows) {
        size_t lru = c->n;
        for (size_t i = 0; i < c->n; i++)
            if (!c->tables[i]->loading &&
                (lru == c->n || c->tables[i]->used < c->tables[lru]->used))
                lru = i;
        if (lru == c->n)
            return;
        drop_at(c, lru);
    }
}

/*
 * The table of s under o, loaded once however many requests ask for it at the same time:
 * the first one loads (*load set: it must call cache_loaded), the others wait for it. The
 * caller holds a reference until cache_release.
 */
struct rp_chatter_table *rp_chatter_cache_acquire(struct report_chatter_cache *c,
                                                  const struct store_session *s,
                                                  const struct report_options *o, int64_t now_ms,
                                                  int *load)
{
    struct rp_chatter_table *t = NULL;
    *load = 0;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n && !t; i++) {
        struct rp_chatter_table *e = c->tables[i];
        if (e->session_id != s->id || e->user_id != s->user_id || memcmp(&e->o, o, sizeof *o) != 0)
            continue;
        if (same_key(e, s, o) && (e->loading || now_ms - e->loaded_at_ms <= c->max_age_ms))
            t = e;
        else if (!e->loading)
            drop_at(c, i--); /* the session moved on, or the entry is too old */
    }
    if (t) {
        t->refs++;
        while (t->loading)
            pthread_cond_wait(&c->loaded, &c->lock);
        if (t->failed) { /* the loader failed: this request loads for itself */
            int gone = --t->refs == 0 && t->evicted;
            pthread_mutex_unlock(&c->lock);
            if (gone)
                rp_chatter_table_free(t);
            return rp_chatter_cache_acquire(c, s, o, now_ms, load);
        }
        t->used = ++c->tick;
        pthread_mutex_unlock(&c->lock);
        return t;
    }
    t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    t->user_id = s->user_id;
    t->session_id = s->id;
    t->captures = s->captures;
    t->updated_at_ms = s->updated_at_ms;
    t->loaded_at_ms = now_ms;
    t->o = *o;
    t->loading = 1;
    t->refs = 1;
    c->tables = xgrow(c->tables, &c->cap, c->n, sizeof *c->tables, 8);
    c->tables[c->n++] = t;
    c->loads++;
    pthread_mutex_unlock(&c->lock);
    *load = 1;
    return t;
}

/* Ends the load of t (rc its result) and wakes the requests waiting for it. */
void rp_chatter_cache_loaded(struct report_chatter_cache *c, struct rp_chatter_table *t, int rc)
{
    pthread_mutex_lock(&c->lock);
    t->loading = 0;
    t->failed = rc != 0;
    size_t i = 0;
    while (i < c->n && c->tables[i] != t)
        i++;
    if (rc || t->n > c->max_rows) { /* failed, or too big to keep: this page only */
        if (i < c->n) {
            c->tables[i] = c->tables[--c->n];
            t->evicted = 1;
        }
    } else if (i < c->n) {
        make_room(c, t->n);
        c->rows += t->n;
        t->used = ++c->tick;
    }
    pthread_cond_broadcast(&c->loaded);
    pthread_mutex_unlock(&c->lock);
}

void rp_chatter_cache_release(struct report_chatter_cache *c, struct rp_chatter_table *t)
{
    pthread_mutex_lock(&c->lock);
    int gone = --t->refs == 0 && t->evicted;
    pthread_mutex_unlock(&c->lock);
    if (gone)
        rp_chatter_table_free(t);
}
