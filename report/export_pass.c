/*
 * The pass the chatters export runs before its first row: every chatter's flags and whether
 * they are new or returning. The flag rules are global (creation-day waves, login clusters),
 * so every chatter of the session is read once; what is kept for that is the least the rules
 * read: id, creation time and login (24 bytes and the login's bytes a chatter), not the
 * display names, and no stay at all when the session has one channel (its chatters are the
 * profiles' ids; the multi-channel rule needs two channels). Must give the same answers as
 * rp_load, and must never keep anything of the session once the pass is over but its result.
 */
#include "report/internal.h"
#include "report/profile_feed.h"
#include "analysis/ids.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct lean_loader {
    struct rp_data *d;
    const int64_t *only; /* with several channels chosen: their chatters, sorted */
    size_t n_only;
    size_t cap;
    struct buf pool;
};

/* The login's offset in the pool goes in the login field until the pool stops moving: a
 * separate offset array would cost 8 bytes more a chatter at the peak. */
static int add_profile(void *ctx, const struct store_chatter_profile *p)
{
    struct lean_loader *l = ctx;
    struct rp_data *d = l->d;
    if (l->only && !an_ids_contain(l->only, l->n_only, p->user_id))
        return 0;
    if (d->n_profiles == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 4096;
        d->profiles = xreallocarray(d->profiles, l->cap, sizeof *d->profiles);
    }
    uintptr_t offset = l->pool.len;
    buf_append(&l->pool, p->login, strlen(p->login) + 1);
    d->profiles[d->n_profiles++] =
        (struct an_profile){p->user_id, (const char *)offset, p->created_at_ms};
    return 0;
}

/* Points the profiles' logins into the pool, which no longer moves. */
static void lean_end(struct lean_loader *l)
{
    struct rp_data *d = l->d;
    d->pool = buf_steal(&l->pool);
    if (!d->profiles)
        d->profiles = xmalloc(sizeof *d->profiles);
    for (size_t i = 0; i < d->n_profiles; i++)
        d->profiles[i].login = d->pool + (uintptr_t)d->profiles[i].login;
}

static int load_profiles(struct store *st, struct rp_data *d, const struct report_options *o,
                         char *err, size_t errlen)
{
    struct lean_loader l = {.d = d};
    buf_init(&l.pool, 0);
    int64_t *ids = NULL;
    if (o->n_channels > 1) /* as rp_load: keep the chatters of the chosen channels only */
        l.only = ids = rp_stay_ids(d, &l.n_only);
    int64_t one = d->n_channels == 1 ? d->channels[0].info.channel_id : 0;
    int rc = store_session_profiles_each(st, d->session.id, one, add_profile, &l, err, errlen);
    free(ids);
    lean_end(&l);
    return rc ? rc : rp_load_names(st, d, err, errlen);
}

static int feed_stay(void *ctx, const struct store_stay *y)
{
    rp_profile_feed_push(ctx, y->user_id);
    return 0;
}

/*
 * The stays scanned on st while aside reads the profiles of their chatters as they come
 * (report/profile_feed.h); one channel keeps no stay, several keep theirs for the
 * multi-channel rule. Only the chosen channels' stays are scanned, so every id fed is one of
 * their chatters. The snapshots are those of rp_load's (load.c says why they agree). *fed is 0
 * when no thread could start: nothing was read, the caller reads on one thread.
 */
static int load_fed(struct store *st, struct store *aside, struct rp_data *d, int *fed, char *err,
                    size_t errlen)
{
    struct lean_loader l = {.d = d};
    buf_init(&l.pool, 0);
    struct rp_profile_feed *feed =
        rp_profile_feed_start(aside, STORE_PROFILE_LEAN, add_profile, &l);
    *fed = feed != NULL;
    if (!feed)
        return 0;
    int rc = d->n_channels == 1
                 ? store_stays_each(st, d->session.id, d->channels[0].info.channel_id, feed_stay,
                                    feed, err, errlen)
                 : rp_load_all_presence(st, d, feed, err, errlen);
    int frc = rp_profile_feed_end(feed, rc ? NULL : err, rc ? 0 : errlen);
    lean_end(&l);
    if (!rc)
        rc = frc;
    return rc ? rc : rp_load_names(st, d, err, errlen);
}

/* The chatters of channel c, sorted and unique: from its stays when they were read, else
 * (one channel) the profiles' ids, which the store gives in id order without repeats. */
static int64_t *channel_ids(const struct rp_data *d, const struct rp_channel *c, size_t *n)
{
    if (c->all_stays) {
        int64_t *ids = xmalloc((c->n_all_stays ? c->n_all_stays : 1) * sizeof *ids);
        for (size_t i = 0; i < c->n_all_stays; i++)
            ids[i] = c->all_stays[i].user_id;
        *n = an_ids_sort_unique(ids, c->n_all_stays);
        return ids;
    }
    int64_t *ids = xmalloc((d->n_profiles ? d->n_profiles : 1) * sizeof *ids);
    for (size_t i = 0; i < d->n_profiles; i++)
        ids[i] = d->profiles[i].user_id;
    *n = d->n_profiles;
    return ids;
}

