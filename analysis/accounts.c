/*
 * Account creation statistics. Every count is of distinct chatters: the store may hand the
 * same profile twice (one per channel), and a bot wave must not look twice as big. Must
 * never use the local time zone (gmtime and friends would read global state).
 */
#include "analysis/accounts.h"
#include "analysis/ids.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DAY_MS 86400000LL

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Proleptic Gregorian calendar on day numbers (0 = 1970-01-01), computed in 400-year eras so
 * it holds for any date without a table or the C library's time zone state. */
static int64_t days_from_civil(int64_t y, int64_t m, int64_t d)
{
    y -= m <= 2;
    int64_t era = floor_div(y, 400);
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, int64_t *m, int64_t *d)
{
    z += 719468;
    int64_t era = floor_div(z, 146097);
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = doy - (153 * mp + 2) / 5 + 1;
    *m = mp < 10 ? mp + 3 : mp - 9;
    *y = yoe + era * 400 + (*m <= 2);
}

int64_t an_period_start(int64_t t, enum an_period period)
{
    int64_t days = floor_div(t, DAY_MS), y, m, d;
    switch (period) {
    case AN_PERIOD_WEEK:
        /* 1970-01-01 was a Thursday: three days after a Monday. */
        return (days - (days + 3 - floor_div(days + 3, 7) * 7)) * DAY_MS;
    case AN_PERIOD_MONTH:
        civil_from_days(days, &y, &m, &d);
        return days_from_civil(y, m, 1) * DAY_MS;
    case AN_PERIOD_YEAR:
        civil_from_days(days, &y, &m, &d);
        return days_from_civil(y, 1, 1) * DAY_MS;
    case AN_PERIOD_DAY:
    default:
        return days * DAY_MS;
    }
}

void an_date_format(int64_t t, char out[11])
{
    int64_t y, m, d;
    civil_from_days(floor_div(t, DAY_MS), &y, &m, &d);
    /* Years past 9999 do not fit; Twitch accounts are younger than that. */
    if (y < 0 || y > 9999)
        y = 0;
    snprintf(out, 11, "%04d-%02d-%02d", (int)y, (int)m, (int)d);
}

uint64_t *an_profiles_repeats(const struct an_profile *p, size_t n)
{
    size_t sorted = 1;
    while (sorted < n && p[sorted - 1].user_id < p[sorted].user_id)
        sorted++;
    if (sorted >= n)
        return NULL;
    uint64_t *repeat = xcalloc(n / 64 + 1, sizeof *repeat);
    struct an_id_index ix;
    an_id_index_init(&ix, n);
    for (size_t i = 0; i < n; i++) {
        uint32_t before = ix.n;
        an_id_index_add(&ix, p[i].user_id);
        if (ix.n == before)
            repeat[i / 64] |= 1ull << (i % 64);
    }
    an_id_index_free(&ix);
    return repeat;
}

static int repeated(const uint64_t *repeat, size_t i)
{
    return repeat && (repeat[i / 64] >> (i % 64) & 1);
}

/* Distinct keys (periods, days) and how many accounts each has: memory by the keys, not by
 * the accounts, so a 1,000,000-chatter audience costs what its few thousand days cost. */
struct tally {
    struct an_id_index ix; /* key -> slot */
    size_t *count;         /* by slot */
    size_t cap;
};

static void tally_init(struct tally *t)
{
    memset(t, 0, sizeof *t);
    an_id_index_init(&t->ix, 1024);
}

static void tally_add(struct tally *t, int64_t key)
{
    uint32_t k = an_id_index_add(&t->ix, key);
    if (k == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 1024;
        t->count = xreallocarray(t->count, cap, sizeof *t->count);
        memset(t->count + t->cap, 0, (cap - t->cap) * sizeof *t->count);
        t->cap = cap;
    }
    t->count[k]++;
}

static void tally_free(struct tally *t)
{
    an_id_index_free(&t->ix);
    free(t->count);
}

static int by_start(const void *a, const void *b)
{
    const struct an_age_bucket *x = a, *y = b;
    return (x->start_ms > y->start_ms) - (x->start_ms < y->start_ms);
}

