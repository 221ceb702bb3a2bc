/* Login clusters, creation days and the age histogram against naive recomputations (the
 * plain algorithms the compact ones replaced: a record per account, sorted by stem then
 * time with string compares; a sorted list of days), over random audiences with the edge
 * cases: empty and missing logins, digits only, non-ASCII bytes, upper case, one stem met
 * once, equal stems and times, created_at 0 and negative, repeated ids, unsorted input,
 * forced hash collisions (many stems), windows of 0 and huge time ranges. */
#include "tests/support/testutil.h"
#include "analysis/accounts.h"
#include "analysis/clusters.h"
#include "analysis/flags.h"
#include "analysis/ids.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY 86400000LL
#define ROUNDS 400

static uint64_t next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

#define LINE 128

/* The ids of a cluster in one number (FNV-1a over them, in order). */
static uint64_t ids_hash(const int64_t *ids, size_t n)
{
    uint64_t h = 14695981039346656037ull;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (uint64_t)ids[i]) * 1099511628211ull;
    return h;
}

/* ---- the naive clusters: one record per account, qsort by stem, time, id ---- */

struct member {
    char stem[32];
    uint64_t number;
    int64_t created_ms;
    int64_t user_id;
};

static int naive_split(const char *login, size_t min_stem, struct member *m)
{
    if (!login)
        return 0;
    size_t len = strlen(login), digits = 0;
    if (len >= sizeof m->stem)
        return 0;
    while (digits < len && login[len - 1 - digits] >= '0' && login[len - 1 - digits] <= '9')
        digits++;
    size_t stem = len - digits;
    if (digits == 0 || digits > 18 || stem < min_stem)
        return 0;
    for (size_t i = 0; i < stem; i++) {
        char c = login[i];
        m->stem[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    m->stem[stem] = '\0';
    m->number = 0;
    for (size_t i = stem; i < len; i++)
        m->number = m->number * 10 + (uint64_t)(login[i] - '0');
    return 1;
}

static int naive_order(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = strcmp(x->stem, y->stem);
    if (c)
        return c;
    if (x->created_ms != y->created_ms)
        return (x->created_ms > y->created_ms) - (x->created_ms < y->created_ms);
    return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

static int seen_before(const struct an_profile *p, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (p[j].user_id == p[i].user_id)
            return 1;
    return 0;
}

/* Appends every cluster as one text line to out (the order of an_clusters: largest first,
 * then stem, then first creation, sorted here as text with the size in front). */
static size_t naive_clusters(const struct an_profile *p, size_t n, const struct an_cluster_rule *r,
                             char (*out)[LINE])
{
    struct member *m = xmalloc((n ? n : 1) * sizeof *m);
    size_t k = 0, lines = 0, min_size = r->min_size ? r->min_size : 1;
    for (size_t i = 0; i < n; i++)
        if (!seen_before(p, i) && p[i].created_at_ms &&
            naive_split(p[i].login, r->min_stem, &m[k])) {
            m[k].created_ms = p[i].created_at_ms;
            m[k++].user_id = p[i].user_id;
        }
    qsort(m, k, sizeof *m, naive_order);
    for (size_t from = 0, i = 1; from < k; i++) {
        if (i < k && !strcmp(m[i].stem, m[from].stem) &&
            m[i].created_ms - m[i - 1].created_ms <= r->window_ms)
            continue;
        size_t c = i - from;
        uint64_t lo = m[from].number, hi = lo;
        for (size_t j = from; j < i; j++) {
            lo = m[j].number < lo ? m[j].number : lo;
            hi = m[j].number > hi ? m[j].number : hi;
        }
        if (c >= min_size && (!r->max_number_spread || hi - lo < r->max_number_spread * c)) {
            int64_t *ids = xmalloc(c * sizeof *ids);
            for (size_t j = 0; j < c; j++)
                ids[j] = m[from + j].user_id;
            an_ids_sort(ids, c);
            snprintf(out[lines++], LINE, "%s %zu %lld %lld %llu %llu %d %016llx", m[from].stem, c,
                     (long long)m[from].created_ms, (long long)m[i - 1].created_ms,
                     (unsigned long long)lo, (unsigned long long)hi, hi - lo < 2 * c,
                     (unsigned long long)ids_hash(ids, c));
            free(ids);
        }
        from = i;
    }
    free(m);
    return lines;
}

static int by_text(const void *a, const void *b)
{
    return strcmp(a, b);
}

static void check_clusters(const struct an_profile *p, size_t n, const struct an_cluster_rule *r)
{
    size_t cap = n / (r->min_size ? r->min_size : 1) + 1;
    char(*want)[LINE] = xmalloc(cap * sizeof *want), (*got)[LINE] = xmalloc(cap * sizeof *got);
    size_t n_want = naive_clusters(p, n, r, want);
    struct an_clusters c;
    an_clusters(p, n, r, &c);
    assert_int_equal(c.n, n_want);
    for (size_t i = 0; i < c.n; i++) {
        const struct an_cluster *cl = &c.clusters[i];
        if (i) { /* largest first, ties by stem then first creation */
            const struct an_cluster *pr = &c.clusters[i - 1];
            assert_true(pr->n > cl->n ||
                        (pr->n == cl->n && (strcmp(pr->stem, cl->stem) < 0 ||
                                            (!strcmp(pr->stem, cl->stem) &&
                                             pr->first_created_ms < cl->first_created_ms))));
        }
        for (size_t j = 1; j < cl->n; j++)
            assert_true(cl->user_ids[j - 1] < cl->user_ids[j]);
        snprintf(got[i], LINE, "%s %zu %lld %lld %llu %llu %d %016llx", cl->stem, cl->n,
                 (long long)cl->first_created_ms, (long long)cl->last_created_ms,
                 (unsigned long long)cl->number_min, (unsigned long long)cl->number_max,
                 cl->sequence, (unsigned long long)ids_hash(cl->user_ids, cl->n));
    }
    qsort(want, n_want, sizeof *want, by_text);
    qsort(got, c.n, sizeof *got, by_text);
    for (size_t i = 0; i < c.n; i++)
        assert_string_equal(got[i], want[i]);
    an_clusters_free(&c);
    free(want);
    free(got);
}

/* ---- the naive days: count each distinct account's day by scanning ---- */

static int64_t day_of(int64_t t)
{
    return an_period_start(t, AN_PERIOD_DAY);
}

static void check_days(const struct an_profile *p, size_t n, size_t top)
{
    int64_t *day = xmalloc((n ? n : 1) * sizeof *day);
    size_t *count = xmalloc((n ? n : 1) * sizeof *count), n_days = 0, audience = 0;
    for (size_t i = 0; i < n; i++) {
        if (seen_before(p, i))
            continue;
        audience++;
        if (!p[i].created_at_ms)
            continue;
        size_t d = 0;
        while (d < n_days && day[d] != day_of(p[i].created_at_ms))
            d++;
        if (d == n_days) {
            day[n_days] = day_of(p[i].created_at_ms);
            count[n_days++] = 0;
        }
        count[d]++;
    }
    struct an_creation_days got;
    an_top_creation_days(p, n, top, NULL, &got);
    assert_int_equal(got.audience, audience);
    assert_int_equal(got.n, n_days < top ? n_days : top);
    for (size_t i = 0; i < got.n; i++) {
        const struct an_creation_day *g = &got.days[i];
        size_t d = 0, around = 0;
        while (d < n_days && day[d] != g->day_ms)
            d++;
        assert_true(d < n_days);
        assert_int_equal(g->count, count[d]);
        for (size_t e = 0; e < n_days; e++) { /* no better day left out, ties by earlier day */
            int on_top = 0;
            for (size_t j = 0; j < got.n; j++)
                on_top |= got.days[j].day_ms == day[e];
            assert_true(on_top || count[e] < count[d] || (count[e] == count[d] && day[e] > day[d]));
            if (e != d && day[e] >= g->day_ms - 30 * DAY && day[e] <= g->day_ms + 30 * DAY)
                around += count[e];
        }
        assert_true(g->usual == (double)around / 60);
        assert_true(g->share == (double)count[d] / (double)audience);
        double excess = (double)count[d] - g->usual;
        assert_int_equal(g->level, an_wave_level(&(struct an_wave_levels){100, 50, 30},
                                                 excess > 0 ? (size_t)excess : 0));
        for (size_t j = 0; j < g->count; j++) { /* members: that day's accounts, by id */
            assert_true(j == 0 || g->user_ids[j - 1] < g->user_ids[j]);
            size_t at = 0;
            while (at < n && (p[at].user_id != g->user_ids[j] || seen_before(p, at)))
                at++;
            assert_true(at < n);
            assert_int_equal(day_of(p[at].created_at_ms), g->day_ms);
            assert_ptr_equal(g->logins[j], p[at].login);
        }
        if (i) /* most accounts first, ties by earlier day */
            assert_true(got.days[i - 1].count > g->count ||
                        (got.days[i - 1].count == g->count && got.days[i - 1].day_ms < g->day_ms));
    }
    an_creation_days_free(&got);

    struct an_age_histogram h;
    an_account_ages(p, n, AN_PERIOD_DAY, &h);
    assert_int_equal(h.n, n_days);
    size_t unknown = audience;
    for (size_t i = 0; i < h.n; i++) {
        size_t d = 0;
        while (d < n_days && day[d] != h.buckets[i].start_ms)
            d++;
        assert_true(d < n_days);
        assert_int_equal(h.buckets[i].count, count[d]);
        assert_true(i == 0 || h.buckets[i - 1].start_ms < h.buckets[i].start_ms);
        unknown -= count[d];
    }
    assert_int_equal(h.unknown, unknown);
    an_age_histogram_free(&h);
    free(day);
    free(count);
}

/* ---- random audiences ---- */

static const char *const stems[] = {
    "coolviewer_", "viewer", "Viewer", "VIEWER",           "bot_", "ab", "abc",
    "caf\xc3\xa9", "x_y",    "",       "\xe2\x98\x83snow", "user"};

static void random_login(uint64_t *s, char *out, size_t size, size_t n_stems)
{
    uint64_t r = next(s) % 100;
    if (r < 3) {
        snprintf(out, size, "%s", "");
        return;
    }
    if (r < 6) { /* digits only */
        snprintf(out, size, "%llu", (unsigned long long)(next(s) % 100000));
        return;
    }
    if (r < 9) { /* no number */
        snprintf(out, size, "%s", stems[next(s) % 12]);
        return;
    }
    if (r < 11) { /* too long for a stem, or too many digits */
        snprintf(out, size,
                 next(s) % 2 ? "averyveryverylongloginstemthatgoeson%d"
                             : "bot%d1234567890123456789",
                 (int)(next(s) % 10));
        return;
    }
    if (r < 40) { /* many stems: hashes collide in buckets, stems met once */
        snprintf(out, size, "s%llu_%llu", (unsigned long long)(next(s) % n_stems),
                 (unsigned long long)(next(s) % 300));
        return;
    }
    const char *stem = stems[next(s) % 12];
    unsigned long long number = next(s) % 4 == 0 ? next(s) % 1000000 : next(s) % 40;
    snprintf(out, size, next(s) % 3 ? "%s%llu" : "%s%04llu", stem, number);
}

static int64_t random_time(uint64_t *s, int64_t base, int wide)
{
    uint64_t r = next(s) % 100;
    if (r < 8)
        return 0;
    if (r < 10)
        return -(int64_t)(next(s) % (400 * DAY)) - 1;
    if (wide && r < 14) /* times 2^60 ms apart: the compared path */
        return (int64_t)(next(s) % 2 ? 1 : -1) * (int64_t)(1ll << 60) + (int64_t)(next(s) % 5);
    if (r < 40) /* equal times */
        return base + (int64_t)(next(s) % 4) * 3600000;
    return base + (int64_t)(next(s) % (60 * DAY));
}

static void random_audiences_give_the_naive_clusters_and_days(void **state)
{
    (void)state;
    uint64_t s = 7;
    size_t max = 1200;
    struct an_profile *p = xmalloc(max * sizeof *p);
    char(*logins)[48] = xmalloc(max * sizeof *logins);
    for (int round = 0; round < ROUNDS; round++) {
        size_t n = next(&s) % (round % 10 == 0 ? max : 200);
        int64_t base = 1500000000000LL + (int64_t)(next(&s) % (1000 * DAY));
        size_t n_stems = 1 + next(&s) % 2000;
        int wide = round % 7 == 0;
        for (size_t i = 0; i < n; i++) {
            random_login(&s, logins[i], sizeof logins[i], n_stems);
            int64_t id = round % 3 == 0 ? (int64_t)(next(&s) % (n + 1)) : 1000 + (int64_t)i;
            p[i] = (struct an_profile){id, next(&s) % 50 ? logins[i] : NULL,
                                       random_time(&s, base, wide)};
        }
        if (round % 3 == 1) /* unsorted, distinct */
            for (size_t i = n; i > 1; i--) {
                size_t j = next(&s) % i;
                struct an_profile t = p[i - 1];
                p[i - 1] = p[j];
                p[j] = t;
            }
        struct an_cluster_rule r = an_cluster_rule_default();
        if (round % 4 == 1)
            r = (struct an_cluster_rule){0, 2, 0, 0};
        else if (round % 4 == 2)
            r = (struct an_cluster_rule){7 * DAY, 1, 3, 5};
        else if (round % 4 == 3)
            r.min_size = 3;
        check_clusters(p, n, &r);
        check_days(p, n, round % 5 == 0 ? 3 : 10);
    }
    free(p);
    free(logins);
}

/* Many accounts under one stem, as a 1,000,000-chatter session of "user123" logins has: the
 * group sorted by time alone, checked against the naive order. */
static void one_big_stem_gives_the_naive_clusters(void **state)
{
    (void)state;
    uint64_t s = 11;
    size_t n = 20000;
    struct an_profile *p = xmalloc(n * sizeof *p);
    char(*logins)[24] = xmalloc(n * sizeof *logins);
    for (size_t i = 0; i < n; i++) {
        snprintf(logins[i], sizeof logins[i], "user%zu", i % 3000);
        p[i] = (struct an_profile){(int64_t)i + 1, logins[i],
                                   1600000000000LL + (int64_t)(next(&s) % (400 * DAY))};
    }
    struct an_cluster_rule r = {6 * 3600000LL, 5, 3, 0};
    check_clusters(p, n, &r);
    r.max_number_spread = 100;
    check_clusters(p, n, &r);
    check_days(p, 3000, 10);
    free(p);
    free(logins);
}

/* Two stems with the same 32-bit FNV-1a hash (found by search), accounts of both made in the
 * same hours: the clusters stay apart, as the naive string compare keeps them. */
static void stems_of_one_hash_stay_apart(void **state)
{
    (void)state;
    uint64_t s = 5;
    struct an_profile p[300];
    char logins[300][24];
    for (size_t i = 0; i < 300; i++) {
        snprintf(logins[i], sizeof logins[i], "%s%zu", i % 3 ? "st1332789_" : "St1529192_",
                 i % 150);
        p[i] = (struct an_profile){(int64_t)i + 1, logins[i],
                                   1600000000000LL + (int64_t)(next(&s) % (3 * DAY))};
    }
    struct an_cluster_rule r = {3600000LL, 4, 3, 0};
    check_clusters(p, 300, &r);
    r.window_ms = DAY;
    check_clusters(p, 300, &r);
    struct an_clusters c;
    an_clusters(p, 300, &r, &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.clusters[0].stem, "st1332789_");
    assert_string_equal(c.clusters[1].stem, "st1529192_");
    an_clusters_free(&c);
}

/* Flag texts kept once per distinct text: every account's text is still the "; "-joined
 * details in the order they were added, as a plain concatenation per account gives. */
static void flag_texts_are_the_plain_concatenation(void **state)
{
    (void)state;
    static const char *const details[] = {"known bot",
                                          "login cluster bot* (5 accounts, 1..5)",
                                          "created 2024-03-10, a critical creation day (120 "
                                          "accounts)",
                                          "",
                                          NULL,
                                          "in 3 channels at once"};
    uint64_t s = 3;
    enum { ACCOUNTS = 300, ADDS = 3000 };
    char(*want)[4096] = xcalloc(ACCOUNTS, sizeof *want);
    uint32_t reasons[ACCOUNTS] = {0};
    struct an_flags f;
    an_flags_init(&f);
    for (int i = 0; i < ADDS; i++) {
        int64_t id = (int64_t)(next(&s) % ACCOUNTS);
        uint32_t reason = 1u << (next(&s) % 5);
        const char *d = details[next(&s) % 6];
        char own[64];
        if (next(&s) % 4 == 0) { /* one of a kind, from a buffer reused between calls */
            snprintf(own, sizeof own, "%llu renames", (unsigned long long)(next(&s) % 7));
            d = own;
        }
        an_flags_add(&f, id, reason, d);
        reasons[id] |= reason;
        if (d && *d) {
            size_t len = strlen(want[id]);
            assert_true(len + strlen(d) + 3 < sizeof want[id]);
            snprintf(want[id] + len, sizeof want[id] - len, "%s%s", len ? "; " : "", d);
        }
    }
    for (int64_t id = 0; id < ACCOUNTS; id++) {
        const struct an_flag *flag = an_flags_find(&f, id);
        assert_int_equal(flag ? flag->reasons : 0, reasons[id]);
        if (flag)
            assert_string_equal(flag->text ? flag->text : "", want[id]);
    }
    an_flags_free(&f);
    free(want);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(random_audiences_give_the_naive_clusters_and_days),
        cmocka_unit_test(one_big_stem_gives_the_naive_clusters),
        cmocka_unit_test(stems_of_one_hash_stay_apart),
        cmocka_unit_test(flag_texts_are_the_plain_concatenation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
