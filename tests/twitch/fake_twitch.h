/*
 * A scripted Twitch for the client tests: a libmicrohttpd server on a loopback port the OS
 * picks, answering each request with the next step of the test's script and recording what
 * it received. Also a fake clock whose sleep only advances fake time. Header-only because
 * every test file is its own executable; never used outside tests/twitch/.
 */
#ifndef TCA_TESTS_FAKE_TWITCH_H
#define TCA_TESTS_FAKE_TWITCH_H

#include "tests/support/testutil.h"
#include "twitch/twitch.h"
#include "base/buf.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNUSED __attribute__((unused))

/* Fake time starts here: 2023-11-14T22:13:20Z, so Ratelimit-Reset values are easy to write. */
#define T0_S 1700000000LL

struct step {
    int status;
    const char *body;
    const char *remaining; /* Ratelimit-Remaining value, or NULL for no header */
    const char *reset;     /* Ratelimit-Reset value, or NULL */
    int forever;           /* answer every later request with this step too */
};

struct seen {
    char method[8];
    char path[128];
    char query[8192];
    char auth[512];
    char client_id[64];
    char body[2048];
};

#define SEEN_MAX 64

struct fake_twitch {
    struct MHD_Daemon *daemon;
    char base[64]; /* http://127.0.0.1:PORT */
    pthread_mutex_t lock;
    const struct step *steps;
    size_t n_steps, next;
    struct seen seen[SEEN_MAX];
    size_t n_seen; /* requests received, even past SEEN_MAX */
};

struct upload {
    struct buf body;
};

static enum MHD_Result add_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                               const char *value)
{
    struct buf *q = cls;
    buf_printf(q, "%s%s=%s", q->len ? "&" : "", key, value ? value : "");
    return MHD_YES;
}

static void copy_header(struct MHD_Connection *conn, const char *name, char *out, size_t outlen)
{
    const char *v = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, name);
    snprintf(out, outlen, "%s", v ? v : "");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct fake_twitch *f = cls;
    struct upload *up = *con_cls;
    if (!up) { /* first call: only headers; 0.9.75 wants the answer queued later */
        up = calloc(1, sizeof *up);
        buf_init(&up->body, 1 << 20);
        *con_cls = up;
        return MHD_YES;
    }
    if (*upload_data_size) {
        buf_append(&up->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&f->lock);
    if (f->n_seen < SEEN_MAX) {
        struct seen *s = &f->seen[f->n_seen];
        struct buf q;
        buf_init(&q, sizeof s->query - 1);
        MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, add_arg, &q);
        snprintf(s->query, sizeof s->query, "%s", q.data ? q.data : "");
        buf_free(&q);
        snprintf(s->method, sizeof s->method, "%s", method);
        snprintf(s->path, sizeof s->path, "%s", url);
        copy_header(conn, "Authorization", s->auth, sizeof s->auth);
        copy_header(conn, "Client-Id", s->client_id, sizeof s->client_id);
        snprintf(s->body, sizeof s->body, "%s", up->body.data ? up->body.data : "");
    }
    f->n_seen++;
    struct step st = {500, "{\"status\":500,\"message\":\"script exhausted\"}", NULL, NULL, 0};
    if (f->next < f->n_steps) {
        st = f->steps[f->next];
        if (!st.forever)
            f->next++;
    }
    pthread_mutex_unlock(&f->lock);
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(st.body), (void *)st.body, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(r, "Content-Type", "application/json");
    if (st.remaining)
        MHD_add_response_header(r, "Ratelimit-Remaining", st.remaining);
    if (st.reset)
        MHD_add_response_header(r, "Ratelimit-Reset", st.reset);
    if (st.remaining)
        MHD_add_response_header(r, "Ratelimit-Limit", "800");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)st.status, r);
    MHD_destroy_response(r);
    return ret;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct upload *up = *con_cls;
    if (up) {
        buf_free(&up->body);
        free(up);
        *con_cls = NULL;
    }
}

/** Starts a fake Twitch answering steps (n of them) in order. */
static UNUSED struct fake_twitch *fake_twitch_start(const struct step *steps, size_t n)
{
    struct fake_twitch *f = calloc(1, sizeof *f);
    pthread_mutex_init(&f->lock, NULL);
    f->steps = steps;
    f->n_steps = n;
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = 0};
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    f->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL,
                                 on_request, f, MHD_OPTION_SOCK_ADDR, &sa,
                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, f, MHD_OPTION_END);
    assert_non_null(f->daemon);
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(f->daemon, MHD_DAEMON_INFO_BIND_PORT);
    assert_non_null(info);
    snprintf(f->base, sizeof f->base, "http://127.0.0.1:%u", (unsigned)info->port);
    return f;
}

/** Requests received so far. */
static UNUSED size_t fake_twitch_requests(struct fake_twitch *f)
{
    pthread_mutex_lock(&f->lock);
    size_t n = f->n_seen;
    pthread_mutex_unlock(&f->lock);
    return n;
}

static UNUSED void fake_twitch_stop(struct fake_twitch *f)
{
    MHD_stop_daemon(f->daemon);
    pthread_mutex_destroy(&f->lock);
    free(f);
}

/* ---- the fake clock ---- */

struct fake_clock {
    int64_t now;
    int64_t slept[64];
    size_t served_when_slept[64]; /* requests the server had answered when each sleep began */
    int n_sleeps;
    int64_t slept_total;
    struct fake_twitch *server;
};

static int64_t fake_now(void *ctx)
{
    return ((struct fake_clock *)ctx)->now;
}

static void fake_sleep(void *ctx, int64_t ms)
{
    struct fake_clock *fc = ctx;
    if (fc->n_sleeps < 64) {
        fc->slept[fc->n_sleeps] = ms;
        fc->served_when_slept[fc->n_sleeps] = fc->server ? fake_twitch_requests(fc->server) : 0;
    }
    fc->n_sleeps++;
    fc->slept_total += ms;
    fc->now += ms;
}

static UNUSED struct clock fake_clock_init(struct fake_clock *fc, struct fake_twitch *server)
{
    memset(fc, 0, sizeof *fc);
    fc->now = T0_S * 1000;
    fc->server = server;
    return (struct clock){.now_ms = fake_now, .sleep_ms = fake_sleep, .ctx = fc};
}

/** A client of f with fast, fake-clock retries (3 retries). */
static UNUSED struct twitch_client *fake_client(struct fake_twitch *f, struct fake_clock *fc,
                                                char *api, char *auth)
{
    sprintf(api, "%s/helix", f->base);
    sprintf(auth, "%s/oauth2", f->base);
    struct twitch_settings s = {
        .api_base = api,
        .auth_base = auth,
        .client_id = "cid123",
        .client_secret = "sec456",
        .redirect_url = "http://localhost/cb",
        .max_retries = 3,
        .backoff_base_ms = 100,
        .backoff_max_ms = 400,
        .clock = fake_clock_init(fc, f),
    };
    return twitch_client_new(&s);
}

/** Counts occurrences of needle in hay. */
static UNUSED int count_of(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        n++;
    return n;
}

static UNUSED int global_setup(void **state)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    return 0;
}

static UNUSED int global_teardown(void **state)
{
    curl_global_cleanup();
    return 0;
}

#endif
