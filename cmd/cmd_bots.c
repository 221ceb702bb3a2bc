/*
 * bots: the current user's known-bots list (tca's built-in service and lurker bots plus the
 * user's own): list, add, remove, import a CSV. Parsing and checks live in report/ and
 * store/; this file only wires them to the command line.
 */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "base/clock.h"
#include "base/err.h"
#include "report/report.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage(void)
{
    fprintf(stderr, "usage: tca bots list [--json]\n"
                    "       tca bots add LOGIN [service|lurker]\n"
                    "       tca bots remove LOGIN\n"
                    "       tca bots import FILE.csv   (rows: login[,kind[,user_id]])\n");
    return EXIT_USAGE;
}

/* Reads at most REPORT_BOTS_CSV_MAX + 1 bytes, so the parser can refuse a larger file. */
static char *read_capped(const char *path, size_t *len, char *err, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, errlen, "cannot open %s", path);
        return NULL;
    }
    char *text = malloc(REPORT_BOTS_CSV_MAX + 1);
    if (!text) {
        fclose(f);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *len = fread(text, 1, REPORT_BOTS_CSV_MAX + 1, f);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(text);
        snprintf(err, errlen, "cannot read %s", path);
        return NULL;
    }
    return text;
}

static int list(struct app *a, int64_t user_id, int as_json, char *err, size_t errlen)
{
    struct store_known_bot *bots;
    size_t n;
    if (as_json) {
        json_t *doc;
        int rc = report_bots(a->st, user_id, &doc, err, errlen);
        if (rc)
            return rc;
        json_dumpf(doc, stdout, JSON_INDENT(2));
        fputc('\n', stdout);
        json_decref(doc);
        return 0;
    }
    int rc = store_bot_list(a->st, user_id, &bots, &n, err, errlen);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        printf("%-26s %-8s %s\n", bots[i].login, bots[i].kind, bots[i].builtin ? "built-in" : "");
    printf("%zu known bots\n", n);
    free(bots);
    return 0;
}

int cmd_bots(int argc, char **argv)
{
    if (argc < 2)
        return usage();
    const char *verb = argv[1];
    int as_json = argc == 3 && strcmp(argv[2], "--json") == 0;
    if (strcmp(verb, "list") == 0  ? argc > 3 || (argc == 3 && !as_json)
        : strcmp(verb, "add") == 0 ? argc < 3 || argc > 4
        : strcmp(verb, "remove") == 0 || strcmp(verb, "import") == 0 ? argc != 3
                                                                     : 1)
        return usage();
    struct app a;
    struct store_user me;
    char err[256] = "";
    int rc = app_open(&a, "bots", 0);
    if (rc)
        goto out;
    if ((rc = app_current_user(&a, &me)))
        goto out;
    if (strcmp(verb, "list") == 0) {
        rc = list(&a, me.id, as_json, err, sizeof err);
    } else if (strcmp(verb, "remove") == 0) {
        rc = store_bot_remove(a.st, me.id, argv[2], err, sizeof err);
        if (!rc)
            printf("removed %s\n", argv[2]);
    } else {
        struct store_known_bot *bots = NULL;
        size_t n = 0, added = 0;
        if (strcmp(verb, "add") == 0) {
            /* One CSV row, so a login from the command line gets the same checks. */
            char row[128];
            snprintf(row, sizeof row, "%s,%s", argv[2], argc == 4 ? argv[3] : "lurker");
            rc = report_bots_csv_parse(row, strlen(row), &bots, &n, err, sizeof err);
        } else {
            size_t len = 0;
            char *text = read_capped(argv[2], &len, err, sizeof err);
            rc = text ? report_bots_csv_parse(text, len, &bots, &n, err, sizeof err) : TCA_ERR;
            free(text);
        }
        if (!rc)
            rc = store_bot_add(a.st, me.id, bots, n, clock_wall_ms(), &added, err, sizeof err);
        if (!rc)
            printf("%zu bots read, %zu new on your list\n", n, added);
        free(bots);
    }
    if (rc) {
        fprintf(stderr, "tca bots: %s\n", err);
        rc = EXIT_FAIL;
    }
out:
    app_close(&a);
    return rc;
}
