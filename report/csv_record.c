/*
 * One CSV record of an import (RFC 4180: quoted fields may hold commas, doubled quotes and line
 * breaks), shared by the known-bots and watchlist imports so both follow the same rules. Must
 * never read past len (the text need not be NUL-terminated) nor truncate a field silently.
 */
#include "report/csv_record.h"
#include "base/err.h"

#include <string.h>

int report_csv_record(const char *t, size_t len, size_t *pos, size_t *line_no, size_t max_fields,
                      size_t field_max, struct csv_record *out, char *err, size_t errlen)
{
    size_t i = *pos, start_line = *line_no;
    memset(out, 0, sizeof *out);
    for (;;) {
        if (out->n == max_fields)
            return tca_fail(err, errlen, TCA_EINVAL, "line %zu: more than %zu fields", start_line,
                            max_fields);
        char *f = out->field[out->n++];
        size_t fl = 0;
        int quoted = i < len && t[i] == '"';
        if (quoted) {
            i++;
            for (;;) {
                if (i >= len)
                    return tca_fail(err, errlen, TCA_EINVAL, "line %zu: unterminated quote",
                                    start_line);
                if (t[i] == '"') {
                    if (i + 1 < len && t[i + 1] == '"') {
                        i++;
                    } else {
                        i++;
                        break;
                    }
                } else if (t[i] == '\n') {
                    (*line_no)++;
                }
                if (fl + 1 >= field_max)
                    return tca_fail(err, errlen, TCA_EINVAL, "line %zu: field too long",
                                    start_line);
                f[fl++] = t[i++];
            }
        } else {
            while (i < len && t[i] != ',' && t[i] != '\n' && t[i] != '\r') {
                if (t[i] == '"')
                    return tca_fail(err, errlen, TCA_EINVAL,
                                    "line %zu: quote inside an unquoted field", start_line);
                if (fl + 1 >= field_max)
                    return tca_fail(err, errlen, TCA_EINVAL, "line %zu: field too long",
                                    start_line);
                f[fl++] = t[i++];
            }
        }
        f[fl] = '\0';
        if (i < len && t[i] == ',') {
            i++;
            continue;
        }
        if (i < len && t[i] == '\r')
            i++;
        if (i < len && t[i] == '\n') {
            i++;
            (*line_no)++;
        } else if (i < len) {
            return tca_fail(err, errlen, TCA_EINVAL, "line %zu: unexpected text after a quote",
                            start_line);
        }
        *pos = i;
        return 0;
    }
}
