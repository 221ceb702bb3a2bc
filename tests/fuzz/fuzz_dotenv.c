/* libFuzzer target: the .env parser must reject or accept any bytes without crashing. */
#include "base/config.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct dotenv_entry *e = NULL;
    char err[128];
    int n = dotenv_parse((const char *)data, size, &e, err, sizeof err);
    if (n >= 0)
        dotenv_free(e, n);
    return 0;
}
