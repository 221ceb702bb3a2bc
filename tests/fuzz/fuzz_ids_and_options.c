/*
 * libFuzzer target: the small parsers of outside text: ids from paths, query strings and
 * Twitch (chatter_parse_id against a naive reading, and its web_ and twitch_ names), RFC 3339
 * times, statistics options from query strings (report_option_set), export kinds, the Cookie
 * header, UTF-8 checks and static paths. Input: "NAME\nVALUE". Any bytes must be safe, and the id
 * parsers must agree.
 */
#include "base/chatter.h"
#include "base/clock.h"
#include "report/report.h"
#include "twitch/parse.h"
#include "web/internal.h"

#include <errno.h>
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
    int64_t a = 0, b = 0, c = 0, ms;
    int ra = chatter_parse_id(value, &a);
    /* the one id grammar against a naive reading: 1-19 digits only, > 0, fits int64 */
    size_t n = strlen(value);
    int naive = n >= 1 && n <= 19 && strspn(value, "0123456789") == n;
    errno = 0;
    unsigned long long v = naive ? strtoull(value, NULL, 10) : 0;
    naive = naive && errno == 0 && v > 0 && v <= INT64_MAX;
    if ((ra == 0) != naive || (naive && (uint64_t)a != v))
        abort();
    /* the HTTP and Twitch names read it alike */
    if (web_parse_id(value, &b) != ra || twitch_parse_id(value, &c) != ra ||
        (ra == 0 && (b != a || c != a)))
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
