/*
 * The cache of built statistics documents (report/stats_cache.h): a small array searched
 * under one lock, since a gateway holds at most a few dozen documents. Must never build a
 * document while holding the lock, nor hand out text the cache may free.
 */
#include "report/stats_cache.h"
#include "base/xalloc.h"
#include "store/store_chat.h"

#include <jansson.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* What a document depends on besides the question: the session's captures and update time,
 * and for the chat section its chat state (counts arrive without a capture). */
struct version {
    int64_t captures, updated_at_ms;
    int64_t chat_seq, chat_at_ms; /* 0 unless the chat section is asked for */
};

struct entry {
    int64_t user_id, session_id;
    struct version v;
    struct report_options o;
    unsigned sections;
    int64_t built_at_ms;
    uint64_t used;
    char *json;
    size_t len;
};

struct report_stats_cache {
    pthread_mutex_t lock;
    struct entry *entries;
    size_t n, cap;
    size_t bytes, max_bytes;
    int64_t max_age_ms;
    uint64_t tick, builds;
};

struct report_stats_cache *report_stats_cache_new(size_t max_bytes, int64_t max_age_ms)
{
    struct report_stats_cache *c = xcalloc(1, sizeof *c);
    pthread_mutex_init(&c->lock, NULL);
    c->max_bytes = max_bytes;
    c->max_age_ms = max_age_ms;
    return c;
}

void report_stats_cache_free(struct report_stats_cache *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        free(c->entries[i].json);
    free(c->entries);
    pthread_mutex_destroy(&c->lock);
    free(c);
}

/* Removes entry i; the caller holds the lock. */
static void drop_at(struct report_stats_cache *c, size_t i)
{
    c->bytes -= c->entries[i].len;
    free(c->entries[i].json);
    c->entries[i] = c->entries[--c->n];
}

void report_stats_cache_drop_user(struct report_stats_cache *c, int64_t user_id)
{
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++)
        if (c->entries[i].user_id == user_id)
            drop_at(c, i--);
    pthread_mutex_unlock(&c->lock);
}

uint64_t report_stats_cache_builds(struct report_stats_cache *c)
{
    pthread_mutex_lock(&c->lock);
    uint64_t n = c->builds;
    pthread_mutex_unlock(&c->lock);
    return n;
}

static int same_question(const struct entry *e, const struct store_session *s,
                         const struct report_options *o, unsigned sections)
{
    return e->user_id == s->user_id && e->session_id == s->id && e->sections == sections &&
           memcmp(&e->o, o, sizeof *o) == 0;
}

/* A copy of the text kept for this question, or NULL; drops an entry the session outgrew. */
static char *lookup(struct report_stats_cache *c, const struct store_session *s,
                    const struct version *v, const struct report_options *o, unsigned sections,
                    int64_t now_ms, size_t *len)
{
    char *json = NULL;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++) {
        struct entry *e = &c->entries[i];
        if (!same_question(e, s, o, sections))
            continue;
        if (memcmp(&e->v, v, sizeof *v) == 0 && now_ms - e->built_at_ms <= c->max_age_ms) {
            e->used = ++c->tick;
            json = xmalloc(e->len + 1);
            memcpy(json, e->json, e->len + 1);
            *len = e->len;
        } else {
            drop_at(c, i);
        }
        break;
    }
    pthread_mutex_unlock(&c->lock);
    return json;
}

/* Keeps a copy of json for this question, dropping the least recently used to make room. */
static void keep(struct report_stats_cache *c, const struct store_session *s,
                 const struct version *v, const struct report_options *o, unsigned sections,
                 int64_t now_ms, const char *json, size_t len)
{
    if (len > c->max_bytes)
        return;
    pthread_mutex_lock(&c->lock);
    for (size_t i = 0; i < c->n; i++)
        if (same_question(&c->entries[i], s, o, sections)) /* another request built it too */
            drop_at(c, i--);
    while (c->n && c->bytes + len > c->max_bytes) {
        size_t lru = 0;
        for (size_t i = 1; i < c->n; i++)
            if (c->entries[i].used < c->entries[lru].used)
                lru = i;
        drop_at(c, lru);
    }
    c->entries = xgrow(c->entries, &c->cap, c->n, sizeof *c->entries, 8);
    struct entry *e = &c->entries[c->n++];
    *e = (struct entry){.user_id = s->user_id,
                        .session_id = s->id,
                        .v = *v,
                        .o = *o,
                        .sections = sections,
                        .built_at_ms = now_ms,
                        .used = ++c->tick,
                        .json = xmalloc(len + 1),
                        .len = len};
    memcpy(e->json, json, len + 1);
    c->bytes += len;
    pthread_mutex_unlock(&c->lock);
}

int report_stats_cached(struct report_stats_cache *c, struct store *st,
                        const struct report_aside *aside, const struct store_session *s,
                        const struct report_options *o, unsigned sections, int64_t now_ms,
                        char **json, size_t *len, char *err, size_t errlen)
{
    /* read before the build: a change during it makes the kept entry stale, never wrong */
    struct version v = {.captures = s->captures, .updated_at_ms = s->updated_at_ms};
    int rc = 0;
    if (sections & REPORT_CHAT) {
        struct store_chat_setting cs;
        rc = store_chat_get(st, s->id, &cs, err, errlen);
        if (rc)
            return rc;
        v.chat_seq = cs.counts_seq;
        v.chat_at_ms = cs.updated_at_ms;
    }
    *json = lookup(c, s, &v, o, sections, now_ms, len);
    if (*json)
        return 0;
    json_t *doc = NULL;
    struct store *second =
        aside && report_sections_read_profiles(sections) ? aside->take(aside->ctx) : NULL;
    rc = report_session_aside(st, second, s->user_id, s->id, o, sections, &doc, err, errlen);
    if (rc)
        return rc;
    *json = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    if (!*json)
        abort(); /* jansson fails only when out of memory, as xmalloc would */
    *len = strlen(*json);
    pthread_mutex_lock(&c->lock);
    c->builds++;
    pthread_mutex_unlock(&c->lock);
    keep(c, s, &v, o, sections, now_ms, *json, *len);
    return 0;
}
