/*
 * The store: every durable domain operation of tca, behind one interface so that the SQLite
 * back end (default) and a MariaDB back end can be swapped without touching callers.
 *
 * A `struct store` is one connection: use one per thread. Functions return 0 or a negative
 * TCA_E* code (base/err.h) and describe failures in err; they never log.
 * Times are Unix milliseconds (int64_t). Twitch ids are int64_t.
 * Strings inside structs are fixed-size arrays unless said otherwise; pointer members are
 * owned by the struct and released by the matching *_clear function.
 */
#ifndef TCA_STORE_H
#define TCA_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "base/chatter.h"

struct store;

/* ---- opening, migrations -------------------------------------------------------------- */

/**
 * Opens the store named by url and applies pending migrations. "sqlite:PATH" (or a bare
 * path, or ":memory:" for tests) is the SQLite back end (WAL, synchronous=NORMAL,
 * busy_timeout); "mysql://USER:PASS@HOST:PORT/DB" (or "mysql://USER:PASS@localhost/DB?socket=
 * /path.sock") is MariaDB. Any number of processes may open one store at once. Caller frees
 * with store_close.
 */
int store_open(const char *url, struct store **out, char *err, size_t errlen);
/** Closes the connection; store_close(NULL) is a no-op. */
void store_close(struct store *st);
/** The back end's name: "sqlite" or "mariadb". */
const char *store_backend(const struct store *st);
/** Copies url into out with its password replaced by "***", for messages and logs. */
void store_url_redact(const char *url, char *out, size_t outlen);
/** One table as store_copy moved it. */
struct store_copy_table {
    const char *name;
    int64_t rows_from, rows_to;    /* rows in the source and in the target after the copy */
    char sum_from[33], sum_to[33]; /* checksums of every row in key order (hex) */
};

enum { STORE_COPY_TABLES = 28 };

/** What store_copy did, table by table. */
struct store_copy_report {
    struct store_copy_table tables[STORE_COPY_TABLES];
    size_t n;
};

/**
 * Copies every row of every table from one store to another (e.g. SQLite to MariaDB), then
 * counts and checksums each table on both sides. TCA_ECONFLICT (nothing written) when the
 * target already holds data; TCA_EDB when a count or checksum differs after the copy.
 * Stop every process that writes to from first.
 */
int store_copy(struct store *from, struct store *to, struct store_copy_report *rep, char *err,
               size_t errlen);
/** Applies pending migrations; *from and *to receive the schema versions before and after. */
int store_migrate(struct store *st, int *from, int *to, char *err, size_t errlen);
/**
 * Writes a consistent copy of the whole store to a new SQLite file at path (an existing file
 * is refused with TCA_ECONFLICT and left alone; a failed copy leaves no file). SQLite: the
 * online backup API in one read snapshot, while other processes go on writing. MariaDB:
 * TCA_EINVAL, the message naming `mariadb-dump --single-transaction` (docs/OPERATIONS.md).
 */
int store_backup(struct store *st, const char *path, char *err, size_t errlen);
/**
 * Re-packs every table and gives the free pages back to the file system; *before and *after
 * receive the store's size in bytes. SQLite: VACUUM, which rewrites the whole file and holds
 * the write lock meanwhile (captures wait on busy_timeout), and needs as much free disk again.
 * MariaDB: TCA_EINVAL, the message naming OPTIMIZE TABLE (docs/OPERATIONS.md).
 */
int store_compact(struct store *st, int64_t *before, int64_t *after, char *err, size_t errlen);

/* ---- users and their OAuth tokens ----------------------------------------------------- */

struct store_user {
    int64_t id; /* Twitch user id */
    char login[32];
    char display_name[128];
    int64_t last_login_ms;
};

/** Inserts or updates a tca user (someone who logged in). */
int store_user_upsert(struct store *st, const struct store_user *u, char *err, size_t errlen);
/** Reads a user; TCA_ENOTFOUND if absent. */
int store_user_get(struct store *st, int64_t id, struct store_user *out, char *err, size_t errlen);
/** The user who logged in most recently (the CLI's default user); TCA_ENOTFOUND if none. */
int store_user_latest(struct store *st, struct store_user *out, char *err, size_t errlen);

