/*
 * Reports: the statistics of analysis/ fed from the store and rendered as JSON documents
 * (jansson) or streamed exports (CSV, JSON arrays). This is what `tca stats`, `tca export`,
 * `tca bots` and the HTTP API call. Every entry point takes the user it acts for and refuses
 * (TCA_ENOTFOUND) a session that user does not own. It must never log, read the clock for
 * a statistic, or hold a whole export in memory.
 */
#ifndef TCA_REPORT_H
#define TCA_REPORT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/accounts.h"
#include "analysis/clusters.h"
#include "analysis/flags.h"
#include "analysis/raids.h"
#include "store/store.h"

/** Most channels a filter can name. */
#define REPORT_MAX_CHANNELS 16

/** What a report computes and how; report_options_default fills every field. */
struct report_options {
    char channels[REPORT_MAX_CHANNELS][32]; /* channel logins to keep; none: every channel */
    size_t n_channels;
    uint32_t exclude;             /* AN_REASON_* bits: accounts left out of every statistic */
    struct an_wave_levels levels; /* creation-day levels (critical/suspect/watch) */
    enum an_level flag_level;     /* creation days at or above this flag their accounts */
    struct an_raid_rule raid;
    struct an_cluster_rule cluster;
    struct an_multi_rule multi; /* when being in several channels at once flags an account */
    size_t min_renames;         /* flag accounts with at least this many renames */
    size_t top_days;            /* creation days listed */
    size_t top;                 /* regulars listed */
    enum an_period period;      /* account-age histogram period */
};

/** The defaults: every channel, nothing excluded, the analysis/ defaults, flag_level suspect,
 * the multi-channel rule's defaults, min_renames 3, top_days 10, top 20, period day. */
void report_options_default(struct report_options *o);

/**
 * Sets one option by name from text, as given on the command line (--NAME VALUE) or in a
 * query string (NAME=VALUE): channel (repeatable), exclude (comma list of known_bots, wave,
 * cluster, multi_channel, renamer, flagged), critical, suspect, watch, flag_level,
 * raid_window, raid_min_baseline, raid_z, raid_min_surge, raid_min_share, raid_min_new_share,
 * cluster_window_h, cluster_min_size, cluster_min_stem, cluster_max_spread, multi_channels (with
 * another reason or a fresh account), multi_channels_alone, fresh_days, min_renames, top_days, top,
 * period (day|week|month|year). TCA_EINVAL with the reason otherwise.
 */
int report_option_set(struct report_options *o, const char *name, const char *value, char *err,
                      size_t errlen);

/** Sections of the session document (report_session). */
enum report_section {
    REPORT_PARTICIPATION = 1u << 0, /* per channel and all channels: counts, times, retention */
    REPORT_SERIES = 1u << 1,        /* the per-capture timeline of each channel */
    REPORT_VIEWERS = 1u << 2,       /* new/returning counts and regulars */
    REPORT_VIEWER_LIST = 1u << 3,   /* every chatter classified new or returning */
    REPORT_ACCOUNTS = 1u << 4,      /* age histogram, top creation days, clusters */
    REPORT_SUSPECTS = 1u << 5,      /* multi-channel accounts and renamers */
    REPORT_FLAGS = 1u << 6,         /* flag counts by reason */
    REPORT_FLAG_LIST = 1u << 7,     /* every flagged account with its reasons */
    REPORT_RAIDS = 1u << 8,         /* raids of each channel */
    REPORT_OVERLAP = 1u << 9,       /* the overlap matrix of the channels */
    REPORT_FOLLOWERS = 1u << 10,    /* new followers per capture, their accounts, follower waves */
    REPORT_CHAT = 1u << 11,         /* chat activity per channel (report/chat.h); null when off */
};

/** The sections of `tca stats --json`: everything but the long per-chatter lists. */
#define REPORT_SUMMARY                                                                             \
    (REPORT_PARTICIPATION | REPORT_SERIES | REPORT_VIEWERS | REPORT_ACCOUNTS | REPORT_SUSPECTS |   \
     REPORT_FLAGS | REPORT_RAIDS | REPORT_OVERLAP | REPORT_FOLLOWERS | REPORT_CHAT)

/** Parses a comma list of section names (summary, participation, series, viewers,
 * viewer_list, accounts, suspects, flags, flag_list, raids, overlap, followers, chat) into REPORT_*
 * bits; TCA_EINVAL with the accepted names in err otherwise (an empty list included). */
int report_sections_parse(const char *list, unsigned *out, char *err, size_t errlen);

/**
 * The statistics of one session of user_id (sections: REPORT_* bits) as a new JSON object
 * (caller json_decref). TCA_ENOTFOUND if the session is not the user's; TCA_EINVAL for a
 * filter naming a channel the session did not capture.
 */
int report_session(struct store *st, int64_t user_id, int64_t session_id,
                   const struct report_options *o, unsigned sections, json_t **out, char *err,
                   size_t errlen);
/** Whether the document of these sections reads the chatters' profiles: only then does a
 * second connection (report_session_aside) read anything. */
int report_sections_read_profiles(unsigned sections);

/**
 * report_session, the chatters' profiles read on aside (a second connection to the same store,
 * used by nobody else meanwhile; NULL: none) by a second thread while st reads the stays.
 * The same document, sooner on two cores.
 */
