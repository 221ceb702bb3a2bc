/*
 * rotate-secret: re-seals every stored OAuth token under a new APP_SESSION_SECRET, all or
 * nothing. The old secret is the configured APP_SESSION_SECRET, the new one comes from
 * APP_SESSION_SECRET_NEW (the environment, never the command line, which `ps` shows). Never
 * prints either secret or a token.
 */
#include "cmd/app.h"
#include "cmd/commands.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct rotation {
    const struct crypto_keys *old_keys, *new_keys;
};

static int reseal(void *ctx, int64_t user_id, const char *sealed, char **out, char *err,
                  size_t errlen)
{
    struct rotation *r = ctx;
    char *plain = NULL;
    int rc = crypto_open(r->old_keys, user_id, sealed, &plain, err, errlen);
    if (rc)
        return rc; /* a token the old secret does not open: wrong secret, nothing changes */
    *out = crypto_seal(r->new_keys, user_id, plain);
    sodium_memzero(plain, strlen(plain));
    free(plain);
    return 0;
}

int cmd_rotate_secret(int argc, char **argv)
{
    if (argc != 1) {
        fprintf(stderr, "usage: APP_SESSION_SECRET_NEW=... tca rotate-secret\n"
                        "  re-seals every stored token under the new secret (stop every tca "
                        "process first; see docs/OPERATIONS.md)\n");
        return EXIT_USAGE;
    }
    const char *fresh = getenv("APP_SESSION_SECRET_NEW");
    if (!fresh || !*fresh) {
        fprintf(stderr, "tca rotate-secret: set APP_SESSION_SECRET_NEW to the new secret "
                        "(`tca env-generate` prints one); APP_SESSION_SECRET stays the old one\n");
        return EXIT_USAGE;
    }
    struct app a;
    int rc = app_open(&a, "rotate-secret", 0);
    if (rc)
        return rc;
    struct crypto_keys new_keys;
    char err[256] = "";
    size_t n = 0;
    if (strcmp(fresh, a.cfg.app_session_secret) == 0) {
        fprintf(stderr, "tca rotate-secret: APP_SESSION_SECRET_NEW equals APP_SESSION_SECRET\n");
        rc = EXIT_USAGE;
        goto out;
    }
    if (crypto_keys_derive(fresh, &new_keys, err, sizeof err)) {
        fprintf(stderr, "tca rotate-secret: APP_SESSION_SECRET_NEW: %s\n", err);
        rc = EXIT_USAGE;
        goto out;
    }
    struct rotation r = {.old_keys = &a.keys, .new_keys = &new_keys};
    if (store_token_reseal(a.st, reseal, &r, &n, err, sizeof err)) {
        fprintf(stderr, "tca rotate-secret: nothing changed: %s\n", err);
        rc = EXIT_FAIL;
    } else {
        printf("re-sealed the tokens of %zu user%s under the new secret; now set "
               "APP_SESSION_SECRET to it and start tca again (browser logins and API keys made "
               "under the old secret no longer work)\n",
               n, n == 1 ? "" : "s");
    }
    crypto_keys_wipe(&new_keys);
out:
    app_close(&a);
    return rc;
}
