/*
 * The catalog of every metric tca exposes: one line per family (name, type, labels, help), and
 * the fixed label values as enums. It lives in base/ because every layer counts into the one
 * registry; it holds names only and must never hold behaviour. Adding a family is one line in
 * TCA_METRIC_FAMILIES (and a row in the README's table); the call site then records into it
 * with metrics_add / metrics_set / metrics_observe (base/metrics.h) and TM_<ID>.
 */
#ifndef TCA_TCA_METRICS_H
#define TCA_TCA_METRICS_H

#include "base/metrics.h"

/* ---- fixed label values ----------------------------------------------------------------- */

/** Why a capture attempt failed (label reason). */
enum tm_reason {
    TM_REASON_TWITCH_4XX,
    TM_REASON_TWITCH_5XX,
    TM_REASON_RATE_LIMITED_WAIT,
    TM_REASON_TIMEOUT,
    TM_REASON_MALFORMED_PAGE,
    TM_REASON_LOST_MODERATOR_ROLE,
    TM_REASON_STORE_ERROR,
    TM_REASON_OTHER,
    TM_REASON_N
};

/** Which Twitch endpoint a request went to (label endpoint). */
enum tm_endpoint {
    TM_EP_USERS,
    TM_EP_CHATTERS,
    TM_EP_STREAMS,
    TM_EP_MODERATED_CHANNELS,
    TM_EP_TOKEN,
    TM_EP_VALIDATE,
    TM_EP_REVOKE,
    TM_EP_DEVICE,
    TM_EP_OTHER,
    TM_EP_N
};

/** A Twitch answer's status class (label status_class); ERROR: no answer (timeout, reset). */
enum tm_class {
    TM_CLASS_2XX,
    TM_CLASS_3XX,
    TM_CLASS_4XX,
    TM_CLASS_5XX,
    TM_CLASS_ERROR,
    TM_CLASS_N
};

/** A job's kind (label kind). */
enum tm_kind { TM_KIND_CAPTURE, TM_KIND_ENRICH, TM_KIND_VALIDATE, TM_KIND_OTHER, TM_KIND_N };

/** An outcome (label result). */
enum tm_result { TM_RESULT_OK, TM_RESULT_FAILED, TM_RESULT_N };

/** What a Twitch call waited for (label cause). */
enum tm_wait { TM_WAIT_BUDGET, TM_WAIT_429, TM_WAIT_N };

/** The HTTP statuses the gateway counts by name; the last one counts every other. */
#define TM_HTTP_STATUSES                                                                           \
    200, 201, 202, 302, 304, 400, 401, 403, 404, 405, 409, 413, 415, 429, 500, 502, 503

/** Channels in tca_capture_chatters: at most this many, each kept a day after its last capture. */
#define TM_CHANNELS_MAX 100
#define TM_CHANNEL_EXPIRE_MS (26LL * 3600 * 1000)
/** Route slots of the gateway's families (the route table plus "unmatched"). */
#define TM_ROUTES_MAX 128

/** The run-time dimensions, for metrics_slot. */
extern const struct metric_dim tm_dim_channel; /* label channel: the channel's login */
extern const struct metric_dim tm_dim_route;   /* method="…",route="…" of the route table */

/* ---- the families --------------------------------------------------------------------------
 * X(ID, TYPE, name, first dimension, second dimension, buckets, scale, help)
 * Dimensions: none, reason, endpoint, class, kind, result, wait, channel, route, status,
 * version. Scale: recorded integers per shown unit (ms recorded for seconds shown: 1000).
 */
