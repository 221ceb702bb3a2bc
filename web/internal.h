/*
 * What the gateway's files share: the server struct, the per-request state, the route table
 * and the helpers handlers use to read requests and write JSON replies. Internal to web/.
 * Handlers never log and never put a token, session id or API key into a reply.
 */
#ifndef TCA_WEB_INTERNAL_H
#define TCA_WEB_INTERNAL_H

#include <jansson.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>

#include "base/buf.h"
#include "report/report.h"
#include "store/store.h"
#include "web/web.h"

#define WEB_MAX_BODY (64 * 1024)          /* request bodies past this are refused with 413 */
#define WEB_MAX_QUERY_PARAMS 100          /* more: 414, before MHD's pool overflows */
#define WEB_CONNECTION_MEMORY (32 * 1024) /* MHD's per-connection pool */
#define WEB_MAX_PARAMS 3
#define WEB_PARAM_MAX 64
#define WEB_SESSION_COOKIE "tca_session"
#define WEB_STATE_COOKIE "tca_oauth_state"
#define WEB_STATE_TTL_MS (10 * 60 * 1000)

struct web_cache;
struct web_ratelimit;
struct web_metrics;
struct report_chatter_cache;
struct report_stats_cache;

/* The chatter tables kept for paging: rows over all sessions, and how long one is reused. */
#define WEB_CHATTER_CACHE_ROWS 4000000
#define WEB_CHATTER_CACHE_MS 120000
/*
 * How long a gateway keeps a session summary it read from Redis without asking again: one
 * round trip less a request on the hot path; a summary changed through another gateway is
 * seen here after at most this (the summary itself is cached for a second anyway).
 */
#define WEB_SUMMARY_NEAR_MS 250

/* The statistics documents kept: bytes over all of them (a 20,000-chatter session's full
 * document is ~0.5 MB), and how long one is reused when no capture came (an enrichment
 * changes account ages without a capture: it shows within that time). */
#define WEB_STATS_CACHE_BYTES (32u << 20)
#define WEB_STATS_CACHE_MS 10000

/* Heavy-request workers (heavy.c): CPU-bound handlers on a 2-core machine, so 2 by default.
 * The queue holds half the connection limit: identical requests share one run, so it fills
 * only with distinct work, seconds of it, and past that a client is better told to retry. */
#define WEB_HEAVY_THREADS 2
#define WEB_HEAVY_QUEUE 2048
/* Downloads exporting at once (export_stream.c); more wait for a slot. */
#define WEB_MAX_PRODUCERS 8

struct web {
    struct web_options o;
    char *public_url;   /* owned */
    char *redirect_url; /* owned */
    int secure_cookies; /* the public URL is https */
    struct MHD_Daemon *daemon;
    pthread_mutex_t pool_lock;
    struct store **stores; /* idle connections (owned) */
    size_t n_stores, cap_stores;
    struct twitch_client **clients; /* idle clients (owned) */
    size_t n_clients, cap_clients;
    struct kv *own_kv;                /* the memory kv, when the options gave none */
    struct twitch_budget *own_budget; /* when the options gave none */
    struct web_cache *auth_cache;     /* API key hash -> who, for a few seconds */
    struct web_cache *summary_cache;  /* session id -> summary JSON, for a second */
    struct web_ratelimit *limits;
    struct web_metrics *metrics;
    struct web_events *events; /* the event streams (events.c) */
    struct web_heavy *heavy;   /* the workers of heavy routes (heavy.c) */
    /* the chatter tables kept for paging (api_chatters.c) */
    struct report_chatter_cache *chatters;
    /* the statistics documents already built (api_stats.c) */
    struct report_stats_cache *stats;

    pthread_t sweeper;
    int sweeper_started;
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
    int stopping;
    struct web_feed *feeds;        /* exports whose producer or a reader is alive (stop_lock) */
    size_t shared_bytes;           /* held by the buffers of shared exports (stop_lock) */
    int producers;                 /* download producers exporting now (stop_lock) */
    pthread_cond_t producers_cond; /* signalled when one ends */
    pthread_cond_t streams_cond;   /* signalled when feeds empties */
};

struct web_req;
typedef void (*web_handler)(struct web_req *r);

enum web_access {
    WEB_PUBLIC, /* anyone */
    WEB_USER,   /* a login session or an API key; writes need CSRF or a read-write key */
    WEB_BROWSER /* a login session only (creating API keys, logout) */
};

struct web_route {
    const char *method;
    const char *pattern; /* "/api/v1/sessions/{id}"; also the metrics label */
    web_handler handler;
    enum web_access access;
};

