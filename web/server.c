/*
 * The gateway's HTTP server on libmicrohttpd: an internal epoll thread pool, request bodies
 * capped here, every reply with the security headers, one access-log line per request, and
 * a background thread for the expiry sweeps. Never logs a header, cookie or body.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "kv/kv.h"
#include "report/chatter_page.h"
#include "report/report.h"
#include "report/stats_cache.h"
#include "twitch/user_token.h"

#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>
#include <arpa/inet.h>

static int64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static void client_ip(struct MHD_Connection *conn, char *out, size_t outlen)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    snprintf(out, outlen, "unknown");
    if (!ci || !ci->client_addr)
        return;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET)
        inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, out, (socklen_t)outlen);
    else if (sa->sa_family == AF_INET6)
        inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, out, (socklen_t)outlen);
}

static enum MHD_Result queue_reply(struct web_req *r)
{
    struct MHD_Response *resp;
    if (r->event_resp) { /* an event stream (events.c) */
        resp = r->event_resp;
        r->event_resp = NULL;
    } else if (r->stream) {
        resp = web_stream_response(r->stream); /* it owns the stream now, even on failure */
        r->stream = NULL;
    } else {
        resp = MHD_create_response_from_buffer(r->resp_len, r->resp ? r->resp : (char *)"",
                                               r->resp ? MHD_RESPMEM_MUST_FREE
                                                       : MHD_RESPMEM_PERSISTENT);
        r->resp = NULL; /* MHD owns it now */
    }
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->ctype ? r->ctype : "application/json");
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(resp, "X-Frame-Options", "DENY");
    MHD_add_response_header(resp, "Content-Security-Policy",
                            "default-src 'self'; frame-ancestors 'none'; base-uri 'none';"
                            " form-action 'self'");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL,
                            r->cache_control ? r->cache_control : "no-store");
    if (r->etag[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, r->etag);
    if (r->w->secure_cookies)
        MHD_add_response_header(resp, "Strict-Transport-Security", "max-age=31536000");
    if (r->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, r->location);
    if (r->disposition)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_DISPOSITION, r->disposition);
    for (int i = 0; i < r->n_cookies; i++)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, r->cookies[i]);
    if (r->retry_after > 0) {
        char v[24];
        snprintf(v, sizeof v, "%d", r->retry_after);
        MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, v);
    }
    if (r->close)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    if (r->status == 405 && r->allow[0])
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, r->allow);
    enum MHD_Result ret = MHD_queue_response(r->conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void access_log(struct web_req *r, int64_t us)
{
    size_t n = 0;
    const struct web_route *routes = web_routes(&n);
    const char *route = r->route >= 0 && (size_t)r->route < n ? routes[r->route].pattern : "-";
    /* the route pattern, never the raw path: paths may carry nothing secret today, but query
     * strings (OAuth code and state) do */
    log_info("http method=%s route=%s status=%d ms=%.1f user=%lld key=%lld ip=%s", r->method, route,
             r->status, (double)us / 1000.0, (long long)r->user_id, (long long)r->key_id, r->ip);
}

static struct web_req *req_new(struct web *w, struct MHD_Connection *conn)
{
    struct web_req *r = xcalloc(1, sizeof *r);
    r->w = w;
    r->conn = conn;
    r->route = -1;
    r->start_us = now_us();
    return r;
}

/*
 * MHD 0.9.75 calls this with the raw request line's URI before it splits the query into
 * records in the connection's memory pool, and a query that overflows the pool leaves the
 * connection hanging without a reply. So the query is counted here: past the cap the
 * request is marked, and its query blanked in place (the pool's own buffer, which MHD parses
 * right after this returns), so MHD parses nothing and the handler replies a JSON 414.
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    struct web_req *r = req_new(cls, conn);
    char *q = strchr(uri, '?');
    if (!q)
        return r;
    size_t n = 1;
    for (const char *p = q + 1; *p; p++)
        n += *p == '&';
    if (n > WEB_MAX_QUERY_PARAMS) {
        r->too_many_params = 1;
        q[1] = '\0';
    }
    return r;
}

/* Request smuggling: two Content-Length headers, or one beside Transfer-Encoding, mean two
 * parties may frame this request differently. MHD 0.9.75 silently takes the first. */
struct framing {
    int content_length, transfer_encoding;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct framing *f = cls;
    f->content_length += strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0;
    f->transfer_encoding += strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0;
    return MHD_YES;
}

/* A request refused before its body is read: the reply goes out on the first call, which
 * makes MHD close the connection afterwards (wanted here: the rest of the bytes on it cannot
 * be trusted to be a next request). 1 when refused. */
static int refuse_early(struct web_req *r)
{
    struct framing f = {0};
    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, count_framing, &f);
    if (f.content_length > 1 || (f.content_length && f.transfer_encoding)) {
        web_error(r, 400, "bad_request", "conflicting Content-Length or Transfer-Encoding headers");
    } else if (f.transfer_encoding > 1) {
        web_error(r, 400, "bad_request", "more than one Transfer-Encoding header");
    } else {
        return 0;
    }
    r->close = 1;
    return 1;
}

