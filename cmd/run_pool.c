/* The long-running part of `serve` and `worker`: the pool, its log lines, graceful stop. */
#include "cmd/run_pool.h"
#include "cmd/signals.h"
#include "base/clock.h"
#include "base/log.h"
#include "jobs/pool.h"
#include "report/lexicon.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

static void on_outcome(void *ctx, const struct worker_outcome *o)
{
    struct store_capture_result c = o->capture;
    (void)ctx;
    if (strcmp(o->kind, "capture") == 0 && o->state == JOB_DONE && c.seq > 0)
        log_info("capture channel=%" PRId64 " seq=%" PRId64 " chatters=%" PRId64 " joined=%" PRId64
                 " left=%" PRId64 " new=%" PRId64 " renames=%" PRId64 " pages=%d ms=%" PRId64,
                 o->channel_id, c.seq, c.chatter_count, c.joined, c.left, c.new_to_channel,
                 c.renames, o->pages, o->duration_ms);
    else if (strcmp(o->kind, "enrich") == 0 && o->state == JOB_DONE)
        log_info("enrich profiles=%d renames=%d", o->enriched, o->renames);
    else if (o->state == JOB_FAILED)
        log_warn("job failed id=%" PRId64 " kind=%s error=\"%s\"", o->job_id, o->kind, o->error);
    else if (o->state == JOB_QUEUED)
        log_warn("job retry id=%" PRId64 " kind=%s error=\"%s\"", o->job_id, o->kind, o->error);
}

static void on_leader(void *ctx, int leading, const char *owner)
{
    (void)ctx;
    if (leading)
        log_info("scheduler leading owner=%s", owner);
    else
        log_info("scheduler standing by owner=%s: another worker holds the lease", owner);
}

static void on_error(void *ctx, const char *message)
{
    (void)ctx;
    log_error("%s", message);
}

int run_pool_until_signal(struct app *a, const char *role, int run_scheduler)
{
    struct worker_pool *pool = NULL;
    char err[256];
    struct pool_options o = {
        .db_path = a->cfg.db,
        .twitch = a->twitch,
        .keys = &a->keys,
        .workers = a->cfg.workers,
        .lease_ms = (int64_t)a->cfg.job_lease_s * 1000,
        .followers_interval_ms = (int64_t)a->cfg.followers_interval_s * 1000,
        .run_scheduler = run_scheduler,
        .metrics = a->metrics,
        .on_outcome = on_outcome,
        .on_error = on_error,
        .on_leader = on_leader,
        .kv = a->kv,
        .leader_lease_ms = (int64_t)a->cfg.leader_lease_s * 1000,
        .eventsub_url = a->cfg.twitch_eventsub_url,
        .live_every_ms = (int64_t)a->cfg.live_check_s * 1000,
    };
    /* chat sentiment needs the lexicons; without them messages are still counted */
    struct an_lexicon *lexicon = NULL;
    if (o.eventsub_url &&
        report_lexicon_load(a->cfg.sentiment_lexicons, &lexicon, err, sizeof err) != 0)
        log_error("%s: chat messages are counted but not scored: %s", role, err);
    o.lexicon = lexicon;
    if (worker_pool_start(&o, &pool, err, sizeof err)) {
        log_error("%s: %s", role, err);
        an_lexicon_free(lexicon);
        return EXIT_FAIL;
    }
    char where[512];
    store_url_redact(a->cfg.db, where, sizeof where);
    log_info("%s running workers=%d scheduler=%s store=%s kv=%s eventsub=%s", role, a->cfg.workers,
             run_scheduler ? "on" : "off", where, kv_name(a->kv),
             o.eventsub_url ? o.eventsub_url : "off");
    while (!signals_stop_requested())
        clock_sleep_ms(100);
    log_info("%s stopping: finishing jobs in flight", role);
    worker_pool_stop(pool);
    an_lexicon_free(lexicon);
    log_info("%s stopped", role);
    return EXIT_OK;
}
