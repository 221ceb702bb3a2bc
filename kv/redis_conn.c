/*
 * The Redis kv's connections (hiredis 0.14 in Debian 12; only calls hiredis 1.x also has): a
 * few per kv, each under its own mutex, opened when threads need them at once and reconnected
 * on failure (scripts reloaded). Must never log, never block longer than its timeouts, and
 * never hammer a dead server: after a failed connect a connection answers TCA_ETEMP for
 * RETRY_MS.
 */
#include "kv/redis_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TIMEOUT_MS 2000
#define RETRY_MS 500

static void drop_connection(struct kv_redis_conn *c)
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
struct kv_redis_conn *kv_redis_acquire(struct redis_kv *r)
{
    for (int i = 0; i < KV_REDIS_POOL; i++)
        if (pthread_mutex_trylock(&r->conns[i].lock) == 0)
            return &r->conns[i];
    struct kv_redis_conn *c =
        &r->conns[__atomic_fetch_add(&r->next, 1, __ATOMIC_RELAXED) % KV_REDIS_POOL];
    pthread_mutex_lock(&c->lock);
    return c;
}

/* One command on the live connection; NULL reply means the connection broke. */
static redisReply *run(struct kv_redis_conn *c, int argc, const char **argv, const size_t *lens)
{
    redisReply *rep = redisCommandArgv(c->ctx, argc, argv, lens);
    if (!rep)
        drop_connection(c);
    return rep;
}

static int load_scripts(const struct redis_kv *r, struct kv_redis_conn *c, char *err, size_t errlen)
{
    char at[300];
    for (int i = 0; i < KV_REDIS_N_SCRIPTS; i++) {
        const char *argv[] = {"SCRIPT", "LOAD", kv_redis_scripts[i]};
        size_t lens[] = {6, 4, strlen(kv_redis_scripts[i])};
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

static int connect_locked(const struct redis_kv *r, struct kv_redis_conn *c, char *err,
                          size_t errlen)
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
int kv_redis_command(const struct redis_kv *r, struct kv_redis_conn *c, int argc, const char **argv,
                     redisReply **out, char *err, size_t errlen)
{
    size_t lens[KV_REDIS_ARGS_MAX + 4];
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
int kv_redis_eval(struct redis_kv *r, enum kv_redis_script s, int nkeys, const char *const *keys,
                  int nargs, const char *const *args, long long *result, char *err, size_t errlen)
{
    const char *argv[KV_REDIS_ARGS_MAX + 4];
    char n[8];
    snprintf(n, sizeof n, "%d", nkeys);
    struct kv_redis_conn *c = kv_redis_acquire(r);
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
        rc = kv_redis_command(r, c, argc, argv, &rep, err, errlen);
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

void kv_redis_key(char *out, size_t len, const char *kind, const char *key)
{
    snprintf(out, len, "tca:%s:%s", kind, key);
}

struct redis_kv *kv_redis_new(const struct kv_ops *ops, const char *host, int port)
{
    struct redis_kv *r = xcalloc(1, sizeof *r);
    r->api.ops = ops;
    for (int i = 0; i < KV_REDIS_POOL; i++)
        pthread_mutex_init(&r->conns[i].lock, NULL);
    r->host = xstrdup(host);
    r->port = port;
    return r;
}

void kv_redis_free(struct redis_kv *r)
{
    for (int i = 0; i < KV_REDIS_POOL; i++) {
        drop_connection(&r->conns[i]);
        pthread_mutex_destroy(&r->conns[i].lock);
    }
    free(r->host);
    free(r);
}

int kv_redis_connect_first(struct redis_kv *r, char *err, size_t errlen)
{
    pthread_mutex_lock(&r->conns[0].lock);
    int rc = connect_locked(r, &r->conns[0], err, errlen);
    pthread_mutex_unlock(&r->conns[0].lock);
    return rc;
}
