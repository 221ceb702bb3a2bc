/*
 * Id index and id sorting. The index is the one place where 64-bit Twitch ids become
 * 32-bit numbers; everything else indexes arrays and bitmaps by those numbers. Must never
 * hand out a number twice or depend on the order of the hash slots.
 */
#include "analysis/ids.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static uint32_t slot_of(int64_t id, uint32_t mask)
{
    /* Fibonacci hashing: Twitch ids are roughly sequential, which plain modulo would cluster. */
    uint64_t h = (uint64_t)id * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(h >> 32) & mask;
}

void an_id_index_init(struct an_id_index *ix, size_t expected)
{
    uint32_t slots = 16;
    while (slots < expected * 2 && slots < (1u << 31))
        slots <<= 1;
    ix->mask = slots - 1;
    ix->slots = xcalloc(slots, sizeof *ix->slots);
    ix->cap = expected ? (uint32_t)expected : 8;
    ix->ids = xmalloc(ix->cap * sizeof *ix->ids);
    ix->n = 0;
}

static void grow(struct an_id_index *ix)
{
    uint32_t slots = (ix->mask + 1) * 2;
    free(ix->slots);
    ix->slots = xcalloc(slots, sizeof *ix->slots);
    ix->mask = slots - 1;
    for (uint32_t i = 0; i < ix->n; i++) {
        uint32_t s = slot_of(ix->ids[i], ix->mask);
        while (ix->slots[s])
            s = (s + 1) & ix->mask;
        ix->slots[s] = i + 1;
    }
}

uint32_t an_id_index_add(struct an_id_index *ix, int64_t id)
{
    uint32_t s = slot_of(id, ix->mask);
    for (; ix->slots[s]; s = (s + 1) & ix->mask)
        if (ix->ids[ix->slots[s] - 1] == id)
            return ix->slots[s] - 1;
    if (ix->n == ix->cap) {
        ix->cap *= 2;
        ix->ids = xreallocarray(ix->ids, ix->cap, sizeof *ix->ids);
    }
    uint32_t number = ix->n++;
    ix->ids[number] = id;
    ix->slots[s] = number + 1;
    if ((uint64_t)ix->n * 2 > ix->mask)
        grow(ix);
    return number;
}

int an_id_index_find(const struct an_id_index *ix, int64_t id, uint32_t *number)
{
    if (!ix->slots)
        return 0;
    for (uint32_t s = slot_of(id, ix->mask); ix->slots[s]; s = (s + 1) & ix->mask)
        if (ix->ids[ix->slots[s] - 1] == id) {
            *number = ix->slots[s] - 1;
            return 1;
        }
    return 0;
}

void an_id_index_free(struct an_id_index *ix)
{
    free(ix->ids);
    free(ix->slots);
    memset(ix, 0, sizeof *ix);
}

/* Two 16-bit radix passes. */
static void sort_numbers(uint32_t *a, size_t n)
{
    uint32_t *tmp = xmalloc((n ? n : 1) * sizeof *tmp), *src = a, *dst = tmp;
    for (int shift = 0; shift < 32; shift += 16) {
        size_t *count = xcalloc(65536, sizeof *count);
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xffff]++;
        size_t pos = 0;
        for (size_t b = 0; b < 65536; b++) {
            size_t c = count[b];
            count[b] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xffff]++] = src[i];
        free(count);
        uint32_t *t = src;
        src = dst;
        dst = t;
    }
    /* Two passes: the sorted data is back in a. */
    free(tmp);
}

roaring_bitmap_t *an_id_index_bitmap(struct an_id_index *ix, const int64_t *ids, size_t n)
{
    uint32_t *numbers = xmalloc((n ? n : 1) * sizeof *numbers);
    for (size_t i = 0; i < n; i++)
        numbers[i] = an_id_index_add(ix, ids[i]);
    /* Sorted input lets CRoaring append instead of inserting into the middle of array
     * containers: it about halved the 20-channel matrix of bench_analysis. */
    sort_numbers(numbers, n);
    roaring_bitmap_t *b = roaring_bitmap_create();
    roaring_bitmap_add_many(b, n, numbers);
    free(numbers);
    return b;
}

