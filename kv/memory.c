/*
 * The memory kv: the same semantics as the Redis back end, for one process, under one mutex.
 * Every table is bounded (fixed slots, or reuse of stale entries), so no number of tokens,
 * clients or cache keys can grow memory without limit. Must never sleep holding the mutex.
 */
#include "kv/kv.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define RATE_SLOTS 8192
#define CACHE_SLOTS 8192
#define KEY_MAX 96
#define LOGINS_MAX 65536 /* logins and OAuth states live at once, each */
#define HASH_MAX 72

struct budget {
    char key[KEY_MAX];
    double limit, tokens, rate; /* rate: points per ms */
    int64_t at_ms, answered_ms, used_ms;
    long inflight;
    int seen; /* an answer filled it */
};

struct rate {
    char key[KEY_MAX];
    double tokens;
    int64_t at_ms;
};

struct entry {
    char *key, *value;           /* owned; value NULL for a drop marker */
    int64_t expires_ms, hold_ms; /* monotonic */
};

struct lease {
    char name[KEY_MAX], owner[KEY_MAX];
    int64_t expires_ms; /* monotonic */
};

/* A login or an OAuth state (l unused): one process's, for tca without Redis and the tests. */
struct login {
    char hash[HASH_MAX];
    struct kv_login l;
    int64_t expires_ms; /* monotonic */
};

struct login_table {
    struct login *rows;
    size_t n, cap;
};

struct memory_kv {
    struct kv api;
    pthread_mutex_t lock;
    struct budget *budgets;
    size_t n_budgets, cap_budgets;
    struct rate *rates;
    struct entry *entries;
    struct lease *leases;
    size_t n_leases, cap_leases;
    struct login_table logins, states;
};

static size_t hash(const char *s)
{
    size_t h = 1469598103934665603ULL; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return h;
}

static struct budget *budget_find(struct memory_kv *m, const char *key, int64_t now, int make)
{
    struct budget *stale = NULL;
    for (size_t i = 0; i < m->n_budgets; i++) {
        if (strcmp(m->budgets[i].key, key) == 0)
            return &m->budgets[i];
        if (!stale && m->budgets[i].used_ms + KV_BUDGET_STALE_MS < now)
            stale = &m->budgets[i];
    }
    if (!make)
        return NULL;
    if (!stale) {
        m->budgets = xgrow(m->budgets, &m->cap_budgets, m->n_budgets + 1, sizeof *m->budgets, 8);
        stale = &m->budgets[m->n_budgets++];
    }
    memset(stale, 0, sizeof *stale);
    snprintf(stale->key, sizeof stale->key, "%s", key);
    return stale;
}

/* Tokens of b at now: what it held at at_ms plus the refill since, up to its limit. */
static void refill(struct budget *b, int64_t now)
{
    if (now > b->at_ms) {
        b->tokens = b->tokens + (double)(now - b->at_ms) * b->rate;
        b->at_ms = now;
    }
    if (b->tokens > b->limit)
        b->tokens = b->limit;
}

