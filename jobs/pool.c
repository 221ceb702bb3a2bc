/*
 * Worker threads. Idle threads wait on a condition variable so that stopping is immediate;
 * a thread that holds a job always finishes it (its capture commits or rolls back whole).
 */
#include "jobs/pool.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/tca_metrics.h"
#include "base/xalloc.h"
#include "jobs/eventsub_runner.h"
#include "jobs/live.h"
#include "jobs/scheduler.h"
#include "twitch/user_token.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct pool_thread {
    struct worker_pool *pool;
    pthread_t thread;
    int is_scheduler;
    int is_eventsub;
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

/* Takes or renews the scheduler lease; 1 when this pool leads. A kv failure is "not
 * leading": two schedulers at once are harmless (the queue's dedupe key), but a leader
 * must never believe it holds a lease it cannot renew. */
static int lead_as(struct worker_pool *p, const char *lease, const char *owner, int *leading)
{
    char err[256];
    int held = 1;
    if (p->opt.kv &&
        kv_lease(p->opt.kv, lease, owner, p->opt.leader_lease_ms, &held, err, sizeof err)) {
        report_error(p, lease, err);
        held = 0;
    }
    *leading = held;
    return held;
}

static int lead(struct worker_pool *p, const char *owner, int *leading)
{
    int was = *leading;
    int held = lead_as(p, "scheduler", owner, leading);
    if (held != was && p->opt.on_leader)
        p->opt.on_leader(p->opt.ctx, held, owner);
    return held;
}

static void es_problem(void *ctx, const char *message)
{
    report_error(ctx, "eventsub", message);
}

/* One EventSub runner per set of pools sharing a kv: two would count every message twice. */
static void *eventsub_main(void *arg)
{
    struct pool_thread *t = arg;
    struct worker_pool *p = t->pool;
    struct store *st = NULL;
    char err[256], host[64] = "", owner[128];
    if (store_open(p->db_path, &st, err, sizeof err)) {
        report_error(p, "eventsub", err);
        return NULL;
    }
    gethostname(host, sizeof host - 1);
    snprintf(owner, sizeof owner, "%s:%d:es", host, (int)getpid());
    struct twitch_client *tw = twitch_client_new(&p->opt.twitch);
    struct eventsub_runner_options o = {.st = st,
                                        .tw = tw,
                                        .keys = p->opt.keys,
                                        .url = p->opt.eventsub_url,
                                        .lexicon = p->opt.lexicon,
                                        .clock = p->opt.twitch.clock,
                                        .on_problem = es_problem,
                                        .ctx = p};
    struct eventsub_runner *r = NULL;
    int leading = 0;
    while (!should_stop(p)) {
        if (!lead_as(p, "eventsub", owner, &leading)) {
            eventsub_runner_free(r); /* another process took over */
            r = NULL;
            if (idle(p, 1000))
                break;
            continue;
        }
        if (!r)
            r = eventsub_runner_new(&o);
        if (eventsub_runner_step(r, 500, err, sizeof err))
            report_error(p, "eventsub", err);
        struct eventsub_runner_counts c;
        eventsub_runner_counts(r, &c);
        if (!c.connections && idle(p, 500))
            break;
    }
    eventsub_runner_free(r);
    if (leading && p->opt.kv)
        kv_lease_release(p->opt.kv, "eventsub", owner, err, sizeof err);
    twitch_client_free(tw);
    store_close(st);
    return NULL;
}

static void *scheduler_main(void *arg)
{
    struct pool_thread *t = arg;
    struct worker_pool *p = t->pool;
    struct store *st = NULL;
    char err[256], host[64] = "", owner[128];
    if (store_open(p->db_path, &st, err, sizeof err)) {
        report_error(p, "scheduler", err);
        return NULL;
    }
    gethostname(host, sizeof host - 1);
    snprintf(owner, sizeof owner, "%s:%d:%lld", host, (int)getpid(), (long long)clock_wall_ms());
    int leading = -1;
    struct twitch_client *tw = twitch_client_new(&p->opt.twitch);
    /* At start every token is validated; then each one whose last validation is an hour old. */
    int64_t validate_before = p->opt.twitch.clock.now_ms(p->opt.twitch.clock.ctx);
    int64_t next_validation = 0, next_live = 0;
    do {
        int leads = lead(p, owner, &leading);
        metrics_set(p->opt.metrics, TM_SCHEDULER_LEADER, 0, 0, leads);
        if (!leads)
            continue;
        int64_t now = p->opt.twitch.clock.now_ms(p->opt.twitch.clock.ctx), lag = 0;
        if (now >= next_live) {
            if (live_follow(st, p->opt.keys, tw, now, NULL, err, sizeof err))
                report_error(p, "live check", err);
            now = p->opt.twitch.clock.now_ms(p->opt.twitch.clock.ctx);
            next_live = now + p->opt.live_every_ms;
        }
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
    if (leading == 1 && p->opt.kv)
        kv_lease_release(p->opt.kv, "scheduler", owner, err, sizeof err); /* hand over now */
    twitch_client_free(tw);
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
    env.followers_interval_ms = p->opt.followers_interval_ms;
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
    if (p->opt.leader_lease_ms <= 0)
        p->opt.leader_lease_ms = 15000;
    if (p->opt.live_every_ms <= 0)
        p->opt.live_every_ms = 30000;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    p->n_threads = o->workers + (o->run_scheduler ? 1 : 0) + (o->eventsub_url ? 1 : 0);
    p->threads = xcalloc((size_t)p->n_threads, sizeof *p->threads);
    for (int i = 0; i < p->n_threads; i++) {
        struct pool_thread *t = &p->threads[i];
        t->pool = p;
        t->is_scheduler = o->run_scheduler && i == o->workers;
        t->is_eventsub = o->eventsub_url && i == p->n_threads - 1;
        void *(*main)(void *) = t->is_eventsub    ? eventsub_main
                                : t->is_scheduler ? scheduler_main
                                                  : worker_main;
        if (pthread_create(&t->thread, NULL, main, t) != 0) {
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
