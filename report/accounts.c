/*
 * The accounts and flags parts of the session document: the account-age histogram, the top
 * creation days with their levels and logins, login clusters, accounts in many channels at
 * once, frequent renamers, and every flag with its reasons. Histogram, days and clusters are
 * over the chatters left after exclusion; flags are over everyone. Must never do I/O.
 */
#include "report/internal.h"
#include "analysis/clusters.h"
#include "base/xalloc.h"

#include <stdlib.h>

static json_t *histogram_json(const struct rp_data *d, const struct report_options *o)
{
    static const char *const names[] = {"day", "week", "month", "year"};
    struct an_age_histogram h;
    an_account_ages(d->kept, d->n_kept, o->period, &h);
    json_t *bars = json_array();
    for (size_t i = 0; i < h.n; i++) {
        char day[11];
        an_date_format(h.buckets[i].start_ms, day);
        json_array_append_new(
            bars, json_pack("{s:s, s:I}", "start", day, "count", (json_int_t)h.buckets[i].count));
    }
    json_t *out = json_pack("{s:s, s:o, s:I}", "period", names[o->period], "buckets", bars,
                            "unknown", (json_int_t)h.unknown);
    an_age_histogram_free(&h);
    return out;
}

json_t *rp_days_json(const struct an_creation_days *days)
{
    json_t *a = json_array();
    for (size_t i = 0; i < days->n; i++) {
        const struct an_creation_day *day = &days->days[i];
        char date[11];
        an_date_format(day->day_ms, date);
        json_t *logins = json_array();
        for (size_t k = 0; k < day->count; k++)
            json_array_append_new(logins, json_string(day->logins[k] ? day->logins[k] : ""));
        json_array_append_new(a, json_pack("{s:s, s:I, s:f, s:f, s:s, s:o}", "day", date, "count",
                                           (json_int_t)day->count, "share", day->share, "usual",
                                           day->usual, "level", an_level_name(day->level), "logins",
                                           logins));
    }
    return a;
}

static json_t *clusters_json(const struct rp_data *d, const struct an_clusters *c)
{
    json_t *a = json_array();
    for (size_t i = 0; i < c->n; i++) {
        const struct an_cluster *k = &c->clusters[i];
        json_t *logins = json_array();
        for (size_t m = 0; m < k->n; m++) {
            const struct rp_person *p = rp_profile(d, k->user_ids[m]);
            json_array_append_new(logins, json_string(p ? p->login : ""));
        }
        json_array_append_new(
            a, json_pack("{s:s, s:I, s:o, s:o, s:I, s:I, s:b, s:o}", "stem", k->stem, "count",
                         (json_int_t)k->n, "first_created_at", rp_time(k->first_created_ms),
                         "last_created_at", rp_time(k->last_created_ms), "number_min",
                         (json_int_t)k->number_min, "number_max", (json_int_t)k->number_max,
                         "sequence", k->sequence, "logins", logins));
    }
    return a;
}

static json_t *suspects_json(const struct rp_data *d)
{
    json_t *multi = json_array(), *renamers = json_array();
    for (size_t i = 0; i < d->n_multi; i++) {
        const struct rp_person *p = rp_profile(d, d->multi[i].user_id);
        /* listed from multi_channels up; flagged only under the multi-channel rule */
        json_array_append_new(
            multi,
            json_pack("{s:o, s:s, s:I, s:o, s:b}", "id", rp_id(d->multi[i].user_id), "login",
                      p ? p->login : "", "channels", (json_int_t)d->multi[i].channels, "at",
                      rp_time(d->multi[i].at_ms), "flagged",
                      an_flags_match(&d->flags, d->multi[i].user_id, AN_REASON_MULTI_CHANNEL)));
    }
    for (size_t i = 0; i < d->n_renamers; i++) {
        const struct an_renamer *r = &d->renamers[i];
        json_array_append_new(renamers,
                              json_pack("{s:o, s:I, s:s, s:s}", "id", rp_id(r->user_id), "renames",
                                        (json_int_t)r->renames, "first_login",
                                        r->first_login ? r->first_login : "", "last_login",
                                        r->last_login ? r->last_login : ""));
    }
    return json_pack("{s:o, s:o}", "multi_channel", multi, "renamers", renamers);
}

json_t *rp_accounts_json(const struct rp_data *d, const struct report_options *o, unsigned sections)
{
    json_t *out = json_object();
    if (sections & REPORT_ACCOUNTS) {
        /* Without an exclusion the flags were computed over these very profiles with these
         * rules: their creation days and clusters are these (a tenth of the document's CPU on
         * issue 15's workload when computed twice). */
        struct an_creation_days own_days = {0};
        struct an_clusters own_clusters = {0};
        const struct an_creation_days *days = &d->flag_days;
        const struct an_clusters *clusters = &d->flag_clusters;
        if (d->kept != d->profiles) {
            an_top_creation_days(d->kept, d->n_kept, o->top_days, &o->levels, &own_days);
            an_clusters(d->kept, d->n_kept, &o->cluster, &own_clusters);
            days = &own_days;
            clusters = &own_clusters;
        }
        json_object_set_new(out, "audience", json_integer((json_int_t)days->audience));
        json_object_set_new(out, "age_histogram", histogram_json(d, o));
        json_object_set_new(out, "top_creation_days", rp_days_json(days));
        json_object_set_new(out, "clusters", clusters_json(d, clusters));
        an_creation_days_free(&own_days);
        an_clusters_free(&own_clusters);
    }
    if (sections & REPORT_SUSPECTS)
        json_object_update_new(out, suspects_json(d));
    return out;
}

json_t *rp_flags_json(const struct rp_data *d, const struct report_options *o, unsigned sections)
{
    static const uint32_t bits[] = {AN_REASON_KNOWN_BOT, AN_REASON_WAVE, AN_REASON_CLUSTER,
                                    AN_REASON_MULTI_CHANNEL, AN_REASON_RENAMER};
    json_t *by = json_object();
    size_t excluded = 0;
    for (size_t b = 0; b < sizeof bits / sizeof *bits; b++) {
        size_t n = 0;
        for (size_t i = 0; i < d->flags.n; i++)
            n += (d->flags.flags[i].reasons & bits[b]) != 0;
        char name[32];
        rp_reason_names(bits[b], name, sizeof name);
        json_object_set_new(by, name, json_integer((json_int_t)n));
    }
    for (size_t i = 0; i < d->flags.n; i++)
        excluded += (d->flags.flags[i].reasons & o->exclude) != 0;
    json_t *out = json_pack("{s:I, s:o, s:I}", "flagged", (json_int_t)d->flags.n, "by_reason", by,
                            "excluded", (json_int_t)excluded);
    if (sections & REPORT_FLAG_LIST) {
        const struct an_flag **sorted = an_flags_sorted(&d->flags);
        json_t *list = json_array();
        for (size_t i = 0; i < d->flags.n; i++) {
            const struct rp_person *p = rp_profile(d, sorted[i]->user_id);
            char reasons[128];
            rp_reason_names(sorted[i]->reasons, reasons, sizeof reasons);
            json_array_append_new(
                list,
                json_pack("{s:o, s:s, s:o, s:s, s:s}", "id", rp_id(sorted[i]->user_id), "login",
                          p ? p->login : "", "created_at", rp_time(p ? p->created_at_ms : 0),
                          "reasons", reasons, "details", sorted[i]->text ? sorted[i]->text : ""));
        }
        free(sorted);
        json_object_set_new(out, "accounts", list);
    }
    return out;
}
