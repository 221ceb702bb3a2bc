/*
 * The gateway: the HTTP face of tca on libmicrohttpd. Twitch login (authorization code),
 * login sessions with CSRF tokens, channels, analysis sessions and capture control, API keys
 * with rate limits, /healthz, /readyz, /metrics and the OpenAPI document, all under one
 * router. `tca gateway` runs it alone; `tca serve` runs it next to the workers.
 *
 * It never logs a secret, a token, a session id or an API key (the access log has the
 * route, status, duration and user id only), and never answers a 500 for a Twitch refusal.
 */
#ifndef TCA_WEB_H
#define TCA_WEB_H

#include <stddef.h>
#include <stdint.h>

#include "base/config.h"
#include "base/crypto.h"
#include "base/metrics.h"
#include "twitch/twitch.h"

struct kv;

struct web;

struct web_options {
    const char *listen;            /* HOST:PORT; port 0 lets the OS pick */
    const char *db_path;           /* the store every request thread opens */
    const char *public_url;        /* what browsers use; NULL: http://HOST:PORT as bound */
    const char *redirect_url;      /* OAuth redirect; NULL: public_url + /auth/callback */
    struct twitch_settings twitch; /* per request thread; its strings must outlive the gateway */
    const struct crypto_keys *keys;
    int threads;             /* HTTP thread pool; 0: 4 */
    int heavy_threads;       /* workers of the heavy routes (statistics, exports); 0: 2 */
    int max_saved_sessions;  /* 0: 10 */
    int64_t session_ttl_ms;  /* unsaved analysis sessions expire; 0: 24 h */
    int64_t login_idle_ms;   /* 0: 2 h */
    int64_t login_max_ms;    /* 0: 7 days */
    int rate_limit;          /* requests per minute per API key and per IP; 0: off */
    int rate_burst;          /* 0: 120 */
    int access_log;          /* 1: one log line per request */
    int64_t sweep_every_ms;  /* expiry sweep of login and analysis sessions; 0: 30000 */
    const char *ui_dir;      /* the web UI's files (index.html, static/); NULL or absent: none */
    int analysis_only;       /* `tca analysis`: only the statistics routes and operations */
    struct kv *kv;           /* rate limits and caches (shared on Redis); NULL: in-process */
    struct metrics *metrics; /* the process's registry (borrowed); NULL: the gateway's own */
    int logins_in_kv;        /* login sessions and OAuth states in kv (TCA_REDIS), else store */
    const char *login_with;  /* extras every browser login asks too ("chat": the demo); NULL */

    /* tests only: a streamed export fails after this many bytes (0: never) */
    size_t export_fail_after;
};

/** Fills o from the configuration (strings point into cfg, which must outlive o). */
void web_options_from_config(struct web_options *o, const struct tca_config *cfg,
                             const struct crypto_keys *keys, const struct twitch_settings *twitch);

/**
 * Starts serving in background threads; *port receives the bound port. The gateway is the
 * caller's to stop with web_stop. Returns 0, or TCA_EINVAL / TCA_ERR with err filled.
 */
int web_start(const struct web_options *o, struct web **out, int *port, char *err, size_t errlen);
/** Stops accepting, lets requests in flight finish, stops the sweeper, frees; NULL: no-op. */
void web_stop(struct web *w);
/** Runs one expiry sweep now (the background thread does it too). */
void web_sweep_now(struct web *w);

struct web_metrics_server;

/**
 * Serves only GET /metrics (m, the budget if non-NULL, process_*) and /healthz on listen, for
 * a process without the gateway (`tca worker --metrics-listen`). *port receives the bound
 * port. m and budget must outlive the server. 0, or TCA_EINVAL / TCA_ERR with err filled.
 */
int web_metrics_server_start(const char *listen, struct metrics *m, struct twitch_budget *budget,
                             struct web_metrics_server **out, int *port, char *err, size_t errlen);
/** Stops the server (a scrape in flight finishes first) and frees it; NULL: no-op. */
void web_metrics_server_stop(struct web_metrics_server *s);

#endif
