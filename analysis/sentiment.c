/*
 * The sentiment scorer (see sentiment.h): a lexicon kept as one sorted array per language,
 * a tokenizer that lower-cases UTF-8 Latin text and keeps apostrophes inside words, phrase
 * matching (the longest lexicon phrase first), and negation. Pure: no I/O, no globals; the
 * function-word and negation lists below are grammar, not valences (those come only from
 * the lexicon files).
 */
#include "analysis/sentiment.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <libstemmer.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WORD_MAX 64    /* bytes of one token; longer ones cannot be in the lexicon */
#define TOKENS_MAX 256 /* tokens of one message looked at */
#define PHRASE_MAX 5   /* words in the longest phrase matched */
#define NEG_BEFORE 3   /* a negation reaches this many tokens ahead */
#define STEM_MIN 4     /* bytes of the shortest French stem looked up */

struct entry {
    char *word;
    int valence;
    size_t order; /* insertion order: the first of two equal keys wins */
};

struct words {
    struct entry *e;
    size_t n, cap;
    int sorted;
    int longest; /* words in the longest phrase */
};

struct an_lexicon {
    struct words lang[3]; /* indexed by enum an_lang; [AN_LANG_AUTO] stays empty */
    /* French single words by their Snowball stem, for the forms the list lacks ("déteste"
     * finds "détester"); of two words with one stem, the shorter one's valence */
    struct words fr_stems;
};

/* Function words that tell English from French in a chat line. */
static const char *const EN_WORDS[] = {
    "the", "and", "is",    "are",  "you",  "i",    "it",   "this", "that", "what", "to",   "of",
    "my",  "me",  "was",   "with", "have", "just", "so",   "for",  "he",   "she",  "they", "in",
    "be",  "but", "don't", "not",  "your", "its",  "it's", "i'm",  "do",   "we",   "very"};
static const char *const FR_WORDS[] = {
    "le",   "la",    "les",  "et",   "est",   "je",      "tu",   "il",   "c'est", "pas",
    "un",   "une",   "des",  "du",   "que",   "qui",     "ça",   "ca",   "mais",  "pour",
    "avec", "suis",  "mon",  "ma",   "j'ai",  "vous",    "nous", "très", "trop",  "au",
    "ce",   "cette", "elle", "sont", "n'est", "c'était", "qu'il"};
/* Negations: a lexicon word just after one of these has its valence's sign flipped. */
static const char *const EN_NEG[] = {
    "not",      "no",       "never",   "don't",  "dont",   "doesn't", "doesnt",
    "didn't",   "didnt",    "isn't",   "isnt",   "wasn't", "wasnt",   "aren't",
    "arent",    "can't",    "cant",    "cannot", "won't",  "wont",    "shouldn't",
    "wouldn't", "couldn't", "nothing", "nobody", "none",   "nor",     "neither",
    "without",  "ain't",    "aint",    "hardly", "never"};
static const char *const FR_NEG[] = {"ne",     "n'", "pas",  "jamais", "rien",     "aucun",
                                     "aucune", "ni", "sans", "guère",  "nullement"};
/* French negations that also follow the word they deny ("j'aime pas"). */
static const char *const FR_NEG_AFTER[] = {"pas", "jamais", "plus", "guère"};
/* French elided articles and pronouns: "j'adore" is looked up as "adore". */
static const char *const FR_ELISIONS[] = {"l'", "d'", "j'", "m'", "n'", "s'", "t'", "c'", "qu'"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static int in_list(const char *w, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(w, list[i]) == 0)
            return 1;
    return 0;
}

static int cmp_entry(const void *a, const void *b)
{
    const struct entry *x = a, *y = b;
    int c = strcmp(x->word, y->word);
    if (c)
        return c;
    return x->order < y->order ? -1 : x->order > y->order;
}

static int cmp_key(const void *key, const void *e)
{
    return strcmp(key, ((const struct entry *)e)->word);
}

/* Sorts and drops the later of equal keys; done once after loading, before any lookup. */
static void words_seal(struct words *w)
{
    if (w->sorted)
        return;
    if (w->n)
        qsort(w->e, w->n, sizeof *w->e, cmp_entry);
    size_t k = 0;
    for (size_t i = 0; i < w->n; i++) {
        if (k && strcmp(w->e[k - 1].word, w->e[i].word) == 0) {
            free(w->e[i].word);
            continue;
        }
        w->e[k++] = w->e[i];
    }
    w->n = k;
    w->sorted = 1;
}

