/*
 * Request and event counters for /metrics in the Prometheus text format: requests by route
 * and status, a latency histogram per route, and gateway events. Lock-free (atomic adds),
 * so counting never slows a request down. Labels are route patterns, never raw paths.
 */
#include "web/internal.h"

#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

static const int statuses[] = {200, 201, 202, 302, 400, 401, 403, 404, 405,
                               409, 413, 415, 429, 500, 502, 503, 0};
#define N_STATUS (sizeof statuses / sizeof *statuses) /* the last one counts the others */
static const double bucket_ms[] = {1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000};
#define N_BUCKET (sizeof bucket_ms / sizeof *bucket_ms)
static const char *const events[] = {"captures_queued", "logins", "login_failures", "rate_limited"};
#define N_EVENT (sizeof events / sizeof *events)

struct route_counts {
    uint64_t by_status[N_STATUS];
    uint64_t buckets[N_BUCKET + 1];
    uint64_t sum_us;
    uint64_t count;
};

struct web_metrics {
    size_t n_routes; /* slot n_routes is "unmatched" */
    struct route_counts *routes;
    uint64_t events[N_EVENT];
};

struct web_metrics *web_metrics_new(size_t n_routes)
{
    struct web_metrics *m = xcalloc(1, sizeof *m);
    m->n_routes = n_routes;
    m->routes = xcalloc(n_routes + 1, sizeof *m->routes);
    return m;
}

void web_metrics_free(struct web_metrics *m)
{
    if (!m)
        return;
    free(m->routes);
    free(m);
}

void web_metrics_request(struct web_metrics *m, int route, int status, int64_t us)
{
    struct route_counts *c =
        &m->routes[route >= 0 && (size_t)route < m->n_routes ? (size_t)route : m->n_routes];
    size_t s = 0;
    while (s < N_STATUS - 1 && statuses[s] != status)
        s++;
    size_t b = 0;
    while (b < N_BUCKET && (double)us / 1000.0 > bucket_ms[b])
        b++;
    __atomic_fetch_add(&c->by_status[s], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c->buckets[b], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&c->sum_us, (uint64_t)(us > 0 ? us : 0), __ATOMIC_RELAXED);
    __atomic_fetch_add(&c->count, 1, __ATOMIC_RELAXED);
}

void web_metrics_event(struct web_metrics *m, const char *what)
{
    for (size_t i = 0; i < N_EVENT; i++)
        if (strcmp(events[i], what) == 0)
            __atomic_fetch_add(&m->events[i], 1, __ATOMIC_RELAXED);
}

static uint64_t load(const uint64_t *p)
{
    return __atomic_load_n(p, __ATOMIC_RELAXED);
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

void web_metrics_render(struct web_metrics *m, struct buf *b)
{
    size_t n = 0;
    const struct web_route *routes = web_routes(&n);
    buf_puts(b, "# HELP tca_http_requests_total HTTP requests by route and status.\n"
                "# TYPE tca_http_requests_total counter\n");
    for (size_t r = 0; r <= m->n_routes; r++) {
        const char *label = r < m->n_routes ? routes[r].pattern : "unmatched";
        const char *method = r < m->n_routes ? routes[r].method : "";
        for (size_t s = 0; s < N_STATUS; s++) {
            uint64_t v = load(&m->routes[r].by_status[s]);
            if (!v)
                continue;
            if (statuses[s])
                buf_printf(
                    b, "tca_http_requests_total{method=\"%s\",route=\"%s\",status=\"%d\"} %llu\n",
                    method, label, statuses[s], (unsigned long long)v);
            else
                buf_printf(
                    b,
                    "tca_http_requests_total{method=\"%s\",route=\"%s\",status=\"other\"} %llu\n",
                    method, label, (unsigned long long)v);
        }
    }
    buf_puts(b, "# HELP tca_http_request_duration_seconds Time to answer, by route.\n"
                "# TYPE tca_http_request_duration_seconds histogram\n");
    for (size_t r = 0; r <= m->n_routes; r++) {
        const struct route_counts *c = &m->routes[r];
        uint64_t count = load(&c->count);
        if (!count)
            continue;
        const char *label = r < m->n_routes ? routes[r].pattern : "unmatched";
        const char *method = r < m->n_routes ? routes[r].method : "";
        uint64_t cum = 0;
        for (size_t k = 0; k <= N_BUCKET; k++) {
            cum += load(&c->buckets[k]);
            if (k < N_BUCKET)
                buf_printf(b,
                           "tca_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                           "le=\"%g\"} %llu\n",
                           method, label, bucket_ms[k] / 1000.0, (unsigned long long)cum);
            else
                buf_printf(b,
                           "tca_http_request_duration_seconds_bucket{method=\"%s\",route=\"%s\","
                           "le=\"+Inf\"} %llu\n",
                           method, label, (unsigned long long)cum);
        }
        buf_printf(b, "tca_http_request_duration_seconds_sum{method=\"%s\",route=\"%s\"} %.6f\n",
                   method, label, (double)load(&c->sum_us) / 1e6);
        buf_printf(b, "tca_http_request_duration_seconds_count{method=\"%s\",route=\"%s\"} %llu\n",
                   method, label, (unsigned long long)count);
    }
    for (size_t i = 0; i < N_EVENT; i++)
        buf_printf(b, "# TYPE tca_%s_total counter\ntca_%s_total %llu\n", events[i], events[i],
                   (unsigned long long)load(&m->events[i]));
}
