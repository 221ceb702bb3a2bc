/*
 * The SQLite store's connection: opening with the pragmas every connection needs, the cache
 * of prepared statements, transactions and error mapping. One connection per thread; it must
 * never be shared between threads at once (it is opened without SQLite's own mutex).
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Pragmas for every connection. WAL lets readers run beside the one writer; NORMAL
 * synchronous is durable across process crashes and only risks the last transactions on
 * power loss, which a capture every N seconds can afford.
 * Measured with bench/bench_ingest (100,000 chatters, 5% churn, median of 5 runs):
 * - page_size 16 KiB (only takes effect on a new file, hence first): a churn capture of a
 *   big channel dirties pages all over B-trees keyed by random Twitch ids, and each dirty
 *   page costs a WAL write; 16 KiB pages took the capture from ~107 ms (4 KiB) to ~80 ms.
 *   32 KiB was no better and makes every small transaction write more.
 * - wal_autocheckpoint 2,500 pages (40 MB of WAL): fewer, larger checkpoints than the
 *   default; checkpoints run inside the commit that crosses the mark, so this also bounds
 *   the slowest capture (max ~95 ms against ~125 ms at 1,000 or 10,000 pages).
 * - cache_size 32 MB: the open stays and chatter history of a 100,000-chatter channel stay
 *   in memory (the page cache only grows as far as it is used). */
static const char *const pragmas[] = {
    "PRAGMA page_size = 16384",    "PRAGMA busy_timeout = 5000",       "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = NORMAL", "PRAGMA foreign_keys = ON",         "PRAGMA temp_store = MEMORY",
    "PRAGMA cache_size = -32768",  "PRAGMA wal_autocheckpoint = 2500",
};

int sq_fail(struct store *st, int rc, char *err, size_t errlen, const char *what)
{
    int code = TCA_EDB;
    /* A missing parent (session, channel, user) is the caller naming something absent. */
    if (rc == SQLITE_CONSTRAINT_FOREIGNKEY)
        return tca_fail(err, errlen, TCA_ENOTFOUND, "%s: no such parent row", what);
    switch (rc & 0xff) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = TCA_ETEMP;
        break;
    case SQLITE_CONSTRAINT:
        code = TCA_ECONFLICT;
        break;
    default:
        break;
    }
    const char *msg = st && sq_conn(st)->db ? sqlite3_errmsg(sq_conn(st)->db) : sqlite3_errstr(rc);
    return tca_fail(err, errlen, code, "%s: %s", what, msg);
}

int sq_cached(struct store *st, const char *sql, sqlite3_stmt **out)
{
    struct sqlite_store *sq = sq_conn(st);
    *out = NULL;
    /* By the caller's address first (nearly every call site passes a literal): one full
     * compare confirms it, where a walk by text compares the shared "SELECT ..." prefixes of
     * every statement before it. The text still decides: a built string's address can come
     * back holding other SQL. */
    for (size_t i = 0; !*out && i < sq->n_stmts; i++)
        if (sq->stmts[i].seen == sql && !strcmp(sq->stmts[i].sql, sql))
            *out = sq->stmts[i].stmt;
    for (size_t i = 0; !*out && i < sq->n_stmts; i++)
        if (!strcmp(sq->stmts[i].sql, sql)) {
            *out = sq->stmts[i].stmt;
            sq->stmts[i].seen = sql;
        }
    if (*out) {
        sqlite3_reset(*out);
        sqlite3_clear_bindings(*out);
        return SQLITE_OK;
    }
    sqlite3_stmt *s;
    int rc = sqlite3_prepare_v3(sq->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
    if (rc != SQLITE_OK)
        return rc;
    sq->stmts = xgrow(sq->stmts, &sq->cap_stmts, sq->n_stmts, sizeof *sq->stmts, 64);
    sq->stmts[sq->n_stmts++] = (struct sq_cached){.sql = xstrdup(sql), .seen = sql, .stmt = s};
    *out = s;
    return SQLITE_OK;
}

int sq_stmt(struct store *st, const char *sql, sqlite3_stmt **out, char *err, size_t errlen)
{
    int rc = sq_cached(st, sql, out);
    return rc == SQLITE_OK ? 0 : sq_fail(st, rc, err, errlen, "prepare");
}

int sq_run(struct store *st, sqlite3_stmt *s, char *err, size_t errlen, const char *what)
{
    int rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE && rc != SQLITE_ROW)
        return sq_fail(st, rc, err, errlen, what);
    return 0;
}

