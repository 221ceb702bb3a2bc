/*
 * The capture job. Twitch is called before any write, and the write is one transaction that
 * also completes the job: a worker killed at any point leaves either nothing or the whole
 * capture, and a retried job whose capture was already committed finds its job done.
 */
#include "jobs/capture.h"
#include "analysis/presence.h"
#include "base/err.h"
#include "twitch/user_token.h"

#include <stdlib.h>
#include <string.h>

int capture_run(struct worker_env *env, int64_t session_id, int64_t channel_id, int64_t user_id,
                int64_t job_id, struct store_capture_result *out, int *pages, int64_t *duration_ms,
                char *err, size_t errlen)
{
    struct twitch_token tok = {0};
    struct chatter_set now = {0};
    struct an_presence_diff diff = {0};
    int64_t *open = NULL, *open_hashes = NULL, *renamed = NULL;
    size_t n_open = 0, n_renamed = 0;
    int64_t last_seq = 0;
    int64_t started = clock_mono_ms();
    int64_t taken_at = env->clock.now_ms(env->clock.ctx);

    int rc = user_token_load(env->st, env->keys, env->tw, user_id, taken_at, &tok, err, errlen);
    if (rc)
        goto out;
    rc = twitch_get_chatters(env->tw, &tok, channel_id, user_id, &now, pages, err, errlen);
    int saved = user_token_persist_refresh(env->st, env->keys, &tok, taken_at, NULL, 0);
    if (rc)
        goto out;
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
out:
    an_presence_diff_free(&diff);
    free(open);
    free(open_hashes);
    free(renamed);
    chatter_set_free(&now);
    twitch_token_clear(&tok);
    return rc;
}