#define TCA_METRIC_FAMILIES(X)                                                                     \
    X(BUILD_INFO, GAUGE, "tca_build_info", version, none, none, 1,                                 \
      "Always 1; the version label says which tca runs.")                                          \
    X(CAPTURES_COMPLETED, COUNTER, "tca_captures_completed_total", none, none, none, 1,            \
      "Captures stored (every page fetched, diffed and committed).")                               \
    X(CAPTURES_FAILED, COUNTER, "tca_captures_failed_total", reason, none, none, 1,                \
      "Capture attempts that failed, by reason (each attempt of a retried job counts).")           \
    X(CAPTURE_DURATION, HISTOGRAM, "tca_capture_duration_seconds", none, none, capture_s, 1000,    \
      "Time from the first Twitch call to the commit of a stored capture.")                        \
    X(CAPTURE_PAGES, HISTOGRAM, "tca_capture_pages", none, none, pages, 1,                         \
      "Get Chatters pages fetched per stored capture.")                                            \
    X(CAPTURE_CHATTERS, GAUGE, "tca_capture_chatters", channel, none, none, 1,                     \
      "Chatters in the last capture of each scheduled channel (at most 100 channels).")            \
    X(CHATTERS_NEW, COUNTER, "tca_capture_chatters_new_total", none, none, none, 1,                \
      "Chatters seen in a channel for the first time, over all stored captures.")                  \
    X(CHATTERS_RENAMED, COUNTER, "tca_capture_chatters_renamed_total", none, none, none, 1,        \
      "Chatters whose login or display name changed, found by this process's captures.")           \
    X(ENRICH_PROFILES, COUNTER, "tca_enrich_profiles_total", none, none, none, 1,                  \
      "Chatter profiles fetched from Twitch and stored by enrichment.")                            \
    X(RENAMES, COUNTER, "tca_enrich_renames_total", none, none, none, 1,                           \
      "Chatters whose login or display name changed, found by enrichment.")                        \
    X(ENRICH_BACKLOG, GAUGE, "tca_enrich_backlog_profiles", none, none, none, 1,                   \
      "Profiles the enrichments running in this process still have to fetch.")                     \
    X(TWITCH_REQUESTS, COUNTER, "tca_twitch_requests_total", endpoint, class, none, 1,             \
      "HTTP requests to Twitch by endpoint and status class (error: no answer).")                  \
    X(TWITCH_RETRIES, COUNTER, "tca_twitch_retries_total", endpoint, none, none, 1,                \
      "Twitch requests sent again after a 429, a 5xx or no answer.")                               \
    X(TWITCH_429, COUNTER, "tca_twitch_rate_limited_total", endpoint, none, none, 1,               \
      "Twitch answers 429 Too Many Requests.")                                                     \
    X(TWITCH_WAIT, COUNTER, "tca_twitch_ratelimit_wait_seconds_total", wait, none, none, 1000,     \
      "Seconds spent waiting for a Twitch rate-limit reset (budget empty, or after a 429).")       \
    X(TOKEN_REFRESHES, COUNTER, "tca_twitch_token_refreshes_total", result, none, none, 1,         \
      "OAuth token refreshes, by result.")                                                         \
    X(TOKEN_VALIDATIONS, COUNTER, "tca_twitch_token_validations_total", result, none, none, 1,     \
      "OAuth token validations, by result (failed: invalid token or no answer).")                  \
    X(JOBS_CLAIMED, COUNTER, "tca_jobs_claimed_total", kind, none, none, 1,                        \
      "Jobs claimed from the queue by this process's workers.")                                    \
    X(JOBS_RETRIED, COUNTER, "tca_jobs_retried_total", kind, none, none, 1,                        \
      "Jobs put back in the queue for a later attempt after a failure.")                           \
    X(JOBS_DEAD, COUNTER, "tca_jobs_dead_lettered_total", kind, none, none, 1,                     \
      "Jobs moved to the failed (dead-letter) state.")                                             \
    X(JOBS_LEASE_EXPIRED, COUNTER, "tca_jobs_lease_expired_total", kind, none, none, 1,            \
      "Jobs claimed again because the worker holding them let the lease expire.")                  \
    X(WORKERS, GAUGE, "tca_workers", none, none, none, 1, "Worker threads of this process.")       \
    X(WORKERS_BUSY, GAUGE, "tca_workers_busy", none, none, none, 1,                                \
      "Worker threads running a job now.")                                                         \
    X(SCHEDULER_LAG, GAUGE, "tca_scheduler_lag_seconds", none, none, none, 1000,                   \
      "At the last scheduler tick, how late the most overdue schedule was turned into a job.")     \
    X(SCHEDULER_TICK, GAUGE, "tca_scheduler_last_tick_timestamp_seconds", none, none, none, 1000,  \
      "Unix time of this process's last scheduler tick (0: it never led the scheduler).")          \
    X(SCHEDULER_LEADER, GAUGE, "tca_scheduler_leader", none, none, none, 1,                        \
      "1 while this process holds the scheduler lease (one process leads at a time).")             \
    X(HTTP_REQUESTS, COUNTER, "tca_http_requests_total", route, status, none, 1,                   \
      "HTTP requests answered, by route pattern and status.")                                      \
    X(HTTP_DURATION, HISTOGRAM, "tca_http_request_duration_seconds", route, none, http_s, 1000000, \
      "Time to answer an HTTP request, by route pattern.")                                         \
    X(CAPTURES_QUEUED, COUNTER, "tca_captures_queued_total", none, none, none, 1,                  \
      "Captures asked for over the HTTP API.")                                                     \
    X(LOGINS, COUNTER, "tca_logins_total", none, none, none, 1, "Twitch logins completed.")        \
    X(LOGIN_FAILURES, COUNTER, "tca_login_failures_total", none, none, none, 1,                    \
      "Twitch logins refused or failed (bad state, refused code, Twitch error).")                  \
    X(RATE_LIMITED, COUNTER, "tca_rate_limited_total", none, none, none, 1,                        \
      "HTTP API requests refused with 429 by tca's own rate limit.")                               \
    X(HTTP_HEAVY, GAUGE, "tca_http_heavy_requests", none, none, none, 1,                           \
      "Heavy HTTP requests (statistics, overlaps, exports) queued or running off the connection "  \
      "threads.")                                                                                  \
    X(HTTP_EXPORT_RUNS, COUNTER, "tca_http_export_runs_total", none, none, none, 1,                \
      "Exports run for downloads (identical downloads at once share one run).")                    \
    X(HTTP_EXPORT_SHARED, COUNTER, "tca_http_export_shared_total", none, none, none, 1,            \
      "Downloads served by an identical download's export run instead of their own.")

/** TM_<ID>: a family's number in the registry. */
enum tm_family {
#define TM_ENUM(id, ...) TM_##id,
    TCA_METRIC_FAMILIES(TM_ENUM)
#undef TM_ENUM
        TM_FAMILY_N
};

/** A registry of every family above, with tca_build_info set. Release with metrics_free. */
struct metrics *tca_metrics_new(void);

/** This build's version (`git describe` of its checkout, or "unknown"): tca_build_info's label. */
const char *tca_version(void);

/** The index of an HTTP status in the status dimension (the last one: any other). */
size_t tca_metrics_status_index(int status);

#endif
