/* Reading one record of an imported CSV file, with the caps the caller asks for. */
#ifndef TCA_REPORT_CSV_RECORD_H
#define TCA_REPORT_CSV_RECORD_H

#include <stddef.h>

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

#endif
