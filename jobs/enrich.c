/*
 * The enrichment job. Works in chunks so a 100,000-chatter session needs bounded memory,
 * and marks accounts Twitch no longer returns (deleted, suspended) as enriched too, so they
 * are not asked for again on every run.
 */
#include "jobs/enrich.h"
#include "base/err.h"
#include "base/tca_metrics.h"
#include "base/xalloc.h"
#include "twitch/user_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ENRICH_CHUNK 1000
/* The backlog gauge counts at most this many profiles of a session (800 KB of ids once). */
#define BACKLOG_COUNT_MAX 100000

/* The profiles of the session still to fetch, added to the backlog gauge; 0 without metrics. */
static int64_t backlog_add(struct worker_env *env, int64_t session_id, int64_t stale_before)
{
    int64_t *ids = NULL;
    size_t n = 0;
    if (!env->metrics || store_profile_stale(env->st, session_id, stale_before, BACKLOG_COUNT_MAX,
                                             &ids, &n, NULL, 0) != 0)
        n = 0;
    free(ids);
    metrics_add(env->metrics, TM_ENRICH_BACKLOG, 0, 0, (int64_t)n);
    return (int64_t)n;
}

static int by_id(const void *a, const void *b)
{
    int64_t x = ((const struct twitch_user *)a)->id, y = ((const struct twitch_user *)b)->id;
    return (x > y) - (x < y);
}

static void to_profile(const struct twitch_user *u, int64_t now, struct store_profile *p)
{
    memset(p, 0, sizeof *p);
    p->id = u->id;
    snprintf(p->login, sizeof p->login, "%s", u->login);
    snprintf(p->display_name, sizeof p->display_name, "%s", u->display_name);
    snprintf(p->type, sizeof p->type, "%s", u->type);
    snprintf(p->broadcaster_type, sizeof p->broadcaster_type, "%s", u->broadcaster_type);
    p->created_at_ms = u->created_at_ms;
    p->enriched_at_ms = now;
}

static int enrich_chunk(struct worker_env *env, struct twitch_token *tok, const int64_t *ids,
                        size_t n, int64_t now, int *enriched, int *renames, char *err,
                        size_t errlen)
{
    struct twitch_user *users = NULL;
    size_t n_users = 0;
    int rc = twitch_get_users(env->tw, tok, ids, n, &users, &n_users, err, errlen);
    if (rc)
        return rc;
    qsort(users, n_users, sizeof *users, by_id);
    struct store_profile *profiles = xcalloc(n, sizeof *profiles);
    for (size_t i = 0; i < n; i++) {
        struct twitch_user key = {.id = ids[i]};
        struct twitch_user *u = bsearch(&key, users, n_users, sizeof *users, by_id);
        if (u) {
            to_profile(u, now, &profiles[i]);
            continue;
        }
        /* Gone from Twitch: keep what we know, but stop asking for it. */
        if (store_profile_get(env->st, ids[i], &profiles[i], NULL, 0) != 0) {
            memset(&profiles[i], 0, sizeof profiles[i]);
            profiles[i].id = ids[i];
        }
        profiles[i].enriched_at_ms = now;
    }
    int r = 0;
    rc = store_profile_put(env->st, profiles, n, &r, err, errlen);
    if (!rc) {
        *enriched += (int)n_users;
        *renames += r;
        metrics_add(env->metrics, TM_ENRICH_PROFILES, 0, 0, (int64_t)n_users);
        metrics_add(env->metrics, TM_RENAMES, 0, 0, r);
    }
    free(profiles);
    free(users);
    return rc;
}

int enrich_run(struct worker_env *env, int64_t session_id, int64_t user_id, int64_t job_id,
               int *enriched, int *renames, char *err, size_t errlen)
{
    struct twitch_token tok = {0};
    int64_t now = env->clock.now_ms(env->clock.ctx);
    int64_t max_age = env->profile_max_age_ms ? env->profile_max_age_ms : 7LL * 86400 * 1000;
    *enriched = *renames = 0;
    int rc = user_token_load(env->st, env->keys, env->tw, user_id, now, &tok, err, errlen);
    if (rc)
        return rc;
    int64_t backlog = backlog_add(env, session_id, now - max_age);
    for (;;) {
        int64_t *ids = NULL;
        size_t n = 0;
        rc = store_profile_stale(env->st, session_id, now - max_age, ENRICH_CHUNK, &ids, &n, err,
                                 errlen);
        if (rc || n == 0) {
            free(ids);
            break;
        }
        rc = enrich_chunk(env, &tok, ids, n, now, enriched, renames, err, errlen);
        free(ids);
        if (rc)
            break;
        int64_t done = (int64_t)n < backlog ? (int64_t)n : backlog;
        metrics_add(env->metrics, TM_ENRICH_BACKLOG, 0, 0, -done);
        backlog -= done;
        /* A long enrichment keeps its lease, and a refreshed token is kept even if we die. */
        if (job_id > 0)
            store_job_extend(env->st, job_id,
                             env->clock.now_ms(env->clock.ctx) + worker_lease_ms(env), NULL, 0);
        user_token_persist_refresh(env->st, env->keys, &tok, now, NULL, 0);
    }
    user_token_persist_refresh(env->st, env->keys, &tok, now, NULL, 0);
    twitch_token_clear(&tok);
    metrics_add(env->metrics, TM_ENRICH_BACKLOG, 0, 0, -backlog);
    return rc;
}
