/*
 * Pages of a session's chatter table, computed on the server. A session is loaded once into
 * compact columns (about 60 bytes and the two names per chatter; chatter_load.c) and kept in
 * a cache keyed by the session's capture count (chatter_cache.c), so a new capture or another
 * filter loads afresh; each sort key gets its ascending index (4 bytes per chatter;
 * chatter_sort.c) the first time a page asks for it. Must never hold JSON of more than one
 * page, and never a whole session twice per request.
 */
#include "report/chatter_table.h"
#include "report/internal.h"
#include "report/marks.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const sort_names[REPORT_SORT_COUNT] = {
    "login",          "status",     "flags",     "created_at", "captures_seen",
    "time_present_s", "first_seen", "last_seen", "role"};

int report_chatter_sort_parse(const char *name)
{
    for (int i = 0; i < REPORT_SORT_COUNT; i++)
        if (strcmp(name, sort_names[i]) == 0)
            return i;
    return -1;
}

/* ---- a page --------------------------------------------------------------------------- */

/* hit: per row, whether its login holds the search (NULL: no search). */
static int passes(const struct rp_chatter_table *t, uint32_t i,
                  const struct report_chatter_query *q, const uint8_t *hit)
{
    if (q->filter == REPORT_CHATTERS_NEW && t->returning[i])
        return 0;
    if (q->filter == REPORT_CHATTERS_RETURNING && !t->returning[i])
        return 0;
    if (q->filter == REPORT_CHATTERS_FLAGGED && !t->reasons[i])
        return 0;
    if (q->filter == REPORT_CHATTERS_ROLE && !t->role[i])
        return 0;
    if (q->filter == REPORT_CHATTERS_WATCHED && !t->watched[i])
        return 0;
    if (q->exclude_bots && (t->reasons[i] & AN_REASON_KNOWN_BOT))
        return 0;
    return !hit || hit[i];
}

/* The rows whose login holds the search, found in row order: the names lie in the pool in
 * that order, so the scan reads it straight through instead of jumping about it in the
 * sort's order (measured: a search of 1,000,000 rows 370–510 ms before, 52–65 ms so). */
static uint8_t *search_hits(const struct rp_chatter_table *t, const char *search)
{
    uint8_t *hit = xmalloc(t->n ? t->n : 1);
    for (size_t i = 0; i < t->n; i++)
        hit[i] = strcasestr(t->pool + t->login[i], search) != NULL;
    return hit;
}

static json_t *row_json(const struct rp_chatter_table *t, uint32_t i)
{
    char reasons[128];
    rp_reason_names(t->reasons[i], reasons, sizeof reasons);
    return json_pack(
        "{s:o, s:s, s:s, s:o, s:I, s:o, s:o, s:I, s:s, s:s, s:s, s:b, s:b, s:b}", "id",
        rp_id(t->id[i]), "login", t->pool + t->login[i], "display_name", t->pool + t->display[i],
        "created_at", rp_time(t->created[i]), "captures_seen", (json_int_t)t->captures_seen[i],
        "first_seen", rp_time(t->first[i]), "last_seen", rp_time(t->last[i]), "time_present_s",
        (json_int_t)t->present_s[i], "flags", reasons, "status",
        t->returning[i] ? "returning" : "new", "role", rp_role_name((enum rp_role)t->role[i]),
        "watched", t->watched[i] != 0, "flagged", t->reasons[i] != 0, "known_bot",
        (t->reasons[i] & AN_REASON_KNOWN_BOT) != 0);
}

static json_t *page_json(struct rp_chatter_table *t, const struct report_chatter_query *q)
{
    json_t *rows = json_array();
    int64_t total = 0;
    /* an index never changes once built: only building it needs the lock */
    pthread_mutex_lock(&t->lock);
    const uint32_t *order = rp_chatter_order(t, q->sort);
    pthread_mutex_unlock(&t->lock);
    int all = q->filter == REPORT_CHATTERS_ALL && !q->exclude_bots && (!q->search || !*q->search);
    if (all) {
        /* nothing to skip: the page is a slice of the order */
        total = (int64_t)t->n;
        for (int64_t k = q->offset; k < total && k < q->offset + (int64_t)q->limit; k++) {
            size_t at = q->desc ? t->n - 1 - (size_t)k : (size_t)k;
            json_array_append_new(rows, row_json(t, order[at]));
        }
    } else {
        uint8_t *hit = q->search && *q->search ? search_hits(t, q->search) : NULL;
        for (size_t k = 0; k < t->n; k++) {
            uint32_t i = order[q->desc ? t->n - 1 - k : k];
            if (!passes(t, i, q, hit))
                continue;
            if (total >= q->offset && total < q->offset + (int64_t)q->limit)
                json_array_append_new(rows, row_json(t, i));
            total++;
        }
        free(hit);
    }
    return json_pack("{s:I, s:I, s:I, s:I, s:s, s:s, s:o}", "total", (json_int_t)total, "chatters",
                     (json_int_t)t->n, "offset", (json_int_t)q->offset, "limit",
                     (json_int_t)q->limit, "sort", sort_names[q->sort], "order",
                     q->desc ? "desc" : "asc", "rows", rows);
}

int report_chatter_page(struct report_chatter_cache *c, struct store *st, struct store *aside,
                        int64_t user_id, int64_t session_id, const struct report_options *o,
                        const struct report_chatter_query *q, int64_t now_ms, json_t **out,
                        char *err, size_t errlen)
{
    struct store_session s;
    *out = NULL;
    if (q->limit < 1 || q->limit > REPORT_PAGE_MAX || q->offset < 0 || q->sort < 0 ||
        q->sort >= REPORT_SORT_COUNT)
        return tca_fail(err, errlen, TCA_EINVAL, "limit: 1 to %d; offset: 0 or more",
                        REPORT_PAGE_MAX);
    int rc = store_session_get(st, session_id, &s, err, errlen);
    if (!rc && s.user_id != user_id)
        rc = TCA_ENOTFOUND;
    if (rc == TCA_ENOTFOUND)
        return tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    if (rc)
        return rc;
    int load;
    struct rp_chatter_table *t = rp_chatter_cache_acquire(c, &s, o, now_ms, &load);
    if (load) {
        rc = rp_chatter_load(st, aside, &s, o, q->sort, t, err, errlen);
        rp_chatter_cache_loaded(c, t, rc);
        if (rc) {
            rp_chatter_cache_release(c, t);
            return rc;
        }
    }
    *out = page_json(t, q);
    rp_chatter_cache_release(c, t);
    return 0;
}
