/*
 * What the SQLite files of the store share: the connection struct, its cache of prepared
 * statements, transaction helpers and the mapping of SQLite errors to TCA_E* codes.
 * Internal to store/: nothing outside store/sqlite_*.c may include it.
 */
#ifndef TCA_STORE_SQLITE_INTERNAL_H
#define TCA_STORE_SQLITE_INTERNAL_H

#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_driver.h"

/** A prepared statement kept for the life of the connection, found again by its SQL. */
struct sq_cached {
    char *sql;        /* owned copy: the text decides */
    const char *seen; /* the caller's pointer it was last found by: a hint, checked by text */
    sqlite3_stmt *stmt;
};

/** One connection and its statements; owned by whoever called store_open. */
struct sqlite_store {
    struct store api; /* first: a struct store * is a struct sqlite_store * */
    sqlite3 *db;
    struct sq_cached *stmts;
    size_t n_stmts, cap_stmts;
    int64_t cache_before_scan; /* PRAGMA cache_size to restore after a scan; 0: no scan */
};

/** The SQLite connection behind a store handed out by sqlite_store_open. */
static inline struct sqlite_store *sq_conn(struct store *st)
{
    return (struct sqlite_store *)st;
}

/**
 * The one way the SQLite store prepares a statement: the connection's statement for sql,
 * prepared on first use (found again by its text), reset and ready to bind. Never finalize
 * it: reset it when done. Returns 0 or a TCA_E* code with err filled.
 */
int sq_stmt(struct store *st, const char *sql, sqlite3_stmt **out, char *err, size_t errlen);
/** The same with SQLite's own result code, for code that maps errors itself. */
int sq_cached(struct store *st, const char *sql, sqlite3_stmt **out);
/** Maps a SQLite result code to a TCA_E* code and writes "what: sqlite message" into err. */
int sq_fail(struct store *st, int rc, char *err, size_t errlen, const char *what);
/** Steps a statement that returns no row, then resets it. Returns 0 or a TCA_E* code. */
int sq_run(struct store *st, sqlite3_stmt *s, char *err, size_t errlen, const char *what);
/** Starts a write transaction (BEGIN IMMEDIATE, so writers queue on busy_timeout up front). */
int sq_begin(struct store *st, char *err, size_t errlen);
/** Starts a read transaction, so several SELECTs see one snapshot. */
int sq_begin_read(struct store *st, char *err, size_t errlen);
/** Commits the open transaction. */
int sq_commit(struct store *st, char *err, size_t errlen);
/** Rolls back the open transaction, if any; never fails the caller. */
void sq_rollback(struct store *st);
/** Copies a text column into a fixed array (truncating, always NUL-terminated). */
void sq_copy_text(char *dst, size_t n, sqlite3_stmt *s, int col);
/** A text column as a new string the caller frees, or NULL when the column is NULL. */
char *sq_dup_text(sqlite3_stmt *s, int col);

/**
 * Checks the name a capture saw for one chatter against the last known one, inside the
 * capture's transaction: a placeholder profile when the chatter is unknown, else a rename
 * recorded at taken_at (the previous name dated before_ms when it starts the history) and
 * counted in *renames. likely_new: try the placeholder first (a chatter new to the channel).
 */
int sq_capture_name(struct store *st, const struct chatter *ch, int likely_new, int64_t before_ms,
                    int64_t taken_at, int64_t *renames, char *err, size_t errlen);
/**
 * Binds the login of a profile row (twitch_profiles.login) as the schema keeps it: NULL when
 * it is the display name in lower case and both are printable ASCII, else the text (bound
 * SQLITE_STATIC).
 */
void sq_bind_login(sqlite3_stmt *s, int i, const char *login, const char *display);
/**
 * A profile time as twitch_profiles keeps it: minus its seconds when it is whole seconds
 * after 1970, else its milliseconds (negative ones shifted below -2^61); the twitch_users view
 * decodes it.
 */
int64_t sq_time_code(int64_t ms);
/** The time sq_time_code(ms) encoded: ms again (what the twitch_users view computes). */
int64_t sq_time_decode(int64_t code);
/**
 * The names and creation time of c (not its id) from a row of twitch_profiles columns login,
 * display_name, created_at starting at col, decoded as the twitch_users view does (a NULL
 * login is the display name in lower case, folded as SQLite's lower(): ASCII only); a NULL
 * display name (no profile row in a LEFT JOIN) gives empty names and 0. The display name is
 * read only with STORE_PROFILE_DISPLAY in fields, else left "".
 */
