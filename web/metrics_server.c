/*
 * A tiny listener for processes that have no gateway (`tca worker`): GET /metrics and
 * /healthz, nothing else, on one libmicrohttpd thread. It reads no request body, needs no
 * login, and must never serve anything but those two answers.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

struct web_metrics_server {
    struct MHD_Daemon *daemon;
    struct metrics *m;
    struct twitch_budget *budget;
};

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned status, const char *ctype,
                             char *body, size_t len)
{
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    MHD_add_response_header(resp, "Content-Type", ctype);
    MHD_add_response_header(resp, "Cache-Control", "no-store");
    enum MHD_Result rc = MHD_queue_response(conn, status, resp);
    MHD_destroy_response(resp);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct web_metrics_server *s = cls;
    static int first_call_marker;
    if (!*con_cls) {
        /* queue nothing on the first call: 0.9.75 would close the connection */
        *con_cls = &first_call_marker;
        return MHD_YES;
    }
    if (*upload_data_size) {
        *upload_data_size = 0; /* a body is never read */
        return MHD_YES;
    }
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    if (get && strcmp(url, "/metrics") == 0) {
        struct buf b;
        buf_init(&b, 0);
        buf_puts(&b, "");
        web_metrics_text(s->m, s->budget, clock_wall_ms(), &b);
        size_t len = b.len;
        return reply(conn, 200, "text/plain; version=0.0.4", buf_steal(&b), len);
    }
    if (get && strcmp(url, "/healthz") == 0) {
        static const char ok[] = "{\"status\":\"ok\"}";
        return reply(conn, 200, "application/json", xstrdup(ok), sizeof ok - 1);
    }
    static const char nf[] = "{\"error\":\"not_found\",\"message\":\"only /metrics and /healthz\"}";
    return reply(conn, get ? 404 : 405, "application/json", xstrdup(nf), sizeof nf - 1);
}

int web_metrics_server_start(const char *listen, struct metrics *m, struct twitch_budget *budget,
                             struct web_metrics_server **out, int *port, char *err, size_t errlen)
{
    char host[256], portstr[16];
    *out = NULL;
    if (!listen || web_split_listen(listen, host, sizeof host, portstr, sizeof portstr) < 0)
        return tca_fail(err, errlen, TCA_EINVAL, "metrics listen address must be HOST:PORT");
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV};
    struct addrinfo *ai = NULL;
    if (getaddrinfo(host, portstr, &hints, &ai) != 0 || !ai)
        return tca_fail(err, errlen, TCA_EINVAL,
                        "metrics listen address %s is not a numeric HOST:PORT", listen);
    struct web_metrics_server *s = xcalloc(1, sizeof *s);
    s->m = m;
    s->budget = budget;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ITC;
    if (ai->ai_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    s->daemon = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s, MHD_OPTION_SOCK_ADDR,
                                 ai->ai_addr, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)30,
                                 MHD_OPTION_CONNECTION_LIMIT, (unsigned)64, MHD_OPTION_END);
    freeaddrinfo(ai);
    if (!s->daemon) {
        free(s);
        return tca_fail(err, errlen, TCA_ERR, "cannot listen on %s", listen);
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    *port = info ? info->port : 0;
    *out = s;
    return 0;
}

void web_metrics_server_stop(struct web_metrics_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