/** The whole route table (the OpenAPI test walks it). */
const struct web_route *web_routes(size_t *n);
/**
 * Matches method and path: 0 with *route and the path parameters filled, 404 when no
 * pattern matches the path, 405 when one does but not with this method. Pure.
 */
int web_route_match(const char *method, const char *path, int *route,
                    char params[WEB_MAX_PARAMS][WEB_PARAM_MAX], int *n_params);
/** Writes the methods path takes ("GET, POST") into out; "" when none. Pure. */
void web_route_allow(const char *path, char *out, size_t outlen);
enum web_weight {
    WEB_LIGHT,       /* runs on its connection's thread */
    WEB_HEAVY,       /* runs on the heavy-request workers (heavy.c) */
    WEB_HEAVY_SHARED /* heavy, and identical queued requests may share its JSON reply */
};
/** How rt runs: every route not listed as heavy in router.c is light. */
enum web_weight web_route_weight(const struct web_route *rt);
/** Routes a complete request: rate limits, authentication, CSRF, then the handler; or, for a
 * heavy route, queues r for the heavy workers (r->heavy QUEUED, nothing replied yet). */
void web_dispatch(struct web_req *r);

struct web_req {
    struct web *w;
    struct MHD_Connection *conn;
    const char *method;
    const char *path;
    struct buf body;
    int started;         /* the access handler has seen this request once */
    int too_large;       /* the body passed its cap (body.max) */
    int too_many_params; /* the query had more than WEB_MAX_QUERY_PARAMS (and was dropped) */
    int close;           /* close the connection after this reply */
    int heavy;           /* enum web_heavy_state */
    char *heavy_key;     /* owned: what identical heavy requests share (heavy.c); NULL: none */
    int64_t start_us;
    int route; /* index in the table, -1 when none matched */
    char params[WEB_MAX_PARAMS][WEB_PARAM_MAX];
    int n_params;
    char ip[64];
    struct store *st;         /* borrowed from the pool for this request */
    struct twitch_client *tw; /* borrowed from the pool for this request */
    /* who is asking */
    int64_t user_id; /* 0: nobody */
    int via_key;
    int64_t key_id;
    int read_only;
    char login_hash[CRYPTO_HASH_HEX + 1];
    char csrf[48];
    /* the reply */
    int status;
    char *resp; /* owned */
    size_t resp_len;
    const char *ctype;
    char *location;   /* owned */
    char *cookies[3]; /* owned Set-Cookie values */
    int n_cookies;
    int retry_after;                 /* seconds; 0: no header */
    char allow[48];                  /* the methods of the path, for a 405 */
    char etag[40];                   /* static files: their ETag; "": none */
    char *disposition;               /* owned Content-Disposition value, for downloads */
    struct web_stream *stream;       /* owned until queued: a streamed download (export_stream.c) */
    struct MHD_Response *event_resp; /* owned until queued: an event stream (events.c) */
    const char *cache_control;       /* NULL: no-store */
};

/* ---- replies (reply.c) ---- */

