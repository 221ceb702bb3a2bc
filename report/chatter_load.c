/*
 * Loading a session's chatter table: the chatters export's rows (same values, flags and
 * new/returning status) as compact columns in user id order. A cold load is most of what a
 * first page costs, so it runs on two threads and two store connections where it can. Must
 * never keep anything but the table it fills, and never write JSON.
 */
#include "report/chatter_table.h"
#include "report/internal.h"
#include "report/marks.h"
#include "analysis/ids.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct load_ctx {
    struct rp_chatter_table *t;
    const struct an_flags *flags;
    const struct rp_marks *marks;
    uint32_t exclude;
    const int64_t *returning, *keep;
    size_t n_returning, n_keep, cap;
};

static uint32_t pool_add(struct rp_chatter_table *t, const char *s)
{
    size_t len = strlen(s) + 1;
    while (t->pool_len + len > t->pool_cap) {
        t->pool_cap = t->pool_cap ? t->pool_cap * 2 : 4096;
        t->pool = xrealloc(t->pool, t->pool_cap);
    }
    memcpy(t->pool + t->pool_len, s, len);
    t->pool_len += len;
    return (uint32_t)(t->pool_len - len);
}

static void columns_grow(struct rp_chatter_table *t, size_t cap)
{
    t->id = xreallocarray(t->id, cap, sizeof *t->id);
    t->created = xreallocarray(t->created, cap, sizeof *t->created);
    t->first = xreallocarray(t->first, cap, sizeof *t->first);
    t->last = xreallocarray(t->last, cap, sizeof *t->last);
    t->present_s = xreallocarray(t->present_s, cap, sizeof *t->present_s);
    t->captures_seen = xreallocarray(t->captures_seen, cap, sizeof *t->captures_seen);
    t->reasons = xreallocarray(t->reasons, cap, sizeof *t->reasons);
    t->returning = xreallocarray(t->returning, cap, sizeof *t->returning);
    t->role = xreallocarray(t->role, cap, sizeof *t->role);
    t->watched = xreallocarray(t->watched, cap, sizeof *t->watched);
    t->login = xreallocarray(t->login, cap, sizeof *t->login);
    t->display = xreallocarray(t->display, cap, sizeof *t->display);
}

/* Keeps one row of the chatters export (report/export.c) instead of writing it. */
static void add_row(struct load_ctx *x, const struct store_export_row *r, const char *login,
                    const char *display)
{
    struct rp_chatter_table *t = x->t;
    if (x->keep && !an_ids_contain(x->keep, x->n_keep, r->user_id))
        return;
    if (x->exclude && an_flags_match(x->flags, r->user_id, x->exclude))
        return;
    if (t->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 1024;
        columns_grow(t, x->cap);
    }
    const struct an_flag *f = an_flags_find(x->flags, r->user_id);
    size_t i = t->n++;
    t->id[i] = r->user_id;
    t->created[i] = r->created_at_ms;
    t->first[i] = r->first_seen_ms;
    t->last[i] = r->last_seen_ms;
    t->present_s[i] = r->time_present_ms / 1000;
    t->captures_seen[i] = r->captures_seen;
    t->reasons[i] = f ? f->reasons & 31u : 0;
    t->returning[i] = (uint8_t)an_ids_contain(x->returning, x->n_returning, r->user_id);
    t->role[i] = (uint8_t)rp_marks_role(x->marks, r->user_id);
    t->watched[i] = (uint8_t)rp_marks_watched(x->marks, r->user_id);
    t->login[i] = pool_add(t, login);
    t->display[i] = pool_add(t, display);
}

static int load_row(void *ctx, const struct store_export_row *r)
{
    add_row(ctx, r, r->login, r->display_name);
    return 0;
}