int report_session_aside(struct store *st, struct store *aside, int64_t user_id, int64_t session_id,
                         const struct report_options *o, unsigned sections, json_t **out, char *err,
                         size_t errlen);

/** Overlap of two sessions of user_id (channel filter of o applied to both), with the
 * shared chatters. New JSON object (caller json_decref). */
int report_overlap_sessions(struct store *st, int64_t user_id, int64_t session_a, int64_t session_b,
                            const struct report_options *o, json_t **out, char *err, size_t errlen);

/** Overlap of two channels (logins) of one session, with the shared chatters. */
int report_overlap_channels(struct store *st, int64_t user_id, int64_t session_id,
                            const char *channel_a, const char *channel_b, json_t **out, char *err,
                            size_t errlen);

/** A chatter's profile as user_id's sessions saw it: account age, name history, every
 * session and channel with time present. TCA_ENOTFOUND if no profile. */
int report_chatter(struct store *st, int64_t user_id, int64_t chatter_id, json_t **out, char *err,
                   size_t errlen);

/** A channel's whole history over user_id's sessions: each session's numbers, unique
 * chatters over all of them, and regulars by sessions attended. */
int report_channel_history(struct store *st, int64_t user_id, const char *channel_login,
                           const struct report_options *o, json_t **out, char *err, size_t errlen);

/* ---- streamed exports ---------------------------------------------------------------- */

/** Where an export goes; write returns 0 or non-zero to stop (that value is returned). */
struct report_sink {
    int (*write)(void *ctx, const char *p, size_t n);
    /** Called every few thousand rows and at the end; may be NULL. total may be 0 (unknown). */
    void (*progress)(void *ctx, int64_t done, int64_t total);
    void *ctx;
};

enum report_format { REPORT_CSV, REPORT_JSON };

/** What to export. */
enum report_export_kind {
    REPORT_EXPORT_CHATTERS,  /* one row per chatter of the session */
    REPORT_EXPORT_TIMELINE,  /* one row per capture of each channel */
    REPORT_EXPORT_CAPTURE,   /* one capture's exact chatter list (channel + seq) */
    REPORT_EXPORT_FLAGGED,   /* flagged accounts with reasons */
    REPORT_EXPORT_OVERLAP,   /* the overlap matrix, one row per pair of channels */
    REPORT_EXPORT_RAIDS,     /* the raids of each channel, stay counts empty until known */
    REPORT_EXPORT_FOLLOWERS, /* the follows the session's captures read, wave or not */
};

/** Parses "chatters", "timeline", "capture", "flagged", "overlap", "raids", "followers"; -1 if
 * unknown. */
int report_export_kind_parse(const char *name);

/** Which rows: capture_channel and capture_seq are read by REPORT_EXPORT_CAPTURE only. */
struct report_export {
    enum report_export_kind kind;
    enum report_format format;
    int64_t session_id;
    const char *capture_channel; /* login */
    int64_t capture_seq;
};

/**
 * Checks, before anything is written, what would make report_export_run fail at once: the
 * session is user_id's (else TCA_ENOTFOUND), the channel filter names captured channels
 * (TCA_EINVAL), the capture of a capture export exists (TCA_ENOTFOUND). A streamed download
 * calls it before sending its headers, since a failure after them can only cut the transfer.
 */
int report_export_check(struct store *st, int64_t user_id, const struct report_export *x,
                        const struct report_options *o, char *err, size_t errlen);
/**
 * Streams an export of user_id's session to sink: CSV (RFC 4180, UTF-8, header row, CRLF)
 * or a JSON array of objects (one per line). Rows are never all in memory; the chatters
 * export first runs the analysis needed for its flags and new/returning columns.
 */
int report_export_run(struct store *st, int64_t user_id, const struct report_export *x,
                      const struct report_options *o, const struct report_sink *sink, char *err,
                      size_t errlen);
/** report_export_run, the chatters export's profiles read on aside (a second connection to
 * the same store, used by nobody else meanwhile; NULL: none) beside its scan of the stays. */
int report_export_run_aside(struct store *st, struct store *aside, int64_t user_id,
                            const struct report_export *x, const struct report_options *o,
                            const struct report_sink *sink, char *err, size_t errlen);

/* ---- known bots ---------------------------------------------------------------------- */

/** Largest known-bots CSV accepted, and most rows. */
#define REPORT_BOTS_CSV_MAX (1024 * 1024)
#define REPORT_BOTS_MAX_ROWS 10000

/**
 * Parses a known-bots CSV (outside input): UTF-8 text, RFC 4180 quoting, rows
 * "login[,kind[,user_id]]" with an optional header row starting "login"; kind is service or
 * lurker (default lurker); blank lines and lines starting with # are skipped. Logins are
 * 1-25 of [A-Za-z0-9_] (lowercased). *out (caller frees) and *n receive the rows; on a bad
 * row TCA_EINVAL with "line N: why" in err and nothing in *out.
 */
int report_bots_csv_parse(const char *text, size_t len, struct store_known_bot **out, size_t *n,
                          char *err, size_t errlen);

/** The known-bots list of user_id as a JSON array (caller json_decref). */
int report_bots(struct store *st, int64_t user_id, json_t **out, char *err, size_t errlen);

#endif
