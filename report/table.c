/*
 * A streamed table: a header, then rows of cells written one at a time to a sink as CSV
 * (RFC 4180 via base/csv.h) or as a JSON array with one object per line. Rows are handed
 * to the sink in chunks of about FLUSH_AT bytes (one write per row cost more than the row
 * itself at a million rows a second). Must never hold more than one chunk.
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
/* Rows are written to the sink once this many bytes are waiting. */
#define FLUSH_AT (64 * 1024)
/* A JSON row dumped into this stack buffer needs no allocation; a longer one is dumped twice. */
#define JSON_ROW_SMALL 4096

void rp_table_begin(struct rp_table *t, const struct report_sink *sink, enum report_format format,
                    const char *const *columns, size_t n_columns, int64_t total)
{
    memset(t, 0, sizeof *t);
    t->sink = sink;
    t->format = format;
    t->columns = columns;
    t->n_columns = n_columns;
    t->total = total;
    buf_init(&t->line, ROW_MAX + FLUSH_AT);
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

/* Decimal text of v; snprintf's format parsing was a tenth of a CSV row's cost. */
static void format_int(int64_t v, char *out, size_t len)
{
    char tmp[24];
    size_t n = 0;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do {
        tmp[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        tmp[n++] = '-';
    if (n >= len) {
        out[0] = '\0';
        return;
    }
    for (size_t i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

static void cell_text(const struct rp_cell *c, char *out, size_t len)
{
    switch (c->kind) {
    case RP_STR:
        snprintf(out, len, "%s", c->s ? c->s : "");
        break;
    case RP_INT:
        format_int(c->i, out, len);
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

/* Sets one value of the kept row object in place when it has that type already. */
static int set_cell(json_t *o, const char *key, const struct rp_cell *c)
{
    json_t *v = json_object_get(o, key);
    if (c->kind == RP_STR && json_is_string(v))
        return json_string_set(v, c->s ? c->s : "");
    if (c->kind == RP_INT && json_is_integer(v))
        return json_integer_set(v, (json_int_t)c->i);
    if (c->kind == RP_NUM && json_is_real(v))
        return json_real_set(v, c->d);
    json_t *fresh = cell_json(c);
    if (!fresh || !v) {
        json_decref(fresh);
        return -1;
    }
    return json_object_set_new(o, key, fresh);
}

/* One JSON row. The row object is kept from row to row and its values set in place: a new
 * object per row was ten allocations a row. A value jansson refuses (invalid UTF-8) makes
 * the row as before, a fresh object without that key, and the kept object is dropped. */
static int json_row(struct rp_table *t, const struct rp_cell *cells)
{
    int ok = t->row != NULL;
    for (size_t i = 0; i < t->n_columns && ok; i++)
        ok = set_cell(t->row, t->columns[i], &cells[i]) == 0;
    json_t *o = json_incref(t->row);
    if (!ok) {
        json_decref(o);
        json_decref(t->row);
        t->row = NULL;
        o = json_object();
        for (size_t i = 0; i < t->n_columns; i++)
            json_object_set_new(o, t->columns[i], cell_json(&cells[i]));
        if (json_object_size(o) == t->n_columns)
            t->row = json_incref(o);
    }
    char small[JSON_ROW_SMALL];
    size_t len = json_dumpb(o, small, sizeof small, JSON_COMPACT | JSON_PRESERVE_ORDER);
    int rc = len ? buf_puts(&t->line, t->rows ? ",\n" : "\n") : -1;
    if (!rc && len <= sizeof small) {
        rc = buf_append(&t->line, small, len);
    } else if (!rc) {
        char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
        rc = text ? buf_puts(&t->line, text) : -1;
        free(text);
    }
    json_decref(o);
    return rc;
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
        rc = json_row(t, cells);
    }
    if (rc)
        return tca_fail(err, errlen, TCA_ELIMIT, "export row too large");
    rc = t->line.len >= FLUSH_AT ? flush(t) : 0;
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
    json_decref(t->row);
    t->row = NULL;
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
    json_decref(t->row);
    t->row = NULL;
    buf_free(&t->line);
}
