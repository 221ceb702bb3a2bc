/*
 * The Redis kv over hiredis (0.14 in Debian 12; only calls hiredis 1.x also has). A few
 * connections per kv, each under its own mutex, opened when threads need them at once and
 * reconnected on failure (scripts reloaded). Every operation that reads and writes is one Lua
 * script, run with EVALSHA, so concurrent processes never interleave inside one. Must never
 * log, never block longer than its timeouts, and never hammer a dead server: after a failed
 * connect a connection answers TCA_ETEMP for RETRY_MS.
 */
#include "kv/kv.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 2000
#define RETRY_MS 500
#define ARGS_MAX 10
/* Connections per process: enough for the gateway's threads not to queue behind one. */
#define POOL 8
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

enum script {
    BUDGET_TAKE,
    BUDGET_UPDATE,
    RATE_TAKE,
    CACHE_PUT,
    CACHE_DROP,
    LEASE,
    LEASE_RELEASE,
    N_SCRIPTS
};

static const char *const scripts[N_SCRIPTS] = {budget_take_lua,  budget_update_lua, rate_take_lua,
                                               cache_put_lua,    cache_drop_lua,    lease_lua,
                                               lease_release_lua};

/* A connection and what it needs to run scripts; used by one thread at a time. */
struct conn {
    pthread_mutex_t lock;
    redisContext *ctx; /* NULL while disconnected */
    int64_t retry_at;  /* monotonic: no connect attempt before */
    char sha[N_SCRIPTS][48];
};

struct redis_kv {
    struct kv api;
    char *host; /* owned; a socket path when port is 0 */
    int port;
    unsigned next; /* round robin when every connection is busy */
    struct conn conns[POOL];
};

static void drop_connection(struct conn *c)
{
    if (c->ctx)
        redisFree(c->ctx);
    c->ctx = NULL;
}

static const char *where(const struct redis_kv *r, char *buf, size_t len)
{
    if (r->port == 0)
        snprintf(buf, len, "unix://%s", r->host);
    else
        snprintf(buf, len, "redis://%s:%d", r->host, r->port);
    return buf;
}

/* A free connection if there is one, else one in turn; opened lazily, so a quiet process
 * keeps one. Release with pthread_mutex_unlock(&c->lock). */
static struct conn *acquire(struct redis_kv *r)
{
    for (int i = 0; i < POOL; i++)
        if (pthread_mutex_trylock(&r->conns[i].lock) == 0)
            return &r->conns[i];
    struct conn *c = &r->conns[__atomic_fetch_add(&r->next, 1, __ATOMIC_RELAXED) % POOL];
    pthread_mutex_lock(&c->lock);
    return c;
}

/* One command on the live connection; NULL reply means the connection broke. */
static redisReply *run(struct conn *c, int argc, const char **argv, const size_t *lens)
{
    redisReply *rep = redisCommandArgv(c->ctx, argc, argv, lens);
    if (!rep)
        drop_connection(c);
    return rep;
}

static int load_scripts(const struct redis_kv *r, struct conn *c, char *err, size_t errlen)
{
    char at[300];
    for (int i = 0; i < N_SCRIPTS; i++) {
        const char *argv[] = {"SCRIPT", "LOAD", scripts[i]};
        size_t lens[] = {6, 4, strlen(scripts[i])};
        redisReply *rep = run(c, 3, argv, lens);
        if (!rep)
            return tca_fail(err, errlen, TCA_ETEMP, "Redis at %s: connection lost",
                            where(r, at, sizeof at));
        int ok = rep->type == REDIS_REPLY_STRING && rep->len < sizeof c->sha[i];
        if (ok)
            memcpy(c->sha[i], rep->str, rep->len + 1);
        else
            tca_fail(err, errlen, TCA_EPROTO, "Redis at %s refused a script: %s",
                     where(r, at, sizeof at), rep->type == REDIS_REPLY_ERROR ? rep->str : "?");
        freeReplyObject(rep);
        if (!ok) {
            drop_connection(c);
            return TCA_EPROTO;
        }
    }
    return 0;
}

static int connect_locked(const struct redis_kv *r, struct conn *c, char *err, size_t errlen)
{
    char at[300];
    if (c->ctx)
        return 0;
    int64_t now = clock_mono_ms();
    if (now < c->retry_at)
        return tca_fail(err, errlen, TCA_ETEMP, "Redis at %s is unreachable",
                        where(r, at, sizeof at));
    struct timeval tv = {TIMEOUT_MS / 1000, (TIMEOUT_MS % 1000) * 1000};
    c->ctx = r->port ? redisConnectWithTimeout(r->host, r->port, tv)
                     : redisConnectUnixWithTimeout(r->host, tv);
    if (!c->ctx || c->ctx->err) {
        tca_fail(err, errlen, TCA_ETEMP, "cannot connect to Redis at %s: %s",
                 where(r, at, sizeof at), c->ctx ? c->ctx->errstr : "out of memory");
        drop_connection(c);
        c->retry_at = now + RETRY_MS;
        return TCA_ETEMP;
    }
    redisSetTimeout(c->ctx, tv);
    int rc = load_scripts(r, c, err, errlen);
    if (rc)
        c->retry_at = now + RETRY_MS;
    return rc;
}

