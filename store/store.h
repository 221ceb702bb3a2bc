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
 * Opens (creating if needed) the store at path (a SQLite file; ":memory:" for tests) and
 * applies pending migrations. WAL mode, synchronous=NORMAL, busy_timeout. Caller frees with
 * store_close.
 */
int store_open(const char *path, struct store **out, char *err, size_t errlen);
/** Closes the connection; store_close(NULL) is a no-op. */
void store_close(struct store *st);
/** Applies pending migrations; *from and *to receive the schema versions before and after. */
int store_migrate(struct store *st, int *from, int *to, char *err, size_t errlen);

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

/* ---- channels --------------------------------------------------------------------------- */

struct store_channel {
    int64_t id; /* the broadcaster's Twitch user id */
    char login[32];
    char display_name[128];
};

/** Inserts or updates a channel. */
int store_channel_upsert(struct store *st, const struct store_channel *c, char *err,
                         size_t errlen);
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
    int64_t user_id;     /* owner of the session, whose token captures */
    int interval_s;      /* 0: manual captures only */
    int64_t next_at_ms;  /* next periodic capture */
    int64_t stop_at_ms;  /* 0: no stop time */
    int enabled;
};

/** Adds the channel to the session (if needed) and sets its periodic capture. */
int store_schedule_set(struct store *st, const struct store_schedule *s, char *err,
                       size_t errlen);
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
    int attempts;        /* claims so far, this one included */
    int64_t run_at_ms;
    int64_t lease_until_ms;
    int64_t created_at_ms;
    int64_t updated_at_ms;
    char *last_error;    /* owned; NULL if none */
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
int store_job_fail(struct store *st, int64_t job_id, const char *error, char *err,
                   size_t errlen);
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
                        int64_t **user_ids, size_t *n, int64_t *last_seq, char *err,
                        size_t errlen);

/** One capture, already diffed against the open stays by the caller. */
struct store_capture_input {
    int64_t session_id;
    int64_t channel_id;
    int64_t seq;         /* must be last_seq + 1, else TCA_ECONFLICT and nothing is written */
    int64_t taken_at_ms;
    int pages;
    int64_t duration_ms;
    const struct chatter *chatters; /* the full set, sorted by id, unique */
    size_t n_chatters;
    const int64_t *joined; /* sorted: in chatters, not open before */
    size_t n_joined;
    const int64_t *left;   /* sorted: open before, not in chatters */
    size_t n_left;
    int64_t job_id;        /* if > 0, this job is marked done in the same transaction */
};

struct store_capture_result {
    int64_t capture_id;
    int64_t seq;
    int64_t chatter_count;
    int64_t joined;
    int64_t left;
    int64_t new_to_channel; /* joined chatters never seen in this channel before */
};

/**
 * Stores one capture in one transaction: the capture row, new stays for joined chatters,
 * closed stays for those who left (to_seq = seq - 1), the per-channel chatter history,
 * placeholder profiles (login only) for chatters never seen, and the job's completion.
 * Either all of it is written or nothing.
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
};

/** Captures of a session (channel_id 0: all channels), by time. *out is the caller's. */
int store_capture_list(struct store *st, int64_t session_id, int64_t channel_id,
                       struct store_capture **out, size_t *n, char *err, size_t errlen);

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
int store_profile_stale(struct store *st, int64_t session_id, int64_t stale_before_ms,
                        size_t limit, int64_t **ids, size_t *n, char *err, size_t errlen);
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
    int64_t created_at_ms;  /* 0 if not enriched */
    int64_t captures_seen;  /* captures in which the chatter was present */
    int64_t first_seen_ms;  /* time of the first such capture */
    int64_t last_seen_ms;   /* time of the last such capture */
    int64_t time_present_ms; /* sum over stays of taken_at(to) - taken_at(from) */
};

/** Called once per row; a non-zero return stops the export and is returned. */
typedef int (*store_export_fn)(void *ctx, const struct store_export_row *row);

/**
 * Streams the chatters of a session ordered by user id, with bounded memory. *total (may be
 * NULL) receives the number of rows before the first callback, for progress reports.
 */
int store_export_session(struct store *st, int64_t session_id, int64_t *total,
                         store_export_fn fn, void *ctx, char *err, size_t errlen);

/* ---- gateway: login sessions, OAuth states, API keys, session management ------------- */

/* ---- analysis inputs and known bots ----------------------------------------------------- */

#endif
