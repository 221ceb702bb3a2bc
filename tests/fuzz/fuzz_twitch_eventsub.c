/* libFuzzer target: EventSub WebSocket messages and Create Subscription answers, as Twitch
 * (or anyone on the socket) could send them. */
#include "twitch/eventsub.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct twitch_es_message m;
    char err[256];
    twitch_es_parse((const char *)data, size, &m, err, sizeof err);
    char id[TWITCH_ES_ID_MAX + 1];
    twitch_es_parse_created((const char *)data, size, id, err, sizeof err);
    return 0;
}
