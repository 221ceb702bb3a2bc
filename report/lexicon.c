/*
 * Reading the sentiment lexicons from disk (see lexicon.h): one file per language, capped at
 * AN_LEXICON_MAX_BYTES, parsed by analysis/sentiment.c. Never logs.
 */
#include "report/lexicon.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads the whole of path (at most AN_LEXICON_MAX_BYTES) into *text, which the caller frees. */
static int slurp(const char *path, char **text, size_t *len, char *err, size_t errlen)
{
    int rc = 0;
    size_t cap = AN_LEXICON_MAX_BYTES + 1, n = 0;
    char *buf = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        rc = tca_fail(err, errlen, errno == ENOENT ? TCA_ENOTFOUND : TCA_ERR,
                      "%s: %s (run npm ci in lexicons/, or set TCA_SENTIMENT_LEXICONS)", path,
                      strerror(errno));
        goto out;
    }
    buf = xmalloc(cap);
    n = fread(buf, 1, cap, f);
    if (ferror(f)) {
        rc = tca_fail(err, errlen, TCA_ERR, "%s: read error", path);
        goto out;
    }
    if (n == cap) {
        rc = tca_fail(err, errlen, TCA_EINVAL, "%s: larger than %zu bytes", path,
                      AN_LEXICON_MAX_BYTES);
        goto out;
    }
    *text = buf;
    *len = n;
    buf = NULL;
out:
    free(buf);
    if (f)
        fclose(f);
    return rc;
}

static int load_one(struct an_lexicon *lx, enum an_lang lang, const char *dir, const char *file,
                    char *err, size_t errlen)
{
    char path[4096];
    char *text = NULL;
    size_t len = 0;
    if ((size_t)snprintf(path, sizeof path, "%s/%s", dir, file) >= sizeof path)
        return tca_fail(err, errlen, TCA_EINVAL, "lexicons folder name too long");
    int rc = slurp(path, &text, &len, err, errlen);
    if (rc == 0) {
        char why[200];
        rc = an_lexicon_add_json(lx, lang, text, len, why, sizeof why);
        if (rc)
            tca_fail(err, errlen, rc, "%s: %s", path, why);
    }
    free(text);
    return rc;
}

int report_lexicon_load(const char *dir, struct an_lexicon **out, char *err, size_t errlen)
{
    struct an_lexicon *lx = an_lexicon_new();
    int rc = load_one(lx, AN_LANG_EN, dir, REPORT_LEXICON_EN, err, errlen);
    if (rc == 0)
        rc = load_one(lx, AN_LANG_FR, dir, REPORT_LEXICON_FR, err, errlen);
    if (rc) {
        an_lexicon_free(lx);
        lx = NULL;
    }
    *out = lx;
    return rc;
}