void sq_profile_row(sqlite3_stmt *s, int col, unsigned fields, struct store_chatter_profile *c);
/* A cursor over twitch_profiles for callers that ask for ids in increasing order (a scan
 * along a session's chatters): it steps forward and seeks only past gaps (sqlite_profiles.c). */
struct sq_profile_cursor {
    sqlite3_stmt *s; /* id, login, display_name, created_at: read with sq_profile_row(s, 1, ..) */
    int state;       /* of the last step; 0 before the first */
    int64_t at;      /* id of the row under the cursor when state is SQLITE_ROW */
};
/** Prepares c (from the statement cache). */
int sq_profile_cursor_open(struct store *st, struct sq_profile_cursor *c, char *err, size_t errlen);
/** Moves c to id, never below the id of the previous call: SQLITE_ROW when id has a profile
 * row (under the cursor), SQLITE_DONE when it has none, else SQLite's error code. */
int sq_profile_cursor_find(struct sq_profile_cursor *c, int64_t id);
/** Resets the cursor's statement. */
void sq_profile_cursor_close(struct sq_profile_cursor *c);
/** Adds one row to a user's name history. */
int sq_name_add(struct store *st, int64_t user_id, const char *login, const char *display,
                int64_t seen_at, char *err, size_t errlen);
/** Records the name hash of every open stay of a chatter in a session (after a rename). */
int sq_stay_rename(struct store *st, int64_t session_id, int64_t user_id, int64_t name_hash,
                   char *err, size_t errlen);

/** What one capture adds to the aggregates (sqlite_aggregates.c); lives for one commit. */
struct sq_aggregates {
    int64_t session_id, channel_id, owner_id;
    int64_t first_at;     /* the session's first capture of the channel */
    int64_t new_to_owner; /* joiners new to the owner's earlier sessions: captures.new_to_owner */
    int64_t first_stays;  /* joiners at their first stay of the session: captures.first_stays */
    int loaded;           /* the earlier sessions below were read */
    int64_t *live, *kept; /* earlier sessions with stays, and purged or deleted ones */
    size_t n_live, n_kept;
    sqlite3_stmt *in_live, *in_kept; /* the per-joiner lookups, found once per capture */
};
/** Starts the aggregates of the capture in (nothing read yet). */
void sq_aggregates_init(struct sq_aggregates *a, const struct store_capture_input *in);
/** Counts one joiner: new_here when the channel never saw them, first_stay when this is their
 * first stay of the session. Reads only for a first stay of a chatter the channel knows. */
int sq_aggregates_join(struct store *st, struct sq_aggregates *a, int64_t user_id, int new_here,
                       int first_stay, char *err, size_t errlen);
/** Frees what the aggregates read; safe twice. */
void sq_aggregates_free(struct sq_aggregates *a);
/** The distinct chatters of a session's stays, from the captures' first stays where they
 *  give it exactly (one channel, every capture kept them), else counted from the stays. */
int sq_session_chatters(struct store *st, int64_t session_id, int64_t *total, char *err,
                        size_t errlen);

/** How many migration steps the schema has (its current version). */
int sq_schema_steps(void);
/** The SQL of step v (version v to v + 1), or NULL; for tests that build an older store. */
const char *sq_schema_step(int v);
/** store_copy's row walk and batch insert (store_driver.h). */
int sq_table_rows(struct store *st, const struct store_table *t, int copied_only, store_row_fn fn,
                  void *ctx, char *err, size_t errlen);
int sq_table_insert(struct store *st, const struct store_table *t, const struct store_cell *rows,
                    size_t n, char *err, size_t errlen);

/* The operations of store.h on SQLite (store_driver.h's table points at these). */
int sq_migrate(struct store *st, int *from, int *to, char *err, size_t errlen);
/** store_backup on SQLite (sqlite_backup.c). */
int sq_backup(struct store *st, const char *path, char *err, size_t errlen);
/** store_compact on SQLite (sqlite_backup.c). */
int sq_compact(struct store *st, int64_t *before, int64_t *after, char *err, size_t errlen);
/** store_token_reseal on SQLite (sqlite_backup.c). */
int sq_token_reseal(struct store *st, store_reseal_fn fn, void *ctx, size_t *n, char *err,
                    size_t errlen);
int sq_user_upsert(struct store *st, const struct store_user *u, char *err, size_t errlen);
int sq_user_get(struct store *st, int64_t id, struct store_user *out, char *err, size_t errlen);
int sq_user_latest(struct store *st, struct store_user *out, char *err, size_t errlen);
int sq_token_put(struct store *st, const struct store_token *token, char *err, size_t errlen);
int sq_token_get(struct store *st, int64_t user_id, struct store_token *out, char *err,
                 size_t errlen);
