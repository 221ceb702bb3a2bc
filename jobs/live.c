/*
 * Live following for the scheduler. Must never start a capture schedule for a channel the
 * stream of which Twitch does not list as live, nor spend more than one Helix call per user
 * and 100 channels per sweep.
 */
#include "jobs/live.h"
#include "base/err.h"
#include "twitch/user_token.h"

#include <stdio.h>
#include <stdlib.h>

/* Get Streams takes at most 100 user_id parameters. */
#define STREAMS_PER_CALL 100

int live_apply(struct store *st, struct store_live_watch *lw, int live, int64_t now_ms, char *err,
               size_t errlen)
{
    int rc = 0;
    if (live == lw->live)
        return 0;
    if (live) {
        struct store_schedule sch = {.session_id = lw->session_id,
                                     .channel_id = lw->channel_id,
                                     .user_id = lw->user_id,
                                     .interval_s = lw->interval_s,
                                     .next_at_ms = now_ms,
                                     .enabled = 1};
        rc = store_schedule_set(st, &sch, err, errlen);
    } else {
        rc = store_schedule_stop(st, lw->session_id, lw->channel_id, err, errlen);
        if (rc == TCA_ENOTFOUND)
            rc = 0;
    }
    if (rc)
        return rc;
    lw->live = live;
    return store_live_watch_set(st, lw, err, errlen);
}

static int by_user(const void *a, const void *b)
{
    const struct store_live_watch *x = a, *y = b;
    return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

/* Checks lw[0..n) (one user's watches, at most STREAMS_PER_CALL) with one call. */
static int follow_batch(struct store *st, struct twitch_client *tw, struct twitch_token *tok,
                        const struct crypto_keys *keys, struct store_live_watch *lw, size_t n,
                        int64_t now_ms, int *changed, char *err, size_t errlen)
{
    int64_t ids[STREAMS_PER_CALL];
    struct twitch_stream *streams = NULL;
    size_t n_live = 0;
    for (size_t i = 0; i < n; i++)
        ids[i] = lw[i].channel_id;
    int rc = twitch_get_streams(tw, tok, ids, n, &streams, &n_live, err, errlen);
    int saved = user_token_persist_refresh(st, keys, tok, now_ms, NULL, 0);
    if (!rc && saved)
        rc = tca_fail(err, errlen, saved, "could not store refreshed tokens");
    for (size_t i = 0; i < n && !rc; i++) {
        int live = 0;
        for (size_t k = 0; k < n_live && !live; k++)
            live = streams[k].user_id == lw[i].channel_id;
        int was = lw[i].live;
        rc = live_apply(st, &lw[i], live, now_ms, err, errlen);
        if (!rc && was != live && changed)
            (*changed)++;
    }
    free(streams);
    return rc;
}

int live_follow(struct store *st, const struct crypto_keys *keys, struct twitch_client *tw,
                int64_t now_ms, int *changed, char *err, size_t errlen)
{
    struct store_live_watch *lw = NULL;
    size_t n = 0;
    int first = 0;
    if (changed)
        *changed = 0;
    int rc = store_live_watch_list(st, &lw, &n, err, errlen);
    if (rc)
        return rc;
    if (n > 1)
        qsort(lw, n, sizeof *lw, by_user);
    for (size_t i = 0; i < n;) {
        size_t end = i;
        while (end < n && lw[end].user_id == lw[i].user_id && end - i < STREAMS_PER_CALL)
            end++;
        struct twitch_token tok = {0};
        char why[256];
        rc = user_token_load(st, keys, tw, lw[i].user_id, now_ms, &tok, why, sizeof why);
        if (!rc)
            rc =
                follow_batch(st, tw, &tok, keys, &lw[i], end - i, now_ms, changed, why, sizeof why);
        twitch_token_clear(&tok);
        if (rc && !first)
            first = tca_fail(err, errlen, rc, "live check of user %lld: %s",
                             (long long)lw[i].user_id, why);
        i = end;
    }
    free(lw);
    return first;
}
