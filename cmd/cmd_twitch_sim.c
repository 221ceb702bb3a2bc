/*
 * `tca twitch-sim`: parses the flags, takes the app it accepts from the flags or, like every
 * role, from TWITCH_CLIENT_ID / TWITCH_CLIENT_SECRET in the environment or .env, starts the
 * simulator, announces its base URLs (and writes the bound port to --port-file for tests that
 * start it on port 0), then waits for SIGINT or SIGTERM with sigwait. It must never keep
 * running after a bad flag or configuration (exit 2), and never print the client secret.
 */
#include "cmd/cmd_twitch_sim.h"

#include "base/config.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "cmd/app.h"
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
    if (!f || fprintf(f, "%d\n", port) < 0) {
        if (f)
            fclose(f);
        rc = tca_fail(err, errlen, TCA_ERR, "cannot write %s", tmp);
    } else if (fclose(f) != 0) { /* closed even when it fails: never fclose twice */
        rc = tca_fail(err, errlen, TCA_ERR, "cannot write %s", tmp);
    } else if (rename(tmp, path) != 0) {
        rc = tca_fail(err, errlen, TCA_ERR, "cannot rename %s to %s", tmp, path);
    }
    if (rc < 0)
        unlink(tmp);
    free(tmp);
    return rc;
}

/* The app the simulator accepts. The strings are owned here, or point into argv. */
struct client {
    const char *id, *secret;
    const char *from; /* where they came from, for --help and the start-up line */
    char *env_id, *env_secret;
};

static void client_clear(struct client *c)
{
    free(c->env_id);
    if (c->env_secret)
        explicit_bzero(c->env_secret, strlen(c->env_secret));
    free(c->env_secret);
}

/* Flags win; then the environment and .env, as one pair; then the built-in client. */
static int client_resolve(const struct sim_cli *cli, struct client *c, char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    int rc = config_get(app_env_file(), "TWITCH_CLIENT_ID", &c->env_id, err, errlen);
    if (!rc)
        rc = config_get(app_env_file(), "TWITCH_CLIENT_SECRET", &c->env_secret, err, errlen);
    if (rc)
        return rc;
    int flags = cli->opt.client_id || cli->opt.client_secret;
    c->id = cli->opt.client_id ? cli->opt.client_id : c->env_id;
    c->secret = cli->opt.client_secret ? cli->opt.client_secret : c->env_secret;
    if (!c->id && !c->secret) {
        c->id = "tca-sim-client";
        c->secret = "tca-sim-secret";
        c->from = "built in";
        return 0;
    }
    if (!c->id || !c->secret)
        return tca_fail(err, errlen, TCA_EINVAL,
                        "%s is set but %s is not: the simulator accepts one app, give both "
                        "(or neither, for tca-sim-client)",
                        c->id ? "the client id" : "the client secret",
                        c->id ? "TWITCH_CLIENT_SECRET (or --client-secret)"
                              : "TWITCH_CLIENT_ID (or --client-id)");
    c->from = flags ? "flags" : "TWITCH_CLIENT_ID / TWITCH_CLIENT_SECRET";
    return 0;
}

int cmd_twitch_sim(int argc, char **argv)
{
    struct sim_cli cli;
    struct client client;
    char err[256];
    if (sim_cli_parse(argc, argv, &cli, err, sizeof err) < 0) {
        fprintf(stderr, "tca twitch-sim: %s\n", err);
        return 2;
    }
    if (client_resolve(&cli, &client, err, sizeof err) < 0) {
        fprintf(stderr, "tca twitch-sim: %s\n", err);
        client_clear(&client);
        return 2;
    }
    cli.opt.client_id = client.id;
    cli.opt.client_secret = client.secret;
    if (cli.help) {
        fputs(sim_cli_usage(), stdout);
        printf("Here it would accept client_id=%s (%s).\n", client.id, client.from);
        client_clear(&client);
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
        client_clear(&client);
        return 1;
    }
    char host[128];
    const char *colon = strrchr(cli.listen, ':');
    snprintf(host, sizeof host, "%.*s", (int)(colon - cli.listen), cli.listen);
    if (strcmp(host, "0.0.0.0") == 0 || strcmp(host, "[::]") == 0)
        snprintf(host, sizeof host, "127.0.0.1");
    printf("twitch-sim listening: TWITCH_API_BASE=http://%s:%d/helix "
           "TWITCH_AUTH_BASE=http://%s:%d/oauth2 client_id=%s (%s)\n",
           host, port, host, port, client.id, client.from);
    fflush(stdout);
    client_clear(&client); /* sim_new made its own copies */

    int sig = 0;
    sigwait(&set, &sig);
    sim_free(s);
    if (cli.port_file)
        unlink(cli.port_file);
    return 0;
}
