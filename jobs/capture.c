/*
 * The capture job. Twitch is called before any write, and the write is one transaction that
 * also completes the job: a worker killed at any point leaves either nothing or the whole
 * capture, and a retried job whose capture was already committed finds its job done.
 */
#include "jobs/capture.h"
#include "analysis/presence.h"
#include "base/err.h"
#include "base/tca_metrics.h"
#include "jobs/alert.h"
#include "jobs/followers.h"
#include "jobs/roles.h"
#include "twitch/user_token.h"

#include <stdlib.h>
#include <string.h>

/* The reason label of a failed attempt: in_store says Twitch had answered in full already. */
static size_t failure_reason(int rc, int in_store, long last_status)
{
    if (in_store || rc == TCA_EDB)
        return TM_REASON_STORE_ERROR;
    switch (rc) {
    case TCA_EFORBIDDEN: /* Twitch's 403 on Get Chatters: no longer a moderator there */
        return TM_REASON_LOST_MODERATOR_ROLE;
    case TCA_EAUTH:
    case TCA_EINVAL:
    case TCA_ENOTFOUND:
        return TM_REASON_TWITCH_4XX;
    case TCA_ERATELIMIT:
        return TM_REASON_RATE_LIMITED_WAIT;
    case TCA_EPROTO:
        return TM_REASON_MALFORMED_PAGE;
    case TCA_ETEMP:
        return last_status >= 500 ? TM_REASON_TWITCH_5XX : TM_REASON_TIMEOUT;
    default:
        return TM_REASON_OTHER;
    }
}

/* The chatters gauge is kept for scheduled channels only, so its label set stays bounded. */
static void count_chatters(struct worker_env *env, int64_t session_id, int64_t channel_id,
                           int64_t chatters, int64_t now_ms)
{
    struct store_schedule *s = NULL;
    size_t n = 0;
    int scheduled = 0;
    if (store_session_schedules(env->st, session_id, &s, &n, NULL, 0) == 0)
        for (size_t i = 0; i < n; i++)
            scheduled |= s[i].channel_id == channel_id && s[i].enabled && s[i].interval_s > 0;
    free(s);
    struct store_channel c = {0};
    if (!scheduled || store_channel_get(env->st, channel_id, &c, NULL, 0) != 0)
        return;
    int slot = metrics_slot(env->metrics, &tm_dim_channel, channel_id, c.login, now_ms);
    if (slot >= 0)
        metrics_set(env->metrics, TM_CAPTURE_CHATTERS, (size_t)slot, 0, chatters);
}

static void count_capture(struct worker_env *env, int64_t session_id, int64_t channel_id, int rc,
                          int in_store, const struct store_capture_result *out, int pages,
                          int64_t duration_ms)
{
    if (!env->metrics || rc == TCA_ECONFLICT) /* another run stored it: not a failure */
        return;
    if (rc) {
        size_t reason = failure_reason(rc, in_store, twitch_client_last_status(env->tw));
        metrics_add(env->metrics, TM_CAPTURES_FAILED, reason, 0, 1);
        return;
    }
    metrics_add(env->metrics, TM_CAPTURES_COMPLETED, 0, 0, 1);
    metrics_observe(env->metrics, TM_CAPTURE_DURATION, 0, 0, duration_ms);
    metrics_observe(env->metrics, TM_CAPTURE_PAGES, 0, 0, pages);
    metrics_add(env->metrics, TM_CHATTERS_NEW, 0, 0, out->new_to_channel);
    metrics_add(env->metrics, TM_CHATTERS_RENAMED, 0, 0, out->renames);
    count_chatters(env, session_id, channel_id, out->chatter_count,
                   env->clock.now_ms(env->clock.ctx));
}

int capture_run(struct worker_env *env, int64_t session_id, int64_t channel_id, int64_t user_id,
                int64_t job_id, struct store_capture_result *out, int *pages, int64_t *duration_ms,
                char *err, size_t errlen)
{
    struct twitch_token tok = {0};
    struct chatter_set now = {0};
    struct an_presence_diff diff = {0};
    struct followers_read followers = {0};
    int64_t *open = NULL, *open_hashes = NULL, *renamed = NULL;
    size_t n_open = 0, n_renamed = 0;
    int64_t last_seq = 0;
    int64_t started = clock_mono_ms();
    int64_t taken_at = env->clock.now_ms(env->clock.ctx);
    int in_store = 0;

    int rc = user_token_load(env->st, env->keys, env->tw, user_id, taken_at, &tok, err, errlen);
    if (rc)
        goto out;
    rc = twitch_get_chatters(env->tw, &tok, channel_id, user_id, &now, pages, err, errlen);
    if (!rc) { /* best effort, before the tokens are saved: it may have refreshed them */
        char ignored[160];
        roles_refresh(env, &tok, channel_id, user_id, taken_at, ignored, sizeof ignored);
        /* read now, stored with the capture's seq once it is committed */
        followers_fetch(env, &tok, channel_id, taken_at, &followers, ignored, sizeof ignored);
    }
    int saved = user_token_persist_refresh(env->st, env->keys, &tok, taken_at, NULL, 0);
    if (rc)
        goto out;
    in_store = 1;
    if (saved) {
        rc = tca_fail(err, errlen, saved, "could not store refreshed tokens");
        goto out;
    }
    rc = store_presence_open_named(env->st, session_id, channel_id, &open, &open_hashes, &n_open,
                                   &last_seq, err, errlen);
    if (rc)
        goto out;
    an_presence_diff(open, n_open, now.items, now.n, &diff);
    chatter_renamed(open, open_hashes, n_open, now.items, now.n, &renamed, &n_renamed);
    *duration_ms = clock_mono_ms() - started;
    struct store_capture_input in = {
        .session_id = session_id,
        .channel_id = channel_id,
        .seq = last_seq + 1,
        .taken_at_ms = taken_at,
        .pages = *pages,
        .duration_ms = *duration_ms,
        .chatters = now.items,
        .n_chatters = now.n,
        .joined = diff.joined,
        .n_joined = diff.n_joined,
        .left = diff.left,
        .n_left = diff.n_left,
        .renamed = renamed,
        .n_renamed = n_renamed,
        .job_id = job_id,
    };
    rc = store_capture_commit(env->st, &in, out, err, errlen);
    if (!rc) {
        /* best effort: a watchlist alert that cannot be queued never fails the capture */
        char ignored[160];
        alert_on_capture(env->st, user_id, channel_id, &now, diff.joined, diff.n_joined, taken_at,
                         NULL, ignored, sizeof ignored);
        alert_on_raid(env->st, user_id, session_id, channel_id, out->seq, taken_at, NULL, ignored,
                      sizeof ignored);
        followers_store(env, session_id, channel_id, out->seq, &followers, NULL, ignored,
                        sizeof ignored);
    }
out:
    count_capture(env, session_id, channel_id, rc, in_store, out, *pages,
                  clock_mono_ms() - started);
    an_presence_diff_free(&diff);
    followers_read_free(&followers);
    free(open);
    free(open_hashes);
    free(renamed);
    chatter_set_free(&now);
    twitch_token_clear(&tok);
    return rc;
}
