/*
 * The route table and the checks every request passes before its handler: per-IP and
 * per-key rate limits, authentication, read-only keys, and the CSRF token of browser
 * sessions on every state-changing method. Must never run a handler that the table does
 * not grant to the caller.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/err.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const struct web_route routes[] = {
    {"GET", "/", web_home, WEB_PUBLIC},
    {"GET", "/healthz", web_healthz, WEB_PUBLIC},
    {"GET", "/readyz", web_readyz, WEB_PUBLIC},
    {"GET", "/metrics", web_metrics_route, WEB_PUBLIC},
    {"GET", "/auth/login", web_auth_login, WEB_PUBLIC},
    {"GET", "/auth/callback", web_auth_callback, WEB_PUBLIC},
    {"POST", "/auth/logout", web_auth_logout, WEB_BROWSER},
    {"POST", "/auth/logout-everywhere", web_auth_logout_everywhere, WEB_BROWSER},
    {"POST", "/auth/disconnect", web_auth_disconnect, WEB_BROWSER},
    {"GET", "/api/v1/openapi.json", web_openapi, WEB_PUBLIC},
    {"GET", "/api/v1/me", web_api_me, WEB_USER},
    {"GET", "/dock/{session}", web_dock, WEB_PUBLIC},
    {"GET", "/api/v1/sessions/{session}/events", web_api_session_events, WEB_USER},
    {"GET", "/api/v1/channels", web_api_channels, WEB_USER},
    {"GET", "/api/v1/sessions", web_api_sessions, WEB_USER},
    {"POST", "/api/v1/sessions", web_api_session_new, WEB_USER},
    {"GET", "/api/v1/sessions/{session}", web_api_session_get, WEB_USER},
    {"DELETE", "/api/v1/sessions/{session}", web_api_session_delete, WEB_USER},
    {"POST", "/api/v1/sessions/{session}/save", web_api_session_save, WEB_USER},
    {"PUT", "/api/v1/sessions/{session}/label", web_api_session_label, WEB_USER},
    {"POST", "/api/v1/sessions/{session}/purge", web_api_session_purge, WEB_USER},
    {"GET", "/api/v1/sessions/{session}/captures", web_api_session_captures, WEB_USER},
    {"GET", "/api/v1/sessions/{session}/jobs", web_api_session_jobs, WEB_USER},
    {"PUT", "/api/v1/sessions/{session}/channels/{channel}", web_api_session_channel_add, WEB_USER},
    {"POST", "/api/v1/sessions/{session}/channels/{channel}/capture", web_api_capture_now,
     WEB_USER},
    {"PUT", "/api/v1/sessions/{session}/channels/{channel}/schedule", web_api_schedule_set,
     WEB_USER},
    {"DELETE", "/api/v1/sessions/{session}/channels/{channel}/schedule", web_api_schedule_stop,
     WEB_USER},
    {"PUT", "/api/v1/sessions/{session}/channels/{channel}/live", web_api_live_set, WEB_USER},
    {"GET", "/api/v1/jobs/{job}", web_api_job_get, WEB_USER},
    {"GET", "/api/v1/keys", web_api_keys, WEB_USER},
    {"POST", "/api/v1/keys", web_api_key_create, WEB_BROWSER},
    {"DELETE", "/api/v1/keys/{key}", web_api_key_revoke, WEB_USER},
    {"GET", "/api/v1/sessions/{session}/stats", web_api_session_stats, WEB_USER},
    {"GET", "/api/v1/sessions/{session}/overlap", web_api_session_overlap, WEB_USER},
    {"GET", "/api/v1/sessions/{session}/export", web_api_session_export, WEB_USER},
    {"GET", "/api/v1/sessions/{session}/chatters", web_api_session_chatters, WEB_USER},
    {"GET", "/api/v1/sessions/{session}/chat", web_api_session_chat, WEB_USER},
    {"PUT", "/api/v1/sessions/{session}/chat", web_api_session_chat_set, WEB_USER},
    {"GET", "/api/v1/overlap", web_api_overlap_sessions, WEB_USER},
    {"GET", "/api/v1/chatters/{chatter}", web_api_chatter, WEB_USER},
    {"GET", "/api/v1/channels/{login}/history", web_api_channel_history, WEB_USER},
    {"GET", "/api/v1/bots", web_api_bots, WEB_USER},
    {"POST", "/api/v1/bots", web_api_bot_add, WEB_USER},
    {"POST", "/api/v1/bots/import", web_api_bots_import, WEB_USER},
    {"DELETE", "/api/v1/bots/{login}", web_api_bot_remove, WEB_USER},
    {"GET", "/api/v1/webhooks", web_api_webhooks, WEB_USER},
    {"POST", "/api/v1/webhooks", web_api_webhook_create, WEB_USER},
    {"DELETE", "/api/v1/webhooks/{webhook}", web_api_webhook_delete, WEB_USER},
    {"POST", "/api/v1/webhooks/{webhook}/test", web_api_webhook_test, WEB_USER},
    {"GET", "/api/v1/deliveries", web_api_deliveries, WEB_USER},
    {"GET", "/api/v1/watchlist", web_api_watchlist, WEB_USER},
    {"POST", "/api/v1/watchlist", web_api_watch_add, WEB_USER},
    {"POST", "/api/v1/watchlist/import", web_api_watch_import, WEB_USER},
    {"DELETE", "/api/v1/watchlist/{entry}", web_api_watch_remove, WEB_USER},
};

const struct web_route *web_routes(size_t *n)
{
    *n = sizeof routes / sizeof *routes;
    return routes;
}

/* Matches one pattern; path parameters are single segments of safe characters. */
static int match(const char *pattern, const char *path, char params[WEB_MAX_PARAMS][WEB_PARAM_MAX],
                 int *n_params)
{
    int n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *close = strchr(p, '}');
            size_t len = strcspn(s, "/");
            if (!close || len == 0 || len >= WEB_PARAM_MAX || n >= WEB_MAX_PARAMS)
                return 0;
            for (size_t i = 0; i < len; i++) {
                char c = s[i];
                if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                      c == '_' || c == '-'))
                    return 0;
            }
            memcpy(params[n], s, len);
            params[n][len] = 0;
            n++;
            p = close + 1;
            s += len;
        } else if (*p++ != *s++) {
            return 0;
        }
    }
    if (*p || *s)
        return 0;
    *n_params = n;
    return 1;
}