static int run_fixed(struct store *st, const char *sql, char *err, size_t errlen)
{
    sqlite3_stmt *s = NULL;
    int rc = sq_stmt(st, sql, &s, err, errlen);
    if (rc)
        return rc;
    return sq_run(st, s, err, errlen, sql);
}

int sq_begin(struct store *st, char *err, size_t errlen)
{
    return run_fixed(st, "BEGIN IMMEDIATE", err, errlen);
}

int sq_begin_read(struct store *st, char *err, size_t errlen)
{
    return run_fixed(st, "BEGIN", err, errlen);
}

int sq_commit(struct store *st, char *err, size_t errlen)
{
    return run_fixed(st, "COMMIT", err, errlen);
}

void sq_rollback(struct store *st)
{
    if (!sqlite3_get_autocommit(sq_conn(st)->db))
        run_fixed(st, "ROLLBACK", NULL, 0);
}

void sq_copy_text(char *dst, size_t n, sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    size_t len = t ? (size_t)sqlite3_column_bytes(s, col) : 0;
    if (len >= n)
        len = n - 1;
    if (len)
        memcpy(dst, t, len);
    dst[len] = '\0';
}

char *sq_dup_text(sqlite3_stmt *s, int col)
{
    const unsigned char *t = sqlite3_column_text(s, col);
    return t ? xstrndup((const char *)t, (size_t)sqlite3_column_bytes(s, col)) : NULL;
}

/* Switching a fresh file to WAL needs an exclusive lock and SQLite answers SQLITE_BUSY at
 * once, without the busy handler, when several processes open the new store together: retry
 * for as long as busy_timeout would have waited. */
static int run_pragma(sqlite3 *db, const char *sql)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    for (int waited = 0; (rc & 0xff) == SQLITE_BUSY && waited < 5000; waited += 10) {
        sqlite3_sleep(10);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    return rc;
}

static void sq_close(struct store *st)
{
    struct sqlite_store *sq = sq_conn(st);
    for (size_t i = 0; i < sq->n_stmts; i++) {
        sqlite3_finalize(sq->stmts[i].stmt);
        free(sq->stmts[i].sql);
    }
    free(sq->stmts);
    sqlite3_close(sq->db);
    free(sq);
}

