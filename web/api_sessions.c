/*
 * Analysis sessions over HTTP: list, start a new active one, the summary of one (channels,
 * schedules, last captures, the state of each channel's last capture job), save with a
 * label under the per-user limit, relabel, purge, delete, and the capture list. Every
 * handler checks ownership first (web_own_session) and never reveals others' sessions.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "jobs/job_payload.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SUMMARY_CACHE_MS 1000 /* a dashboard polling every second costs one build */
#define LABEL_MAX 100

static json_t *time_json(int64_t ms)
{
    char t[32];
    if (ms <= 0)
        return json_null();
    clock_format_rfc3339(ms, t, sizeof t);
    return json_string(t);
}

static json_t *session_json(struct web *w, const struct store_session *s)
{
    json_t *j = json_pack("{s:I, s:b, s:b, s:s, s:o, s:o, s:I}", "id", (json_int_t)s->id, "active",
                          s->active, "saved", s->saved, "label", s->label, "created_at",
                          time_json(s->created_at_ms), "updated_at", time_json(s->updated_at_ms),
                          "captures", (json_int_t)s->captures);
    json_object_set_new(j, "expires_at",
                        s->saved ? json_null() : time_json(s->updated_at_ms + w->o.session_ttl_ms));
    return j;
}

static void summary_forget(struct web *w, int64_t session_id)
{
    char key[32];
    snprintf(key, sizeof key, "s:%lld", (long long)session_id);
    web_cache_drop(w->summary_cache, key);
}

void web_summary_forget(struct web *w, int64_t session_id)
{
    summary_forget(w, session_id);
}

void web_api_sessions(struct web_req *r)
{
    char err[256];
    struct store_session *s = NULL;
    size_t n = 0;
    if (!web_store(r))
        return;
    int rc = store_session_list(r->st, r->user_id, &s, &n, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    json_t *a = json_array();
    int saved = 0;
    for (size_t i = 0; i < n; i++) {
        json_array_append_new(a, session_json(r->w, &s[i]));
        saved += s[i].saved;
    }
    free(s);
    web_reply_json(r, 200,
                   json_pack("{s:o, s:i, s:i}", "sessions", a, "saved", saved, "max_saved",
                             r->w->o.max_saved_sessions));
}

/* The user's active session, or 0 when there is none (none is created). */
static int active_id(struct web_req *r, int64_t *id, char *err, size_t errlen)
{
    struct store_session *s = NULL;
    size_t n = 0;
    *id = 0;
    int rc = store_session_list(r->st, r->user_id, &s, &n, err, errlen);
    for (size_t i = 0; !rc && i < n; i++)
        if (s[i].active)
            *id = s[i].id;
    free(s);
    return rc;
}

/* Puts the periodic captures of session from into session to, same interval and times. */
static int carry_schedules(struct web_req *r, int64_t from, int64_t to, int *carried, char *err,
                           size_t errlen)
{
    struct store_schedule *sch = NULL;
    size_t n = 0;
    *carried = 0;
    int rc = store_session_schedules(r->st, from, &sch, &n, err, errlen);
    for (size_t i = 0; !rc && i < n; i++) {
        if (!sch[i].enabled || sch[i].interval_s <= 0)
            continue;
        sch[i].session_id = to;
        rc = store_schedule_set(r->st, &sch[i], err, errlen);
        *carried += !rc;
    }
    free(sch);
    return rc;
}

/*
 * Ends the active session and starts a new one. {"carry_schedules": true} moves the old
 * session's periodic captures into the new one (the dashboard asks, default yes); without
 * it they stop with the old session.
 */
void web_api_session_new(struct web_req *r)
{
    char err[256];
    json_t *body;
    int64_t id, old = 0;
    int carry = 0, carried = 0;
    struct store_session s;
    json_error_t je;
    if (!web_store(r) || web_body_json(r, &body) < 0)
        return;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s?:b}", "carry_schedules", &carry) != 0) {
        json_decref(body);
        web_error(r, 400, "invalid_body", "%s", je.text);
        return;
    }
    json_decref(body);
    int rc = carry ? active_id(r, &old, err, sizeof err) : 0;
    if (!rc)
        rc = store_session_deactivate(r->st, r->user_id, web_now_ms(r), err, sizeof err);
    if (!rc)
        rc = store_session_active(r->st, r->user_id, web_now_ms(r), &id, err, sizeof err);
    if (!rc && old)
        rc = carry_schedules(r, old, id, &carried, err, sizeof err);
    if (!rc)
        rc = store_session_get(r->st, id, &s, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    json_t *out = session_json(r->w, &s);
    json_object_set_new(out, "carried_schedules", json_integer(carried));
    web_reply_json(r, 201, out);
}

