/*
 * The catalog's tables: the fixed label values, the histogram buckets and the family array
 * built from TCA_METRIC_FAMILIES. Constant data only; the registry holds the numbers.
 */
#include "base/tca_metrics.h"

#include <stddef.h>

/* The Makefile sets it from `git describe` (-DTCA_VERSION=...); a build outside it has none. */
#ifndef TCA_VERSION
#define TCA_VERSION "unknown"
#endif

#define N(a) (sizeof a / sizeof *a)

static const char *const reasons[] = {
    [TM_REASON_TWITCH_4XX] = "twitch_4xx",
    [TM_REASON_TWITCH_5XX] = "twitch_5xx",
    [TM_REASON_RATE_LIMITED_WAIT] = "rate_limited_wait",
    [TM_REASON_TIMEOUT] = "timeout",
    [TM_REASON_MALFORMED_PAGE] = "malformed_page",
    [TM_REASON_LOST_MODERATOR_ROLE] = "lost_moderator_role",
    [TM_REASON_STORE_ERROR] = "store_error",
    [TM_REASON_OTHER] = "other",
};
static const char *const endpoints[] = {
    [TM_EP_USERS] = "users",     [TM_EP_CHATTERS] = "chatters",
    [TM_EP_STREAMS] = "streams", [TM_EP_MODERATED_CHANNELS] = "moderated_channels",
    [TM_EP_TOKEN] = "token",     [TM_EP_VALIDATE] = "validate",
    [TM_EP_REVOKE] = "revoke",   [TM_EP_DEVICE] = "device",
    [TM_EP_OTHER] = "other",
};
static const char *const classes[] = {"2xx", "3xx", "4xx", "5xx", "error"};
static const char *const kinds[] = {"capture", "enrich", "validate", "other"};
static const char *const results[] = {"ok", "failed"};
static const char *const waits[] = {"budget", "429"};
static const char *const versions[] = {TCA_VERSION};

static const int status_numbers[] = {TM_HTTP_STATUSES};
static const char *const statuses[] = {
    "200", "201", "202", "302", "304", "400", "401", "403", "404",
    "405", "409", "413", "415", "429", "500", "502", "503", "other",
};
_Static_assert(N(statuses) == N(status_numbers) + 1, "TM_HTTP_STATUSES and statuses[] differ");

static const struct metric_dim dim_reason = {"reason", reasons, TM_REASON_N, 0};
static const struct metric_dim dim_endpoint = {"endpoint", endpoints, TM_EP_N, 0};
static const struct metric_dim dim_class = {"status_class", classes, TM_CLASS_N, 0};
static const struct metric_dim dim_kind = {"kind", kinds, TM_KIND_N, 0};
static const struct metric_dim dim_result = {"result", results, TM_RESULT_N, 0};
static const struct metric_dim dim_wait = {"cause", waits, TM_WAIT_N, 0};
static const struct metric_dim dim_status = {"status", statuses, N(statuses), 0};
static const struct metric_dim dim_version = {"version", versions, 1, 0};
const struct metric_dim tm_dim_channel = {"channel", NULL, TM_CHANNELS_MAX, TM_CHANNEL_EXPIRE_MS};
const struct metric_dim tm_dim_route = {NULL, NULL, TM_ROUTES_MAX, 0};

#define DIM_none NULL
#define DIM_reason &dim_reason
#define DIM_endpoint &dim_endpoint
#define DIM_class &dim_class
#define DIM_kind &dim_kind
#define DIM_result &dim_result
#define DIM_wait &dim_wait
#define DIM_status &dim_status
#define DIM_version &dim_version
#define DIM_channel &tm_dim_channel
#define DIM_route &tm_dim_route

/* A capture of a 100,000-chatter channel takes seconds; a lease is two minutes. */
static const double capture_s[] = {0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300};
/* 1000 chatters a page: 1 page is a small channel, 100 a very big one. */
static const double pages[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
static const double http_s[] = {0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5};
#define BUCKETS_none NULL, 0
#define BUCKETS_capture_s capture_s, N(capture_s)
#define BUCKETS_pages pages, N(pages)
#define BUCKETS_http_s http_s, N(http_s)

static const struct metric_family families[] = {
#define TM_FAMILY(id, type, name, a, b, buckets, scale, help)                                      \
    {name, help, METRIC_##type, {DIM_##a, DIM_##b}, BUCKETS_##buckets, scale},
    TCA_METRIC_FAMILIES(TM_FAMILY)
#undef TM_FAMILY
};
_Static_assert(N(families) == TM_FAMILY_N, "one family per TM_ id");

struct metrics *tca_metrics_new(void)
{
    struct metrics *m = metrics_new(families, N(families));
    metrics_set(m, TM_BUILD_INFO, 0, 0, 1);
    return m;
}

size_t tca_metrics_status_index(int status)
{
    size_t i = 0;
    while (i < N(status_numbers) && status_numbers[i] != status)
        i++;
    return i;
}

const char *tca_version(void)
{
    return TCA_VERSION;
}
