/*
 * Capture control for one channel of a session: capture now (a queued job), periodic capture
 * (interval, optional stop time), stop, and capture while live; and the state of capture
 * jobs (queued, running, done, failed with the worker's reason, e.g. a lost moderator
 * role). Only the active session collects captures; only the user's channels are allowed.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "jobs/job_payload.h"
#include "jobs/live.h"
#include "jobs/worker.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const job_states[] = {"queued", "running", "done", "failed"};

static json_t *time_json(int64_t ms)
{
    char t[32];
    if (ms <= 0)
        return json_null();
    clock_format_rfc3339(ms, t, sizeof t);
    return json_string(t);
}

static json_t *job_json(const struct store_job *j, const struct job_payload *p)
{
    json_t *o =
        json_pack("{s:I, s:I, s:I, s:s, s:i, s:o, s:o}", "id", (json_int_t)j->id, "session_id",
                  (json_int_t)p->session_id, "channel_id", (json_int_t)p->channel_id, "state",
                  job_states[j->state & 3], "attempts", j->attempts, "created_at",
                  time_json(j->created_at_ms), "updated_at", time_json(j->updated_at_ms));
    json_object_set_new(o, "error",
                        j->last_error && j->state != JOB_DONE ? json_string(j->last_error)
                                                              : json_null());
    return o;
}

/* The session (active, owned) and channel (the user's) of a capture-control route. */
static int target(struct web_req *r, struct store_session *s, int64_t *channel_id)
{
    if (web_own_session(r, 0, s) < 0 || web_param_id(r, 1, channel_id) < 0 ||
        web_own_channel(r, *channel_id) < 0)
        return -1;
    if (!s->active) {
        web_error(r, 409, "session_not_active",
                  "only your active session collects captures (POST /api/v1/sessions starts a "
                  "new one)");
        return -1;
    }
    return 0;
}

/* Puts the channel in the session, keeping any schedule it already has. */
static int ensure_in_session(struct web_req *r, const struct store_session *s, int64_t channel_id,
                             char *err, size_t errlen)
{
    struct store_schedule *sch = NULL;
    size_t n = 0;
    int rc = store_session_schedules(r->st, s->id, &sch, &n, err, errlen);
    int found = 0;
    for (size_t i = 0; !rc && i < n; i++)
        found |= sch[i].channel_id == channel_id;
    free(sch);
    if (rc || found)
        return rc;
    struct store_schedule add = {
        .session_id = s->id, .channel_id = channel_id, .user_id = r->user_id, .enabled = 0};
    return store_schedule_set(r->st, &add, err, errlen);
}

void web_api_capture_now(struct web_req *r)
{
    struct store_session s;
    int64_t channel_id, job_id = 0;
    char err[256];
    if (target(r, &s, &channel_id) < 0)
        return;
    int rc = ensure_in_session(r, &s, channel_id, err, sizeof err);
    if (!rc)
        rc = worker_enqueue_capture(r->st, s.id, channel_id, r->user_id, web_now_ms(r), &job_id,
                                    err, sizeof err);
    if (rc && rc != TCA_ECONFLICT) {
        web_fail(r, rc, err);
        return;
    }
    web_summary_forget(r->w, s.id);
    if (!rc)
        web_metrics_event(r->w->metrics, "captures_queued");
    char *url = xasprintf("/api/v1/jobs/%lld", (long long)job_id);
    web_reply_json(r, 202,
                   json_pack("{s:I, s:s, s:b, s:s}", "job_id", (json_int_t)job_id, "state",
                             "queued", "already_queued", rc == TCA_ECONFLICT, "status_url", url));
    free(url);
}

void web_api_session_channel_add(struct web_req *r)
{
    struct store_session s;
    struct store_schedule *sch = NULL;
    size_t n = 0;
    int64_t channel_id;
    char err[256];
    if (target(r, &s, &channel_id) < 0)
        return;
    int rc = store_session_schedules(r->st, s.id, &sch, &n, err, sizeof err);
    int present = 0;
    for (size_t i = 0; !rc && i < n; i++)
        present |= sch[i].channel_id == channel_id;
    free(sch);
    /* Adding never changes a channel that is already there (it may be captured periodically). */
    if (!rc && !present) {
        struct store_schedule add = {.session_id = s.id,
                                     .channel_id = channel_id,
                                     .user_id = r->user_id,
                                     .interval_s = 0,
                                     .next_at_ms = 0,
                                     .enabled = 0};
        rc = store_schedule_set(r->st, &add, err, sizeof err);
        web_summary_forget(r->w, s.id);
    }
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    web_reply_json(r, present ? 200 : 201,
                   json_pack("{s:I, s:I, s:b}", "session_id", (json_int_t)s.id, "channel_id",
                             (json_int_t)channel_id, "added", !present));
}

