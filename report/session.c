/*
 * The session document: participation, new and returning viewers, raids and the timeline of
 * each channel, then the same over all chosen channels. Everything is computed by analysis/
 * from a loaded session; this file only chooses inputs and names the numbers. It must never
 * recompute a statistic by hand.
 */
#include "report/internal.h"
#include "report/chat.h"
#include "analysis/raids.h"
#include "analysis/viewers.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>

json_t *rp_participation_json(const struct an_participation *p)
{
    json_t *buckets = json_array(), *retention = json_array();
    for (size_t i = 0; i < AN_TIME_BUCKETS; i++)
        json_array_append_new(buckets, json_pack("{s:I, s:I}", "from_ms",
                                                 (json_int_t)an_time_bucket_floor_ms(i), "chatters",
                                                 (json_int_t)p->time_buckets[i]));
    for (size_t i = 0; i < AN_RETENTION_LEVELS; i++)
        json_array_append_new(
            retention, json_pack("{s:i, s:I, s:f}", "percent", an_retention_percent(i), "chatters",
                                 (json_int_t)p->retained[i], "share", p->retention[i]));
    return json_pack("{s:I, s:I, s:I, s:o, s:f, s:I, s:I, s:I, s:o, s:o}", "unique_chatters",
                     (json_int_t)p->unique_chatters, "peak_chatters", (json_int_t)p->peak_chatters,
                     "peak_seq", (json_int_t)p->peak_seq, "peak_at", rp_time(p->peak_at_ms),
                     "avg_chatters", p->avg_chatters, "p50_ms", (json_int_t)p->p50_ms, "p90_ms",
                     (json_int_t)p->p90_ms, "p99_ms", (json_int_t)p->p99_ms, "time_present",
                     buckets, "retention", retention);
}

static json_t *series_json(const struct an_participation *p)
{
    json_t *a = json_array();
    for (size_t i = 0; i < p->n_series; i++) {
        const struct an_capture_stat *s = &p->series[i];
        json_array_append_new(
            a, json_pack("{s:I, s:o, s:I, s:I, s:I, s:I, s:f}", "seq", (json_int_t)s->seq,
                         "taken_at", rp_time(s->taken_at_ms), "chatters", (json_int_t)s->chatters,
                         "joined", (json_int_t)s->joined, "left", (json_int_t)s->left,
                         "new_to_channel", (json_int_t)s->new_to_channel, "churn", s->churn));
    }
    return a;
}

static json_t *viewer_json(const struct rp_data *d, const struct an_viewer *v)
{
    const struct rp_person *p = rp_profile(d, v->user_id);
    return json_pack("{s:o, s:s, s:b, s:I, s:I, s:o, s:I}", "id", rp_id(v->user_id), "login",
                     p ? p->login : "", "returning", v->returning, "sessions",
                     (json_int_t)v->sessions, "earlier_sessions", (json_int_t)v->earlier_sessions,
                     "last_seen_before", rp_time(v->last_seen_ms), "present_ms",
                     (json_int_t)v->present_ms);
}

static json_t *viewers_json(const struct rp_data *d, const struct rp_channel *c,
                            const struct an_viewers *v, const struct report_options *o,
                            unsigned sections)
{
    json_t *out =
        json_pack("{s:I, s:I, s:I}", "new", (json_int_t)v->n_new, "returning",
                  (json_int_t)v->n_returning, "earlier_sessions", (json_int_t)c->n_earlier);
    size_t n_top;
    struct an_viewer *top = an_regulars(v, o->top, &n_top);
    json_t *regulars = json_array();
    for (size_t i = 0; i < n_top; i++)
        json_array_append_new(regulars, viewer_json(d, &top[i]));
    free(top);
    json_object_set_new(out, "regulars", regulars);
    if (sections & REPORT_VIEWER_LIST) {
        json_t *all = json_array();
        for (size_t i = 0; i < v->n; i++)
            json_array_append_new(all, viewer_json(d, &v->viewers[i]));
        json_object_set_new(out, "chatters", all);
    }
    return out;
}