static int load_returning(struct store *st, struct rp_data *d, struct rp_export_pass *out,
                          char *err, size_t errlen)
{
    int rc = 0;
    for (size_t c = 0; c < d->n_channels && !rc; c++) {
        struct rp_channel *ch = &d->channels[c];
        size_t n;
        int64_t *ids = channel_ids(d, ch, &n);
        rc = rp_load_history(st, d, ch, ids, n, err, errlen);
        free(ids);
        if (rc || !ch->n_history)
            continue;
        out->returning =
            xreallocarray(out->returning, out->n_returning + ch->n_history, sizeof *out->returning);
        for (size_t h = 0; h < ch->n_history; h++)
            out->returning[out->n_returning++] = ch->history[h].user_id;
    }
    out->n_returning = an_ids_sort_unique(out->returning, out->n_returning);
    return rc;
}

/* Once the flags are made, what only they read (logins, names, the days' and clusters'
 * members) goes before the returning chatters are read: the ids channel_ids copies (8 bytes
 * a chatter) then never sit beside the logins, which was the pass's peak without clusters.
 * The profiles keep their ids (channel_ids, take_result) and lose their logins. */
static void drop_flag_inputs(struct rp_data *d)
{
    an_creation_days_free(&d->flag_days); /* borrows the logins */
    an_clusters_free(&d->flag_clusters);
    free(d->multi);
    free(d->renamers);
    free(d->names);
    free(d->name_rows);
    free(d->pool);
    d->multi = NULL;
    d->renamers = NULL;
    d->names = NULL;
    d->name_rows = NULL;
    d->pool = NULL;
    d->n_multi = d->n_renamers = d->n_names = 0;
    for (size_t i = 0; i < d->n_profiles; i++)
        d->profiles[i].login = "";
}

static void take_result(struct rp_data *d, const struct report_options *o,
                        struct rp_export_pass *out)
{
    an_flags_free(&out->flags);
    out->flags = d->flags;
    an_flags_init(&d->flags);
    out->channels = xcalloc(d->n_channels + 1, sizeof *out->channels);
    for (size_t c = 0; c < d->n_channels; c++)
        out->channels[out->n_channels++] = d->channels[c].info.channel_id;
    if (!o->n_channels)
        return;
    out->keep = xmalloc((d->n_profiles ? d->n_profiles : 1) * sizeof *out->keep);
    for (size_t i = 0; i < d->n_profiles; i++)
        out->keep[out->n_keep++] = d->profiles[i].user_id;
}

int rp_export_pass(struct store *st, int64_t user_id, int64_t session_id,
                   const struct report_options *o, struct rp_export_pass *out, char *err,
                   size_t errlen)
{
    return rp_export_pass_aside(st, NULL, user_id, session_id, o, out, err, errlen);
}

int rp_export_pass_aside(struct store *st, struct store *aside, int64_t user_id, int64_t session_id,
                         const struct report_options *o, struct rp_export_pass *out, char *err,
                         size_t errlen)
{
    struct rp_data d;
    memset(&d, 0, sizeof d);
    memset(out, 0, sizeof *out);
    an_flags_init(&d.flags);
    an_flags_init(&out->flags);
    int rc = store_session_get(st, session_id, &d.session, err, errlen);
    /* absent and someone else's: the same words, as rp_load */
    if (rc == TCA_ENOTFOUND || (!rc && d.session.user_id != user_id))
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no session %lld", (long long)session_id);
    if (!rc)
        rc = rp_pick_channels(st, &d, o, err, errlen);
    int fed = 0;
    if (!rc && aside && d.n_channels)
        rc = load_fed(st, aside, &d, &fed, err, errlen);
    /* One channel: no stay is needed (see the top of the file). */
    for (size_t c = 0; c < d.n_channels && d.n_channels > 1 && !rc && !fed; c++)
        rc = rp_load_presence(st, &d, &d.channels[c], err, errlen);
    if (!rc && !fed)
        rc = load_profiles(st, &d, o, err, errlen);
    /* The stays are read: what their scan left in st's page cache (up to the scan's 2 MB) is
     * given back before the flags' peak; the caller's hint holds for the reads after. */
    store_scan_hint(st, 0);
    store_scan_hint(st, 1);
    if (!rc) {
        an_flags_free(&d.flags); /* rp_compute_flags makes them anew */
        rc = rp_compute_flags(st, &d, o, err, errlen);
    }
    if (!rc) {
        drop_flag_inputs(&d);
        rc = load_returning(st, &d, out, err, errlen);
    }
    if (!rc)
        take_result(&d, o, out);
    rp_free(&d);
    if (rc)
        rp_export_pass_free(out);
    return rc;
}

void rp_export_pass_free(struct rp_export_pass *p)
{
    an_flags_free(&p->flags);
    free(p->returning);
    free(p->keep);
    free(p->channels);
    memset(p, 0, sizeof *p);
}
