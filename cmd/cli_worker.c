/* Helpers for CLI commands that run jobs in their own process. */
#include "cmd/cli_worker.h"
#include "base/clock.h"
#include "base/err.h"
#include "twitch/user_token.h"

#include <ctype.h>
#include <string.h>

int cli_login_valid(const char *login)
{
    size_t len = strlen(login);
    if (len == 0 || len > CHATTER_LOGIN_MAX)
        return 0;
    for (size_t i = 0; i < len; i++)
        if (!isalnum((unsigned char)login[i]) && login[i] != '_')
            return 0;
    return 1;
}

int cli_resolve_channel(struct app *a, const struct store_user *me, const char *login,
                        struct store_channel *out)
{
    char err[256];
    if (store_channel_by_login(a->st, login, out, err, sizeof err) == 0)
        return 0;
    struct twitch_token tok = {0};
    struct twitch_user u;
    int rc =
        user_token_load(a->st, &a->keys, a->tw, me->id, clock_wall_ms(), &tok, err, sizeof err);
    if (!rc)
        rc = twitch_get_user_by_login(a->tw, &tok, login, &u, err, sizeof err);
    user_token_persist_refresh(a->st, &a->keys, &tok, clock_wall_ms(), NULL, 0);
    twitch_token_clear(&tok);
    if (rc == TCA_ENOTFOUND) {
        fprintf(stderr, "tca: Twitch has no channel '%s'\n", login);
        return EXIT_FAIL;
    }
    if (rc) {
        fprintf(stderr, "tca: %s\n", err);
        return EXIT_FAIL;
    }
    memset(out, 0, sizeof *out);
    out->id = u.id;
    snprintf(out->login, sizeof out->login, "%s", u.login);
    snprintf(out->display_name, sizeof out->display_name, "%s", u.display_name);
    if (store_channel_upsert(a->st, out, err, sizeof err)) {
        fprintf(stderr, "tca: %s\n", err);
        return EXIT_FAIL;
    }
    return 0;
}

void cli_worker_env(struct app *a, struct worker_env *env)
{
    memset(env, 0, sizeof *env);
    env->st = a->st;
    env->tw = a->tw;
    env->keys = &a->keys;
    env->clock = clock_real();
    env->lease_ms = (int64_t)a->cfg.job_lease_s * 1000;
    env->followers_interval_ms = (int64_t)a->cfg.followers_interval_s * 1000;
}

static void capture_text(FILE *f, struct store *st, const struct worker_outcome *o)
{
    struct store_channel c = {0};
    if (store_channel_get(st, o->channel_id, &c, NULL, 0))
        snprintf(c.login, sizeof c.login, "%lld", (long long)o->channel_id);
    fprintf(f,
            "capture %s #%lld: %lld chatters, %lld joined, %lld left, %lld new to the channel, "
            "%lld renamed (%d pages, %lld ms)",
            c.login, (long long)o->capture.seq, (long long)o->capture.chatter_count,
            (long long)o->capture.joined, (long long)o->capture.left,
            (long long)o->capture.new_to_channel, (long long)o->capture.renames, o->pages,
            (long long)o->duration_ms);
}

void cli_print_capture(FILE *f, struct store *st, const struct worker_outcome *capture,
                       int enriched, int renames)
{
    capture_text(f, st, capture);
    fprintf(f, "; %d profiles enriched (%d renames found by enrichment)\n", enriched, renames);
    fflush(f);
}

void cli_print_outcome(FILE *f, struct store *st, const struct worker_outcome *o)
{
    static const char *const states[] = {"queued for retry", "running", "done", "failed"};
    if (strcmp(o->kind, "capture") == 0 && o->state == JOB_DONE && o->capture.seq > 0) {
        capture_text(f, st, o);
        fputc('\n', f);
    } else if (strcmp(o->kind, "enrich") == 0 && o->state == JOB_DONE) {
        fprintf(f, "enriched %d profiles (%d renames)\n", o->enriched, o->renames);
    } else {
        fprintf(f, "job %lld (%s) %s%s%s\n", (long long)o->job_id, o->kind,
                o->state >= 0 && o->state <= 3 ? states[o->state] : "?", o->error[0] ? ": " : "",
                o->error);
    }
    fflush(f);
}
