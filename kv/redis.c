/*
 * The Redis kv over hiredis: the Twitch budget, HTTP rate limits, caches and leases (login
 * sessions and OAuth states are in redis_login.c, connections in redis_conn.c). Every
 * operation that reads and writes is one Lua script, run with EVALSHA, so concurrent
 * processes never interleave inside one. Must never log.
 */
#include "kv/redis_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define STR(x) #x
#define XSTR(x) STR(x)
#define QUIET_TEXT XSTR(KV_BUDGET_QUIET_MS)

/* The Twitch budget (kv.h has the model); memory.c does the same arithmetic in C. */
#define BUDGET_FIELDS "'limit', 'tokens', 'at', 'rate', 'inflight', 'answered'"

/* KEYS[1] = bucket; ARGV = now, quiet ms. Returns 0 (taken or unknown) or ms to wait. */
static const char budget_take_lua[] =
    "local now, quiet = tonumber(ARGV[1]), tonumber(ARGV[2])\n"
    "local b = redis.call('HMGET', KEYS[1], " BUDGET_FIELDS ")\n"
    "if not b[2] then return 0 end\n"
    "local limit, t, at, rate = tonumber(b[1]), tonumber(b[2]), tonumber(b[3]), tonumber(b[4])\n"
    "local inflight, answered = tonumber(b[5]), tonumber(b[6])\n"
    "if now > at then t = t + (now - at) * rate at = now end\n"
    "if t > limit then t = limit end\n"
    "if now - answered > quiet then inflight = 0 end\n"
    "if t >= 1 then\n"
    "  redis.call('HSET', KEYS[1], 'tokens', t - 1, 'at', at, 'inflight', inflight + 1)\n"
    "  return 0\n"
    "end\n"
    "if rate <= 0 then return 1000 end\n"
    "return math.floor((1 - t) / rate) + 1\n";

/* KEYS[1] = bucket; ARGV = limit, remaining, reset (-1: none), now, window, reset max, stale. */
static const char budget_update_lua[] =
    "local limit, rem, reset = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])\n"
    "local now, window, maxms = tonumber(ARGV[4]), tonumber(ARGV[5]), tonumber(ARGV[6])\n"
    "local b = redis.call('HMGET', KEYS[1], " BUDGET_FIELDS ")\n"
    "local L, t, at, rate, inflight = 0, rem, now, -1, 0\n"
    "if b[2] then\n"
    "  L, t, at, rate = tonumber(b[1]), tonumber(b[2]), tonumber(b[3]), tonumber(b[4])\n"
    "  inflight = tonumber(b[5])\n"
    "end\n"
    "if limit > 0 then L = limit elseif L < rem then L = rem end\n"
    "if now > at then t = t + (now - at) * rate at = now end\n"
    "if t > L then t = L end\n"
    "if inflight > 0 then inflight = inflight - 1 end\n"
    "if rem - inflight < t then t = rem - inflight end\n"
    "local top = L / window\n"
    "if reset >= 0 and reset > now and rem < L then\n"
    "  rate = (L - rem) / (reset - now)\n"
    "  if rate > top then rate = top end\n"
    "  if rate < L / maxms then rate = L / maxms end\n"
    "elseif rate < 0 then rate = top end\n"
    "redis.call('HSET', KEYS[1], 'limit', L, 'tokens', t, 'at', at, 'rate', rate,\n"
    "           'inflight', inflight, 'answered', now)\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[7])\n"
    "return math.floor(t)\n";

/* KEYS[1] = bucket; ARGV = per_ms, burst, now. Returns 0 (taken) or ms to wait. */
static const char rate_take_lua[] =
    "local per, burst, now = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])\n"
    "local b = redis.call('HMGET', KEYS[1], 't', 'at')\n"
    "local t, at = burst, now\n"
    "if b[1] then t, at = tonumber(b[1]), tonumber(b[2]) end\n"
    "if now > at then t = t + (now - at) * per at = now end\n"
    "if t > burst then t = burst end\n"
    "local wait = 0\n"
    "if t >= 1 then t = t - 1 else wait = math.floor((1 - t) / per) + 1 end\n"
    "redis.call('HSET', KEYS[1], 't', t, 'at', at)\n"
    "redis.call('PEXPIRE', KEYS[1], math.floor(burst / per) + 1000)\n"
    "return wait\n";

/* KEYS = value, hold; ARGV = value, ttl. A live hold refuses the put. */
static const char cache_put_lua[] = "if redis.call('EXISTS', KEYS[2]) == 1 then return 0 end\n"
                                    "redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
                                    "return 1\n";

