/* CSV writer: a field with a comma, quote, CR or LF is quoted with inner quotes doubled. */
#include "base/csv.h"

#include <string.h>

int csv_field(struct buf *b, const char *value, int last)
{
    int rc = 0;
    if (strpbrk(value, ",\"\r\n")) {
        rc |= buf_append(b, "\"", 1);
        for (const char *p = value; *p; p++) {
            if (*p == '"')
                rc |= buf_append(b, "\"", 1);
            rc |= buf_append(b, p, 1);
        }
        rc |= buf_append(b, "\"", 1);
    } else {
        rc |= buf_puts(b, value);
    }
    rc |= buf_append(b, last ? "\r\n" : ",", last ? 2 : 1);
    return rc ? -1 : 0;
}
