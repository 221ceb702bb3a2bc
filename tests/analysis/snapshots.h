/*
 * Test fixtures shared by the analysis tests: random full snapshots (who was present at
 * each capture) and the stays derived from them, so a statistic computed from stays can be
 * checked against a naive recomputation from the snapshots. Header-only (static inline) so
 * each test stays one executable; never used by library code.
 */
#ifndef TCA_TEST_SNAPSHOTS_H
#define TCA_TEST_SNAPSHOTS_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stays.h"
#include "base/xalloc.h"

/** A deterministic generator, so failures replay. */
static inline uint32_t snap_rand(uint64_t *state)
{
    *state = *state * 6364136223846793005ull + 1442695040888963407ull;
    return (uint32_t)(*state >> 33);
}

/** Full snapshots of one channel: present[u * n_captures + k - 1] for capture k. */
struct snap {
    size_t n_users;
    size_t n_captures;
    unsigned char *present;
    int64_t *user_ids;
    struct an_capture *captures;
    struct an_stay *stays;
    size_t n_stays;
};

static inline int snap_at(const struct snap *s, size_t u, size_t k)
{
    return k >= 1 && k <= s->n_captures && s->present[u * s->n_captures + k - 1];
}

/* Derives maximal stays from the snapshots, shuffled so order-dependence shows up. */
static inline void snap_derive_stays(struct snap *s, int64_t channel_id, uint64_t *rng)
{
    free(s->stays);
    s->stays = xmalloc((s->n_users * s->n_captures + 1) * sizeof *s->stays);
    s->n_stays = 0;
    for (size_t u = 0; u < s->n_users; u++)
        for (size_t k = 1; k <= s->n_captures; k++) {
            if (!snap_at(s, u, k) || snap_at(s, u, k - 1))
                continue;
            size_t e = k;
            while (snap_at(s, u, e + 1))
                e++;
            struct an_stay *st = &s->stays[s->n_stays++];
            st->user_id = s->user_ids[u];
            st->channel_id = channel_id;
            st->from_seq = (int64_t)k;
            st->to_seq = e == s->n_captures ? 0 : (int64_t)e;
        }
    for (size_t i = s->n_stays; i > 1; i--) {
        size_t j = snap_rand(rng) % i;
        struct an_stay t = s->stays[i - 1];
        s->stays[i - 1] = s->stays[j];
        s->stays[j] = t;
    }
}

/*
 * Random snapshots: users join with p_join per capture and leave with p_leave, so there is
 * churn, returns and gaps; capture times step 50-70 s and sometimes repeat (0 ms apart).
 */
static inline void snap_random(struct snap *s, uint64_t *rng, size_t n_users, size_t n_captures,
                               int64_t id_base, int64_t channel_id)
{
    memset(s, 0, sizeof *s);
    s->n_users = n_users;
    s->n_captures = n_captures;
    s->present = xcalloc(n_users * n_captures + 1, 1);
    s->user_ids = xmalloc((n_users + 1) * sizeof *s->user_ids);
    s->captures = xmalloc((n_captures + 1) * sizeof *s->captures);
    int64_t t = 1700000000000;
    for (size_t k = 0; k < n_captures; k++) {
        uint32_t r = snap_rand(rng) % 10;
        t += r == 0 ? 0 : 50000 + (int64_t)(snap_rand(rng) % 20000);
        s->captures[k].seq = (int64_t)k + 1;
        s->captures[k].taken_at_ms = t;
    }
    for (size_t u = 0; u < n_users; u++) {
        s->user_ids[u] = id_base + (int64_t)u * 7 + (int64_t)(snap_rand(rng) % 5);
        uint32_t p_join = 2 + snap_rand(rng) % 30, p_leave = 2 + snap_rand(rng) % 40;
        int in = snap_rand(rng) % 100 < 30;
        for (size_t k = 0; k < n_captures; k++) {
            uint32_t r = snap_rand(rng) % 100;
            in = in ? r >= p_leave : r < p_join;
            s->present[u * n_captures + k] = (unsigned char)in;
        }
    }
    snap_derive_stays(s, channel_id, rng);
}

static inline void snap_free(struct snap *s)
{
    free(s->present);
    free(s->user_ids);
    free(s->captures);
    free(s->stays);
    memset(s, 0, sizeof *s);
}

static inline struct an_channel snap_channel(const struct snap *s, int64_t channel_id)
{
    struct an_channel ch = {channel_id, s->captures, s->n_captures, s->stays, s->n_stays};
    return ch;
}

static inline int snap_cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

#endif