/* Accounts of a bot wave (creation day at the flag level) or a login cluster, sorted. */
int64_t *rp_wave_ids(const struct rp_data *d, size_t *n)
{
    int64_t *ids = xmalloc((d->flags.n ? d->flags.n : 1) * sizeof *ids);
    *n = 0;
    for (size_t i = 0; i < d->flags.n; i++)
        if (d->flags.flags[i].reasons & (AN_REASON_WAVE | AN_REASON_CLUSTER))
            ids[(*n)++] = d->flags.flags[i].user_id;
    *n = an_ids_sort_unique(ids, *n);
    return ids;
}

/* A stay count is an integer once its window has passed, else null with the time it will
 * be observable: a 0 there would tell a moderator nobody stayed. */
static void stayed_json(json_t *o, const struct an_raid *x)
{
    for (size_t w = 0; w < AN_STAY_WINDOWS; w++) {
        char key[40];
        snprintf(key, sizeof key, "stayed_%dm", AN_STAY_WINDOWS_MIN[w]);
        if (x->stayed_known[w]) {
            json_object_set_new(o, key, json_integer((json_int_t)x->stayed[w]));
            continue;
        }
        json_object_set_new(o, key, json_null());
        snprintf(key, sizeof key, "stayed_%dm_observable_at", AN_STAY_WINDOWS_MIN[w]);
        json_object_set_new(o, key,
                            rp_time(x->taken_at_ms + (int64_t)AN_STAY_WINDOWS_MIN[w] * 60 * 1000));
    }
}

static json_t *raids_json(const struct an_raids *r)
{
    json_t *a = json_array();
    for (size_t i = 0; i < r->n; i++) {
        const struct an_raid *x = &r->raids[i];
        json_t *o =
            json_pack("{s:I, s:o, s:I, s:I, s:I, s:f, s:f, s:I, s:f, s:I, s:f}", "seq",
                      (json_int_t)x->seq, "taken_at", rp_time(x->taken_at_ms), "size",
                      (json_int_t)x->size, "joined", (json_int_t)x->joined, "audience",
                      (json_int_t)x->audience, "expected_joined", x->expected, "spread", x->spread,
                      "new_to_channel", (json_int_t)x->new_to_channel, "new_share", x->new_share,
                      "in_wave", (json_int_t)x->in_wave, "wave_share", x->wave_share);
        stayed_json(o, x);
        json_array_append_new(a, o);
    }
    return a;
}

static json_t *channel_head(const struct rp_channel *c)
{
    return json_pack("{s:o, s:s, s:s, s:I, s:o, s:o}", "id", rp_id(c->info.channel_id), "login",
                     c->info.login, "display_name", c->info.display_name, "captures",
                     (json_int_t)c->info.captures, "first_capture_at", rp_time(c->info.first_at_ms),
                     "last_capture_at", rp_time(c->info.last_at_ms));
}

/* The channel object; *kept (when not NULL) takes the channel's participation over. */
/* Without the per-chatter list the document needs the counts and the regulars only: the
 * chatters are classified a slice at a time and only each slice's regulars kept (the
 * regulars of the whole are the regulars of the slices' regulars: their order is total, ties
 * broken by id), so the 48 bytes a chatter of the full classification never coexist with the
 * participation at the whole document's peak (14.8 MB on issue 15's 307,600 chatters). */
enum { VIEWER_SLICE = 16384 };

