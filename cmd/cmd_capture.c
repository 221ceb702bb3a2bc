/*
 * capture and watch: headless captures into the user's active session, run by a worker in
 * this process through the same durable queue as `tca serve`, so a crash loses nothing.
 */
#include "cmd/cli_worker.h"
#include "cmd/commands.h"
#include "cmd/signals.h"
#include "base/clock.h"
#include "base/err.h"
#include "jobs/scheduler.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Runs every due job (ours and any other) until the queue is idle, then prints one summary
 * line on stdout; retries and other jobs' outcomes go to stderr as progress. */
static int drain(struct app *a, struct worker_env *env, int64_t job_id)
{
    char err[256];
    struct worker_outcome mine = {0};
    int enriched = 0, renames = 0, job_done = 0;
    for (;;) {
        struct worker_outcome o;
        int rc = worker_run_one(env, &o, err, sizeof err);
        if (rc < 0) {
            fprintf(stderr, "tca: %s\n", err);
            return EXIT_FAIL;
        }
        if (rc > 0) {
            if (o.job_id == job_id && o.state == JOB_DONE) {
                mine = o;
            } else if (strcmp(o.kind, "enrich") == 0 && o.state == JOB_DONE) {
                enriched += o.enriched;
                renames += o.renames;
            } else {
                cli_print_outcome(stderr, a->st, &o);
                if (o.job_id == job_id && o.state == JOB_FAILED)
                    return EXIT_FAIL;
            }
            continue;
        }
        /* Idle: our job is done, or waits for its retry, or another worker holds it. */
        struct store_job job = {0};
        if (store_job_get(a->st, job_id, &job, err, sizeof err) == 0) {
            job_done = job.state == JOB_DONE;
            int failed = job.state == JOB_FAILED;
            store_job_clear(&job);
            if (failed) {
                fprintf(stderr, "tca: the capture failed\n");
                return EXIT_FAIL;
            }
        }
        if (job_done)
            break;
        if (signals_stop_requested())
            return EXIT_FAIL;
        clock_sleep_ms(200);
    }
    if (mine.job_id)
        cli_print_capture(stdout, a->st, &mine, enriched, renames);
    else
        printf("capture job %lld was completed by another worker\n", (long long)job_id);
    return EXIT_OK;
}

static int parse_login_args(int argc, char **argv, const char **login, int *interval)
{
    *login = NULL;
    for (int i = 1; i < argc; i++) {
        if (interval && strcmp(argv[i], "--interval") == 0 && i + 1 < argc) {
            char *end;
            long v = strtol(argv[++i], &end, 10);
            if (*end || v < 1 || v > 86400) {
                fprintf(stderr, "tca: --interval takes seconds from 1 to 86400\n");
                return EXIT_USAGE;
            }
            *interval = (int)v;
        } else if (argv[i][0] == '-' || *login) {
            fprintf(stderr, "usage: tca %s LOGIN%s\n", argv[0],
                    interval ? " [--interval SECONDS]" : "");
            return EXIT_USAGE;
        } else {
            *login = argv[i];
        }
    }
    if (*login && !cli_login_valid(*login)) {
        fprintf(stderr, "tca: '%s' is not a Twitch login (1 to %d letters, digits, _)\n", *login,
                CHATTER_LOGIN_MAX);
        return EXIT_USAGE;
    }
    if (!*login) {
        fprintf(stderr, "usage: tca %s LOGIN%s\n", argv[0],
                interval ? " [--interval SECONDS]" : "");
        return EXIT_USAGE;
    }
    return 0;
}

int cmd_capture(int argc, char **argv)
{
    struct app a;
    struct store_user me;
    struct store_channel ch;
    struct worker_env env;
    const char *login;
    char err[256];
    int rc = parse_login_args(argc, argv, &login, NULL);
    if (rc)
        return rc;
    signals_install();
    if ((rc = app_open(&a, "capture", 1)) || (rc = app_current_user(&a, &me)) ||
        (rc = cli_resolve_channel(&a, &me, login, &ch)))
        goto out;
    int64_t session_id = 0, job_id = 0;
    int64_t now = clock_wall_ms();
    if (store_session_active(a.st, me.id, now, &session_id, err, sizeof err)) {
        fprintf(stderr, "tca capture: %s\n", err);
        rc = EXIT_FAIL;
        goto out;
    }
    int e = worker_enqueue_capture(a.st, session_id, ch.id, me.id, now, &job_id, err, sizeof err);
    if (e && e != TCA_ECONFLICT) {
        fprintf(stderr, "tca capture: %s\n", err);
        rc = EXIT_FAIL;
        goto out;
    }
    cli_worker_env(&a, &env);
    rc = drain(&a, &env, job_id);
out:
    app_close(&a);
    return rc;
}

int cmd_watch(int argc, char **argv)
{
    struct app a;
    struct store_user me;
    struct store_channel ch;
    struct worker_env env;
    const char *login;
    char err[256];
    int interval = 0;
    int rc = parse_login_args(argc, argv, &login, &interval);
    if (rc)
        return rc;
    signals_install();
    if ((rc = app_open(&a, "watch", 1)) || (rc = app_current_user(&a, &me)) ||
        (rc = cli_resolve_channel(&a, &me, login, &ch)))
        goto out;
    if (!interval)
        interval = a.cfg.capture_interval;
    int64_t session_id = 0;
    struct store_schedule s = {0};
    if (store_session_active(a.st, me.id, clock_wall_ms(), &session_id, err, sizeof err))
        goto fail;
    s.session_id = session_id;
    s.channel_id = ch.id;
    s.user_id = me.id;
    s.interval_s = interval;
    s.next_at_ms = clock_wall_ms();
    s.enabled = 1;
    if (store_schedule_set(a.st, &s, err, sizeof err))
        goto fail;
    printf("watching %s every %d s into session %lld (Ctrl-C to stop)\n", ch.login, interval,
           (long long)session_id);
    fflush(stdout);
    cli_worker_env(&a, &env);
    while (!signals_stop_requested()) {
        struct worker_outcome o;
        if (scheduler_tick(a.st, clock_wall_ms(), NULL, NULL, err, sizeof err))
            fprintf(stderr, "tca watch: %s\n", err);
        int r = worker_run_one(&env, &o, err, sizeof err);
        if (r > 0) {
            cli_print_outcome(stdout, a.st, &o);
            continue;
        }
        if (r < 0)
            fprintf(stderr, "tca watch: %s\n", err);
        clock_sleep_ms(200);
    }
    store_schedule_stop(a.st, session_id, ch.id, NULL, 0);
    printf("stopped watching %s\n", ch.login);
    rc = EXIT_OK;
    goto out;
fail:
    fprintf(stderr, "tca watch: %s\n", err);
    rc = EXIT_FAIL;
out:
    app_close(&a);
    return rc;
}
