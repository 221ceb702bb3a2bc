/*
 * What the MariaDB files of the store share: the connection struct, the one way to prepare
 * and run a statement (my_exec for writes, my_query/my_next for rows), transactions and the
 * mapping of MariaDB errors to TCA_E* codes.
 * Internal to store/: nothing outside store/mariadb_*.c may include it.
 */
#ifndef TCA_STORE_MARIADB_INTERNAL_H
#define TCA_STORE_MARIADB_INTERNAL_H

#include <mysql.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store_driver.h"

/** Where to connect, parsed from the URL; the password never leaves this struct. */
struct my_target {
    char user[128];
    char pass[256];
    char host[256];
    unsigned port;
    char db[128];
    char socket[256];
};

/** A prepared statement kept for the life of the connection, found again by its SQL. */
struct my_cached {
    char *sql;        /* owned copy: the text decides */
    const char *seen; /* the caller's pointer it was last found by: a hint, checked by text */
    MYSQL_STMT *stmt;
};

/** One connection and its statements; owned by whoever called store_open. */
struct mariadb_store {
    struct store api; /* first: a struct store * is a struct mariadb_store * */
    struct my_target target;
    MYSQL *db;
    struct my_cached *stmts;
    size_t n_stmts, cap_stmts;
    int in_tx;  /* a transaction is open: a lost connection cannot be retried */
    int broken; /* the connection was lost: reconnect before the next statement */
};

/** The MariaDB connection behind a store handed out by mariadb_store_open. */
static inline struct mariadb_store *my_conn(struct store *st)
{
    return (struct mariadb_store *)st;
}

/** A value bound to one '?' of a statement. */
struct my_val {
    enum { MYV_INT, MYV_TEXT } type;
    int64_t i;
    const char *s; /* MYV_TEXT: NULL binds SQL NULL */
};

#define MY_INT(v) ((struct my_val){.type = MYV_INT, .i = (int64_t)(v)})
#define MY_TEXT(v) ((struct my_val){.type = MYV_TEXT, .s = (v)})
#define MY_ARGS(...)                                                                               \
    ((const struct my_val[]){__VA_ARGS__}),                                                        \
        sizeof((const struct my_val[]){__VA_ARGS__}) / sizeof(struct my_val)
#define MY_NOARGS NULL, 0

/** The rows of a query being read; every column arrives as text (NULL kept apart). */
struct my_rows {
    struct mariadb_store *conn;
    MYSQL_STMT *stmt;
    unsigned ncols;
    MYSQL_BIND *bind;
    char **buf;
    unsigned long *len;
    unsigned long *cap;
    my_bool *null;
    my_bool *trunc;
};

/**
 * Runs a statement that returns no rows. *affected (may be NULL) receives the rows changed,
 * *insert_id (may be NULL) the AUTO_INCREMENT id it made. Outside a transaction, a statement
 * that never reached the server is retried once on a fresh connection.
 */
int my_exec(struct store *st, const char *sql, const struct my_val *args, size_t n,
            uint64_t *affected, int64_t *insert_id, char *err, size_t errlen);
/**
 * Runs a query; read its rows with my_next, then my_done. Outside a transaction, a query
 * that fails on a lost connection is run again once on a fresh one (reads are idempotent).
 * The rows are read into client memory first, so other statements may run while reading.
 */
int my_query(struct store *st, const char *sql, const struct my_val *args, size_t n,
             struct my_rows *rows, char *err, size_t errlen);
/**
 * The same through a server-side read-only cursor: rows arrive in batches, so memory stays
 * bounded however many there are (exports and other streams). Other statements may run
 * between rows.
 */
int my_query_stream(struct store *st, const char *sql, const struct my_val *args, size_t n,
                    struct my_rows *rows, char *err, size_t errlen);
