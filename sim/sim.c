/*
 * The simulator's HTTP front on libmicrohttpd: binds, reads each request (body capped),
 * applies injected faults, routes to the OAuth, Helix and control handlers, and sends their
 * reply. Owns the audience clock. Must never log (it is embedded in `tca serve`) and never
 * block a pool thread except for an injected delay.
 */
#include "sim/server.h"
#include "sim/eventsub.h"
#include "sim/followers.h"

#include "base/buf.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <netdb.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define MAX_BODY (64 * 1024)
#define POOL_THREADS 8 /* a delay fault parks a thread and its connections */

/* Per-request state: allocated on the first access-handler call, freed on completion. */
struct request {
    struct buf body;
    int too_large;
};

void sim_options_default(struct sim_options *o)
{
    memset(o, 0, sizeof *o);
    o->seed = 1;
    o->client_id = "tca-sim-client";
    o->client_secret = "tca-sim-secret";
    o->tick_ms = 60000;
    o->ratelimit_points = 800;
    o->token_ttl_s = 14400;
    o->device_interval_s = 5;
    o->device_auto_approve = 1;
    o->default_login = "demo_mod";
    o->rename_permille = 10;
}

struct sim *sim_new(const struct sim_options *o)
{
    struct sim_options def;
    sim_options_default(&def);
    struct sim *s = xcalloc(1, sizeof *s);
    s->opt = *o;
    s->client_id = xstrdup(o->client_id ? o->client_id : def.client_id);
    s->client_secret = xstrdup(o->client_secret ? o->client_secret : def.client_secret);
    s->default_login = xstrdup(o->default_login ? o->default_login : def.default_login);
    s->opt.client_id = s->client_id;
    s->opt.client_secret = s->client_secret;
    s->opt.default_login = s->default_login;
    if (s->opt.tick_ms <= 0)
        s->opt.tick_ms = def.tick_ms;
    if (s->opt.ratelimit_points <= 0)
        s->opt.ratelimit_points = def.ratelimit_points;
    if (s->opt.token_ttl_s <= 0)
        s->opt.token_ttl_s = def.token_ttl_s;
    if (s->opt.device_interval_s <= 0)
        s->opt.device_interval_s = def.device_interval_s;
    /* random tokens need libsodium; sodium_init is idempotent and thread-safe */
    if (sodium_init() < 0)
        abort();
    struct world_options wo;
    world_options_default(&wo);
    wo.lurker_bots = s->opt.lurker_bots;
    wo.bot_shapes = s->opt.bot_shapes;
    wo.rename_permille = s->opt.rename_permille;
    s->world = world_new_with(s->opt.seed, &wo);
    s->audience = audience_new(s->world);
    s->tokens =
        tokens_new(s->client_id, s->client_secret, s->opt.token_ttl_s, s->opt.ratelimit_points);
    struct world_user u;
    s->default_user =
        world_user_by_login(s->world, s->default_login, 0, &u) == 0 ? u.id : WORLD_DEMO_MOD;
    s->start_ms = clock_wall_ms();
    s->streams = streams_new(s->world, s->start_ms);
    s->followers = followers_new(s->world, s->start_ms, s->opt.tick_ms);
    pthread_mutex_init(&s->lock, NULL);
    return s;
}

void sim_free(struct sim *s)
{
    if (!s)
        return;
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    sim_es_free(s->es);
    tokens_free(s->tokens);
    streams_free(s->streams);
    followers_free(s->followers);
    audience_free(s->audience);
    world_free(s->world);
    pthread_mutex_destroy(&s->lock);
    free(s->client_id);
    free(s->client_secret);
    free(s->default_login);
    free(s);
}

int64_t sim_tick(struct sim *s)
{
    pthread_mutex_lock(&s->lock);
    int64_t t = s->tick_offset;
    pthread_mutex_unlock(&s->lock);
    if (!s->opt.manual_clock)
        t += (clock_wall_ms() - s->start_ms) / s->opt.tick_ms;
    return t;
}

char *sim_eventsub_url(struct sim *s)
{
    return xasprintf("ws://%s:%d/ws", s->host, s->es_port);
}

char *sim_base_url(struct sim *s, struct call *c)
{
    const char *host = call_header(c, MHD_HTTP_HEADER_HOST);
    if (host && *host && strlen(host) < 200 && !strpbrk(host, "/?#@ \"<>"))
        return xasprintf("http://%s", host);
    return xasprintf("http://%s:%d", s->host, s->port);
}

static void reply_not_found(struct call *c)
{
    if (strncmp(c->path, "/helix/", 7) == 0)
        call_reply_helix_error(c, 404, "Not Found");
    else
        call_reply_oauth_error(c, 404, "not found");
}

static void apply_fault_status(struct sim *s, struct call *c, int status)
{
    if (strncmp(c->path, "/helix/", 7) == 0)
        call_reply_helix_error(c, status, "Simulated fault");
    else
        call_reply_oauth_error(c, status, "simulated fault");
    if (status == 429) {
        /* a throttled client must see an empty bucket that refills in a second */
        c->has_ratelimit = 1;
        c->rl_limit = s->opt.ratelimit_points;
        c->rl_remaining = 0;
        c->rl_reset = clock_wall_ms() / 1000 + 1;
    }
}