static void words_clear(struct words *w)
{
    for (size_t i = 0; i < w->n; i++)
        free(w->e[i].word);
    free(w->e);
    *w = (struct words){0};
}

static const struct entry *words_find(const struct words *w, const char *word)
{
    if (!w->n)
        return NULL;
    return bsearch(word, w->e, w->n, sizeof *w->e, cmp_key);
}

/* Decodes one UTF-8 code point at s[*i] (len bytes in all); a broken sequence reads as
 * U+FFFD, one byte at a time, and is never a letter. */
static uint32_t next_cp(const unsigned char *s, size_t len, size_t *i)
{
    uint32_t c = s[*i];
    if (c < 0x80) {
        (*i)++;
        return c;
    }
    size_t extra = (c & 0xe0) == 0xc0 ? 1 : (c & 0xf0) == 0xe0 ? 2 : (c & 0xf8) == 0xf0 ? 3 : 0;
    if (!extra || *i + extra >= len) {
        (*i)++;
        return 0xfffd;
    }
    uint32_t cp = c & (0x3fu >> extra);
    for (size_t k = 1; k <= extra; k++) {
        if ((s[*i + k] & 0xc0) != 0x80) {
            (*i)++;
            return 0xfffd;
        }
        cp = (cp << 6) | (s[*i + k] & 0x3f);
    }
    *i += extra + 1;
    return cp;
}

/* Lower case of the letters the two languages use; 0 for anything that is not a letter
 * (digits count as letters so "2nd" and "gg2" stay one token). */
static uint32_t fold(uint32_t c)
{
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        return c;
    if (c >= 'A' && c <= 'Z')
        return c + 32;
    if (c >= 0xc0 && c <= 0xde && c != 0xd7)
        return c + 32;
    if (c >= 0xdf && c <= 0xff && c != 0xf7)
        return c;
    if (c == 0x152 || c == 0x153)
        return 0x153; /* œ */
    if (c == 0x178)
        return 0xff; /* Ÿ */
    return 0;
}

static size_t put_utf8(char *out, uint32_t c)
{
    if (c < 0x80) {
        out[0] = (char)c;
        return 1;
    }
    out[0] = (char)(0xc0 | (c >> 6));
    out[1] = (char)(0x80 | (c & 0x3f));
    return 2; /* fold() only returns code points below 0x800 */
}

struct tokens {
    char w[TOKENS_MAX][WORD_MAX];
    size_t n;
};

/* Splits text into lower-case words; an apostrophe (' or ’) or a hyphen between two
 * letters stays inside the word. */
static void tokenize(const char *text, size_t len, struct tokens *t)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0, wl = 0;
    char *cur = NULL;
    while (i <= len && t->n < TOKENS_MAX) {
        uint32_t c = i < len ? next_cp(s, len, &i) : (i++, 0);
        if (c == 0x2019)
            c = '\'';
        uint32_t f = fold(c);
        int joiner =
            (c == '\'' || c == '-') && wl > 0 && i < len && fold(s[i] < 0x80 ? s[i] : 0xe9);
        if (f || joiner) {
            if (!cur) {
                cur = t->w[t->n];
                wl = 0;
            }
            char buf[2];
            size_t k = put_utf8(buf, f ? f : c);
            if (wl + k < WORD_MAX) {
                memcpy(cur + wl, buf, k);
                wl += k;
            }
            continue;
        }
        if (cur) {
            while (wl && (cur[wl - 1] == '\'' || cur[wl - 1] == '-'))
                wl--;
            cur[wl] = '\0';
            if (wl)
                t->n++;
            cur = NULL;
            wl = 0;
        }
    }
}

/* The French word behind an elision ("j'adore" -> "adore"), or w itself. */
static const char *unelide(const char *w)
{
    for (size_t i = 0; i < COUNT(FR_ELISIONS); i++) {
        size_t n = strlen(FR_ELISIONS[i]);
        if (strncmp(w, FR_ELISIONS[i], n) == 0 && w[n])
            return w + n;
    }
    return w;
}

static int is_negation(enum an_lang lang, const char *w)
{
    if (lang == AN_LANG_FR)
        return in_list(w, FR_NEG, COUNT(FR_NEG)) || strncmp(w, "n'", 2) == 0;
    return in_list(w, EN_NEG, COUNT(EN_NEG));
}

/* Looks the phrase of k tokens starting at token i up; returns its entry or NULL. */
/* The Snowball stem of a French word into out (WORD_MAX bytes); "" when it has none. The
 * stemmer is made on first use (one per scoring call: libstemmer's are not thread-safe). */
