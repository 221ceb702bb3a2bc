/*
 * Thin dispatch of every store.h operation to the connection's back end (Redis
 * connection.h style). Only forwarding: no logic, no logging, nothing a back end decides.
 */
#include "store/store_driver.h"

int store_migrate(struct store *st, int *from, int *to, char *err, size_t errlen)
{
    return st->ops->migrate(st, from, to, err, errlen);
}

int store_backup(struct store *st, const char *path, char *err, size_t errlen)
{
    return st->ops->backup(st, path, err, errlen);
}

int store_compact(struct store *st, int64_t *before, int64_t *after, char *err, size_t errlen)
{
    return st->ops->compact(st, before, after, err, errlen);
}

int store_token_reseal(struct store *st, store_reseal_fn fn, void *ctx, size_t *n, char *err,
                       size_t errlen)
{
    return st->ops->token_reseal(st, fn, ctx, n, err, errlen);
}

int store_user_upsert(struct store *st, const struct store_user *u, char *err, size_t errlen)
{
    return st->ops->user_upsert(st, u, err, errlen);
}

int store_user_get(struct store *st, int64_t id, struct store_user *out, char *err, size_t errlen)
{
    return st->ops->user_get(st, id, out, err, errlen);
}

int store_user_latest(struct store *st, struct store_user *out, char *err, size_t errlen)
{
    return st->ops->user_latest(st, out, err, errlen);
}

int store_token_put(struct store *st, const struct store_token *token, char *err, size_t errlen)
{
    return st->ops->token_put(st, token, err, errlen);
}

int store_token_get(struct store *st, int64_t user_id, struct store_token *out, char *err,
                    size_t errlen)
{
    return st->ops->token_get(st, user_id, out, err, errlen);
}

int store_token_validated(struct store *st, int64_t user_id, int64_t at_ms, char *err,
                          size_t errlen)
{
    return st->ops->token_validated(st, user_id, at_ms, err, errlen);
}

int store_token_delete(struct store *st, int64_t user_id, char *err, size_t errlen)
{
    return st->ops->token_delete(st, user_id, err, errlen);
}

int store_token_stale(struct store *st, int64_t validated_before_ms, size_t limit,
                      int64_t **user_ids, size_t *n, char *err, size_t errlen)
{
    return st->ops->token_stale(st, validated_before_ms, limit, user_ids, n, err, errlen);
}

int store_channel_upsert(struct store *st, const struct store_channel *c, char *err, size_t errlen)
{
    return st->ops->channel_upsert(st, c, err, errlen);
}

int store_channel_get(struct store *st, int64_t id, struct store_channel *out, char *err,
                      size_t errlen)
{
    return st->ops->channel_get(st, id, out, err, errlen);
}

int store_channel_by_login(struct store *st, const char *login, struct store_channel *out,
                           char *err, size_t errlen)
{
    return st->ops->channel_by_login(st, login, out, err, errlen);
}

int store_session_active(struct store *st, int64_t user_id, int64_t now_ms, int64_t *session_id,
                         char *err, size_t errlen)
{
    return st->ops->session_active(st, user_id, now_ms, session_id, err, errlen);
}

int store_session_get(struct store *st, int64_t id, struct store_session *out, char *err,
                      size_t errlen)
{
    return st->ops->session_get(st, id, out, err, errlen);
}

int store_session_list(struct store *st, int64_t user_id, struct store_session **out, size_t *n,
                       char *err, size_t errlen)
{
    return st->ops->session_list(st, user_id, out, n, err, errlen);
}

int store_schedule_set(struct store *st, const struct store_schedule *s, char *err, size_t errlen)
{
    return st->ops->schedule_set(st, s, err, errlen);
}

int store_schedule_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                        size_t errlen)
{
    return st->ops->schedule_stop(st, session_id, channel_id, err, errlen);
}

int store_schedule_due(struct store *st, int64_t now_ms, struct store_schedule **out, size_t *n,
                       char *err, size_t errlen)
{
    return st->ops->schedule_due(st, now_ms, out, n, err, errlen);
}

int store_schedule_advance(struct store *st, int64_t session_id, int64_t channel_id,
                           int64_t next_at_ms, char *err, size_t errlen)
{
    return st->ops->schedule_advance(st, session_id, channel_id, next_at_ms, err, errlen);
}

int store_job_enqueue(struct store *st, const char *kind, const char *dedupe_key,
                      const char *payload, int64_t run_at_ms, int64_t *job_id, char *err,
                      size_t errlen)
{
    return st->ops->job_enqueue(st, kind, dedupe_key, payload, run_at_ms, job_id, err, errlen);
}

