/*
 * What the Redis kv's files share (internal to kv/): the connection pool, one way to run a
 * command or a Lua script on it, and the script table. redis_conn.c owns connections;
 * redis.c and redis_login.c only borrow one for a command. Must never be included outside kv/.
 */
#ifndef TCA_KV_REDIS_INTERNAL_H
#define TCA_KV_REDIS_INTERNAL_H

#include "kv/kv.h"

#include <hiredis/hiredis.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define KV_REDIS_ARGS_MAX 10
/* Connections per process: enough for the gateway's threads not to queue behind one. */
#define KV_REDIS_POOL 8

enum kv_redis_script {
    KV_REDIS_BUDGET_TAKE,
    KV_REDIS_BUDGET_UPDATE,
    KV_REDIS_RATE_TAKE,
    KV_REDIS_CACHE_PUT,
    KV_REDIS_CACHE_DROP,
    KV_REDIS_LEASE,
    KV_REDIS_LEASE_RELEASE,
    KV_REDIS_LOGIN_PUT,
    KV_REDIS_LOGIN_TOUCH,
    KV_REDIS_LOGIN_DELETE,
    KV_REDIS_LOGIN_DELETE_USER,
    KV_REDIS_N_SCRIPTS
};

/** The Lua text of every script, loaded on each connection (defined in redis.c). */
extern const char *const kv_redis_scripts[KV_REDIS_N_SCRIPTS];
/** The login scripts' texts (redis_login.c). */
extern const char kv_redis_login_put_lua[], kv_redis_login_touch_lua[], kv_redis_login_delete_lua[],
    kv_redis_login_delete_user_lua[];

/** A connection and what it needs to run scripts; used by one thread at a time. */
struct kv_redis_conn {
    pthread_mutex_t lock;
    redisContext *ctx; /* NULL while disconnected */
    int64_t retry_at;  /* monotonic: no connect attempt before */
    char sha[KV_REDIS_N_SCRIPTS][48];
};

struct redis_kv {
    struct kv api;
    char *host; /* owned; a socket path when port is 0 */
    int port;
    unsigned next; /* round robin when every connection is busy */
    struct kv_redis_conn conns[KV_REDIS_POOL];
};

/** A new kv with no connection yet; free with kv_redis_free. */
struct redis_kv *kv_redis_new(const struct kv_ops *ops, const char *host, int port);
/** Closes every connection and frees r. */
void kv_redis_free(struct redis_kv *r);
/** Connects the first connection now, so a wrong address fails with its reason. */
int kv_redis_connect_first(struct redis_kv *r, char *err, size_t errlen);
/** A connection for one command; give it back with pthread_mutex_unlock(&c->lock). */
struct kv_redis_conn *kv_redis_acquire(struct redis_kv *r);
/**
 * Runs one command on c (locked by the caller), reconnecting once when the connection broke.
 * *out is the reply (the caller frees it with freeReplyObject) unless an error is returned;
 * an error reply is returned as TCA_ERR (TCA_ECONFLICT for NOSCRIPT).
 */
int kv_redis_command(const struct redis_kv *r, struct kv_redis_conn *c, int argc, const char **argv,
                     redisReply **out, char *err, size_t errlen);
/** EVALSHA script s with keys then args; the integer answer in *result (may be NULL). */
int kv_redis_eval(struct redis_kv *r, enum kv_redis_script s, int nkeys, const char *const *keys,
                  int nargs, const char *const *args, long long *result, char *err, size_t errlen);
/* The login operations (redis_login.c), for redis.c's table. */
int kv_redis_login_put(struct kv *kv, const char *id_hash, const struct kv_login *l, int64_t ttl_ms,
                       char *err, size_t errlen);
int kv_redis_login_get(struct kv *kv, const char *id_hash, struct kv_login *out, char *err,
                       size_t errlen);
int kv_redis_login_touch(struct kv *kv, const char *id_hash, int64_t now_ms, int64_t ttl_ms,
                         char *err, size_t errlen);
int kv_redis_login_delete(struct kv *kv, const char *id_hash, char *err, size_t errlen);
int kv_redis_login_delete_user(struct kv *kv, int64_t user_id, char *err, size_t errlen);
int kv_redis_state_put(struct kv *kv, const char *state_hash, int64_t ttl_ms, char *err,
                       size_t errlen);
int kv_redis_state_take(struct kv *kv, const char *state_hash, char *err, size_t errlen);

/** "tca:KIND:KEY": every key tca writes in Redis. */
void kv_redis_key(char *out, size_t len, const char *kind, const char *key);

#endif