/* KEYS = value, hold; ARGV = hold ms. */
static const char cache_drop_lua[] = "redis.call('SET', KEYS[2], '1', 'PX', ARGV[1])\n"
                                     "redis.call('DEL', KEYS[1])\n"
                                     "return 1\n";

/* KEYS[1] = lease; ARGV = owner, ttl. Takes a free lease or renews one's own. */
static const char lease_lua[] = "local cur = redis.call('GET', KEYS[1])\n"
                                "if cur == ARGV[1] then\n"
                                "  redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1\n"
                                "end\n"
                                "if not cur then\n"
                                "  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1\n"
                                "end\n"
                                "return 0\n";

static const char lease_release_lua[] =
    "if redis.call('GET', KEYS[1]) == ARGV[1] then redis.call('DEL', KEYS[1]) end\n"
    "return 1\n";

const char *const kv_redis_scripts[KV_REDIS_N_SCRIPTS] = {budget_take_lua,
                                                          budget_update_lua,
                                                          rate_take_lua,
                                                          cache_put_lua,
                                                          cache_drop_lua,
                                                          lease_lua,
                                                          lease_release_lua,
                                                          kv_redis_login_put_lua,
                                                          kv_redis_login_touch_lua,
                                                          kv_redis_login_delete_lua,
                                                          kv_redis_login_delete_user_lua};

static int budget_take(struct kv *kv, const char *key, int64_t now, int64_t *wait_ms, char *err,
                       size_t errlen)
{
    char k[256], a[24];
    long long w = 0;
    kv_redis_key(k, sizeof k, "budget", key);
    snprintf(a, sizeof a, "%" PRId64, now);
    const char *keys[] = {k}, *args[] = {a, QUIET_TEXT};
    int rc = kv_redis_eval((struct redis_kv *)kv, KV_REDIS_BUDGET_TAKE, 1, keys, 2, args, &w, err,
                           errlen);
    *wait_ms = rc ? 0 : w;
    return rc;
}

static int budget_update(struct kv *kv, const char *key, long limit, long remaining,
                         int64_t reset_ms, int64_t now, long *left, char *err, size_t errlen)
{
    char k[256], a[7][24];
    kv_redis_key(k, sizeof k, "budget", key);
    snprintf(a[0], sizeof a[0], "%ld", limit);
    snprintf(a[1], sizeof a[1], "%ld", remaining);
    snprintf(a[2], sizeof a[2], "%" PRId64, reset_ms);
    snprintf(a[3], sizeof a[3], "%" PRId64, now);
    snprintf(a[4], sizeof a[4], "%d", KV_BUDGET_WINDOW_MS);
    snprintf(a[5], sizeof a[5], "%d", KV_BUDGET_RESET_MAX_MS);
    snprintf(a[6], sizeof a[6], "%d", KV_BUDGET_STALE_MS);
    const char *keys[] = {k}, *args[] = {a[0], a[1], a[2], a[3], a[4], a[5], a[6]};
    long long got = remaining;
    int rc = kv_redis_eval((struct redis_kv *)kv, KV_REDIS_BUDGET_UPDATE, 1, keys, 7, args, &got,
                           err, errlen);
    if (left)
        *left = (long)got;
    return rc;
}

static int rate_take(struct kv *kv, const char *key, int per_minute, int burst, int64_t now,
                     int64_t *wait_ms, char *err, size_t errlen)
{
    char k[256], a[3][32];
    long long w = 0;
    *wait_ms = 0;
    if (per_minute <= 0)
        return 0;
    kv_redis_key(k, sizeof k, "rate", key);
    snprintf(a[0], sizeof a[0], "%.17g", per_minute / 60000.0);
    snprintf(a[1], sizeof a[1], "%d", burst > 0 ? burst : 1);
    snprintf(a[2], sizeof a[2], "%" PRId64, now);
    const char *keys[] = {k}, *args[] = {a[0], a[1], a[2]};
    int rc =
        kv_redis_eval((struct redis_kv *)kv, KV_REDIS_RATE_TAKE, 1, keys, 3, args, &w, err, errlen);
    *wait_ms = rc ? 0 : w;
    return rc;
}

