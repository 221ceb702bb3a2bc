/* libFuzzer target: EventSub WebSocket messages, as Twitch (or anyone on the socket) could send. */
#include "twitch/eventsub.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct twitch_es_message m;
    char err[256];
    twitch_es_parse((const char *)data, size, &m, err, sizeof err);
    return 0;
}
