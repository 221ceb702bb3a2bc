/*
 * export: a session's chatters, capture timeline, one capture's chatter list, flagged
 * accounts or overlap matrix as CSV or JSON on stdout, streamed row by row through report/
 * so a large session needs bounded memory, with progress lines on stderr for long exports.
 */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "base/clock.h"
#include "report/report.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROGRESS_EVERY 10000

struct out_ctx {
    FILE *f;
    int64_t last_reported;
};

static int write_out(void *ctx, const char *p, size_t n)
{
    struct out_ctx *o = ctx;
    return fwrite(p, 1, n, o->f) == n ? 0 : -1;
}

static void progress(void *ctx, int64_t done, int64_t total)
{
    struct out_ctx *o = ctx;
    if (done / PROGRESS_EVERY == o->last_reported / PROGRESS_EVERY)
        return;
    o->last_reported = done;
    fprintf(stderr, "exported %" PRId64 " of %" PRId64 " rows\n", done, total);
}

static int usage(void)
{
    fprintf(stderr,
            "usage: tca export [--session ID] --format csv|json\n"
            "                  [--what chatters|timeline|capture|flagged|overlap|raids|followers]\n"
            "                  [--channel LOGIN ...] [--capture SEQ] [--exclude-bots]\n"
            "                  [--OPTION VALUE ...]   (the options of tca stats)\n");
    return EXIT_USAGE;
}

int cmd_export(int argc, char **argv)
{
    struct report_options o;
    report_options_default(&o);
    struct report_export x = {.kind = REPORT_EXPORT_CHATTERS};
    int format = -1;
    char err[256] = "write failed";
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--exclude-bots") == 0) {
            report_option_set(&o, "exclude", "known_bots", err, sizeof err);
        } else if (strncmp(a, "--", 2) != 0 || i + 1 >= argc) {
            return usage();
        } else if (strcmp(a, "--format") == 0) {
            i++;
            if (strcmp(argv[i], "csv") == 0)
                format = REPORT_CSV;
            else if (strcmp(argv[i], "json") == 0)
                format = REPORT_JSON;
            else
                return usage();
        } else if (strcmp(a, "--session") == 0) {
            if (!(x.session_id = app_positive_arg(argv[++i])))
                return usage();
        } else if (strcmp(a, "--what") == 0) {
            int k = report_export_kind_parse(argv[++i]);
            if (k < 0)
                return usage();
            x.kind = (enum report_export_kind)k;
        } else if (strcmp(a, "--capture") == 0) {
            if (!(x.capture_seq = app_positive_arg(argv[++i])))
                return usage();
        } else if (report_option_set(&o, a + 2, argv[++i], err, sizeof err)) {
            fprintf(stderr, "tca export: %s\n", err);
            return EXIT_USAGE;
        }
    }
    if (format < 0)
        return usage();
    x.format = (enum report_format)format;
    if (x.kind == REPORT_EXPORT_CAPTURE) {
        if (o.n_channels != 1 || !x.capture_seq) {
            fprintf(stderr, "tca export: --what capture needs --channel LOGIN and --capture SEQ\n");
            return EXIT_USAGE;
        }
        x.capture_channel = o.channels[0];
    }
    struct app a;
    struct store_user me;
    struct store *aside = NULL;
    int rc = app_open(&a, "export", 0);
    if (rc)
        goto out;
    if ((rc = app_current_user(&a, &me)))
        goto out;
    if (!x.session_id &&
        store_session_active(a.st, me.id, clock_wall_ms(), &x.session_id, err, sizeof err))
        goto fail;
    struct out_ctx oc = {.f = stdout};
    struct report_sink sink = {.write = write_out, .progress = progress, .ctx = &oc};
    /* A second connection lets the chatters export read the profiles beside the stays
     * (report_export_run_aside); without one the export is the same, read on one thread. */
    if (x.kind == REPORT_EXPORT_CHATTERS && store_open(a.cfg.db, &aside, err, sizeof err))
        aside = NULL;
    if (report_export_run_aside(a.st, aside, me.id, &x, &o, &sink, err, sizeof err))
        goto fail;
    if (fflush(stdout) != 0) {
        fprintf(stderr, "tca export: write failed\n");
        rc = EXIT_FAIL;
        goto out;
    }
    rc = EXIT_OK;
    goto out;
fail:
    fprintf(stderr, "tca export: %s\n", err);
    rc = EXIT_FAIL;
out:
    store_close(aside);
    app_close(&a);
    return rc;
}
