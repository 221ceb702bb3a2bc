/*
 * The job loop: claim, run, then done / retry with backoff / dead-letter. Errors that a retry
 * cannot fix (not a moderator any more, login revoked, bad payload) go straight to the
 * dead-letter state with their reason, and a capture schedule that can no longer work is
 * stopped so it does not fail every interval.
 */
#include "jobs/worker.h"
#include "base/err.h"
#include "base/tca_metrics.h"
#include "jobs/alert.h"
#include "jobs/capture.h"
#include "jobs/enrich.h"
#include "jobs/job_payload.h"
#include "twitch/user_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEFAULT_LEASE_MS 120000
#define DEFAULT_MAX_ATTEMPTS 5
#define BACKOFF_BASE_MS 2000
#define BACKOFF_MAX_MS (5 * 60 * 1000)

int64_t worker_lease_ms(const struct worker_env *env)
{
    return env->lease_ms > 0 ? env->lease_ms : DEFAULT_LEASE_MS;
}

void worker_capture_key(int64_t session_id, int64_t channel_id, char *out, size_t outlen)
{
    snprintf(out, outlen, "capture:%lld:%lld", (long long)session_id, (long long)channel_id);
}

int worker_enqueue_capture(struct store *st, int64_t session_id, int64_t channel_id,
                           int64_t user_id, int64_t now_ms, int64_t *job_id, char *err,
                           size_t errlen)
{
    char key[96];
    struct job_payload p = {session_id, channel_id, user_id, 0};
    char *payload = job_payload_encode(&p);
    worker_capture_key(session_id, channel_id, key, sizeof key);
    int rc = store_job_enqueue(st, "capture", key, payload, now_ms, job_id, err, errlen);
    free(payload);
    return rc;
}

int worker_enqueue_enrich(struct store *st, int64_t session_id, int64_t user_id, int64_t now_ms,
                          int64_t *job_id, char *err, size_t errlen)
{
    char key[96];
    int64_t ignored;
    struct job_payload p = {session_id, 0, user_id, 0};
    char *payload = job_payload_encode(&p);
    snprintf(key, sizeof key, "enrich:%lld", (long long)session_id);
    int rc = store_job_enqueue(st, "enrich", key, payload, now_ms, job_id ? job_id : &ignored, err,
                               errlen);
    free(payload);
    return rc == TCA_ECONFLICT ? 0 : rc;
}

int worker_enqueue_validate(struct store *st, int64_t user_id, int64_t now_ms, char *err,
                            size_t errlen)
{
    char key[96];
    int64_t ignored;
    struct job_payload p = {0, 0, user_id, 0};
    char *payload = job_payload_encode(&p);
    snprintf(key, sizeof key, "validate:%lld", (long long)user_id);
    int rc = store_job_enqueue(st, "validate", key, payload, now_ms, &ignored, err, errlen);
    free(payload);
    return rc == TCA_ECONFLICT ? 0 : rc;
}

static int permanent(int rc)
{
    return rc == TCA_EFORBIDDEN || rc == TCA_EAUTH || rc == TCA_EINVAL || rc == TCA_ENOTFOUND;
}

static int64_t backoff_ms(int attempts)
{
    int64_t d = BACKOFF_BASE_MS;
    for (int i = 1; i < attempts && d < BACKOFF_MAX_MS; i++)
        d *= 2;
    return d < BACKOFF_MAX_MS ? d : BACKOFF_MAX_MS;
}

static int run_capture(struct worker_env *env, const struct store_job *job,
                       const struct job_payload *p, struct worker_outcome *out)
{
    out->channel_id = p->channel_id;
    int rc = capture_run(env, p->session_id, p->channel_id, p->user_id, job->id, &out->capture,
                         &out->pages, &out->duration_ms, out->error, sizeof out->error);
    if (rc == TCA_ECONFLICT) {
        /* Another run committed this seq first: the capture exists once, which is the goal. */
        char ignored[64];
        store_job_done(env->st, job->id, ignored, sizeof ignored);
        out->error[0] = '\0';
        return 0;
    }
    if (rc == 0) {
        int64_t now = env->clock.now_ms(env->clock.ctx);
        worker_enqueue_enrich(env->st, p->session_id, p->user_id, now, NULL, NULL, 0);
    }
    if (permanent(rc) && rc != TCA_ENOTFOUND) {
        char ignored[64];
        store_schedule_stop(env->st, p->session_id, p->channel_id, ignored, sizeof ignored);
    }
    return rc;
}

static size_t kind_label(const char *kind)
{
    static const char *const kinds[] = {"capture", "enrich", "validate"};
    size_t i = 0;
    while (i < TM_KIND_OTHER && strcmp(kinds[i], kind) != 0)
        i++;
    return i;
}