int web_route_match(const char *method, const char *path, int *route,
                    char params[WEB_MAX_PARAMS][WEB_PARAM_MAX], int *n_params)
{
    int path_known = 0;
    *route = -1;
    *n_params = 0;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (!match(routes[i].pattern, path, params, n_params))
            continue;
        path_known = 1;
        if (strcmp(routes[i].method, method) == 0 ||
            (strcmp(method, "HEAD") == 0 && strcmp(routes[i].method, "GET") == 0)) {
            *route = (int)i;
            return 0;
        }
    }
    *n_params = 0;
    return path_known ? 405 : 404;
}

void web_route_allow(const char *path, char *out, size_t outlen)
{
    char params[WEB_MAX_PARAMS][WEB_PARAM_MAX];
    int n;
    size_t used = 0;
    out[0] = 0;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (!match(routes[i].pattern, path, params, &n))
            continue;
        int w = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", routes[i].method);
        if (w < 0 || (size_t)w >= outlen - used)
            return;
        used += (size_t)w;
    }
}

/* The routes `tca analysis` serves: statistics and exports (and the operations endpoints,
 * the OpenAPI document and /api/v1/me), so a proxy can send them to their own processes. */
static int analysis_route(const char *pattern)
{
    static const char *const prefixes[] = {
        "/healthz",   "/readyz",         "/metrics",          "/api/v1/openapi.json",
        "/api/v1/me", "/api/v1/overlap", "/api/v1/chatters/", "/api/v1/bots"};
    static const char *const suffixes[] = {"/stats", "/overlap", "/export", "/history"};
    size_t len = strlen(pattern);
    for (size_t i = 0; i < sizeof prefixes / sizeof *prefixes; i++)
        if (strncmp(pattern, prefixes[i], strlen(prefixes[i])) == 0)
            return 1;
    for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
        size_t n = strlen(suffixes[i]);
        if (len >= n && strcmp(pattern + len - n, suffixes[i]) == 0)
            return 1;
    }
    return 0;
}