/* The time of capture seq of a channel (captures by seq), or -1 if there is none. */
static int64_t taken_at(const struct rp_channel *c, int64_t seq)
{
    size_t lo = 0, hi = c->n_captures;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->captures[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n_captures && c->captures[lo].seq == seq ? c->captures[lo].taken_at_ms : -1;
}

/* The profile of a stay's chatter: stays come by user id (the store's primary key order),
 * so *at only moves forward; a stay out of that order is looked up. */
static const struct rp_person *person_of(const struct rp_data *d, int64_t user_id, size_t *at)
{
    while (*at < d->n_people && d->people[*at].user_id < user_id)
        (*at)++;
    if (*at < d->n_people && d->people[*at].user_id == user_id)
        return &d->people[*at];
    return rp_profile(d, user_id);
}

/* Every channel is loaded: the rows are the export's sums over the stays already in memory,
 * which halves the loading time of a big session (measured: 1,000,000 chatters, 5.5 s for
 * the load and 4.7 s more for the export's SELECT). The columns are sized once, the sums
 * add up in them by profile and are then packed to the chatters seen, and the names stay in
 * the pool the profiles were read into: no allocation and no copy per row. */
static int rows_from_stays(struct rp_chatter_table *t, struct rp_data *d, struct load_ctx *x)
{
    size_t n = d->n_people;
    columns_grow(t, n ? n : 1);
    int64_t *seen = t->captures_seen, *first = t->first, *last = t->last,
            *present = t->present_s; /* ms until packed */
    memset(seen, 0, n * sizeof *seen);
    memset(present, 0, n * sizeof *present);
    for (size_t c = 0; c < d->n_channels; c++) {
        const struct rp_channel *ch = &d->channels[c];
        int64_t end = ch->n_captures ? ch->captures[ch->n_captures - 1].seq : 0;
        size_t at = 0;
        for (size_t i = 0; i < ch->n_all_stays; i++) {
            const struct an_stay *s = &ch->all_stays[i];
            const struct rp_person *p = person_of(d, s->user_id, &at);
            int64_t to = s->to_seq ? s->to_seq : end;
            int64_t from_at = taken_at(ch, s->from_seq), to_at = taken_at(ch, to);
            if (!p || from_at < 0 || to_at < 0)
                continue;
            size_t k = (size_t)(p - d->people);
            first[k] = seen[k] && first[k] < from_at ? first[k] : from_at;
            last[k] = seen[k] && last[k] > to_at ? last[k] : to_at;
            seen[k] += to - s->from_seq + 1;
            present[k] += to_at - from_at;
        }
    }
    size_t r = 0, i = 0;
    for (size_t k = 0; k < n; k++) { /* row i <= profile k: packing in place reads first */
        const struct rp_person *p = &d->people[k];
        if (!seen[k] || (x->exclude && an_flags_match(x->flags, p->user_id, x->exclude)))
            continue;
        size_t login = (size_t)(p->login - d->pool), display = (size_t)(p->display_name - d->pool);
        if (display > UINT32_MAX)
            return TCA_EINVAL;
        const struct an_flag *f = x->flags ? an_flags_find(x->flags, p->user_id) : NULL;
        while (r < x->n_returning && x->returning[r] < p->user_id)
            r++;
        t->id[i] = p->user_id;
        t->created[i] = p->created_at_ms;
        t->first[i] = first[k];
        t->last[i] = last[k];
        t->present_s[i] = present[k] / 1000;
        t->captures_seen[i] = seen[k];
        t->reasons[i] = f ? f->reasons & 31u : 0;
        t->returning[i] = r < x->n_returning && x->returning[r] == p->user_id;
        t->role[i] = (uint8_t)rp_marks_role(x->marks, p->user_id);
        t->watched[i] = (uint8_t)rp_marks_watched(x->marks, p->user_id);
        t->login[i] = (uint32_t)login;
        t->display[i] = (uint32_t)display;
        i++;
    }
    t->n = i;
    t->pool = d->pool; /* the table takes the profiles' names over */
    d->pool = NULL;
    return 0;
}

/* The flags, computed beside the rows: the rows need them only for their reasons. */
struct flags_job {
    struct store *st;
    struct rp_data *d;
    const struct report_options *o;
    int rc;
    char err[256];
};

static void *flags_aside(void *arg)
{
    struct flags_job *j = arg;
    j->rc = rp_compute_flags(j->st, j->d, j->o, j->err, sizeof j->err);
    return NULL;
}

/* With no exclusion the rows do not depend on the flags: a second thread computes them (on
 * st, which this thread no longer uses) while this one builds the rows, the login order and
 * the order the first page asks for (measured: the flags are ~45% of a cold load, the rows
 * and the two orders ~10%). Nobody else sees t before it is loaded: no lock for the orders. */
static int rows_beside_flags(struct store *st, struct rp_chatter_table *t, struct rp_data *d,
                             struct load_ctx *x, const struct report_options *o, int key, char *err,
                             size_t errlen)
{
    struct flags_job job = {.st = st, .d = d, .o = o};
    an_flags_free(&d->flags); /* rp_compute_flags replaces the flags */
    pthread_t thread;
    int parallel = pthread_create(&thread, NULL, flags_aside, &job) == 0;
    if (!parallel)
        flags_aside(&job);
    x->flags = NULL;
    int rc = rows_from_stays(t, d, x);
    if (!rc) {
        rp_chatter_order(t, REPORT_SORT_LOGIN);
        if (key != REPORT_SORT_FLAGS) /* that one needs the reasons */
            rp_chatter_order(t, key);
    }
    if (parallel)
        pthread_join(thread, NULL);
    if (rc)
        return tca_fail(err, errlen, TCA_EINVAL, "session too large for the chatter table");
    if (job.rc)
        return tca_fail(err, errlen, job.rc, "%s", job.err);
    /* rows are by id: each flagged account finds its row, instead of a lookup per row; the
     * flags mostly come in id order (the profiles'), so the search starts past the last row
     * found when it can (measured: 41-47 ms -> 3 ms at 1,000,000 flagged rows) */
    memset(t->reasons, 0, t->n * sizeof *t->reasons);
    size_t at = 0;
    for (size_t k = 0; k < d->flags.n; k++) {
        const struct an_flag *f = &d->flags.flags[k];
        size_t lo = 0, hi = t->n;
        if (at < t->n && t->id[at] < f->user_id) { /* after the last row found */
            lo = at + 1;
            if (lo < t->n && t->id[lo] >= f->user_id) /* and no later than the next one */
                hi = lo;
        }
        while (lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            if (t->id[mid] < f->user_id)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < t->n && t->id[lo] == f->user_id) {
            t->reasons[lo] = f->reasons & 31u;
            at = lo;
        }
    }
    return 0;
}

int rp_chatter_load(struct store *st, struct store *aside, const struct store_session *s,
                    const struct report_options *o, int key, struct rp_chatter_table *t, char *err,
                    size_t errlen)
{
    struct rp_data d;
    int beside = !o->exclude && !o->n_channels; /* flags computed beside the rows */
    int rc = rp_load_aside(st, aside, s->user_id, s->id, o, !beside, &d, err, errlen);
    if (rc)
        return rc;
    size_t n = 0;
    for (size_t c = 0; c < d.n_channels; c++)
        n += d.channels[c].n_history;
    int64_t *returning = xmalloc((n ? n : 1) * sizeof *returning);
    n = 0;
    for (size_t c = 0; c < d.n_channels; c++)
        for (size_t h = 0; h < d.channels[c].n_history; h++)
            returning[n++] = d.channels[c].history[h].user_id;
    if (d.n_channels > 1) /* one channel's history is by user id already, once each */
        n = an_ids_sort_unique(returning, n);
    struct rp_marks marks;
    int64_t *channels = xcalloc(d.n_channels + 1, sizeof *channels);
    for (size_t c = 0; c < d.n_channels; c++)
        channels[c] = d.channels[c].info.channel_id;
    rc = rp_marks_load(st, s->user_id, channels, d.n_channels, &marks, err, errlen);
    free(channels);
    struct load_ctx x = {.t = t,
                         .flags = &d.flags,
                         .marks = &marks,
                         .exclude = o->exclude,
                         .returning = returning,
                         .n_returning = n};
    if (rc || !o->n_channels) {
        if (!rc && beside)
            rc = rows_beside_flags(st, t, &d, &x, o, key, err, errlen);
        else if (!rc && rows_from_stays(t, &d, &x))
            rc = tca_fail(err, errlen, TCA_EINVAL, "session too large for the chatter table");
        rp_free(&d);
        rp_marks_free(&marks);
        free(returning);
        return rc;
    }
    /* With a channel filter the export's values still sum over every channel of the session,
     * which d did not load: read them from the export itself, keeping the filter's chatters. */
    int64_t *keep = xmalloc((d.n_people ? d.n_people : 1) * sizeof *keep);
    size_t n_keep = 0;
    for (size_t i = 0; i < d.n_people; i++)
        keep[n_keep++] = d.people[i].user_id;
    struct an_flags flags = d.flags;
    memset(&d.flags, 0, sizeof d.flags);
    rp_free(&d);
    x.flags = &flags;
    x.keep = keep;
    x.n_keep = n_keep;
    rc = store_export_session(st, s->id, NULL, load_row, &x, err, errlen);
    an_flags_free(&flags);
    rp_marks_free(&marks);
    free(returning);
    free(keep);
    if (!rc && t->n > UINT32_MAX)
        rc = tca_fail(err, errlen, TCA_EINVAL, "session too large for the chatter table");
    return rc;
}
