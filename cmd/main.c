/* tca: one binary, one subcommand per role or operation. */
#include "cmd/commands.h"
#include "cmd/app.h"
#include "base/tca_metrics.h"

#include <curl/curl.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *help;
};

static const struct command commands[] = {
    {"serve", cmd_serve, "every role in one process on SQLite (simulated Twitch if none set)"},
    {"gateway", cmd_gateway, "the HTTP API, Twitch login and /metrics (see README, HTTP API)"},
    {"analysis", cmd_analysis, "the statistics API alone, for a proxy to route to"},
    {"worker", cmd_worker, "run capture and enrichment jobs (and the scheduler)"},
    {"twitch-sim", cmd_twitch_sim, "a local Twitch (OAuth + Helix) with simulated channels"},
    {"env-check", cmd_env_check, "list missing or malformed configuration"},
    {"env-generate", cmd_env_generate, "print fresh strong secrets"},
    {"migrate", cmd_migrate, "apply pending store migrations"},
    {"migrate-store", cmd_migrate_store, "copy a store to another: --from sqlite:P --to mysql://"},
    {"compact", cmd_compact, "re-pack the store and give free space back (SQLite VACUUM)"},
    {"backup", cmd_backup, "write a consistent copy of the store to a new file: backup FILE"},
    {"restore", cmd_restore, "copy a backup into a fresh store and verify it: restore FILE"},
    {"rotate-secret", cmd_rotate_secret, "re-seal stored tokens under APP_SESSION_SECRET_NEW"},
    {"login", cmd_login, "log in with Twitch (device code, no browser needed here)"},
    {"channels", cmd_channels, "your channel and the channels you moderate"},
    {"capture", cmd_capture, "capture a channel's chatters once: capture LOGIN"},
    {"watch", cmd_watch, "capture a channel periodically: watch LOGIN [--interval S]"},
    {"sessions", cmd_sessions, "your analysis sessions"},
    {"chat", cmd_chat, "chat capture of your session (EventSub): chat on|off, chat [--json]"},
    {"export", cmd_export,
     "export a session: export [--what chatters|timeline|...] --format csv|json"},
    {"stats", cmd_stats, "audience statistics of a session: stats [--session ID] [--json]"},
    {"bots", cmd_bots, "your known-bots list: bots list|add LOGIN|remove LOGIN|import FILE"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: tca COMMAND [OPTIONS]\n       tca --version\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++)
        fprintf(f, "  %-13s %s\n", commands[i].name, commands[i].help);
    fprintf(f, "\nConfiguration comes from the environment and ./.env (see README).\n");
}

int main(int argc, char **argv)
{
    /* glibc moves its mmap threshold up to the size of each large block freed, after which
     * the arrays of a statistics request (tens of MB) come from the thread's arena and stay
     * there once freed: a soak of `tca serve` held 250 MB of such free memory (RSS 453 MB,
     * 202 MB after malloc_trim). A fixed threshold keeps large blocks mapped on their own,
     * returned to the system when freed. */
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024);
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? EXIT_USAGE : EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("tca %s\n", tca_version());
        return EXIT_OK;
    }
    for (size_t i = 0; i < sizeof commands / sizeof *commands; i++) {
        if (strcmp(argv[1], commands[i].name) == 0) {
            int rc = commands[i].run(argc - 1, argv + 1);
            curl_global_cleanup();
            return rc;
        }
    }
    fprintf(stderr, "tca: unknown command '%s' (try `tca --help`)\n", argv[1]);
    return EXIT_USAGE;
}