int store_job_claim(struct store *st, int64_t now_ms, int64_t lease_ms, struct store_job *out,
                    char *err, size_t errlen)
{
    return st->ops->job_claim(st, now_ms, lease_ms, out, err, errlen);
}

int store_job_extend(struct store *st, int64_t job_id, int64_t lease_until_ms, char *err,
                     size_t errlen)
{
    return st->ops->job_extend(st, job_id, lease_until_ms, err, errlen);
}

int store_job_done(struct store *st, int64_t job_id, char *err, size_t errlen)
{
    return st->ops->job_done(st, job_id, err, errlen);
}

int store_job_retry(struct store *st, int64_t job_id, const char *error, int64_t run_at_ms,
                    char *err, size_t errlen)
{
    return st->ops->job_retry(st, job_id, error, run_at_ms, err, errlen);
}

int store_job_fail(struct store *st, int64_t job_id, const char *error, char *err, size_t errlen)
{
    return st->ops->job_fail(st, job_id, error, err, errlen);
}

int store_job_get(struct store *st, int64_t job_id, struct store_job *out, char *err, size_t errlen)
{
    return st->ops->job_get(st, job_id, out, err, errlen);
}

int store_job_counts(struct store *st, int64_t counts[4], char *err, size_t errlen)
{
    return st->ops->job_counts(st, counts, err, errlen);
}

int store_presence_open(struct store *st, int64_t session_id, int64_t channel_id,
                        int64_t **user_ids, size_t *n, int64_t *last_seq, char *err, size_t errlen)
{
    return st->ops->presence_open(st, session_id, channel_id, user_ids, n, last_seq, err, errlen);
}

int store_presence_open_named(struct store *st, int64_t session_id, int64_t channel_id,
                              int64_t **user_ids, int64_t **name_hashes, size_t *n,
                              int64_t *last_seq, char *err, size_t errlen)
{
    return st->ops->presence_open_named(st, session_id, channel_id, user_ids, name_hashes, n,
                                        last_seq, err, errlen);
}

int store_capture_totals(struct store *st, int64_t *captures, int64_t *renames, char *err,
                         size_t errlen)
{
    return st->ops->capture_totals(st, captures, renames, err, errlen);
}

int store_channel_kept_visits(struct store *st, int64_t channel_id, int64_t owner_id,
                              struct store_kept_visit **out, size_t *n, char *err, size_t errlen)
{
    return st->ops->channel_kept_visits(st, channel_id, owner_id, out, n, err, errlen);
}

int store_capture_commit(struct store *st, const struct store_capture_input *in,
                         struct store_capture_result *out, char *err, size_t errlen)
{
    return st->ops->capture_commit(st, in, out, err, errlen);
}

int store_capture_list(struct store *st, int64_t session_id, int64_t channel_id,
                       struct store_capture **out, size_t *n, char *err, size_t errlen)
{
    return st->ops->capture_list(st, session_id, channel_id, out, n, err, errlen);
}

int store_stays_each(struct store *st, int64_t session_id, int64_t channel_id, store_stay_fn fn,
                     void *ctx, char *err, size_t errlen)
{
    return st->ops->stays_each(st, session_id, channel_id, fn, ctx, err, errlen);
}

int store_profile_stale(struct store *st, int64_t session_id, int64_t stale_before_ms, size_t limit,
                        int64_t **ids, size_t *n, char *err, size_t errlen)
{
    return st->ops->profile_stale(st, session_id, stale_before_ms, limit, ids, n, err, errlen);
}

int store_profile_put(struct store *st, const struct store_profile *p, size_t n, int *renames,
                      char *err, size_t errlen)
{
    return st->ops->profile_put(st, p, n, renames, err, errlen);
}

int store_profile_get(struct store *st, int64_t id, struct store_profile *out, char *err,
                      size_t errlen)
{
    return st->ops->profile_get(st, id, out, err, errlen);
}

int store_name_history(struct store *st, int64_t user_id, struct store_name **out, size_t *n,
                       char *err, size_t errlen)
{
    return st->ops->name_history(st, user_id, out, n, err, errlen);
}

int store_export_session(struct store *st, int64_t session_id, int64_t *total, store_export_fn fn,
                         void *ctx, char *err, size_t errlen)
{
    return st->ops->export_session(st, session_id, total, fn, ctx, err, errlen);
}