/** OAuth tokens as stored: both tokens sealed (base/crypto.h), never plain text. */
struct store_token {
    int64_t user_id;
    char *access_sealed;  /* owned */
    char *refresh_sealed; /* owned; may be NULL */
    int64_t expires_at_ms;
    int64_t validated_at_ms;
    char scopes[256]; /* space-separated */
};

/**
 * Turns one sealed text of user_id into a new one (*out, the store frees it); 0 or a TCA_E*
 * code with err filled, which stops store_token_reseal.
 */
typedef int (*store_reseal_fn)(void *ctx, int64_t user_id, const char *sealed, char **out,
                               char *err, size_t errlen);
/**
 * Rewrites the sealed access and refresh token of every row of oauth_tokens through fn, in
 * one transaction: all rows change, or (fn or the store failing) none. *n: the rows changed.
 */
int store_token_reseal(struct store *st, store_reseal_fn fn, void *ctx, size_t *n, char *err,
                       size_t errlen);
/** Inserts or replaces the tokens of token->user_id. */
int store_token_put(struct store *st, const struct store_token *token, char *err, size_t errlen);
/** Reads the tokens of a user; TCA_ENOTFOUND if none. Release with store_token_clear. */
int store_token_get(struct store *st, int64_t user_id, struct store_token *out, char *err,
                    size_t errlen);
/** Records a successful validation time. */
int store_token_validated(struct store *st, int64_t user_id, int64_t at_ms, char *err,
                          size_t errlen);
/** Deletes the tokens of a user (logout, revoked). */
int store_token_delete(struct store *st, int64_t user_id, char *err, size_t errlen);
/** Frees the owned strings of a token; safe on a zeroed struct. */
void store_token_clear(struct store_token *token);
/**
 * Users whose tokens were last validated before validated_before_ms, at most limit of them.
 * *user_ids is the caller's to free().
 */
int store_token_stale(struct store *st, int64_t validated_before_ms, size_t limit,
                      int64_t **user_ids, size_t *n, char *err, size_t errlen);

/* ---- channels --------------------------------------------------------------------------- */

struct store_channel {
    int64_t id; /* the broadcaster's Twitch user id */
    char login[32];
    char display_name[128];
};

/** Inserts or updates a channel. */
int store_channel_upsert(struct store *st, const struct store_channel *c, char *err, size_t errlen);
/** Reads a channel by id; TCA_ENOTFOUND if absent. */
int store_channel_get(struct store *st, int64_t id, struct store_channel *out, char *err,
                      size_t errlen);
/** Reads a channel by login (case-insensitive); TCA_ENOTFOUND if absent. */
int store_channel_by_login(struct store *st, const char *login, struct store_channel *out,
                           char *err, size_t errlen);

/* ---- analysis sessions ------------------------------------------------------------------ */

struct store_session {
    int64_t id;
    int64_t user_id;
    int active; /* the one session that collects new captures for this user */
    int saved;
    char label[128];
    int64_t created_at_ms;
    int64_t updated_at_ms;
    int64_t captures; /* number of captures stored in it */
};

/** The user's active session, created if there is none. */
int store_session_active(struct store *st, int64_t user_id, int64_t now_ms, int64_t *session_id,
                         char *err, size_t errlen);
/** Reads a session; TCA_ENOTFOUND if absent. */
int store_session_get(struct store *st, int64_t id, struct store_session *out, char *err,
                      size_t errlen);
/** Every session of a user, newest first; *out is the caller's to free(). */
int store_session_list(struct store *st, int64_t user_id, struct store_session **out, size_t *n,
                       char *err, size_t errlen);

/* ---- capture schedule: which channels of a session are captured, how often -------------- */

struct store_schedule {
    int64_t session_id;
    int64_t channel_id;
    int64_t user_id;    /* owner of the session, whose token captures */
    int interval_s;     /* 0: manual captures only */
    int64_t next_at_ms; /* next periodic capture */
    int64_t stop_at_ms; /* 0: no stop time */
    int enabled;
};

/** Adds the channel to the session (if needed) and sets its periodic capture. */
int store_schedule_set(struct store *st, const struct store_schedule *s, char *err, size_t errlen);
/** Stops periodic capture of a channel of a session (the channel stays in the session). */
int store_schedule_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                        size_t errlen);
/**
 * Every enabled schedule with interval_s > 0 and next_at_ms <= now_ms, in active sessions.
 * Schedules whose stop_at_ms has passed are disabled instead of returned. *out is the
 * caller's to free().
 */