/** The next row: 1, 0 at the end, or a TCA_E* code. */
int my_next(struct my_rows *rows, char *err, size_t errlen);
/** Releases what my_query set up; safe on a zeroed struct and after an error. */
void my_done(struct my_rows *rows);
/** Column col of the current row as an integer (0 when NULL). */
int64_t my_int(const struct my_rows *rows, unsigned col);
/** 1 when column col of the current row is NULL. */
int my_null(const struct my_rows *rows, unsigned col);
/** A text column as a NUL-terminated string valid until the next row, or NULL when NULL. */
const char *my_str(const struct my_rows *rows, unsigned col);
/** Copies a text column into a fixed array (truncating, always NUL-terminated). */
void my_text(const struct my_rows *rows, unsigned col, char *dst, size_t n);
/** A text column as a new string the caller frees, or NULL when the column is NULL. */
char *my_dup(const struct my_rows *rows, unsigned col);
/** Runs a query expected to return one integer (TCA_ENOTFOUND when no row). */
int my_query_int(struct store *st, const char *sql, const struct my_val *args, size_t n,
                 int64_t *out, char *err, size_t errlen);

/** Starts a transaction (InnoDB, REPEATABLE READ; writes lock the rows they touch). */
int my_begin(struct store *st, char *err, size_t errlen);
/** Commits the open transaction. */
int my_commit(struct store *st, char *err, size_t errlen);
/** Rolls back the open transaction, if any; never fails the caller. */
void my_rollback(struct store *st);
/** Maps the connection's last error to a TCA_E* code and writes "what: message" into err. */
int my_fail(struct mariadb_store *c, unsigned errnum, const char *msg, char *err, size_t errlen,
            const char *what);

/** (Re)connects c to its target, dropping every prepared statement of the old connection. */
int my_connect(struct mariadb_store *c, char *err, size_t errlen);
/** Closes every cached statement (before a reconnect or at close). */
void my_drop_statements(struct mariadb_store *c);
/** Parses mysql://USER:PASS@HOST[:PORT]/DB[?socket=PATH] into t. */
int my_parse_url(const char *url, struct my_target *t, char *err, size_t errlen);
/** Reads a job row (the columns of my_job_get, in order). */
void my_read_job(const struct my_rows *r, struct store_job *out);
/** Reads schedule rows: session, channel, user, interval, next, stop, enabled. */
int my_read_schedules(struct store *st, const char *sql, const struct my_val *args, size_t nargs,
                      struct store_schedule **out, size_t *n, char *err, size_t errlen);

/** store_copy's row walk and batch insert (store_driver.h). */
int my_table_rows(struct store *st, const struct store_table *t, int copied_only, store_row_fn fn,
                  void *ctx, char *err, size_t errlen);
int my_table_insert(struct store *st, const struct store_table *t, const struct store_cell *rows,
                    size_t n, char *err, size_t errlen);

/* The operations of store.h on MariaDB (store_driver.h's table points at these);
 * my_migrate applies pending migrations under GET_LOCK, so any number of processes may. */
int my_migrate(struct store *st, int *from, int *to, char *err, size_t errlen);
/** How many schema steps there are (the current version). */
int my_schema_steps(void);
/** The statements of step v (version v to v + 1), NULL-terminated; NULL past the last. */
const char *const *my_schema_step(int v);
/** store_backup on MariaDB: refused, pointing at mariadb-dump (mariadb_manage.c). */
int my_backup(struct store *st, const char *path, char *err, size_t errlen);
/** store_compact on MariaDB: refused, pointing at OPTIMIZE TABLE (mariadb_manage.c). */
int my_compact(struct store *st, int64_t *before, int64_t *after, char *err, size_t errlen);
/** store_token_reseal on MariaDB (mariadb_manage.c). */
int my_token_reseal(struct store *st, store_reseal_fn fn, void *ctx, size_t *n, char *err,
                    size_t errlen);
int my_user_upsert(struct store *st, const struct store_user *u, char *err, size_t errlen);
int my_user_get(struct store *st, int64_t id, struct store_user *out, char *err, size_t errlen);
int my_user_latest(struct store *st, struct store_user *out, char *err, size_t errlen);
int my_token_put(struct store *st, const struct store_token *token, char *err, size_t errlen);
int my_token_get(struct store *st, int64_t user_id, struct store_token *out, char *err,
                 size_t errlen);
