/*
 * Login sessions and OAuth states in Redis, so every gateway replica accepts a cookie or an
 * OAuth callback another one issued. A login is a hash at tca:login:<id hash> expiring with
 * Redis's own clock; tca:logins:<user id> lists the user's logins for logout everywhere.
 * Keys are only keyed hashes (base/crypto.h): the Redis dump holds no usable session id or
 * state. Must never log. The scripts name the user's set themselves, which a single Redis
 * (not Redis Cluster) allows.
 */
#include "kv/redis_internal.h"
#include "base/err.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* KEYS = login, user's set; ARGV = user, csrf, created, seen, expires, ttl, set ttl. Logins of
 * the user that expired meanwhile leave the set, so it never holds more than the live ones. */
const char kv_redis_login_put_lua[] =
    "redis.call('HSET', KEYS[1], 'user', ARGV[1], 'csrf', ARGV[2], 'created', ARGV[3],\n"
    "           'seen', ARGV[4], 'expires', ARGV[5])\n"
    "redis.call('PEXPIRE', KEYS[1], ARGV[6])\n"
    "for _, k in ipairs(redis.call('SMEMBERS', KEYS[2])) do\n"
    "  if redis.call('EXISTS', k) == 0 then redis.call('SREM', KEYS[2], k) end\n"
    "end\n"
    "redis.call('SADD', KEYS[2], KEYS[1])\n"
    "if redis.call('PTTL', KEYS[2]) < tonumber(ARGV[7]) then\n"
    "  redis.call('PEXPIRE', KEYS[2], ARGV[7])\n"
    "end\n"
    "return 1\n";

/* KEYS = login; ARGV = now, ttl. Only an existing login is touched: a logout wins. */
const char kv_redis_login_touch_lua[] = "if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end\n"
                                        "redis.call('HSET', KEYS[1], 'seen', ARGV[1])\n"
                                        "redis.call('PEXPIRE', KEYS[1], ARGV[2])\n"
                                        "return 1\n";

/* KEYS = login; ARGV = the set's prefix. */
const char kv_redis_login_delete_lua[] = "local u = redis.call('HGET', KEYS[1], 'user')\n"
                                         "redis.call('DEL', KEYS[1])\n"
                                         "if u then redis.call('SREM', ARGV[1] .. u, KEYS[1]) end\n"
                                         "return 1\n";

/* KEYS = user's set. */
const char kv_redis_login_delete_user_lua[] =
    "local n = 0\n"
    "for _, k in ipairs(redis.call('SMEMBERS', KEYS[1])) do n = n + redis.call('DEL', k) end\n"
    "redis.call('DEL', KEYS[1])\n"
    "return n\n";

#define SET_PREFIX "tca:logins:"

static void user_set(char *out, size_t len, int64_t user_id)
{
    snprintf(out, len, SET_PREFIX "%" PRId64, user_id);
}

int kv_redis_login_put(struct kv *kv, const char *id_hash, const struct kv_login *l, int64_t ttl_ms,
                       char *err, size_t errlen)
{
    char k[128], s[64], a[7][48];
    int64_t ttl = ttl_ms > 0 ? ttl_ms : 1;
    int64_t set_ttl = l->expires_at_ms - l->last_seen_ms;
    kv_redis_key(k, sizeof k, "login", id_hash);
    user_set(s, sizeof s, l->user_id);
    snprintf(a[0], sizeof a[0], "%" PRId64, l->user_id);
    snprintf(a[1], sizeof a[1], "%s", l->csrf);
    snprintf(a[2], sizeof a[2], "%" PRId64, l->created_at_ms);
    snprintf(a[3], sizeof a[3], "%" PRId64, l->last_seen_ms);
    snprintf(a[4], sizeof a[4], "%" PRId64, l->expires_at_ms);
    snprintf(a[5], sizeof a[5], "%" PRId64, ttl);
    snprintf(a[6], sizeof a[6], "%" PRId64, set_ttl > ttl ? set_ttl : ttl);
    const char *keys[] = {k, s}, *args[] = {a[0], a[1], a[2], a[3], a[4], a[5], a[6]};
    return kv_redis_eval((struct redis_kv *)kv, KV_REDIS_LOGIN_PUT, 2, keys, 7, args, NULL, err,
                         errlen);
}

static int64_t field(const redisReply *f)
{
    return f->type == REDIS_REPLY_STRING ? strtoll(f->str, NULL, 10) : 0;
}

