/*
 * New/returning classification by one merge of two id-sorted arrays. A session listed
 * twice in a history counts once, and the current session never counts as an earlier one,
 * whatever order the store returns visits in. Must never rank by anything the caller cannot
 * reproduce (ties are broken by user id).
 */
#include "analysis/viewers.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Distinct sessions other than `current` among visits; small lists, so quadratic is fine. */
static size_t earlier_sessions(const struct an_history *h, int64_t current, int64_t *last_seen)
{
    size_t n = 0;
    *last_seen = 0;
    for (size_t i = 0; i < h->n_visits; i++) {
        const struct an_visit *v = &h->visits[i];
        if (v->session_id == current)
            continue;
        size_t j = 0;
        while (j < i && h->visits[j].session_id != v->session_id)
            j++;
        n += j == i;
        if (v->last_seen_ms > *last_seen)
            *last_seen = v->last_seen_ms;
    }
    return n;
}

void an_viewers(int64_t session_id, const struct an_chatter_time *chatters, size_t n,
                const struct an_history *history, size_t n_history, struct an_viewers *out)
{
    memset(out, 0, sizeof *out);
    out->viewers = xcalloc(n ? n : 1, sizeof *out->viewers);
    out->n = n;
    size_t h = 0;
    for (size_t i = 0; i < n; i++) {
        struct an_viewer *v = &out->viewers[i];
        v->user_id = chatters[i].user_id;
        v->present_ms = chatters[i].present_ms;
        while (h < n_history && history[h].user_id < v->user_id)
            h++;
        const struct an_history *hist =
            h < n_history && history[h].user_id == v->user_id ? &history[h] : NULL;
        if (hist) {
            v->returning = hist->first_session_id != session_id;
            v->earlier_sessions = earlier_sessions(hist, session_id, &v->last_seen_ms);
        }
        v->sessions = v->earlier_sessions + 1;
        if (v->returning)
            out->n_returning++;
        else
            out->n_new++;
    }
}

void an_viewers_free(struct an_viewers *v)
{
    free(v->viewers);
    memset(v, 0, sizeof *v);
}

static int by_loyalty(const void *a, const void *b)
{
    const struct an_viewer *x = a, *y = b;
    if (x->sessions != y->sessions)
        return x->sessions < y->sessions ? 1 : -1;
    if (x->present_ms != y->present_ms)
        return x->present_ms < y->present_ms ? 1 : -1;
    return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

/* Sifts heap[i] down a heap whose root is the least loyal of the kept viewers. */
static void sift_down(struct an_viewer *heap, size_t n, size_t i)
{
    for (;;) {
        size_t least = i, l = 2 * i + 1, r = l + 1;
        if (l < n && by_loyalty(&heap[l], &heap[least]) > 0)
            least = l;
        if (r < n && by_loyalty(&heap[r], &heap[least]) > 0)
            least = r;
        if (least == i)
            return;
        struct an_viewer t = heap[i];
        heap[i] = heap[least];
        heap[least] = t;
        i = least;
    }
}

struct an_viewer *an_regulars(const struct an_viewers *v, size_t top, size_t *n_out)
{
    /* Keep the best `top` in a heap: sorting every chatter of a big session to show a
     * hundred was a fifth of the session statistics. */
    size_t k = v->n < top ? v->n : top;
    struct an_viewer *heap = xmalloc((k ? k : 1) * sizeof *heap);
    memcpy(heap, v->viewers, k * sizeof *heap);
    for (size_t i = k / 2; i-- > 0;)
        sift_down(heap, k, i);
    for (size_t i = k; i < v->n && k; i++)
        if (by_loyalty(&v->viewers[i], &heap[0]) < 0) {
            heap[0] = v->viewers[i];
            sift_down(heap, k, 0);
        }
    qsort(heap, k, sizeof *heap, by_loyalty);
    *n_out = k;
    return heap;
}
