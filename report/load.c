/*
 * Loading a session for a report: its channels (after the filter), their captures and stays,
 * each chatter's history in earlier sessions of the same user, profiles and name histories,
 * then every flag. Flags are always computed over every chatter, so excluding known bots
 * never hides why another account was flagged. Must never keep anything between calls.
 */
#include "report/internal.h"
#include "report/profile_feed.h"
#include "analysis/ids.h"
#include "analysis/session_flags.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct rp_person *rp_profile(const struct rp_data *d, int64_t user_id)
{
    size_t lo = 0, hi = d->n_people;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (d->people[mid].user_id < user_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < d->n_people && d->people[lo].user_id == user_id ? &d->people[lo] : NULL;
}

/* Picks the session's channels the filter names (all when none). */
int rp_pick_channels(struct store *st, struct rp_data *d, const struct report_options *o, char *err,
                     size_t errlen)
{
    struct store_session_channel *all;
    size_t n;
    int rc = store_session_channels(st, d->session.id, &all, &n, err, errlen);
    if (rc)
        return rc;
    d->channels = xcalloc(n ? n : 1, sizeof *d->channels);
    for (size_t f = 0; f < o->n_channels; f++) {
        size_t i = 0;
        while (i < n && strcasecmp(all[i].login, o->channels[f]) != 0)
            i++;
        if (i == n) {
            rc = tca_fail(err, errlen, TCA_EINVAL, "channel %s was not captured in session %lld",
                          o->channels[f], (long long)d->session.id);
            break;
        }
    }
    for (size_t i = 0; i < n && !rc; i++) {
        int keep = o->n_channels == 0;
        for (size_t f = 0; f < o->n_channels && !keep; f++)
            keep = strcasecmp(all[i].login, o->channels[f]) == 0;
        if (keep)
            d->channels[d->n_channels++].info = all[i];
    }
    free(all);
    return rc;
}

/* One chatter seen in an earlier session. */
struct seen {
    int64_t user_id;
    int64_t session_first_at_ms;
    int64_t session_id;
    int64_t first_seq;
    int64_t last_seen_ms;
};

struct seen_list {
    struct seen *items;
    size_t n, cap;
    const int64_t *ids; /* the chatters of this session's channel, sorted */
    size_t n_ids;
    int64_t *sessions; /* the earlier sessions, repeats allowed */
    size_t n_sessions, cap_sessions;
};

static void add_session(struct seen_list *l, int64_t session_id)
{
    l->sessions = xgrow(l->sessions, &l->cap_sessions, l->n_sessions, sizeof *l->sessions, 16);
    l->sessions[l->n_sessions++] = session_id;
}

static void add_seen(struct seen_list *l, const struct seen *e)
{
    if (!an_ids_contain(l->ids, l->n_ids, e->user_id))
        return;
    l->items = xgrow(l->items, &l->cap, l->n, sizeof *l->items, 256);
    l->items[l->n++] = *e;
}

static int by_user_then_session(const void *a, const void *b)
{
    const struct seen *x = a, *y = b;
    if (x->user_id != y->user_id)
        return (x->user_id > y->user_id) - (x->user_id < y->user_id);
    if (x->session_first_at_ms != y->session_first_at_ms)
        return (x->session_first_at_ms > y->session_first_at_ms) -
               (x->session_first_at_ms < y->session_first_at_ms);
    return (x->session_id > y->session_id) - (x->session_id < y->session_id);
}

/* A session that captured the channel before this one did (by first capture). */
static int earlier(const struct rp_data *d, const struct rp_channel *c, int64_t session_id,
                   int64_t first_at_ms)
{
    return session_id != d->session.id &&
           (first_at_ms < c->info.first_at_ms ||
            (first_at_ms == c->info.first_at_ms && session_id < d->session.id));
}

/* Earlier sessions that still exist, from their stays. */
static int live_history(struct store *st, struct rp_data *d, struct rp_channel *c,
                        struct seen_list *l, char *err, size_t errlen)
{
    struct store_channel_session *ss;
    size_t n_ss;
    int rc =
        store_channel_sessions(st, c->info.channel_id, d->session.user_id, &ss, &n_ss, err, errlen);
    for (size_t s = 0; s < n_ss && !rc; s++) {
        if (!earlier(d, c, ss[s].session_id, ss[s].first_at_ms))
            continue;
        add_session(l, ss[s].session_id);
        struct store_visit *v;
        size_t n_v;
        rc = store_channel_visits(st, ss[s].session_id, c->info.channel_id, &v, &n_v, err, errlen);
        for (size_t i = 0; !rc && i < n_v; i++)
            add_seen(l, &(struct seen){v[i].user_id, ss[s].first_at_ms, ss[s].session_id,
                                       v[i].first_seq, v[i].last_seen_ms});
        if (!rc)
            free(v);
    }
    free(ss);
    return rc;
}

/* The history of the channel's chatters in the user's sessions that captured it before this
 * one (by first capture), including the visits kept from sessions purged or deleted since:
 * returning viewers are those with any. */
int rp_load_history(struct store *st, struct rp_data *d, struct rp_channel *c, const int64_t *ids,
                    size_t n_ids, char *err, size_t errlen)
{
    struct seen_list l = {.ids = ids, .n_ids = n_ids};
    int rc = live_history(st, d, c, &l, err, errlen);
    struct store_kept_visit *kept = NULL;
    size_t n_kept = 0;
    if (!rc)
        rc = store_channel_kept_visits(st, c->info.channel_id, d->session.user_id, &kept, &n_kept,
                                       err, errlen);
    for (size_t i = 0; i < n_kept && !rc; i++) {
        if (!earlier(d, c, kept[i].session_id, kept[i].session_first_at_ms))
            continue;
        add_session(&l, kept[i].session_id);
        add_seen(&l, &(struct seen){kept[i].user_id, kept[i].session_first_at_ms,
                                    kept[i].session_id, kept[i].first_seq, kept[i].last_seen_ms});
    }
    free(kept);
    if (!rc && l.n) {
        /* Each user's sessions oldest first; a session purged and captured again counts once
         * (its kept and its live visit merge). */
        qsort(l.items, l.n, sizeof *l.items, by_user_then_session);
        c->visits = xmalloc(l.n * sizeof *c->visits);
        c->history = xmalloc(l.n * sizeof *c->history);
        size_t n_visits = 0;
        for (size_t i = 0; i < l.n; i++) {
            const struct seen *e = &l.items[i];
            struct an_history *h = c->n_history ? &c->history[c->n_history - 1] : NULL;
            if (h && h->user_id == e->user_id) {
                struct an_visit *last = &c->visits[n_visits - 1];
                if (last->session_id == e->session_id) {
                    if (e->last_seen_ms > last->last_seen_ms)
                        last->last_seen_ms = e->last_seen_ms;
                    continue;
                }
                c->visits[n_visits++] = (struct an_visit){e->session_id, e->last_seen_ms};
                h->n_visits++;
                continue;
            }
            c->visits[n_visits] = (struct an_visit){e->session_id, e->last_seen_ms};
            c->history[c->n_history++] = (struct an_history){e->user_id, e->session_id,
                                                             e->first_seq, &c->visits[n_visits], 1};
            n_visits++;
        }
    }
    c->n_earlier = l.n_sessions ? an_ids_sort_unique(l.sessions, l.n_sessions) : 0;
    free(l.sessions);
    free(l.items);
    return rc;
}

static int load_history(struct store *st, struct rp_data *d, struct rp_channel *c, char *err,
                        size_t errlen)
{
    size_t n_ids = c->n_all_stays;
    int64_t *ids = xmalloc((n_ids ? n_ids : 1) * sizeof *ids);
    for (size_t i = 0; i < n_ids; i++)
        ids[i] = c->all_stays[i].user_id;
    n_ids = an_ids_sort_unique(ids, n_ids);
    int rc = rp_load_history(st, d, c, ids, n_ids, err, errlen);
    free(ids);
    return rc;
}

/* Profiles kept small while they stream in: a million chatters are ~60 MB this way, where
 * the store's fixed-size struct would take 176 MB. */
struct people_loader {
    struct rp_data *d;
    int lean;        /* display names not kept: each points at its login's terminator */
    size_t *offsets; /* login offset in the pool per person, until the pool stops moving */
    size_t cap;
    struct buf pool;
};

static void people_begin(struct people_loader *l, struct rp_data *d, int lean, size_t expected)
{
    *l = (struct people_loader){.d = d, .lean = lean, .cap = expected ? expected : 1};
    buf_init(&l->pool, 0);
    d->people = xmalloc(l->cap * sizeof *d->people);
    l->offsets = xmalloc(l->cap * sizeof *l->offsets);
}

static int add_person(void *ctx, const struct store_chatter_profile *p)
{
    struct people_loader *l = ctx;
    struct rp_data *d = l->d;
    if (d->n_people == l->cap) {
        l->cap *= 2;
        d->people = xreallocarray(d->people, l->cap, sizeof *d->people);
        l->offsets = xreallocarray(l->offsets, l->cap, sizeof *l->offsets);
    }
    l->offsets[d->n_people] = l->pool.len;
    buf_append(&l->pool, p->login, strlen(p->login) + 1);
    if (!l->lean)
        buf_append(&l->pool, p->display_name, strlen(p->display_name) + 1);
    d->people[d->n_people++] = (struct rp_person){p->user_id, p->created_at_ms, NULL, NULL};
    return 0;
}

/* Points the people at the pool, which no longer moves, and makes the profiles from them. */
static void people_end(struct people_loader *l)
{
    struct rp_data *d = l->d;
    d->pool = buf_steal(&l->pool);
    d->profiles = xmalloc((d->n_people ? d->n_people : 1) * sizeof *d->profiles);
    for (size_t i = 0; i < d->n_people; i++) {
        struct rp_person *p = &d->people[i];
        p->login = d->pool + l->offsets[i];
        p->display_name = p->login + strlen(p->login) + !l->lean;
        d->profiles[i] = (struct an_profile){p->user_id, p->login, p->created_at_ms};
    }
    d->n_profiles = d->n_people;
    free(l->offsets);
    l->offsets = NULL;
}

int rp_load_names(struct store *st, struct rp_data *d, char *err, size_t errlen)
{
    int rc = store_session_names(st, d->session.id, &d->name_rows, &d->n_names, err, errlen);
    if (rc)
        return rc;
    d->names = xmalloc((d->n_names ? d->n_names : 1) * sizeof *d->names);
    for (size_t i = 0; i < d->n_names; i++)
        d->names[i] = (struct an_name){d->name_rows[i].user_id, d->name_rows[i].login,
                                       d->name_rows[i].display_name, d->name_rows[i].seen_at_ms};
    return 0;
}

/* The chatters of the loaded channels are the ids of their stays, already read: the profiles
 * are read for those ids (store_profiles_each), not through a second pass over the stays. */
static int load_profiles(struct store *st, struct rp_data *d, int lean, char *err, size_t errlen)
{
    size_t n;
    int64_t *ids = rp_stay_ids(d, &n);
    struct people_loader l;
    people_begin(&l, d, lean, n);
    int rc = store_profiles_each(st, ids, n, lean ? STORE_PROFILE_LEAN : STORE_PROFILE_DISPLAY,
                                 add_person, &l, err, errlen);
    free(ids);
    people_end(&l);
    return rc ? rc : rp_load_names(st, d, err, errlen);
}

int rp_compute_flags(struct store *st, struct rp_data *d, const struct report_options *o, char *err,
                     size_t errlen)
{
    struct store_known_bot *bots;
    size_t n_bots;
    int rc = store_bot_list(st, d->session.user_id, &bots, &n_bots, err, errlen);
    if (rc)
        return rc;
    int64_t *ids = xmalloc((n_bots ? n_bots : 1) * sizeof *ids);
    const char **logins = xmalloc((n_bots ? n_bots : 1) * sizeof *logins);
    size_t n_ids = 0;
    for (size_t i = 0; i < n_bots; i++) {
        logins[i] = bots[i].login;
        if (bots[i].user_id)
            ids[n_ids++] = bots[i].user_id;
    }
    n_ids = an_ids_sort_unique(ids, n_ids);
    struct an_known_bots kb = {ids, n_ids, logins, n_bots};

    struct an_channel *chs = xmalloc((d->n_channels ? d->n_channels : 1) * sizeof *chs);
    for (size_t c = 0; c < d->n_channels; c++)
        chs[c] = d->channels[c].all_ch;
    struct an_flag_rules rules = {o->levels,  o->flag_level, o->top_days,
                                  o->cluster, o->multi,      o->min_renames};
    struct an_session_flags sf;
    rc = an_session_flags(d->profiles, d->n_profiles, chs, d->n_channels, d->names, d->n_names, &kb,
                          &rules, &sf, err, errlen);
    free(chs);
    free(ids);
    free(logins);
    free(bots);
    if (rc) {
        an_session_flags_free(&sf);
        return rc;
    }
    /* rp_data takes everything over; sf is not freed */
    d->flags = sf.flags;
    d->flag_days = sf.days;
    d->flag_clusters = sf.clusters;
    d->multi = sf.multi;
    d->n_multi = sf.n_multi;
    d->renamers = sf.renamers;
    d->n_renamers = sf.n_renamers;
    return 0;
}

/* Leaves the excluded accounts out of the stays and profiles the statistics read. */
static void apply_exclusion(struct rp_data *d, const struct report_options *o)
{
    uint32_t mask = o->exclude;
    for (size_t c = 0; c < d->n_channels; c++) {
        struct rp_channel *ch = &d->channels[c];
        if (mask) {
            an_flags_exclude_stays(&d->flags, mask, ch->all_stays, ch->n_all_stays, &ch->stays,
                                   &ch->n_stays);
        } else {
            ch->stays = ch->all_stays;
            ch->n_stays = ch->n_all_stays;
        }
        ch->ch = ch->all_ch;
        ch->ch.stays = ch->stays;
        ch->ch.n_stays = ch->n_stays;
    }
    if (!mask) {
        d->kept = d->profiles;
        d->n_kept = d->n_profiles;
        return;
    }
    d->kept = xmalloc((d->n_profiles ? d->n_profiles : 1) * sizeof *d->kept);
    for (size_t i = 0; i < d->n_profiles; i++)
        if (!an_flags_match(&d->flags, d->profiles[i].user_id, mask))
            d->kept[d->n_kept++] = d->profiles[i];
}

int rp_load(struct store *st, int64_t user_id, int64_t session_id, const struct report_options *o,
            struct rp_data *d, char *err, size_t errlen)
{
    return rp_load_part(st, user_id, session_id, o, RP_PROFILES, d, err, errlen);
}

/*
 * With a second connection (aside), the profiles are read on it by a second thread while this
 * one scans the stays (report/profile_feed.h): the feed gets each chatter as its first stay
 * comes, in id order, and the two reads overlap. It writes only the people and pool of d (its
 * loader), which nothing here touches until rp_profile_feed_end.
 *
 * Snapshots: the stays are one statement, one snapshot taken at its first step; the profiles
 * are one transaction on aside whose snapshot is taken once the first chunk of ids arrived,
 * so no earlier than the stays'. Profile rows are never deleted (a capture writes a chatter's
 * placeholder in the transaction that opens their first stay; enrichment only updates it), so
 * every chatter of the stays read has the profile row it had at the stays' moment or a later
 * version of it: what the sequential path gives too, whose profiles read follows the stays'.
 */
static int load(struct store *st, struct store *aside, int64_t user_id, int64_t session_id,
                const struct report_options *o, int profiles, int flags, struct rp_data *d,
                char *err, size_t errlen)
{
    memset(d, 0, sizeof *d);
    an_flags_init(&d->flags);
    int rc = store_session_get(st, session_id, &d->session, err, errlen);
    /* absent and someone else's: the same words, so nothing tells them apart */
    if (rc == TCA_ENOTFOUND || (!rc && d->session.user_id != user_id))
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no session %lld", (long long)session_id);
    if (!rc)
        rc = rp_pick_channels(st, d, o, err, errlen);
    /* An exclusion needs the flags, and the flags need every profile. */
    if (profiles == RP_NO_PROFILES && o->exclude)
        profiles = RP_PROFILES_LEAN;
    int lean = profiles == RP_PROFILES_LEAN;
    struct people_loader l;
    struct rp_profile_feed *feed = NULL;
    if (!rc && profiles && aside) {
        people_begin(&l, d, lean, 0);
        feed = rp_profile_feed_start(aside, lean ? STORE_PROFILE_LEAN : STORE_PROFILE_DISPLAY,
                                     add_person, &l);
        if (!feed) {
            free(l.offsets);
            buf_free(&l.pool);
            free(d->people);
            d->people = NULL;
        }
    }
    /* Stays and profiles are read once each, in key order: cached, their pages would add
     * the session's size to the process (16 MB of the whole document's 95 MB on issue 15's
     * store) and evict what other requests keep warm. */
    store_scan_hint(st, 1);
    if (!rc)
        rc = rp_load_all_presence(st, d, feed, err, errlen);
    for (size_t c = 0; c < d->n_channels && !rc; c++)
        rc = load_history(st, d, &d->channels[c], err, errlen);
    if (feed) {
        int frc = rp_profile_feed_end(feed, rc ? NULL : err, rc ? 0 : errlen);
        people_end(&l);
        if (!rc)
            rc = frc;
        if (!rc)
            rc = rp_load_names(st, d, err, errlen);
    } else if (!rc && profiles) {
        rc = load_profiles(st, d, lean, err, errlen);
    }
    store_scan_hint(st, 0);
    if (!rc && profiles && (flags || o->exclude)) {
        an_flags_free(&d->flags); /* rp_compute_flags makes the flags anew */
        rc = rp_compute_flags(st, d, o, err, errlen);
    }
    if (!rc)
        apply_exclusion(d, o);
    if (rc)
        rp_free(d);
    return rc;
}

int rp_load_part(struct store *st, int64_t user_id, int64_t session_id,
                 const struct report_options *o, int profiles, struct rp_data *d, char *err,
                 size_t errlen)
{
    return load(st, NULL, user_id, session_id, o, profiles, 1, d, err, errlen);
}

int rp_load_part_aside(struct store *st, struct store *aside, int64_t user_id, int64_t session_id,
                       const struct report_options *o, int profiles, struct rp_data *d, char *err,
                       size_t errlen)
{
    return load(st, aside, user_id, session_id, o, profiles, 1, d, err, errlen);
}

int rp_load_aside(struct store *st, struct store *aside, int64_t user_id, int64_t session_id,
                  const struct report_options *o, int flags, struct rp_data *d, char *err,
                  size_t errlen)
{
    return load(st, aside, user_id, session_id, o, RP_PROFILES, flags, d, err, errlen);
}

void rp_free(struct rp_data *d)
{
    for (size_t c = 0; c < d->n_channels; c++) {
        struct rp_channel *ch = &d->channels[c];
        if (ch->stays != ch->all_stays)
            free(ch->stays);
        free(ch->all_stays);
        free(ch->captures);
        free(ch->history);
        free(ch->visits);
    }
    free(d->channels);
    if (d->kept != d->profiles)
        free(d->kept);
    free(d->people);
    free(d->pool);
    free(d->profiles);
    free(d->name_rows);
    free(d->names);
    an_flags_free(&d->flags);
    an_creation_days_free(&d->flag_days);
    an_clusters_free(&d->flag_clusters);
    free(d->multi);
    free(d->renamers);
    memset(d, 0, sizeof *d);
}
