/*
 * The gateway's background work, every sweep_every_ms: remove expired login sessions and
 * OAuth states, and delete unsaved analysis sessions idle past TCA_SESSION_TTL. Never deletes
 * a saved session. Following live channels is not the gateway's: the leading scheduler does
 * it (jobs/live.c), so several gateways never poll Twitch several times.
 */
#include "web/internal.h"

#include "base/log.h"

#include <stdlib.h>

void web_sweep(struct web *w, struct store *st)
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
    r.st = NULL; /* the caller owns it */
    free(r.resp);
}
