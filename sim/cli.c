/*
 * Flag parsing for `tca twitch-sim`: "--flag value" or "--flag=value", numbers range-checked.
 * Never prints and never exits; cmd/cmd_twitch_sim.c decides what to do with the result.
 */
#include "sim/cli.h"

#include "base/err.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

enum kind { FLAG_BOOL, FLAG_TEXT, FLAG_NUMBER };

struct flag {
    const char *name;
    enum kind kind;
    long long min, max;
};

static const struct flag flags[] = {
    {"--listen", FLAG_TEXT, 0, 0},
    {"--port-file", FLAG_TEXT, 0, 0},
    {"--seed", FLAG_NUMBER, 0, 9007199254740991LL},
    {"--tick-ms", FLAG_NUMBER, 1, 86400000},
    {"--manual-clock", FLAG_BOOL, 0, 0},
    {"--ratelimit", FLAG_NUMBER, 1, 1000000},
    {"--token-ttl", FLAG_NUMBER, 1, 31536000},
    {"--device-interval", FLAG_NUMBER, 1, 3600},
    {"--no-device-auto-approve", FLAG_BOOL, 0, 0},
    {"--client-id", FLAG_TEXT, 0, 0},
    {"--client-secret", FLAG_TEXT, 0, 0},
    {"--lurker-bots", FLAG_NUMBER, 0, 1000},
    {"--bot-shapes", FLAG_BOOL, 0, 0},
    {"--rename-permille", FLAG_NUMBER, 0, 1000},
    {"--login", FLAG_TEXT, 0, 0},
    {"--help", FLAG_BOOL, 0, 0},
};

const char *sim_cli_usage(void)
{
    return "usage: tca twitch-sim [--listen HOST:PORT] [--port-file PATH] [--seed N]\n"
           "                      [--tick-ms N] [--manual-clock] [--ratelimit N]\n"
           "                      [--token-ttl S] [--device-interval S]\n"
           "                      [--no-device-auto-approve] [--client-id ID]\n"
           "                      [--client-secret S] [--lurker-bots N] [--bot-shapes]\n"
           "                      [--rename-permille N] [--login LOGIN]\n"
           "A local Twitch (OAuth + Helix) with simulated channels, for the demo and tests.\n"
           "  --listen HOST:PORT   where to listen (default 127.0.0.1:8081; port 0: any)\n"
           "  --port-file PATH     write the bound port there once listening\n"
           "  --seed N             same seed, same audience (default 1)\n"
           "  --tick-ms N          the audience takes one step every N ms (default 60000)\n"
           "  --manual-clock       ticks advance only through POST /_sim/advance\n"
           "  --ratelimit N        rate-limit points per token per minute (default 800)\n"
           "  --token-ttl S        access-token lifetime in seconds (default 14400)\n"
           "  --device-interval S  polling interval the device flow announces (default 5)\n"
           "  --no-device-auto-approve  device codes wait for GET /activate\n"
           "  --client-id ID, --client-secret S  the one app it accepts; without them,\n"
           "                       TWITCH_CLIENT_ID and TWITCH_CLIENT_SECRET from the\n"
           "                       environment or .env (TCA_ENV_FILE) like every role, else\n"
           "                       tca-sim-client / tca-sim-secret\n"
           "  --lurker-bots N      N viewer-list bots (old accounts, never leaving) in about 80%\n"
           "                       of the channels (default 0, at most 1000)\n"
           "  --bot-shapes         two more bot waves: 80 accounts without numbers made within\n"
           "                       minutes (cozy_channel, tick 12), 60 numbered accounts made\n"
           "                       over 22 days (chan_03, tick 15)\n"
           "  --rename-permille N  chatters per 1000 who ever rename (default 10; 0: nobody,\n"
           "                       not even each channel's first regular, who renames at\n"
           "                       ticks 12, 16, 20, ...)\n"
           "  --login LOGIN        who the device flow and the automatic consent log in\n"
           "                       (default demo_mod; a broadcaster such as cozy_channel\n"
           "                       can read its own moderators and VIPs)\n";
}

static void apply(struct sim_cli *out, const char *name, const char *text, long long number)
{
    if (strcmp(name, "--listen") == 0)
        out->listen = text;
    else if (strcmp(name, "--port-file") == 0)
        out->port_file = text;
    else if (strcmp(name, "--seed") == 0)
        out->opt.seed = (uint64_t)number;
    else if (strcmp(name, "--tick-ms") == 0)
        out->opt.tick_ms = number;
    else if (strcmp(name, "--manual-clock") == 0)
        out->opt.manual_clock = 1;
    else if (strcmp(name, "--ratelimit") == 0)
        out->opt.ratelimit_points = (int)number;
    else if (strcmp(name, "--token-ttl") == 0)
        out->opt.token_ttl_s = (int)number;
    else if (strcmp(name, "--device-interval") == 0)
        out->opt.device_interval_s = (int)number;
    else if (strcmp(name, "--no-device-auto-approve") == 0)
        out->opt.device_auto_approve = 0;
    else if (strcmp(name, "--client-id") == 0)
        out->opt.client_id = text;
    else if (strcmp(name, "--client-secret") == 0)
        out->opt.client_secret = text;
    else if (strcmp(name, "--lurker-bots") == 0)
        out->opt.lurker_bots = (int)number;
    else if (strcmp(name, "--bot-shapes") == 0)
        out->opt.bot_shapes = 1;
    else if (strcmp(name, "--rename-permille") == 0)
        out->opt.rename_permille = (int)number;
    else if (strcmp(name, "--login") == 0)
        out->opt.default_login = text;
    else if (strcmp(name, "--help") == 0)
        out->help = 1;
}

int sim_cli_parse(int argc, char **argv, struct sim_cli *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    sim_options_default(&out->opt);
    /* NULL: not given here; the command then looks at the environment, sim_new at defaults */
    out->opt.client_id = NULL;
    out->opt.client_secret = NULL;
    out->listen = "127.0.0.1:8081";
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *eq = strchr(arg, '=');
        size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
        const struct flag *f = NULL;
        for (size_t k = 0; k < sizeof flags / sizeof *flags; k++)
            if (strlen(flags[k].name) == len && strncmp(flags[k].name, arg, len) == 0)
                f = &flags[k];
        if (!f)
            return tca_fail(err, errlen, TCA_EINVAL, "unknown flag %s (see --help)", arg);
        const char *value = NULL;
        if (f->kind == FLAG_BOOL) {
            if (eq)
                return tca_fail(err, errlen, TCA_EINVAL, "%s takes no value", f->name);
        } else if (eq) {
            value = eq + 1;
        } else if (i + 1 < argc) {
            value = argv[++i];
        } else {
            return tca_fail(err, errlen, TCA_EINVAL, "%s needs a value", f->name);
        }
        long long number = 0;
        if (f->kind == FLAG_NUMBER && value) {
            char *end;
            errno = 0;
            number = strtoll(value, &end, 10);
            if (errno || !*value || *end || number < f->min || number > f->max)
                return tca_fail(err, errlen, TCA_EINVAL, "%s must be a number in %lld..%lld",
                                f->name, f->min, f->max);
        } else if (f->kind == FLAG_TEXT && value && !*value) {
            return tca_fail(err, errlen, TCA_EINVAL, "%s needs a value", f->name);
        }
        apply(out, f->name, value, number);
    }
    return 0;
}
