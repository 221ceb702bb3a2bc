/*
 * Configuration from the environment and an optional .env file (the environment wins).
 * Every role loads it the same way and refuses to start on the same problems that
 * `tca env-check` lists. Secrets have no defaults.
 */
#ifndef TCA_CONFIG_H
#define TCA_CONFIG_H

#include <stddef.h>

struct tca_config {
    char *twitch_client_id;     /* TWITCH_CLIENT_ID */
    char *twitch_client_secret; /* TWITCH_CLIENT_SECRET (secret) */
    char *twitch_redirect_url;  /* TWITCH_REDIRECT_URL */
    char *twitch_api_base;      /* TWITCH_API_BASE, no trailing slash */
    char *twitch_auth_base;     /* TWITCH_AUTH_BASE, no trailing slash */
    char *twitch_eventsub_url;  /* TWITCH_EVENTSUB_URL (ws:// or wss://); NULL: "off" */
    char *db;                   /* the store: TCA_STORE URL, else TCA_DB (SQLite path) */
    char *listen;               /* TCA_LISTEN: HOST:PORT */
    int capture_interval;       /* TCA_CAPTURE_INTERVAL, seconds */
    int workers;                /* TCA_WORKERS: capture threads */
    int job_lease_s;            /* TCA_JOB_LEASE: seconds before a crashed worker's job reruns */
    int followers_interval_s;   /* TCA_FOLLOWERS_INTERVAL: seconds between follower reads */
    char *app_session_secret;   /* APP_SESSION_SECRET (secret), base64 of >= 32 bytes */
    char *public_url;           /* TCA_PUBLIC_URL, no trailing slash; NULL: derived (see web) */
    int max_saved_sessions;     /* TCA_MAX_SAVED_SESSIONS: saved analysis sessions per user */
    int session_ttl_s;          /* TCA_SESSION_TTL: unsaved analysis sessions expire after */
    int login_idle_s;           /* TCA_LOGIN_IDLE: a login session ends after this idle time */
    int login_max_s;            /* TCA_LOGIN_MAX: and at the latest this long after login */
    int rate_limit;             /* TCA_RATE_LIMIT: API requests per minute per key and IP; 0 off */
    int rate_burst;             /* TCA_RATE_BURST: requests allowed at once above that rate */
    int demo;                   /* no Twitch app configured: serve runs the simulator */
    char *ui_dir;               /* TCA_UI_DIR: the web UI's files (default ui/dist) */
    char *sentiment_lexicons;   /* TCA_SENTIMENT_LEXICONS: npm folder of the lexicons */
    char *redis;                /* TCA_REDIS: redis://HOST:PORT or unix:///PATH; NULL: memory */
    int leader_lease_s;         /* TCA_LEADER_LEASE: a dead scheduler's lease runs out after */
    int live_check_s;     /* TCA_LIVE_CHECK: polling of "capture while live" (EventSub aside) */
    char *metrics_listen; /* TCA_METRICS_LISTEN: `tca worker`'s /metrics; NULL: none */
};

/** A list of human-readable configuration problems, one line each. */
struct config_problems {
    char **lines;
    size_t n;
};

/**
 * Loads the configuration from the environment, then from dotenv_path if the file exists
 * (NULL: no file). Fills cfg with values or defaults and appends every missing or malformed
 * variable to problems. Returns 0 when there is no problem, TCA_EINVAL otherwise.
 * The caller frees cfg with config_free and problems with config_problems_free.
 */
int config_load(struct tca_config *cfg, const char *dotenv_path, struct config_problems *problems);
/** Frees every string of cfg. */
void config_free(struct tca_config *cfg);
/**
 * Reads one variable the way config_load does: the environment first, then the .env file at
 * dotenv_path (NULL: none). Returns 0 with *out a copy (caller frees), or NULL when unset or
 * empty; TCA_EINVAL with the reason in err when the .env file cannot be read as one.
 */
int config_get(const char *dotenv_path, const char *key, char **out, char *err, size_t errlen);
/** Frees the lines of problems. */
void config_problems_free(struct config_problems *problems);

/** One KEY=VALUE pair of a .env file. */
struct dotenv_entry {
    char *key;
    char *value;
};

/**
 * Parses .env text: KEY=VALUE lines, `#` comments, optional `export `, single or double
 * quotes. Returns the number of entries (>= 0), written to *out (caller frees with
 * dotenv_free), or TCA_EINVAL with the line number in err.
 */
int dotenv_parse(const char *text, size_t len, struct dotenv_entry **out, char *err, size_t errlen);
/** Frees n entries returned by dotenv_parse. */
void dotenv_free(struct dotenv_entry *entries, int n);

#endif