void store_scan_hint(struct store *st, int scanning)
{
    if (st->ops->scan_hint)
        st->ops->scan_hint(st, scanning);
}

int store_login_create(struct store *st, const struct store_login *l, char *err, size_t errlen)
{
    return st->ops->login_create(st, l, err, errlen);
}

int store_login_get(struct store *st, const char *id_hash, struct store_login *out, char *err,
                    size_t errlen)
{
    return st->ops->login_get(st, id_hash, out, err, errlen);
}

int store_login_touch(struct store *st, const char *id_hash, int64_t now_ms, char *err,
                      size_t errlen)
{
    return st->ops->login_touch(st, id_hash, now_ms, err, errlen);
}

int store_login_delete(struct store *st, const char *id_hash, char *err, size_t errlen)
{
    return st->ops->login_delete(st, id_hash, err, errlen);
}

int store_login_delete_user(struct store *st, int64_t user_id, char *err, size_t errlen)
{
    return st->ops->login_delete_user(st, user_id, err, errlen);
}

int store_login_sweep(struct store *st, int64_t idle_before_ms, int64_t now_ms, int *removed,
                      char *err, size_t errlen)
{
    return st->ops->login_sweep(st, idle_before_ms, now_ms, removed, err, errlen);
}

int store_oauth_state_put(struct store *st, const char *state_hash, int64_t expires_at_ms,
                          char *err, size_t errlen)
{
    return st->ops->oauth_state_put(st, state_hash, expires_at_ms, err, errlen);
}

int store_oauth_state_take(struct store *st, const char *state_hash, int64_t now_ms, char *err,
                           size_t errlen)
{
    return st->ops->oauth_state_take(st, state_hash, now_ms, err, errlen);
}

int store_api_key_create(struct store *st, const struct store_api_key *k, int64_t *id, char *err,
                         size_t errlen)
{
    return st->ops->api_key_create(st, k, id, err, errlen);
}

int store_api_key_by_hash(struct store *st, const char *key_hash, struct store_api_key *out,
                          char *err, size_t errlen)
{
    return st->ops->api_key_by_hash(st, key_hash, out, err, errlen);
}

int store_api_key_list(struct store *st, int64_t user_id, struct store_api_key **out, size_t *n,
                       char *err, size_t errlen)
{
    return st->ops->api_key_list(st, user_id, out, n, err, errlen);
}

int store_api_key_revoke(struct store *st, int64_t user_id, int64_t id, int64_t now_ms, char *err,
                         size_t errlen)
{
    return st->ops->api_key_revoke(st, user_id, id, now_ms, err, errlen);
}

int store_user_channels_set(struct store *st, int64_t user_id, const struct store_user_channel *c,
                            size_t n, int64_t now_ms, char *err, size_t errlen)
{
    return st->ops->user_channels_set(st, user_id, c, n, now_ms, err, errlen);
}

int store_user_channels(struct store *st, int64_t user_id, struct store_user_channel **out,
                        size_t *n, char *err, size_t errlen)
{
    return st->ops->user_channels(st, user_id, out, n, err, errlen);
}

int store_user_channel_allowed(struct store *st, int64_t user_id, int64_t channel_id, char *err,
                               size_t errlen)
{
    return st->ops->user_channel_allowed(st, user_id, channel_id, err, errlen);
}

int store_session_save(struct store *st, int64_t session_id, const char *label, int max_saved,
                       int64_t now_ms, char *err, size_t errlen)
{
    return st->ops->session_save(st, session_id, label, max_saved, now_ms, err, errlen);
}

int store_session_label(struct store *st, int64_t session_id, const char *label, int64_t now_ms,
                        char *err, size_t errlen)
{
    return st->ops->session_label(st, session_id, label, now_ms, err, errlen);
}

int store_session_deactivate(struct store *st, int64_t user_id, int64_t now_ms, char *err,
                             size_t errlen)
{
    return st->ops->session_deactivate(st, user_id, now_ms, err, errlen);
}

int store_session_purge(struct store *st, int64_t session_id, int64_t now_ms, char *err,
                        size_t errlen)
{
    return st->ops->session_purge(st, session_id, now_ms, err, errlen);
}

int store_session_delete(struct store *st, int64_t session_id, char *err, size_t errlen)
{
    return st->ops->session_delete(st, session_id, err, errlen);
}

int store_session_sweep(struct store *st, int64_t before_ms, int *removed, char *err, size_t errlen)
{
    return st->ops->session_sweep(st, before_ms, removed, err, errlen);
}

