/* RFC 4180 CSV fields: quoted only when they must be, CRLF line ends. */
#ifndef TCA_CSV_H
#define TCA_CSV_H

#include "base/buf.h"

/** Appends one field (and a comma unless last, CRLF if last); returns buf_append's result. */
int csv_field(struct buf *b, const char *value, int last);

#endif
