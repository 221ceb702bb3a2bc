/*
 * Participation from stays. Per-capture counts come from two tallies (stays starting at
 * and ending at each capture) and one prefix sum; per-chatter totals from the id index.
 * Must never expand stays into per-capture chatter lists: that is what the stays avoid.
 */
#include "analysis/participation.h"
#include "analysis/ids.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const int64_t bucket_floor_ms[AN_TIME_BUCKETS] = {
    0, 60000, 300000, 900000, 1800000, 3600000, 7200000, 14400000,
};
static const int retention_percent[AN_RETENTION_LEVELS] = {25, 50, 75, 100};

int64_t an_time_bucket_floor_ms(size_t i)
{
    return i < AN_TIME_BUCKETS ? bucket_floor_ms[i] : 0;
}

int an_retention_percent(size_t i)
{
    return i < AN_RETENTION_LEVELS ? retention_percent[i] : 0;
}

/* Per-chatter running totals, indexed by the id index's numbers. */
struct tally {
    struct an_id_index ix;
    int64_t *present_ms;
    size_t *captures;
    size_t *stays;
    int64_t *first_seq;
    size_t cap;
};

static void tally_init(struct tally *t, size_t expected)
{
    memset(t, 0, sizeof *t);
    an_id_index_init(&t->ix, expected);
}

static uint32_t tally_add(struct tally *t, int64_t user_id)
{
    uint32_t before = t->ix.n;
    uint32_t k = an_id_index_add(&t->ix, user_id);
    if (k >= t->cap) {
        size_t cap = t->cap ? t->cap * 2 : 1024;
        while (cap <= k)
            cap *= 2;
        t->present_ms = xreallocarray(t->present_ms, cap, sizeof *t->present_ms);
        t->captures = xreallocarray(t->captures, cap, sizeof *t->captures);
        t->stays = xreallocarray(t->stays, cap, sizeof *t->stays);
        t->first_seq = xreallocarray(t->first_seq, cap, sizeof *t->first_seq);
        t->cap = cap;
    }
    if (t->ix.n != before) {
        t->stays[k] = 0;
        t->present_ms[k] = 0;
        t->captures[k] = 0;
        t->first_seq[k] = 0;
    }
    return k;
}

static void tally_free(struct tally *t)
{
    an_id_index_free(&t->ix);
    free(t->present_ms);
    free(t->captures);
    free(t->stays);
    free(t->first_seq);
}

static void add_channel(struct tally *t, const struct an_channel *ch)
{
    for (size_t i = 0; i < ch->n_stays; i++) {
        const struct an_stay *s = &ch->stays[i];
        uint32_t k = tally_add(t, s->user_id);
        int64_t last = an_stay_last_seq(ch, s);
        t->present_ms[k] += an_channel_time(ch, last) - an_channel_time(ch, s->from_seq);
        t->captures[k] += (size_t)(last - s->from_seq + 1);
        t->stays[k]++;
        if (t->first_seq[k] == 0 || s->from_seq < t->first_seq[k])
            t->first_seq[k] = s->from_seq;
    }
}

static int64_t nearest_rank(const int64_t *sorted, size_t n, size_t percent)
{
    if (n == 0)
        return 0;
    size_t rank = (percent * n + 99) / 100;
    return sorted[(rank ? rank : 1) - 1];
}

/* The per-chatter summary of out from its chatters; n_series must already be set. */
static void summarise_chatters(struct an_participation *out)
{
    size_t n = out->unique_chatters;
    int64_t *times = xmalloc((n ? n : 1) * sizeof *times);
    for (size_t i = 0; i < n; i++) {
        const struct an_chatter_time *c = &out->chatters[i];
        times[i] = c->present_ms;
        size_t b = AN_TIME_BUCKETS - 1;
        while (b > 0 && c->present_ms < bucket_floor_ms[b])
            b--;
        out->time_buckets[b]++;
        for (size_t r = 0; r < AN_RETENTION_LEVELS && out->n_series; r++)
            if (c->captures_present * 100 >= (size_t)retention_percent[r] * out->n_series)
                out->retained[r]++;
    }
    an_ids_sort(times, n);
    out->p50_ms = nearest_rank(times, n, 50);
    out->p90_ms = nearest_rank(times, n, 90);
    out->p99_ms = nearest_rank(times, n, 99);
    for (size_t r = 0; r < AN_RETENTION_LEVELS; r++)
        out->retention[r] = n ? (double)out->retained[r] / (double)n : 0.0;
    free(times);
}