static void stem_fr(struct sb_stemmer **sb, const char *word, char *out)
{
    out[0] = '\0';
    if (!*sb)
        *sb = sb_stemmer_new("french", "UTF_8");
    if (!*sb)
        return;
    const sb_symbol *st = sb_stemmer_stem(*sb, (const sb_symbol *)word, (int)strlen(word));
    int n = st ? sb_stemmer_length(*sb) : 0;
    if (n > 0 && n < WORD_MAX) {
        memcpy(out, st, (size_t)n);
        out[n] = '\0';
    }
}

/* Looks the phrase of k tokens starting at token i up; returns its entry or NULL. */
static const struct entry *lookup(const struct an_lexicon *lx, enum an_lang lang,
                                  const struct tokens *t, size_t i, size_t k,
                                  struct sb_stemmer **sb)
{
    const struct words *w = &lx->lang[lang];
    char phrase[PHRASE_MAX * WORD_MAX];
    size_t pl = 0;
    for (size_t j = 0; j < k; j++) {
        const char *word = t->w[i + j];
        size_t n = strlen(word);
        if (j)
            phrase[pl++] = ' ';
        memcpy(phrase + pl, word, n);
        pl += n;
    }
    phrase[pl] = '\0';
    const struct entry *e = words_find(w, phrase);
    if (e || k != 1 || lang != AN_LANG_FR)
        return e;
    const char *word = unelide(phrase);
    if (word != phrase && (e = words_find(w, word)))
        return e;
    char stem[WORD_MAX];
    stem_fr(sb, word, stem);
    /* short stems collide ("tu" is the stem of "tuer"): only stems of 4 bytes or more */
    return strlen(stem) >= STEM_MIN ? words_find(&lx->fr_stems, stem) : NULL;
}

static void score_in(const struct an_lexicon *lx, enum an_lang lang, const struct tokens *t,
                     struct sb_stemmer **sb, struct an_sentiment *out)
{
    const struct words *w = &lx->lang[lang];
    out->lang = lang;
    out->score = out->hits = 0;
    size_t longest = w->longest > 0 ? (size_t)w->longest : 1;
    if (longest > PHRASE_MAX)
        longest = PHRASE_MAX;
    for (size_t i = 0; i < t->n;) {
        size_t k = t->n - i < longest ? t->n - i : longest;
        const struct entry *e = NULL;
        while (k > 1 && !(e = lookup(lx, lang, t, i, k, sb)))
            k--;
        /* a lone "no" or "pas" is grammar here, never a valence ("sans espoir" still is) */
        if (!e && is_negation(lang, t->w[i])) {
            i++;
            continue;
        }
        if (!e && !(e = lookup(lx, lang, t, i, 1, sb)))
            k = 0;
        size_t used = e ? k : 1;
        if (e && e->valence) {
            int negated = 0;
            for (size_t j = i >= NEG_BEFORE ? i - NEG_BEFORE : 0; j < i; j++)
                negated |= is_negation(lang, t->w[j]);
            if (lang == AN_LANG_FR && i + used < t->n)
                negated |= in_list(t->w[i + used], FR_NEG_AFTER, COUNT(FR_NEG_AFTER));
            out->score += negated ? -e->valence : e->valence;
            out->hits++;
        }
        i += used;
    }
}

static enum an_lang guess(const struct an_lexicon *lx, const struct tokens *t,
                          struct sb_stemmer **sb)
{
    int en = 0, fr = 0;
    for (size_t i = 0; i < t->n; i++) {
        en += in_list(t->w[i], EN_WORDS, COUNT(EN_WORDS));
        fr += in_list(t->w[i], FR_WORDS, COUNT(FR_WORDS)) ||
              (strchr(t->w[i], '\'') && unelide(t->w[i]) != t->w[i]);
    }
    if (en != fr)
        return fr > en ? AN_LANG_FR : AN_LANG_EN;
    /* no telling words: the language whose lexicon knows more of them, then accents (é, à,
     * ç ... are French here; English chat hardly has any) */
    struct an_sentiment a, b;
    score_in(lx, AN_LANG_EN, t, sb, &a);
    score_in(lx, AN_LANG_FR, t, sb, &b);
    if (a.hits != b.hits)
        return b.hits > a.hits ? AN_LANG_FR : AN_LANG_EN;
    for (size_t i = 0; i < t->n; i++)
        for (const unsigned char *c = (const unsigned char *)t->w[i]; *c; c++)
            if (*c == 0xc3 || *c == 0xc5) /* the lead byte of à..ÿ and œ */
                return AN_LANG_FR;
    return AN_LANG_EN;
}

