/* libFuzzer target: the OAuth answers (token, validate, device) and Twitch error bodies. */
#include "twitch/parse.h"

#include <stdint.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    char err[256], msg[128], client_id[64];
    struct twitch_token t = {0};
    twitch_parse_token(body, size, 1000, &t, err, sizeof err);
    twitch_parse_validate(body, size, 1000, &t, client_id, sizeof client_id, err, sizeof err);
    twitch_token_clear(&t);
    struct twitch_device d;
    twitch_parse_device(body, size, 1000, &d, err, sizeof err);
    twitch_parse_error(body, size, msg, sizeof msg);
    return 0;
}
