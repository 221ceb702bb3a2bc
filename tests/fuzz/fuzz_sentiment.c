/* libFuzzer target: the sentiment scorer reads chat text from anyone, and lexicon files; any
 * bytes must score (or be refused) without crashing or reading past the input. The first
 * byte picks what the rest is: a message (as one fragment, or split into fragments with
 * every other one an emote) or a lexicon file. */
#include "analysis/sentiment.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    struct an_lexicon *lx = an_lexicon_new();
    an_lexicon_add(lx, AN_LANG_EN, "good", 3);
    an_lexicon_add(lx, AN_LANG_EN, "does not work", -3);
    an_lexicon_add(lx, AN_LANG_FR, "génial", 4);
    an_lexicon_add(lx, AN_LANG_FR, "sans espoir", -2);
    const char *text = (const char *)data + 1;
    size_t len = size - 1;
    struct an_sentiment s;
    switch (data[0] % 3) {
    case 0: {
        struct an_fragment f = {text, len, 0};
        an_sentiment_score(lx, (enum an_lang)(data[0] / 3 % 3), &f, 1, &s);
        break;
    }
    case 1: {
        struct an_fragment f[4];
        size_t q = len / 4;
        for (size_t i = 0; i < 4; i++)
            f[i] = (struct an_fragment){text + i * q, i == 3 ? len - 3 * q : q, (int)(i % 2)};
        an_sentiment_score(lx, AN_LANG_AUTO, f, 4, &s);
        break;
    }
    default: {
        char err[128];
        if (an_lexicon_add_json(lx, AN_LANG_FR, text, len, err, sizeof err) == 0)
            an_sentiment_score_text(lx, AN_LANG_FR, "génial sans espoir", &s);
        break;
    }
    }
    an_lexicon_free(lx);
    return 0;
}
