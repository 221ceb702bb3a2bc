/*
 * backup and restore: `tca backup FILE` writes a consistent copy of the store (any number of
 * processes may go on capturing meanwhile) to a new SQLite file; `tca restore FILE` copies
 * such a file into the configured store, which must be fresh, and checks every table's count
 * and checksum (migrate-store's machinery). Never overwrites a file or merges into data.
 */
#include "cmd/app.h"
#include "cmd/commands.h"

#include <stdio.h>
#include <string.h>

int cmd_backup(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: tca backup FILE   (a new SQLite file; see docs/OPERATIONS.md)\n");
        return EXIT_USAGE;
    }
    struct app a;
    int rc = app_open(&a, "backup", 0);
    if (rc)
        return rc;
    char err[512] = "";
    if (store_backup(a.st, argv[1], err, sizeof err)) {
        fprintf(stderr, "tca backup: %s\n", err);
        rc = EXIT_FAIL;
    } else {
        printf("backup written to %s (restore with `tca restore %s` on a fresh store)\n", argv[1],
               argv[1]);
    }
    app_close(&a);
    return rc;
}

int cmd_restore(int argc, char **argv)
{
    if (argc != 2 || argv[1][0] == '-') {
        fprintf(stderr, "usage: tca restore FILE   (a file made by `tca backup`, into a fresh "
                        "TCA_STORE)\n");
        return EXIT_USAGE;
    }
    struct app a;
    int rc = app_open(&a, "restore", 0);
    if (rc)
        return rc;
    char from[4096];
    /* the configured store's URL, kept before app_close frees the configuration */
    char to[4096];
    snprintf(from, sizeof from, "sqlite:%s", argv[1]);
    snprintf(to, sizeof to, "%s", a.cfg.db);
    app_close(&a);
    /* the same copy, verification and report as moving a store to another back end */
    char *args[] = {"migrate-store", "--from", from, "--to", to, NULL};
    return cmd_migrate_store(5, args);
}
