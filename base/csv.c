/* CSV writer: a field with a comma, quote, CR or LF is quoted with inner quotes doubled.
 * Exports write one call per cell, so a plain cell is found and copied in one scan each
 * (strcspn gives its length: no second strlen) and a quoted one copied in runs between its
 * quotes, not a byte at a time. */
#include "base/csv.h"

#include <string.h>

static int quoted(struct buf *b, const char *value)
{
    int rc = buf_append(b, "\"", 1);
    for (const char *q; (q = strchr(value, '"')) != NULL; value = q + 1)
        rc |= buf_append(b, value, (size_t)(q - value) + 1) | buf_append(b, "\"", 1);
    return rc | buf_puts(b, value) | buf_append(b, "\"", 1);
}

int csv_field(struct buf *b, const char *value, int last)
{
    size_t plain = strcspn(value, ",\"\r\n");
    int rc = value[plain] == '\0' ? buf_append(b, value, plain) : quoted(b, value);
    rc |= buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
    return rc ? -1 : 0;
}