static void route(struct sim *s, struct call *c, const struct request *r)
{
    struct sim_fault_hit hit;
    control_fault_check(s, c->path, &hit);
    if (hit.delay_ms > 0)
        clock_sleep_ms(hit.delay_ms);
    if (hit.status) {
        apply_fault_status(s, c, hit.status);
        return;
    }
    if (r->too_large) {
        call_reply_oauth_error(c, 413, "request body too large");
        return;
    }
    if (!oauth_handle(s, c) && !eventsub_handle(s, c) && !helix_handle(s, c) &&
        !roles_handle(s, c) && !followers_handle(s, c) && !audience_truth_handle(s, c) &&
        !control_handle(s, c))
        reply_not_found(c);
    if (hit.malformed && c->reply) {
        /* cut the body mid-way: a valid prefix of JSON that does not parse */
        c->status = 200;
        c->reply_len = c->reply_len / 2;
        c->reply[c->reply_len] = 0;
    }
}

static enum MHD_Result queue_reply(struct MHD_Connection *conn, struct call *c)
{
    if (!c->reply) {
        c->reply = xstrdup("");
        c->status = c->status ? c->status : 200;
    }
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(c->reply_len, c->reply, MHD_RESPMEM_MUST_FREE);
    c->reply = NULL; /* MHD frees it */
    if (c->reply_len > 0)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    if (c->location)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, c->location);
    if (c->has_ratelimit) {
        char v[32];
        snprintf(v, sizeof v, "%ld", c->rl_limit);
        MHD_add_response_header(resp, "Ratelimit-Limit", v);
        snprintf(v, sizeof v, "%ld", c->rl_remaining);
        MHD_add_response_header(resp, "Ratelimit-Remaining", v);
        snprintf(v, sizeof v, "%lld", (long long)c->rl_reset);
        MHD_add_response_header(resp, "Ratelimit-Reset", v);
    }
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)c->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct sim *s = cls;
    struct request *r = *con_cls;
    if (!r) {
        /* queue nothing on the first call: 0.9.75 would close the connection */
        r = xcalloc(1, sizeof *r);
        buf_init(&r->body, MAX_BODY);
        *con_cls = r;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (!r->too_large && buf_append(&r->body, upload_data, *upload_data_size) < 0)
            r->too_large = 1;
        *upload_data_size = 0;
        return MHD_YES;
    }
    struct call c = {0};
    c.conn = conn;
    c.method = method;
    c.path = url;
    c.body = r->body.len ? r->body.data : "";
    c.body_len = r->body.len;
    route(s, &c, r);
    control_count(s, url, c.status);
    enum MHD_Result ret = queue_reply(conn, &c);
    call_clear(&c);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct request *r = *con_cls;
    if (!r)
        return;
    buf_free(&r->body);
    free(r);
    *con_cls = NULL;
}

static int split_listen(const char *listen, char *host, size_t hostlen, char *port, size_t portlen)
{
    const char *colon = strrchr(listen, ':');
    if (!colon || colon == listen || !colon[1] || strlen(colon + 1) >= portlen)
        return -1;
    const char *h = listen;
    size_t n = (size_t)(colon - listen);
    if (h[0] == '[' && n >= 2 && h[n - 1] == ']') {
        h++;
        n -= 2;
    }
    if (n == 0 || n >= hostlen)
        return -1;
    memcpy(host, h, n);
    host[n] = 0;
    snprintf(port, portlen, "%s", colon + 1);
    long p;
    return call_parse_int(port, 0, 65535, -1, &p) == 0 ? 0 : -1;
}

int sim_start(struct sim *s, const char *listen, int *port, char *err, size_t errlen)
{
    char host[128], portstr[16];
    if (s->daemon)
        return tca_fail(err, errlen, TCA_EINVAL, "simulator already started");
    if (!listen || split_listen(listen, host, sizeof host, portstr, sizeof portstr) < 0)
        return tca_fail(err, errlen, TCA_EINVAL, "listen address must be HOST:PORT, got \"%s\"",
                        listen ? listen : "");
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    int gai = getaddrinfo(host, portstr, &hints, &ai);
    if (gai != 0)
        return tca_fail(err, errlen, TCA_EINVAL, "cannot resolve %s: %s", host, gai_strerror(gai));
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                 ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)POOL_THREADS,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!s->daemon)
        return tca_fail(err, errlen, TCA_ERR, "cannot listen on %s (in use or not allowed)",
                        listen);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : 0;
    snprintf(s->host, sizeof s->host, "%s", strchr(host, ':') ? "127.0.0.1" : host);
    if (strcmp(s->host, "0.0.0.0") == 0)
        snprintf(s->host, sizeof s->host, "127.0.0.1");
    s->es = sim_es_new(s);
    int rc = sim_es_start(s->es, s->host, &s->es_port, err, errlen);
    if (rc < 0)
        return rc;
    if (port)
        *port = s->port;
    return 0;
}