/* The last capture job of each channel, so a client can show progress and failures. */
static json_t *last_job(struct store_job *jobs, size_t n, int64_t channel_id)
{
    static const char *const states[] = {"queued", "running", "done", "failed"};
    for (size_t i = 0; i < n; i++) {
        struct job_payload p;
        char err[128];
        if (strcmp(jobs[i].kind, "capture") != 0 || !jobs[i].payload ||
            job_payload_decode(jobs[i].payload, &p, err, sizeof err) || p.channel_id != channel_id)
            continue;
        json_t *j = json_pack("{s:I, s:s, s:i}", "id", (json_int_t)jobs[i].id, "state",
                              states[jobs[i].state & 3], "attempts", jobs[i].attempts);
        if (jobs[i].last_error && jobs[i].state != JOB_DONE)
            json_object_set_new(j, "error", json_string(jobs[i].last_error));
        return j;
    }
    return json_null();
}

static json_t *build_summary(struct web_req *r, const struct store_session *s, int *rc, char *err,
                             size_t errlen)
{
    struct store_schedule *sch = NULL;
    struct store_capture *cap = NULL;
    struct store_job *jobs = NULL;
    size_t n_sch = 0, n_cap = 0, n_jobs = 0;
    json_t *out = NULL;
    *rc = store_session_schedules(r->st, s->id, &sch, &n_sch, err, errlen);
    if (!*rc)
        *rc = store_capture_list(r->st, s->id, 0, &cap, &n_cap, err, errlen);
    if (!*rc)
        *rc = store_session_jobs(r->st, s->id, 100, &jobs, &n_jobs, err, errlen);
    if (*rc)
        goto out;
    json_t *channels = json_array();
    for (size_t i = 0; i < n_sch; i++) {
        struct store_channel c = {0};
        char ignored[64];
        store_channel_get(r->st, sch[i].channel_id, &c, ignored, sizeof ignored);
        const struct store_capture *last = NULL;
        for (size_t k = 0; k < n_cap; k++)
            if (cap[k].channel_id == sch[i].channel_id)
                last = &cap[k];
        json_t *cj = json_pack(
            "{s:I, s:s, s:i, s:b, s:o, s:o, s:I, s:o}", "id", (json_int_t)sch[i].channel_id,
            "login", c.login, "interval_s", sch[i].interval_s, "periodic",
            sch[i].enabled && sch[i].interval_s > 0, "next_capture_at",
            sch[i].enabled && sch[i].interval_s > 0 ? time_json(sch[i].next_at_ms) : json_null(),
            "stop_at", time_json(sch[i].stop_at_ms), "captures", (json_int_t)(last ? last->seq : 0),
            "last_job", last_job(jobs, n_jobs, sch[i].channel_id));
        if (last)
            json_object_set_new(cj, "last_capture",
                                json_pack("{s:I, s:o, s:I, s:I, s:I, s:I}", "seq",
                                          (json_int_t)last->seq, "taken_at",
                                          time_json(last->taken_at_ms), "chatters",
                                          (json_int_t)last->chatter_count, "joined",
                                          (json_int_t)last->joined, "left", (json_int_t)last->left,
                                          "new_to_channel", (json_int_t)last->new_to_channel));
        json_array_append_new(channels, cj);
    }
    out = session_json(r->w, s);
    json_object_set_new(out, "channels", channels);
out:
    for (size_t i = 0; i < n_jobs; i++)
        store_job_clear(&jobs[i]);
    free(jobs);
    free(sch);
    free(cap);
    return out;
}

/* A cached summary of session id owned by user_id ("OWNER JSON"), as the reply; 0 on a hit. */
static int reply_cached(struct web_req *r, int64_t id)
{
    char key[32];
    snprintf(key, sizeof key, "s:%lld", (long long)id);
    char *hit = web_cache_get(r->w->summary_cache, key, clock_mono_ms());
    if (!hit)
        return -1;
    char *json = strchr(hit, ' ');
    /* someone else's session takes the long way, which answers 404 */
    if (!json || strtoll(hit, NULL, 10) != r->user_id) {
        free(hit);
        return -1;
    }
    json++;
    free(r->resp);
    r->resp_len = strlen(json);
    memmove(hit, json, r->resp_len + 1);
    r->resp = hit;
    r->status = 200;
    r->ctype = "application/json";
    return 0;
}

