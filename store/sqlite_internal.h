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

#include "store/store.h"

/* One slot per statement the store ever runs: each is prepared once per connection, on first
 * use, then reset and reused. The SQL text lives next to its single call site. */
enum sq_stmt_id {
    SQ_BEGIN,
    SQ_BEGIN_READ,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_USER_UPSERT,
    SQ_USER_GET,
    SQ_USER_LATEST,
    SQ_TOKEN_PUT,
    SQ_TOKEN_GET,
    SQ_TOKEN_VALIDATED,
    SQ_TOKEN_DELETE,
    SQ_CHANNEL_UPSERT,
    SQ_CHANNEL_GET,
    SQ_CHANNEL_BY_LOGIN,
    SQ_SESSION_FIND_ACTIVE,
    SQ_SESSION_INSERT,
    SQ_SESSION_GET,
    SQ_SESSION_LIST,
    SQ_SCHEDULE_SET,
    SQ_SCHEDULE_STOP,
    SQ_SCHEDULE_EXPIRE,
    SQ_SCHEDULE_DUE,
    SQ_SCHEDULE_ADVANCE,
    SQ_JOB_INSERT,
    SQ_JOB_FIND_DEDUPE,
    SQ_JOB_CLAIM,
    SQ_JOB_EXTEND,
    SQ_JOB_DONE,
    SQ_JOB_RETRY,
    SQ_JOB_FAIL,
    SQ_JOB_GET,
    SQ_JOB_COUNTS,
    SQ_PRESENCE_OPEN,
    SQ_CAPTURE_LAST,
    SQ_CAPTURE_INSERT,
    SQ_CHATTER_BACK,
    SQ_STAY_FIND_OPEN,
    SQ_STAY_IN_SESSION,
    SQ_CHATTER_FIRST,
    SQ_PROFILE_PLACEHOLDER,
    SQ_STAY_OPEN,
    SQ_CHATTER_LEFT,
    SQ_STAY_CLOSE,
    SQ_CAPTURE_LIST,
    SQ_CAPTURE_LIST_CHANNEL,
    SQ_STAY_LIST,
    SQ_STAY_LIST_CHANNEL,
    SQ_PROFILE_STALE,
    SQ_PROFILE_GET,
    SQ_PROFILE_UPSERT,
    SQ_NAME_LAST,
    SQ_NAME_INSERT,
    SQ_NAME_HISTORY,
    SQ_EXPORT_COUNT,
    SQ_EXPORT_ROWS,
    SQ_NAME_CURRENT,
    SQ_NAME_ANY,
    SQ_NAME_PROFILE_RENAME,
    SQ_STAY_RENAME,
    SQ_CAPTURE_TOTALS,
    SQ_COUNTER_ADD,
    SQ_STMT_COUNT
};

/** One connection and its statements; owned by whoever called store_open. */
struct store {
    sqlite3 *db;
    sqlite3_stmt *stmts[SQ_STMT_COUNT];
};

/**
 * The statement of slot id, prepared from sql on first use, reset and ready to bind.
 * Returns 0 or a TCA_E* code with err filled.
 */
int sq_stmt(struct store *st, enum sq_stmt_id id, const char *sql, sqlite3_stmt **out, char *err,
            size_t errlen);
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
/** Adds one row to a user's name history. */
int sq_name_add(struct store *st, int64_t user_id, const char *login, const char *display,
                int64_t seen_at, char *err, size_t errlen);
/** Records the name hash of every open stay of a chatter in a session (after a rename). */
int sq_stay_rename(struct store *st, int64_t session_id, int64_t user_id, int64_t name_hash,
                   char *err, size_t errlen);

/** Applies pending migrations (store_migrate without the public wrapper). */
int sq_migrate(struct store *st, int *from, int *to, char *err, size_t errlen);

#endif
