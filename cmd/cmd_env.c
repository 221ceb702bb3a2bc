/* env-check and env-generate: the configuration, checked the way every role checks it. */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "base/crypto.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Connects to TCA_REDIS (and loads its scripts) the way every role will. */
static int check_redis(const char *url)
{
    struct kv *kv = NULL;
    char err[384];
    if (!url) {
        printf("kv: in-process (TCA_REDIS unset): budgets, rate limits, caches and the "
               "scheduler lease are per process; login sessions are in the store\n");
        return 0;
    }
    if (kv_open(url, &kv, err, sizeof err) || kv_ping(kv, err, sizeof err)) {
        fprintf(stderr, "tca: TCA_REDIS: %s\n", err);
        kv_close(kv);
        return 1;
    }
    printf("kv: Redis at %s answers; budgets, rate limits, caches, login sessions and the "
           "scheduler lease are shared\n",
           url);
    kv_close(kv);
    return 0;
}

int cmd_env_check(int argc, char **argv)
{
    struct tca_config cfg;
    struct config_problems p;
    if (argc > 1) {
        fprintf(stderr, "usage: tca env-check\n");
        return EXIT_USAGE;
    }
    int rc = config_load(&cfg, app_env_file(), &p);
    char where[512];
    store_url_redact(cfg.db ? cfg.db : "", where, sizeof where);
    if (!rc) {
        /* The store is checked the way every role opens it: connect and migrate. */
        struct store *st = NULL;
        char err[256] = "";
        int from = 0, to = 0;
        if (store_open(cfg.db, &st, err, sizeof err) ||
            store_migrate(st, &from, &to, err, sizeof err)) {
            fprintf(stderr, "store %s: %s\n", where, err);
            rc = EXIT_FAIL;
        } else {
            printf("store ok (%s %s, schema version %d)\n", store_backend(st), where, to);
        }
        store_close(st);
    }
    if (rc) {
        app_print_problems(&p);
        if (p.n)
            fprintf(stderr, "%zu problem%s\n", p.n, p.n == 1 ? "" : "s");
    } else {
        printf("configuration ok (store %s, listen %s, capture every %d s)\n", where, cfg.listen,
               cfg.capture_interval);
        if (cfg.demo)
            printf("no Twitch app configured: `tca serve` runs against a simulated Twitch "
                   "(demo mode)\n");
        rc = check_redis(cfg.redis);
    }
    config_problems_free(&p);
    config_free(&cfg);
    return rc ? EXIT_FAIL : EXIT_OK;
}

int cmd_env_generate(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "usage: tca env-generate\n");
        return EXIT_USAGE;
    }
    if (crypto_init()) {
        fprintf(stderr, "tca: libsodium failed to initialise\n");
        return EXIT_FAIL;
    }
    char *secret = crypto_random_base64(32);
    printf("# fresh secrets from `tca env-generate`: keep them out of version control\n");
    printf("APP_SESSION_SECRET=%s\n", secret);
    free(secret);
    return EXIT_OK;
}