/*
 * Runs a command, reconnecting once when the connection broke (a restarted server).
 * A retried script may run twice: every script here is safe to repeat or errs stricter.
 */
static int command(const struct redis_kv *r, struct conn *c, int argc, const char **argv,
                   redisReply **out, char *err, size_t errlen)
{
    size_t lens[ARGS_MAX + 4];
    char at[300];
    for (int i = 0; i < argc; i++)
        lens[i] = strlen(argv[i]);
    *out = NULL;
    for (int attempt = 0; attempt < 2; attempt++) {
        int rc = connect_locked(r, c, err, errlen);
        if (rc)
            return rc;
        *out = run(c, argc, argv, lens);
        if (*out)
            break;
    }
    if (!*out)
        return tca_fail(err, errlen, TCA_ETEMP, "Redis at %s: connection lost",
                        where(r, at, sizeof at));
    if ((*out)->type == REDIS_REPLY_ERROR) {
        int rc = tca_fail(err, errlen,
                          strncmp((*out)->str, "NOSCRIPT", 8) == 0 ? TCA_ECONFLICT : TCA_ERR,
                          "Redis at %s: %s", where(r, at, sizeof at), (*out)->str);
        freeReplyObject(*out);
        *out = NULL;
        return rc;
    }
    return 0;
}

