/*
 * The gateway's side of the metrics registry: requests by route and status, a latency
 * histogram per route and the gateway's events, recorded with atomic adds so counting never
 * slows a request down; and the /metrics text every role serves (the registry, the Twitch
 * budget, the process). Labels are route patterns, never raw paths.
 */
#include "web/internal.h"

#include "base/process_metrics.h"
#include "base/tca_metrics.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct web_metrics {
    struct metrics *m;   /* the registry counted into */
    struct metrics *own; /* when the options gave none */
    int *slot;           /* route number -> slot of tm_dim_route; [n_routes]: unmatched */
    size_t n_routes;
};

static const struct {
    const char *name;
    int family;
} events[] = {
    {"captures_queued", TM_CAPTURES_QUEUED},
    {"logins", TM_LOGINS},
    {"login_failures", TM_LOGIN_FAILURES},
    {"rate_limited", TM_RATE_LIMITED},
};

struct web_metrics *web_metrics_new(struct metrics *registry, size_t n_routes)
{
    struct web_metrics *wm = xcalloc(1, sizeof *wm);
    wm->m = registry ? registry : (wm->own = tca_metrics_new());
    wm->n_routes = n_routes;
    wm->slot = xcalloc(n_routes + 1, sizeof *wm->slot);
    size_t n = 0;
    const struct web_route *routes = web_routes(&n);
    for (size_t r = 0; r <= n_routes; r++) {
        char label[256];
        if (r < n_routes && r < n)
            snprintf(label, sizeof label, "method=\"%s\",route=\"%s\"", routes[r].method,
                     routes[r].pattern);
        else
            snprintf(label, sizeof label, "method=\"\",route=\"unmatched\"");
        /* key r: the slots of a shared registry are the same whatever starts first */
        wm->slot[r] = metrics_slot(wm->m, &tm_dim_route, (int64_t)r, label, 0);
    }
    return wm;
}

void web_metrics_free(struct web_metrics *wm)
{
    if (!wm)
        return;
    metrics_free(wm->own);
    free(wm->slot);
    free(wm);
}

struct metrics *web_metrics_registry(struct web_metrics *wm)
{
    return wm->m;
}

void web_metrics_request(struct web_metrics *wm, int route, int status, int64_t us)
{
    int slot = wm->slot[route >= 0 && (size_t)route < wm->n_routes ? (size_t)route : wm->n_routes];
    if (slot < 0)
        return;
    metrics_add(wm->m, TM_HTTP_REQUESTS, (size_t)slot, tca_metrics_status_index(status), 1);
    metrics_observe(wm->m, TM_HTTP_DURATION, (size_t)slot, 0, us > 0 ? us : 0);
}

void web_metrics_event(struct web_metrics *wm, const char *what)
{
    for (size_t i = 0; i < sizeof events / sizeof *events; i++)
        if (strcmp(events[i].name, what) == 0)
            metrics_add(wm->m, events[i].family, 0, 0, 1);
}

void web_metrics_text(struct metrics *m, struct twitch_budget *budget, int64_t now_ms,
                      struct buf *b)
{
    metrics_render(m, now_ms, b);
    if (budget)
        buf_printf(b,
                   "# HELP tca_twitch_ratelimit_remaining Points left in the tightest Twitch "
                   "bucket (-1: none seen yet).\n# TYPE tca_twitch_ratelimit_remaining gauge\n"
                   "tca_twitch_ratelimit_remaining %ld\n",
                   twitch_budget_remaining(budget));
    process_metrics_render(b);
}

void web_metrics_render_captures(struct buf *b, int64_t captures, int64_t renames)
{
    /* Read from the store, not counted here: the worker that records a rename may be another
     * process than the gateway that answers /metrics. */
    buf_printf(b,
               "# HELP tca_captures_stored_total Captures ever stored.\n"
               "# TYPE tca_captures_stored_total counter\ntca_captures_stored_total %lld\n"
               "# HELP tca_capture_renames_total Renames recorded by the stored captures.\n"
               "# TYPE tca_capture_renames_total counter\ntca_capture_renames_total %lld\n",
               (long long)captures, (long long)renames);
}
