/* libFuzzer target: Get Users and Get Streams answers, as Twitch could send them. */
#include "twitch/parse.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct twitch_user *u = NULL;
    size_t n = 0;
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    twitch_parse_users((const char *)data, size, &u, &n, err, sizeof err);
    free(u);
    struct twitch_stream *st = NULL;
    n = 0;
    twitch_parse_streams((const char *)data, size, &st, &n, cursor, err, sizeof err);
    free(st);
    return 0;
}