static enum MHD_Result reply_now(struct web *w, struct web_req *r)
{
    web_release(r);
    int64_t us = now_us() - r->start_us;
    web_metrics_request(w->metrics, r->route, r->status, us);
    if (w->o.access_log)
        access_log(r, us);
    return queue_reply(r);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct web *w = cls;
    struct web_req *r = *con_cls;
    if (!r) /* on_uri made it; never absent in 0.9.75, but cheap to be sure */
        *con_cls = r = req_new(w, conn);
    if (!r->started) {
        /* queue nothing on the first call unless refusing: 0.9.75 closes the connection */
        r->started = 1;
        r->method = method;
        r->path = url;
        /* one limit for a bot list, the CLI's and this route's (report.h) */
        buf_init(&r->body, strcmp(method, "POST") == 0 && strcmp(url, "/api/v1/bots/import") == 0
                               ? REPORT_BOTS_CSV_MAX
                               : WEB_MAX_BODY);
        if (!refuse_early(r))
            return MHD_YES;
        client_ip(conn, r->ip, sizeof r->ip);
        return reply_now(w, r);
    }
    if (*upload_data_size > 0) {
        if (!r->too_large && buf_append(&r->body, upload_data, *upload_data_size) < 0)
            r->too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->heavy == WEB_HEAVY_DONE) /* back from a heavy worker (heavy.c) */
        return reply_now(w, r);
    if (r->heavy == WEB_HEAVY_QUEUED) /* still the worker's: MHD called early */
        return MHD_YES;
    client_ip(conn, r->ip, sizeof r->ip);
    if (r->too_large)
        web_error(r, 413, "body_too_large", "this request's body is limited to %zu bytes",
                  r->body.max);
    else if (r->too_many_params)
        web_error(r, 414, "uri_too_long", "at most %d query parameters", WEB_MAX_QUERY_PARAMS);
    else if (!web_utf8_valid(url) || !web_query_utf8_valid(r))
        web_error(r, 400, "bad_request", "the path or query string is not valid UTF-8");
    else
        web_dispatch(r);
    if (r->heavy == WEB_HEAVY_QUEUED) /* suspended: MHD calls again once a worker is done */
        return MHD_YES;
    return reply_now(w, r);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct web_req *r = *con_cls;
    if (!r)
        return;
    web_release(r);
    buf_free(&r->body);
    free(r->heavy_key);
    free(r->resp);
    free(r->location);
    free(r->disposition);
    if (r->event_resp)
        MHD_destroy_response(r->event_resp);
    if (r->stream)
        web_stream_drop(r->stream);
    for (int i = 0; i < r->n_cookies; i++)
        free(r->cookies[i]);
    free(r);
    *con_cls = NULL;
}

static void *sweeper(void *arg)
{
    struct web *w = arg;
    for (;;) {
        pthread_mutex_lock(&w->stop_lock);
        if (!w->stopping) {
            struct timespec ts;
            clock_gettime(CLOCK_REALTIME, &ts);
            int64_t ns = ts.tv_nsec + (w->o.sweep_every_ms % 1000) * 1000000;
            ts.tv_sec += w->o.sweep_every_ms / 1000 + ns / 1000000000;
            ts.tv_nsec = ns % 1000000000;
            pthread_cond_timedwait(&w->stop_cond, &w->stop_lock, &ts);
        }
        int stop = w->stopping;
        pthread_mutex_unlock(&w->stop_lock);
        if (stop)
            return NULL;
        web_sweep_now(w);
    }
}

void web_sweep_now(struct web *w)
{
    struct web_req r = {.w = w, .route = -1};
    struct store *st = web_store(&r);
    if (st)
        web_sweep(w, st);
    web_release(&r);
    free(r.resp);
}

int web_split_listen(const char *listen, char *host, size_t hostlen, char *port, size_t portlen)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || !colon[1] || strlen(colon + 1) >= portlen)
        return -1;
    size_t n = (size_t)(colon - listen);
    const char *h = listen;
    if (h[0] == '[' && n >= 2 && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n >= hostlen)
        return -1;
    memcpy(host, h, n);
    host[n] = 0;
    snprintf(port, portlen, "%s", colon + 1);
    return 0;
}

