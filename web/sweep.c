/*
 * The gateway's background work, every sweep_every_ms: remove expired login sessions and
 * OAuth states, delete unsaved analysis sessions idle past TCA_SESSION_TTL, and follow the
 * live status of "capture while live" channels. Never deletes a saved session; a user whose
 * token Twitch refuses simply keeps their watches idle until they log in again.
 */
#include "web/internal.h"

#include "base/log.h"
#include "base/xalloc.h"
#include "twitch/user_token.h"

#include <stdlib.h>

static void follow_live(struct web_req *r, struct twitch_client *tw)
{
    struct store_live_watch *lw = NULL;
    size_t n = 0;
    char err[256];
    if (store_live_watch_list(r->st, &lw, &n, err, sizeof err)) {
        log_warn("gateway sweep: %s", err);
        return;
    }
    for (size_t i = 0; i < n; i++) {
        struct twitch_token tok = {0};
        struct twitch_stream *s = NULL;
        size_t live = 0;
        if (user_token_load(r->st, r->w->o.keys, tw, lw[i].user_id, web_now_ms(r), &tok, err,
                            sizeof err) == 0 &&
            twitch_get_streams(tw, &tok, &lw[i].channel_id, 1, &s, &live, err, sizeof err) == 0 &&
            web_live_apply(r, &lw[i], live > 0, err, sizeof err) == 0) {
            /* followed */
        } else {
            log_warn("gateway live check channel=%lld: %s", (long long)lw[i].channel_id, err);
        }
        free(s);
        twitch_token_clear(&tok);
    }
    free(lw);
}

void web_sweep(struct web *w, struct store *st, struct twitch_client *tw)
{
    struct web_req r = {.w = w, .st = st, .route = -1};
    char err[256];
    int64_t now = web_now_ms(&r);
    int logins = 0, sessions = 0;
    if (store_login_sweep(st, now - w->o.login_idle_ms, now, &logins, err, sizeof err) ||
        store_session_sweep(st, now - w->o.session_ttl_ms, &sessions, err, sizeof err))
        log_warn("gateway sweep: %s", err);
    if (logins || sessions)
        log_info("gateway sweep login_sessions=%d analysis_sessions=%d", logins, sessions);
    if (tw)
        follow_live(&r, tw);
    r.st = NULL; /* the caller owns it */
    free(r.resp);
}