/* Fills the per-chatter part of out from the tally; n_series must already be set. */
static void summarise(const struct tally *t, struct an_participation *out)
{
    size_t n = t->ix.n;
    out->unique_chatters = n;
    out->chatters = xcalloc(n ? n : 1, sizeof *out->chatters);
    uint32_t *order = xmalloc((n ? n : 1) * sizeof *order);
    an_ids_order(t->ix.ids, n, order);
    for (size_t i = 0; i < n; i++) {
        uint32_t k = order[i];
        struct an_chatter_time *c = &out->chatters[i];
        c->user_id = t->ix.ids[k];
        c->present_ms = t->present_ms[k];
        c->captures_present = t->captures[k];
        c->stays = t->stays[k];
        c->first_seq = t->first_seq[k];
    }
    free(order);
    summarise_chatters(out);
}

/* 1 when the stays come grouped by chatter in id order, as the store reads them. */
static int grouped_by_chatter(const struct an_channel *ch)
{
    for (size_t i = 1; i < ch->n_stays; i++)
        if (ch->stays[i - 1].user_id > ch->stays[i].user_id)
            return 0;
    return 1;
}

/* The same totals as add_channel and summarise, summed in place over each chatter's run of
 * stays: no id index, tally or ordering, ~50 bytes a chatter less at the whole document's
 * peak (issue 15: 307,600 chatters). */
static void summarise_grouped(const struct an_channel *ch, struct an_participation *out)
{
    size_t n = 0;
    for (size_t i = 0; i < ch->n_stays; i++)
        n += i == 0 || ch->stays[i].user_id != ch->stays[i - 1].user_id;
    out->unique_chatters = n;
    out->chatters = xcalloc(n ? n : 1, sizeof *out->chatters);
    struct an_chatter_time *c = out->chatters - 1;
    for (size_t i = 0; i < ch->n_stays; i++) {
        const struct an_stay *s = &ch->stays[i];
        if (i == 0 || s->user_id != ch->stays[i - 1].user_id)
            (++c)->user_id = s->user_id;
        int64_t last = an_stay_last_seq(ch, s);
        c->present_ms += an_channel_time(ch, last) - an_channel_time(ch, s->from_seq);
        c->captures_present += (size_t)(last - s->from_seq + 1);
        c->stays++;
        if (c->first_seq == 0 || s->from_seq < c->first_seq)
            c->first_seq = s->from_seq;
    }
    summarise_chatters(out);
}