int my_token_validated(struct store *st, int64_t user_id, int64_t at_ms, char *err, size_t errlen);
int my_token_delete(struct store *st, int64_t user_id, char *err, size_t errlen);
int my_token_stale(struct store *st, int64_t validated_before_ms, size_t limit, int64_t **user_ids,
                   size_t *n, char *err, size_t errlen);
int my_channel_upsert(struct store *st, const struct store_channel *c, char *err, size_t errlen);
int my_channel_get(struct store *st, int64_t id, struct store_channel *out, char *err,
                   size_t errlen);
int my_channel_by_login(struct store *st, const char *login, struct store_channel *out, char *err,
                        size_t errlen);
int my_session_active(struct store *st, int64_t user_id, int64_t now_ms, int64_t *session_id,
                      char *err, size_t errlen);
int my_session_get(struct store *st, int64_t id, struct store_session *out, char *err,
                   size_t errlen);
int my_session_list(struct store *st, int64_t user_id, struct store_session **out, size_t *n,
                    char *err, size_t errlen);
int my_schedule_set(struct store *st, const struct store_schedule *s, char *err, size_t errlen);
int my_schedule_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                     size_t errlen);
int my_schedule_due(struct store *st, int64_t now_ms, struct store_schedule **out, size_t *n,
                    char *err, size_t errlen);
int my_schedule_advance(struct store *st, int64_t session_id, int64_t channel_id,
                        int64_t next_at_ms, char *err, size_t errlen);
int my_job_enqueue(struct store *st, const char *kind, const char *dedupe_key, const char *payload,
                   int64_t run_at_ms, int64_t *job_id, char *err, size_t errlen);
int my_job_claim(struct store *st, int64_t now_ms, int64_t lease_ms, struct store_job *out,
                 char *err, size_t errlen);
int my_job_extend(struct store *st, int64_t job_id, int64_t lease_until_ms, char *err,
                  size_t errlen);
int my_job_done(struct store *st, int64_t job_id, char *err, size_t errlen);
int my_job_retry(struct store *st, int64_t job_id, const char *error, int64_t run_at_ms, char *err,
                 size_t errlen);
int my_job_fail(struct store *st, int64_t job_id, const char *error, char *err, size_t errlen);
int my_job_get(struct store *st, int64_t job_id, struct store_job *out, char *err, size_t errlen);
int my_job_counts(struct store *st, int64_t counts[4], char *err, size_t errlen);
/** store/sqlite_internal.h's sq_capture_name, on MariaDB. */
int my_capture_name(struct store *st, const struct chatter *ch, int likely_new, int64_t before_ms,
                    int64_t taken_at, int64_t *renames, char *err, size_t errlen);
/** head, then n copies of item separated by commas (by spaces for CASE arms, whose item
 *  starts with one), then tail: a new string the caller frees (mariadb_capture_batch.c). */
char *my_repeat_sql(const char *head, const char *item, size_t n, const char *tail);
/** Runs sql, whose args[np, np + m) are ids and whose rows start with one of them, setting
 *  found[i] for each of those ids a row names (the others are left as they are). */
int my_ids_found(struct store *st, const char *sql, const struct my_val *args, size_t np, size_t m,
                 unsigned char *found, char *err, size_t errlen);
/** What one capture adds to the aggregates (mariadb_aggregates.c); zero it to start, free it
 *  with my_aggregates_free; lives for one commit. */
struct my_aggregates {
    int64_t new_to_owner; /* joiners new to the owner's earlier sessions: captures.new_to_owner */
    int64_t first_stays;  /* joiners at their first stay of the session: captures.first_stays */
    int64_t *asked;       /* owned: joiners the channel knew, at their first stay, to look up */
    size_t n_asked, cap_asked;
};
/** Notes one joiner: new_here when the channel never saw them, first_stay when they have no
 *  earlier stay in the session (nothing is read yet). */
