/* Wiring shared by the subcommands: configuration, keys, store, Twitch client. */
#include "cmd/app.h"
#include "base/chatter.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/log.h"
#include "base/tca_metrics.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *app_env_file(void)
{
    const char *f = getenv("TCA_ENV_FILE");
    return f && *f ? f : ".env";
}

void app_print_problems(const struct config_problems *p)
{
    for (size_t i = 0; i < p->n; i++)
        log_cli_error("tca: %s", p->lines[i]);
}

static void settings_from_config(struct app *a)
{
    memset(&a->twitch, 0, sizeof a->twitch);
    a->twitch.api_base = a->cfg.twitch_api_base;
    a->twitch.auth_base = a->cfg.twitch_auth_base;
    a->twitch.client_id = a->cfg.twitch_client_id;
    a->twitch.client_secret = a->cfg.twitch_client_secret;
    a->twitch.redirect_url = a->cfg.twitch_redirect_url;
    a->twitch.clock = clock_real();
    a->twitch.budget = a->budget;
    a->twitch.metrics = a->metrics;
}

int app_open(struct app *a, const char *role, int need_twitch)
{
    struct config_problems problems;
    char err[256];
    memset(a, 0, sizeof *a);
    if (config_load(&a->cfg, app_env_file(), &problems)) {
        app_print_problems(&problems);
        log_cli_error("tca %s: refusing to start with %zu configuration problem%s "
                      "(`tca env-check` lists them, `tca env-generate` makes secrets)",
                      role, problems.n, problems.n == 1 ? "" : "s");
        config_problems_free(&problems);
        return EXIT_USAGE;
    }
    config_problems_free(&problems);
    if (need_twitch && a->cfg.demo) {
        log_cli_error("tca %s: no Twitch app configured: set TWITCH_CLIENT_ID, "
                      "TWITCH_CLIENT_SECRET and TWITCH_REDIRECT_URL (or run `tca serve`, "
                      "which uses a simulated Twitch when none is set)",
                      role);
        return EXIT_USAGE;
    }
    if (crypto_init() || crypto_keys_derive(a->cfg.app_session_secret, &a->keys, err, sizeof err)) {
        log_cli_error("tca %s: %s", role, err);
        return EXIT_USAGE;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);
    if (store_open(a->cfg.db, &a->st, err, sizeof err)) {
        char where[512];
        store_url_redact(a->cfg.db, where, sizeof where);
        log_cli_error("tca %s: cannot open store %s: %s", role, where, err);
        return EXIT_FAIL;
    }
    if (kv_open(a->cfg.redis, &a->kv, err, sizeof err)) {
        log_cli_error("tca %s: TCA_REDIS: %s", role, err);
        return EXIT_FAIL;
    }
    a->budget = twitch_budget_new_kv(a->kv, clock_real());
    a->metrics = tca_metrics_new();
    settings_from_config(a);
    a->tw = twitch_client_new(&a->twitch);
    return 0;
}

void app_use_twitch(struct app *a, const char *api_base, const char *auth_base,
                    const char *client_id, const char *client_secret)
{
    a->twitch.api_base = api_base;
    a->twitch.auth_base = auth_base;
    a->twitch.client_id = client_id;
    a->twitch.client_secret = client_secret;
    twitch_client_free(a->tw);
    a->tw = twitch_client_new(&a->twitch);
}

void app_close(struct app *a)
{
    twitch_client_free(a->tw);
    twitch_budget_free(a->budget);
    metrics_free(a->metrics);
    kv_close(a->kv);
    store_close(a->st);
    crypto_keys_wipe(&a->keys);
    config_free(&a->cfg);
    memset(a, 0, sizeof *a);
}

int64_t app_positive_arg(const char *s)
{
    int64_t v;
    return chatter_parse_id(s, &v) ? 0 : v;
}

int app_current_user(struct app *a, struct store_user *out)
{
    char err[256];
    int rc = store_user_latest(a->st, out, err, sizeof err);
    if (rc == TCA_ENOTFOUND) {
        fprintf(stderr, "tca: nobody is logged in: run `tca login` first\n");
        return 1;
    }
    if (rc) {
        fprintf(stderr, "tca: %s\n", err);
        return 1;
    }
    return 0;
}