int store_schedule_due(struct store *st, int64_t now_ms, struct store_schedule **out, size_t *n,
                       char *err, size_t errlen);
/** Moves a schedule's next capture time. */
int store_schedule_advance(struct store *st, int64_t session_id, int64_t channel_id,
                           int64_t next_at_ms, char *err, size_t errlen);

/* ---- jobs: a durable queue with leases, retries and a dead-letter state ----------------- */

enum store_job_state { JOB_QUEUED = 0, JOB_RUNNING = 1, JOB_DONE = 2, JOB_FAILED = 3 };

struct store_job {
    int64_t id;
    char kind[16];       /* "capture", "enrich" */
    char dedupe_key[96]; /* "" when none */
    char *payload;       /* owned JSON text */
    enum store_job_state state;
    int attempts; /* claims so far, this one included */
    int64_t run_at_ms;
    int64_t lease_until_ms;
    int64_t created_at_ms;
    int64_t updated_at_ms;
    char *last_error; /* owned; NULL if none */
};

/**
 * Enqueues a job. When dedupe_key is non-NULL and a queued or running job has the same key,
 * nothing is added, *job_id is that job's id and TCA_ECONFLICT is returned: this is what
 * keeps two captures of one channel from running at once.
 */
int store_job_enqueue(struct store *st, const char *kind, const char *dedupe_key,
                      const char *payload, int64_t run_at_ms, int64_t *job_id, char *err,
                      size_t errlen);
/**
 * Claims the oldest due job: queued with run_at_ms <= now_ms, or running with an expired
 * lease (a crashed worker's). Sets it running with lease_until = now_ms + lease_ms and
 * attempts + 1. TCA_ENOTFOUND when nothing is due. Release out with store_job_clear.
 */
int store_job_claim(struct store *st, int64_t now_ms, int64_t lease_ms, struct store_job *out,
                    char *err, size_t errlen);
/** Extends the lease of a running job (long captures heartbeat through this). */
int store_job_extend(struct store *st, int64_t job_id, int64_t lease_until_ms, char *err,
                     size_t errlen);
/** Marks a job done. */
int store_job_done(struct store *st, int64_t job_id, char *err, size_t errlen);
/** Puts a job back in the queue to run at run_at_ms, keeping the error. */
int store_job_retry(struct store *st, int64_t job_id, const char *error, int64_t run_at_ms,
                    char *err, size_t errlen);
/** Moves a job to the dead-letter state, keeping the error. */
int store_job_fail(struct store *st, int64_t job_id, const char *error, char *err, size_t errlen);
/** Reads a job; TCA_ENOTFOUND if absent. Release with store_job_clear. */
int store_job_get(struct store *st, int64_t job_id, struct store_job *out, char *err,
                  size_t errlen);
/** Frees the owned strings of a job; safe on a zeroed struct. */
void store_job_clear(struct store_job *job);
/** Counts jobs by state (counts[JOB_QUEUED] ...). */
int store_job_counts(struct store *st, int64_t counts[4], char *err, size_t errlen);

/* ---- captures and presence intervals ---------------------------------------------------- */

/**
 * The open stays of a channel in a session (chatters present at its last capture), sorted by
 * user id, and the seq of that last capture (0 if none). *user_ids is the caller's to free().
 */
int store_presence_open(struct store *st, int64_t session_id, int64_t channel_id,
                        int64_t **user_ids, size_t *n, int64_t *last_seq, char *err, size_t errlen);
/**
 * store_presence_open with, for each open stay, the chatter_name_hash of the name its chatter
 * had at the last capture (0 for stays stored before names were tracked), in *name_hashes
 * (parallel to *user_ids, the caller's to free()): what chatter_renamed compares against.
 */
int store_presence_open_named(struct store *st, int64_t session_id, int64_t channel_id,
                              int64_t **user_ids, int64_t **name_hashes, size_t *n,
                              int64_t *last_seq, char *err, size_t errlen);