void an_account_ages(const struct an_profile *profiles, size_t n, enum an_period period,
                     struct an_age_histogram *out)
{
    memset(out, 0, sizeof *out);
    uint64_t *repeat = an_profiles_repeats(profiles, n);
    struct tally t;
    tally_init(&t);
    for (size_t i = 0; i < n; i++) {
        if (repeated(repeat, i))
            continue;
        if (profiles[i].created_at_ms == 0)
            out->unknown++;
        else
            tally_add(&t, an_period_start(profiles[i].created_at_ms, period));
    }
    out->n = t.ix.n;
    out->buckets = xmalloc((out->n ? out->n : 1) * sizeof *out->buckets);
    for (size_t i = 0; i < out->n; i++)
        out->buckets[i] = (struct an_age_bucket){t.ix.ids[i], t.count[i]};
    qsort(out->buckets, out->n, sizeof *out->buckets, by_start);
    tally_free(&t);
    free(repeat);
}

void an_age_histogram_free(struct an_age_histogram *h)
{
    free(h->buckets);
    memset(h, 0, sizeof *h);
}

struct an_wave_levels an_wave_levels_default(void)
{
    return (struct an_wave_levels){.critical = 100, .suspect = 50, .watch = 30};
}

enum an_level an_wave_level(const struct an_wave_levels *levels, size_t count)
{
    if (count >= levels->critical)
        return AN_LEVEL_CRITICAL;
    if (count >= levels->suspect)
        return AN_LEVEL_SUSPECT;
    if (count >= levels->watch)
        return AN_LEVEL_WATCH;
    return AN_LEVEL_NORMAL;
}

const char *an_level_name(enum an_level level)
{
    static const char *const names[] = {"normal", "watch", "suspect", "critical"};
    return level <= AN_LEVEL_CRITICAL ? names[level] : "normal";
}

/* A run of one day in the sorted day list. */
struct run {
    size_t count;
    int64_t day_ms;
};

static int by_count_then_day(const void *a, const void *b)
{
    const struct run *x = a, *y = b;
    if (x->count != y->count)
        return x->count < y->count ? 1 : -1;
    return (x->day_ms > y->day_ms) - (x->day_ms < y->day_ms);
}

static int by_day(const void *a, const void *b)
{
    const struct run *x = a, *y = b;
    return (x->day_ms > y->day_ms) - (x->day_ms < y->day_ms);
}

/* The usual accounts a day for the audience around day_ms: the mean of the USUAL_DAYS days
 * on each side (the day itself left out), so a big audience's ordinary days, whose counts
 * grow with the audience, are not read as waves. */
