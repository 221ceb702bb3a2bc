/* libFuzzer target: EventSub WebSocket messages and Create Subscription answers, as Twitch
 * (or anyone on the socket) could send them; chat messages also through a reader that reads
 * every byte of every fragment it is lent. */
#include "twitch/eventsub.h"

#include <stdint.h>

static int read_all(void *ctx, const struct twitch_es_fragment *frags, size_t n, int *score)
{
    (void)ctx;
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < frags[i].len; k++)
            sum += (unsigned char)frags[i].text[k] + (unsigned)frags[i].emote;
    *score = (int)(sum % 11) - 5;
    return (int)(sum & 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct twitch_es_message m;
    char err[256];
    struct twitch_es_reader rd = {read_all, NULL};
    twitch_es_parse_read((const char *)data, size, &rd, &m, err, sizeof err);
    char id[TWITCH_ES_ID_MAX + 1];
    twitch_es_parse_created((const char *)data, size, id, err, sizeof err);
    return 0;
}
