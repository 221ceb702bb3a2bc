/*
 * Opening a MariaDB store: parse the URL, connect, migrate, and hand out the connection with
 * its table of operations. Must never print or keep the URL: it carries the password.
 */
#include "store/mariadb_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Connector/C initialises itself on the first mysql_init, which is not thread-safe, and
 * workers open their connections from several threads at once: initialise once, first. */
static pthread_once_t library_once = PTHREAD_ONCE_INIT;

static void library_init(void)
{
    mysql_library_init(0, NULL, NULL);
}

static void my_close(struct store *st)
{
    struct mariadb_store *c = my_conn(st);
    my_drop_statements(c);
    free(c->stmts);
    if (c->db)
        mysql_close(c->db);
    explicit_bzero(c->target.pass, sizeof c->target.pass);
    free(c);
}

static const struct store_ops mariadb_ops = {
    .name = "mariadb",
    .close = my_close,
    .table_rows = my_table_rows,
    .table_insert = my_table_insert,
    .migrate = my_migrate,
    .backup = my_backup,
    .compact = my_compact,
    .token_reseal = my_token_reseal,
    .user_upsert = my_user_upsert,
    .user_get = my_user_get,
    .user_latest = my_user_latest,
    .token_put = my_token_put,
    .token_get = my_token_get,
    .token_validated = my_token_validated,
    .token_delete = my_token_delete,
    .token_stale = my_token_stale,
    .channel_upsert = my_channel_upsert,
    .channel_get = my_channel_get,
    .channel_by_login = my_channel_by_login,
    .session_active = my_session_active,
    .session_get = my_session_get,
    .session_list = my_session_list,
    .schedule_set = my_schedule_set,
    .schedule_stop = my_schedule_stop,
    .schedule_due = my_schedule_due,
    .schedule_advance = my_schedule_advance,
    .job_enqueue = my_job_enqueue,
    .job_claim = my_job_claim,
    .job_extend = my_job_extend,
    .job_done = my_job_done,
    .job_retry = my_job_retry,
    .job_fail = my_job_fail,
    .job_get = my_job_get,
    .job_counts = my_job_counts,
    .presence_open = my_presence_open,
    .presence_open_named = my_presence_open_named,
    .capture_totals = my_capture_totals,
    .channel_kept_visits = my_channel_kept_visits,
    .capture_commit = my_capture_commit,
    .capture_list = my_capture_list,
    .stays_each = my_stays_each,
    .profile_stale = my_profile_stale,
    .profile_put = my_profile_put,
    .profile_get = my_profile_get,
    .name_history = my_name_history,
    .export_session = my_export_session,
    .login_create = my_login_create,
    .login_get = my_login_get,
    .login_touch = my_login_touch,
    .login_delete = my_login_delete,
    .login_delete_user = my_login_delete_user,
    .login_sweep = my_login_sweep,
    .oauth_state_put = my_oauth_state_put,
    .oauth_state_take = my_oauth_state_take,
    .api_key_create = my_api_key_create,
    .api_key_by_hash = my_api_key_by_hash,
    .api_key_list = my_api_key_list,
    .api_key_revoke = my_api_key_revoke,
    .user_channels_set = my_user_channels_set,
    .user_channels = my_user_channels,
    .user_channel_allowed = my_user_channel_allowed,
    .session_save = my_session_save,
    .session_label = my_session_label,
    .session_deactivate = my_session_deactivate,
    .session_purge = my_session_purge,
    .session_delete = my_session_delete,
    .session_sweep = my_session_sweep,
    .session_schedules = my_session_schedules,
    .session_jobs = my_session_jobs,
    .job_oldest_due = my_job_oldest_due,
    .live_watch_set = my_live_watch_set,
    .live_watch_stop = my_live_watch_stop,
    .live_watch_list = my_live_watch_list,
    .session_channels = my_session_channels,
    .channel_sessions = my_channel_sessions,
    .channel_visits = my_channel_visits,
    .session_profiles = my_session_profiles,
    .session_profiles_each = my_session_profiles_each,
    .profiles_each = my_profiles_each,
    .profiles_pull = my_profiles_pull,
    .session_names = my_session_names,
    .capture_chatters = my_capture_chatters,
    .chatter_sessions = my_chatter_sessions,
    .bot_list = my_bot_list,
    .bot_add = my_bot_add,
    .bot_remove = my_bot_remove,
    .webhook_create = my_webhook_create,
    .webhook_list = my_webhook_list,
    .webhook_get = my_webhook_get,
    .webhook_delete = my_webhook_delete,
    .webhook_block = my_webhook_block,
    .delivery_create = my_delivery_create,
    .delivery_update = my_delivery_update,
    .delivery_get = my_delivery_get,
    .delivery_list = my_delivery_list,
    .watch_put = my_watch_put,
    .watch_list = my_watch_list,
    .watch_remove = my_watch_remove,
    .chat_set = my_chat_set,
    .chat_note = my_chat_note,
    .chat_get = my_chat_get,
    .chat_targets = my_chat_targets,
    .chat_add = my_chat_add,
    .chat_counts = my_chat_counts,
    .chat_raid_add = my_chat_raid_add,
    .chat_raids = my_chat_raids,
    .roles_replace = my_roles_replace,
    .roles_list = my_roles_list,
    .roles_read_at = my_roles_read_at,
    .followers_add = my_followers_add,
    .followers_latest = my_followers_latest,
    .followers_list = my_followers_list,
    .follower_reads = my_follower_reads,
};

int mariadb_store_open(const char *url, struct store **out, char *err, size_t errlen)
{
    *out = NULL;
    pthread_once(&library_once, library_init);
    struct mariadb_store *c = xcalloc(1, sizeof *c);
    c->api.ops = &mariadb_ops;
    int rc = my_parse_url(url, &c->target, err, errlen);
    if (!rc)
        rc = my_connect(c, err, errlen);
    int from, to;
    if (!rc)
        rc = my_migrate(&c->api, &from, &to, err, errlen);
    if (rc) {
        my_close(&c->api);
        return rc;
    }
    *out = &c->api;
    return 0;
}
