/*
 * Reads a channel's new follows beside its capture. Twitch lists follows newest first, so a
 * read stops at the newest follow already kept (or, on a channel's first read, an hour back):
 * one Helix call per 100 new follows of the shared budget. A token without the scope is never
 * used for it (Twitch would answer the total alone). Must never fail a capture.
 */
#include "jobs/followers.h"

#include "base/err.h"
#include "base/xalloc.h"
#include "store/store_followers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int has_scope(const char *scopes, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = scopes; (p = strstr(p, scope)); p += n)
        if ((p == scopes || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
            return 1;
    return 0;
}

int followers_fetch(struct worker_env *env, struct twitch_token *tok, int64_t channel_id,
                    int64_t now_ms, struct followers_read *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    if (!has_scope(tok->scopes, TWITCH_FOLLOWER_SCOPE))
        return 0;
    int64_t latest = 0, read_at = 0, interval = env->followers_interval_ms;
    int rc = store_followers_latest(env->st, channel_id, &latest, &read_at, err, errlen);
    if (rc)
        return rc;
    if (read_at > 0 && now_ms - read_at < interval)
        return 0;
    /* one ms back: a follow at the same instant as the newest kept is read again, and the
     * store keeps it once */
    int64_t since =
        latest - 1 > now_ms - FOLLOWERS_LOOKBACK_MS ? latest - 1 : now_ms - FOLLOWERS_LOOKBACK_MS;
    struct twitch_follow *follows = NULL;
    size_t n = 0;
    rc = twitch_get_new_followers(env->tw, tok, channel_id, since, FOLLOWERS_READ_MAX, &follows, &n,
                                  &out->total, err, errlen);
    if (rc) {
        free(follows);
        return rc;
    }
    out->follows = xcalloc(n + 1, sizeof *out->follows);
    for (size_t i = 0; i < n; i++) {
        out->follows[i].user_id = follows[i].user_id;
        out->follows[i].followed_at_ms = follows[i].followed_at_ms;
        snprintf(out->follows[i].login, sizeof out->follows[i].login, "%s", follows[i].login);
    }
    free(follows);
    out->n = n;
    out->read_at_ms = now_ms;
    out->done = 1;
    return 1;
}

int followers_store(struct worker_env *env, int64_t session_id, int64_t channel_id, int64_t seq,
                    const struct followers_read *r, int *added, char *err, size_t errlen)
{
    if (added)
        *added = 0;
    if (!r->done)
        return 0;
    return store_followers_add(env->st, session_id, channel_id, seq, r->follows, r->n,
                               r->read_at_ms, r->total, added, err, errlen);
}

void followers_read_free(struct followers_read *r)
{
    free(r->follows);
    memset(r, 0, sizeof *r);
}