static void viewers_summary(const struct rp_data *d, const struct rp_channel *c,
                            const struct an_participation *p, size_t top, struct an_viewers *out)
{
    memset(out, 0, sizeof *out);
    size_t cap = 0;
    out->viewers = xgrow(NULL, &cap, 0, sizeof *out->viewers, 64); /* never NULL, as an_viewers */
    for (size_t at = 0; at < p->unique_chatters; at += VIEWER_SLICE) {
        size_t n = p->unique_chatters - at < VIEWER_SLICE ? p->unique_chatters - at : VIEWER_SLICE;
        struct an_viewers slice;
        an_viewers(d->session.id, p->chatters + at, n, c->history, c->n_history, &slice);
        size_t n_top;
        struct an_viewer *best = an_regulars(&slice, top, &n_top);
        out->viewers = xgrow(out->viewers, &cap, out->n + n_top, sizeof *out->viewers, 64);
        memcpy(out->viewers + out->n, best, n_top * sizeof *best);
        out->n += n_top;
        out->n_new += slice.n_new;
        out->n_returning += slice.n_returning;
        free(best);
        an_viewers_free(&slice);
    }
}

static json_t *channel_json(const struct rp_data *d, size_t ci, const struct report_options *o,
                            unsigned sections, struct an_participation *kept, char *err,
                            size_t errlen)
{
    const struct rp_channel *c = &d->channels[ci];
    struct an_participation p;
    if (an_participation(&c->ch, d->session.id, c->history, c->n_history, &p, err, errlen))
        return NULL;
    json_t *out = channel_head(c);
    if (sections & REPORT_PARTICIPATION)
        json_object_set_new(out, "participation", rp_participation_json(&p));
    if (sections & (REPORT_VIEWERS | REPORT_VIEWER_LIST)) {
        struct an_viewers v;
        if (sections & REPORT_VIEWER_LIST)
            an_viewers(d->session.id, p.chatters, p.unique_chatters, c->history, c->n_history, &v);
        else
            viewers_summary(d, c, &p, o->top, &v);
        json_object_set_new(out, "viewers", viewers_json(d, c, &v, o, sections));
        an_viewers_free(&v);
    }
    if (sections & REPORT_RAIDS) {
        size_t n_wave;
        int64_t *wave = rp_wave_ids(d, &n_wave);
        struct an_raids r;
        int rc = an_raids(&c->ch, &p, &o->raid, wave, n_wave, &r, err, errlen);
        free(wave);
        if (rc) {
            json_decref(out);
            an_participation_free(&p);
            return NULL;
        }
        json_object_set_new(out, "raids", raids_json(&r));
        an_raids_free(&r);
    }
    if (sections & REPORT_SERIES)
        json_object_set_new(out, "series", series_json(&p));
    if (kept)
        *kept = p;
    else
        an_participation_free(&p);
    return out;
}

json_t *rp_channel_json(const struct rp_data *d, size_t ci, const struct report_options *o,
                        unsigned sections, char *err, size_t errlen)
{
    return channel_json(d, ci, o, sections, NULL, err, errlen);
}

static int forward_in_time(const struct an_channel *ch)
{
    for (size_t i = 1; i < ch->n_captures; i++)
        if (ch->captures[i].taken_at_ms < ch->captures[i - 1].taken_at_ms)
            return 0;
    return 1;
}

/* Numbers over every chosen channel together; returning means returning in any of them. */
static json_t *all_json(const struct rp_data *d, unsigned sections,
                        const struct an_participation *one, char *err, size_t errlen)
{
    struct an_channel *chs = xmalloc((d->n_channels ? d->n_channels : 1) * sizeof *chs);
    for (size_t c = 0; c < d->n_channels; c++)
        chs[c] = d->channels[c].ch;
    struct an_participation p = {0};
    /* One channel whose captures go forward in time: a chatter's stays there never overlap,
     * so the union over channels is their sum, and the channel's own participation (one)
     * has the numbers all_channels shows. */
    int rc = one ? 0 : an_participation_all(chs, d->n_channels, &p, err, errlen);
    free(chs);
    if (one)
        p = *one;
    if (rc)
        return NULL;
    json_t *out = json_object();
    if (sections & REPORT_PARTICIPATION) {
        json_t *part = rp_participation_json(&p);
        /* per-capture numbers mean nothing across channels with their own captures */
        json_object_del(part, "peak_chatters");
        json_object_del(part, "peak_seq");
        json_object_del(part, "peak_at");
        json_object_del(part, "avg_chatters");
        json_object_del(part, "retention");
        json_object_set_new(out, "participation", part);
    }
    if (sections & REPORT_VIEWERS) {
        size_t returning = 0;
        for (size_t i = 0; i < p.unique_chatters; i++) {
            int64_t id = p.chatters[i].user_id;
            for (size_t c = 0; c < d->n_channels; c++)
                if (an_history_find(d->channels[c].history, d->channels[c].n_history, id)) {
                    returning++;
                    break;
                }
        }
        json_object_set_new(out, "viewers",
                            json_pack("{s:I, s:I}", "new",
                                      (json_int_t)(p.unique_chatters - returning), "returning",
                                      (json_int_t)returning));
    }
    if (!one)
        an_participation_free(&p);
    return out;
}

