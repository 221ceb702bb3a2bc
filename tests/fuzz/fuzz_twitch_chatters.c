/* libFuzzer target: Get Chatters and Get Moderated Channels pages, as Twitch could send them. */
#include "twitch/parse.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct chatter_set s = {0};
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    int64_t total;
    twitch_parse_chatters((const char *)data, size, &s, cursor, &total, err, sizeof err);
    chatter_set_free(&s);
    struct twitch_channel *ch = NULL;
    size_t n = 0;
    twitch_parse_moderated_channels((const char *)data, size, &ch, &n, cursor, err, sizeof err);
    free(ch);
    return 0;
}