struct an_lexicon *an_lexicon_new(void)
{
    return xcalloc(1, sizeof(struct an_lexicon));
}

void an_lexicon_free(struct an_lexicon *lx)
{
    if (!lx)
        return;
    for (int l = 0; l < 3; l++)
        words_clear(&lx->lang[l]);
    words_clear(&lx->fr_stems);
    free(lx);
}

/* Rebuilds the French stem index from the French words (after every change to them). */
static void index_stems(struct an_lexicon *lx)
{
    struct words *fr = &lx->lang[AN_LANG_FR], *st = &lx->fr_stems;
    struct sb_stemmer *sb = NULL;
    words_clear(st);
    st->e = xreallocarray(NULL, fr->n ? fr->n : 1, sizeof *st->e);
    st->cap = fr->n ? fr->n : 1;
    for (size_t i = 0; i < fr->n; i++) {
        char stem[WORD_MAX];
        if (strchr(fr->e[i].word, ' '))
            continue;
        stem_fr(&sb, fr->e[i].word, stem);
        if (strlen(stem) < STEM_MIN)
            continue;
        /* the shorter word first: it is the closer one to the stem */
        size_t order = strlen(fr->e[i].word) * (fr->n + 1) + i;
        st->e[st->n++] =
            (struct entry){.word = xstrdup(stem), .valence = fr->e[i].valence, .order = order};
    }
    st->longest = 1;
    words_seal(st);
    if (sb)
        sb_stemmer_delete(sb);
}

/* Appends one entry, unsorted: the caller seals the list once it has added them all. */
static void add_entry(struct words *w, const char *word, int valence)
{
    struct tokens *t = xcalloc(1, sizeof *t);
    tokenize(word, strlen(word), t);
    /* the key is the word as the tokenizer sees it in a message */
    char key[PHRASE_MAX * WORD_MAX];
    size_t kl = 0;
    for (size_t j = 0; j < t->n && j < PHRASE_MAX; j++) {
        size_t n = strlen(t->w[j]);
        if (j)
            key[kl++] = ' ';
        memcpy(key + kl, t->w[j], n);
        kl += n;
    }
    key[kl] = '\0';
    if (t->n && t->n <= PHRASE_MAX) {
        if (w->n == w->cap) {
            w->cap = w->cap ? w->cap * 2 : 256;
            w->e = xreallocarray(w->e, w->cap, sizeof *w->e);
        }
        valence = valence > 5 ? 5 : valence < -5 ? -5 : valence;
        w->e[w->n] = (struct entry){.word = xstrdup(key), .valence = valence, .order = w->n};
        w->n++;
        w->sorted = 0;
        if ((int)t->n > w->longest)
            w->longest = (int)t->n;
    }
    free(t);
}

void an_lexicon_add(struct an_lexicon *lx, enum an_lang lang, const char *word, int valence)
{
    if (lang != AN_LANG_EN && lang != AN_LANG_FR)
        return;
    add_entry(&lx->lang[lang], word, valence);
    words_seal(&lx->lang[lang]);
    if (lang == AN_LANG_FR)
        index_stems(lx);
}

int an_lexicon_add_json(struct an_lexicon *lx, enum an_lang lang, const char *json, size_t len,
                        char *err, size_t errlen)
{
    int rc = 0;
    json_error_t je;
    json_t *root = NULL;
    if (lang != AN_LANG_EN && lang != AN_LANG_FR)
        return tca_fail(err, errlen, TCA_EINVAL, "a lexicon is English or French");
    if (len > AN_LEXICON_MAX_BYTES)
        return tca_fail(err, errlen, TCA_EINVAL, "lexicon larger than %zu bytes",
                        AN_LEXICON_MAX_BYTES);
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        rc = tca_fail(err, errlen, TCA_EINVAL, "lexicon: %s at line %d", je.text, je.line);
        goto out;
    }
    if (!json_is_object(root)) {
        rc = tca_fail(err, errlen, TCA_EINVAL, "lexicon: not a JSON object of word: valence");
        goto out;
    }
    const char *word;
    json_t *v;
    json_object_foreach(root, word, v)
    {
        if (!json_is_number(v)) {
            rc = tca_fail(err, errlen, TCA_EINVAL, "lexicon: \"%.40s\" has no number", word);
            goto out;
        }
    }
    struct words *w = &lx->lang[lang];
    json_object_foreach(root, word, v)
    {
        double d = json_number_value(v);
        add_entry(w, word, d > 5 ? 5 : d < -5 ? -5 : (int)lround(d));
    }
    words_seal(w);
    if (lang == AN_LANG_FR)
        index_stems(lx);
