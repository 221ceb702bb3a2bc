/*
 * The watchlist as CSV: `login,user_id,reason,note`, imported with the known-bots import's
 * rules (RFC 4180, optional header, # comments, a byte-order mark, sizes capped, every error
 * naming its line) and exported in the same columns, so an export imports back unchanged.
 */
#ifndef TCA_REPORT_WATCHLIST_CSV_H
#define TCA_REPORT_WATCHLIST_CSV_H

#include <stddef.h>

#include "base/buf.h"
#include "store/store_alerts.h"

#define REPORT_WATCHLIST_CSV_MAX (1024 * 1024)
#define REPORT_WATCHLIST_MAX_ROWS 10000

/**
 * Parses an import; each row has a login or a user id (or both). *out (owner_id and
 * added_at left 0) is the caller's to free(); nothing is returned on an error.
 */
int report_watchlist_csv_parse(const char *text, size_t len, struct store_watch **out, size_t *n,
                               char *err, size_t errlen);

/** Appends the header and one row per entry to b. */
int report_watchlist_csv_write(struct buf *b, const struct store_watch *w, size_t n, char *err,
                               size_t errlen);

#endif
