/*
 * A streamed table: a header, then rows of cells written one at a time to a sink as CSV
 * (RFC 4180 via base/csv.h) or as a JSON array with one object per line. Rows are handed
 * to the sink in chunks of about FLUSH_AT bytes (one write per row cost more than the row
 * itself at a million rows a second). Must never hold more than one chunk.
 */
#include "report/table.h"
#include "base/csv.h"
#include "base/err.h"
#include "base/xalloc.h"

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
    if (format == REPORT_JSON) {
        t->keys = xcalloc(n_columns ? n_columns : 1, sizeof *t->keys);
        for (size_t i = 0; i < n_columns; i++) {
            json_t *k = json_string(columns[i]);
            char *text = json_dumps(k, JSON_ENCODE_ANY);
            t->keys[i] = xasprintf("%s:", text);
            free(text);
            json_decref(k);
        }
        t->str = json_string("");
    }
}

static void json_state_free(struct rp_table *t)
{
    for (size_t i = 0; t->keys && i < t->n_columns; i++)
        free(t->keys[i]);
    free(t->keys);
    t->keys = NULL;
    json_decref(t->str);
    t->str = NULL;
}

static int flush(struct rp_table *t)
{
    int rc = t->line.len ? t->sink->write(t->sink->ctx, t->line.data, t->line.len) : 0;
    buf_reset(&t->line);
    return rc;
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
    case RP_PLAIN:
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

/* Appends v as JSON text (jansson's encoding, so escaping is its own); REFUSED when jansson
 * refuses it (a string that is not UTF-8, a NaN), -1 when the line is full. */
enum { REFUSED = 1 };

static int append_json(struct buf *line, json_t *v)
{
    char small[JSON_ROW_SMALL];
    size_t len = v ? json_dumpb(v, small, sizeof small, JSON_ENCODE_ANY | JSON_COMPACT) : 0;
    if (!len)
        return REFUSED;
    if (len <= sizeof small)
        return buf_append(line, small, len);
    char *text = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
    int rc = text ? buf_puts(line, text) : -1;
    free(text);
    return rc;
}

/* One JSON row, written member by member: building a jansson object per row (or even
 * setting the values of a kept one) and dumping it was most of a JSON export's cost. The
 * keys are encoded once; strings and reals still go through jansson. A value jansson
 * refuses leaves its member out, as a jansson object would. Bytes equal json_dumps of the
 * row object with JSON_COMPACT | JSON_PRESERVE_ORDER. */
static int json_row(struct rp_table *t, const struct rp_cell *cells)
{
    struct buf *line = &t->line;
    int rc = buf_puts(line, t->rows ? ",\n{" : "\n{");
    for (size_t i = 0, first = 1; i < t->n_columns && !rc; i++) {
        size_t mark = line->len;
        rc = buf_puts(line, first ? "" : ",");
        if (!rc)
            rc = buf_puts(line, t->keys[i]);
        const struct rp_cell *c = &cells[i];
        int value = 0;
        if (!rc && c->kind == RP_PLAIN) { /* jansson would add the quotes and nothing else */
            const char *text = c->s ? c->s : "";
            value = buf_puts(line, "\"");
            value = value ? value : buf_append(line, text, strlen(text));
            value = value ? value : buf_puts(line, "\"");
        } else if (!rc && c->kind == RP_STR) {
            value = json_string_set(t->str, c->s ? c->s : "") ? REFUSED : append_json(line, t->str);
        } else if (!rc && c->kind == RP_INT) {
            char num[24];
            format_int(c->i, num, sizeof num);
            value = buf_puts(line, num);
        } else if (!rc && c->kind == RP_NUM) {
            json_t *real = json_real(c->d);
            value = append_json(line, real);
            json_decref(real);
        } else if (!rc) {
            value = buf_puts(line, c->kind == RP_BOOL ? (c->i ? "true" : "false") : "null");
        }
        if (!rc && value == REFUSED) /* left out: drop its key too */
            line->len = mark;
        else if (!rc && value)
            rc = value;
        else if (!rc)
            first = 0;
    }
    return rc ? rc : buf_puts(line, "}");
}

int rp_table_row(struct rp_table *t, const struct rp_cell *cells, char *err, size_t errlen)
{
    int rc = 0;
    if (t->format == REPORT_CSV) {
        for (size_t i = 0; i < t->n_columns && !rc; i++) {
            char small[64];
            int last = i + 1 == t->n_columns;
            if (cells[i].kind == RP_PLAIN || cells[i].kind == RP_INT) {
                /* nothing to quote: no scan for it (a tenth of a chatters row's writing) */
                const char *text = cells[i].s ? cells[i].s : "";
                if (cells[i].kind == RP_INT) {
                    format_int(cells[i].i, small, sizeof small);
                    text = small;
                }
                rc = buf_append(&t->line, text, strlen(text));
                rc = rc ? rc : buf_append(&t->line, last ? "\r\n" : ",", last ? 2 : 1);
            } else if (cells[i].kind == RP_STR) { /* strings go as they are, however long */
                rc = csv_field(&t->line, cells[i].s ? cells[i].s : "", last);
            } else {
                cell_text(&cells[i], small, sizeof small);
                rc = csv_field(&t->line, small, last);
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
    json_state_free(t);
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
    json_state_free(t);
    buf_free(&t->line);
}