void an_ids_sort(int64_t *ids, size_t n)
{
    /* ids read from the store usually come in key order already: a look costs a few
     * instructions an id where the radix passes cost ~100 */
    size_t sorted = 1;
    while (sorted < n && ids[sorted - 1] <= ids[sorted])
        sorted++;
    if (sorted >= n)
        return;
    if (n < 64) {
        for (size_t i = 1; i < n; i++) {
            int64_t v = ids[i];
            size_t j = i;
            for (; j > 0 && ids[j - 1] > v; j--)
                ids[j] = ids[j - 1];
            ids[j] = v;
        }
        return;
    }
    /* Radix on the bits flipped at the sign so negative ids (never seen, but legal) sort
     * first; passes whose byte is the same for every id are skipped, so the usual ids
     * (below 2^40) cost five passes. */
    uint64_t *a = (uint64_t *)ids, *tmp = xmalloc(n * sizeof *tmp), *src = a, *dst = tmp;
    const uint64_t flip = 1ull << 63;
    for (size_t i = 0; i < n; i++)
        a[i] ^= flip;
    for (int shift = 0; shift < 64; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[(src[i] >> shift) & 0xff]++;
        if (count[(src[0] >> shift) & 0xff] == n)
            continue;
        size_t pos = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i] >> shift) & 0xff]++] = src[i];
        uint64_t *t = src;
        src = dst;
        dst = t;
    }
    if (src != a)
        memcpy(a, src, n * sizeof *a);
    for (size_t i = 0; i < n; i++)
        a[i] ^= flip;
    free(tmp);
}

struct keyed {
    uint64_t key;
    uint32_t at;
};

void an_ids_order(const int64_t *ids, size_t n, uint32_t *order)
{
    /* ids in order already (an id index filled from stays read in key order): no passes,
     * and none of their 32 bytes an id */
    size_t sorted = 1;
    while (sorted < n && ids[sorted - 1] <= ids[sorted])
        sorted++;
    if (sorted >= n) {
        for (size_t i = 0; i < n; i++)
            order[i] = (uint32_t)i;
        return;
    }
    /* The same radix passes as an_ids_sort, carrying each id's position along. */
    struct keyed *src = xmalloc((n ? n : 1) * sizeof *src),
                 *dst = xmalloc((n ? n : 1) * sizeof *dst);
    for (size_t i = 0; i < n; i++)
        src[i] = (struct keyed){(uint64_t)ids[i] ^ (1ull << 63), (uint32_t)i};
    for (int shift = 0; shift < 64 && n; shift += 8) {
        size_t count[256] = {0};
        for (size_t i = 0; i < n; i++)
            count[(src[i].key >> shift) & 0xff]++;
        if (count[(src[0].key >> shift) & 0xff] == n)
            continue;
        size_t pos = 0;
        for (int b = 0; b < 256; b++) {
            size_t c = count[b];
            count[b] = pos;
            pos += c;
        }
        for (size_t i = 0; i < n; i++)
            dst[count[(src[i].key >> shift) & 0xff]++] = src[i];
        struct keyed *t = src;
        src = dst;
        dst = t;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = src[i].at;
    free(src);
    free(dst);
}

size_t an_ids_sort_unique(int64_t *ids, size_t n)
{
    if (n < 2)
        return n;
    an_ids_sort(ids, n);
    size_t w = 1;
    for (size_t r = 1; r < n; r++)
        if (ids[r] != ids[w - 1])
            ids[w++] = ids[r];
    return w;
}

int an_ids_contain(const int64_t *ids, size_t n, int64_t id)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (ids[mid] < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && ids[lo] == id;
}
