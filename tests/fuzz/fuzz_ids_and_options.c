/*
 * libFuzzer target: the small parsers of outside text: ids from paths, query strings and
 * Twitch (web_parse_id, twitch_parse_id), RFC 3339 times, statistics options from query
 * strings (report_option_set), export kinds, the Cookie header, UTF-8 checks and static
 * paths. Input: "NAME\nVALUE". Any bytes must be safe, and the id parsers must agree.
 */
#include "base/clock.h"
#include "report/report.h"
#include "twitch/parse.h"
#include "web/internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    char *value = strchr(text, '\n');
    if (value)
        *value++ = '\0';
    else
        value = text;
    int64_t a = 0, b = 0, ms;
    int ra = web_parse_id(value, &a), rb = twitch_parse_id(value, &b);
    /* one id grammar: a positive decimal both accept alike */
    if (ra == 0 && (rb != 0 || a != b))
        abort();
    clock_parse_rfc3339(value, &ms);
    struct report_options o;
    char err[256], out[128];
    report_options_default(&o);
    report_option_set(&o, text, value, err, sizeof err);
    report_export_kind_parse(value);
    web_cookie_find(value, text, out, sizeof out);
    web_utf8_valid(value);
    web_static_path_ok(value);
    free(text);
    return 0;
}
