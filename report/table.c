/*
 * A streamed table: a header, then rows of cells written one at a time to a sink as CSV
 * (RFC 4180 via base/csv.h) or as a JSON array with one object per line. Only the row
 * being written is ever in memory. Must never buffer more than one row.
 */
#include "report/table.h"
#include "base/csv.h"
#include "base/err.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* A row is a few hundred bytes; a row past this is a bug, not data. */
#define ROW_MAX (1024 * 1024)
#define PROGRESS_EVERY 5000

void rp_table_begin(struct rp_table *t, const struct report_sink *sink, enum report_format format,
                    const char *const *columns, size_t n_columns, int64_t total)
{
    memset(t, 0, sizeof *t);
    t->sink = sink;
    t->format = format;
    t->columns = columns;
    t->n_columns = n_columns;
    t->total = total;
    buf_init(&t->line, ROW_MAX);
    if (format == REPORT_CSV)
        for (size_t i = 0; i < n_columns; i++)
            csv_field(&t->line, columns[i], i + 1 == n_columns);
    else
        buf_puts(&t->line, "[");
}

static int flush(struct rp_table *t)
{
    int rc = t->line.len ? t->sink->write(t->sink->ctx, t->line.data, t->line.len) : 0;
    buf_reset(&t->line);
    return rc;
}

static json_t *cell_json(const struct rp_cell *c)
{
    switch (c->kind) {
    case RP_STR:
        return json_string(c->s ? c->s : "");
    case RP_INT:
        return json_integer((json_int_t)c->i);
    case RP_NUM:
        return json_real(c->d);
    case RP_BOOL:
        return json_boolean(c->i);
    default:
        return json_null();
    }
}

static void cell_text(const struct rp_cell *c, char *out, size_t len)
{
    switch (c->kind) {
    case RP_STR:
        snprintf(out, len, "%s", c->s ? c->s : "");
        break;
    case RP_INT:
        snprintf(out, len, "%" PRId64, c->i);
        break;
    case RP_NUM:
        snprintf(out, len, "%.6f", c->d);
        break;
    case RP_BOOL:
        snprintf(out, len, "%s", c->i ? "true" : "false");
        break;
    default:
        out[0] = '\0';
    }
}

int rp_table_row(struct rp_table *t, const struct rp_cell *cells, char *err, size_t errlen)
{
    int rc = 0;
    if (t->format == REPORT_CSV) {
        for (size_t i = 0; i < t->n_columns && !rc; i++) {
            char small[64];
            if (cells[i].kind == RP_STR) /* strings go as they are, however long */
                rc = csv_field(&t->line, cells[i].s ? cells[i].s : "", i + 1 == t->n_columns);
            else {
                cell_text(&cells[i], small, sizeof small);
                rc = csv_field(&t->line, small, i + 1 == t->n_columns);
            }
        }
    } else {
        json_t *o = json_object();
        for (size_t i = 0; i < t->n_columns; i++)
            json_object_set_new(o, t->columns[i], cell_json(&cells[i]));
        char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        json_decref(o);
        rc = text ? buf_puts(&t->line, t->rows ? ",\n" : "\n") : -1;
        if (!rc)
            rc = buf_puts(&t->line, text);
        free(text);
    }
    if (rc)
        return tca_fail(err, errlen, TCA_ELIMIT, "export row too large");
    rc = flush(t);
    if (rc)
        return tca_fail(err, errlen, rc < 0 ? rc : TCA_ERR, "export write failed");
    t->rows++;
    if (t->sink->progress && t->rows % PROGRESS_EVERY == 0)
        t->sink->progress(t->sink->ctx, t->rows, t->total);
    return 0;
}

int rp_table_flush(struct rp_table *t, char *err, size_t errlen)
{
    int rc = flush(t);
    return rc ? tca_fail(err, errlen, rc < 0 ? rc : TCA_ERR, "export write failed") : 0;
}

int rp_table_end(struct rp_table *t, char *err, size_t errlen)
{
    if (t->format == REPORT_JSON)
        buf_puts(&t->line, t->rows ? "\n]\n" : "]\n");
    int rc = flush(t);
    buf_free(&t->line);
    if (rc)
        return tca_fail(err, errlen, rc < 0 ? rc : TCA_ERR, "export write failed");
    if (t->sink->progress)
        t->sink->progress(t->sink->ctx, t->rows, t->total);
    return 0;
}

void rp_table_abort(struct rp_table *t)
{
    buf_free(&t->line);
}