void my_aggregates_join(struct my_aggregates *a, int64_t user_id, int new_here, int first_stay);
/** Looks the noted known joiners up in the owner's earlier sessions, adding the unseen ones
 *  to a->new_to_owner; inside the capture's transaction. */
int my_aggregates_finish(struct store *st, struct my_aggregates *a,
                         const struct store_capture_input *in, char *err, size_t errlen);
/** Frees what the aggregates noted; safe twice. */
void my_aggregates_free(struct my_aggregates *a);
/** The distinct chatters of a session's stays, from the captures' first stays where they
 *  give it exactly (one channel, every capture kept them), else counted from the stays. */
int my_session_chatters(struct store *st, int64_t session_id, int64_t *total, char *err,
                        size_t errlen);
/** Inside a capture's transaction: opens the stays of in->joined (multi-row statements),
 *  counting the chatters new to the channel and the renames seen, and noting each joiner in
 *  agg. */
int my_capture_joiners(struct store *st, const struct store_capture_input *in,
                       struct my_aggregates *agg, int64_t *new_to_channel, int64_t *renames,
                       char *err, size_t errlen);
/** Inside a capture's transaction: closes the stays of in->left. */
int my_capture_leavers(struct store *st, const struct store_capture_input *in, char *err,
                       size_t errlen);
/** Records the name hash of every open stay of a chatter in a session (after a rename). */
int my_stay_rename(struct store *st, int64_t session_id, int64_t user_id, int64_t name_hash,
                   char *err, size_t errlen);
int my_presence_open_named(struct store *st, int64_t session_id, int64_t channel_id,
                           int64_t **user_ids, int64_t **name_hashes, size_t *n, int64_t *last_seq,
                           char *err, size_t errlen);
int my_capture_totals(struct store *st, int64_t *captures, int64_t *renames, char *err,
                      size_t errlen);
int my_channel_kept_visits(struct store *st, int64_t channel_id, int64_t owner_id,
                           struct store_kept_visit **out, size_t *n, char *err, size_t errlen);
int my_presence_open(struct store *st, int64_t session_id, int64_t channel_id, int64_t **user_ids,
                     size_t *n, int64_t *last_seq, char *err, size_t errlen);
int my_capture_commit(struct store *st, const struct store_capture_input *in,
                      struct store_capture_result *out, char *err, size_t errlen);
int my_capture_list(struct store *st, int64_t session_id, int64_t channel_id,
                    struct store_capture **out, size_t *n, char *err, size_t errlen);
int my_profiles_pull(struct store *st, store_ids_fn next, void *next_ctx, unsigned fields,
                     store_profile_fn fn, void *ctx, char *err, size_t errlen);
int my_stays_each(struct store *st, int64_t session_id, int64_t channel_id, store_stay_fn fn,
                  void *ctx, char *err, size_t errlen);
int my_profile_stale(struct store *st, int64_t session_id, int64_t stale_before_ms, size_t limit,
                     int64_t **ids, size_t *n, char *err, size_t errlen);
int my_profile_put(struct store *st, const struct store_profile *p, size_t n, int *renames,
                   char *err, size_t errlen);
int my_profile_get(struct store *st, int64_t id, struct store_profile *out, char *err,
                   size_t errlen);
int my_name_history(struct store *st, int64_t user_id, struct store_name **out, size_t *n,
                    char *err, size_t errlen);
int my_export_session(struct store *st, int64_t session_id, int64_t *total, store_export_fn fn,
                      void *ctx, char *err, size_t errlen);
int my_login_create(struct store *st, const struct store_login *l, char *err, size_t errlen);
int my_login_get(struct store *st, const char *id_hash, struct store_login *out, char *err,
                 size_t errlen);
int my_login_touch(struct store *st, const char *id_hash, int64_t now_ms, char *err, size_t errlen);
int my_login_delete(struct store *st, const char *id_hash, char *err, size_t errlen);
int my_login_delete_user(struct store *st, int64_t user_id, char *err, size_t errlen);
int my_login_sweep(struct store *st, int64_t idle_before_ms, int64_t now_ms, int *removed,
                   char *err, size_t errlen);