/** One capture, already diffed against the open stays by the caller. */
struct store_capture_input {
    int64_t session_id;
    int64_t channel_id;
    int64_t seq; /* must be last_seq + 1, else TCA_ECONFLICT and nothing is written */
    int64_t taken_at_ms;
    int pages;
    int64_t duration_ms;
    const struct chatter *chatters; /* the full set, sorted by id, unique */
    size_t n_chatters;
    const int64_t *joined; /* sorted: in chatters, not open before */
    size_t n_joined;
    const int64_t *left; /* sorted: open before, not in chatters */
    size_t n_left;
    /* sorted: in chatters and open before, under another name than their stay recorded
     * (chatter_renamed); each is checked against the last known name, so a rename another
     * channel's capture already recorded is not counted twice */
    const int64_t *renamed;
    size_t n_renamed;
    int64_t job_id; /* if > 0, this job is marked done in the same transaction */
};

struct store_capture_result {
    int64_t capture_id;
    int64_t seq;
    int64_t chatter_count;
    int64_t joined;
    int64_t left;
    int64_t new_to_channel; /* joined chatters never seen in this channel before */
    int64_t renames;        /* chatters whose login or display name changed (see below) */
};

/**
 * Stores one capture in one transaction: the capture row, new stays for joined chatters,
 * closed stays for those who left (to_seq = seq - 1), the per-channel chatter history,
 * placeholder profiles for chatters never seen, renames, and the job's completion.
 * Either all of it is written or nothing.
 *
 * A rename is a joined or renamed chatter whose login or display name differs from the last
 * known one (twitch_users): it adds a row to the name history at taken_at_ms (preceded, when
 * the history was empty, by the previous name) and updates the profile and the chatter's
 * open stays in the session. A return to an earlier name (A -> B -> A) is a rename too; the
 * same name seen again is not. (A return to the name a stay holds, the other name having
 * been seen only in another session, is counted when the chatter next joins.)
 */
int store_capture_commit(struct store *st, const struct store_capture_input *in,
                         struct store_capture_result *out, char *err, size_t errlen);

struct store_capture {
    int64_t id;
    int64_t session_id;
    int64_t channel_id;
    int64_t seq;
    int64_t taken_at_ms;
    int64_t chatter_count;
    int64_t joined;
    int64_t left;
    int64_t new_to_channel;
    int pages;
    int64_t duration_ms;
    int64_t renames; /* renames this capture recorded */
    /* joiners at their first stay of the session never seen in the channel by an earlier
     * session of the session's owner (the statistics' new_to_channel), kept at capture time;
     * -1 when the back end keeps no such aggregate or the capture predates it */
    int64_t new_to_owner;
    /* joiners at their first stay of the session in the channel (their sum over the channel's
     * captures is its unique chatters), kept at capture time; -1 as new_to_owner */
    int64_t first_stays;
};

/** Captures of a session (channel_id 0: all channels), by time. *out is the caller's. */
int store_capture_list(struct store *st, int64_t session_id, int64_t channel_id,
                       struct store_capture **out, size_t *n, char *err, size_t errlen);

/**
 * Captures stored and the renames they recorded, over the whole store (for /metrics). On
 * SQLite, counters that purging or deleting sessions does not lower; on MariaDB, counted from
 * the captures table (a counter row would serialize every worker's capture commits).
 */
int store_capture_totals(struct store *st, int64_t *captures, int64_t *renames, char *err,
                         size_t errlen);

/** A stay: chatter present at every capture from from_seq to to_seq (0: still present). */
struct store_stay {
    int64_t user_id;
    int64_t channel_id;
    int64_t from_seq;
    int64_t to_seq;
};

/** Every stay of a session (channel_id 0: all channels). *out is the caller's to free(). */
int store_stay_list(struct store *st, int64_t session_id, int64_t channel_id,
                    struct store_stay **out, size_t *n, char *err, size_t errlen);
/** Called once per stay; a non-zero return stops the listing and is returned. */
typedef int (*store_stay_fn)(void *ctx, const struct store_stay *stay);
/**
 * The stays of store_stay_list streamed one at a time, in the same order (user, channel,
 * from_seq), from one read snapshot: for readers that keep them in their own form or hand
 * their chatters on while the scan goes on (report/profile_feed.h).
 */
int store_stays_each(struct store *st, int64_t session_id, int64_t channel_id, store_stay_fn fn,
                     void *ctx, char *err, size_t errlen);

/* ---- Twitch user profiles and their name history --------------------------------------- */

