/*
 * What every subcommand shares: the configuration (refused with the same messages as
 * `tca env-check`), the derived keys, the store, and a Twitch client. Exit codes: 0 ok,
 * 1 the operation failed, 2 bad usage or configuration.
 */
#ifndef TCA_APP_H
#define TCA_APP_H

#include <stdint.h>

#include "base/config.h"
#include "base/crypto.h"
#include "base/metrics.h"
#include "kv/kv.h"
#include "store/store.h"
#include "twitch/twitch.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct app {
    struct tca_config cfg;
    struct crypto_keys keys;
    struct kv *kv;                /* TCA_REDIS, or in-process; shared by every role */
    struct store *st;             /* the main thread's connection */
    struct twitch_budget *budget; /* shared by every client of the process */
    struct twitch_client *tw;     /* the main thread's client */
    struct twitch_settings twitch;
    struct metrics *metrics; /* the process's registry: every role counts into it (owned) */
};

/** Where the optional .env file is read from: $TCA_ENV_FILE or ./.env. */
const char *app_env_file(void);
/** Prints configuration problems as `tca: NAME ...` lines on stderr (log_cli_error). */
void app_print_problems(const struct config_problems *p);

/**
 * Loads and checks the configuration, derives keys, opens the store and, when need_twitch is
 * set, refuses demo mode (no Twitch app) with a clear message. On failure prints why (one
 * line each, JSON under TCA_LOG_FORMAT=json) and returns the exit code to use; 0 on success.
 * Release with app_close.
 */
int app_open(struct app *a, const char *role, int need_twitch);
/** Frees everything app_open made; safe after a failed app_open. */
void app_close(struct app *a);
/** Points the Twitch settings at other bases (the in-process simulator of the demo). */
void app_use_twitch(struct app *a, const char *api_base, const char *auth_base,
                    const char *client_id, const char *client_secret);
/** A positive id or count on the command line (chatter_parse_id's grammar); 0 if not one. */
int64_t app_positive_arg(const char *s);
/** The user the CLI acts for: the most recent login. Prints a hint and returns 1 if none. */
int app_current_user(struct app *a, struct store_user *out);

#endif