int my_oauth_state_put(struct store *st, const char *state_hash, int64_t expires_at_ms, char *err,
                       size_t errlen);
int my_oauth_state_take(struct store *st, const char *state_hash, int64_t now_ms, char *err,
                        size_t errlen);
int my_api_key_create(struct store *st, const struct store_api_key *k, int64_t *id, char *err,
                      size_t errlen);
int my_api_key_by_hash(struct store *st, const char *key_hash, struct store_api_key *out, char *err,
                       size_t errlen);
int my_api_key_list(struct store *st, int64_t user_id, struct store_api_key **out, size_t *n,
                    char *err, size_t errlen);
int my_api_key_revoke(struct store *st, int64_t user_id, int64_t id, int64_t now_ms, char *err,
                      size_t errlen);
int my_user_channels_set(struct store *st, int64_t user_id, const struct store_user_channel *c,
                         size_t n, int64_t now_ms, char *err, size_t errlen);
int my_user_channels(struct store *st, int64_t user_id, struct store_user_channel **out, size_t *n,
                     char *err, size_t errlen);
int my_user_channel_allowed(struct store *st, int64_t user_id, int64_t channel_id, char *err,
                            size_t errlen);
int my_session_save(struct store *st, int64_t session_id, const char *label, int max_saved,
                    int64_t now_ms, char *err, size_t errlen);
int my_session_label(struct store *st, int64_t session_id, const char *label, int64_t now_ms,
                     char *err, size_t errlen);
int my_session_deactivate(struct store *st, int64_t user_id, int64_t now_ms, char *err,
                          size_t errlen);
int my_session_purge(struct store *st, int64_t session_id, int64_t now_ms, char *err,
                     size_t errlen);
int my_session_delete(struct store *st, int64_t session_id, char *err, size_t errlen);
int my_session_sweep(struct store *st, int64_t before_ms, int *removed, char *err, size_t errlen);
int my_session_schedules(struct store *st, int64_t session_id, struct store_schedule **out,
                         size_t *n, char *err, size_t errlen);
int my_session_jobs(struct store *st, int64_t session_id, size_t limit, struct store_job **out,
                    size_t *n, char *err, size_t errlen);
int my_job_oldest_due(struct store *st, int64_t now_ms, int64_t *age_ms, char *err, size_t errlen);
int my_live_watch_set(struct store *st, const struct store_live_watch *w, char *err, size_t errlen);
int my_live_watch_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                       size_t errlen);
int my_live_watch_list(struct store *st, struct store_live_watch **out, size_t *n, char *err,
                       size_t errlen);
int my_session_channels(struct store *st, int64_t session_id, struct store_session_channel **out,
                        size_t *n, char *err, size_t errlen);
int my_channel_sessions(struct store *st, int64_t channel_id, int64_t owner_id,
                        struct store_channel_session **out, size_t *n, char *err, size_t errlen);
int my_channel_visits(struct store *st, int64_t session_id, int64_t channel_id,
                      struct store_visit **out, size_t *n, char *err, size_t errlen);
int my_session_profiles(struct store *st, int64_t session_id, int64_t channel_id,
                        struct store_chatter_profile **out, size_t *n, char *err, size_t errlen);
int my_profiles_each(struct store *st, const int64_t *ids, size_t n, unsigned fields,
                     store_profile_fn fn, void *ctx, char *err, size_t errlen);
int my_session_profiles_each(struct store *st, int64_t session_id, int64_t channel_id,
                             store_profile_fn fn, void *ctx, char *err, size_t errlen);
int my_session_names(struct store *st, int64_t session_id, struct store_name_row **out, size_t *n,
                     char *err, size_t errlen);
int my_capture_chatters(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                        int64_t *total, store_capture_chatter_fn fn, void *ctx, char *err,
                        size_t errlen);
int my_chatter_sessions(struct store *st, int64_t owner_id, int64_t user_id,
                        struct store_chatter_session **out, size_t *n, char *err, size_t errlen);
