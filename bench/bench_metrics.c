/*
 * What counting costs: nanoseconds per recorded request (a counter add and a histogram
 * observation, as the gateway does per request) on one thread and on two threads hitting the
 * same series, and the time and size of one /metrics rendering of the whole catalog with every
 * route slot named. Prints numbers; asserts nothing.
 */
#include "base/buf.h"
#include "base/clock.h"
#include "base/metrics.h"
#include "base/process_metrics.h"
#include "base/tca_metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#define OPS 20000000L

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *record(void *arg)
{
    struct metrics *m = arg;
    for (long i = 0; i < OPS; i++) {
        metrics_add(m, TM_HTTP_REQUESTS, 3, tca_metrics_status_index(200), 1);
        metrics_observe(m, TM_HTTP_DURATION, 3, 0, 100 + i % 5000);
    }
    return NULL;
}

static double run(struct metrics *m, int threads)
{
    pthread_t th[2];
    double t0 = now_s();
    for (int i = 0; i < threads; i++)
        pthread_create(&th[i], NULL, record, m);
    for (int i = 0; i < threads; i++)
        pthread_join(th[i], NULL);
    return (now_s() - t0) * 1e9 / OPS;
}

int main(void)
{
    struct metrics *m = tca_metrics_new();
    for (int r = 0; r < 64; r++) {
        char label[64];
        snprintf(label, sizeof label, "method=\"GET\",route=\"/route/%d\"", r);
        metrics_slot(m, &tm_dim_route, r, label, 0);
        metrics_add(m, TM_HTTP_REQUESTS, (size_t)r, 0, 1);
        metrics_observe(m, TM_HTTP_DURATION, (size_t)r, 0, 1000);
    }
    for (int c = 0; c < TM_CHANNELS_MAX; c++) {
        char login[32];
        snprintf(login, sizeof login, "channel_%03d", c);
        metrics_set(m, TM_CAPTURE_CHATTERS, (size_t)metrics_slot(m, &tm_dim_channel, c, login, 0),
                    0, 1000);
    }
    printf("record one request (add + observe), 1 thread:  %.1f ns\n", run(m, 1));
    printf("record one request, 2 threads on one series:  %.1f ns per request per thread\n",
           run(m, 2));
    struct buf b;
    buf_init(&b, 0);
    double t0 = now_s();
    int renders = 200;
    for (int i = 0; i < renders; i++) {
        buf_reset(&b);
        metrics_render(m, 0, &b);
        process_metrics_render(&b);
    }
    printf("render /metrics (64 routes, 100 channels): %.0f us, %zu bytes\n",
           (now_s() - t0) * 1e6 / renders, b.len);
    t0 = now_s();
    for (int i = 0; i < renders; i++) {
        buf_reset(&b);
        process_metrics_render(&b);
    }
    printf("of which process_* from /proc: %.0f us\n", (now_s() - t0) * 1e6 / renders);
    buf_free(&b);
    metrics_free(m);
    return 0;
}
