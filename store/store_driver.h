/*
 * What a store back end provides: the table of operations behind store.h, as Dovecot's
 * lib-sql drivers do. Each back end embeds struct store first in its own connection struct
 * (struct sqlite_store, struct mariadb_store) and points ops at its table; store.c only
 * dispatches. Internal to store/: nothing outside store/ may include it.
 */
#ifndef TCA_STORE_DRIVER_H
#define TCA_STORE_DRIVER_H

#include "store/store.h"
#include "store/store_alerts.h"
#include "store/store_chat.h"
#include "store/store_followers.h"
#include "store/store_roles.h"
#include "base/err.h"

/** A column of a copied table: its name and whether it holds text (else an integer). */
struct store_column {
    const char *name;
    int text;
};

/** A table as store_copy moves it: columns in order, the key that orders its rows. */
struct store_table {
    const char *name;
    const struct store_column *columns;
    size_t n_columns;
    const char *order_by; /* column names, comma-separated */
    const char *skip;     /* rows not copied (present in every fresh store), or NULL */
};

/** One value of a copied row; s is only valid during the callback that received it. */
struct store_cell {
    int null;
    int64_t i;
    const char *s;
};

/** Called once per row; a non-zero return stops the walk and is returned. */
typedef int (*store_row_fn)(void *ctx, const struct store_cell *cells);

