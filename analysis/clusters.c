/*
 * Cluster finding: split each login into stem and number, group by stem, order each group by
 * creation time, and cut a cluster wherever the gap between two creations passes the window.
 * The work and memory go to compact keys (a 32-bit stem hash and the profile's position; a
 * group's creation times packed with positions into one integer), never to a record per
 * chatter: a 1,000,000-chatter session is the common case. Strings are compared only within
 * one hash, so a hash collision costs time, never a wrong cluster. Must never merge two stems:
 * "viewer_1" and "viewer1" are different stems on purpose, a script uses one pattern.
 */
#include "analysis/clusters.h"
#include "analysis/ids.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DIGITS 18
#define BUCKET_BITS 16

struct an_cluster_rule an_cluster_rule_default(void)
{
    return (struct an_cluster_rule){
        .window_ms = 24LL * 3600000, .min_size = 5, .min_stem = 3, .max_number_spread = 100};
}

/* Whether a login takes part; *stem: where its stem ends (the stem may be empty when
 * min_stem is 0). */
static int split(const char *login, size_t min_stem, size_t *stem)
{
    if (!login)
        return 0;
    size_t len = strlen(login), digits = 0;
    if (len >= sizeof((struct an_cluster *)0)->stem)
        return 0;
    while (digits < len && login[len - 1 - digits] >= '0' && login[len - 1 - digits] <= '9')
        digits++;
    *stem = len - digits;
    return digits > 0 && digits <= MAX_DIGITS && *stem >= min_stem;
}

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* FNV-1a of the lowercase stem. */
static uint32_t stem_hash(const char *login, size_t stem)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < stem; i++)
        h = (h ^ (uint8_t)lower(login[i])) * 16777619u;
    return h;
}

static uint64_t number_of(const char *login)
{
    size_t len = strlen(login), stem = len;
    while (stem > 0 && login[stem - 1] >= '0' && login[stem - 1] <= '9')
        stem--;
    uint64_t v = 0;
    for (size_t i = stem; i < len; i++)
        v = v * 10 + (uint64_t)(login[i] - '0');
    return v;
}

/* strcmp of two qualifying logins' lowercase stems. */
static int stem_cmp(const char *a, const char *b)
{
    size_t la = 0, lb = 0;
    split(a, 0, &la);
    split(b, 0, &lb);
    for (size_t i = 0; i < la && i < lb; i++) {
        unsigned char x = (unsigned char)lower(a[i]), y = (unsigned char)lower(b[i]);
        if (x != y)
            return x < y ? -1 : 1;
    }
    return (la > lb) - (la < lb);
}

/* 1 when login's stem is first's (stem bytes long); one pass over login. */
static int same_stem(const char *first, size_t stem, const char *login)
{
    for (size_t i = 0; i < stem; i++)
        if (lower(first[i]) != lower(login[i]))
            return 0;
    size_t i = stem;
    while (login[i] >= '0' && login[i] <= '9')
        i++;
    return i > stem && login[i] == '\0';
}

/* What the steps share: the input and the clusters found so far. */
struct work {
    const struct an_profile *p;
    const struct an_cluster_rule *rule;
    struct an_clusters *out;
    size_t cap;
};

static int by_size(const void *a, const void *b)
{
    const struct an_cluster *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    int c = strcmp(x->stem, y->stem);
    if (c)
        return c;
    return (x->first_created_ms > y->first_created_ms) -
           (x->first_created_ms < y->first_created_ms);
}

/* Keys of 4 bytes (positions) or 8 (creation-time keys), read and written through these so
 * that one sort serves both. */
static uint64_t key_at(const void *a, size_t width, size_t i)
{
    return width == 4 ? ((const uint32_t *)a)[i] : ((const uint64_t *)a)[i];
}

static void key_put(void *a, size_t width, size_t i, uint64_t v)
{
    if (width == 4)
        ((uint32_t *)a)[i] = (uint32_t)v;
    else
        ((uint64_t *)a)[i] = v;
}

/* In-place radix sort from the byte at shift down (most significant byte first, buckets
 * swapped into place): the least-significant-first passes of an_ids_sort need a second array
 * as large as the keys, 8 bytes an account at the flags pass's peak when one stem holds a
 * million accounts. Positions sorted this way make a cluster's members read in the profiles'
 * order, not scattered by creation time over a big session. */
