/*
 * export: a session's chatters as CSV or JSON on stdout, streamed row by row so a large
 * session needs bounded memory, with a progress line on stderr for long exports.
 */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "base/buf.h"
#include "base/clock.h"
#include "base/csv.h"

#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PROGRESS_EVERY 10000

struct export_ctx {
    FILE *out;
    int json;
    int64_t total;
    int64_t done;
    int progress; /* print progress lines on stderr */
    struct buf line;
};

static void time_field(int64_t ms, char *out, size_t len)
{
    if (ms)
        clock_format_rfc3339(ms, out, len);
    else
        out[0] = '\0';
}

static int write_csv(struct export_ctx *x, const struct store_export_row *r)
{
    char id[24], created[32], first[32], last[32], seen[24], present[24];
    snprintf(id, sizeof id, "%" PRId64, r->user_id);
    time_field(r->created_at_ms, created, sizeof created);
    time_field(r->first_seen_ms, first, sizeof first);
    time_field(r->last_seen_ms, last, sizeof last);
    snprintf(seen, sizeof seen, "%" PRId64, r->captures_seen);
    snprintf(present, sizeof present, "%" PRId64, r->time_present_ms / 1000);
    buf_reset(&x->line);
    csv_field(&x->line, id, 0);
    csv_field(&x->line, r->login, 0);
    csv_field(&x->line, r->display_name, 0);
    csv_field(&x->line, created, 0);
    csv_field(&x->line, seen, 0);
    csv_field(&x->line, first, 0);
    csv_field(&x->line, last, 0);
    csv_field(&x->line, present, 1);
    return fwrite(x->line.data, 1, x->line.len, x->out) == x->line.len ? 0 : -1;
}

static int write_json(struct export_ctx *x, const struct store_export_row *r)
{
    char id[24], created[32], first[32], last[32];
    snprintf(id, sizeof id, "%" PRId64, r->user_id);
    time_field(r->created_at_ms, created, sizeof created);
    time_field(r->first_seen_ms, first, sizeof first);
    time_field(r->last_seen_ms, last, sizeof last);
    json_t *o = json_pack("{sssssssosIsssssI}", "id", id, "login", r->login, "display_name",
                          r->display_name, "created_at",
                          r->created_at_ms ? json_string(created) : json_null(), "captures_seen",
                          (json_int_t)r->captures_seen, "first_seen", first, "last_seen", last,
                          "time_present_s", (json_int_t)(r->time_present_ms / 1000));
    if (!o)
        return -1;
    fputs(x->done ? ",\n" : "\n", x->out);
    int rc = json_dumpf(o, x->out, JSON_COMPACT | JSON_ENSURE_ASCII);
    json_decref(o);
    return rc;
}

static int on_row(void *ctx, const struct store_export_row *r)
{
    struct export_ctx *x = ctx;
    if ((x->json ? write_json(x, r) : write_csv(x, r)) < 0)
        return -1;
    x->done++;
    if (x->progress && x->done % PROGRESS_EVERY == 0)
        fprintf(stderr, "exported %" PRId64 " of %" PRId64 " chatters\n", x->done, x->total);
    return 0;
}

static int usage(void)
{
    fprintf(stderr, "usage: tca export [--session ID] --format csv|json\n");
    return EXIT_USAGE;
}

int cmd_export(int argc, char **argv)
{
    struct app a;
    struct store_user me;
    struct export_ctx x = {.out = stdout, .json = -1};
    int64_t session_id = 0;
    char err[256] = "write failed";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--format") == 0 && i + 1 < argc) {
            i++;
            if (strcmp(argv[i], "csv") == 0)
                x.json = 0;
            else if (strcmp(argv[i], "json") == 0)
                x.json = 1;
            else
                return usage();
        } else if (strcmp(argv[i], "--session") == 0 && i + 1 < argc) {
            char *end;
            long long v = strtoll(argv[++i], &end, 10);
            if (*end || v <= 0)
                return usage();
            session_id = v;
        } else {
            return usage();
        }
    }
    if (x.json < 0)
        return usage();
    int rc = app_open(&a, "export", 0);
    if (rc)
        goto out;
    if (!session_id) {
        if ((rc = app_current_user(&a, &me)))
            goto out;
        if (store_session_active(a.st, me.id, clock_wall_ms(), &session_id, err, sizeof err))
            goto fail;
    }
    struct store_session s;
    if (store_session_get(a.st, session_id, &s, err, sizeof err))
        goto fail;
    buf_init(&x.line, 64 * 1024);
    if (x.json)
        fputs("[", x.out);
    else
        fputs("id,login,display_name,created_at,captures_seen,first_seen,last_seen,"
              "time_present_s\r\n",
              x.out);
    x.progress = 1;
    int e = store_export_session(a.st, session_id, &x.total, on_row, &x, err, sizeof err);
    buf_free(&x.line);
    if (e)
        goto fail;
    fputs(x.json ? "\n]\n" : "", x.out);
    if (fflush(x.out) != 0) {
        fprintf(stderr, "tca export: write failed\n");
        rc = EXIT_FAIL;
        goto out;
    }
    if (x.total >= PROGRESS_EVERY)
        fprintf(stderr, "exported %" PRId64 " chatters\n", x.done);
    rc = EXIT_OK;
    goto out;
fail:
    fprintf(stderr, "tca export: %s\n", err);
    rc = EXIT_FAIL;
out:
    app_close(&a);
    return rc;
}
