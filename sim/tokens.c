/*
 * OAuth state of the simulator, in memory behind one mutex. Lookups are linear scans: a
 * simulator sees tens or hundreds of tokens, not millions. Tokens are random (libsodium), so
 * a test can never guess one; nothing here logs or prints them.
 */
#include "sim/tokens.h"

#include "base/crypto.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CODE_TTL_MS (10 * 60 * 1000)
#define DEVICE_TTL_MS (1800 * 1000)

struct grant {
    struct token_info info;
    int access_revoked;
    int refresh_revoked;
    double points;
    int64_t refilled_ms;
};

struct code {
    char code[TOKENS_TEXT];
    char redirect_uri[512];
    char scopes[256];
    int64_t user_id;
    int64_t expires_ms;
    int used;
};

struct device {
    char device_code[TOKENS_TEXT];
    char user_code[16];
    char scopes[256];
    int64_t user_id; /* 0 while pending */
    int polls;
    int used;
    int64_t expires_ms;
};

struct tokens {
    pthread_mutex_t lock;
    char *client_id;
    char *client_secret;
    int ttl_s;
    int points;
    struct grant *grants;
    size_t n_grants;
    struct code *codes;
    size_t n_codes;
    struct device *devices;
    size_t n_devices;
};

struct tokens *tokens_new(const char *client_id, const char *client_secret, int ttl_s,
                          int points_per_minute)
{
    struct tokens *t = xcalloc(1, sizeof *t);
    pthread_mutex_init(&t->lock, NULL);
    t->client_id = xstrdup(client_id);
    t->client_secret = xstrdup(client_secret);
    t->ttl_s = ttl_s;
    t->points = points_per_minute;
    return t;
}

void tokens_free(struct tokens *t)
{
    if (!t)
        return;
    sodium_memzero(t->grants, t->n_grants * sizeof *t->grants);
    free(t->grants);
    free(t->codes);
    free(t->devices);
    free(t->client_id);
    free(t->client_secret);
    pthread_mutex_destroy(&t->lock);
    free(t);
}

int tokens_client_known(struct tokens *t, const char *client_id)
{
    return client_id && strcmp(client_id, t->client_id) == 0;
}

int tokens_secret_ok(struct tokens *t, const char *client_id, const char *secret)
{
    return tokens_client_known(t, client_id) && secret && strcmp(secret, t->client_secret) == 0;
}

static void random_text(char *out)
{
    char tok[CRYPTO_TOKEN_CHARS + 1];
    crypto_random_token(tok);
    snprintf(out, TOKENS_TEXT, "%s", tok);
}

/* Called with the lock held. */
static void issue(struct tokens *t, int64_t user_id, const char *scopes, int64_t now_ms,
                  struct token_info *out)
{
    t->grants = xreallocarray(t->grants, t->n_grants + 1, sizeof *t->grants);
    struct grant *g = &t->grants[t->n_grants++];
    memset(g, 0, sizeof *g);
    random_text(g->info.access_token);
    if (user_id)
        random_text(g->info.refresh_token);
    snprintf(g->info.client_id, sizeof g->info.client_id, "%s", t->client_id);
    g->info.user_id = user_id;
    snprintf(g->info.scopes, sizeof g->info.scopes, "%s", scopes ? scopes : "");
    g->info.expires_ms = now_ms + (int64_t)t->ttl_s * 1000;
    g->points = t->points;
    g->refilled_ms = now_ms;
    *out = g->info;
}

void tokens_code_new(struct tokens *t, int64_t user_id, const char *scopes,
                     const char *redirect_uri, int64_t now_ms, char *out)
{
    pthread_mutex_lock(&t->lock);
    t->codes = xreallocarray(t->codes, t->n_codes + 1, sizeof *t->codes);
    struct code *c = &t->codes[t->n_codes++];
    memset(c, 0, sizeof *c);
    random_text(c->code);
    snprintf(c->redirect_uri, sizeof c->redirect_uri, "%s", redirect_uri);
    snprintf(c->scopes, sizeof c->scopes, "%s", scopes);
    c->user_id = user_id;
    c->expires_ms = now_ms + CODE_TTL_MS;
    snprintf(out, TOKENS_TEXT, "%s", c->code);
    pthread_mutex_unlock(&t->lock);
}