static const struct store_ops sqlite_ops = {
    .name = "sqlite",
    .close = sq_close,
    .table_rows = sq_table_rows,
    .table_insert = sq_table_insert,
    .migrate = sq_migrate,
    .backup = sq_backup,
    .compact = sq_compact,
    .token_reseal = sq_token_reseal,
    .user_upsert = sq_user_upsert,
    .user_get = sq_user_get,
    .user_latest = sq_user_latest,
    .token_put = sq_token_put,
    .token_get = sq_token_get,
    .token_validated = sq_token_validated,
    .token_delete = sq_token_delete,
    .token_stale = sq_token_stale,
    .channel_upsert = sq_channel_upsert,
    .channel_get = sq_channel_get,
    .channel_by_login = sq_channel_by_login,
    .session_active = sq_session_active,
    .session_get = sq_session_get,
    .session_list = sq_session_list,
    .schedule_set = sq_schedule_set,
    .schedule_stop = sq_schedule_stop,
    .schedule_due = sq_schedule_due,
    .schedule_advance = sq_schedule_advance,
    .job_enqueue = sq_job_enqueue,
    .job_claim = sq_job_claim,
    .job_extend = sq_job_extend,
    .job_done = sq_job_done,
    .job_retry = sq_job_retry,
    .job_fail = sq_job_fail,
    .job_get = sq_job_get,
    .job_counts = sq_job_counts,
    .presence_open = sq_presence_open,
    .presence_open_named = sq_presence_open_named,
    .capture_totals = sq_capture_totals,
    .channel_kept_visits = sq_channel_kept_visits,
    .capture_commit = sq_capture_commit,
    .capture_list = sq_capture_list,
    .stays_each = sq_stays_each,
    .profile_stale = sq_profile_stale,
    .profile_put = sq_profile_put,
    .profile_get = sq_profile_get,
    .name_history = sq_name_history,
    .export_session = sq_export_session,
    .scan_hint = sq_scan_hint,
    .login_create = sq_login_create,
    .login_get = sq_login_get,
    .login_touch = sq_login_touch,
    .login_delete = sq_login_delete,
    .login_delete_user = sq_login_delete_user,
    .login_sweep = sq_login_sweep,
    .oauth_state_put = sq_oauth_state_put,
    .oauth_state_take = sq_oauth_state_take,
    .api_key_create = sq_api_key_create,
    .api_key_by_hash = sq_api_key_by_hash,
    .api_key_list = sq_api_key_list,
    .api_key_revoke = sq_api_key_revoke,
    .user_channels_set = sq_user_channels_set,
    .user_channels = sq_user_channels,
    .user_channel_allowed = sq_user_channel_allowed,
    .session_save = sq_session_save,
    .session_label = sq_session_label,
    .session_deactivate = sq_session_deactivate,
    .session_purge = sq_session_purge,
    .session_delete = sq_session_delete,
    .session_sweep = sq_session_sweep,
    .session_schedules = sq_session_schedules,
    .session_jobs = sq_session_jobs,
    .job_oldest_due = sq_job_oldest_due,
    .live_watch_set = sq_live_watch_set,
    .live_watch_stop = sq_live_watch_stop,
    .live_watch_list = sq_live_watch_list,
    .session_channels = sq_session_channels,
    .channel_sessions = sq_channel_sessions,
    .channel_visits = sq_channel_visits,
    .session_profiles = sq_session_profiles,
    .session_profiles_each = sq_session_profiles_each,
    .profiles_each = sq_profiles_each,
    .profiles_pull = sq_profiles_pull,
    .session_names = sq_session_names,
    .capture_chatters = sq_capture_chatters,
    .chatter_sessions = sq_chatter_sessions,
    .bot_list = sq_bot_list,
    .bot_add = sq_bot_add,
    .bot_remove = sq_bot_remove,
    .webhook_create = sq_webhook_create,
    .webhook_list = sq_webhook_list,
    .webhook_get = sq_webhook_get,
    .webhook_delete = sq_webhook_delete,
    .webhook_block = sq_webhook_block,
    .delivery_create = sq_delivery_create,
    .delivery_update = sq_delivery_update,
    .delivery_get = sq_delivery_get,
    .delivery_list = sq_delivery_list,
    .watch_put = sq_watch_put,
    .watch_list = sq_watch_list,
    .watch_remove = sq_watch_remove,
    .chat_set = sq_chat_set,
    .chat_note = sq_chat_note,
    .chat_get = sq_chat_get,
    .chat_targets = sq_chat_targets,
    .chat_add = sq_chat_add,
    .chat_counts = sq_chat_counts,
    .chat_raid_add = sq_chat_raid_add,
    .chat_raids = sq_chat_raids,
    .roles_replace = sq_roles_replace,
    .roles_list = sq_roles_list,
    .roles_read_at = sq_roles_read_at,
    .followers_add = sq_followers_add,
    .followers_latest = sq_followers_latest,
    .followers_list = sq_followers_list,
    .follower_reads = sq_follower_reads,
};

int sqlite_store_open(const char *path, struct store **out, char *err, size_t errlen)
{
    *out = NULL;
    struct sqlite_store *sq = xcalloc(1, sizeof *sq);
    sq->api.ops = &sqlite_ops;
    struct store *st = &sq->api;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(path, &sq->db, flags, NULL);
    if (rc != SQLITE_OK) {
        rc = sq_fail(st, rc, err, errlen, "open");
        goto out;
    }
    /* The file holds sealed tokens and everyone's captures: 0600, set by name right after
     * SQLite created it (still empty), and SQLite gives its -wal and -shm the database's mode.
     * Never open() and close() the file here: closing any descriptor of it drops the POSIX
     * locks of every other connection in this process (SQLite's own warning). */
    if (*path && strcmp(path, ":memory:") != 0 && strncmp(path, "file:", 5) != 0)
        chmod(path, 0600);
    sqlite3_extended_result_codes(sq->db, 1);
    for (size_t i = 0; i < sizeof pragmas / sizeof *pragmas; i++) {
        int src = run_pragma(sq->db, pragmas[i]);
        if (src != SQLITE_OK) {
            rc = sq_fail(st, src, err, errlen, pragmas[i]);
            goto out;
        }
    }
    int from, to;
    rc = sq_migrate(st, &from, &to, err, errlen);
out:
    if (rc) {
        sq_close(st);
        return rc;
    }
    *out = st;
    return 0;
}