void web_options_from_config(struct web_options *o, const struct tca_config *cfg,
                             const struct crypto_keys *keys, const struct twitch_settings *twitch)
{
    memset(o, 0, sizeof *o);
    o->listen = cfg->listen;
    o->db_path = cfg->db;
    o->public_url = cfg->public_url;
    o->redirect_url = cfg->twitch_redirect_url;
    o->twitch = *twitch;
    o->keys = keys;
    o->max_saved_sessions = cfg->max_saved_sessions;
    o->session_ttl_ms = (int64_t)cfg->session_ttl_s * 1000;
    o->login_idle_ms = (int64_t)cfg->login_idle_s * 1000;
    o->login_max_ms = (int64_t)cfg->login_max_s * 1000;
    o->rate_limit = cfg->rate_limit;
    o->rate_burst = cfg->rate_burst;
    o->access_log = 1;
    o->ui_dir = cfg->ui_dir;
    /* shared by every replica only when the kv is: the memory kv would lose them at a restart */
    o->logins_in_kv = cfg->redis && *cfg->redis;
}

static void defaults(struct web_options *o)
{
    if (o->threads <= 0)
        o->threads = 4;
    if (o->heavy_threads <= 0)
        o->heavy_threads = WEB_HEAVY_THREADS;
    if (o->max_saved_sessions <= 0)
        o->max_saved_sessions = 10;
    if (o->session_ttl_ms <= 0)
        o->session_ttl_ms = 24LL * 3600 * 1000;
    if (o->login_idle_ms <= 0)
        o->login_idle_ms = 2LL * 3600 * 1000;
    if (o->login_max_ms <= 0)
        o->login_max_ms = 7LL * 24 * 3600 * 1000;
    if (o->rate_burst <= 0)
        o->rate_burst = 120;
    if (o->sweep_every_ms <= 0)
        o->sweep_every_ms = 30000;
}

/*
 * libmicrohttpd splits its connection limit evenly between the pool's threads, and a thread
 * at its share closes every further connection it accepts, even while the others are idle;
 * one thread often accepts most of a burst. With 4,096 over 4 threads, 2,000 clients lost
 * exactly 1,024 requests in the load bench (read errors and timeouts). So the limit is as
 * high as the open-files limit allows, up to 16,384: 4,096 a thread.
 */
static unsigned connection_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
        return 16384;
    rlim_t spare = 512; /* store files, pipes, the listening socket, logs */
    rlim_t n = rl.rlim_cur > spare + 1024 ? rl.rlim_cur - spare : 1024;
    return n > 16384 ? 16384 : (unsigned)n;
}

static void free_web(struct web *w)
{
    web_heavy_free(w->heavy);
    web_pool_free(w);
    web_cache_free(w->auth_cache);
    web_cache_free(w->summary_cache);
    report_chatter_cache_free(w->chatters);
    report_stats_cache_free(w->stats);
    web_ratelimit_free(w->limits);
    web_metrics_free(w->metrics);
    web_events_free(w->events);
    twitch_budget_free(w->own_budget);
    kv_close(w->own_kv);
    pthread_mutex_destroy(&w->pool_lock);
    pthread_mutex_destroy(&w->stop_lock);
    pthread_cond_destroy(&w->stop_cond);
    pthread_cond_destroy(&w->streams_cond);
    pthread_cond_destroy(&w->producers_cond);
    free(w->public_url);
    free(w->redirect_url);
    free(w);
}