struct store_profile {
    int64_t id;
    char login[32];
    char display_name[128];
    char type[16];             /* "", "admin", "global_mod", "staff" */
    char broadcaster_type[16]; /* "", "affiliate", "partner" */
    int64_t created_at_ms;     /* account creation; 0 if not enriched yet */
    int64_t enriched_at_ms;    /* 0 if never */
};

/**
 * Ids of chatters of a session whose profile was never enriched or was enriched before
 * stale_before_ms, at most limit of them. *ids is the caller's to free().
 */
int store_profile_stale(struct store *st, int64_t session_id, int64_t stale_before_ms, size_t limit,
                        int64_t **ids, size_t *n, char *err, size_t errlen);
/**
 * Stores enriched profiles (enriched_at_ms set by the caller). A login or display name that
 * differs from the stored one adds a row to the name history. *renames receives how many.
 */
int store_profile_put(struct store *st, const struct store_profile *p, size_t n, int *renames,
                      char *err, size_t errlen);
/** Reads one profile; TCA_ENOTFOUND if absent. */
int store_profile_get(struct store *st, int64_t id, struct store_profile *out, char *err,
                      size_t errlen);

struct store_name {
    char login[32];
    char display_name[128];
    int64_t seen_at_ms;
};

/** The name history of a user, oldest first. *out is the caller's to free(). */
int store_name_history(struct store *st, int64_t user_id, struct store_name **out, size_t *n,
                       char *err, size_t errlen);

/* ---- export --------------------------------------------------------------------------- */

/** One chatter of a session, aggregated over the session's channels. */
struct store_export_row {
    int64_t user_id;
    char login[32];
    char display_name[128];
    int64_t created_at_ms;   /* 0 if not enriched */
    int64_t captures_seen;   /* captures in which the chatter was present */
    int64_t first_seen_ms;   /* time of the first such capture */
    int64_t last_seen_ms;    /* time of the last such capture */
    int64_t time_present_ms; /* sum over stays of taken_at(to) - taken_at(from) */
};

/** Called once per row; a non-zero return stops the export and is returned. */
typedef int (*store_export_fn)(void *ctx, const struct store_export_row *row);

/**
 * Streams the chatters of a session ordered by user id, with bounded memory. *total (may be
 * NULL) receives the number of rows before the first callback, for progress reports.
 */
int store_export_session(struct store *st, int64_t session_id, int64_t *total, store_export_fn fn,
                         void *ctx, char *err, size_t errlen);

/**
 * Says that the reads until store_scan_hint(st, 0) are one-pass scans of a whole session (an
 * export): the back end may keep less of them cached meanwhile. A hint: it never fails.
 */
void store_scan_hint(struct store *st, int scanning);

/* ---- gateway: login sessions, OAuth states, API keys, session management ------------- */

/** A browser login: only the keyed hash of its id is stored (base/crypto.h). */
struct store_login {
    char id_hash[65];
    int64_t user_id;
    char csrf[48]; /* the CSRF token every state-changing request must carry */
    int64_t created_at_ms;
    int64_t last_seen_ms;  /* for the idle expiry */
    int64_t expires_at_ms; /* absolute expiry */
};

/** Stores a new login session. */
int store_login_create(struct store *st, const struct store_login *l, char *err, size_t errlen);
/** Reads a login session by id hash; TCA_ENOTFOUND if absent. */
int store_login_get(struct store *st, const char *id_hash, struct store_login *out, char *err,
                    size_t errlen);
/** Records activity on a login session (idle expiry restarts). */
int store_login_touch(struct store *st, const char *id_hash, int64_t now_ms, char *err,
                      size_t errlen);
/** Ends one login session; ending an absent one is not an error. */
int store_login_delete(struct store *st, const char *id_hash, char *err, size_t errlen);
/** Ends every login session of a user (their Twitch token was revoked). */
int store_login_delete_user(struct store *st, int64_t user_id, char *err, size_t errlen);
/**
 * Removes login sessions idle since before idle_before_ms or past their absolute expiry, and
 * expired OAuth states. *removed (may be NULL) counts the login sessions removed.
 */
int store_login_sweep(struct store *st, int64_t idle_before_ms, int64_t now_ms, int *removed,
                      char *err, size_t errlen);