static int cache_get(struct kv *kv, const char *key, char **value, char *err, size_t errlen)
{
    struct redis_kv *r = (struct redis_kv *)kv;
    char k[256];
    kv_redis_key(k, sizeof k, "cache", key);
    const char *argv[] = {"GET", k};
    redisReply *rep = NULL;
    *value = NULL;
    struct kv_redis_conn *c = kv_redis_acquire(r);
    int rc = kv_redis_command(r, c, 2, argv, &rep, err, errlen);
    pthread_mutex_unlock(&c->lock);
    if (rc)
        return rc;
    if (rep->type == REDIS_REPLY_STRING)
        *value = xstrndup(rep->str, rep->len);
    freeReplyObject(rep);
    return *value ? 0 : TCA_ENOTFOUND;
}

static int cache_put(struct kv *kv, const char *key, const char *value, int64_t ttl_ms, char *err,
                     size_t errlen)
{
    char k[256], h[256], t[24];
    kv_redis_key(k, sizeof k, "cache", key);
    kv_redis_key(h, sizeof h, "hold", key);
    snprintf(t, sizeof t, "%" PRId64, ttl_ms > 0 ? ttl_ms : 1);
    const char *keys[] = {k, h}, *args[] = {value, t};
    return kv_redis_eval((struct redis_kv *)kv, KV_REDIS_CACHE_PUT, 2, keys, 2, args, NULL, err,
                         errlen);
}

static int cache_drop(struct kv *kv, const char *key, int64_t hold_ms, char *err, size_t errlen)
{
    char k[256], h[256], t[24];
    kv_redis_key(k, sizeof k, "cache", key);
    kv_redis_key(h, sizeof h, "hold", key);
    snprintf(t, sizeof t, "%" PRId64, hold_ms > 0 ? hold_ms : 1);
    const char *keys[] = {k, h}, *args[] = {t};
    return kv_redis_eval((struct redis_kv *)kv, KV_REDIS_CACHE_DROP, 2, keys, 1, args, NULL, err,
                         errlen);
}

static int lease(struct kv *kv, const char *name, const char *owner, int64_t ttl_ms, int *held,
                 char *err, size_t errlen)
{
    char k[256], t[24];
    long long got = 0;
    kv_redis_key(k, sizeof k, "lease", name);
    snprintf(t, sizeof t, "%" PRId64, ttl_ms > 0 ? ttl_ms : 1);
    const char *keys[] = {k}, *args[] = {owner, t};
    int rc =
        kv_redis_eval((struct redis_kv *)kv, KV_REDIS_LEASE, 1, keys, 2, args, &got, err, errlen);
    *held = !rc && got == 1;
    return rc;
}

static int lease_release(struct kv *kv, const char *name, const char *owner, char *err,
                         size_t errlen)
{
    char k[256];
    kv_redis_key(k, sizeof k, "lease", name);
    const char *keys[] = {k}, *args[] = {owner};
    return kv_redis_eval((struct redis_kv *)kv, KV_REDIS_LEASE_RELEASE, 1, keys, 1, args, NULL, err,
                         errlen);
}

static int ping(struct kv *kv, char *err, size_t errlen)
{
    struct redis_kv *r = (struct redis_kv *)kv;
    const char *argv[] = {"PING"};
    redisReply *rep = NULL;
    struct kv_redis_conn *c = kv_redis_acquire(r);
    int rc = kv_redis_command(r, c, 1, argv, &rep, err, errlen);
    pthread_mutex_unlock(&c->lock);
    freeReplyObject(rep);
    return rc;
}

static void redis_close(struct kv *kv)
{
    kv_redis_free((struct redis_kv *)kv);
}

static const struct kv_ops redis_ops = {
    .name = "redis",
    .budget_take = budget_take,
    .budget_update = budget_update,
    .rate_take = rate_take,
    .cache_get = cache_get,
    .cache_put = cache_put,
    .cache_drop = cache_drop,
    .lease = lease,
    .lease_release = lease_release,
    .login_put = kv_redis_login_put,
    .login_get = kv_redis_login_get,
    .login_touch = kv_redis_login_touch,
    .login_delete = kv_redis_login_delete,
    .login_delete_user = kv_redis_login_delete_user,
    .state_put = kv_redis_state_put,
    .state_take = kv_redis_state_take,
    .ping = ping,
    .close = redis_close,
};

int kv_redis_open(const char *host, int port, struct kv **out, char *err, size_t errlen)
{
    struct redis_kv *r = kv_redis_new(&redis_ops, host, port);
    *out = NULL;
    int rc = kv_redis_connect_first(r, err, errlen);
    if (rc) {
        kv_redis_free(r);
        return rc;
    }
    *out = &r->api;
    return 0;
}