void web_api_session_get(struct web_req *r)
{
    struct store_session s;
    char err[256], key[32];
    int64_t id;
    /* the hot path of dashboards and bots: no store access at all on a hit */
    if (web_parse_id(r->params[0], &id) == 0 && reply_cached(r, id) == 0)
        return;
    if (web_own_session(r, 0, &s) < 0)
        return;
    if (reply_cached(r, s.id) == 0)
        return;
    int rc;
    json_t *j = build_summary(r, &s, &rc, err, sizeof err);
    if (!j) {
        web_fail(r, rc, err);
        return;
    }
    web_reply_json(r, 200, j);
    if (r->resp) {
        char *v = xasprintf("%lld %s", (long long)s.user_id, r->resp);
        snprintf(key, sizeof key, "s:%lld", (long long)s.id);
        web_cache_put(r->w->summary_cache, key, v, clock_mono_ms() + SUMMARY_CACHE_MS);
        free(v);
    }
}

/* Reads an optional "label" member: a string of at most LABEL_MAX printable characters. */
static int read_label(struct web_req *r, json_t *body, const char **label)
{
    json_error_t je;
    *label = "";
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s?:s}", "label", label) != 0) {
        web_error(r, 400, "invalid_body", "%s", je.text);
        return -1;
    }
    size_t n = strlen(*label);
    if (n > LABEL_MAX) {
        web_error(r, 400, "invalid_body", "label is limited to %d characters", LABEL_MAX);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)(*label)[i] < 0x20 || (*label)[i] == 0x7f) {
            web_error(r, 400, "invalid_body", "label must not contain control characters");
            return -1;
        }
    return 0;
}

static void relabel(struct web_req *r, int save)
{
    struct store_session s;
    json_t *body = NULL;
    const char *label;
    char err[256];
    if (web_own_session(r, 0, &s) < 0 || web_body_json(r, &body) < 0 ||
        read_label(r, body, &label) < 0)
        goto out;
    int rc = save ? store_session_save(r->st, s.id, label, r->w->o.max_saved_sessions,
                                       web_now_ms(r), err, sizeof err)
                  : store_session_label(r->st, s.id, label, web_now_ms(r), err, sizeof err);
    if (!rc)
        rc = store_session_get(r->st, s.id, &s, err, sizeof err);
    summary_forget(r->w, s.id);
    if (rc)
        web_fail(r, rc, err);
    else
        web_reply_json(r, 200, session_json(r->w, &s));
out:
    json_decref(body);
}

void web_api_session_save(struct web_req *r)
{
    relabel(r, 1);
}

void web_api_session_label(struct web_req *r)
{
    relabel(r, 0);
}

void web_api_session_purge(struct web_req *r)
{
    struct store_session s;
    char err[256];
    if (web_own_session(r, 0, &s) < 0)
        return;
    int rc = store_session_purge(r->st, s.id, web_now_ms(r), err, sizeof err);
    if (!rc)
        rc = store_session_get(r->st, s.id, &s, err, sizeof err);
    summary_forget(r->w, s.id);
    if (rc)
        web_fail(r, rc, err);
    else
        web_reply_json(r, 200, session_json(r->w, &s));
}

void web_api_session_delete(struct web_req *r)
{
    struct store_session s;
    char err[256];
    if (web_own_session(r, 0, &s) < 0)
        return;
    int rc = store_session_delete(r->st, s.id, err, sizeof err);
    summary_forget(r->w, s.id);
    if (rc)
        web_fail(r, rc, err);
    else
        web_reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)s.id, "deleted", 1));
}

void web_api_session_captures(struct web_req *r)
{
    struct store_session s;
    struct store_capture *c = NULL;
    size_t n = 0;
    int64_t channel;
    char err[256];
    if (web_own_session(r, 0, &s) < 0 || web_query_int(r, "channel", 0, INT64_MAX, 0, &channel) < 0)
        return;
    int rc = store_capture_list(r->st, s.id, channel, &c, &n, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(
            a, json_pack("{s:I, s:I, s:I, s:o, s:I, s:I, s:I, s:I, s:i, s:I}", "id",
                         (json_int_t)c[i].id, "channel_id", (json_int_t)c[i].channel_id, "seq",
                         (json_int_t)c[i].seq, "taken_at", time_json(c[i].taken_at_ms), "chatters",
                         (json_int_t)c[i].chatter_count, "joined", (json_int_t)c[i].joined, "left",
                         (json_int_t)c[i].left, "new_to_channel", (json_int_t)c[i].new_to_channel,
                         "pages", c[i].pages, "duration_ms", (json_int_t)c[i].duration_ms));
    free(c);
    web_reply_json(r, 200, json_pack("{s:o}", "captures", a));
}