int web_start(const struct web_options *o, struct web **out, int *port, char *err, size_t errlen)
{
    char host[256], portstr[16];
    *out = NULL;
    if (!o->listen || web_split_listen(o->listen, host, sizeof host, portstr, sizeof portstr) < 0)
        return tca_fail(err, errlen, TCA_EINVAL, "listen address must be HOST:PORT");
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    if (getaddrinfo(host, portstr, &hints, &ai) != 0 || !ai)
        return tca_fail(err, errlen, TCA_EINVAL, "listen address %s is not a numeric HOST:PORT",
                        o->listen);
    struct web *w = xcalloc(1, sizeof *w);
    w->o = *o;
    defaults(&w->o);
    pthread_mutex_init(&w->pool_lock, NULL);
    pthread_mutex_init(&w->stop_lock, NULL);
    pthread_cond_init(&w->stop_cond, NULL);
    pthread_cond_init(&w->streams_cond, NULL);
    pthread_cond_init(&w->producers_cond, NULL);
    if (!w->o.kv) {
        w->o.kv = w->own_kv = kv_memory_new();
        w->o.logins_in_kv = 0;
    }
    if (!w->o.twitch.budget)
        w->o.twitch.budget = w->own_budget = twitch_budget_new_kv(w->o.kv, w->o.twitch.clock);
    /* a revoked key must be refused by every process on its next request: no near copy */
    w->auth_cache = web_cache_new(w->o.kv, "auth", 0);
    w->summary_cache = web_cache_new(w->o.kv, "summary", WEB_SUMMARY_NEAR_MS);
    w->chatters = report_chatter_cache_new(WEB_CHATTER_CACHE_ROWS, WEB_CHATTER_CACHE_MS);
    w->stats = report_stats_cache_new(WEB_STATS_CACHE_BYTES, WEB_STATS_CACHE_MS);
    w->limits = web_ratelimit_new(w->o.kv, w->o.rate_limit, w->o.rate_burst);
    size_t n_routes = 0;
    web_routes(&n_routes);
    w->metrics = web_metrics_new(w->o.metrics, n_routes);
    w->o.twitch.metrics = web_metrics_registry(w->metrics); /* the gateway's Twitch calls too */
    w->events = web_events_new(w);
    w->heavy = web_heavy_new(w, w->o.heavy_threads, WEB_HEAVY_QUEUE);
    /* suspend/resume: event streams wait without holding a thread (events.c), and a streamed
     * download waits for its producer off the event loop */
    unsigned flags =
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    w->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, w, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)w->o.threads, MHD_OPTION_NOTIFY_COMPLETED,
        on_completed, w, MHD_OPTION_URI_LOG_CALLBACK, on_uri, w, MHD_OPTION_CONNECTION_TIMEOUT,
        (unsigned)30, MHD_OPTION_CONNECTION_LIMIT, connection_limit(),
        MHD_OPTION_LISTEN_BACKLOG_SIZE,
        /* as many as the kernel allows (somaxconn, 4096 by default): a burst of thousands of
         * connects overflowing a shorter queue costs clients seconds of SYN retries */
        (unsigned)4096,
        /* MHD reads the request line and headers into half of this pool and keeps a 56-byte
         * record per header, query parameter and cookie in the other half: 16 KiB ran out at
         * ~150 of them (a request MHD then never answered). See the README's benchmarks for
         * what the larger pool costs. */
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)WEB_CONNECTION_MEMORY, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!w->daemon) {
        free_web(w);
        return tca_fail(err, errlen, TCA_ERR, "cannot listen on %s", o->listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(w->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : 0;
    if (o->public_url && *o->public_url) {
        w->public_url = xstrdup(o->public_url);
    } else if (o->redirect_url && *o->redirect_url) {
        /* scheme and host of the registered redirect URL: that is where browsers come from */
        const char *p = strstr(o->redirect_url, "://");
        size_t n = p ? (size_t)(strchrnul(p + 3, '/') - o->redirect_url) : strlen(o->redirect_url);
        w->public_url = xstrndup(o->redirect_url, n);
    } else {
        w->public_url = xasprintf("http://%s%s%s:%d", strchr(host, ':') ? "[" : "", host,
                                  strchr(host, ':') ? "]" : "", *port);
    }
    w->redirect_url = o->redirect_url && *o->redirect_url
                          ? xstrdup(o->redirect_url)
                          : xasprintf("%s/auth/callback", w->public_url);
    w->secure_cookies = strncmp(w->public_url, "https://", 8) == 0;
    w->o.twitch.redirect_url = w->redirect_url;
    if (pthread_create(&w->sweeper, NULL, sweeper, w) == 0)
        w->sweeper_started = 1;
    *out = w;
    return 0;
}

void web_stop(struct web *w)
{
    if (!w)
        return;
    /* No MHD_quiesce_daemon here: in 0.9.75 with an epoll thread pool it races a worker that
     * removes the listen socket from its epoll set itself (both see it registered, the second
     * EPOLL_CTL_DEL fails) and MHD panics — seen when clients had just closed keep-alive
     * connections. New requests are still answered while downloads drain; exports refuse them
     * with 503 once stopping is set, and MHD_stop_daemon closes the socket at the end. */
    pthread_mutex_lock(&w->stop_lock);
    w->stopping = 1;
    pthread_cond_signal(&w->stop_cond);
    pthread_mutex_unlock(&w->stop_lock);
    if (w->sweeper_started)
        pthread_join(w->sweeper, NULL);
    web_events_stop(w->events); /* ends the event streams, so none stays suspended */
    web_heavy_stop(w->heavy);   /* answers every queued heavy request, resuming its connection */
    /* a suspended download would make MHD_stop_daemon abort: finish or cut them first */
    web_streams_finish(w, 30000);
    MHD_stop_daemon(w->daemon);
    free_web(w);
}