void web_api_schedule_set(struct web_req *r)
{
    struct store_session s;
    int64_t channel_id, stop_at = 0;
    json_t *body = NULL;
    json_error_t je;
    int interval = 0;
    const char *stop = NULL;
    char err[256];
    if (target(r, &s, &channel_id) < 0 || web_body_json(r, &body) < 0)
        goto out;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s:i, s?:s}", "interval_s", &interval, "stop_at",
                       &stop) != 0) {
        web_error(r, 400, "invalid_body", "%s", je.text);
        goto out;
    }
    if (interval < 5 || interval > 86400) {
        web_error(r, 400, "invalid_body", "interval_s must be from 5 to 86400 seconds");
        goto out;
    }
    if (stop && (clock_parse_rfc3339(stop, &stop_at) < 0 || stop_at <= web_now_ms(r))) {
        web_error(r, 400, "invalid_body", "stop_at must be an RFC 3339 time in the future");
        goto out;
    }
    struct store_schedule sch = {.session_id = s.id,
                                 .channel_id = channel_id,
                                 .user_id = r->user_id,
                                 .interval_s = interval,
                                 .next_at_ms = web_now_ms(r),
                                 .stop_at_ms = stop_at,
                                 .enabled = 1};
    store_live_watch_stop(r->st, s.id, channel_id, err, sizeof err); /* periodic replaces it */
    int rc = store_schedule_set(r->st, &sch, err, sizeof err);
    web_summary_forget(r->w, s.id);
    if (rc) {
        web_fail(r, rc, err);
        goto out;
    }
    web_reply_json(r, 200,
                   json_pack("{s:I, s:I, s:i, s:o, s:s}", "session_id", (json_int_t)s.id,
                             "channel_id", (json_int_t)channel_id, "interval_s", interval,
                             "stop_at", time_json(stop_at), "mode", "periodic"));
out:
    json_decref(body);
}

void web_api_schedule_stop(struct web_req *r)
{
    struct store_session s;
    int64_t channel_id;
    char err[256];
    if (web_own_session(r, 0, &s) < 0 || web_param_id(r, 1, &channel_id) < 0)
        return;
    int watch = store_live_watch_stop(r->st, s.id, channel_id, err, sizeof err);
    int rc = store_schedule_stop(r->st, s.id, channel_id, err, sizeof err);
    web_summary_forget(r->w, s.id);
    if (rc && !(rc == TCA_ENOTFOUND && watch == 0)) {
        web_fail(r, rc, err);
        return;
    }
    web_reply_json(r, 200,
                   json_pack("{s:I, s:I, s:s}", "session_id", (json_int_t)s.id, "channel_id",
                             (json_int_t)channel_id, "mode", "stopped"));
}

int web_live_apply(struct web_req *r, struct store_live_watch *lw, int live, char *err,
                   size_t errlen)
{
    int was = lw->live;
    int rc = live_apply(r->st, lw, live, web_now_ms(r), err, errlen);
    if (!rc && was != lw->live)
        web_summary_forget(r->w, lw->session_id);
    return rc;
}

void web_api_live_set(struct web_req *r)
{
    struct store_session s;
    int64_t channel_id;
    json_t *body = NULL;
    json_error_t je;
    int interval = 0;
    char err[256];
    struct twitch_token tok = {0};
    struct twitch_stream *streams = NULL;
    size_t n = 0;
    if (target(r, &s, &channel_id) < 0 || web_body_json(r, &body) < 0)
        goto out;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s:i}", "interval_s", &interval) != 0) {
        web_error(r, 400, "invalid_body", "%s", je.text);
        goto out;
    }
    if (interval < 5 || interval > 86400) {
        web_error(r, 400, "invalid_body", "interval_s must be from 5 to 86400 seconds");
        goto out;
    }
    int rc = ensure_in_session(r, &s, channel_id, err, sizeof err);
    if (!rc)
        rc = store_schedule_stop(r->st, s.id, channel_id, err, sizeof err);
    struct store_live_watch lw = {.session_id = s.id,
                                  .channel_id = channel_id,
                                  .user_id = r->user_id,
                                  .interval_s = interval,
                                  .live = 0};
    if (!rc)
        rc = store_live_watch_set(r->st, &lw, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        goto out;
    }
    /* check now, so a stream that is already live starts capturing at once */
    if (web_user_token(r, &tok))
        goto out;
    rc = twitch_get_streams(web_twitch(r), &tok, &channel_id, 1, &streams, &n, err, sizeof err);
    web_twitch_refused(r, rc);
    if (!rc)
        rc = web_live_apply(r, &lw, n > 0, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        goto out;
    }
    web_reply_json(r, 200,
                   json_pack("{s:I, s:I, s:i, s:s, s:b}", "session_id", (json_int_t)s.id,
                             "channel_id", (json_int_t)channel_id, "interval_s", interval, "mode",
                             "while_live", "live", lw.live));
out:
    free(streams);
    twitch_token_clear(&tok);
    json_decref(body);
}

void web_api_session_jobs(struct web_req *r)
{
    struct store_session s;
    struct store_job *jobs = NULL;
    size_t n = 0;
    int64_t limit;
    char err[256];
    if (web_own_session(r, 0, &s) < 0 || web_query_int(r, "limit", 1, 500, 50, &limit) < 0)
        return;
    int rc = store_session_jobs(r->st, s.id, (size_t)limit, &jobs, &n, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        struct job_payload p = {0};
        if (jobs[i].payload && job_payload_decode(jobs[i].payload, &p, err, sizeof err) == 0)
            json_array_append_new(a, job_json(&jobs[i], &p));
        store_job_clear(&jobs[i]);
    }
    free(jobs);
    web_reply_json(r, 200, json_pack("{s:o}", "jobs", a));
}

void web_api_job_get(struct web_req *r)
{
    int64_t id;
    struct store_job j = {0};
    struct job_payload p = {0};
    char err[256];
    if (web_param_id(r, 0, &id) < 0 || !web_store(r))
        return;
    int rc = store_job_get(r->st, id, &j, err, sizeof err);
    if (!rc && (strcmp(j.kind, "capture") != 0 || !j.payload ||
                job_payload_decode(j.payload, &p, err, sizeof err) != 0 || p.user_id != r->user_id))
        rc = TCA_ENOTFOUND; /* someone else's job looks exactly like a missing one */
    if (rc)
        web_fail(r, rc, "no such job");
    else
        web_reply_json(r, 200, job_json(&j, &p));
    store_job_clear(&j);
}
