/*
 * Reading an imported CSV file (known bots, watchlist): one record at a time, or the whole file
 * row by row with the caps the caller asks for, plus the field checks both imports share.
 */
#ifndef TCA_REPORT_CSV_RECORD_H
#define TCA_REPORT_CSV_RECORD_H

#include <stddef.h>
#include <stdint.h>

#define CSV_RECORD_FIELDS 4
#define CSV_RECORD_FIELD_MAX 256

/** One parsed record: its fields, NUL-terminated. */
struct csv_record {
    char field[CSV_RECORD_FIELDS][CSV_RECORD_FIELD_MAX];
    size_t n;
};

/**
 * Reads the record starting at *pos and advances *pos and *line_no past it. More than
 * max_fields fields (at most CSV_RECORD_FIELDS) or a field of field_max bytes or more (at most
 * CSV_RECORD_FIELD_MAX) is an error naming the line, never a truncation.
 */
int report_csv_record(const char *t, size_t len, size_t *pos, size_t *line_no, size_t max_fields,
                      size_t field_max, struct csv_record *out, char *err, size_t errlen);

/** What one import accepts: the caps on the file, its rows and their fields. */
struct csv_import {
    size_t max_bytes;     /**< a larger file is TCA_ELIMIT */
    size_t max_rows;      /**< one more data row is TCA_ELIMIT naming its line */
    size_t max_fields;    /**< at most CSV_RECORD_FIELDS */
    size_t field_max;     /**< at most CSV_RECORD_FIELD_MAX */
    const char *rows_are; /**< what a row is in the row-cap error: "bots", "accounts" */
};

/**
 * Called once per data row, its fields trimmed of spaces; line_no is the row's first line.
 * Returns 0, or a negative tca_err (with err filled) that stops the walk and is returned.
 */
typedef int (*report_csv_row_fn)(struct csv_record *row, size_t line_no, void *ctx, char *err,
                                 size_t errlen);

/**
 * Walks an import: refuses a file over max_bytes or holding a NUL byte, skips a UTF-8 byte-order
 * mark, blank lines, lines starting with # and a first row whose first field is "login" (the
 * header), and calls row_fn for every other row, at most max_rows of them. The text need not be
 * NUL-terminated.
 */
int report_csv_each(const char *text, size_t len, const struct csv_import *rules,
                    report_csv_row_fn row_fn, void *ctx, char *err, size_t errlen);

/** Checks one data row into slot (elem bytes, zeroed): 0, or a negative tca_err. */
typedef int (*report_csv_check_fn)(const struct csv_record *row, size_t line_no, void *slot,
                                   char *err, size_t errlen);

/**
 * report_csv_each collecting one elem-byte struct per data row, each filled by check: *rows
 * (the caller's to free()) holds *n of them; nothing is returned on an error.
 */
int report_csv_rows(const char *text, size_t len, const struct csv_import *rules, size_t elem,
                    report_csv_check_fn check, void **rows, size_t *n, char *err, size_t errlen);

/**
 * Checks a Twitch login (1 to 25 ASCII letters, digits or _; empty allowed when optional) and
 * writes it lowercased into out, which holds at least 26 bytes.
 */
int report_csv_login(const char *field, int optional, size_t line_no, char *out, char *err,
                     size_t errlen);

/** Reads an optional user id (empty: *id = 0): a positive decimal of at most 18 digits. */
int report_csv_user_id(const char *field, size_t line_no, int64_t *id, char *err, size_t errlen);

#endif