/** Replies status with j as JSON (steals the reference). */
void web_reply_json(struct web_req *r, int status, json_t *j);
/** Replies {"error": code, "message": ...} with status. */
void web_error(struct web_req *r, int status, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/** Maps a TCA_E* code to a status and replies message (store details never leak). */
void web_fail(struct web_req *r, int rc, const char *message);

/* ---- streamed downloads (export_stream.c) ---- */

struct web_stream;
/**
 * Replies 200 with export x streamed as it is produced (chunked, no Content-Length) by a
 * producer thread on its own store connection, or by the producer of an identical download
 * already running (same user, request and captures: the session's capture count). Check the
 * export first (report_export_check): after this, a failure can only cut the transfer short.
 * 0, or TCA_ERR with a 503 replied.
 */
int web_reply_export(struct web_req *r, const struct report_export *x,
                     const struct report_options *o, int64_t captures, const char *ctype,
                     const char *filename);
/** The MHD response of a stream; it owns s from here on (NULL on failure, s freed). */
struct MHD_Response *web_stream_response(struct web_stream *s);
/** Lets go of a stream whose response was never queued. */
void web_stream_drop(struct web_stream *s);
/**
 * At stop, before the daemon stops (stopping already set): lets downloads finish for up to
 * grace_ms, then cuts the rest, and returns once every producer and response has ended.
 */
void web_streams_finish(struct web *w, int64_t grace_ms);

/** Replies a redirect to url. */
void web_redirect(struct web_req *r, const char *url);
/** Adds a Set-Cookie header (value is the whole header value; copied). */
void web_set_cookie(struct web_req *r, const char *value);
/** Builds a cookie with the gateway's flags (HttpOnly, SameSite=Lax, Secure when https). */
char *web_cookie_value(struct web *w, const char *name, const char *value, int64_t max_age_s);

/* ---- reading requests (reply.c) ---- */

/** Parses the body as one JSON object (strict); on failure replies 400/415 and returns -1. */
int web_body_json(struct web_req *r, json_t **out);
/** 1 when s is valid UTF-8. Pure. */
int web_utf8_valid(const char *s);
/** 1 when every query parameter name and value of r is valid UTF-8. */
int web_query_utf8_valid(struct web_req *r);
/** A query parameter, or NULL. */
const char *web_query(struct web_req *r, const char *name);
/** A request header, or NULL. */
const char *web_header(struct web_req *r, const char *name);
/** An integer query parameter in [lo, hi] (dflt if absent); replies 400 and returns -1. */
int web_query_int(struct web_req *r, const char *name, int64_t lo, int64_t hi, int64_t dflt,
                  int64_t *out);
/** Path parameter i as a positive id; replies 400 and returns -1 when it is not one. */
int web_param_id(struct web_req *r, int i, int64_t *out);
/** Finds cookie name in a Cookie header into out; 0, or -1 when absent or too long. Pure. */
int web_cookie_find(const char *header, const char *name, char *out, size_t outlen);
/** Parses an id from a path or query (chatter_parse_id; NULL is not one): 0 or -1. Pure. */
int web_parse_id(const char *s, int64_t *out);

/* ---- resources (pool.c) ---- */

/** This request's store connection (taken from the pool on first use); NULL: replied 503. */
struct store *web_store(struct web_req *r);
/** This request's Twitch client (taken from the pool on first use). */
struct twitch_client *web_twitch(struct web_req *r);
/** Returns the request's connection and client to the pools. */
void web_release(struct web_req *r);
/** Frees every pooled connection and client. */
void web_pool_free(struct web *w);

/* ---- where login sessions and OAuth states live (logins.c) ---- */

/* Each returns 0 or a TCA_E* code with err filled (TCA_ENOTFOUND: no such login or state),
 * and replies nothing, except the 503 of web_store when the store path has no connection. */

/** Stores a new login session (l->id_hash is the keyed hash of its id). */
int web_login_create(struct web_req *r, const struct store_login *l, char *err, size_t errlen);
/** Reads a login session by id hash. */
int web_login_get(struct web_req *r, const char *id_hash, struct store_login *out, char *err,
                  size_t errlen);
/** Records activity on login l at now_ms (its idle expiry restarts). */
int web_login_touch(struct web_req *r, const struct store_login *l, int64_t now_ms, char *err,
                    size_t errlen);
/** Ends one login session; an absent one is not an error. */
int web_login_delete(struct web_req *r, const char *id_hash, char *err, size_t errlen);
/** Ends every login session of user_id. */
int web_login_delete_user(struct web_req *r, int64_t user_id, char *err, size_t errlen);
/** Remembers an OAuth state (its hash) for WEB_STATE_TTL_MS from now_ms. */
int web_state_put(struct web_req *r, const char *state_hash, int64_t now_ms, char *err,
                  size_t errlen);
/** Consumes an OAuth state: 0 for the first taker before it expired, else TCA_ENOTFOUND. */
int web_state_take(struct web_req *r, const char *state_hash, int64_t now_ms, char *err,
                   size_t errlen);

/* ---- who is asking (auth.c) ---- */

/** Resolves the login session cookie or Bearer API key into r->user_id; 0 or TCA_EAUTH. */
int web_authenticate(struct web_req *r);
/**
 * Call where a Twitch call for r's user failed with rc: when Twitch refused the user's token
 * (TCA_EAUTH), deletes the token and every login session of the user. Replies nothing.
 */
void web_twitch_refused(struct web_req *r, int rc);
/** The gateway's wall clock (the Twitch settings' clock), in ms. */
int64_t web_now_ms(struct web_req *r);
/** Loads r's user's Twitch token (refreshed, validated); on failure replies and returns it. */
int web_user_token(struct web_req *r, struct twitch_token *tok);
/** Drops a revoked API key from the authentication cache. */
void web_forget_key(struct web *w, const char *key_hash);
/** Fetches the user's own and moderated channels with live status from Twitch and stores them. */
int web_channels_refresh(struct web_req *r, struct twitch_token *tok, int64_t user_id, char *err,
                         size_t errlen);
/** Forgets the cached summary of a session after a write to it. */
void web_summary_forget(struct web *w, int64_t session_id);
/** Starts or stops the schedule of a live watch to follow the stream's live status. */
int web_live_apply(struct web_req *r, struct store_live_watch *lw, int live, char *err,
                   size_t errlen);
/** 0 when r's user owns session param i ("active" allowed); else replies 404 and -1. */
int web_own_session(struct web_req *r, int i, struct store_session *out);
/** 0 when r's user may capture channel_id; else replies 403 and -1. */
int web_own_channel(struct web_req *r, int64_t channel_id);

/* ---- the web UI's files (static.c) ---- */

/** Serves GET/HEAD /static/<file> from the UI folder; 1 when the path was /static/ (replied),
 * 0 when it is not a static path (nothing replied). */
int web_static_try(struct web_req *r);
/** Serves the UI's index.html; 0 when replied, -1 when there is no UI (nothing replied). */
int web_static_index(struct web_req *r);
/** Serves the UI file rel (a fixed path inside the UI folder); -1 when it is absent. */
int web_static_file(struct web_req *r, const char *rel);
/* ---- heavy requests (heavy.c) ---- */

enum web_heavy_state { WEB_HEAVY_NONE, WEB_HEAVY_QUEUED, WEB_HEAVY_DONE };
struct web_heavy;
/** Starts threads workers over a queue of at most queue requests; free with web_heavy_free. */
struct web_heavy *web_heavy_new(struct web *w, int threads, size_t queue);
/**
 * From the access handler, with r routed and allowed: suspends r's connection and queues r
 * for a worker, which runs its handler and resumes the connection (r->heavy is DONE then).
 * shared: r replies JSON (not a stream), so identical queued requests may share its reply.
 * 1 when queued; 0 when the queue is full or stopping, with 503 and Retry-After replied.
 */
int web_heavy_submit(struct web_heavy *h, struct web_req *r, int shared);
/** What makes two requests the same: who asks and how, the method, path and every argument in
 * order (a new string, caller frees); NULL when the URL is too long to be worth sharing. */
char *web_request_key(struct web_req *r);
/** Refuses new requests, answers every queued one, joins the workers; idempotent. */
void web_heavy_stop(struct web_heavy *h);
/** Stops (if needed) and frees; NULL is a no-op. */
void web_heavy_free(struct web_heavy *h);

/* ---- event streams (events.c) ---- */
struct web_events;
/** Starts the watcher of event streams; free with web_events_free. */
struct web_events *web_events_new(struct web *w);
/** Ends every stream and the watcher (before the daemon stops); idempotent. */
void web_events_stop(struct web_events *ev);
/** Stops (if needed) and frees; NULL is a no-op. Call after the daemon stopped. */
void web_events_free(struct web_events *ev);
/** GET /api/v1/sessions/{session}/events: text/event-stream of the session's captures. */
void web_api_session_events(struct web_req *r);
/** GET /dock/{session}: the OBS dock page (dock.c). */
void web_dock(struct web_req *r);
/** 1 when the UI folder has an index.html. */
int web_ui_available(struct web *w);
/** 1 when rel (a path under the UI folder) is safe to open: [A-Za-z0-9_./-], no dot
 * segments or dot files, not absolute. Pure. */
int web_static_path_ok(const char *rel);

/* ---- handlers ---- */

void web_home(struct web_req *r);
void web_auth_login(struct web_req *r);
void web_auth_callback(struct web_req *r);
void web_auth_logout(struct web_req *r);
void web_auth_logout_everywhere(struct web_req *r);
void web_auth_disconnect(struct web_req *r);
void web_api_me(struct web_req *r);
void web_api_channels(struct web_req *r);
void web_api_sessions(struct web_req *r);
void web_api_session_new(struct web_req *r);
void web_api_session_get(struct web_req *r);
void web_api_session_save(struct web_req *r);
void web_api_session_label(struct web_req *r);
/** GET and PUT /api/v1/sessions/{session}/chat (web/api_chat.c). */
void web_api_session_chat(struct web_req *r);
void web_api_session_chat_set(struct web_req *r);
void web_api_session_purge(struct web_req *r);
void web_api_session_delete(struct web_req *r);
void web_api_session_captures(struct web_req *r);
void web_api_session_jobs(struct web_req *r);
void web_api_job_get(struct web_req *r);
void web_api_capture_now(struct web_req *r);
void web_api_session_channel_add(struct web_req *r);
void web_api_schedule_set(struct web_req *r);
void web_api_schedule_stop(struct web_req *r);
void web_api_live_set(struct web_req *r);
void web_api_keys(struct web_req *r);
void web_api_key_create(struct web_req *r);
void web_api_key_revoke(struct web_req *r);
void web_healthz(struct web_req *r);
void web_readyz(struct web_req *r);
void web_metrics_route(struct web_req *r);
void web_openapi(struct web_req *r);
void web_api_session_stats(struct web_req *r);
void web_api_session_overlap(struct web_req *r);
void web_api_session_export(struct web_req *r);
void web_api_session_chatters(struct web_req *r);
void web_api_overlap_sessions(struct web_req *r);
void web_api_chatter(struct web_req *r);
void web_api_channel_history(struct web_req *r);
void web_api_bots(struct web_req *r);
void web_api_bot_add(struct web_req *r);
void web_api_bots_import(struct web_req *r);
void web_api_bot_remove(struct web_req *r);
/* alerts (api_webhooks.c, api_watchlist.c) */
void web_api_webhooks(struct web_req *r);
void web_api_webhook_create(struct web_req *r);
void web_api_webhook_delete(struct web_req *r);
void web_api_webhook_test(struct web_req *r);
void web_api_deliveries(struct web_req *r);
void web_api_watchlist(struct web_req *r);
void web_api_watch_add(struct web_req *r);
void web_api_watch_import(struct web_req *r);
void web_api_watch_remove(struct web_req *r);

/** The OpenAPI 3 document (static text). */
const char *web_openapi_text(void);

/* ---- small thread-safe caches (cache.c) ---- */

/**
 * A string cache with expiry in kv (not owned; shared by every process on Redis), its keys
 * under namespace ns; thread-safe. near_ms > 0 also keeps entries in this process that long
 * (a drop by another process is seen here only after it); 0 for caches whose drops must be
 * seen at once. Free with web_cache_free (NULL: no-op).
 */
struct web_cache *web_cache_new(struct kv *kv, const char *ns, int64_t near_ms);
void web_cache_free(struct web_cache *c);
/** Copies the value of key into a new string (caller frees) if present and fresh, else NULL. */
char *web_cache_get(struct web_cache *c, const char *key, int64_t now_ms);
/** Stores value for key until expires_ms (may evict another key). */
void web_cache_put(struct web_cache *c, const char *key, const char *value, int64_t expires_ms);
/** Forgets key in every process sharing the kv, and refuses puts of it for a moment. */
void web_cache_drop(struct web_cache *c, const char *key);

/* ---- rate limits (ratelimit.c) ---- */

/**
 * Token buckets per client name in kv (not owned; shared by every gateway on Redis);
 * thread-safe. per_minute 0 disables limiting.
 */
struct web_ratelimit *web_ratelimit_new(struct kv *kv, int per_minute, int burst);
void web_ratelimit_free(struct web_ratelimit *l);
/**
 * Takes one request for who at now_ms (wall clock: gateways on several machines share the
 * buckets); 0 allowed, else the seconds to wait (for Retry-After).
 */
int web_ratelimit_take(struct web_ratelimit *l, const char *who, int64_t now_ms);

/* ---- metrics (metrics.c) ---- */

/** Counts into registry (NULL: a registry of its own) with a slot per route of the table. */
struct web_metrics *web_metrics_new(struct metrics *registry, size_t n_routes);
void web_metrics_free(struct web_metrics *m);
/** The registry counted into. */
struct metrics *web_metrics_registry(struct web_metrics *m);
/** Counts one request of route (-1: unmatched) with its status and duration. */
void web_metrics_request(struct web_metrics *m, int route, int status, int64_t us);
/** Appends the store's capture and rename totals to a /metrics document. */
void web_metrics_render_captures(struct buf *b, int64_t captures, int64_t renames);
/** Counts an event: "captures_queued", "logins", "login_failures", "rate_limited". */
void web_metrics_event(struct web_metrics *m, const char *what);
/** Appends the /metrics text every role serves: the registry, the budget (if any), process_*. */
void web_metrics_text(struct metrics *m, struct twitch_budget *budget, int64_t now_ms,
                      struct buf *b);
/** Splits HOST:PORT (or [V6]:PORT) into its parts; 0, or -1 when malformed. Pure. */
int web_split_listen(const char *listen, char *host, size_t hostlen, char *port, size_t portlen);

/** Runs the sweeps (sweep.c); the background thread calls it every sweep_every_ms. */
void web_sweep(struct web *w, struct store *st);

#endif