int sq_token_validated(struct store *st, int64_t user_id, int64_t at_ms, char *err, size_t errlen);
int sq_token_delete(struct store *st, int64_t user_id, char *err, size_t errlen);
int sq_token_stale(struct store *st, int64_t validated_before_ms, size_t limit, int64_t **user_ids,
                   size_t *n, char *err, size_t errlen);
int sq_channel_upsert(struct store *st, const struct store_channel *c, char *err, size_t errlen);
int sq_channel_get(struct store *st, int64_t id, struct store_channel *out, char *err,
                   size_t errlen);
int sq_channel_by_login(struct store *st, const char *login, struct store_channel *out, char *err,
                        size_t errlen);
int sq_session_active(struct store *st, int64_t user_id, int64_t now_ms, int64_t *session_id,
                      char *err, size_t errlen);
int sq_session_get(struct store *st, int64_t id, struct store_session *out, char *err,
                   size_t errlen);
int sq_session_list(struct store *st, int64_t user_id, struct store_session **out, size_t *n,
                    char *err, size_t errlen);
int sq_schedule_set(struct store *st, const struct store_schedule *s, char *err, size_t errlen);
int sq_schedule_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                     size_t errlen);
int sq_schedule_due(struct store *st, int64_t now_ms, struct store_schedule **out, size_t *n,
                    char *err, size_t errlen);
int sq_schedule_advance(struct store *st, int64_t session_id, int64_t channel_id,
                        int64_t next_at_ms, char *err, size_t errlen);
int sq_job_enqueue(struct store *st, const char *kind, const char *dedupe_key, const char *payload,
                   int64_t run_at_ms, int64_t *job_id, char *err, size_t errlen);
int sq_job_claim(struct store *st, int64_t now_ms, int64_t lease_ms, struct store_job *out,
                 char *err, size_t errlen);
int sq_job_extend(struct store *st, int64_t job_id, int64_t lease_until_ms, char *err,
                  size_t errlen);
int sq_job_done(struct store *st, int64_t job_id, char *err, size_t errlen);
int sq_job_retry(struct store *st, int64_t job_id, const char *error, int64_t run_at_ms, char *err,
                 size_t errlen);
int sq_job_fail(struct store *st, int64_t job_id, const char *error, char *err, size_t errlen);
int sq_job_get(struct store *st, int64_t job_id, struct store_job *out, char *err, size_t errlen);
int sq_job_counts(struct store *st, int64_t counts[4], char *err, size_t errlen);
int sq_presence_open(struct store *st, int64_t session_id, int64_t channel_id, int64_t **user_ids,
                     size_t *n, int64_t *last_seq, char *err, size_t errlen);
int sq_presence_open_named(struct store *st, int64_t session_id, int64_t channel_id,
                           int64_t **user_ids, int64_t **name_hashes, size_t *n, int64_t *last_seq,
                           char *err, size_t errlen);
int sq_capture_totals(struct store *st, int64_t *captures, int64_t *renames, char *err,
                      size_t errlen);
int sq_channel_kept_visits(struct store *st, int64_t channel_id, int64_t owner_id,
                           struct store_kept_visit **out, size_t *n, char *err, size_t errlen);
int sq_capture_commit(struct store *st, const struct store_capture_input *in,
                      struct store_capture_result *out, char *err, size_t errlen);
int sq_capture_list(struct store *st, int64_t session_id, int64_t channel_id,
                    struct store_capture **out, size_t *n, char *err, size_t errlen);
int sq_stays_each(struct store *st, int64_t session_id, int64_t channel_id, store_stay_fn fn,
                  void *ctx, char *err, size_t errlen);
int sq_profile_stale(struct store *st, int64_t session_id, int64_t stale_before_ms, size_t limit,
                     int64_t **ids, size_t *n, char *err, size_t errlen);
int sq_profile_put(struct store *st, const struct store_profile *p, size_t n, int *renames,
                   char *err, size_t errlen);
int sq_profile_get(struct store *st, int64_t id, struct store_profile *out, char *err,
                   size_t errlen);
int sq_name_history(struct store *st, int64_t user_id, struct store_name **out, size_t *n,
                    char *err, size_t errlen);