/** Every operation of store.h but opening and the *_clear helpers, with the same contract. */
struct store_ops {
    const char *name; /* "sqlite", "mariadb" */
    /** Closes the connection and frees the back end's struct. */
    void (*close)(struct store *st);
    /** Walks every row of t in key order (all rows, or only those not skipped). */
    int (*table_rows)(struct store *st, const struct store_table *t, int copied_only,
                      store_row_fn fn, void *ctx, char *err, size_t errlen);
    /** Inserts n rows of t (n_columns cells each, row after row) in one transaction. */
    int (*table_insert)(struct store *st, const struct store_table *t,
                        const struct store_cell *rows, size_t n, char *err, size_t errlen);
    int (*migrate)(struct store *st, int *from, int *to, char *err, size_t errlen);
    int (*backup)(struct store *st, const char *path, char *err, size_t errlen);
    int (*compact)(struct store *st, int64_t *before, int64_t *after, char *err, size_t errlen);
    int (*token_reseal)(struct store *st, store_reseal_fn fn, void *ctx, size_t *n, char *err,
                        size_t errlen);
    int (*user_upsert)(struct store *st, const struct store_user *u, char *err, size_t errlen);
    int (*user_get)(struct store *st, int64_t id, struct store_user *out, char *err, size_t errlen);
    int (*user_latest)(struct store *st, struct store_user *out, char *err, size_t errlen);
    int (*token_put)(struct store *st, const struct store_token *token, char *err, size_t errlen);
    int (*token_get)(struct store *st, int64_t user_id, struct store_token *out, char *err,
                     size_t errlen);
    int (*token_validated)(struct store *st, int64_t user_id, int64_t at_ms, char *err,
                           size_t errlen);
    int (*token_delete)(struct store *st, int64_t user_id, char *err, size_t errlen);
    int (*token_stale)(struct store *st, int64_t validated_before_ms, size_t limit,
                       int64_t **user_ids, size_t *n, char *err, size_t errlen);
    int (*channel_upsert)(struct store *st, const struct store_channel *c, char *err,
                          size_t errlen);
    int (*channel_get)(struct store *st, int64_t id, struct store_channel *out, char *err,
                       size_t errlen);
    int (*channel_by_login)(struct store *st, const char *login, struct store_channel *out,
                            char *err, size_t errlen);
    int (*session_active)(struct store *st, int64_t user_id, int64_t now_ms, int64_t *session_id,
                          char *err, size_t errlen);
    int (*session_get)(struct store *st, int64_t id, struct store_session *out, char *err,
                       size_t errlen);
    int (*session_list)(struct store *st, int64_t user_id, struct store_session **out, size_t *n,
                        char *err, size_t errlen);
    int (*schedule_set)(struct store *st, const struct store_schedule *s, char *err, size_t errlen);
    int (*schedule_stop)(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                         size_t errlen);
    int (*schedule_due)(struct store *st, int64_t now_ms, struct store_schedule **out, size_t *n,
                        char *err, size_t errlen);
    int (*schedule_advance)(struct store *st, int64_t session_id, int64_t channel_id,
                            int64_t next_at_ms, char *err, size_t errlen);
    int (*job_enqueue)(struct store *st, const char *kind, const char *dedupe_key,
                       const char *payload, int64_t run_at_ms, int64_t *job_id, char *err,
                       size_t errlen);
    int (*job_claim)(struct store *st, int64_t now_ms, int64_t lease_ms, struct store_job *out,
                     char *err, size_t errlen);
    int (*job_extend)(struct store *st, int64_t job_id, int64_t lease_until_ms, char *err,
                      size_t errlen);
    int (*job_done)(struct store *st, int64_t job_id, char *err, size_t errlen);
    int (*job_retry)(struct store *st, int64_t job_id, const char *error, int64_t run_at_ms,
                     char *err, size_t errlen);
    int (*job_fail)(struct store *st, int64_t job_id, const char *error, char *err, size_t errlen);
    int (*job_get)(struct store *st, int64_t job_id, struct store_job *out, char *err,
                   size_t errlen);
    int (*job_counts)(struct store *st, int64_t counts[4], char *err, size_t errlen);
    int (*presence_open)(struct store *st, int64_t session_id, int64_t channel_id,
                         int64_t **user_ids, size_t *n, int64_t *last_seq, char *err,
                         size_t errlen);
    int (*presence_open_named)(struct store *st, int64_t session_id, int64_t channel_id,
                               int64_t **user_ids, int64_t **name_hashes, size_t *n,
                               int64_t *last_seq, char *err, size_t errlen);
    int (*capture_totals)(struct store *st, int64_t *captures, int64_t *renames, char *err,
                          size_t errlen);
    int (*channel_kept_visits)(struct store *st, int64_t channel_id, int64_t owner_id,
                               struct store_kept_visit **out, size_t *n, char *err, size_t errlen);
    int (*capture_commit)(struct store *st, const struct store_capture_input *in,
                          struct store_capture_result *out, char *err, size_t errlen);
    int (*capture_list)(struct store *st, int64_t session_id, int64_t channel_id,
                        struct store_capture **out, size_t *n, char *err, size_t errlen);
    int (*stays_each)(struct store *st, int64_t session_id, int64_t channel_id, store_stay_fn fn,
                      void *ctx, char *err, size_t errlen);
    int (*profile_stale)(struct store *st, int64_t session_id, int64_t stale_before_ms,
                         size_t limit, int64_t **ids, size_t *n, char *err, size_t errlen);
    int (*profile_put)(struct store *st, const struct store_profile *p, size_t n, int *renames,
                       char *err, size_t errlen);
    int (*profile_get)(struct store *st, int64_t id, struct store_profile *out, char *err,
                       size_t errlen);
    int (*name_history)(struct store *st, int64_t user_id, struct store_name **out, size_t *n,
                        char *err, size_t errlen);
    int (*export_session)(struct store *st, int64_t session_id, int64_t *total, store_export_fn fn,
                          void *ctx, char *err, size_t errlen);
    void (*scan_hint)(struct store *st, int scanning); /* may be NULL: nothing to do */
    int (*login_create)(struct store *st, const struct store_login *l, char *err, size_t errlen);
    int (*login_get)(struct store *st, const char *id_hash, struct store_login *out, char *err,
                     size_t errlen);
    int (*login_touch)(struct store *st, const char *id_hash, int64_t now_ms, char *err,
                       size_t errlen);
    int (*login_delete)(struct store *st, const char *id_hash, char *err, size_t errlen);
    int (*login_delete_user)(struct store *st, int64_t user_id, char *err, size_t errlen);
    int (*login_sweep)(struct store *st, int64_t idle_before_ms, int64_t now_ms, int *removed,
                       char *err, size_t errlen);
    int (*oauth_state_put)(struct store *st, const char *state_hash, int64_t expires_at_ms,
                           char *err, size_t errlen);
    int (*oauth_state_take)(struct store *st, const char *state_hash, int64_t now_ms, char *err,
                            size_t errlen);
    int (*api_key_create)(struct store *st, const struct store_api_key *k, int64_t *id, char *err,
                          size_t errlen);
    int (*api_key_by_hash)(struct store *st, const char *key_hash, struct store_api_key *out,
                           char *err, size_t errlen);
    int (*api_key_list)(struct store *st, int64_t user_id, struct store_api_key **out, size_t *n,
                        char *err, size_t errlen);
    int (*api_key_revoke)(struct store *st, int64_t user_id, int64_t id, int64_t now_ms, char *err,
                          size_t errlen);
    int (*user_channels_set)(struct store *st, int64_t user_id, const struct store_user_channel *c,
                             size_t n, int64_t now_ms, char *err, size_t errlen);
    int (*user_channels)(struct store *st, int64_t user_id, struct store_user_channel **out,
                         size_t *n, char *err, size_t errlen);
    int (*user_channel_allowed)(struct store *st, int64_t user_id, int64_t channel_id, char *err,
                                size_t errlen);
    int (*session_save)(struct store *st, int64_t session_id, const char *label, int max_saved,
                        int64_t now_ms, char *err, size_t errlen);
    int (*session_label)(struct store *st, int64_t session_id, const char *label, int64_t now_ms,
                         char *err, size_t errlen);
    int (*session_deactivate)(struct store *st, int64_t user_id, int64_t now_ms, char *err,
                              size_t errlen);
    int (*session_purge)(struct store *st, int64_t session_id, int64_t now_ms, char *err,
                         size_t errlen);
    int (*session_delete)(struct store *st, int64_t session_id, char *err, size_t errlen);
    int (*session_sweep)(struct store *st, int64_t before_ms, int *removed, char *err,
                         size_t errlen);
    int (*session_schedules)(struct store *st, int64_t session_id, struct store_schedule **out,
                             size_t *n, char *err, size_t errlen);
    int (*session_jobs)(struct store *st, int64_t session_id, size_t limit, struct store_job **out,
                        size_t *n, char *err, size_t errlen);
    int (*job_oldest_due)(struct store *st, int64_t now_ms, int64_t *age_ms, char *err,
                          size_t errlen);
    int (*live_watch_set)(struct store *st, const struct store_live_watch *w, char *err,
                          size_t errlen);
    int (*live_watch_stop)(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                           size_t errlen);
    int (*live_watch_list)(struct store *st, struct store_live_watch **out, size_t *n, char *err,
                           size_t errlen);
    int (*session_channels)(struct store *st, int64_t session_id,
                            struct store_session_channel **out, size_t *n, char *err,
                            size_t errlen);
    int (*channel_sessions)(struct store *st, int64_t channel_id, int64_t owner_id,
                            struct store_channel_session **out, size_t *n, char *err,
                            size_t errlen);
    int (*channel_visits)(struct store *st, int64_t session_id, int64_t channel_id,
                          struct store_visit **out, size_t *n, char *err, size_t errlen);
    int (*session_profiles)(struct store *st, int64_t session_id, int64_t channel_id,
                            struct store_chatter_profile **out, size_t *n, char *err,
                            size_t errlen);
    int (*session_profiles_each)(struct store *st, int64_t session_id, int64_t channel_id,
                                 store_profile_fn fn, void *ctx, char *err, size_t errlen);
    int (*profiles_each)(struct store *st, const int64_t *ids, size_t n, unsigned fields,
                         store_profile_fn fn, void *ctx, char *err, size_t errlen);
    int (*profiles_pull)(struct store *st, store_ids_fn next, void *next_ctx, unsigned fields,
                         store_profile_fn fn, void *ctx, char *err, size_t errlen);
    int (*session_names)(struct store *st, int64_t session_id, struct store_name_row **out,
                         size_t *n, char *err, size_t errlen);
    int (*capture_chatters)(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                            int64_t *total, store_capture_chatter_fn fn, void *ctx, char *err,
                            size_t errlen);
    int (*chatter_sessions)(struct store *st, int64_t owner_id, int64_t user_id,
                            struct store_chatter_session **out, size_t *n, char *err,
                            size_t errlen);
    int (*bot_list)(struct store *st, int64_t owner_id, struct store_known_bot **out, size_t *n,
                    char *err, size_t errlen);
    int (*bot_add)(struct store *st, int64_t owner_id, const struct store_known_bot *bots, size_t n,
                   int64_t now_ms, size_t *added, char *err, size_t errlen);
    int (*bot_remove)(struct store *st, int64_t owner_id, const char *login, char *err,
                      size_t errlen);
    int (*webhook_create)(struct store *st, const struct store_webhook *w, int64_t *id, char *err,
                          size_t errlen);
    int (*webhook_list)(struct store *st, int64_t owner_id, struct store_webhook **out, size_t *n,
                        char *err, size_t errlen);
    int (*webhook_get)(struct store *st, int64_t id, struct store_webhook *out, char *err,
                       size_t errlen);
    int (*webhook_delete)(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen);
    int (*webhook_block)(struct store *st, int64_t id, int64_t until_ms, char *err, size_t errlen);
    int (*delivery_create)(struct store *st, const struct store_delivery *d, int64_t *id, char *err,
                           size_t errlen);
    int (*delivery_update)(struct store *st, const struct store_delivery *d, char *err,
                           size_t errlen);
    int (*delivery_get)(struct store *st, int64_t id, struct store_delivery *out, char *err,
                        size_t errlen);
    int (*delivery_list)(struct store *st, int64_t owner_id, size_t limit,
                         struct store_delivery **out, size_t *n, char *err, size_t errlen);
    int (*watch_put)(struct store *st, const struct store_watch *w, int64_t *id, char *err,
                     size_t errlen);
    int (*watch_list)(struct store *st, int64_t owner_id, struct store_watch **out, size_t *n,
                      char *err, size_t errlen);
    int (*watch_remove)(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen);
    int (*chat_set)(struct store *st, int64_t session_id, int enabled, int64_t now_ms, char *err,
                    size_t errlen);
    int (*chat_note)(struct store *st, int64_t session_id, const char *status, int64_t now_ms,
                     char *err, size_t errlen);
    int (*chat_get)(struct store *st, int64_t session_id, struct store_chat_setting *out, char *err,
                    size_t errlen);
    int (*chat_targets)(struct store *st, struct store_chat_target **out, size_t *n, char *err,
                        size_t errlen);
    int (*chat_add)(struct store *st, const struct store_chat_count *rows, size_t n, char *err,
                    size_t errlen);
    int (*chat_counts)(struct store *st, int64_t session_id, int64_t channel_id,
                       struct store_chat_count **out, size_t *n, char *err, size_t errlen);
    int (*chat_raid_add)(struct store *st, const struct store_chat_raid *r, char *err,
                         size_t errlen);
    int (*chat_raids)(struct store *st, int64_t session_id, struct store_chat_raid **out, size_t *n,
                      char *err, size_t errlen);
    int (*roles_replace)(struct store *st, int64_t channel_id, int role, const int64_t *ids,
                         size_t n, int64_t read_at_ms, char *err, size_t errlen);
    int (*roles_list)(struct store *st, const int64_t *channels, size_t n_channels,
                      struct store_role_holder **out, size_t *n, char *err, size_t errlen);
    int (*roles_read_at)(struct store *st, int64_t channel_id, int role, int64_t *read_at_ms,
                         char *err, size_t errlen);
    int (*followers_add)(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                         const struct store_follow *follows, size_t n, int64_t read_at_ms,
                         int64_t total, int *added, char *err, size_t errlen);
    int (*followers_latest)(struct store *st, int64_t channel_id, int64_t *followed_at_ms,
                            int64_t *read_at_ms, char *err, size_t errlen);
    int (*followers_list)(struct store *st, int64_t session_id, struct store_follow **out,
                          size_t *n, char *err, size_t errlen);
    int (*follower_reads)(struct store *st, int64_t session_id, struct store_follower_read **out,
                          size_t *n, char *err, size_t errlen);
};

/** The part of every connection that store.c sees. */
struct store {
    const struct store_ops *ops;
};

/** Opens the SQLite store at path (a file, or ":memory:"), migrating it. */
int sqlite_store_open(const char *path, struct store **out, char *err, size_t errlen);

/** Opens the MariaDB store named by a mysql:// URL, migrating it. */
int mariadb_store_open(const char *url, struct store **out, char *err, size_t errlen);

#endif