/** Remembers an OAuth state (its hash) until expires_at_ms. */
int store_oauth_state_put(struct store *st, const char *state_hash, int64_t expires_at_ms,
                          char *err, size_t errlen);
/** Consumes an OAuth state: 0 if it existed and had not expired, else TCA_ENOTFOUND. */
int store_oauth_state_take(struct store *st, const char *state_hash, int64_t now_ms, char *err,
                           size_t errlen);

struct store_api_key {
    int64_t id;
    int64_t user_id;
    char key_hash[65];
    char name[64];
    char prefix[16]; /* the first characters of the key, to recognise it in a list */
    int read_only;
    int64_t created_at_ms;
    int64_t last_used_ms;
    int64_t revoked_at_ms; /* 0: active */
};

/** Stores a new API key (hash only); *id receives its id. */
int store_api_key_create(struct store *st, const struct store_api_key *k, int64_t *id, char *err,
                         size_t errlen);
/** Finds an active (unrevoked) key by hash; TCA_ENOTFOUND otherwise. */
int store_api_key_by_hash(struct store *st, const char *key_hash, struct store_api_key *out,
                          char *err, size_t errlen);
/** Every key of a user, revoked ones included, newest first; *out is the caller's to free(). */
int store_api_key_list(struct store *st, int64_t user_id, struct store_api_key **out, size_t *n,
                       char *err, size_t errlen);
/** Revokes key id of user_id; TCA_ENOTFOUND if it is not theirs or already revoked. */
int store_api_key_revoke(struct store *st, int64_t user_id, int64_t id, int64_t now_ms, char *err,
                         size_t errlen);

/** A channel a user may capture: their own ("broadcaster") or one they moderate. */
struct store_user_channel {
    struct store_channel channel;
    char role[16]; /* "broadcaster" or "moderator" */
    int live;
    int64_t viewers; /* viewer count of the live stream; 0 when offline */
    int64_t checked_at_ms;
};

/** Replaces the channels user_id may capture (and upserts the channels themselves). */
int store_user_channels_set(struct store *st, int64_t user_id, const struct store_user_channel *c,
                            size_t n, int64_t now_ms, char *err, size_t errlen);
/** The channels user_id may capture, by login; *out is the caller's to free(). */
int store_user_channels(struct store *st, int64_t user_id, struct store_user_channel **out,
                        size_t *n, char *err, size_t errlen);
/** 0 when user_id may capture channel_id (as last checked), else TCA_ENOTFOUND. */
int store_user_channel_allowed(struct store *st, int64_t user_id, int64_t channel_id, char *err,
                               size_t errlen);

/** Saves a session with a label; TCA_ELIMIT when the user already has max_saved others. */
int store_session_save(struct store *st, int64_t session_id, const char *label, int max_saved,
                       int64_t now_ms, char *err, size_t errlen);
/** Relabels a session. */
int store_session_label(struct store *st, int64_t session_id, const char *label, int64_t now_ms,
                        char *err, size_t errlen);
/** Ends the user's active session (the next capture starts a new one); none is not an error. */
int store_session_deactivate(struct store *st, int64_t user_id, int64_t now_ms, char *err,
                             size_t errlen);
/**
 * Removes a session's captures and stays, keeping the session and its channels, and the
 * chatters' visits for the history of later sessions (store_channel_kept_visits).
 */
int store_session_purge(struct store *st, int64_t session_id, int64_t now_ms, char *err,
                        size_t errlen);
/** Deletes a session with its captures, stays, channels and queued jobs; as purging, it
 * keeps the chatters' visits for the history of later sessions. */
int store_session_delete(struct store *st, int64_t session_id, char *err, size_t errlen);
/** Deletes unsaved sessions with no activity since before_ms; *removed (may be NULL) counts. */
int store_session_sweep(struct store *st, int64_t before_ms, int *removed, char *err,
                        size_t errlen);
/** Every channel of a session with its schedule; *out is the caller's to free(). */
int store_session_schedules(struct store *st, int64_t session_id, struct store_schedule **out,
                            size_t *n, char *err, size_t errlen);
/** The capture jobs of a session, newest first, at most limit; release each, then free(). */
int store_session_jobs(struct store *st, int64_t session_id, size_t limit, struct store_job **out,
                       size_t *n, char *err, size_t errlen);
