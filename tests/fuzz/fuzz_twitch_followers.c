/* libFuzzer target: Get Channel Followers, Get Moderators and Get VIPs pages, as Twitch could
 * send them. */
#include "twitch/parse.h"
#include "twitch/parse_followers.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct twitch_follow *f = NULL;
    size_t n = 0;
    int64_t total;
    char cursor[TWITCH_CURSOR_MAX + 1], err[256];
    twitch_parse_followers((const char *)data, size, &f, &n, cursor, &total, err, sizeof err);
    free(f);
    struct chatter_set roles = {0};
    twitch_parse_chatters((const char *)data, size, &roles, cursor, NULL, err, sizeof err);
    chatter_set_free(&roles);
    return 0;
}