int tokens_code_redeem(struct tokens *t, const char *code, const char *redirect_uri, int64_t now_ms,
                       struct token_info *out)
{
    int rc = TCA_EAUTH;
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->n_codes; i++) {
        struct code *c = &t->codes[i];
        if (strcmp(c->code, code) != 0)
            continue;
        /* a code is burnt by any attempt, as OAuth asks */
        int ok = !c->used && now_ms < c->expires_ms &&
                 (!redirect_uri || strcmp(redirect_uri, c->redirect_uri) == 0);
        c->used = 1;
        if (ok) {
            issue(t, c->user_id, c->scopes, now_ms, out);
            rc = 0;
        }
        break;
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void tokens_issue(struct tokens *t, int64_t user_id, const char *scopes, int64_t now_ms,
                  struct token_info *out)
{
    pthread_mutex_lock(&t->lock);
    issue(t, user_id, scopes, now_ms, out);
    pthread_mutex_unlock(&t->lock);
}

int tokens_refresh(struct tokens *t, const char *refresh_token, int64_t now_ms,
                   struct token_info *out)
{
    int rc = TCA_EAUTH;
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->n_grants; i++) {
        struct grant *g = &t->grants[i];
        if (g->info.refresh_token[0] && !g->refresh_revoked &&
            strcmp(g->info.refresh_token, refresh_token) == 0) {
            /* issue() may move the array: copy what it needs first */
            int64_t user = g->info.user_id;
            char scopes[sizeof g->info.scopes];
            memcpy(scopes, g->info.scopes, sizeof scopes);
            issue(t, user, scopes, now_ms, out);
            rc = 0;
            break;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

/* Called with the lock held. */
static struct grant *find_access(struct tokens *t, const char *access_token)
{
    for (size_t i = 0; i < t->n_grants; i++)
        if (strcmp(t->grants[i].info.access_token, access_token) == 0)
            return &t->grants[i];
    return NULL;
}

int tokens_lookup(struct tokens *t, const char *access_token, int64_t now_ms,
                  struct token_info *out)
{
    int rc = TCA_EAUTH;
    pthread_mutex_lock(&t->lock);
    struct grant *g = find_access(t, access_token);
    if (g && !g->access_revoked && now_ms < g->info.expires_ms) {
        *out = g->info;
        rc = 0;
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int tokens_revoke(struct tokens *t, const char *token)
{
    int rc = TCA_ENOTFOUND;
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->n_grants; i++) {
        struct grant *g = &t->grants[i];
        if (!g->access_revoked && strcmp(g->info.access_token, token) == 0) {
            g->access_revoked = 1;
            rc = 0;
        }
        if (!g->refresh_revoked && g->info.refresh_token[0] &&
            strcmp(g->info.refresh_token, token) == 0) {
            g->refresh_revoked = 1;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void tokens_expire_all(struct tokens *t, int64_t now_ms)
{
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->n_grants; i++)
        if (t->grants[i].info.expires_ms > now_ms - 1)
            t->grants[i].info.expires_ms = now_ms - 1;
    pthread_mutex_unlock(&t->lock);
}

long tokens_issued(struct tokens *t)
{
    pthread_mutex_lock(&t->lock);
    long n = (long)t->n_grants;
    pthread_mutex_unlock(&t->lock);
    return n;
}

int tokens_take_point(struct tokens *t, const char *access_token, int64_t now_ms,
                      struct token_bucket *b)
{
    int rc = 0;
    pthread_mutex_lock(&t->lock);
    b->limit = t->points;
    struct grant *g = find_access(t, access_token);
    if (!g) {
        b->remaining = t->points;
        b->reset_s = now_ms / 1000;
        pthread_mutex_unlock(&t->lock);
        return 0;
    }
    /* Twitch refills continuously: points_per_minute spread over the minute */
    if (now_ms > g->refilled_ms) {
        g->points += (double)(now_ms - g->refilled_ms) * t->points / 60000.0;
        if (g->points > t->points)
            g->points = t->points;
        g->refilled_ms = now_ms;
    }
    if (g->points >= 1)
        g->points -= 1;
    else
        rc = TCA_ERATELIMIT;
    b->remaining = (long)g->points;
    double missing_ms = (t->points - g->points) * 60000.0 / t->points;
    b->reset_s = (now_ms + (int64_t)missing_ms + 999) / 1000;
    pthread_mutex_unlock(&t->lock);
    return rc;
}

void tokens_device_new(struct tokens *t, const char *scopes, int64_t now_ms, char *device_code,
                       char *user_code)
{
    pthread_mutex_lock(&t->lock);
    t->devices = xreallocarray(t->devices, t->n_devices + 1, sizeof *t->devices);
    struct device *d = &t->devices[t->n_devices++];
    memset(d, 0, sizeof *d);
    random_text(d->device_code);
    for (int i = 0; i < 8; i++)
        d->user_code[i] = (char)('A' + randombytes_uniform(26));
    snprintf(d->scopes, sizeof d->scopes, "%s", scopes ? scopes : "");
    d->expires_ms = now_ms + DEVICE_TTL_MS;
    snprintf(device_code, TOKENS_TEXT, "%s", d->device_code);
    snprintf(user_code, TOKENS_TEXT, "%s", d->user_code);
    pthread_mutex_unlock(&t->lock);
}

int tokens_device_approve(struct tokens *t, const char *code, int64_t user_id)
{
    int rc = TCA_ENOTFOUND;
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->n_devices; i++) {
        struct device *d = &t->devices[i];
        if (!d->used && (strcmp(d->device_code, code) == 0 || strcmp(d->user_code, code) == 0)) {
            d->user_id = user_id;
            rc = 0;
        }
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}

int tokens_device_poll(struct tokens *t, const char *device_code, int64_t auto_user, int64_t now_ms,
                       struct token_info *out)
{
    int rc = TCA_EAUTH;
    pthread_mutex_lock(&t->lock);
    for (size_t i = 0; i < t->n_devices; i++) {
        struct device *d = &t->devices[i];
        if (strcmp(d->device_code, device_code) != 0)
            continue;
        if (d->used || now_ms >= d->expires_ms)
            break;
        if (++d->polls >= 2 && auto_user && !d->user_id)
            d->user_id = auto_user;
        if (!d->user_id) {
            rc = TCA_ETEMP;
            break;
        }
        d->used = 1;
        char scopes[sizeof d->scopes];
        memcpy(scopes, d->scopes, sizeof scopes);
        issue(t, d->user_id, scopes, now_ms, out);
        rc = 0;
        break;
    }
    pthread_mutex_unlock(&t->lock);
    return rc;
}