#define USUAL_DAYS 30
static double usual_per_day(const struct run *by_date, const size_t *before, size_t n,
                            int64_t day_ms, size_t own)
{
    const int64_t day = 86400000;
    size_t lo = 0, hi = n;
    while (lo < hi) { /* first day >= day_ms - USUAL_DAYS */
        size_t mid = lo + (hi - lo) / 2;
        if (by_date[mid].day_ms < day_ms - USUAL_DAYS * day)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t from = lo;
    hi = n;
    while (lo < hi) { /* first day > day_ms + USUAL_DAYS */
        size_t mid = lo + (hi - lo) / 2;
        if (by_date[mid].day_ms <= day_ms + USUAL_DAYS * day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (double)(before[lo] - before[from] - own) / (2 * USUAL_DAYS);
}

/* Sorts a day's members by user id, keeping each login with its id. */
static void sort_members(struct an_creation_day *day)
{
    size_t sorted = 1; /* the store's order, usually */
    while (sorted < day->count && day->user_ids[sorted - 1] < day->user_ids[sorted])
        sorted++;
    if (sorted >= day->count)
        return;
    uint32_t *order = xmalloc((day->count ? day->count : 1) * sizeof *order);
    int64_t *ids = xmalloc((day->count ? day->count : 1) * sizeof *ids);
    const char **logins = xmalloc((day->count ? day->count : 1) * sizeof *logins);
    an_ids_order(day->user_ids, day->count, order);
    for (size_t i = 0; i < day->count; i++) {
        ids[i] = day->user_ids[order[i]];
        logins[i] = day->logins[order[i]];
    }
    free(day->user_ids);
    free(day->logins);
    day->user_ids = ids;
    day->logins = logins;
    free(order);
}

void an_top_creation_days(const struct an_profile *profiles, size_t n, size_t top,
                          const struct an_wave_levels *levels, struct an_creation_days *out)
{
    struct an_wave_levels defaults = an_wave_levels_default();
    if (!levels)
        levels = &defaults;
    memset(out, 0, sizeof *out);
    uint64_t *repeat = an_profiles_repeats(profiles, n);
    struct tally t;
    tally_init(&t);
    for (size_t i = 0; i < n; i++) {
        if (repeated(repeat, i))
            continue;
        out->audience++;
        if (profiles[i].created_at_ms)
            tally_add(&t, an_period_start(profiles[i].created_at_ms, AN_PERIOD_DAY));
    }
    size_t n_runs = t.ix.n, d = out->audience;
    struct run *runs = xmalloc((n_runs ? n_runs : 1) * sizeof *runs);
    for (size_t i = 0; i < n_runs; i++)
        runs[i] = (struct run){t.count[i], t.ix.ids[i]};
    struct run *by_date = xmalloc((n_runs ? n_runs : 1) * sizeof *by_date);
    memcpy(by_date, runs, n_runs * sizeof *runs);
    qsort(by_date, n_runs, sizeof *by_date, by_day);
    /* prefix sums by day give any window's count in two binary searches */
    size_t *before = xmalloc((n_runs + 1) * sizeof *before);
    before[0] = 0;
    for (size_t i = 0; i < n_runs; i++)
        before[i + 1] = before[i] + by_date[i].count;
    qsort(runs, n_runs, sizeof *runs, by_count_then_day);
    out->n = n_runs < top ? n_runs : top;
    out->days = xcalloc(out->n ? out->n : 1, sizeof *out->days);
    /* slot of a day in the tally -> its place among the top days + 1, 0 when not on top */
    uint32_t *top_of = xcalloc(n_runs ? n_runs : 1, sizeof *top_of);
    for (size_t i = 0; i < out->n; i++) {
        struct an_creation_day *day = &out->days[i];
        day->day_ms = runs[i].day_ms;
        day->share = d ? (double)runs[i].count / (double)d : 0.0;
        day->usual = usual_per_day(by_date, before, n_runs, runs[i].day_ms, runs[i].count);
        double excess = (double)runs[i].count - day->usual;
        day->level = an_wave_level(levels, excess > 0 ? (size_t)excess : 0);
        day->user_ids = xmalloc(runs[i].count * sizeof *day->user_ids);
        day->logins = xmalloc(runs[i].count * sizeof *day->logins);
        uint32_t slot;
        if (an_id_index_find(&t.ix, runs[i].day_ms, &slot))
            top_of[slot] = (uint32_t)i + 1;
    }
    for (size_t i = 0; i < n && out->n; i++) {
        uint32_t slot;
        if (repeated(repeat, i) || !profiles[i].created_at_ms ||
            !an_id_index_find(&t.ix, an_period_start(profiles[i].created_at_ms, AN_PERIOD_DAY),
                              &slot) ||
            !top_of[slot])
            continue;
        struct an_creation_day *day = &out->days[top_of[slot] - 1];
        day->user_ids[day->count] = profiles[i].user_id;
        day->logins[day->count++] = profiles[i].login;
    }
    for (size_t i = 0; i < out->n; i++)
        sort_members(&out->days[i]);
    free(top_of);
    free(repeat);
    free(runs);
    free(by_date);
    free(before);
    tally_free(&t);
}

void an_creation_days_free(struct an_creation_days *d)
{
    for (size_t i = 0; i < d->n; i++) {
        free(d->days[i].user_ids);
        free(d->days[i].logins);
    }
    free(d->days);
    memset(d, 0, sizeof *d);
}
