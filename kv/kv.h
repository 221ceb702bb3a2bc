/*
 * The kv layer: the small shared state that several processes of tca must agree on, behind
 * one table of operations (as Redis's connection.h and Dovecot's lib-sql do). Two back ends:
 * memory (one process, mutex-protected, no globals) and Redis over hiredis (every process
 * that names the same server). Callers never know which one they have.
 *
 * The operations are the roles' needs, not a general key-value API:
 *   - the Twitch rate-limit budget: a token bucket per token, fed by Ratelimit-* headers;
 *   - HTTP rate limits: a token bucket per client, refilled continuously;
 *   - caches whose drop reaches every process at once (and holds off stale refills);
 *   - leases: one holder among many (scheduler leadership);
 *   - login sessions and OAuth states, so any gateway accepts what another issued (keyed by
 *     the keyed hash of the session id or state, never by the id itself).
 * Every function returns 0 or a negative TCA_E* code (TCA_ETEMP when the server cannot be
 * reached) with a message in err; none logs. A struct kv is thread-safe.
 */
#ifndef TCA_KV_H
#define TCA_KV_H

#include <stddef.h>
#include <stdint.h>

struct kv;

/** A browser login session as the kv keeps it (web/ checks the expiries with its clock). */
struct kv_login {
    int64_t user_id;
    char csrf[48]; /* the CSRF token every state-changing request must carry */
    int64_t created_at_ms, last_seen_ms, expires_at_ms;
};

/** What a back end implements; every member is required. */
struct kv_ops {
    const char *name; /* "memory" or "redis" */
    int (*budget_take)(struct kv *kv, const char *key, int64_t now_ms, int64_t *wait_ms, char *err,
                       size_t errlen);
    int (*budget_update)(struct kv *kv, const char *key, long limit, long remaining,
                         int64_t reset_ms, int64_t now_ms, long *left, char *err, size_t errlen);
    int (*rate_take)(struct kv *kv, const char *key, int per_minute, int burst, int64_t now_ms,
                     int64_t *wait_ms, char *err, size_t errlen);
    int (*cache_get)(struct kv *kv, const char *key, char **value, char *err, size_t errlen);
    int (*cache_put)(struct kv *kv, const char *key, const char *value, int64_t ttl_ms, char *err,
                     size_t errlen);
    int (*cache_drop)(struct kv *kv, const char *key, int64_t hold_ms, char *err, size_t errlen);
    int (*lease)(struct kv *kv, const char *name, const char *owner, int64_t ttl_ms, int *held,
                 char *err, size_t errlen);
    int (*lease_release)(struct kv *kv, const char *name, const char *owner, char *err,
                         size_t errlen);
    int (*login_put)(struct kv *kv, const char *id_hash, const struct kv_login *l, int64_t ttl_ms,
                     char *err, size_t errlen);
    int (*login_get)(struct kv *kv, const char *id_hash, struct kv_login *out, char *err,
                     size_t errlen);
    int (*login_touch)(struct kv *kv, const char *id_hash, int64_t now_ms, int64_t ttl_ms,
                       char *err, size_t errlen);
    int (*login_delete)(struct kv *kv, const char *id_hash, char *err, size_t errlen);
    int (*login_delete_user)(struct kv *kv, int64_t user_id, char *err, size_t errlen);
    int (*state_put)(struct kv *kv, const char *state_hash, int64_t ttl_ms, char *err,
                     size_t errlen);
    int (*state_take)(struct kv *kv, const char *state_hash, char *err, size_t errlen);
    int (*ping)(struct kv *kv, char *err, size_t errlen);
    void (*close)(struct kv *kv);
};

/** Every back end's handle starts with this (Dovecot's `struct sql_db api`). */
struct kv {
    const struct kv_ops *ops;
};

/*
 * The Twitch budget model: a token bucket that refills continuously, as Twitch's does
 * ("800 points a minute"); Ratelimit-Reset is when it is full again, so the refill rate is
 * (limit - remaining) / (reset - now), never above limit per window (a reset sooner than
 * that is rounding) nor below limit per KV_BUDGET_RESET_MAX_MS (further is clock skew).
 */
#define KV_BUDGET_WINDOW_MS 60000
#define KV_BUDGET_RESET_MAX_MS 65000
/* Requests taken and not answered for this long are over (timed out): stop counting them. */
#define KV_BUDGET_QUIET_MS 15000
/* A budget bucket unused this long tells nothing more and may go. */
#define KV_BUDGET_STALE_MS (10 * 60 * 1000)

/**
 * Opens a kv. url NULL or "": the memory back end. "redis://HOST:PORT" or
 * "unix:///path/redis.sock": Redis, connected (and its scripts loaded) before returning,
 * so a wrong address fails here with the reason. The kv is the caller's; free with kv_close.
 */
int kv_open(const char *url, struct kv **out, char *err, size_t errlen);
/** Closes a kv; kv_close(NULL) is a no-op. */
void kv_close(struct kv *kv);
/** The back end's name, for logs and env-check. */
const char *kv_name(const struct kv *kv);

/** Opens the memory back end (kv_open(NULL) does the same). */
struct kv *kv_memory_new(void);
/** Opens the Redis back end at host:port, or at a unix socket when host starts with '/'. */
int kv_redis_open(const char *host, int port, struct kv **out, char *err, size_t errlen);

/**
 * Twitch budget: takes one point from key's bucket. *wait_ms is 0 when a point was taken
 * (or the bucket is unknown: the first answer will tell), else how long until the refill
 * makes one (ask again then).
 */
