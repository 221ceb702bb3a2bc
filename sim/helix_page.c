/*
 * The pieces every simulated Helix endpoint shares: scope check, opaque cursors, the
 * pagination object and Twitch's error reply. Holds no state and never touches the world.
 */
#include "sim/helix_page.h"

#include "base/xalloc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int helix_fail(struct call *c, int status, const char *message)
{
    call_reply_helix_error(c, status, message);
    return -1;
}

int helix_has_scope(const struct token_info *tok, const char *scope)
{
    size_t n = strlen(scope);
    for (const char *p = tok->scopes; (p = strstr(p, scope)); p += n)
        if ((p == tok->scopes || p[-1] == ' ') && (p[n] == 0 || p[n] == ' '))
            return 1;
    return 0;
}

/* Cursors are opaque to clients: base64 of "kind:a:b:c". */
char *helix_cursor_make(const char *kind, int64_t a, int64_t b, int64_t d)
{
    char raw[96];
    int n = snprintf(raw, sizeof raw, "%s:%lld:%lld:%lld", kind, (long long)a, (long long)b,
                     (long long)d);
    size_t cap = sodium_base64_ENCODED_LEN((size_t)n, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    char *out = xmalloc(cap);
    sodium_bin2base64(out, cap, (const unsigned char *)raw, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    return out;
}

int helix_cursor_read(const char *cursor, const char *kind, int64_t *a, int64_t *b, int64_t *d)
{
    unsigned char raw[96];
    size_t n;
    if (strlen(cursor) > 120 ||
        sodium_base642bin(raw, sizeof raw - 1, cursor, strlen(cursor), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return -1;
    raw[n] = 0;
    char k[16];
    long long x, y, z;
    if (sscanf((char *)raw, "%15[a-z]:%lld:%lld:%lld", k, &x, &y, &z) != 4 ||
        strcmp(k, kind) != 0 || x < 0 || y < 0 || z < 0)
        return -1;
    *a = x;
    *b = y;
    *d = z;
    return 0;
}

json_t *helix_pagination(char *cursor)
{
    json_t *p = json_object();
    if (cursor)
        json_object_set_new(p, "cursor", json_string(cursor));
    free(cursor);
    return p;
}