static json_t *session_head(const struct store_session *s)
{
    return json_pack("{s:{s:I, s:s, s:b, s:b, s:o, s:I}}", "session", "id", (json_int_t)s->id,
                     "label", s->label, "active", s->active, "saved", s->saved, "created_at",
                     rp_time(s->created_at_ms), "captures", (json_int_t)s->captures);
}

/* One channel's series from its captures' own counts and the aggregate each capture kept
 * (new_to_owner); NULL, with nothing failed, when a capture has none (stored by a back end or
 * a version that keeps none): the caller recomputes from the stays. */
static json_t *kept_series(struct store *st, const struct rp_data *d, const struct rp_channel *c,
                           int *rc, char *err, size_t errlen)
{
    struct store_capture *caps;
    size_t n;
    *rc = store_capture_list(st, d->session.id, c->info.channel_id, &caps, &n, err, errlen);
    if (*rc)
        return NULL;
    struct an_participation p = {.series = xcalloc(n ? n : 1, sizeof *p.series), .n_series = n};
    int kept = 1;
    for (size_t i = 0; i < n && kept; i++) {
        const struct store_capture *k = &caps[i];
        kept = k->new_to_owner >= 0 && k->seq == (int64_t)i + 1;
        int64_t before = i ? caps[i - 1].chatter_count : 0;
        p.series[i] = (struct an_capture_stat){
            k->seq,
            k->taken_at_ms,
            (size_t)k->chatter_count,
            (size_t)k->joined,
            (size_t)k->left,
            (size_t)(kept ? k->new_to_owner : 0),
            before ? (double)k->left / (double)before : 0.0,
        };
    }
    json_t *out = kept ? series_json(&p) : NULL;
    free(p.series);
    free(caps);
    return out;
}

/*
 * The document of the series alone, read from the captures and their aggregates: the
 * timeline a dashboard refreshes after every capture costs a read of the capture rows instead
 * of every stay of the session. *built is 0 when some capture has no aggregate.
 */
static int series_document(struct store *st, int64_t user_id, int64_t session_id,
                           const struct report_options *o, json_t **out, int *built, char *err,
                           size_t errlen)
{
    *out = NULL;
    *built = 0;
    struct rp_data d = {0};
    int rc = store_session_get(st, session_id, &d.session, err, errlen);
    /* the same refusal as rp_load_part: absent and someone else's read alike */
    if (rc == TCA_ENOTFOUND || (!rc && d.session.user_id != user_id))
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no session %lld", (long long)session_id);
    if (!rc)
        rc = rp_pick_channels(st, &d, o, err, errlen);
    json_t *doc = rc ? NULL : session_head(&d.session), *channels = json_array();
    int all = 1;
    for (size_t c = 0; c < d.n_channels && !rc && all; c++) {
        json_t *series = kept_series(st, &d, &d.channels[c], &rc, err, errlen);
        all = series != NULL;
        if (!series)
            continue;
        json_t *cj = channel_head(&d.channels[c]);
        json_object_set_new(cj, "series", series);
        json_array_append_new(channels, cj);
    }
    rp_free(&d);
    if (rc || !all) {
        json_decref(doc);
        json_decref(channels);
        return rc;
    }
    json_object_set_new(doc, "channels", channels);
    *out = doc;
    *built = 1;
    return 0;
}

