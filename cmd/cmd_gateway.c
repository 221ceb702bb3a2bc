/*
 * gateway: the HTTP face of tca alone (login, sessions, JSON API, /healthz, /metrics), for
 * deployments that run workers as separate processes on the same store. Stops gracefully on
 * SIGINT/SIGTERM: requests in flight finish first.
 */
#include "cmd/cmd_gateway.h"
#include "cmd/commands.h"
#include "cmd/signals.h"
#include "base/clock.h"
#include "base/log.h"

#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

/* The gateway takes as many connections as descriptors allow, up to 16,384 (web/server.c),
 * beside the store connections and download threads; the usual soft limit of 1,024 would
 * refuse accepts long before. Raised to the hard limit, which only the operator can change. */
#define WANTED_FDS 5000

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return;
    if (rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            getrlimit(RLIMIT_NOFILE, &rl);
    }
    if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < WANTED_FDS)
        log_warn("open files limited to %llu (ulimit -n): the gateway takes fewer connections "
                 "(raise the hard limit for thousands of clients)",
                 (unsigned long long)rl.rlim_cur);
}

static int start_role(struct app *a, const char *listen, int analysis_only, struct web **out)
{
    struct web_options o;
    char err[256];
    int port = 0;
    raise_fd_limit();
    web_options_from_config(&o, &a->cfg, &a->keys, &a->twitch);
    o.analysis_only = analysis_only;
    o.kv = a->kv;
    o.metrics = a->metrics;
    /* the demo's browser login keeps the chat scope its device login granted (chat panel) */
    if (a->cfg.demo && a->cfg.twitch_eventsub_url)
        o.login_with = "chat";
    if (listen)
        o.listen = listen;
    if (web_start(&o, out, &port, err, sizeof err)) {
        log_error("gateway: %s", err);
        return EXIT_FAIL;
    }
    log_info("%s listening on %s (port %d)", analysis_only ? "analysis" : "gateway", o.listen,
             port);
    return 0;
}

int gateway_start(struct app *a, const char *listen, struct web **out)
{
    return start_role(a, listen, 0, out);
}

static int run_role(int argc, char **argv, const char *role, int analysis_only)
{
    const char *listen = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else {
            fprintf(stderr, "usage: tca %s [--listen HOST:PORT]\n", role);
            return EXIT_USAGE;
        }
    }
    struct app a;
    struct web *w = NULL;
    signals_install();
    int rc = app_open(&a, role, 1);
    if (!rc)
        rc = start_role(&a, listen, analysis_only, &w);
    if (!rc) {
        while (!signals_stop_requested())
            clock_sleep_ms(100);
        log_info("%s stopping: finishing requests in flight", role);
        web_stop(w);
        log_info("%s stopped", role);
    }
    app_close(&a);
    return rc;
}

int cmd_gateway(int argc, char **argv)
{
    return run_role(argc, argv, "gateway", 0);
}

int cmd_analysis(int argc, char **argv)
{
    return run_role(argc, argv, "analysis", 1);
}