static void sort_in_place(void *a, size_t width, size_t n, unsigned shift)
{
    if (n < 64) {
        for (size_t i = 1; i < n; i++) {
            uint64_t v = key_at(a, width, i);
            size_t j = i;
            for (; j > 0 && key_at(a, width, j - 1) > v; j--)
                key_put(a, width, j, key_at(a, width, j - 1));
            key_put(a, width, j, v);
        }
        return;
    }
    size_t start[257] = {0}, next[256];
    for (size_t i = 0; i < n; i++)
        start[(key_at(a, width, i) >> shift & 0xff) + 1]++;
    if (start[(key_at(a, width, 0) >> shift & 0xff) + 1] == n) { /* the next byte decides */
        if (shift)
            sort_in_place(a, width, n, shift - 8);
        return;
    }
    for (int b = 0; b < 256; b++)
        start[b + 1] += start[b];
    memcpy(next, start, sizeof next);
    for (unsigned b = 0; b < 256; b++) {
        while (next[b] < start[b + 1]) {
            uint64_t v = key_at(a, width, next[b]);
            unsigned d = v >> shift & 0xff;
            while (d != b) { /* v goes to its bucket; what was there comes back */
                uint64_t t = key_at(a, width, next[d]);
                key_put(a, width, next[d]++, v);
                v = t;
                d = v >> shift & 0xff;
            }
            key_put(a, width, next[b]++, v);
        }
    }
    for (int b = 0; shift && b < 256; b++)
        if (start[b + 1] - start[b] > 1)
            sort_in_place((char *)a + start[b] * width, width, start[b + 1] - start[b], shift - 8);
}

/* A cluster: pos[0..n) the positions of its profiles (reordered here), created from first_ms
 * to last_ms. A script numbers its accounts near each other; people who happen to share a
 * stem pick numbers (years, ids) scattered over millions. */
static void emit(struct work *w, uint32_t *pos, size_t n, int64_t first_ms, int64_t last_ms)
{
    sort_in_place(pos, sizeof *pos, n, 24);
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t v = number_of(w->p[pos[i]].login);
        lo = v < lo ? v : lo;
        hi = v > hi ? v : hi;
    }
    if (w->rule->max_number_spread && hi - lo >= (uint64_t)w->rule->max_number_spread * n)
        return;
    if (w->out->n == w->cap) {
        w->cap = w->cap ? 2 * w->cap : 16;
        w->out->clusters = xreallocarray(w->out->clusters, w->cap, sizeof *w->out->clusters);
    }
    struct an_cluster *c = &w->out->clusters[w->out->n++];
    memset(c, 0, sizeof *c);
    const char *login = w->p[pos[0]].login;
    size_t stem = 0;
    split(login, 0, &stem);
    for (size_t i = 0; i < stem; i++)
        c->stem[i] = lower(login[i]);
    c->n = n;
    c->user_ids = xmalloc(n * sizeof *c->user_ids);
    size_t sorted = 1;
    for (size_t i = 0; i < n; i++) {
        c->user_ids[i] = w->p[pos[i]].user_id;
        sorted += i && c->user_ids[i - 1] < c->user_ids[i];
    }
    if (sorted < n) /* the store gives profiles by id: then they are in order already */
        an_ids_sort(c->user_ids, n);
    c->first_created_ms = first_ms;
    c->last_created_ms = last_ms;
    c->number_min = lo;
    c->number_max = hi;
    c->sequence = hi - lo < 2 * (uint64_t)n;
}

static int by_created(const void *a, const void *b)
{
    const int64_t *x = a, *y = b;
    return (x[0] > y[0]) - (x[0] < y[0]);
}

static unsigned bits_for(uint64_t v)
{
    unsigned b = 0;
    while (b < 64 && v >> b)
        b++;
    return b;
}

/* Sorts keys of at most bits significant bits. */
static void sort_keys(uint64_t *keys, size_t n, unsigned bits)
{
    size_t sorted = 1; /* ids that rise with creation time come in order already */
    while (sorted < n && keys[sorted - 1] <= keys[sorted])
        sorted++;
    if (sorted < n)
        sort_in_place(keys, sizeof *keys, n, bits > 8 ? (bits - 1) / 8 * 8 : 0);
}

/* The positions of n 8-byte slots (their bits in mask), written over the slots' own first
 * half: a separate array was 4 bytes an account more at the pass's peak (a session whose
 * logins nearly all share one stem hands one group of a million to one_hash). Slot j is read
 * before position j, at or below its bytes, is written; memcpy keeps the types' rules. */
static uint32_t *positions_in_place(uint64_t *s, size_t n, uint64_t mask)
{
    unsigned char *bytes = (unsigned char *)s;
    for (size_t j = 0; j < n; j++) {
        uint64_t v;
        memcpy(&v, bytes + j * sizeof v, sizeof v);
        uint32_t at = (uint32_t)(v & mask);
        memcpy(bytes + j * sizeof at, &at, sizeof at);
    }
    return (uint32_t *)(void *)s;
}

/* one_stem where pos has room for n 8-byte keys (the group's own bucket slots): the keys are
 * made over the positions (from the end, so each position is read before its bytes are
 * written), sorted, cut by the window, and each cluster's positions taken back over its own
 * keys; no array of times beside them (8 bytes an account at the peak). */
