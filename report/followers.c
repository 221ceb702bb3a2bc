/*
 * The followers part of the session document and its export: per chosen channel, the new
 * followers each capture's read found, their account ages, top creation days (with the
 * chatters' levels) and login clusters, and the reads whose burst of same-day accounts is a
 * follower wave. Computed by analysis/ (accounts, clusters, followers); this file only loads
 * the follows and names the numbers. Must never do I/O beyond the store reads here.
 */
#include "report/internal.h"
#include "report/table.h"
#include "analysis/clusters.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "store/store_followers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rp_followers_load(struct store *st, const struct rp_data *d, struct rp_followers *f, char *err,
                      size_t errlen)
{
    memset(f, 0, sizeof *f);
    int rc = store_followers_list(st, d->session.id, &f->rows, &f->n_rows, err, errlen);
    if (!rc)
        rc = store_follower_reads(st, d->session.id, &f->read_rows, &f->n_read_rows, err, errlen);
    if (rc) {
        rp_followers_free(f);
        return rc;
    }
    f->channels = xcalloc(d->n_channels + 1, sizeof *f->channels);
    f->n_channels = d->n_channels;
    for (size_t c = 0; c < d->n_channels; c++) {
        struct rp_follower_channel *fc = &f->channels[c];
        fc->channel_id = d->channels[c].info.channel_id;
        fc->login = d->channels[c].info.login;
        fc->follows = xcalloc(f->n_rows + 1, sizeof *fc->follows);
        for (size_t i = 0; i < f->n_rows; i++) {
            const struct store_follow *r = &f->rows[i];
            if (r->channel_id == fc->channel_id)
                fc->follows[fc->n++] = (struct an_follow){r->user_id, r->login, r->followed_at_ms,
                                                          r->created_at_ms, r->seq};
        }
        int64_t *seqs = xcalloc(f->n_read_rows + 1, sizeof *seqs);
        fc->read_at = xcalloc(f->n_read_rows + 1, sizeof *fc->read_at);
        for (size_t i = 0; i < f->n_read_rows; i++)
            if (f->read_rows[i].channel_id == fc->channel_id) {
                fc->read_at[fc->n_reads] = f->read_rows[i].read_at_ms;
                fc->total = f->read_rows[i].total; /* reads come by seq: the last one's */
                seqs[fc->n_reads++] = f->read_rows[i].seq;
            }
        fc->reads = xcalloc(fc->n_reads + 1, sizeof *fc->reads);
        an_follower_waves(fc->follows, fc->n, seqs, fc->n_reads, NULL, fc->reads);
        free(seqs);
    }
    return 0;
}

void rp_followers_free(struct rp_followers *f)
{
    for (size_t c = 0; c < f->n_channels; c++) {
        free(f->channels[c].follows);
        free(f->channels[c].reads);
        free(f->channels[c].read_at);
    }
    free(f->channels);
    free(f->rows);
    free(f->read_rows);
    memset(f, 0, sizeof *f);
}

static json_t *read_json(const struct an_follower_read *r, int64_t read_at_ms)
{
    json_t *o =
        json_pack("{s:I, s:o, s:I, s:I, s:I, s:f, s:b, s:f}", "seq", (json_int_t)r->seq, "read_at",
                  rp_time(read_at_ms), "new_followers", (json_int_t)r->n_new, "known",
                  (json_int_t)r->known, "burst", (json_int_t)r->burst, "usual", r->usual, "wave",
                  r->wave, "median_age_days", (double)r->median_age_ms / 86400000.0);
    json_object_set_new(o, "burst_created_from",
                        r->burst ? rp_time(r->burst_from_ms) : json_null());
    json_object_set_new(o, "burst_created_to", r->burst ? rp_time(r->burst_to_ms) : json_null());
    return o;
}

static json_t *wave_json(const struct rp_follower_channel *fc, const struct an_follower_read *r)
{
    json_t *logins = json_array();
    for (size_t i = 0; i < fc->n; i++)
        if (an_follow_in_wave(r, &fc->follows[i]))
            json_array_append_new(logins, json_string(fc->follows[i].login));
    char day[11];
    an_date_format(r->burst_from_ms, day);
    return json_pack("{s:I, s:I, s:s, s:o, s:o, s:f, s:o}", "seq", (json_int_t)r->seq, "count",
                     (json_int_t)r->burst, "day", day, "created_from", rp_time(r->burst_from_ms),
                     "created_to", rp_time(r->burst_to_ms), "usual", r->usual, "logins", logins);
}

