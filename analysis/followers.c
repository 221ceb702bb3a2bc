/*
 * Follower waves. A read's burst is the largest set of its new followers created within
 * window_ms of each other (a sliding window over creation times), and its usual is the median
 * burst of the channel's other reads: the median, not the mean, so a wave in one read does
 * not raise the bar for the next. Never sees the clock: times are in the follows.
 */
#include "analysis/followers.h"

#include "base/xalloc.h"

#include <stdlib.h>

struct an_follower_rule an_follower_rule_default(void)
{
    return (struct an_follower_rule){
        .min_accounts = 20, .window_ms = 24LL * 3600 * 1000, .over_usual = 5.0};
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

/* The burst and median age of one read from its follows' creation and follow times. */
static void rate_read(const struct an_follow *follows, size_t n, int64_t window_ms,
                      struct an_follower_read *r, int64_t *created, int64_t *ages)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (follows[i].seq != r->seq)
            continue;
        r->n_new++;
        if (follows[i].created_at_ms <= 0)
            continue;
        created[k] = follows[i].created_at_ms;
        ages[k++] = follows[i].followed_at_ms - follows[i].created_at_ms;
    }
    r->known = k;
    if (k == 0)
        return;
    qsort(created, k, sizeof *created, cmp_i64);
    qsort(ages, k, sizeof *ages, cmp_i64);
    r->median_age_ms = ages[k / 2];
    for (size_t lo = 0, hi = 0; hi < k; hi++) {
        while (created[hi] - created[lo] > window_ms)
            lo++;
        if (hi - lo + 1 > r->burst) {
            r->burst = hi - lo + 1;
            r->burst_from_ms = created[lo];
            r->burst_to_ms = created[hi];
        }
    }
}

void an_follower_waves(const struct an_follow *follows, size_t n, const int64_t *seqs,
                       size_t n_reads, const struct an_follower_rule *rule,
                       struct an_follower_read *out)
{
    struct an_follower_rule def = an_follower_rule_default();
    if (!rule)
        rule = &def;
    int64_t *created = xmalloc((n ? n : 1) * sizeof *created);
    int64_t *ages = xmalloc((n ? n : 1) * sizeof *ages);
    for (size_t i = 0; i < n_reads; i++) {
        out[i] = (struct an_follower_read){.seq = seqs[i]};
        rate_read(follows, n, rule->window_ms, &out[i], created, ages);
    }
    free(created);
    free(ages);
    size_t *others = xmalloc((n_reads ? n_reads : 1) * sizeof *others);
    for (size_t i = 0; i < n_reads; i++) {
        size_t m = 0;
        for (size_t j = 0; j < n_reads; j++)
            if (j != i)
                others[m++] = out[j].burst;
        qsort(others, m, sizeof *others, cmp_size);
        out[i].usual = m == 0  ? 0.0
                       : m % 2 ? (double)others[m / 2]
                               : (others[m / 2 - 1] + others[m / 2]) / 2.0;
        double bar = rule->over_usual * (out[i].usual > 1.0 ? out[i].usual : 1.0);
        out[i].wave = out[i].burst >= rule->min_accounts && (double)out[i].burst >= bar;
    }
    free(others);
}

int an_follow_in_wave(const struct an_follower_read *r, const struct an_follow *f)
{
    return r->wave && f->seq == r->seq && f->created_at_ms > 0 &&
           f->created_at_ms >= r->burst_from_ms && f->created_at_ms <= r->burst_to_ms;
}
