/*
 * `tca twitch-sim`: parses the flags, starts the simulator, announces its base URLs (and
 * writes the bound port to --port-file for tests that start it on port 0), then waits for
 * SIGINT or SIGTERM with sigwait. It must never keep running after a bad flag (exit 2).
 */
#include "cmd/cmd_twitch_sim.h"

#include "base/err.h"
#include "base/xalloc.h"
#include "sim/cli.h"
#include "sim/sim.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Written to a temporary name and renamed, so a test polling for the file never reads half
 * of it. */
static int write_port_file(const char *path, int port, char *err, size_t errlen)
{
    char *tmp = xasprintf("%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    int rc = 0;
    if (!f || fprintf(f, "%d\n", port) < 0 || fclose(f) != 0) {
        if (f)
            fclose(f);
        rc = tca_fail(err, errlen, TCA_ERR, "cannot write %s", tmp);
    } else if (rename(tmp, path) != 0) {
        rc = tca_fail(err, errlen, TCA_ERR, "cannot rename %s to %s", tmp, path);
    }
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

int cmd_twitch_sim(int argc, char **argv)
{
    struct sim_cli cli;
    char err[256];
    if (sim_cli_parse(argc, argv, &cli, err, sizeof err) < 0) {
        fprintf(stderr, "tca twitch-sim: %s\n", err);
        return 2;
    }
    if (cli.help) {
        fputs(sim_cli_usage(), stdout);
        return 0;
    }
    /* block before the server threads exist, so they inherit the mask and only sigwait
     * below ever sees the signals */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);

    struct sim *s = sim_new(&cli.opt);
    int port = 0;
    if (sim_start(s, cli.listen, &port, err, sizeof err) < 0 ||
        (cli.port_file && write_port_file(cli.port_file, port, err, sizeof err) < 0)) {
        fprintf(stderr, "tca twitch-sim: %s\n", err);
        sim_free(s);
        return 1;
    }
    char host[128];
    const char *colon = strrchr(cli.listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - cli.listen), cli.listen);
    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "[::]") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    printf("twitch-sim listening: TWITCH_API_BASE=http://%s:%d/helix "
           "TWITCH_AUTH_BASE=http://%s:%d/oauth2 client_id=%s\n",
           host, port, host, port, cli.opt.client_id);
    fflush(stdout);

    int sig = 0;
    sigwait(&set, &sig);
    sim_free(s);
    if (cli.port_file)
        unlink(cli.port_file);
    return 0;
}
