/* Parser for .env files: outside input, so every line is validated and sizes are capped. */
#include "base/config.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define DOTENV_MAX_ENTRIES 1024

static int valid_key(const char *k, size_t n)
{
    if (n == 0 || n > 128 || isdigit((unsigned char)k[0]))
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)k[i]) && k[i] != '_')
            return 0;
    return 1;
}

void dotenv_free(struct dotenv_entry *entries, int n)
{
    for (int i = 0; i < n; i++) {
        free(entries[i].key);
        free(entries[i].value);
    }
    free(entries);
}

int dotenv_parse(const char *text, size_t len, struct dotenv_entry **out, char *err, size_t errlen)
{
    struct dotenv_entry *e = NULL;
    int n = 0, lineno = 0;
    const char *p = text, *end = text + len;
    *out = NULL;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        lineno++;
        const char *s = p, *t = eol;
        p = eol < end ? eol + 1 : end;
        while (s < t && isspace((unsigned char)*s))
            s++;
        while (t > s && isspace((unsigned char)t[-1]))
            t--;
        if (s == t || *s == '#')
            continue;
        if (memchr(s, '\0', (size_t)(t - s)))
            goto bad;
        if ((size_t)(t - s) > 7 && memcmp(s, "export ", 7) == 0)
            s += 7;
        const char *eq = memchr(s, '=', (size_t)(t - s));
        if (!eq)
            goto bad;
        const char *ke = eq;
        while (ke > s && isspace((unsigned char)ke[-1]))
            ke--;
        if (!valid_key(s, (size_t)(ke - s)))
            goto bad;
        const char *v = eq + 1, *ve = t;
        while (v < ve && isspace((unsigned char)*v))
            v++;
        if (v < ve && (*v == '"' || *v == '\'')) {
            char q = *v;
            if (ve - v < 2 || ve[-1] != q)
                goto bad;
            v++;
            ve--;
        } else {
            /* An unquoted value ends at an inline comment introduced by " #". */
            for (const char *c = v; c < ve; c++)
                if (*c == '#' && c > v && isspace((unsigned char)c[-1])) {
                    ve = c;
                    while (ve > v && isspace((unsigned char)ve[-1]))
                        ve--;
                    break;
                }
        }
        if (n >= DOTENV_MAX_ENTRIES) {
            dotenv_free(e, n);
            return tca_fail(err, errlen, TCA_EINVAL, "more than %d entries", DOTENV_MAX_ENTRIES);
        }
        e = xreallocarray(e, (size_t)n + 1, sizeof *e);
        e[n].key = xstrndup(s, (size_t)(ke - s));
        e[n].value = xstrndup(v, (size_t)(ve - v));
        n++;
    }
    *out = e;
    return n;
bad:
    dotenv_free(e, n);
    return tca_fail(err, errlen, TCA_EINVAL, "line %d: expected KEY=VALUE", lineno);
}
