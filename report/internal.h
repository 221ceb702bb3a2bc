/*
 * What the report files share: one session loaded from the store into the shapes analysis/
 * reads, with its flags computed, and small JSON helpers. Internal to report/.
 */
#ifndef TCA_REPORT_INTERNAL_H
#define TCA_REPORT_INTERNAL_H

#include "analysis/flags.h"
#include "analysis/followers.h"
#include "analysis/participation.h"
#include "analysis/stays.h"
#include "report/report.h"
#include "store/store_followers.h"

/** One channel of a loaded session; owns every array. */
struct rp_channel {
    struct store_session_channel info;
    struct an_capture *captures;
    size_t n_captures;
    struct an_stay *stays; /* without excluded accounts */
    size_t n_stays;
    struct an_stay *all_stays; /* every stay, for flags */
    size_t n_all_stays;
    struct an_channel ch;       /* over stays */
    struct an_channel all_ch;   /* over all_stays */
    struct an_history *history; /* by user_id: chatters seen in earlier sessions */
    size_t n_history;
    struct an_visit *visits; /* what history points into */
    size_t n_earlier;        /* earlier sessions of the user that captured this channel */
};

/** A chatter as reports show it; the strings point into the pool of its rp_data. */
struct rp_person {
    int64_t user_id;
    int64_t created_at_ms; /* 0 if not enriched */
    const char *login;
    const char *display_name;
};

/** A loaded session; owns everything. */
struct rp_data {
    struct store_session session;
    struct rp_channel *channels;
    size_t n_channels;
    struct rp_person *people; /* every chatter of the selected channels, by id */
    size_t n_people;
    char *pool;                  /* their logins and display names */
    struct an_profile *profiles; /* all of people (logins borrowed from the pool) */
    size_t n_profiles;
    struct an_profile *kept; /* profiles minus excluded accounts (profiles itself if none) */
    size_t n_kept;
    struct store_name_row *name_rows;
    struct an_name *names;
    size_t n_names;
    struct an_flags flags; /* computed over every chatter, exclusion or not */
    struct an_creation_days flag_days;
    struct an_clusters flag_clusters;
    struct an_multi *multi;
    size_t n_multi;
    struct an_renamer *renamers;
    size_t n_renamers;
};

/** Loads session_id of user_id with the options' filter and exclusion; free with rp_free. */
int rp_load(struct store *st, int64_t user_id, int64_t session_id, const struct report_options *o,
            struct rp_data *d, char *err, size_t errlen);
/** What rp_load_part reads of the chatters' profiles. */
enum rp_profiles {
    RP_NO_PROFILES = 0,   /* none (unless o excludes accounts: then RP_PROFILES_LEAN) */
    RP_PROFILES = 1,      /* logins, display names and creation times */
    RP_PROFILES_LEAN = 2, /* logins and creation times; every display name "" */
};
/** rp_load, but with profiles RP_NO_PROFILES (and no exclusion in o) neither profiles, names
 * nor flags are loaded: people, profiles, names and flags stay empty. For documents that use
 * none of them; RP_PROFILES_LEAN for documents that show no display name. */
int rp_load_part(struct store *st, int64_t user_id, int64_t session_id,
                 const struct report_options *o, int profiles, struct rp_data *d, char *err,
                 size_t errlen);
/** rp_load_part, the profiles read on aside (another connection to the same store, NULL:
 * none) by a second thread while st scans the stays (report/profile_feed.h). */
int rp_load_part_aside(struct store *st, struct store *aside, int64_t user_id, int64_t session_id,
                       const struct report_options *o, int profiles, struct rp_data *d, char *err,
                       size_t errlen);
/** rp_load, the profiles read on aside (another connection to the same store, NULL: none) by
 * a second thread while st reads the stays and the history. With flags 0 and no
 * exclusion in o, the flags are left to the caller (rp_compute_flags, d->flags freed first). */
int rp_load_aside(struct store *st, struct store *aside, int64_t user_id, int64_t session_id,
                  const struct report_options *o, int flags, struct rp_data *d, char *err,
                  size_t errlen);
/** Frees everything; safe on a zeroed struct. */
void rp_free(struct rp_data *d);

/* The steps of rp_load, for loaders that need only some of it (export_pass.c). */
/** Fills d->channels with the session's channels the filter names (d->session read). */
int rp_pick_channels(struct store *st, struct rp_data *d, const struct report_options *o, char *err,
                     size_t errlen);
/** The chatters of every loaded channel's stays, sorted and unique (caller frees). */
int64_t *rp_stay_ids(const struct rp_data *d, size_t *n);
/** Reads c's captures and stays into c (all_stays, all_ch). */
int rp_load_presence(struct store *st, struct rp_data *d, struct rp_channel *c, char *err,
                     size_t errlen);
struct rp_profile_feed;
/** Reads every loaded channel's captures and stays, handing each chatter to feed (may be NULL:
 * none) in id order as the stays come (presence_load.c). */
int rp_load_all_presence(struct store *st, struct rp_data *d, struct rp_profile_feed *feed,
                         char *err, size_t errlen);
