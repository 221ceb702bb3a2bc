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

int gateway_start(struct app *a, const char *listen, struct web **out)
{
    struct web_options o;
    char err[256];
    int port = 0;
    web_options_from_config(&o, &a->cfg, &a->keys, &a->twitch);
    if (listen)
        o.listen = listen;
    if (web_start(&o, out, &port, err, sizeof err)) {
        log_error("gateway: %s", err);
        return EXIT_FAIL;
    }
    log_info("gateway listening on %s (port %d)", o.listen, port);
    return 0;
}

int cmd_gateway(int argc, char **argv)
{
    const char *listen = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else {
            fprintf(stderr, "usage: tca gateway [--listen HOST:PORT]\n");
            return EXIT_USAGE;
        }
    }
    struct app a;
    struct web *w = NULL;
    signals_install();
    int rc = app_open(&a, "gateway", 1);
    if (!rc)
        rc = gateway_start(&a, listen, &w);
    if (!rc) {
        while (!signals_stop_requested())
            clock_sleep_ms(100);
        log_info("gateway stopping: finishing requests in flight");
        web_stop(w);
        log_info("gateway stopped");
    }
    app_close(&a);
    return rc;
}