int store_session_schedules(struct store *st, int64_t session_id, struct store_schedule **out,
                            size_t *n, char *err, size_t errlen)
{
    return st->ops->session_schedules(st, session_id, out, n, err, errlen);
}

int store_session_jobs(struct store *st, int64_t session_id, size_t limit, struct store_job **out,
                       size_t *n, char *err, size_t errlen)
{
    return st->ops->session_jobs(st, session_id, limit, out, n, err, errlen);
}

int store_job_oldest_due(struct store *st, int64_t now_ms, int64_t *age_ms, char *err,
                         size_t errlen)
{
    return st->ops->job_oldest_due(st, now_ms, age_ms, err, errlen);
}

int store_live_watch_set(struct store *st, const struct store_live_watch *w, char *err,
                         size_t errlen)
{
    return st->ops->live_watch_set(st, w, err, errlen);
}

int store_live_watch_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                          size_t errlen)
{
    return st->ops->live_watch_stop(st, session_id, channel_id, err, errlen);
}

int store_live_watch_list(struct store *st, struct store_live_watch **out, size_t *n, char *err,
                          size_t errlen)
{
    return st->ops->live_watch_list(st, out, n, err, errlen);
}

int store_session_channels(struct store *st, int64_t session_id, struct store_session_channel **out,
                           size_t *n, char *err, size_t errlen)
{
    return st->ops->session_channels(st, session_id, out, n, err, errlen);
}

int store_channel_sessions(struct store *st, int64_t channel_id, int64_t owner_id,
                           struct store_channel_session **out, size_t *n, char *err, size_t errlen)
{
    return st->ops->channel_sessions(st, channel_id, owner_id, out, n, err, errlen);
}

int store_channel_visits(struct store *st, int64_t session_id, int64_t channel_id,
                         struct store_visit **out, size_t *n, char *err, size_t errlen)
{
    return st->ops->channel_visits(st, session_id, channel_id, out, n, err, errlen);
}

int store_session_profiles(struct store *st, int64_t session_id, int64_t channel_id,
                           struct store_chatter_profile **out, size_t *n, char *err, size_t errlen)
{
    return st->ops->session_profiles(st, session_id, channel_id, out, n, err, errlen);
}

int store_session_profiles_each(struct store *st, int64_t session_id, int64_t channel_id,
                                store_profile_fn fn, void *ctx, char *err, size_t errlen)
{
    return st->ops->session_profiles_each(st, session_id, channel_id, fn, ctx, err, errlen);
}

int store_profiles_each(struct store *st, const int64_t *ids, size_t n, unsigned fields,
                        store_profile_fn fn, void *ctx, char *err, size_t errlen)
{
    return st->ops->profiles_each(st, ids, n, fields, fn, ctx, err, errlen);
}

int store_profiles_pull(struct store *st, store_ids_fn next, void *next_ctx, unsigned fields,
                        store_profile_fn fn, void *ctx, char *err, size_t errlen)
{
    return st->ops->profiles_pull(st, next, next_ctx, fields, fn, ctx, err, errlen);
}

int store_session_names(struct store *st, int64_t session_id, struct store_name_row **out,
                        size_t *n, char *err, size_t errlen)
{
    return st->ops->session_names(st, session_id, out, n, err, errlen);
}

int store_capture_chatters(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                           int64_t *total, store_capture_chatter_fn fn, void *ctx, char *err,
                           size_t errlen)
{
    return st->ops->capture_chatters(st, session_id, channel_id, seq, total, fn, ctx, err, errlen);
}

int store_chatter_sessions(struct store *st, int64_t owner_id, int64_t user_id,
                           struct store_chatter_session **out, size_t *n, char *err, size_t errlen)
{
    return st->ops->chatter_sessions(st, owner_id, user_id, out, n, err, errlen);
}

int store_bot_list(struct store *st, int64_t owner_id, struct store_known_bot **out, size_t *n,
                   char *err, size_t errlen)
{
    return st->ops->bot_list(st, owner_id, out, n, err, errlen);
}

int store_bot_add(struct store *st, int64_t owner_id, const struct store_known_bot *bots, size_t n,
                  int64_t now_ms, size_t *added, char *err, size_t errlen)
{
    return st->ops->bot_add(st, owner_id, bots, n, now_ms, added, err, errlen);
}

int store_bot_remove(struct store *st, int64_t owner_id, const char *login, char *err,
                     size_t errlen)
{
    return st->ops->bot_remove(st, owner_id, login, err, errlen);
}
