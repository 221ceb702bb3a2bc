/*
 * Influx detection on the per-capture series, then one pass over the stays to see who of
 * each raid stayed. The baseline is robust (median and MAD) and leaves out earlier raids so
 * that one raid neither hides the next nor lifts the bar; its spread is floored by the
 * Poisson noise of the arrivals so that a steady channel does not turn every blip into a
 * raid. Must never read the clock: times come from the captures.
 */
#include "analysis/raids.h"
#include "analysis/ids.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_MS 60000

const int AN_STAY_WINDOWS_MIN[AN_STAY_WINDOWS] = {5, 15, 30};

struct an_raid_rule an_raid_rule_default(void)
{
    return (struct an_raid_rule){.window = 10,
                                 .min_baseline = 4,
                                 .z = 4.0,
                                 .min_surge = 10,
                                 .min_share = 0.10,
                                 .min_new_share = 0.5};
}

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median of v[0..n) (n >= 1); sorts v. */
static double median(double *v, size_t n)
{
    qsort(v, n, sizeof *v, by_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* The baseline of capture k into r->expected and r->spread; 0 when too short. Arrivals are
 * taken as a rate of the audience before them, so the baseline follows a stream that grows,
 * shrinks or empties instead of carrying the arrivals of a bigger audience along. */
static int baseline(const struct an_participation *p, const struct an_raid_rule *rule,
                    const unsigned char *is_raid, size_t k, double *scratch, struct an_raid *r)
{
    size_t used = 0;
    for (size_t j = k - 1; j >= 2 && used < rule->window; j--) {
        if (is_raid[j])
            continue;
        size_t before = p->series[j - 2].chatters;
        if (before > 0)
            scratch[used++] = (double)p->series[j - 1].joined / (double)before;
    }
    if (used == 0 || used < rule->min_baseline)
        return 0;
    double audience = (double)p->series[k - 2].chatters;
    double med = median(scratch, used);
    for (size_t i = 0; i < used; i++)
        scratch[i] = fabs(scratch[i] - med);
    double expected = med * audience;
    double spread = 1.4826 * median(scratch, used) * audience; /* MAD as a normal stddev */
    if (spread < sqrt(expected))
        spread = sqrt(expected);
    if (spread < 1)
        spread = 1;
    r->expected = expected;
    r->spread = spread;
    return 1;
}

/* Marks raid captures in is_raid[1..n] and fills what the series tells of them. */
static size_t find_influxes(const struct an_participation *p, const struct an_raid_rule *rule,
                            unsigned char *is_raid, struct an_raid *raids)
{
    size_t n = p->n_series, found = 0;
    double *scratch = xmalloc((rule->window ? rule->window : 1) * sizeof *scratch);
    for (size_t k = 2; k <= n; k++) {
        struct an_raid r = {0};
        if (!baseline(p, rule, is_raid, k, scratch, &r))
            continue;
        const struct an_capture_stat *c = &p->series[k - 1];
        double surge = (double)c->joined - r.expected;
        size_t audience = p->series[k - 2].chatters;
        /* z^2 / 4 is the skew of a count: with spread = sqrt(e) the bar is (sqrt(e) + z/2)^2,
         * z on the scale where Poisson counts are normal; without it a channel with ~9
         * arrivals a minute sees 23 about once in 10,000 minutes */
        double bar = rule->z * r.spread + rule->z * rule->z / 4;
        if (c->joined == 0 || surge < (double)rule->min_surge ||
            surge < rule->min_share * (double)audience || surge < bar)
            continue;
        double share = (double)c->new_to_channel / (double)c->joined;
        if (share < rule->min_new_share)
            continue;
        is_raid[k] = 1;
        r.seq = (int64_t)k;
        r.taken_at_ms = c->taken_at_ms;
        r.joined = c->joined;
        r.size = (size_t)llround(surge);
        r.audience = audience;
        r.new_to_channel = c->new_to_channel;
        r.new_share = share;
        raids[found++] = r;
    }
    free(scratch);
    return found;
}

int an_raids(const struct an_channel *ch, const struct an_participation *p,
             const struct an_raid_rule *rule, const int64_t *wave_ids, size_t n_wave,
             struct an_raids *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct an_raid_rule defaults = an_raid_rule_default();
    if (!rule)
        rule = &defaults;
    int rc = an_channel_check(ch, err, errlen);
    if (rc)
        return rc;
    if (p->n_series != ch->n_captures)
        return tca_fail(err, errlen, TCA_EINVAL, "participation has %zu captures, channel %zu",
                        p->n_series, ch->n_captures);
    size_t n = ch->n_captures;
    unsigned char *is_raid = xcalloc(n + 1, 1);
    /* raid_at[k]: index + 1 of the raid at capture k, so the stay pass is O(1) a stay. */
    size_t *raid_at = xcalloc(n + 1, sizeof *raid_at);
    out->raids = xmalloc((n ? n : 1) * sizeof *out->raids);
    out->n = find_influxes(p, rule, is_raid, out->raids);
    int64_t last_ms = n ? an_channel_time(ch, (int64_t)n) : 0;
    for (size_t i = 0; i < out->n; i++) {
        struct an_raid *r = &out->raids[i];
        raid_at[r->seq] = i + 1;
        /* A window that has not passed by the last capture cannot be counted yet: every
         * stay is cut there, so a 0 would be a guess, not a measurement. */
        for (size_t w = 0; w < AN_STAY_WINDOWS; w++)
            r->stayed_known[w] = last_ms - r->taken_at_ms >= AN_STAY_WINDOWS_MIN[w] * MIN_MS;
    }
    for (size_t i = 0; i < ch->n_stays && out->n; i++) {
        const struct an_stay *s = &ch->stays[i];
        if (!raid_at[s->from_seq])
            continue;
        struct an_raid *r = &out->raids[raid_at[s->from_seq] - 1];
        int64_t lasted = an_stay_duration_ms(ch, s);
        for (size_t w = 0; w < AN_STAY_WINDOWS; w++)
            r->stayed[w] += r->stayed_known[w] && lasted >= AN_STAY_WINDOWS_MIN[w] * MIN_MS;
        r->in_wave += an_ids_contain(wave_ids, n_wave, s->user_id);
    }
    for (size_t i = 0; i < out->n; i++)
        out->raids[i].wave_share = (double)out->raids[i].in_wave / (double)out->raids[i].joined;
    free(is_raid);
    free(raid_at);
    return 0;
}

void an_raids_free(struct an_raids *r)
{
    free(r->raids);
    memset(r, 0, sizeof *r);
}
