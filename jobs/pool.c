/*
 * Worker threads. Idle threads wait on a condition variable so that stopping is immediate;
 * a thread that holds a job always finishes it (its capture commits or rolls back whole).
 */
#include "jobs/pool.h"
#include "base/err.h"
#include "base/tca_metrics.h"
#include "base/xalloc.h"
#include "jobs/scheduler.h"
#include "jobs/user_token.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pool_thread {
    struct worker_pool *pool;
    pthread_t thread;
    int is_scheduler;
    int started;
};

struct worker_pool {
    struct pool_options opt;
    char *db_path;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    int stopping;
    struct pool_thread *threads;
    int n_threads;
};

static int should_stop(struct worker_pool *p)
{
    pthread_mutex_lock(&p->lock);
    int s = p->stopping;
    pthread_mutex_unlock(&p->lock);
    return s;
}

/* Waits ms or until the pool stops; returns 1 when stopping. */
static int idle(struct worker_pool *p, int64_t ms)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000;
    if (ts.tv_nsec >= 1000000000) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000;
    }
    pthread_mutex_lock(&p->lock);
    while (!p->stopping) {
        if (pthread_cond_timedwait(&p->wake, &p->lock, &ts) == ETIMEDOUT)
            break;
    }
    int s = p->stopping;
    pthread_mutex_unlock(&p->lock);
    return s;
}

static void report_error(struct worker_pool *p, const char *what, const char *err)
{
    if (p->opt.on_error) {
        char msg[384];
        snprintf(msg, sizeof msg, "%s: %s", what, err);
        p->opt.on_error(p->opt.ctx, msg);
    }
}

static void *scheduler_main(void *arg)
{
    struct pool_thread *t = arg;
    struct worker_pool *p = t->pool;
    struct store *st = NULL;
    char err[256];
    if (store_open(p->db_path, &st, err, sizeof err)) {
        report_error(p, "scheduler", err);
        return NULL;
    }
    /* At start every token is validated; then each one whose last validation is an hour old. */
    int64_t validate_before = p->opt.twitch.clock.now_ms(p->opt.twitch.clock.ctx);
    int64_t next_validation = 0;
    do {
        int64_t now = p->opt.twitch.clock.now_ms(p->opt.twitch.clock.ctx), lag = 0;
        if (scheduler_tick(st, now, NULL, &lag, err, sizeof err))
            report_error(p, "scheduler", err);
        metrics_set(p->opt.metrics, TM_SCHEDULER_LAG, 0, 0, lag);
        metrics_set(p->opt.metrics, TM_SCHEDULER_TICK, 0, 0, now);
        if (now >= next_validation) {
            if (scheduler_validate_tokens(st, now, validate_before, NULL, err, sizeof err))
                report_error(p, "scheduler", err);
            next_validation = now + 60 * 1000;
            validate_before = now + 60 * 1000 - USER_TOKEN_VALIDATE_EVERY_MS;
        }
    } while (!idle(p, 1000));
    store_close(st);
    return NULL;
}

static void *worker_main(void *arg)
{
    struct pool_thread *t = arg;
    struct worker_pool *p = t->pool;
    struct worker_env env = {0};
    char err[256];
    if (store_open(p->db_path, &env.st, err, sizeof err)) {
        report_error(p, "worker", err);
        return NULL;
    }
    env.tw = twitch_client_new(&p->opt.twitch);
    env.keys = p->opt.keys;
    env.clock = p->opt.twitch.clock;
    env.lease_ms = p->opt.lease_ms;
    env.max_attempts = p->opt.max_attempts;
    env.metrics = p->opt.metrics;
    int64_t poll = p->opt.poll_ms > 0 ? p->opt.poll_ms : 250;
    while (!should_stop(p)) {
        struct worker_outcome o;
        int rc = worker_run_one(&env, &o, err, sizeof err);
        if (rc > 0) {
            if (p->opt.on_outcome)
                p->opt.on_outcome(p->opt.ctx, &o);
            continue;
        }
        if (rc < 0)
            report_error(p, "worker", err);
        if (idle(p, poll))
            break;
    }
    twitch_client_free(env.tw);
    store_close(env.st);
    return NULL;
}

int worker_pool_start(const struct pool_options *o, struct worker_pool **out, char *err,
                      size_t errlen)
{
    if (o->workers < 1)
        return tca_fail(err, errlen, TCA_EINVAL, "a pool needs at least one worker");
    struct worker_pool *p = xcalloc(1, sizeof *p);
    p->opt = *o;
    p->db_path = xstrdup(o->db_path);
    p->opt.db_path = p->db_path;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->n_threads = o->workers + (o->run_scheduler ? 1 : 0);
    p->threads = xcalloc((size_t)p->n_threads, sizeof *p->threads);
    for (int i = 0; i < p->n_threads; i++) {
        struct pool_thread *t = &p->threads[i];
        t->pool = p;
        t->is_scheduler = o->run_scheduler && i == o->workers;
        if (pthread_create(&t->thread, NULL, t->is_scheduler ? scheduler_main : worker_main, t) !=
            0) {
            worker_pool_stop(p);
            return tca_fail(err, errlen, TCA_ERR, "cannot start worker thread");
        }
        t->started = 1;
    }
    metrics_add(p->opt.metrics, TM_WORKERS, 0, 0, o->workers);
    *out = p;
    return 0;
}

void worker_pool_stop(struct worker_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_threads; i++)
        if (p->threads[i].started)
            pthread_join(p->threads[i].thread, NULL);
    if (p->n_threads && p->threads[p->n_threads - 1].started) /* all started: counted */
        metrics_add(p->opt.metrics, TM_WORKERS, 0, 0, -p->opt.workers);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p->db_path);
    free(p);
}