/** Age of the oldest queued job that is due (0 if none): the queue's lag for /metrics. */
int store_job_oldest_due(struct store *st, int64_t now_ms, int64_t *age_ms, char *err,
                         size_t errlen);

/** Capture while live: the channel is captured every interval_s while its stream is live. */
struct store_live_watch {
    int64_t session_id;
    int64_t channel_id;
    int64_t user_id;
    int interval_s;
    int live; /* as last seen */
};

/** Starts (or updates) a live watch. */
int store_live_watch_set(struct store *st, const struct store_live_watch *w, char *err,
                         size_t errlen);
/** Stops a live watch; TCA_ENOTFOUND if there was none. */
int store_live_watch_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                          size_t errlen);
/** Every live watch in active sessions; *out is the caller's to free(). */
int store_live_watch_list(struct store *st, struct store_live_watch **out, size_t *n, char *err,
                          size_t errlen);

/* ---- analysis inputs and known bots ----------------------------------------------------- */

/** A channel captured in a session. */
struct store_session_channel {
    int64_t channel_id;
    char login[32];
    char display_name[128];
    int64_t captures;    /* captures of this channel in the session */
    int64_t first_at_ms; /* time of its first and last capture */
    int64_t last_at_ms;
};

/** The channels a session captured, by login. *out is the caller's to free(). */
int store_session_channels(struct store *st, int64_t session_id, struct store_session_channel **out,
                           size_t *n, char *err, size_t errlen);

/** A session that captured a channel. */
struct store_channel_session {
    int64_t session_id;
    int64_t user_id; /* the session's owner */
    int64_t captures;
    int64_t first_at_ms;
    int64_t last_at_ms;
};

/**
 * The sessions that captured channel_id (owner_id 0: anyone's; else that user's only), by
 * time of their first capture of it. *out is the caller's to free().
 */
int store_channel_sessions(struct store *st, int64_t channel_id, int64_t owner_id,
                           struct store_channel_session **out, size_t *n, char *err, size_t errlen);

/** A chatter's presence in one channel of one session. */
struct store_visit {
    int64_t user_id;
    int64_t first_seq;    /* first capture present */
    int64_t last_seen_ms; /* time of the last capture present */
};

/** Every chatter of (session, channel), by user id. *out is the caller's to free(). */
int store_channel_visits(struct store *st, int64_t session_id, int64_t channel_id,
                         struct store_visit **out, size_t *n, char *err, size_t errlen);

/** A chatter's visit of a channel in a session that was purged or deleted since. */
struct store_kept_visit {
    int64_t session_id;
    int64_t user_id;
    int64_t first_seq;           /* first capture present */
    int64_t last_seen_ms;        /* time of the last capture present */
    int64_t session_first_at_ms; /* the session's first capture of the channel */
};

/**
 * The visits of channel_id kept from owner_id's purged and deleted sessions (purging and
 * deleting keep them, so "returning" in later sessions never changes), by user then
 * session start. *out is the caller's to free().
 */
int store_channel_kept_visits(struct store *st, int64_t channel_id, int64_t owner_id,
                              struct store_kept_visit **out, size_t *n, char *err, size_t errlen);

/** A chatter's profile as far as it is known (login may be "" when never seen by name). */
struct store_chatter_profile {
    int64_t user_id;
    char login[32];
    char display_name[128];
    int64_t created_at_ms; /* 0 if not enriched */
};

/**
 * The profiles of every chatter of a session (channel_id 0: all its channels), by user id.
 * *out is the caller's to free().
 */
int store_session_profiles(struct store *st, int64_t session_id, int64_t channel_id,
                           struct store_chatter_profile **out, size_t *n, char *err, size_t errlen);

/** Called once per profile; a non-zero return stops the listing and is returned. */
typedef int (*store_profile_fn)(void *ctx, const struct store_chatter_profile *p);

/** The same profiles streamed one at a time, for callers that keep them in a smaller form. */
int store_session_profiles_each(struct store *st, int64_t session_id, int64_t channel_id,
                                store_profile_fn fn, void *ctx, char *err, size_t errlen);

/** What store_profiles_each reads beside the id, the login and the creation time. */
enum store_profile_fields {
    STORE_PROFILE_LEAN = 0,    /* display_name left "" */
    STORE_PROFILE_DISPLAY = 1, /* display_name read too */
};

