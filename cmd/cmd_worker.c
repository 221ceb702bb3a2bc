/*
 * worker: capture and enrichment jobs (and, unless --no-scheduler, the scheduler); with
 * --metrics-listen (or TCA_METRICS_LISTEN) it also serves /metrics and /healthz, since a
 * worker-only process has no gateway to expose what it does.
 */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "cmd/run_pool.h"
#include "cmd/signals.h"
#include "base/log.h"
#include "web/web.h"

#include <stdio.h>
#include <string.h>

int cmd_worker(int argc, char **argv)
{
    struct app a;
    struct web_metrics_server *ms = NULL;
    const char *metrics_listen = NULL;
    int scheduler = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-scheduler") == 0) {
            scheduler = 0;
        } else if (strcmp(argv[i], "--metrics-listen") == 0 && i + 1 < argc) {
            metrics_listen = argv[++i];
        } else {
            fprintf(stderr, "usage: tca worker [--no-scheduler] [--metrics-listen HOST:PORT]\n");
            return EXIT_USAGE;
        }
    }
    signals_install();
    int rc = app_open(&a, "worker", 1);
    if (!rc && !metrics_listen)
        metrics_listen = a.cfg.metrics_listen;
    if (!rc && metrics_listen) {
        char err[256];
        int port = 0;
        if (web_metrics_server_start(metrics_listen, a.metrics, a.budget, &ms, &port, err,
                                     sizeof err)) {
            log_error("worker: %s", err);
            rc = EXIT_FAIL;
        } else {
            log_info("worker metrics on %s (port %d)", metrics_listen, port);
        }
    }
    if (!rc)
        rc = run_pool_until_signal(&a, "worker", scheduler);
    web_metrics_server_stop(ms);
    app_close(&a);
    return rc;
}