/* The routes that can take more than ~10 ms on a large session (statistics, overlaps,
 * exports, chatter tables, a profile or history over every session). The export streams
 * its reply, so it is never shared between identical requests. */
static const struct {
    const char *pattern;
    enum web_weight weight;
} heavy_routes[] = {
    {"/api/v1/sessions/{session}/stats", WEB_HEAVY_SHARED},
    {"/api/v1/sessions/{session}/overlap", WEB_HEAVY_SHARED},
    {"/api/v1/sessions/{session}/export", WEB_HEAVY},
    {"/api/v1/sessions/{session}/chatters", WEB_HEAVY_SHARED},
    {"/api/v1/overlap", WEB_HEAVY_SHARED},
    {"/api/v1/chatters/{chatter}", WEB_HEAVY_SHARED},
    {"/api/v1/channels/{login}/history", WEB_HEAVY_SHARED},
};

enum web_weight web_route_weight(const struct web_route *rt)
{
    if (strcmp(rt->method, "GET") != 0)
        return WEB_LIGHT;
    for (size_t i = 0; i < sizeof heavy_routes / sizeof *heavy_routes; i++)
        if (strcmp(rt->pattern, heavy_routes[i].pattern) == 0)
            return heavy_routes[i].weight;
    return WEB_LIGHT;
}

static int is_write(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0;
}

static int limited(struct web_req *r, const char *who)
{
    int wait = web_ratelimit_take(r->w->limits, who, clock_wall_ms());
    if (!wait)
        return 0;
    r->retry_after = wait;
    web_metrics_event(r->w->metrics, "rate_limited");
    web_error(r, 429, "rate_limited", "too many requests: retry in %d s", wait);
    return 1;
}

void web_dispatch(struct web_req *r)
{
    if (web_static_try(r))
        return; /* the UI's files: public, outside the API and its limits */
    int rc = web_route_match(r->method, r->path, &r->route, r->params, &r->n_params);
    if (rc == 404) {
        web_error(r, 404, "not_found", "no such route");
        return;
    }
    if (rc == 405) {
        web_route_allow(r->path, r->allow, sizeof r->allow);
        web_error(r, 405, "method_not_allowed", "%s is not allowed here", r->method);
        return;
    }
    const struct web_route *rt = &routes[r->route];
    if (r->w->o.analysis_only && !analysis_route(rt->pattern)) {
        web_error(r, 404, "not_found", "this is the analysis role: statistics routes only");
        return;
    }
    char who[96];
    /* operations endpoints stay outside the limits: probes and scrapers must always get in */
    int limit = strncmp(rt->pattern, "/api/", 5) == 0 || strncmp(rt->pattern, "/auth/", 6) == 0;
    if (limit) {
        snprintf(who, sizeof who, "ip:%s", r->ip);
        if (limited(r, who))
            return;
    }
    if (rt->access != WEB_PUBLIC) {
        if (web_authenticate(r) != 0) {
            if (r->status == 0)
                web_error(r, 401, "unauthenticated",
                          "log in at /auth/login or send Authorization: Bearer <API key>");
            return;
        }
        if (r->via_key) {
            snprintf(who, sizeof who, "key:%lld", (long long)r->key_id);
            if (limited(r, who))
                return;
            if (rt->access == WEB_BROWSER) {
                web_error(r, 403, "forbidden", "this needs a browser login, not an API key");
                return;
            }
            if (r->read_only && is_write(r->method)) {
                web_error(r, 403, "read_only_key", "this API key is read-only");
                return;
            }
        } else if (is_write(r->method)) {
            const char *token = web_header(r, "X-CSRF-Token");
            if (!token || strlen(token) != strlen(r->csrf) ||
                sodium_memcmp(token, r->csrf, strlen(r->csrf)) != 0) {
                web_error(r, 403, "csrf",
                          "missing or wrong X-CSRF-Token header "
                          "(GET /api/v1/me returns the token)");
                return;
            }
        }
    }
    /* heavy routes leave this thread; r is the workers' until its connection resumes */
    enum web_weight weight = web_route_weight(rt);
    if (weight != WEB_LIGHT && r->w->heavy) {
        web_heavy_submit(r->w->heavy, r, weight == WEB_HEAVY_SHARED);
        return;
    }
    rt->handler(r);
    if (r->status == 0)
        web_error(r, 500, "internal", "no reply");
}
