/*
 * migrate-store: move a single-machine install to another store (SQLite to MariaDB), table by
 * table, and print each table's row counts and checksums on both sides. Refuses a target that
 * holds data. Never prints a URL with its password.
 */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "base/err.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: tca migrate-store --from sqlite:PATH --to mysql://USER:PASS@HOST/DB\n"
                    "Stop every tca process that uses the source store first.\n");
    return EXIT_USAGE;
}

static void print_report(const struct store_copy_report *rep)
{
    printf("%-18s %12s %12s  %-32s %s\n", "table", "rows from", "rows to", "checksum", "");
    for (size_t i = 0; i < rep->n; i++) {
        const struct store_copy_table *t = &rep->tables[i];
        int same = t->rows_from == t->rows_to && !strcmp(t->sum_from, t->sum_to);
        printf("%-18s %12lld %12lld  %-32s %s\n", t->name, (long long)t->rows_from,
               (long long)t->rows_to, t->sum_from, same ? "ok" : "DIFFERS");
    }
}

int cmd_migrate_store(int argc, char **argv)
{
    static const struct option options[] = {
        {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},
        {NULL, 0, NULL, 0},
    };
    const char *from_url = NULL, *to_url = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", options, NULL)) != -1) {
        if (c == 'f')
            from_url = optarg;
        else if (c == 't')
            to_url = optarg;
        else
            return usage();
    }
    if (!from_url || !to_url || optind != argc)
        return usage();
    char from_name[512], to_name[512], err[256] = "";
    store_url_redact(from_url, from_name, sizeof from_name);
    store_url_redact(to_url, to_name, sizeof to_name);
    struct store *from = NULL, *to = NULL;
    struct store_copy_report rep;
    int rc = EXIT_FAIL;
    if (store_open(from_url, &from, err, sizeof err)) {
        fprintf(stderr, "tca migrate-store: cannot open %s: %s\n", from_name, err);
        goto out;
    }
    if (store_open(to_url, &to, err, sizeof err)) {
        fprintf(stderr, "tca migrate-store: cannot open %s: %s\n", to_name, err);
        goto out;
    }
    printf("copying %s (%s) to %s (%s)\n", from_name, store_backend(from), to_name,
           store_backend(to));
    int copied = store_copy(from, to, &rep, err, sizeof err);
    if (rep.n)
        print_report(&rep);
    if (copied) {
        fprintf(stderr, "tca migrate-store: %s\n", err);
        goto out;
    }
    printf("done: %zu tables, counts and checksums match; point TCA_STORE at the new store\n",
           rep.n);
    rc = EXIT_OK;
out:
    store_close(from);
    store_close(to);
    return rc;
}