static void one_stem_in_room(struct work *w, uint32_t *pos, size_t n, int64_t lo, unsigned at_bits,
                             unsigned bits)
{
    unsigned char *bytes = (unsigned char *)pos;
    for (size_t i = n; i-- > 0;) {
        uint32_t at;
        memcpy(&at, bytes + i * sizeof at, sizeof at);
        uint64_t key = (((uint64_t)w->p[at].created_at_ms - (uint64_t)lo) << at_bits) | at;
        memcpy(bytes + i * sizeof key, &key, sizeof key);
    }
    uint64_t *keys = (uint64_t *)(void *)pos;
    sort_keys(keys, n, bits);
    uint64_t mask = at_bits ? (1ull << at_bits) - 1 : 0;
    size_t min_size = w->rule->min_size ? w->rule->min_size : 1;
    for (size_t from = 0, i = 1; from < n; i++) {
        if (i < n &&
            (int64_t)((keys[i] >> at_bits) - (keys[i - 1] >> at_bits)) <= w->rule->window_ms)
            continue;
        if (i - from >= min_size) {
            int64_t first = (int64_t)((uint64_t)lo + (keys[from] >> at_bits));
            int64_t last = (int64_t)((uint64_t)lo + (keys[i - 1] >> at_bits));
            emit(w, positions_in_place(&keys[from], i - from, mask), i - from, first, last);
        }
        from = i;
    }
}

/* One stem's accounts (positions, any order): sorted by creation time and cut by the
 * window. Equal creation times fall in one cluster whatever their order, so the order among
 * them does not matter. */
static void one_stem(struct work *w, uint32_t *pos, size_t n, int room)
{
    int64_t lo = w->p[pos[0]].created_at_ms, hi = lo;
    uint32_t last = pos[0];
    for (size_t i = 1; i < n; i++) {
        int64_t t = w->p[pos[i]].created_at_ms;
        lo = t < lo ? t : lo;
        hi = t > hi ? t : hi;
        last = pos[i] > last ? pos[i] : last;
    }
    uint64_t range = (uint64_t)hi - (uint64_t)lo;
    unsigned at_bits = bits_for(last);
    if (room && bits_for(range) + at_bits <= 63) {
        one_stem_in_room(w, pos, n, lo, at_bits, bits_for(range) + at_bits);
        return;
    }
    /* times[i]: the creation time of pos[i] once sorted */
    int64_t *times = xmalloc(n * sizeof *times);
    if (bits_for(range) + at_bits <= 63) {
        /* time since the earliest, then the position itself: one integer, sorted in place, that
         * gives both arrays back without a permutation to follow */
        for (size_t i = 0; i < n; i++)
            times[i] =
                (int64_t)((((uint64_t)w->p[pos[i]].created_at_ms - (uint64_t)lo) << at_bits) |
                          pos[i]);
        uint64_t *keys = (uint64_t *)times;
        sort_keys(keys, n, bits_for(range) + at_bits);
        uint64_t mask = at_bits ? (1ull << at_bits) - 1 : 0;
        for (size_t i = 0; i < n; i++) {
            pos[i] = (uint32_t)(keys[i] & mask);
            times[i] = (int64_t)((uint64_t)lo + (keys[i] >> at_bits));
        }
    } else { /* times over more than 2^63 ms together: pairs, compared */
        int64_t(*pair)[2] = xmalloc(n * sizeof *pair);
        for (size_t i = 0; i < n; i++) {
            pair[i][0] = w->p[pos[i]].created_at_ms;
            pair[i][1] = pos[i];
        }
        qsort(pair, n, sizeof *pair, by_created);
        for (size_t i = 0; i < n; i++) {
            times[i] = pair[i][0];
            pos[i] = (uint32_t)pair[i][1];
        }
        free(pair);
    }
    size_t min_size = w->rule->min_size ? w->rule->min_size : 1;
    for (size_t from = 0, i = 1; from < n; i++) {
        if (i < n && times[i] - times[i - 1] <= w->rule->window_ms)
            continue;
        if (i - from >= min_size)
            emit(w, &pos[from], i - from, times[from], times[i - 1]);
        from = i;
    }
    free(times);
}

struct named {
    const char *login;
    uint32_t pos;
};

static int by_stem(const void *a, const void *b)
{
    return stem_cmp(((const struct named *)a)->login, ((const struct named *)b)->login);
}

/* One hash's accounts: one stem, unless two stems share the hash. pos is the group's own
 * bucket slots (positions_in_place): room for 8 bytes an account. */
