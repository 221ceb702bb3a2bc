/*
 * libFuzzer target: the known-bots CSV import must accept or refuse any bytes without
 * crashing, and every row it accepts must hold a valid login and kind.
 */
#include "report/report.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct store_known_bot *bots = NULL;
    size_t n = 0;
    char err[128];
    if (report_bots_csv_parse((const char *)data, size, &bots, &n, err, sizeof err) == 0) {
        for (size_t i = 0; i < n; i++) {
            size_t len = strlen(bots[i].login);
            if (len == 0 || len > 25 || bots[i].user_id < 0 ||
                (strcmp(bots[i].kind, "service") != 0 && strcmp(bots[i].kind, "lurker") != 0))
                abort();
        }
    }
    free(bots);
    return 0;
}