/**
 * The profiles of ids (ascending, no repeats: for example a session's chatters from its stays),
 * one call of fn per id in that order, an id without a profile with empty names and
 * created_at_ms 0. Reads only the fields asked for, so a reader that already holds the ids
 * pays neither a second pass over the stays nor names it does not keep.
 */
int store_profiles_each(struct store *st, const int64_t *ids, size_t n, unsigned fields,
                        store_profile_fn fn, void *ctx, char *err, size_t errlen);
/**
 * Hands store_profiles_pull its next ids: *n of them (ascending, after every id handed before;
 * the array stays valid until the next call), or NULL or *n 0 when there are no more.
 */
typedef const int64_t *(*store_ids_fn)(void *ctx, size_t *n);
/**
 * store_profiles_each over ids that arrive while it reads, next() called whenever the ids it
 * handed are read: one cursor and one read snapshot, taken after next() first returns (so no
 * earlier than the scan that produces the ids). For a reader fed by another thread's scan
 * (report/profile_feed.h).
 */
int store_profiles_pull(struct store *st, store_ids_fn next, void *next_ctx, unsigned fields,
                        store_profile_fn fn, void *ctx, char *err, size_t errlen);

/** One row of a name history, with its user. */
struct store_name_row {
    int64_t user_id;
    char login[32];
    char display_name[128];
    int64_t seen_at_ms;
};

/**
 * The name history rows of the chatters of a session who have more than one row, by user
 * then time. *out is the caller's to free().
 */
int store_session_names(struct store *st, int64_t session_id, struct store_name_row **out,
                        size_t *n, char *err, size_t errlen);

/** One chatter present at a capture. */
struct store_capture_chatter {
    int64_t user_id;
    char login[32]; /* the names as they were at that capture (from the name history) */
    char display_name[128];
    int64_t created_at_ms;
    int64_t stay_from_seq; /* the capture where this chatter's current stay began */
};

/** Called once per chatter; a non-zero return stops the listing and is returned. */
typedef int (*store_capture_chatter_fn)(void *ctx, const struct store_capture_chatter *c);

/**
 * Streams the exact chatter list of capture seq of (session, channel), by user id, from the
 * stays (from_seq <= seq <= to_seq). *total (may be NULL) receives the capture's chatter
 * count before the first callback. TCA_ENOTFOUND when there is no such capture.
 */
int store_capture_chatters(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                           int64_t *total, store_capture_chatter_fn fn, void *ctx, char *err,
                           size_t errlen);

/** A chatter's presence in one channel of one session, summed over stays. */
struct store_chatter_session {
    int64_t session_id;
    int64_t channel_id;
    int64_t captures_seen;
    int64_t first_seen_ms;
    int64_t last_seen_ms;
    int64_t time_present_ms;
};

/**
 * Every (session, channel) of owner_id's sessions in which user_id was seen, by first seen.
 * *out is the caller's to free().
 */
int store_chatter_sessions(struct store *st, int64_t owner_id, int64_t user_id,
                           struct store_chatter_session **out, size_t *n, char *err, size_t errlen);

/** A known bot: an account whose presence says nothing about the audience. */
struct store_known_bot {
    char login[32];  /* lowercase */
    int64_t user_id; /* 0 when only the login is known */
    char kind[16];   /* "service" (chat bots) or "lurker" (viewer-list bots) */
    int builtin;     /* 1: from tca's built-in list */
    int64_t added_at_ms;
};

/**
 * The known-bots list of owner_id: the built-in list, minus what the user removed, plus what
 * the user added, by login. *out is the caller's to free().
 */
int store_bot_list(struct store *st, int64_t owner_id, struct store_known_bot **out, size_t *n,
                   char *err, size_t errlen);
/**
 * Adds (or updates) bots on owner_id's list in one transaction; *added (may be NULL)
 * receives how many were not on the list before. Logins must be valid (lowercased here).
 */
int store_bot_add(struct store *st, int64_t owner_id, const struct store_known_bot *bots, size_t n,
                  int64_t now_ms, size_t *added, char *err, size_t errlen);
/** Takes login off owner_id's list (a built-in entry is hidden); TCA_ENOTFOUND if absent. */
int store_bot_remove(struct store *st, int64_t owner_id, const char *login, char *err,
                     size_t errlen);

#endif
