/*
 * A loaded session's captures and stays, read from the store into the shapes analysis/ reads,
 * and its chatters' ids from them. The stays stream in (store_stays_each), so their chatters
 * can go on to a profile feed while the scan goes on. Must never read anything but captures
 * and stays.
 */
#include "report/internal.h"
#include "report/profile_feed.h"
#include "analysis/ids.h"
#include "base/xalloc.h"

#include <stdlib.h>

/* Where the stays of one scan go: the channel they belong to (several channels: one scan of
 * the whole session, routed), and their chatters, as they come, to a profile feed. */
struct stay_reader {
    struct rp_data *d;
    struct rp_channel *only; /* NULL: every loaded channel, by channel id */
    size_t *caps;            /* room in all_stays: only's, or per loaded channel */
    struct rp_profile_feed *feed;
};

static int add_stay(void *ctx, const struct store_stay *y)
{
    struct stay_reader *r = ctx;
    struct rp_channel *c = r->only;
    for (size_t i = 0; !c && i < r->d->n_channels; i++)
        if (r->d->channels[i].info.channel_id == y->channel_id)
            c = &r->d->channels[i];
    if (!c)
        return 0; /* a channel the filter left out */
    size_t *cap = r->only ? r->caps : &r->caps[c - r->d->channels];
    c->all_stays = xgrow(c->all_stays, cap, c->n_all_stays, sizeof *c->all_stays, 256);
    c->all_stays[c->n_all_stays++] =
        (struct an_stay){y->user_id, c->info.channel_id, y->from_seq, y->to_seq};
    if (r->feed)
        rp_profile_feed_push(r->feed, y->user_id);
    return 0;
}

static int load_captures(struct store *st, struct rp_data *d, struct rp_channel *c, char *err,
                         size_t errlen)
{
    struct store_capture *caps;
    size_t n;
    int rc = store_capture_list(st, d->session.id, c->info.channel_id, &caps, &n, err, errlen);
    if (rc)
        return rc;
    c->captures = xcalloc(n ? n : 1, sizeof *c->captures);
    for (size_t i = 0; i < n; i++)
        c->captures[i] = (struct an_capture){caps[i].seq, caps[i].taken_at_ms};
    c->n_captures = n;
    free(caps);
    return 0;
}

static int finish_channel(struct rp_channel *c, char *err, size_t errlen)
{
    if (!c->all_stays)
        c->all_stays = xmalloc(sizeof *c->all_stays);
    c->all_ch = (struct an_channel){c->info.channel_id, c->captures, c->n_captures, c->all_stays,
                                    c->n_all_stays};
    return an_channel_check(&c->all_ch, err, errlen);
}

int rp_load_presence(struct store *st, struct rp_data *d, struct rp_channel *c, char *err,
                     size_t errlen)
{
    size_t cap = 0;
    struct stay_reader r = {.d = d, .only = c, .caps = &cap};
    int rc = load_captures(st, d, c, err, errlen);
    if (!rc)
        rc = store_stays_each(st, d->session.id, c->info.channel_id, add_stay, &r, err, errlen);
    return rc ? rc : finish_channel(c, err, errlen);
}

/* One scan in chatter id order, the whole session's when several channels are loaded (routed
 * to theirs, the others skipped), so that the feed gets the chatters ascending. */
int rp_load_all_presence(struct store *st, struct rp_data *d, struct rp_profile_feed *feed,
                         char *err, size_t errlen)
{
    int rc = 0;
    for (size_t c = 0; c < d->n_channels && !rc; c++)
        rc = load_captures(st, d, &d->channels[c], err, errlen);
    if (rc || !d->n_channels)
        return rc;
    size_t *caps = xcalloc(d->n_channels, sizeof *caps);
    struct stay_reader r = {
        .d = d, .only = d->n_channels == 1 ? &d->channels[0] : NULL, .caps = caps, .feed = feed};
    rc = store_stays_each(st, d->session.id, r.only ? r.only->info.channel_id : 0, add_stay, &r,
                          err, errlen);
    free(caps);
    for (size_t c = 0; c < d->n_channels && !rc; c++)
        rc = finish_channel(&d->channels[c], err, errlen);
    return rc;
}

int64_t *rp_stay_ids(const struct rp_data *d, size_t *n_out)
{
    size_t n = 0;
    for (size_t c = 0; c < d->n_channels; c++)
        n += d->channels[c].n_all_stays;
    int64_t *ids = xmalloc((n ? n : 1) * sizeof *ids);
    n = 0;
    for (size_t c = 0; c < d->n_channels; c++)
        for (size_t i = 0; i < d->channels[c].n_all_stays; i++)
            ids[n++] = d->channels[c].all_stays[i].user_id;
    *n_out = an_ids_sort_unique(ids, n);
    return ids;
}