static json_t *accounts_json(const struct rp_follower_channel *fc, const struct report_options *o)
{
    struct an_profile *p = xcalloc(fc->n + 1, sizeof *p);
    for (size_t i = 0; i < fc->n; i++)
        p[i] = (struct an_profile){fc->follows[i].user_id, fc->follows[i].login,
                                   fc->follows[i].created_at_ms};
    struct an_creation_days days;
    struct an_clusters clusters;
    an_top_creation_days(p, fc->n, o->top_days, &o->levels, &days);
    an_clusters(p, fc->n, &o->cluster, &clusters);
    json_t *cl = json_array();
    for (size_t i = 0; i < clusters.n; i++) {
        const struct an_cluster *k = &clusters.clusters[i];
        json_array_append_new(cl, json_pack("{s:s, s:I, s:o, s:o, s:b}", "stem", k->stem, "count",
                                            (json_int_t)k->n, "first_created_at",
                                            rp_time(k->first_created_ms), "last_created_at",
                                            rp_time(k->last_created_ms), "sequence", k->sequence));
    }
    static const char *const periods[] = {"day", "week", "month", "year"};
    struct an_age_histogram h;
    an_account_ages(p, fc->n, o->period, &h);
    json_t *bars = json_array();
    for (size_t i = 0; i < h.n; i++) {
        char start[11];
        an_date_format(h.buckets[i].start_ms, start);
        json_array_append_new(
            bars, json_pack("{s:s, s:I}", "start", start, "count", (json_int_t)h.buckets[i].count));
    }
    json_t *hist = json_pack("{s:s, s:o, s:I}", "period", periods[o->period], "buckets", bars,
                             "unknown", (json_int_t)h.unknown);
    an_age_histogram_free(&h);
    json_t *out = json_pack("{s:o, s:o, s:o}", "age_histogram", hist, "top_creation_days",
                            rp_days_json(&days), "clusters", cl);
    an_creation_days_free(&days);
    an_clusters_free(&clusters);
    free(p);
    return out;
}

json_t *rp_followers_json(const struct rp_followers *f, const struct report_options *o)
{
    struct an_follower_rule rule = an_follower_rule_default();
    json_t *channels = json_array();
    for (size_t c = 0; c < f->n_channels; c++) {
        const struct rp_follower_channel *fc = &f->channels[c];
        json_t *reads = json_array(), *waves = json_array();
        for (size_t i = 0; i < fc->n_reads; i++) {
            json_array_append_new(reads, read_json(&fc->reads[i], fc->read_at[i]));
            if (fc->reads[i].wave)
                json_array_append_new(waves, wave_json(fc, &fc->reads[i]));
        }
        json_t *ch = json_pack("{s:o, s:s, s:I, s:I, s:I}", "id", rp_id(fc->channel_id), "login",
                               fc->login, "reads", (json_int_t)fc->n_reads, "new_followers",
                               (json_int_t)fc->n, "total", (json_int_t)fc->total);
        json_object_update_new(ch, accounts_json(fc, o));
        json_object_set_new(ch, "captures", reads);
        json_object_set_new(ch, "waves", waves);
        json_array_append_new(channels, ch);
    }
    return json_pack("{s:{s:I, s:I, s:f}, s:o}", "wave_rule", "min_accounts",
                     (json_int_t)rule.min_accounts, "window_h",
                     (json_int_t)(rule.window_ms / 3600000), "over_usual", rule.over_usual,
                     "channels", channels);
}

int rp_export_followers(struct store *st, struct rp_data *d, const struct report_export *x,
                        const struct report_sink *sink, char *err, size_t errlen)
{
    static const char *const columns[] = {"channel",    "id",  "login", "followed_at",
                                          "created_at", "seq", "wave"};
    struct rp_followers f;
    int rc = rp_followers_load(st, d, &f, err, errlen);
    if (rc)
        return rc;
    struct rp_table t;
    rp_table_begin(&t, sink, x->format, columns, sizeof columns / sizeof *columns, 0);
    for (size_t c = 0; c < f.n_channels && !rc; c++) {
        const struct rp_follower_channel *fc = &f.channels[c];
        for (size_t i = 0; i < fc->n && !rc; i++) {
            const struct an_follow *fo = &fc->follows[i];
            int wave = 0;
            for (size_t r = 0; r < fc->n_reads; r++)
                wave |= an_follow_in_wave(&fc->reads[r], fo);
            char followed[40], created[40], id[24];
            snprintf(id, sizeof id, "%lld", (long long)fo->user_id);
            clock_format_rfc3339(fo->followed_at_ms, followed, sizeof followed);
            clock_format_rfc3339(fo->created_at_ms, created, sizeof created);
            struct rp_cell cells[7] = {
                {.kind = RP_STR, .s = fc->login},
                {.kind = RP_STR, .s = id},
                {.kind = RP_STR, .s = fo->login},
                {.kind = RP_STR, .s = followed},
                fo->created_at_ms ? (struct rp_cell){.kind = RP_STR, .s = created}
                                  : (struct rp_cell){.kind = RP_NULL},
                {.kind = RP_INT, .i = fo->seq},
                {.kind = RP_BOOL, .i = wave},
            };
            rc = rp_table_row(&t, cells, err, errlen);
        }
    }
    rp_followers_free(&f);
    if (rc) {
        rp_table_abort(&t);
        return rc;
    }
    return rp_table_end(&t, err, errlen);
}