/* Participation, series and overlap read stays only: a dashboard refreshing the series must
 * not pay for every profile and the flags. Followers read their own rows. */
int report_sections_read_profiles(unsigned sections)
{
    return (sections & ~(unsigned)(REPORT_PARTICIPATION | REPORT_SERIES | REPORT_OVERLAP |
                                   REPORT_FOLLOWERS)) != 0;
}

int report_session(struct store *st, int64_t user_id, int64_t session_id,
                   const struct report_options *o, unsigned sections, json_t **out, char *err,
                   size_t errlen)
{
    return report_session_aside(st, NULL, user_id, session_id, o, sections, out, err, errlen);
}

int report_session_aside(struct store *st, struct store *aside, int64_t user_id, int64_t session_id,
                         const struct report_options *o, unsigned sections, json_t **out, char *err,
                         size_t errlen)
{
    *out = NULL;
    if (sections == REPORT_SERIES && !o->exclude) {
        int built;
        int rc = series_document(st, user_id, session_id, o, out, &built, err, errlen);
        if (rc || built)
            return rc;
    }
    struct rp_data d;
    int profiles = report_sections_read_profiles(sections)
                       ? RP_PROFILES_LEAN /* the document shows logins, no display name */
                       : RP_NO_PROFILES;
    int rc = rp_load_part_aside(st, aside, user_id, session_id, o, profiles, &d, err, errlen);
    if (rc)
        return rc;
    json_t *doc = session_head(&d.session);
    json_t *channels = json_array();
    json_object_set_new(doc, "channels", channels);
    /* all_channels of one channel is the channel's own participation, computed once */
    struct an_participation one = {0};
    int single = d.n_channels == 1 && forward_in_time(&d.channels[0].ch);
    for (size_t c = 0; c < d.n_channels && !rc; c++) {
        json_t *cj = channel_json(&d, c, o, sections, single ? &one : NULL, err, errlen);
        if (!cj)
            rc = TCA_EINVAL;
        else
            json_array_append_new(channels, cj);
    }
    if (!rc && (sections & (REPORT_PARTICIPATION | REPORT_VIEWERS))) {
        json_t *all = all_json(&d, sections, single ? &one : NULL, err, errlen);
        if (!all)
            rc = TCA_EINVAL;
        else
            json_object_set_new(doc, "all_channels", all);
    }
    /* freed before the accounts' arrays are made: the two met at the document's peak */
    an_participation_free(&one);
    if (!rc && (sections & (REPORT_ACCOUNTS | REPORT_SUSPECTS)))
        json_object_set_new(doc, "accounts", rp_accounts_json(&d, o, sections));
    if (!rc && (sections & (REPORT_FLAGS | REPORT_FLAG_LIST)))
        json_object_set_new(doc, "flags", rp_flags_json(&d, o, sections));
    if (!rc && (sections & REPORT_OVERLAP))
        json_object_set_new(doc, "overlap", rp_matrix_json(&d));
    if (!rc && (sections & REPORT_FOLLOWERS)) {
        struct rp_followers f;
        rc = rp_followers_load(st, &d, &f, err, errlen);
        if (!rc)
            json_object_set_new(doc, "followers", rp_followers_json(&f, o));
        rp_followers_free(&f);
    }
    json_t *chat = NULL;
    if (!rc && (sections & REPORT_CHAT) &&
        !(rc = report_chat_section(st, session_id, o, &chat, err, errlen)))
        json_object_set_new(doc, "chat", chat);
    rp_free(&d);
    if (rc) {
        json_decref(doc);
        return rc;
    }
    *out = doc;
    return 0;
}