static int budget_take(struct kv *kv, const char *key, int64_t now, int64_t *wait_ms, char *err,
                       size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    *wait_ms = 0;
    pthread_mutex_lock(&m->lock);
    struct budget *b = budget_find(m, key, now, 0);
    if (b) {
        refill(b, now);
        if (now - b->answered_ms > KV_BUDGET_QUIET_MS)
            b->inflight = 0; /* requests that never got an answer are over by now */
        if (b->tokens >= 1) {
            b->tokens = b->tokens - 1;
            b->inflight++;
        } else if (b->rate <= 0) {
            *wait_ms = 1000; /* Twitch said empty and nothing else: try again in a second */
        } else {
            *wait_ms = (int64_t)floor((1 - b->tokens) / b->rate) + 1;
        }
    }
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static int budget_update(struct kv *kv, const char *key, long limit, long remaining,
                         int64_t reset_ms, int64_t now, long *left, char *err, size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    pthread_mutex_lock(&m->lock);
    struct budget *b = budget_find(m, key, now, 1);
    if (!b->seen) {
        b->tokens = (double)remaining;
        b->at_ms = now;
        b->rate = -1;
        b->seen = 1;
    }
    b->used_ms = now;
    if (limit > 0)
        b->limit = (double)limit;
    else if (b->limit < (double)remaining)
        b->limit = (double)remaining;
    refill(b, now);
    if (b->inflight > 0)
        b->inflight--;
    /* Twitch's count does not know the requests still on their way: ours does */
    if ((double)(remaining - b->inflight) < b->tokens)
        b->tokens = (double)(remaining - b->inflight);
    double top = b->limit / KV_BUDGET_WINDOW_MS;
    if (reset_ms >= 0 && reset_ms > now && (double)remaining < b->limit) {
        b->rate = (b->limit - (double)remaining) / (double)(reset_ms - now);
        if (b->rate > top)
            b->rate = top;
        if (b->rate < b->limit / KV_BUDGET_RESET_MAX_MS)
            b->rate = b->limit / KV_BUDGET_RESET_MAX_MS;
    } else if (b->rate < 0) {
        b->rate = top;
    }
    b->answered_ms = now;
    if (left)
        *left = (long)floor(b->tokens);
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static int rate_take(struct kv *kv, const char *key, int per_minute, int burst, int64_t now,
                     int64_t *wait_ms, char *err, size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    double per_ms = per_minute / 60000.0, full = burst > 0 ? burst : 1;
    struct rate *r = &m->rates[hash(key) % RATE_SLOTS];
    *wait_ms = 0;
    if (per_minute <= 0)
        return 0;
    pthread_mutex_lock(&m->lock);
    if (strncmp(r->key, key, sizeof r->key - 1) != 0) {
        /* a collision: the old client's bucket goes if it would be full by now, else the
         * newcomer shares its budget (stricter, never looser) */
        if (r->key[0] == 0 || r->tokens + (double)(now - r->at_ms) * per_ms >= full) {
            snprintf(r->key, sizeof r->key, "%s", key);
            r->tokens = full;
            r->at_ms = now;
        }
    }
    if (now > r->at_ms) {
        r->tokens += (double)(now - r->at_ms) * per_ms;
        r->at_ms = now;
    }
    if (r->tokens > full)
        r->tokens = full;
    if (r->tokens >= 1.0)
        r->tokens -= 1.0;
    else
        *wait_ms = (int64_t)((1.0 - r->tokens) / per_ms) + 1;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static void entry_clear(struct entry *e)
{
    free(e->key);
    free(e->value);
    memset(e, 0, sizeof *e);
}

static int cache_get(struct kv *kv, const char *key, char **value, char *err, size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    struct entry *e = &m->entries[hash(key) % CACHE_SLOTS];
    int64_t now = clock_mono_ms();
    *value = NULL;
    pthread_mutex_lock(&m->lock);
    if (e->key && e->value && strcmp(e->key, key) == 0 && e->expires_ms > now)
        *value = xstrdup(e->value);
    pthread_mutex_unlock(&m->lock);
    return *value ? 0 : TCA_ENOTFOUND;
}

static int cache_put(struct kv *kv, const char *key, const char *value, int64_t ttl_ms, char *err,
                     size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    struct entry *e = &m->entries[hash(key) % CACHE_SLOTS];
    int64_t now = clock_mono_ms();
    char *k = xstrdup(key), *v = xstrdup(value);
    pthread_mutex_lock(&m->lock);
    if (e->hold_ms > now) {
        /* a recent drop holds the slot: the value may predate it */
        pthread_mutex_unlock(&m->lock);
        free(k);
        free(v);
        return 0;
    }
    struct entry old = *e;
    *e = (struct entry){.key = k, .value = v, .expires_ms = now + ttl_ms};
    pthread_mutex_unlock(&m->lock);
    entry_clear(&old);
    return 0;
}

static int cache_drop(struct kv *kv, const char *key, int64_t hold_ms, char *err, size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    struct entry *e = &m->entries[hash(key) % CACHE_SLOTS];
    int64_t now = clock_mono_ms();
    char *k = xstrdup(key);
    pthread_mutex_lock(&m->lock);
    struct entry old = *e;
    *e = (struct entry){.key = k, .hold_ms = now + hold_ms};
    pthread_mutex_unlock(&m->lock);
    entry_clear(&old);
    return 0;
}

static int lease(struct kv *kv, const char *name, const char *owner, int64_t ttl_ms, int *held,
                 char *err, size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    int64_t now = clock_mono_ms();
    struct lease *l = NULL;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->n_leases && !l; i++)
        if (strcmp(m->leases[i].name, name) == 0)
            l = &m->leases[i];
    if (!l) {
        m->leases = xgrow(m->leases, &m->cap_leases, m->n_leases + 1, sizeof *m->leases, 4);
        l = &m->leases[m->n_leases++];
        memset(l, 0, sizeof *l);
        snprintf(l->name, sizeof l->name, "%s", name);
    }
    *held = l->expires_ms <= now || strcmp(l->owner, owner) == 0;
    if (*held) {
        snprintf(l->owner, sizeof l->owner, "%s", owner);
        l->expires_ms = now + ttl_ms;
    }
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static int lease_release(struct kv *kv, const char *name, const char *owner, char *err,
                         size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->n_leases; i++)
        if (strcmp(m->leases[i].name, name) == 0 && strcmp(m->leases[i].owner, owner) == 0)
            m->leases[i].expires_ms = 0;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

/* The live row of hash, dropping expired rows met on the way (swap with the last). */
static struct login *login_find(struct login_table *t, const char *hash, int64_t now)
{
    for (size_t i = 0; i < t->n;) {
        if (t->rows[i].expires_ms <= now) {
            t->rows[i] = t->rows[--t->n];
            continue;
        }
        if (strcmp(t->rows[i].hash, hash) == 0)
            return &t->rows[i];
        i++;
    }
    return NULL;
}

static int login_add(struct login_table *t, const char *hash, const struct kv_login *l,
                     int64_t expires_ms, int64_t now, char *err, size_t errlen)
{
    if (strlen(hash) >= HASH_MAX)
        return tca_fail(err, errlen, TCA_EINVAL, "a login key is at most %d bytes", HASH_MAX - 1);
    struct login *row = login_find(t, hash, now);
    if (!row) {
        if (t->n >= LOGINS_MAX)
            return tca_fail(err, errlen, TCA_ELIMIT, "too many logins at once");
        t->rows = xgrow(t->rows, &t->cap, t->n + 1, sizeof *t->rows, 16);
        row = &t->rows[t->n++];
    }
    memset(row, 0, sizeof *row);
    snprintf(row->hash, sizeof row->hash, "%s", hash);
    if (l)
        row->l = *l;
    row->expires_ms = expires_ms;
    return 0;
}

static int login_put(struct kv *kv, const char *id_hash, const struct kv_login *l, int64_t ttl_ms,
                     char *err, size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    int64_t now = clock_mono_ms();
    pthread_mutex_lock(&m->lock);
    int rc = login_add(&m->logins, id_hash, l, now + ttl_ms, now, err, errlen);
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int login_get(struct kv *kv, const char *id_hash, struct kv_login *out, char *err,
                     size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    pthread_mutex_lock(&m->lock);
    struct login *row = login_find(&m->logins, id_hash, clock_mono_ms());
    if (row)
        *out = row->l;
    pthread_mutex_unlock(&m->lock);
    return row ? 0 : tca_fail(err, errlen, TCA_ENOTFOUND, "no such login");
}

static int login_touch(struct kv *kv, const char *id_hash, int64_t now_ms, int64_t ttl_ms,
                       char *err, size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    int64_t now = clock_mono_ms();
    pthread_mutex_lock(&m->lock);
    struct login *row = login_find(&m->logins, id_hash, now);
    if (row) {
        row->l.last_seen_ms = now_ms;
        row->expires_ms = now + ttl_ms;
    }
    pthread_mutex_unlock(&m->lock);
    return row ? 0 : tca_fail(err, errlen, TCA_ENOTFOUND, "no such login");
}

static int login_delete(struct kv *kv, const char *id_hash, char *err, size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    pthread_mutex_lock(&m->lock);
    struct login *row = login_find(&m->logins, id_hash, clock_mono_ms());
    if (row)
        row->expires_ms = 0; /* the next scan drops it */
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static int login_delete_user(struct kv *kv, int64_t user_id, char *err, size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    pthread_mutex_lock(&m->lock);
    for (size_t i = 0; i < m->logins.n; i++)
        if (m->logins.rows[i].l.user_id == user_id)
            m->logins.rows[i].expires_ms = 0;
    pthread_mutex_unlock(&m->lock);
    return 0;
}

static int state_put(struct kv *kv, const char *state_hash, int64_t ttl_ms, char *err,
                     size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    int64_t now = clock_mono_ms();
    pthread_mutex_lock(&m->lock);
    int rc = login_add(&m->states, state_hash, NULL, now + ttl_ms, now, err, errlen);
    pthread_mutex_unlock(&m->lock);
    return rc;
}

static int state_take(struct kv *kv, const char *state_hash, char *err, size_t errlen)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    pthread_mutex_lock(&m->lock);
    struct login *row = login_find(&m->states, state_hash, clock_mono_ms());
    if (row)
        row->expires_ms = 0;
    pthread_mutex_unlock(&m->lock);
    return row ? 0 : tca_fail(err, errlen, TCA_ENOTFOUND, "no such state");
}

static int ping(struct kv *kv, char *err, size_t errlen)
{
    return 0;
}

static void memory_close(struct kv *kv)
{
    struct memory_kv *m = (struct memory_kv *)kv;
    for (size_t i = 0; i < CACHE_SLOTS; i++)
        entry_clear(&m->entries[i]);
    pthread_mutex_destroy(&m->lock);
    free(m->budgets);
    free(m->rates);
    free(m->entries);
    free(m->leases);
    free(m->logins.rows);
    free(m->states.rows);
    free(m);
}

static const struct kv_ops memory_ops = {
    .name = "memory",
    .budget_take = budget_take,
    .budget_update = budget_update,
    .rate_take = rate_take,
    .cache_get = cache_get,
    .cache_put = cache_put,
    .cache_drop = cache_drop,
    .lease = lease,
    .lease_release = lease_release,
    .login_put = login_put,
    .login_get = login_get,
    .login_touch = login_touch,
    .login_delete = login_delete,
    .login_delete_user = login_delete_user,
    .state_put = state_put,
    .state_take = state_take,
    .ping = ping,
    .close = memory_close,
};

struct kv *kv_memory_new(void)
{
    struct memory_kv *m = xcalloc(1, sizeof *m);
    m->api.ops = &memory_ops;
    pthread_mutex_init(&m->lock, NULL);
    m->rates = xcalloc(RATE_SLOTS, sizeof *m->rates);
    m->entries = xcalloc(CACHE_SLOTS, sizeof *m->entries);
    return &m->api;
}