void sq_scan_hint(struct store *st, int scanning);
int sq_export_session(struct store *st, int64_t session_id, int64_t *total, store_export_fn fn,
                      void *ctx, char *err, size_t errlen);
int sq_login_create(struct store *st, const struct store_login *l, char *err, size_t errlen);
int sq_login_get(struct store *st, const char *id_hash, struct store_login *out, char *err,
                 size_t errlen);
int sq_login_touch(struct store *st, const char *id_hash, int64_t now_ms, char *err, size_t errlen);
int sq_login_delete(struct store *st, const char *id_hash, char *err, size_t errlen);
int sq_login_delete_user(struct store *st, int64_t user_id, char *err, size_t errlen);
int sq_login_sweep(struct store *st, int64_t idle_before_ms, int64_t now_ms, int *removed,
                   char *err, size_t errlen);
int sq_oauth_state_put(struct store *st, const char *state_hash, int64_t expires_at_ms, char *err,
                       size_t errlen);
int sq_oauth_state_take(struct store *st, const char *state_hash, int64_t now_ms, char *err,
                        size_t errlen);
int sq_api_key_create(struct store *st, const struct store_api_key *k, int64_t *id, char *err,
                      size_t errlen);
int sq_api_key_by_hash(struct store *st, const char *key_hash, struct store_api_key *out, char *err,
                       size_t errlen);
int sq_api_key_list(struct store *st, int64_t user_id, struct store_api_key **out, size_t *n,
                    char *err, size_t errlen);
int sq_api_key_revoke(struct store *st, int64_t user_id, int64_t id, int64_t now_ms, char *err,
                      size_t errlen);
int sq_user_channels_set(struct store *st, int64_t user_id, const struct store_user_channel *c,
                         size_t n, int64_t now_ms, char *err, size_t errlen);
int sq_user_channels(struct store *st, int64_t user_id, struct store_user_channel **out, size_t *n,
                     char *err, size_t errlen);
int sq_user_channel_allowed(struct store *st, int64_t user_id, int64_t channel_id, char *err,
                            size_t errlen);
int sq_session_save(struct store *st, int64_t session_id, const char *label, int max_saved,
                    int64_t now_ms, char *err, size_t errlen);
int sq_session_label(struct store *st, int64_t session_id, const char *label, int64_t now_ms,
                     char *err, size_t errlen);
int sq_session_deactivate(struct store *st, int64_t user_id, int64_t now_ms, char *err,
                          size_t errlen);
int sq_session_purge(struct store *st, int64_t session_id, int64_t now_ms, char *err,
                     size_t errlen);
int sq_session_delete(struct store *st, int64_t session_id, char *err, size_t errlen);
int sq_session_sweep(struct store *st, int64_t before_ms, int *removed, char *err, size_t errlen);
int sq_session_schedules(struct store *st, int64_t session_id, struct store_schedule **out,
                         size_t *n, char *err, size_t errlen);
int sq_session_jobs(struct store *st, int64_t session_id, size_t limit, struct store_job **out,
                    size_t *n, char *err, size_t errlen);
int sq_job_oldest_due(struct store *st, int64_t now_ms, int64_t *age_ms, char *err, size_t errlen);
int sq_live_watch_set(struct store *st, const struct store_live_watch *w, char *err, size_t errlen);
int sq_live_watch_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                       size_t errlen);
int sq_live_watch_list(struct store *st, struct store_live_watch **out, size_t *n, char *err,
                       size_t errlen);
int sq_session_channels(struct store *st, int64_t session_id, struct store_session_channel **out,
                        size_t *n, char *err, size_t errlen);
int sq_channel_sessions(struct store *st, int64_t channel_id, int64_t owner_id,
                        struct store_channel_session **out, size_t *n, char *err, size_t errlen);
int sq_channel_visits(struct store *st, int64_t session_id, int64_t channel_id,
                      struct store_visit **out, size_t *n, char *err, size_t errlen);
int sq_session_profiles(struct store *st, int64_t session_id, int64_t channel_id,
                        struct store_chatter_profile **out, size_t *n, char *err, size_t errlen);
int sq_profiles_each(struct store *st, const int64_t *ids, size_t n, unsigned fields,
                     store_profile_fn fn, void *ctx, char *err, size_t errlen);
int sq_profiles_pull(struct store *st, store_ids_fn next, void *next_ctx, unsigned fields,
                     store_profile_fn fn, void *ctx, char *err, size_t errlen);
int sq_session_profiles_each(struct store *st, int64_t session_id, int64_t channel_id,
                             store_profile_fn fn, void *ctx, char *err, size_t errlen);
