/*
 * libFuzzer target: the parts of the gateway that read what a client sends before any
 * handler runs: the method and path against the route table, the Cookie header, ids in the
 * path. Input: "METHOD PATH\nCOOKIE-HEADER". Any bytes must be safe.
 */
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
    char *nl = strchr(text, '\n');
    const char *cookies = "";
    if (nl) {
        *nl = '\0';
        cookies = nl + 1;
    }
    char *sp = strchr(text, ' ');
    const char *method = text, *path = "";
    if (sp) {
        *sp = '\0';
        path = sp + 1;
    }
    char params[WEB_MAX_PARAMS][WEB_PARAM_MAX];
    int route, n;
    if (web_route_match(method, path, &route, params, &n) == 0) {
        int64_t id;
        for (int i = 0; i < n; i++)
            web_parse_id(params[i], &id);
    }
    char value[64];
    web_cookie_find(cookies, WEB_SESSION_COOKIE, value, sizeof value);
    web_cookie_find(cookies, WEB_STATE_COOKIE, value, sizeof value);
    free(text);
    return 0;
}