int an_participation(const struct an_channel *ch, int64_t session_id,
                     const struct an_history *history, size_t n_history,
                     struct an_participation *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rc = an_channel_check(ch, err, errlen);
    if (rc)
        return rc;
    size_t n = ch->n_captures;
    /* starts[k]/ends[k]: stays whose first/last capture is k; index 0 and n+1 are padding. */
    size_t *starts = xcalloc(n + 2, sizeof *starts);
    size_t *ends = xcalloc(n + 2, sizeof *ends);
    for (size_t i = 0; i < ch->n_stays; i++) {
        starts[ch->stays[i].from_seq]++;
        ends[an_stay_last_seq(ch, &ch->stays[i])]++;
    }
    out->n_series = n;
    out->series = xcalloc(n ? n : 1, sizeof *out->series);
    size_t present = 0, total = 0;
    for (size_t k = 1; k <= n; k++) {
        struct an_capture_stat *c = &out->series[k - 1];
        size_t before = present;
        present = present + starts[k] - ends[k - 1];
        c->seq = (int64_t)k;
        c->taken_at_ms = an_channel_time(ch, (int64_t)k);
        c->chatters = present;
        c->joined = starts[k];
        c->left = ends[k - 1];
        c->churn = before ? (double)c->left / (double)before : 0.0;
        total += present;
        if (present > out->peak_chatters || k == 1) {
            out->peak_chatters = present;
            out->peak_seq = (int64_t)k;
            out->peak_at_ms = c->taken_at_ms;
        }
    }
    out->avg_chatters = n ? (double)total / (double)n : 0.0;
    if (grouped_by_chatter(ch)) {
        summarise_grouped(ch, out);
    } else {
        struct tally t;
        tally_init(&t, ch->n_stays / 2 + 16);
        add_channel(&t, ch);
        summarise(&t, out);
        tally_free(&t);
    }
    /* Chatters and history are both sorted by id: one merge instead of a search each. */
    for (size_t i = 0, h = 0; i < out->unique_chatters; i++) {
        const struct an_chatter_time *c = &out->chatters[i];
        while (h < n_history && history[h].user_id < c->user_id)
            h++;
        if (h == n_history || history[h].user_id != c->user_id ||
            history[h].first_session_id == session_id)
            out->series[c->first_seq - 1].new_to_channel++;
    }
    free(starts);
    free(ends);
    return 0;
}

/* One stay as a span of time, for the union of a chatter's stays over channels. */
struct span {
    uint32_t k;
    int64_t from_ms;
    int64_t to_ms;
};

static int span_cmp(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    if (x->k != y->k)
        return x->k < y->k ? -1 : 1;
    return (x->from_ms > y->from_ms) - (x->from_ms < y->from_ms);
}

/*
 * Replaces each chatter's summed time by the union of its stays over channels: a chatter
 * in two channels at once was present once (1:03:05-1:05:16 in both is 2 min 11 s, not
 * 4 min 22 s).
 */
static void union_present(struct tally *t, const struct an_channel *chs, size_t n_channels,
                          size_t n_stays)
{
    struct span *sp = xmalloc((n_stays ? n_stays : 1) * sizeof *sp);
    size_t n = 0;
    for (size_t c = 0; c < n_channels; c++)
        for (size_t i = 0; i < chs[c].n_stays; i++) {
            const struct an_stay *s = &chs[c].stays[i];
            sp[n].k = tally_add(t, s->user_id); /* already there: only looks it up */
            sp[n].from_ms = an_channel_time(&chs[c], s->from_seq);
            sp[n].to_ms = an_channel_time(&chs[c], an_stay_last_seq(&chs[c], s));
            n++;
        }
    qsort(sp, n, sizeof *sp, span_cmp);
    for (size_t i = 0; i < n;) {
        uint32_t k = sp[i].k;
        int64_t total = 0, from = sp[i].from_ms, to = sp[i].to_ms;
        for (i++; i < n && sp[i].k == k; i++) {
            if (sp[i].from_ms > to) {
                total += to - from;
                from = sp[i].from_ms;
            }
            if (sp[i].to_ms > to)
                to = sp[i].to_ms;
        }
        t->present_ms[k] = total + (to - from);
    }
    free(sp);
}

int an_participation_all(const struct an_channel *chs, size_t n_channels,
                         struct an_participation *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    size_t n_stays = 0;
    for (size_t c = 0; c < n_channels; c++) {
        int rc = an_channel_check(&chs[c], err, errlen);
        if (rc)
            return rc;
        n_stays += chs[c].n_stays;
    }
    struct tally t;
    tally_init(&t, n_stays / 2 + 16);
    for (size_t c = 0; c < n_channels; c++)
        add_channel(&t, &chs[c]);
    union_present(&t, chs, n_channels, n_stays);
    summarise(&t, out);
    /* Across channels a capture number means nothing, so first_seq is not reported. */
    for (size_t i = 0; i < out->unique_chatters; i++)
        out->chatters[i].first_seq = 0;
    tally_free(&t);
    return 0;
}

void an_participation_free(struct an_participation *p)
{
    free(p->series);
    free(p->chatters);
    memset(p, 0, sizeof *p);
}