out:
    json_decref(root);
    return rc;
}

size_t an_lexicon_size(const struct an_lexicon *lx, enum an_lang lang)
{
    return lang == AN_LANG_EN || lang == AN_LANG_FR ? lx->lang[lang].n : 0;
}

void an_sentiment_score(const struct an_lexicon *lx, enum an_lang lang,
                        const struct an_fragment *frags, size_t n, struct an_sentiment *out)
{
    struct tokens *t = xcalloc(1, sizeof *t);
    struct sb_stemmer *sb = NULL;
    size_t emotes = 0, looked = 0;
    int text = 0;
    for (size_t i = 0; i < n; i++) {
        if (frags[i].emote) {
            emotes++;
            continue;
        }
        size_t len = frags[i].len;
        if (looked + len > AN_SENTIMENT_MAX_BYTES)
            len = AN_SENTIMENT_MAX_BYTES - looked;
        looked += len;
        for (size_t k = 0; k < len && !text; k++)
            text = frags[i].text[k] != ' ' && frags[i].text[k] != '\t' &&
                   frags[i].text[k] != '\n' && frags[i].text[k] != '\r';
        tokenize(frags[i].text, len, t);
    }
    *out = (struct an_sentiment){.kind = AN_SENT_NO_WORDS, .lang = AN_LANG_EN};
    if (emotes && !text) {
        out->kind = AN_SENT_EMOTE_ONLY;
    } else {
        enum an_lang l = lang == AN_LANG_EN || lang == AN_LANG_FR ? lang : guess(lx, t, &sb);
        score_in(lx, l, t, &sb, out);
        out->kind = out->hits ? AN_SENT_SCORED : AN_SENT_NO_WORDS;
    }
    if (sb)
        sb_stemmer_delete(sb);
    free(t);
}

void an_sentiment_score_text(const struct an_lexicon *lx, enum an_lang lang, const char *text,
                             struct an_sentiment *out)
{
    struct an_fragment f = {.text = text, .len = strlen(text), .emote = 0};
    an_sentiment_score(lx, lang, &f, 1, out);
}

int an_sentiment_label(const struct an_sentiment *s)
{
    if (s->kind != AN_SENT_SCORED)
        return 0;
    return (s->score > 0) - (s->score < 0);
}

struct stamped {
    int64_t minute;
    size_t i;
};

static int cmp_stamped(const void *a, const void *b)
{
    const struct stamped *x = a, *y = b;
    if (x->minute != y->minute)
        return x->minute < y->minute ? -1 : 1;
    return x->i < y->i ? -1 : x->i > y->i;
}

void an_sentiment_by_minute(const int64_t *sent_at_ms, const struct an_sentiment *msgs, size_t n,
                            struct an_sentiment_minute **out, size_t *n_out)
{
    *out = NULL;
    *n_out = 0;
    if (!n)
        return;
    struct stamped *order = xreallocarray(NULL, n, sizeof *order);
    for (size_t i = 0; i < n; i++) {
        int64_t t = sent_at_ms[i];
        /* floor, also before 1970 */
        order[i] = (struct stamped){.minute = (t / 60000 - (t % 60000 < 0)) * 60000, .i = i};
    }
    qsort(order, n, sizeof *order, cmp_stamped);
    struct an_sentiment_minute *m = xcalloc(n, sizeof *m);
    size_t k = 0;
    for (size_t j = 0; j < n; j++) {
        if (!k || m[k - 1].minute_ms != order[j].minute)
            m[k++].minute_ms = order[j].minute;
        struct an_sentiment_minute *cur = &m[k - 1];
        const struct an_sentiment *s = &msgs[order[j].i];
        cur->messages++;
        if (s->kind == AN_SENT_EMOTE_ONLY) {
            cur->emote_only++;
        } else if (s->kind != AN_SENT_SCORED) {
            cur->no_words++;
        } else {
            cur->scored++;
            cur->score_sum += s->score;
            cur->positive += s->score > 0;
            cur->negative += s->score < 0;
            cur->neutral += s->score == 0;
        }
    }
    free(order);
    *out = xreallocarray(m, k, sizeof *m);
    *n_out = k;
}

double an_sentiment_minute_mean(const struct an_sentiment_minute *m)
{
    return m->scored ? (double)m->score_sum / (double)m->scored : 0.0;
}
