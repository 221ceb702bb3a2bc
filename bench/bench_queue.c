/*
 * Job queue benchmark: the store's queue (store_job_claim / store_job_done; on MariaDB a
 * SELECT ... FOR UPDATE SKIP LOCKED) against Redis streams (XREADGROUP / XACK), with 1 and 4
 * threads each on its own connection. For each: enqueue rate, then claim+complete throughput
 * and the latency of a claim and of a completion (p50, p99). Prints numbers, asserts nothing.
 * Usage: bench_queue STORE_URL REDIS_SOCKET [JOBS]   (bench/bench_queue.sh starts both
 * servers); the store must be a fresh database: its jobs table is used as is.
 */
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define STREAM "tca:bench:queue"
#define GROUP "workers"
#define PAYLOAD "{\"session_id\":123456,\"channel_id\":20003,\"user_id\":20003,\"queued_at\":0}"

struct run {
    const char *store_url, *redis_sock;
    int use_redis;
    int thread;
    double *claim_us, *done_us; /* per job this thread handled */
    size_t n, cap;
    int failed;
    int retries; /* claims or completions refused for a moment (a deadlock): done again */
};

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static void record(struct run *r, double claim, double done)
{
    if (r->n == r->cap) {
        r->cap = r->cap ? r->cap * 2 : 1024;
        r->claim_us = xreallocarray(r->claim_us, r->cap, sizeof *r->claim_us);
        r->done_us = xreallocarray(r->done_us, r->cap, sizeof *r->done_us);
    }
    r->claim_us[r->n] = claim;
    r->done_us[r->n++] = done;
}

static void *store_worker(void *arg)
{
    struct run *r = arg;
    struct store *st = NULL;
    char err[256];
    if (store_open(r->store_url, &st, err, sizeof err)) {
        fprintf(stderr, "store: %s\n", err);
        r->failed = 1;
        return NULL;
    }
    for (;;) {
        struct store_job job = {0};
        double t0 = now_us();
        int rc = store_job_claim(st, 1, 60000, &job, err, sizeof err);
        double t1 = now_us();
        if (rc == TCA_ENOTFOUND)
            break;
        if (rc == TCA_ETEMP) { /* as a worker does: try again */
            r->retries++;
            continue;
        }
        while (!rc && (rc = store_job_done(st, job.id, err, sizeof err)) == TCA_ETEMP)
            r->retries++;
        if (rc) {
            fprintf(stderr, "store: %s\n", err);
            r->failed = 1;
            store_job_clear(&job);
            break;
        }
        record(r, t1 - t0, now_us() - t1);
        store_job_clear(&job);
    }
    store_close(st);
    return NULL;
}

/* The id of the one entry XREADGROUP answered, or "" when the stream had none. */
static void entry_id(const redisReply *rep, char *id, size_t len)
{
    id[0] = '\0';
    if (!rep || rep->type != REDIS_REPLY_ARRAY || rep->elements < 1)
        return;
    const redisReply *stream = rep->element[0];
    if (stream->type != REDIS_REPLY_ARRAY || stream->elements < 2)
        return;
    const redisReply *entries = stream->element[1];
    if (entries->type != REDIS_REPLY_ARRAY || entries->elements < 1)
        return;
    const redisReply *e = entries->element[0];
    if (e->type == REDIS_REPLY_ARRAY && e->elements >= 1 &&
        e->element[0]->type == REDIS_REPLY_STRING)
        snprintf(id, len, "%s", e->element[0]->str);
}

static void *redis_worker(void *arg)
{
    struct run *r = arg;
    char consumer[32], id[64];
    snprintf(consumer, sizeof consumer, "w%d", r->thread);
    redisContext *c = redisConnectUnix(r->redis_sock);
    if (!c || c->err) {
        fprintf(stderr, "redis: cannot connect\n");
        r->failed = 1;
        redisFree(c);
        return NULL;
    }
    for (;;) {
        double t0 = now_us();
        const char *claim[] = {"XREADGROUP", "GROUP",   GROUP,  consumer, "COUNT",
                               "1",          "STREAMS", STREAM, ">"};
        redisReply *rep = redisCommandArgv(c, 9, claim, NULL);
        double t1 = now_us();
        entry_id(rep, id, sizeof id);
        freeReplyObject(rep);
        if (!id[0])
            break;
        const char *ack[] = {"XACK", STREAM, GROUP, id};
        rep = redisCommandArgv(c, 4, ack, NULL);
        if (!rep || rep->type != REDIS_REPLY_INTEGER || rep->integer != 1) {
            fprintf(stderr, "redis: XACK failed\n");
            r->failed = 1;
            freeReplyObject(rep);
            break;
        }
        freeReplyObject(rep);
        record(r, t1 - t0, now_us() - t1);
    }
    redisFree(c);
    return NULL;
}