/* EVALSHA script with keys then args; the integer answer in *result. */
static int eval(struct redis_kv *r, enum script s, int nkeys, const char *const *keys, int nargs,
                const char *const *args, long long *result, char *err, size_t errlen)
{
    const char *argv[ARGS_MAX + 4];
    char n[8];
    snprintf(n, sizeof n, "%d", nkeys);
    struct conn *c = acquire(r);
    int rc = 0;
    for (int attempt = 0; attempt < 2; attempt++) {
        int argc = 0;
        argv[argc++] = "EVALSHA";
        argv[argc++] = c->sha[s];
        argv[argc++] = n;
        for (int i = 0; i < nkeys; i++)
            argv[argc++] = keys[i];
        for (int i = 0; i < nargs; i++)
            argv[argc++] = args[i];
        redisReply *rep = NULL;
        rc = command(r, c, argc, argv, &rep, err, errlen);
        if (rc == TCA_ECONFLICT) {
            /* the server lost its scripts (SCRIPT FLUSH): load them again */
            rc = load_scripts(r, c, err, errlen);
            if (rc)
                break;
            continue;
        }
        if (!rc && result)
            *result = rep->type == REDIS_REPLY_INTEGER ? rep->integer : 0;
        freeReplyObject(rep);
        break;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

static void key_of(char *out, size_t len, const char *kind, const char *key)
{
    snprintf(out, len, "tca:%s:%s", kind, key);
}

static int budget_take(struct kv *kv, const char *key, int64_t now, int64_t *wait_ms, char *err,
                       size_t errlen)
{
    char k[256], a[24];
    long long w = 0;
    key_of(k, sizeof k, "budget", key);
    snprintf(a, sizeof a, "%" PRId64, now);
    const char *keys[] = {k}, *args[] = {a, QUIET_TEXT};
    int rc = eval((struct redis_kv *)kv, BUDGET_TAKE, 1, keys, 2, args, &w, err, errlen);
    *wait_ms = rc ? 0 : w;
    return rc;
}

static int budget_update(struct kv *kv, const char *key, long limit, long remaining,
                         int64_t reset_ms, int64_t now, long *left, char *err, size_t errlen)
{
    char k[256], a[7][24];
    key_of(k, sizeof k, "budget", key);
    snprintf(a[0], sizeof a[0], "%ld", limit);
    snprintf(a[1], sizeof a[1], "%ld", remaining);
    snprintf(a[2], sizeof a[2], "%" PRId64, reset_ms);
    snprintf(a[3], sizeof a[3], "%" PRId64, now);
    snprintf(a[4], sizeof a[4], "%d", KV_BUDGET_WINDOW_MS);
    snprintf(a[5], sizeof a[5], "%d", KV_BUDGET_RESET_MAX_MS);
    snprintf(a[6], sizeof a[6], "%d", KV_BUDGET_STALE_MS);
    const char *keys[] = {k}, *args[] = {a[0], a[1], a[2], a[3], a[4], a[5], a[6]};
    long long got = remaining;
    int rc = eval((struct redis_kv *)kv, BUDGET_UPDATE, 1, keys, 7, args, &got, err, errlen);
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
    key_of(k, sizeof k, "rate", key);
    snprintf(a[0], sizeof a[0], "%.17g", per_minute / 60000.0);
    snprintf(a[1], sizeof a[1], "%d", burst > 0 ? burst : 1);
    snprintf(a[2], sizeof a[2], "%" PRId64, now);
    const char *keys[] = {k}, *args[] = {a[0], a[1], a[2]};
    int rc = eval((struct redis_kv *)kv, RATE_TAKE, 1, keys, 3, args, &w, err, errlen);
    *wait_ms = rc ? 0 : w;
    return rc;
}

static int cache_get(struct kv *kv, const char *key, char **value, char *err, size_t errlen)
{
    struct redis_kv *r = (struct redis_kv *)kv;
    char k[256];
    key_of(k, sizeof k, "cache", key);
    const char *argv[] = {"GET", k};
    redisReply *rep = NULL;
    *value = NULL;
    struct conn *c = acquire(r);
    int rc = command(r, c, 2, argv, &rep, err, errlen);
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
    key_of(k, sizeof k, "cache", key);
    key_of(h, sizeof h, "hold", key);
    snprintf(t, sizeof t, "%" PRId64, ttl_ms > 0 ? ttl_ms : 1);
    const char *keys[] = {k, h}, *args[] = {value, t};
    return eval((struct redis_kv *)kv, CACHE_PUT, 2, keys, 2, args, NULL, err, errlen);
}

static int cache_drop(struct kv *kv, const char *key, int64_t hold_ms, char *err, size_t errlen)
{
    char k[256], h[256], t[24];
    key_of(k, sizeof k, "cache", key);
    key_of(h, sizeof h, "hold", key);
    snprintf(t, sizeof t, "%" PRId64, hold_ms > 0 ? hold_ms : 1);
    const char *keys[] = {k, h}, *args[] = {t};
    return eval((struct redis_kv *)kv, CACHE_DROP, 2, keys, 1, args, NULL, err, errlen);
}

static int lease(struct kv *kv, const char *name, const char *owner, int64_t ttl_ms, int *held,
                 char *err, size_t errlen)
{
    char k[256], t[24];
    long long got = 0;
    key_of(k, sizeof k, "lease", name);
    snprintf(t, sizeof t, "%" PRId64, ttl_ms > 0 ? ttl_ms : 1);
    const char *keys[] = {k}, *args[] = {owner, t};
    int rc = eval((struct redis_kv *)kv, LEASE, 1, keys, 2, args, &got, err, errlen);
    *held = !rc && got == 1;
    return rc;
}

static int lease_release(struct kv *kv, const char *name, const char *owner, char *err,
                         size_t errlen)
{
    char k[256];
    key_of(k, sizeof k, "lease", name);
    const char *keys[] = {k}, *args[] = {owner};
    return eval((struct redis_kv *)kv, LEASE_RELEASE, 1, keys, 1, args, NULL, err, errlen);
}

static int ping(struct kv *kv, char *err, size_t errlen)
{
    struct redis_kv *r = (struct redis_kv *)kv;
    const char *argv[] = {"PING"};
    redisReply *rep = NULL;
    struct conn *c = acquire(r);
    int rc = command(r, c, 1, argv, &rep, err, errlen);
    pthread_mutex_unlock(&c->lock);
    freeReplyObject(rep);
    return rc;
}

static void redis_close(struct kv *kv)
{
    struct redis_kv *r = (struct redis_kv *)kv;
    for (int i = 0; i < POOL; i++) {
        drop_connection(&r->conns[i]);
        pthread_mutex_destroy(&r->conns[i].lock);
    }
    free(r->host);
    free(r);
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
    .ping = ping,
    .close = redis_close,
};

int kv_redis_open(const char *host, int port, struct kv **out, char *err, size_t errlen)
{
    struct redis_kv *r = xcalloc(1, sizeof *r);
    r->api.ops = &redis_ops;
    for (int i = 0; i < POOL; i++)
        pthread_mutex_init(&r->conns[i].lock, NULL);
    r->host = xstrdup(host);
    r->port = port;
    *out = NULL;
    /* the first connection now, so a wrong address fails here with its reason */
    pthread_mutex_lock(&r->conns[0].lock);
    int rc = connect_locked(r, &r->conns[0], err, errlen);
    pthread_mutex_unlock(&r->conns[0].lock);
    if (rc) {
        redis_close(&r->api);
        return rc;
    }
    *out = &r->api;
    return 0;
}
