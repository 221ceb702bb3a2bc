/*
 * Overlap by bitmaps. Ids are numbered by one shared index per call, so the same chatter
 * has the same number in every set; only the shared ids of a pair are ever turned back into
 * Twitch ids. Must never compare ids pairwise (quadratic in the audience).
 */
#include "analysis/overlap.h"
#include "analysis/ids.h"
#include "base/xalloc.h"

#include <roaring/roaring.h>
#include <stdlib.h>
#include <string.h>

void an_overlap(const int64_t *a, size_t na, const int64_t *b, size_t nb, struct an_overlap *out)
{
    memset(out, 0, sizeof *out);
    struct an_id_index ix;
    an_id_index_init(&ix, na + nb);
    roaring_bitmap_t *ba = an_id_index_bitmap(&ix, a, na);
    roaring_bitmap_t *bb = an_id_index_bitmap(&ix, b, nb);
    roaring_bitmap_t *both = roaring_bitmap_and(ba, bb);
    out->a = roaring_bitmap_get_cardinality(ba);
    out->b = roaring_bitmap_get_cardinality(bb);
    out->shared = roaring_bitmap_get_cardinality(both);
    out->either = out->a + out->b - out->shared;
    out->jaccard = out->either ? (double)out->shared / (double)out->either : 0.0;
    uint32_t *numbers = xmalloc((out->shared ? out->shared : 1) * sizeof *numbers);
    roaring_bitmap_to_uint32_array(both, numbers);
    out->shared_ids = xmalloc((out->shared ? out->shared : 1) * sizeof *out->shared_ids);
    for (size_t i = 0; i < out->shared; i++)
        out->shared_ids[i] = ix.ids[numbers[i]];
    an_ids_sort(out->shared_ids, out->shared);
    free(numbers);
    roaring_bitmap_free(ba);
    roaring_bitmap_free(bb);
    roaring_bitmap_free(both);
    an_id_index_free(&ix);
}

void an_overlap_free(struct an_overlap *o)
{
    free(o->shared_ids);
    memset(o, 0, sizeof *o);
}

static void matrix_alloc(struct an_overlap_matrix *m, size_t n)
{
    m->n = n;
    m->keys = xcalloc(n ? n : 1, sizeof *m->keys);
    m->sizes = xcalloc(n ? n : 1, sizeof *m->sizes);
    size_t cells = n ? n * n : 1;
    m->shared = xcalloc(cells, sizeof *m->shared);
    m->jaccard = xcalloc(cells, sizeof *m->jaccard);
}

/* Fills the matrix from one bitmap per set. */
static void matrix_fill(struct an_overlap_matrix *m, roaring_bitmap_t **sets)
{
    size_t n = m->n;
    for (size_t i = 0; i < n; i++) {
        roaring_bitmap_run_optimize(sets[i]);
        m->sizes[i] = roaring_bitmap_get_cardinality(sets[i]);
    }
    for (size_t i = 0; i < n; i++) {
        m->shared[i * n + i] = m->sizes[i];
        m->jaccard[i * n + i] = m->sizes[i] ? 1.0 : 0.0;
        for (size_t j = i + 1; j < n; j++) {
            size_t both = roaring_bitmap_and_cardinality(sets[i], sets[j]);
            size_t either = m->sizes[i] + m->sizes[j] - both;
            double jac = either ? (double)both / (double)either : 0.0;
            m->shared[i * n + j] = m->shared[j * n + i] = both;
            m->jaccard[i * n + j] = m->jaccard[j * n + i] = jac;
        }
    }
}

void an_overlap_matrix(const struct an_id_set *sets, size_t n, struct an_overlap_matrix *out)
{
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += sets[i].n;
    matrix_alloc(out, n);
    struct an_id_index ix;
    an_id_index_init(&ix, total / 2 + 16);
    roaring_bitmap_t **maps = xcalloc(n ? n : 1, sizeof *maps);
    for (size_t i = 0; i < n; i++) {
        out->keys[i] = sets[i].key;
        maps[i] = an_id_index_bitmap(&ix, sets[i].ids, sets[i].n);
    }
    matrix_fill(out, maps);
    for (size_t i = 0; i < n; i++)
        roaring_bitmap_free(maps[i]);
    free(maps);
    an_id_index_free(&ix);
}

/* The distinct chatters of stays grouped by chatter (as the store gives them: each chatter's
 * stays adjacent, chatters ascending); 0 with *grouped 0 when they are not. */
static size_t distinct_grouped(const struct an_channel *ch, int *grouped)
{
    size_t n = ch->n_stays ? 1 : 0;
    *grouped = 1;
    for (size_t s = 1; s < ch->n_stays && *grouped; s++) {
        int64_t a = ch->stays[s - 1].user_id, b = ch->stays[s].user_id;
        *grouped = a <= b;
        n += a != b;
    }
    return *grouped ? n : 0;
}

void an_overlap_channels(const struct an_channel *chs, size_t n, struct an_overlap_matrix *out)
{
    int grouped = 0;
    size_t one = n == 1 ? distinct_grouped(&chs[0], &grouped) : 0;
    if (grouped) {
        /* One channel shares nothing: its size is all there is, counted without an id index
         * or a bitmap (a tenth of the session document's CPU on issue 15's session). */
        matrix_alloc(out, 1);
        out->keys[0] = chs[0].channel_id;
        out->sizes[0] = out->shared[0] = one;
        out->jaccard[0] = one ? 1.0 : 0.0;
        return;
    }
    size_t total = 0, most = 0;
    for (size_t i = 0; i < n; i++) {
        total += chs[i].n_stays;
        most = chs[i].n_stays > most ? chs[i].n_stays : most;
    }
    matrix_alloc(out, n);
    struct an_id_index ix;
    an_id_index_init(&ix, total / 2 + 16);
    roaring_bitmap_t **maps = xcalloc(n ? n : 1, sizeof *maps);
    uint32_t *numbers = xmalloc((most ? most : 1) * sizeof *numbers);
    for (size_t i = 0; i < n; i++) {
        out->keys[i] = chs[i].channel_id;
        for (size_t s = 0; s < chs[i].n_stays; s++)
            numbers[s] = an_id_index_add(&ix, chs[i].stays[s].user_id);
        maps[i] = roaring_bitmap_create();
        roaring_bitmap_add_many(maps[i], chs[i].n_stays, numbers);
    }
    matrix_fill(out, maps);
    for (size_t i = 0; i < n; i++)
        roaring_bitmap_free(maps[i]);
    free(maps);
    free(numbers);
    an_id_index_free(&ix);
}

void an_overlap_matrix_free(struct an_overlap_matrix *m)
{
    free(m->keys);
    free(m->sizes);
    free(m->shared);
    free(m->jaccard);
    memset(m, 0, sizeof *m);
}