int my_bot_list(struct store *st, int64_t owner_id, struct store_known_bot **out, size_t *n,
                char *err, size_t errlen);
int my_bot_add(struct store *st, int64_t owner_id, const struct store_known_bot *bots, size_t n,
               int64_t now_ms, size_t *added, char *err, size_t errlen);
int my_bot_remove(struct store *st, int64_t owner_id, const char *login, char *err, size_t errlen);

/* alerts: webhooks, deliveries, watchlist */
int my_webhook_create(struct store *st, const struct store_webhook *w, int64_t *id, char *err,
                      size_t errlen);
int my_webhook_list(struct store *st, int64_t owner_id, struct store_webhook **out, size_t *n,
                    char *err, size_t errlen);
int my_webhook_get(struct store *st, int64_t id, struct store_webhook *out, char *err,
                   size_t errlen);
int my_webhook_delete(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen);
int my_webhook_block(struct store *st, int64_t id, int64_t until_ms, char *err, size_t errlen);
int my_delivery_create(struct store *st, const struct store_delivery *d, int64_t *id, char *err,
                       size_t errlen);
int my_delivery_update(struct store *st, const struct store_delivery *d, char *err, size_t errlen);
int my_delivery_get(struct store *st, int64_t id, struct store_delivery *out, char *err,
                    size_t errlen);
int my_delivery_list(struct store *st, int64_t owner_id, size_t limit, struct store_delivery **out,
                     size_t *n, char *err, size_t errlen);
int my_watch_put(struct store *st, const struct store_watch *w, int64_t *id, char *err,
                 size_t errlen);
int my_watch_list(struct store *st, int64_t owner_id, struct store_watch **out, size_t *n,
                  char *err, size_t errlen);
int my_watch_remove(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen);
/* chat activity (store/mariadb_chat.c) */
int my_chat_set(struct store *st, int64_t session_id, int enabled, int64_t now_ms, char *err,
                size_t errlen);
int my_chat_note(struct store *st, int64_t session_id, const char *status, int64_t now_ms,
                 char *err, size_t errlen);
int my_chat_get(struct store *st, int64_t session_id, struct store_chat_setting *out, char *err,
                size_t errlen);
int my_chat_targets(struct store *st, struct store_chat_target **out, size_t *n, char *err,
                    size_t errlen);
int my_chat_add(struct store *st, const struct store_chat_count *rows, size_t n, char *err,
                size_t errlen);
int my_chat_counts(struct store *st, int64_t session_id, int64_t channel_id,
                   struct store_chat_count **out, size_t *n, char *err, size_t errlen);
int my_chat_raid_add(struct store *st, const struct store_chat_raid *r, char *err, size_t errlen);
int my_chat_raids(struct store *st, int64_t session_id, struct store_chat_raid **out, size_t *n,
                  char *err, size_t errlen);

/* channel roles (mariadb_roles.c) */
int my_roles_replace(struct store *st, int64_t channel_id, int role, const int64_t *ids, size_t n,
                     int64_t read_at_ms, char *err, size_t errlen);
int my_roles_list(struct store *st, const int64_t *channels, size_t n_channels,
                  struct store_role_holder **out, size_t *n, char *err, size_t errlen);
int my_roles_read_at(struct store *st, int64_t channel_id, int role, int64_t *read_at_ms, char *err,
                     size_t errlen);

/* followers (mariadb_followers.c) */
int my_followers_add(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                     const struct store_follow *follows, size_t n, int64_t read_at_ms,
                     int64_t total, int *added, char *err, size_t errlen);
int my_followers_latest(struct store *st, int64_t channel_id, int64_t *followed_at_ms,
                        int64_t *read_at_ms, char *err, size_t errlen);
int my_followers_list(struct store *st, int64_t session_id, struct store_follow **out, size_t *n,
                      char *err, size_t errlen);
int my_follower_reads(struct store *st, int64_t session_id, struct store_follower_read **out,
                      size_t *n, char *err, size_t errlen);

#endif