/*
 * The store does not say why a job was claimed again, so this infers it: a job claimed before
 * whose due time is a whole lease old was running when its lease ran out (a retry sets a new
 * due time; one that then waits a lease in the queue is counted too), and one claimed before
 * with no error recorded never reached a retry.
 */
static int lease_expired(const struct worker_env *env, const struct store_job *job, int64_t now)
{
    return job->attempts > 1 && (!job->last_error || job->run_at_ms + worker_lease_ms(env) <= now);
}

int worker_run_one(struct worker_env *env, struct worker_outcome *out, char *err, size_t errlen)
{
    struct store_job job = {0};
    struct job_payload p;
    memset(out, 0, sizeof *out);
    int64_t now = env->clock.now_ms(env->clock.ctx);
    int rc = store_job_claim(env->st, now, worker_lease_ms(env), &job, err, errlen);
    if (rc == TCA_ENOTFOUND)
        return 0;
    if (rc)
        return rc;
    out->job_id = job.id;
    snprintf(out->kind, sizeof out->kind, "%s", job.kind);
    size_t kind = kind_label(job.kind);
    metrics_add(env->metrics, TM_JOBS_CLAIMED, kind, 0, 1);
    if (lease_expired(env, &job, now))
        metrics_add(env->metrics, TM_JOBS_LEASE_EXPIRED, kind, 0, 1);
    metrics_add(env->metrics, TM_WORKERS_BUSY, 0, 0, 1);

    rc = job_payload_decode(job.payload, &p, out->error, sizeof out->error);
    if (!rc) {
        if (strcmp(job.kind, "capture") == 0) {
            rc = p.session_id > 0 && p.channel_id > 0
                     ? run_capture(env, &job, &p, out)
                     : tca_fail(out->error, sizeof out->error, TCA_EINVAL,
                                "capture job without session or channel");
        } else if (strcmp(job.kind, "validate") == 0) {
            rc = user_token_check(env->st, env->keys, env->tw, p.user_id,
                                  env->clock.now_ms(env->clock.ctx), out->error, sizeof out->error);
            if (!rc)
                rc = store_job_done(env->st, job.id, err, errlen);
        } else if (strcmp(job.kind, "enrich") == 0 && p.session_id > 0) {
            rc = enrich_run(env, p.session_id, p.user_id, job.id, &out->enriched, &out->renames,
                            out->error, sizeof out->error);
            if (!rc)
                rc = store_job_done(env->st, job.id, err, errlen);
            if (!rc && out->enriched) {
                /* creation dates just arrived: best effort, the job's outcome stands */
                char ignored[160];
                alert_on_bot_wave(env->st, p.user_id, p.session_id,
                                  env->clock.now_ms(env->clock.ctx), NULL, ignored, sizeof ignored);
                alert_on_follower_wave(env->st, p.user_id, p.session_id,
                                       env->clock.now_ms(env->clock.ctx), NULL, ignored,
                                       sizeof ignored);
            }
        } else if (strcmp(job.kind, "deliver") == 0 && p.delivery_id > 0) {
            /* deliveries keep their own rules: never retry a 4xx, wait out a 429 */
            rc = alert_run_delivery(env, &job, p.delivery_id, out, err, errlen);
            if (out->state == JOB_FAILED)
                metrics_add(env->metrics, TM_JOBS_DEAD, kind, 0, 1);
            else if (out->state == JOB_QUEUED)
                metrics_add(env->metrics, TM_JOBS_RETRIED, kind, 0, 1);
            store_job_clear(&job);
            metrics_add(env->metrics, TM_WORKERS_BUSY, 0, 0, -1);
            return rc ? rc : 1;
        } else {
            rc = tca_fail(out->error, sizeof out->error, TCA_EINVAL, "unknown job kind '%s'",
                          job.kind);
        }
    }

    int max_attempts = env->max_attempts > 0 ? env->max_attempts : DEFAULT_MAX_ATTEMPTS;
    int src = 0;
    if (rc == 0) {
        out->state = JOB_DONE;
    } else if (permanent(rc) || job.attempts >= max_attempts) {
        out->state = JOB_FAILED;
        src = store_job_fail(env->st, job.id, out->error, err, errlen);
        metrics_add(env->metrics, TM_JOBS_DEAD, kind, 0, 1);
    } else {
        out->state = JOB_QUEUED;
        metrics_add(env->metrics, TM_JOBS_RETRIED, kind, 0, 1);
        now = env->clock.now_ms(env->clock.ctx);
        src = store_job_retry(env->st, job.id, out->error, now + backoff_ms(job.attempts), err,
                              errlen);
    }
    if (strcmp(job.kind, "capture") == 0 && out->state == JOB_FAILED)
        alert_capture_failed(env->st, &p, rc, out->error, env->clock.now_ms(env->clock.ctx));
    store_job_clear(&job);
    metrics_add(env->metrics, TM_WORKERS_BUSY, 0, 0, -1);
    return src ? src : 1;
}
