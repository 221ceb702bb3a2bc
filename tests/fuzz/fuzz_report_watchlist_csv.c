/*
 * libFuzzer target: the watchlist CSV import must accept or refuse any bytes without
 * crashing, every row it accepts must hold a valid login or id, and it must export and
 * import back to the same rows.
 */
#include "report/watchlist_csv.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct store_watch *w = NULL, *again = NULL;
    size_t n = 0, m = 0;
    char err[128];
    if (report_watchlist_csv_parse((const char *)data, size, &w, &n, err, sizeof err) == 0) {
        for (size_t i = 0; i < n; i++)
            if ((!w[i].login[0] && w[i].user_id <= 0) || strlen(w[i].login) > 25 ||
                w[i].user_id < 0)
                abort();
        struct buf b;
        buf_init(&b, 0);
        if (report_watchlist_csv_write(&b, w, n, err, sizeof err) ||
            report_watchlist_csv_parse(b.data, b.len, &again, &m, err, sizeof err) || m != n)
            abort();
        for (size_t i = 0; i < n; i++)
            if (strcmp(w[i].login, again[i].login) || w[i].user_id != again[i].user_id ||
                strcmp(w[i].reason, again[i].reason) || strcmp(w[i].note, again[i].note))
                abort();
        buf_free(&b);
    }
    free(w);
    free(again);
    return 0;
}