/* Enqueues jobs; the rate per second, or -1. */
static double enqueue(const char *store_url, const char *sock, int use_redis, int jobs)
{
    char err[256];
    double t0 = now_us();
    if (use_redis) {
        redisContext *c = redisConnectUnix(sock);
        if (!c || c->err)
            return -1;
        freeReplyObject(redisCommand(c, "DEL %s", STREAM));
        freeReplyObject(redisCommand(c, "XGROUP CREATE %s %s $ MKSTREAM", STREAM, GROUP));
        t0 = now_us();
        for (int i = 0; i < jobs; i++)
            freeReplyObject(redisCommand(c, "XADD %s * payload %s", STREAM, PAYLOAD));
        double t = now_us() - t0;
        redisFree(c);
        return jobs / t * 1e6;
    }
    struct store *st = NULL;
    if (store_open(store_url, &st, err, sizeof err)) {
        fprintf(stderr, "store: %s\n", err);
        return -1;
    }
    t0 = now_us();
    for (int i = 0; i < jobs; i++) {
        int64_t id;
        if (store_job_enqueue(st, "capture", NULL, PAYLOAD, 0, &id, err, sizeof err)) {
            fprintf(stderr, "store: %s\n", err);
            store_close(st);
            return -1;
        }
    }
    double t = now_us() - t0;
    store_close(st);
    return jobs / t * 1e6;
}

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double pct(double *v, size_t n, double p)
{
    return n ? v[(size_t)((double)(n - 1) * p)] : 0;
}

static int bench(const char *store_url, const char *sock, int use_redis, int threads, int jobs)
{
    double rate = enqueue(store_url, sock, use_redis, jobs);
    if (rate < 0)
        return 1;
    struct run *runs = xcalloc((size_t)threads, sizeof *runs);
    pthread_t *tid = xcalloc((size_t)threads, sizeof *tid);
    double t0 = now_us();
    for (int i = 0; i < threads; i++) {
        runs[i] = (struct run){
            .store_url = store_url, .redis_sock = sock, .use_redis = use_redis, .thread = i};
        pthread_create(&tid[i], NULL, use_redis ? redis_worker : store_worker, &runs[i]);
    }
    size_t n = 0;
    int failed = 0, retries = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(tid[i], NULL);
        n += runs[i].n;
        failed |= runs[i].failed;
        retries += runs[i].retries;
    }
    double wall = now_us() - t0;
    double *claim = xcalloc(n ? n : 1, sizeof *claim), *done = xcalloc(n ? n : 1, sizeof *done);
    size_t k = 0;
    for (int i = 0; i < threads; i++) {
        memcpy(claim + k, runs[i].claim_us, runs[i].n * sizeof *claim);
        memcpy(done + k, runs[i].done_us, runs[i].n * sizeof *done);
        k += runs[i].n;
        free(runs[i].claim_us);
        free(runs[i].done_us);
    }
    qsort(claim, n, sizeof *claim, by_value);
    qsort(done, n, sizeof *done, by_value);
    printf("%-14s threads=%d jobs=%zu enqueue/s=%-8.0f claim+complete/s=%-8.0f"
           " claim p50=%.0f p99=%.0f us  complete p50=%.0f p99=%.0f us  retries=%d%s\n",
           use_redis ? "redis-streams" : "store-queue", threads, n, rate, n / wall * 1e6,
           pct(claim, n, 0.5), pct(claim, n, 0.99), pct(done, n, 0.5), pct(done, n, 0.99), retries,
           failed || n != (size_t)jobs ? "  (INCOMPLETE)" : "");
    free(claim);
    free(done);
    free(runs);
    free(tid);
    return failed;
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: bench_queue STORE_URL REDIS_SOCKET [JOBS]\n");
        return 2;
    }
    int jobs = argc > 3 ? atoi(argv[3]) : 5000;
    int rc = 0;
    for (int threads = 1; threads <= 4; threads *= 4)
        for (int use_redis = 0; use_redis <= 1; use_redis++)
            rc |= bench(argv[1], argv[2], use_redis, threads, jobs);
    return rc;
}
