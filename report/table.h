/*
 * A streamed table of an export: header, rows, end, written as CSV or a JSON array through
 * a report_sink. Internal to report/. Must never hold more than one ~64 KiB chunk of rows.
 */
#ifndef TCA_REPORT_TABLE_H
#define TCA_REPORT_TABLE_H

#include <jansson.h>
#include <stdlib.h>

#include "base/buf.h"
#include "report/report.h"

enum rp_cell_kind { RP_NULL, RP_STR, RP_INT, RP_NUM, RP_BOOL, RP_PLAIN };

/** One value; s is borrowed. RP_NULL is an empty CSV field and a JSON null. RP_PLAIN is a
 * string the caller made of ASCII letters, digits and "-:._|" only (ids, RFC 3339 times, fixed
 * words): written as RP_STR would be, without looking for what to quote or escape. */
struct rp_cell {
    enum rp_cell_kind kind;
    const char *s;
    int64_t i;
    double d;
};

/** A table being written; owns line. */
struct rp_table {
    const struct report_sink *sink;
    enum report_format format;
    const char *const *columns; /* borrowed; also the JSON keys */
    size_t n_columns;
    int64_t rows;
    int64_t total;
    struct buf line;
    char **keys; /* JSON: each column's key encoded once, with its ':' (owned) */
    json_t *str; /* JSON: the string that encodes string cells (owned) */
};

/** Starts a table (the header is written with the first row or at the end). */
void rp_table_begin(struct rp_table *t, const struct report_sink *sink, enum report_format format,
                    const char *const *columns, size_t n_columns, int64_t total);
/** Writes one row of n_columns cells. */
int rp_table_row(struct rp_table *t, const struct rp_cell *cells, char *err, size_t errlen);
/** Writes what is buffered (after rp_table_begin: the CSV header or the JSON "[") now. */
int rp_table_flush(struct rp_table *t, char *err, size_t errlen);
/** Ends the table (closing a JSON array) and frees it. */
int rp_table_end(struct rp_table *t, char *err, size_t errlen);
/** Frees a table abandoned after an error. */
void rp_table_abort(struct rp_table *t);

#endif
