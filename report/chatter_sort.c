/*
 * The chatter table's indexes, one ascending order of rows per sort key, and the sorts behind
 * them: a stable LSD radix sort of (64-bit key, row) pairs, and the login order built from it
 * 8 bytes of login at a time. A million rows sort in
 * tens of milliseconds where qsort with a compare took 75-260 ms a key and ~400 ms for the
 * logins (measured with bench_chatter_table). Must never change an order: ties are broken
 * exactly as the compares they replace (the login, then the id).
 */
#include "report/chatter_table.h"
#include "report/internal.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Under this many items an insertion sort beats the radix sort's 8 histograms. */
#define SMALL 48

static void insertion(struct rp_sort_item *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        struct rp_sort_item v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1].key > v.key; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* tmp holds n items. Bytes every key shares cost no pass, so a key range of a few
 * thousand sorts in about 2 passes besides the rank's. */
static void radix(struct rp_sort_item *a, struct rp_sort_item *tmp, size_t n)
{
    if (n < SMALL) {
        insertion(a, n);
        return;
    }
    size_t(*count)[256] = xcalloc(8, sizeof *count);
    for (size_t i = 0; i < n; i++)
        for (int b = 0; b < 8; b++)
            count[b][(a[i].key >> (8 * b)) & 255]++;
    struct rp_sort_item *src = a, *dst = tmp;
    for (int b = 0; b < 8; b++) {
        if (count[b][(a[0].key >> (8 * b)) & 255] == n)
            continue;
        size_t pos = 0;
        for (int d = 0; d < 256; d++) {
            size_t c = count[b][d];
            count[b][d] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[b][(src[i].key >> (8 * b)) & 255]++] = src[i];
        struct rp_sort_item *swap = src;
        src = dst;
        dst = swap;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    free(count);
}

void rp_sort_items(struct rp_sort_item *a, size_t n)
{
    if (n < SMALL) {
        insertion(a, n);
        return;
    }
    struct rp_sort_item *tmp = xmalloc(n * sizeof *tmp);
    radix(a, tmp, n);
    free(tmp);
}

/* Bytes [0, 8) of s as a big-endian number, zeros after its end: numbers compare as strcmp
 * compares the bytes (unsigned). */
static uint64_t chunk(const char *s)
{
    uint64_t k = 0;
    for (int i = 0; i < 8 && s[i]; i++)
        k |= (uint64_t)(unsigned char)s[i] << (56 - 8 * i);
    return k;
}

/* a holds the bytes [depth, depth + 8) of their logins, sorted here; equal runs go on with
 * the next 8 bytes, or by id once the logins ended (are equal). */
static void sort_logins(const struct rp_chatter_table *t, struct rp_sort_item *a,
                        struct rp_sort_item *tmp, size_t n, size_t depth)
{
    radix(a, tmp, n);
    for (size_t lo = 0; lo < n;) {
        size_t hi = lo + 1;
        while (hi < n && a[hi].key == a[lo].key)
            hi++;
        if (hi - lo > 1 && (a[lo].key & 255) == 0) {
            for (size_t k = lo; k < hi; k++) /* ids sort as unsigned once the sign is flipped */
                a[k].key = (uint64_t)t->id[a[k].row] ^ (UINT64_C(1) << 63);
            radix(a + lo, tmp, hi - lo);
        } else if (hi - lo > 1) {
            for (size_t k = lo; k < hi; k++)
                a[k].key = chunk(t->pool + t->login[a[k].row] + depth + 8);
            sort_logins(t, a + lo, tmp, hi - lo, depth + 8);
        }
        lo = hi;
    }
}

void rp_sort_logins(const struct rp_chatter_table *t, uint32_t *out)
{
    size_t n = t->n;
    struct rp_sort_item *a = xmalloc((n ? n : 1) * sizeof *a);
    struct rp_sort_item *tmp = xmalloc((n ? n : 1) * sizeof *tmp);
    for (size_t i = 0; i < n; i++)
        a[i] = (struct rp_sort_item){chunk(t->pool + t->login[i]), (uint32_t)i};
    sort_logins(t, a, tmp, n, 0);
    for (size_t i = 0; i < n; i++)
        out[i] = a[i].row;
    free(a);
    free(tmp);
}

static int64_t key_of(const struct rp_chatter_table *t, int key, uint32_t i)
{
    switch (key) {
    case REPORT_SORT_STATUS:
        return t->returning[i];
    case REPORT_SORT_FLAGS:
        return t->flag_rank[t->reasons[i]];
    /* times sort by the second shown (RFC 3339 without fractions): equal shown times fall
     * back to the login, as a reader would expect */
    case REPORT_SORT_CREATED:
        return t->created[i] / 1000;
    case REPORT_SORT_CAPTURES:
        return t->captures_seen[i];
    case REPORT_SORT_PRESENT:
        return t->present_s[i];
    case REPORT_SORT_FIRST_SEEN:
        return t->first[i] / 1000;
    case REPORT_SORT_LAST_SEEN:
        return t->last[i] / 1000;
    case REPORT_SORT_ROLE:
        return t->role[i];
    default:
        return 0;
    }
}

struct sort_key {
    int64_t key;
    uint32_t rank, row;
};

/* By the key, then by login order: the rank makes the tie an integer compare. */
static int cmp_key(const void *a, const void *b)
{
    const struct sort_key *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return (x->rank > y->rank) - (x->rank < y->rank);
}

static int cmp_text(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The rows by key, then login: one 64-bit radix key (the key above its least value, the
 * login rank below) when the keys span less than 2^32, a compare sort otherwise (times
 * before 1970 and after 2106 together; never seen). */
static uint32_t *sort_by_key(const struct rp_chatter_table *t, int key)
{
    size_t n = t->n;
    uint32_t *order = xmalloc((n ? n : 1) * sizeof *order);
    int64_t lo = n ? key_of(t, key, 0) : 0, hi = lo;
    for (size_t i = 1; i < n; i++) {
        int64_t k = key_of(t, key, (uint32_t)i);
        lo = k < lo ? k : lo;
        hi = k > hi ? k : hi;
    }
    if ((uint64_t)hi - (uint64_t)lo <= UINT32_MAX) {
        struct rp_sort_item *a = xmalloc((n ? n : 1) * sizeof *a);
        for (size_t i = 0; i < n; i++)
            a[i] = (struct rp_sort_item){
                (uint64_t)(key_of(t, key, (uint32_t)i) - lo) << 32 | t->rank[i], (uint32_t)i};
        rp_sort_items(a, n);
        for (size_t i = 0; i < n; i++)
            order[i] = a[i].row;
        free(a);
        return order;
    }
    struct sort_key *sk = xmalloc((n ? n : 1) * sizeof *sk);
    for (size_t i = 0; i < n; i++)
        sk[i] = (struct sort_key){key_of(t, key, (uint32_t)i), t->rank[i], (uint32_t)i};
    qsort(sk, n, sizeof *sk, cmp_key);
    for (size_t i = 0; i < n; i++)
        order[i] = sk[i].row;
    free(sk);
    return order;
}

const uint32_t *rp_chatter_order(struct rp_chatter_table *t, int key)
{
    if (t->order[key])
        return t->order[key];
    if (!t->rank) {
        uint32_t *by_login = xmalloc((t->n ? t->n : 1) * sizeof *by_login);
        rp_sort_logins(t, by_login);
        t->rank = xmalloc((t->n ? t->n : 1) * sizeof *t->rank);
        for (size_t i = 0; i < t->n; i++)
            t->rank[by_login[i]] = (uint32_t)i;
        t->order[REPORT_SORT_LOGIN] = by_login;
        /* the 32 possible flag sets, ranked by their text */
        char names[32][128];
        const char *sorted[32];
        for (uint32_t b = 0; b < 32; b++) {
            rp_reason_names(b, names[b], sizeof names[b]);
            sorted[b] = names[b];
        }
        qsort(sorted, 32, sizeof *sorted, cmp_text);
        for (uint32_t r = 0; r < 32; r++)
            t->flag_rank[(sorted[r] - names[0]) / sizeof names[0]] = r;
    }
    if (!t->order[key])
        t->order[key] = sort_by_key(t, key);
    return t->order[key];
}