static void one_hash(struct work *w, uint32_t *pos, size_t n)
{
    const char *first = w->p[pos[0]].login;
    size_t stem = 0, same = 1;
    split(first, 0, &stem);
    while (same < n && same_stem(first, stem, w->p[pos[same]].login))
        same++;
    if (same == n) {
        one_stem(w, pos, n, 1); /* pos is its bucket slots: 8 bytes an account */
        return;
    }
    struct named *s = xmalloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++)
        s[i] = (struct named){w->p[pos[i]].login, pos[i]};
    qsort(s, n, sizeof *s, by_stem);
    for (size_t i = 0; i < n; i++)
        pos[i] = s[i].pos;
    size_t min_size = w->rule->min_size ? w->rule->min_size : 1;
    for (size_t from = 0, i = 1; from < n; i++) {
        if (i < n && !stem_cmp(s[i].login, s[from].login))
            continue;
        if (i - from >= min_size)
            one_stem(w, &pos[from], i - from, 0);
        from = i;
    }
    free(s);
}

static int by_key(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* Whether profile i takes part, with its stem's hash in *h. */
static int takes_part(const struct an_profile *p, size_t i, const uint64_t *repeat, size_t min_stem,
                      uint32_t *h)
{
    size_t stem;
    if ((repeat && (repeat[i / 64] >> (i % 64) & 1)) || p[i].created_at_ms == 0 ||
        !split(p[i].login, min_stem, &stem))
        return 0;
    *h = stem_hash(p[i].login, stem);
    return 1;
}

/* The accounts that take part, as (stem hash << 32 | position), grouped by the hash's top
 * bits with a counting sort: two passes over the profiles, one array of 8 bytes an account.
 * end[b] is where bucket b ends. */
static uint64_t *by_bucket(const struct an_profile *p, size_t n, const uint64_t *repeat,
                           size_t min_stem, uint32_t *end)
{
    size_t k = 0;
    uint32_t h;
    for (size_t i = 0; i < n; i++)
        if (takes_part(p, i, repeat, min_stem, &h))
            end[h >> (32 - BUCKET_BITS)]++;
    for (size_t b = 0; b < (1u << BUCKET_BITS); b++) { /* counts to starts */
        size_t c = end[b];
        end[b] = (uint32_t)k;
        k += c;
    }
    uint64_t *slot = xmalloc((k ? k : 1) * sizeof *slot);
    for (size_t i = 0; i < n; i++)
        if (takes_part(p, i, repeat, min_stem, &h))
            slot[end[h >> (32 - BUCKET_BITS)]++] = (uint64_t)h << 32 | i;
    return slot;
}

void an_clusters(const struct an_profile *profiles, size_t n, const struct an_cluster_rule *rule,
                 struct an_clusters *out)
{
    struct an_cluster_rule defaults = an_cluster_rule_default();
    if (!rule)
        rule = &defaults;
    memset(out, 0, sizeof *out);
    struct work w = {.p = profiles, .rule = rule, .out = out};
    size_t min_size = rule->min_size ? rule->min_size : 1;
    uint64_t *repeat = an_profiles_repeats(profiles, n);
    uint32_t *end = xcalloc(1u << BUCKET_BITS, sizeof *end);
    uint64_t *slot = by_bucket(profiles, n, repeat, rule->min_stem, end);
    free(repeat);
    for (size_t b = 0, from = 0; b < (1u << BUCKET_BITS); from = end[b++]) {
        size_t size = end[b] - from;
        if (size < min_size)
            continue;
        uint64_t *s = &slot[from];
        size_t same = 1;
        while (same < size && s[same] >> 32 == s[0] >> 32)
            same++;
        if (same < size)
            qsort(s, size, sizeof *s, by_key);
        for (size_t at = 0, i = 1; at < size; i++) {
            if (i < size && s[i] >> 32 == s[at] >> 32)
                continue;
            if (i - at >= min_size)
                one_hash(&w, positions_in_place(&s[at], i - at, UINT32_MAX), i - at);
            at = i;
        }
    }
    free(slot);
    free(end);
    if (!out->clusters)
        out->clusters = xmalloc(sizeof *out->clusters);
    qsort(out->clusters, out->n, sizeof *out->clusters, by_size);
}
void an_clusters_free(struct an_clusters *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->clusters[i].user_ids);
    free(c->clusters);
    memset(c, 0, sizeof *c);
}

int64_t *an_clusters_members(const struct an_clusters *c, size_t *n_out)
{
    size_t total = 0;
    for (size_t i = 0; i < c->n; i++)
        total += c->clusters[i].n;
    int64_t *ids = xmalloc((total ? total : 1) * sizeof *ids);
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        memcpy(ids + k, c->clusters[i].user_ids, c->clusters[i].n * sizeof *ids);
        k += c->clusters[i].n;
    }
    *n_out = an_ids_sort_unique(ids, k);
    return ids;
}
