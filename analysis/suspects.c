/*
 * Multi-channel presence by a sweep over each account's stays, and rename counting over
 * each account's name history. Both sort once and walk once. Must never compare accounts
 * with each other: everything here is per account.
 */
#include "analysis/suspects.h"
#include "analysis/ids.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct span {
    int64_t user_id;
    size_t channel;
    int64_t from_ms;
    int64_t to_ms;
};

static int by_user_channel_start(const void *a, const void *b)
{
    const struct span *x = a, *y = b;
    if (x->user_id != y->user_id)
        return (x->user_id > y->user_id) - (x->user_id < y->user_id);
    if (x->channel != y->channel)
        return (x->channel > y->channel) - (x->channel < y->channel);
    return (x->from_ms > y->from_ms) - (x->from_ms < y->from_ms);
}

static int by_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Most spans covering one moment, and the first such moment. Only the sorted starts and
 * the sorted ends matter, not which end belongs to which start. */
static size_t most_at_once(int64_t *starts, int64_t *ends, size_t n, int64_t *at)
{
    qsort(starts, n, sizeof *starts, by_i64);
    qsort(ends, n, sizeof *ends, by_i64);
    size_t open = 0, most = 0, j = 0;
    /* Intervals are closed: a start at the same moment as an end still overlaps it. */
    for (size_t i = 0; i < n; i++) {
        while (j < n && ends[j] < starts[i]) {
            open--;
            j++;
        }
        open++;
        if (open > most) {
            most = open;
            *at = starts[i];
        }
    }
    return most;
}

/* Sweeps the spans of one user (sorted by channel then start): stays of one channel that
 * touch in time (two captures with the same taken_at) are merged first, so the count is
 * one of channels, never of stays. */
static size_t user_channels(const struct span *spans, size_t n, int64_t *starts, int64_t *ends,
                            int64_t *at)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        if (m && spans[i].channel == spans[i - 1].channel && spans[i].from_ms <= ends[m - 1]) {
            if (spans[i].to_ms > ends[m - 1])
                ends[m - 1] = spans[i].to_ms;
            continue;
        }
        starts[m] = spans[i].from_ms;
        ends[m++] = spans[i].to_ms;
    }
    return most_at_once(starts, ends, m, at);
}

static int multi_by_user(const void *a, const void *b)
{
    const struct an_multi *x = a, *y = b;
    return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

int an_multi_channel(const struct an_channel *chs, size_t n_channels, size_t min_channels,
                     struct an_multi **out, size_t *n_out, char *err, size_t errlen)
{
    *out = NULL;
    *n_out = 0;
    size_t total = 0;
    for (size_t c = 0; c < n_channels; c++) {
        int rc = an_channel_check(&chs[c], err, errlen);
        if (rc)
            return rc;
        total += chs[c].n_stays;
    }
    *out = xmalloc(sizeof **out);
    if (n_channels < min_channels)
        return 0; /* nobody can be in more channels than there are */
    /* Group stays by chatter with a counting sort over the id index's numbers: a qsort of
     * every stay of a session was the largest cost of the session statistics. */
    struct an_id_index ix;
    an_id_index_init(&ix, total / 2 + 16);
    uint32_t *number = xmalloc((total ? total : 1) * sizeof *number);
    size_t k = 0;
    for (size_t c = 0; c < n_channels; c++)
        for (size_t i = 0; i < chs[c].n_stays; i++)
            number[k++] = an_id_index_add(&ix, chs[c].stays[i].user_id);
    size_t *first = xcalloc((size_t)ix.n + 1, sizeof *first);
    for (size_t i = 0; i < total; i++)
        first[number[i] + 1]++;
    for (size_t u = 0; u < ix.n; u++)
        first[u + 1] += first[u];
    struct span *spans = xmalloc((total ? total : 1) * sizeof *spans);
    k = 0;
    for (size_t c = 0; c < n_channels; c++)
        for (size_t i = 0; i < chs[c].n_stays; i++, k++) {
            const struct an_stay *s = &chs[c].stays[i];
            spans[first[number[k]]++] =
                (struct span){s->user_id, c, an_channel_time(&chs[c], s->from_seq),
                              an_channel_time(&chs[c], an_stay_last_seq(&chs[c], s))};
        }
    free(number);
    int64_t *starts = xmalloc((total ? total : 1) * sizeof *starts);
    int64_t *ends = xmalloc((total ? total : 1) * sizeof *ends);
    struct an_multi *multi = xmalloc(((size_t)ix.n + 1) * sizeof *multi);
    /* After the fill, first[u] is where user u's spans end and first[u - 1] where they start. */
    for (size_t u = 0, from = 0; u < ix.n; from = first[u], u++) {
        size_t n = first[u] - from;
        if (n < min_channels)
            continue;
        qsort(&spans[from], n, sizeof *spans, by_user_channel_start);
        int64_t at = 0;
        size_t most = user_channels(&spans[from], n, starts, ends, &at);
        if (most >= min_channels)
            multi[(*n_out)++] = (struct an_multi){spans[from].user_id, most, at};
    }
    /* Report by user id: sort the few found, not every chatter. */
    qsort(multi, *n_out, sizeof *multi, multi_by_user);
    free(*out);
    *out = multi;
    free(spans);
    free(starts);
    free(ends);
    free(first);
    an_id_index_free(&ix);
    return 0;
}

struct row_ref {
    const struct an_name *row;
    size_t order; /* input position, so equal seen_at keeps the caller's order */
};

static int by_user_then_seen(const void *a, const void *b)
{
    const struct row_ref *x = a, *y = b;
    if (x->row->user_id != y->row->user_id)
        return (x->row->user_id > y->row->user_id) - (x->row->user_id < y->row->user_id);
    if (x->row->seen_at_ms != y->row->seen_at_ms)
        return (x->row->seen_at_ms > y->row->seen_at_ms) -
               (x->row->seen_at_ms < y->row->seen_at_ms);
    return (x->order > y->order) - (x->order < y->order);
}

static int same_text(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

void an_renamers(const struct an_name *rows, size_t n, size_t min_renames, struct an_renamer **out,
                 size_t *n_out)
{
    struct row_ref *refs = xmalloc((n ? n : 1) * sizeof *refs);
    for (size_t i = 0; i < n; i++)
        refs[i] = (struct row_ref){&rows[i], i};
    qsort(refs, n, sizeof *refs, by_user_then_seen);
    *out = xmalloc((n ? n : 1) * sizeof **out);
    *n_out = 0;
    for (size_t from = 0, i = 1; from < n; i++) {
        if (i < n && refs[i].row->user_id == refs[from].row->user_id)
            continue;
        size_t renames = 0;
        for (size_t j = from + 1; j < i; j++)
            renames += !same_text(refs[j].row->login, refs[j - 1].row->login) ||
                       !same_text(refs[j].row->display_name, refs[j - 1].row->display_name);
        if (renames >= min_renames && renames > 0)
            (*out)[(*n_out)++] = (struct an_renamer){refs[from].row->user_id, renames,
                                                     refs[from].row->login, refs[i - 1].row->login};
        from = i;
    }
    free(refs);
}