static inline int kv_budget_take(struct kv *kv, const char *key, int64_t now_ms, int64_t *wait_ms,
                                 char *err, size_t errlen)
{
    return kv->ops->budget_take(kv, key, now_ms, wait_ms, err, errlen);
}

/**
 * Twitch budget: records one answer's Ratelimit-Limit/Remaining/Reset (limit <= 0 or
 * reset_ms < 0 when absent). Answers arrive out of order and do not count the requests
 * still in flight, so the bucket keeps the lower of its own count and Twitch's minus the
 * requests in flight. *left (may be NULL): the points the bucket holds now.
 */
static inline int kv_budget_update(struct kv *kv, const char *key, long limit, long remaining,
                                   int64_t reset_ms, int64_t now_ms, long *left, char *err,
                                   size_t errlen)
{
    return kv->ops->budget_update(kv, key, limit, remaining, reset_ms, now_ms, left, err, errlen);
}

/**
 * HTTP rate limit: a bucket of burst tokens refilled at per_minute / 60 a second. *wait_ms
 * is 0 when a token was taken, else how long until one is there.
 */
static inline int kv_rate_take(struct kv *kv, const char *key, int per_minute, int burst,
                               int64_t now_ms, int64_t *wait_ms, char *err, size_t errlen)
{
    return kv->ops->rate_take(kv, key, per_minute, burst, now_ms, wait_ms, err, errlen);
}

/** Cache: *value (the caller's to free) or TCA_ENOTFOUND. */
static inline int kv_cache_get(struct kv *kv, const char *key, char **value, char *err,
                               size_t errlen)
{
    return kv->ops->cache_get(kv, key, value, err, errlen);
}

/** Cache: stores value for ttl_ms, unless key was dropped less than its hold_ms ago. */
static inline int kv_cache_put(struct kv *kv, const char *key, const char *value, int64_t ttl_ms,
                               char *err, size_t errlen)
{
    return kv->ops->cache_put(kv, key, value, ttl_ms, err, errlen);
}

/**
 * Cache: forgets key in every process at once, and refuses puts of it for hold_ms, so a
 * reader that loaded the old value before the drop cannot put it back.
 */
static inline int kv_cache_drop(struct kv *kv, const char *key, int64_t hold_ms, char *err,
                                size_t errlen)
{
    return kv->ops->cache_drop(kv, key, hold_ms, err, errlen);
}

/**
 * Lease: takes name for owner when it is free, or renews it when owner holds it, for ttl_ms.
 * *held is 1 when owner holds the lease now.
 */
static inline int kv_lease(struct kv *kv, const char *name, const char *owner, int64_t ttl_ms,
                           int *held, char *err, size_t errlen)
{
    return kv->ops->lease(kv, name, owner, ttl_ms, held, err, errlen);
}

/** Lease: gives name up if owner holds it (a clean stop hands over at once). */
static inline int kv_lease_release(struct kv *kv, const char *name, const char *owner, char *err,
                                   size_t errlen)
{
    return kv->ops->lease_release(kv, name, owner, err, errlen);
}

/*
 * Login sessions and OAuth states. Their ttl_ms is real time (Redis's PX): the kv forgets a
 * login when it passes, the caller still checks idle and absolute expiry on its own clock.
 */

/** Login: stores l under id_hash for ttl_ms (and under l->user_id, for logout everywhere). */
static inline int kv_login_put(struct kv *kv, const char *id_hash, const struct kv_login *l,
                               int64_t ttl_ms, char *err, size_t errlen)
{
    return kv->ops->login_put(kv, id_hash, l, ttl_ms, err, errlen);
}

/** Login: reads the login of id_hash; TCA_ENOTFOUND when absent, ended or past its ttl. */
static inline int kv_login_get(struct kv *kv, const char *id_hash, struct kv_login *out, char *err,
                               size_t errlen)
{
    return kv->ops->login_get(kv, id_hash, out, err, errlen);
}

/**
 * Login: records activity (last_seen_ms = now_ms) and keeps it ttl_ms more; TCA_ENOTFOUND
 * when it ended meanwhile (a touch never brings back a login that was logged out).
 */
static inline int kv_login_touch(struct kv *kv, const char *id_hash, int64_t now_ms, int64_t ttl_ms,
                                 char *err, size_t errlen)
{
    return kv->ops->login_touch(kv, id_hash, now_ms, ttl_ms, err, errlen);
}

/** Login: ends one login; ending an absent one is not an error. */
static inline int kv_login_delete(struct kv *kv, const char *id_hash, char *err, size_t errlen)
{
    return kv->ops->login_delete(kv, id_hash, err, errlen);
}

/** Login: ends every login of user_id (logout everywhere, a revoked Twitch token). */
static inline int kv_login_delete_user(struct kv *kv, int64_t user_id, char *err, size_t errlen)
{
    return kv->ops->login_delete_user(kv, user_id, err, errlen);
}

/** OAuth state: remembers state_hash for ttl_ms. */
static inline int kv_state_put(struct kv *kv, const char *state_hash, int64_t ttl_ms, char *err,
                               size_t errlen)
{
    return kv->ops->state_put(kv, state_hash, ttl_ms, err, errlen);
}

/** OAuth state: consumes state_hash; 0 for the one taker, TCA_ENOTFOUND for every other. */
static inline int kv_state_take(struct kv *kv, const char *state_hash, char *err, size_t errlen)
{
    return kv->ops->state_take(kv, state_hash, err, errlen);
}

/** Checks the back end answers (env-check, readiness). */
static inline int kv_ping(struct kv *kv, char *err, size_t errlen)
{
    return kv->ops->ping(kv, err, errlen);
}

#endif
