/* migrate: apply pending store migrations and say which version the schema is at.
 * compact: re-pack the store (SQLite VACUUM) and say how much smaller it is. */
#include "cmd/app.h"
#include "cmd/commands.h"

#include <stdio.h>

int cmd_migrate(int argc, char **argv)
{
    struct app a;
    if (argc > 1) {
        fprintf(stderr, "usage: tca migrate\n");
        return EXIT_USAGE;
    }
    int rc = app_open(&a, "migrate", 0);
    if (rc) {
        app_close(&a);
        return rc;
    }
    int from = 0, to = 0;
    char err[256];
    if (store_migrate(a.st, &from, &to, err, sizeof err)) {
        fprintf(stderr, "tca migrate: %s\n", err);
        rc = EXIT_FAIL;
    } else {
        char where[512];
        store_url_redact(a.cfg.db, where, sizeof where);
        printf("store %s: schema version %d\n", where, to);
    }
    app_close(&a);
    return rc;
}

int cmd_compact(int argc, char **argv)
{
    if (argc > 1) {
        fprintf(stderr, "usage: tca compact   (stop the captures first: see docs/OPERATIONS.md)\n");
        return EXIT_USAGE;
    }
    struct app a;
    int rc = app_open(&a, "compact", 0);
    if (rc) {
        app_close(&a);
        return rc;
    }
    int64_t before = 0, after = 0;
    char err[512];
    if (store_compact(a.st, &before, &after, err, sizeof err)) {
        fprintf(stderr, "tca compact: %s\n", err);
        rc = EXIT_FAIL;
    } else {
        char where[512];
        store_url_redact(a.cfg.db, where, sizeof where);
        printf("store %s: %.1f MB -> %.1f MB\n", where, (double)before / 1e6, (double)after / 1e6);
    }
    app_close(&a);
    return rc;
}