int sq_session_names(struct store *st, int64_t session_id, struct store_name_row **out, size_t *n,
                     char *err, size_t errlen);
int sq_capture_chatters(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                        int64_t *total, store_capture_chatter_fn fn, void *ctx, char *err,
                        size_t errlen);
int sq_chatter_sessions(struct store *st, int64_t owner_id, int64_t user_id,
                        struct store_chatter_session **out, size_t *n, char *err, size_t errlen);
int sq_bot_list(struct store *st, int64_t owner_id, struct store_known_bot **out, size_t *n,
                char *err, size_t errlen);
int sq_bot_add(struct store *st, int64_t owner_id, const struct store_known_bot *bots, size_t n,
               int64_t now_ms, size_t *added, char *err, size_t errlen);
int sq_bot_remove(struct store *st, int64_t owner_id, const char *login, char *err, size_t errlen);

/* alerts: webhooks, deliveries, watchlist */
int sq_webhook_create(struct store *st, const struct store_webhook *w, int64_t *id, char *err,
                      size_t errlen);
int sq_webhook_list(struct store *st, int64_t owner_id, struct store_webhook **out, size_t *n,
                    char *err, size_t errlen);
int sq_webhook_get(struct store *st, int64_t id, struct store_webhook *out, char *err,
                   size_t errlen);
int sq_webhook_delete(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen);
int sq_webhook_block(struct store *st, int64_t id, int64_t until_ms, char *err, size_t errlen);
int sq_delivery_create(struct store *st, const struct store_delivery *d, int64_t *id, char *err,
                       size_t errlen);
int sq_delivery_update(struct store *st, const struct store_delivery *d, char *err, size_t errlen);
int sq_delivery_get(struct store *st, int64_t id, struct store_delivery *out, char *err,
                    size_t errlen);
int sq_delivery_list(struct store *st, int64_t owner_id, size_t limit, struct store_delivery **out,
                     size_t *n, char *err, size_t errlen);
int sq_watch_put(struct store *st, const struct store_watch *w, int64_t *id, char *err,
                 size_t errlen);
int sq_watch_list(struct store *st, int64_t owner_id, struct store_watch **out, size_t *n,
                  char *err, size_t errlen);
int sq_watch_remove(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen);
/* chat activity (store/sqlite_chat.c) */
int sq_chat_set(struct store *st, int64_t session_id, int enabled, int64_t now_ms, char *err,
                size_t errlen);
int sq_chat_note(struct store *st, int64_t session_id, const char *status, int64_t now_ms,
                 char *err, size_t errlen);
int sq_chat_get(struct store *st, int64_t session_id, struct store_chat_setting *out, char *err,
                size_t errlen);
int sq_chat_targets(struct store *st, struct store_chat_target **out, size_t *n, char *err,
                    size_t errlen);
int sq_chat_add(struct store *st, const struct store_chat_count *rows, size_t n, char *err,
                size_t errlen);
int sq_chat_counts(struct store *st, int64_t session_id, int64_t channel_id,
                   struct store_chat_count **out, size_t *n, char *err, size_t errlen);
int sq_chat_raid_add(struct store *st, const struct store_chat_raid *r, char *err, size_t errlen);
int sq_chat_raids(struct store *st, int64_t session_id, struct store_chat_raid **out, size_t *n,
                  char *err, size_t errlen);

/* channel roles (sqlite_roles.c) */
int sq_roles_replace(struct store *st, int64_t channel_id, int role, const int64_t *ids, size_t n,
                     int64_t read_at_ms, char *err, size_t errlen);
int sq_roles_list(struct store *st, const int64_t *channels, size_t n_channels,
                  struct store_role_holder **out, size_t *n, char *err, size_t errlen);
int sq_roles_read_at(struct store *st, int64_t channel_id, int role, int64_t *read_at_ms, char *err,
                     size_t errlen);

/* followers (sqlite_followers.c) */
int sq_followers_add(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                     const struct store_follow *follows, size_t n, int64_t read_at_ms,
                     int64_t total, int *added, char *err, size_t errlen);
int sq_followers_latest(struct store *st, int64_t channel_id, int64_t *followed_at_ms,
                        int64_t *read_at_ms, char *err, size_t errlen);
int sq_followers_list(struct store *st, int64_t session_id, struct store_follow **out, size_t *n,
                      char *err, size_t errlen);
int sq_follower_reads(struct store *st, int64_t session_id, struct store_follower_read **out,
                      size_t *n, char *err, size_t errlen);

#endif