/** Reads the name histories of d's session into d->name_rows and d->names. */
int rp_load_names(struct store *st, struct rp_data *d, char *err, size_t errlen);
/** Fills c's history with the chatters of ids (sorted, unique) seen in earlier sessions. */
int rp_load_history(struct store *st, struct rp_data *d, struct rp_channel *c, const int64_t *ids,
                    size_t n_ids, char *err, size_t errlen);
/** Computes d's flags from d->profiles, d->names and the channels' all_ch (d->flags must be
 * empty: it is replaced, not freed). */
int rp_compute_flags(struct store *st, struct rp_data *d, const struct report_options *o, char *err,
                     size_t errlen);

/** What the chatters export needs before its first row (export_pass.c); owns every array. */
struct rp_export_pass {
    struct an_flags flags; /* over every chatter of the selected channels */
    int64_t *returning;    /* chatters seen in an earlier session, sorted */
    size_t n_returning;
    int64_t *keep; /* with a channel filter: the chatters of those channels, sorted; else NULL */
    size_t n_keep;
    int64_t *channels; /* the selected channels' ids */
    size_t n_channels;
};

/** Computes the flags and new/returning status of session_id's chatters with the least memory
 * the flag rules allow; free with rp_export_pass_free. Same answers as rp_load. Meant to run
 * inside the export's store_scan_hint(st, 1): it ends and restarts the hint once the stays
 * are read (giving their scan's page cache back before the flags' peak), so st is in a scan
 * hint when it returns and the caller ends it. */
int rp_export_pass(struct store *st, int64_t user_id, int64_t session_id,
                   const struct report_options *o, struct rp_export_pass *out, char *err,
                   size_t errlen);
/** rp_export_pass, the profiles read on aside (another connection to the same store, NULL:
 * none) by a second thread while st scans the stays (report/profile_feed.h). */
int rp_export_pass_aside(struct store *st, struct store *aside, int64_t user_id, int64_t session_id,
                         const struct report_options *o, struct rp_export_pass *out, char *err,
                         size_t errlen);
/** Frees everything; safe on a zeroed struct. */
void rp_export_pass_free(struct rp_export_pass *p);
/** The profile row of user_id, or NULL. */
const struct rp_person *rp_profile(const struct rp_data *d, int64_t user_id);

/** Names of the reason bits, "|"-separated, into out. */
void rp_reason_names(uint32_t reasons, char *out, size_t len);
/** A Unix-ms time as an RFC 3339 JSON string, or null for 0. */
json_t *rp_time(int64_t ms);
/** A Twitch id as a JSON string (ids exceed what JavaScript numbers hold exactly). */
json_t *rp_id(int64_t id);

/** The channel object of the session document (participation, viewers, raids). */
json_t *rp_channel_json(const struct rp_data *d, size_t c, const struct report_options *o,
                        unsigned sections, char *err, size_t errlen);
/** Accounts of a bot wave (creation day at the flag level) or a login cluster: a new sorted
 * array (caller frees), *n receives how many. */
int64_t *rp_wave_ids(const struct rp_data *d, size_t *n);
/** One channel's follows and reads, rated (followers.c). */
struct rp_follower_channel {
    int64_t channel_id;
    const char *login;         /* borrowed from the rp_data */
    struct an_follow *follows; /* logins borrowed from rp_followers.rows */
    size_t n;
    struct an_follower_read *reads;
    int64_t *read_at; /* per read */
    size_t n_reads;
    int64_t total; /* Twitch's follower count at the last read */
};
/** The followers of a loaded session's chosen channels; free with rp_followers_free. */
struct rp_followers {
    struct store_follow *rows;
    size_t n_rows;
    struct store_follower_read *read_rows;
    size_t n_read_rows;
    struct rp_follower_channel *channels; /* as d->channels */
    size_t n_channels;
};
int rp_followers_load(struct store *st, const struct rp_data *d, struct rp_followers *f, char *err,
                      size_t errlen);
void rp_followers_free(struct rp_followers *f);
/** The "followers" object of the session document. */
json_t *rp_followers_json(const struct rp_followers *f, const struct report_options *o);
/** The followers export: one row per follow stored by the session's reads. */
int rp_export_followers(struct store *st, struct rp_data *d, const struct report_export *x,
                        const struct report_sink *sink, char *err, size_t errlen);
/** The top creation days as the accounts section lists them (accounts.c). */
json_t *rp_days_json(const struct an_creation_days *days);

/** The raids export (export_raids.c). */
int rp_export_raids(struct rp_data *d, const struct report_export *x,
                    const struct report_options *o, const struct report_sink *sink, char *err,
                    size_t errlen);
/** Participation numbers (no series) of p as JSON. */
json_t *rp_participation_json(const struct an_participation *p);

/** Account ages, top creation days, clusters (REPORT_ACCOUNTS) and suspects (REPORT_SUSPECTS). */
json_t *rp_accounts_json(const struct rp_data *d, const struct report_options *o,
                         unsigned sections);
/** Flag counts by reason, and the flagged accounts with REPORT_FLAG_LIST. */
json_t *rp_flags_json(const struct rp_data *d, const struct report_options *o, unsigned sections);
/** The overlap matrix of the chosen channels. */
json_t *rp_matrix_json(const struct rp_data *d);

#endif
