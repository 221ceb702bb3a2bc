/*
 * Influx detection on the per-capture series, then one pass over the stays to see who of
 * each raid stayed. The baseline leaves out earlier influxes so that one raid does not hide
 * the next by inflating the mean. Must never read the clock: times come from the captures.
 */
#include "analysis/raids.h"
#include "analysis/ids.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MIN_MS 60000

struct an_raid_rule an_raid_rule_default(void)
{
    return (struct an_raid_rule){
        .window = 10, .min_baseline = 3, .z = 3.0, .min_joined = 10, .min_new_share = 0.5};
}

/* Marks influx captures in is_raid[1..n] and fills their baseline. */
static size_t find_influxes(const struct an_participation *p, const struct an_raid_rule *rule,
                            unsigned char *is_raid, struct an_raid *raids)
{
    size_t n = p->n_series, found = 0;
    for (size_t k = 2; k <= n; k++) {
        double sum = 0, sq = 0;
        size_t used = 0;
        for (size_t j = k - 1; j >= 2 && used < rule->window; j--) {
            if (is_raid[j])
                continue;
            sum += (double)p->series[j - 1].joined;
            used++;
        }
        if (used < rule->min_baseline || used == 0)
            continue;
        double mean = sum / (double)used;
        used = 0;
        for (size_t j = k - 1; j >= 2 && used < rule->window; j--) {
            if (is_raid[j])
                continue;
            double d = (double)p->series[j - 1].joined - mean;
            sq += d * d;
            used++;
        }
        double sd = sqrt(sq / (double)used);
        const struct an_capture_stat *c = &p->series[k - 1];
        double bar = mean + rule->z * sd;
        if (bar < (double)rule->min_joined)
            bar = (double)rule->min_joined;
        if (c->joined == 0 || (double)c->joined < bar)
            continue;
        double share = (double)c->new_to_channel / (double)c->joined;
        if (share < rule->min_new_share)
            continue;
        is_raid[k] = 1;
        struct an_raid *r = &raids[found++];
        memset(r, 0, sizeof *r);
        r->seq = (int64_t)k;
        r->taken_at_ms = c->taken_at_ms;
        r->joined = c->joined;
        r->new_to_channel = c->new_to_channel;
        r->new_share = share;
        r->baseline_mean = mean;
        r->baseline_stddev = sd;
    }
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
    for (size_t i = 0; i < out->n; i++)
        raid_at[out->raids[i].seq] = i + 1;
    for (size_t i = 0; i < ch->n_stays && out->n; i++) {
        const struct an_stay *s = &ch->stays[i];
        if (!raid_at[s->from_seq])
            continue;
        struct an_raid *r = &out->raids[raid_at[s->from_seq] - 1];
        int64_t lasted = an_stay_duration_ms(ch, s);
        r->stayed_5m += lasted >= 5 * MIN_MS;
        r->stayed_15m += lasted >= 15 * MIN_MS;
        r->stayed_30m += lasted >= 30 * MIN_MS;
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