int kv_redis_login_get(struct kv *kv, const char *id_hash, struct kv_login *out, char *err,
                       size_t errlen)
{
    struct redis_kv *r = (struct redis_kv *)kv;
    char k[128];
    kv_redis_key(k, sizeof k, "login", id_hash);
    const char *argv[] = {"HMGET", k, "user", "csrf", "created", "seen", "expires"};
    redisReply *rep = NULL;
    memset(out, 0, sizeof *out);
    struct kv_redis_conn *c = kv_redis_acquire(r);
    int rc = kv_redis_command(r, c, 7, argv, &rep, err, errlen);
    pthread_mutex_unlock(&c->lock);
    if (rc)
        return rc;
    if (rep->type != REDIS_REPLY_ARRAY || rep->elements != 5 ||
        rep->element[0]->type != REDIS_REPLY_STRING) {
        freeReplyObject(rep);
        return tca_fail(err, errlen, TCA_ENOTFOUND, "no such login");
    }
    out->user_id = field(rep->element[0]);
    if (rep->element[1]->type == REDIS_REPLY_STRING)
        snprintf(out->csrf, sizeof out->csrf, "%.*s", (int)rep->element[1]->len,
                 rep->element[1]->str);
    out->created_at_ms = field(rep->element[2]);
    out->last_seen_ms = field(rep->element[3]);
    out->expires_at_ms = field(rep->element[4]);
    freeReplyObject(rep);
    return 0;
}

int kv_redis_login_touch(struct kv *kv, const char *id_hash, int64_t now_ms, int64_t ttl_ms,
                         char *err, size_t errlen)
{
    char k[128], a[2][24];
    long long touched = 0;
    kv_redis_key(k, sizeof k, "login", id_hash);
    snprintf(a[0], sizeof a[0], "%" PRId64, now_ms);
    snprintf(a[1], sizeof a[1], "%" PRId64, ttl_ms > 0 ? ttl_ms : 1);
    const char *keys[] = {k}, *args[] = {a[0], a[1]};
    int rc = kv_redis_eval((struct redis_kv *)kv, KV_REDIS_LOGIN_TOUCH, 1, keys, 2, args, &touched,
                           err, errlen);
    if (!rc && !touched)
        return tca_fail(err, errlen, TCA_ENOTFOUND, "no such login");
    return rc;
}

int kv_redis_login_delete(struct kv *kv, const char *id_hash, char *err, size_t errlen)
{
    char k[128];
    kv_redis_key(k, sizeof k, "login", id_hash);
    const char *keys[] = {k}, *args[] = {SET_PREFIX};
    return kv_redis_eval((struct redis_kv *)kv, KV_REDIS_LOGIN_DELETE, 1, keys, 1, args, NULL, err,
                         errlen);
}

int kv_redis_login_delete_user(struct kv *kv, int64_t user_id, char *err, size_t errlen)
{
    char s[64];
    user_set(s, sizeof s, user_id);
    const char *keys[] = {s};
    return kv_redis_eval((struct redis_kv *)kv, KV_REDIS_LOGIN_DELETE_USER, 1, keys, 0, NULL, NULL,
                         err, errlen);
}

int kv_redis_state_put(struct kv *kv, const char *state_hash, int64_t ttl_ms, char *err,
                       size_t errlen)
{
    struct redis_kv *r = (struct redis_kv *)kv;
    char k[128], t[24];
    kv_redis_key(k, sizeof k, "state", state_hash);
    snprintf(t, sizeof t, "%" PRId64, ttl_ms > 0 ? ttl_ms : 1);
    const char *argv[] = {"SET", k, "1", "PX", t};
    redisReply *rep = NULL;
    struct kv_redis_conn *c = kv_redis_acquire(r);
    int rc = kv_redis_command(r, c, 5, argv, &rep, err, errlen);
    pthread_mutex_unlock(&c->lock);
    freeReplyObject(rep);
    return rc;
}

/* DEL answers how many keys it removed: of two concurrent takers exactly one sees 1. */
int kv_redis_state_take(struct kv *kv, const char *state_hash, char *err, size_t errlen)
{
    struct redis_kv *r = (struct redis_kv *)kv;
    char k[128];
    kv_redis_key(k, sizeof k, "state", state_hash);
    const char *argv[] = {"DEL", k};
    redisReply *rep = NULL;
    struct kv_redis_conn *c = kv_redis_acquire(r);
    int rc = kv_redis_command(r, c, 2, argv, &rep, err, errlen);
    pthread_mutex_unlock(&c->lock);
    if (rc)
        return rc;
    int taken = rep->type == REDIS_REPLY_INTEGER && rep->integer == 1;
    freeReplyObject(rep);
    return taken ? 0 : tca_fail(err, errlen, TCA_ENOTFOUND, "no such state");
}
