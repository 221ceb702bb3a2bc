/* Sentiment: valences add up, negations flip them, phrases win over their words, emote-only
 * messages are counted and never scored, the language is guessed from function words, and
 * the per-minute sums equal a naive recount. The last tests load the real lexicons that
 * `npm ci` installed in lexicons/ and score sentences against their published valences. */
#include "tests/support/testutil.h"
#include "analysis/sentiment.h"
#include "base/err.h"
#include "report/lexicon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct an_lexicon *small(void)
{
    struct an_lexicon *lx = an_lexicon_new();
    an_lexicon_add(lx, AN_LANG_EN, "good", 3);
    an_lexicon_add(lx, AN_LANG_EN, "bad", -3);
    an_lexicon_add(lx, AN_LANG_EN, "love", 3);
    an_lexicon_add(lx, AN_LANG_EN, "work", 1);
    an_lexicon_add(lx, AN_LANG_EN, "does not work", -3);
    an_lexicon_add(lx, AN_LANG_EN, "no", -1);
    an_lexicon_add(lx, AN_LANG_FR, "génial", 4);
    an_lexicon_add(lx, AN_LANG_FR, "bien", 3);
    an_lexicon_add(lx, AN_LANG_FR, "adore", 3);
    an_lexicon_add(lx, AN_LANG_FR, "aime", 3);
    an_lexicon_add(lx, AN_LANG_FR, "mal", -2);
    an_lexicon_add(lx, AN_LANG_FR, "sans espoir", -2);
    return lx;
}

static struct an_sentiment score(const struct an_lexicon *lx, enum an_lang lang, const char *s)
{
    struct an_sentiment out;
    an_sentiment_score_text(lx, lang, s, &out);
    return out;
}

static void valences_of_the_words_add_up(void **state)
{
    struct an_lexicon *lx = small();
    struct an_sentiment s = score(lx, AN_LANG_EN, "Good stream, GOOD music, bad wifi!");
    assert_int_equal(s.kind, AN_SENT_SCORED);
    assert_int_equal(s.score, 3 + 3 - 3);
    assert_int_equal(s.hits, 3);
    assert_int_equal(an_sentiment_label(&s), 1);
    s = score(lx, AN_LANG_EN, "bad bad");
    assert_int_equal(s.score, -6);
    assert_int_equal(an_sentiment_label(&s), -1);
    /* words the lexicon does not know are counted as a message, never scored */
    s = score(lx, AN_LANG_EN, "what time is it");
    assert_int_equal(s.kind, AN_SENT_NO_WORDS);
    assert_int_equal(s.score, 0);
    assert_int_equal(an_sentiment_label(&s), 0);
    /* a word inside a longer one is not that word */
    assert_int_equal(score(lx, AN_LANG_EN, "goodbye badge").kind, AN_SENT_NO_WORDS);
    an_lexicon_free(lx);
}

static void a_negation_flips_the_next_words(void **state)
{
    struct an_lexicon *lx = small();
    assert_int_equal(score(lx, AN_LANG_EN, "not good").score, -3);
    assert_int_equal(score(lx, AN_LANG_EN, "I don't love it").score, -3);
    assert_int_equal(score(lx, AN_LANG_EN, "I don’t love it").score, -3); /* typographic ’ */
    assert_int_equal(score(lx, AN_LANG_EN, "never was it that good").score, 3); /* too far */
    /* "no" is grammar here: it negates, it is not itself a -1 */
    assert_int_equal(score(lx, AN_LANG_EN, "no bad vibes").score, 3);
    assert_int_equal(score(lx, AN_LANG_FR, "c'est pas bien").score, -3);
    assert_int_equal(score(lx, AN_LANG_FR, "ce n'est pas bien").score, -3); /* ne…pas: once */
    assert_int_equal(score(lx, AN_LANG_FR, "j'aime pas").score, -3);        /* after the word */
    assert_int_equal(score(lx, AN_LANG_FR, "pas mal du tout").score, 2);
    an_lexicon_free(lx);
}

static void a_phrase_wins_over_its_words(void **state)
{
    struct an_lexicon *lx = small();
    struct an_sentiment s = score(lx, AN_LANG_EN, "the mic does not work");
    assert_int_equal(s.score, -3);
    assert_int_equal(s.hits, 1);
    assert_int_equal(score(lx, AN_LANG_EN, "nice work").score, 1);
    assert_int_equal(score(lx, AN_LANG_FR, "un joueur sans espoir").score, -2);
    an_lexicon_free(lx);
}

static void emote_only_messages_are_counted_not_scored(void **state)
{
    struct an_lexicon *lx = small();
    struct an_fragment emotes[] = {{"Kappa", 5, 1}, {" ", 1, 0}, {"LUL", 3, 1}};
    struct an_sentiment s;
    an_sentiment_score(lx, AN_LANG_AUTO, emotes, 3, &s);
    assert_int_equal(s.kind, AN_SENT_EMOTE_ONLY);
    assert_int_equal(s.score, 0);
    /* an emote named like a word is never read as that word */
    struct an_fragment mixed[] = {{"good", 4, 1}, {" bad play ", 10, 0}, {"good", 4, 1}};
    an_sentiment_score(lx, AN_LANG_EN, mixed, 3, &s);
    assert_int_equal(s.kind, AN_SENT_SCORED);
    assert_int_equal(s.score, -3);
    an_sentiment_score(lx, AN_LANG_EN, NULL, 0, &s);
    assert_int_equal(s.kind, AN_SENT_NO_WORDS);
    an_lexicon_free(lx);
}

static void french_is_matched_with_accents_case_and_elisions(void **state)
{
    struct an_lexicon *lx = small();
    assert_int_equal(score(lx, AN_LANG_FR, "GÉNIAL").score, 4);
    assert_int_equal(score(lx, AN_LANG_FR, "j'adore").score, 3);
    assert_int_equal(score(lx, AN_LANG_FR, "J’ADORE ce jeu").score, 3);
    /* broken UTF-8 is never a letter and never read past: "g\xc3nial" is not "génial" */
    struct an_sentiment s = score(lx, AN_LANG_FR, "g\xc3nial \xff\xfe bien\xe2\x82");
    assert_int_equal(s.score, 3);
    assert_int_equal(s.hits, 1);
    an_lexicon_free(lx);
}

static void a_french_form_missing_from_the_list_is_found_by_its_stem(void **state)
{
    struct an_lexicon *lx = small();
    an_lexicon_add(lx, AN_LANG_FR, "détester", -3);
    an_lexicon_add(lx, AN_LANG_FR, "tuer", -3);
    assert_int_equal(score(lx, AN_LANG_FR, "je déteste ce boss").score, -3);
    assert_int_equal(score(lx, AN_LANG_FR, "détestées").score, -3);
    assert_int_equal(score(lx, AN_LANG_FR, "je le détesterai pas").score, 3);
    /* a short stem is never looked up: "tu" is the stem of "tuer" */
    assert_int_equal(score(lx, AN_LANG_FR, "tu viens").kind, AN_SENT_NO_WORDS);
    /* English is matched as written, never stemmed */
    assert_int_equal(score(lx, AN_LANG_EN, "goods").kind, AN_SENT_NO_WORDS);
    an_lexicon_free(lx);
}

static void the_language_is_guessed_from_function_words(void **state)
{
    struct an_lexicon *lx = small();
    struct an_sentiment s = score(lx, AN_LANG_AUTO, "c'est trop bien");
    assert_int_equal(s.lang, AN_LANG_FR);
    assert_int_equal(s.score, 3);
    s = score(lx, AN_LANG_AUTO, "this is so good");
    assert_int_equal(s.lang, AN_LANG_EN);
    assert_int_equal(s.score, 3);
    /* no function word: the lexicon that knows more of the words */
    s = score(lx, AN_LANG_AUTO, "génial");
    assert_int_equal(s.lang, AN_LANG_FR);
    an_lexicon_free(lx);
}

static void a_lexicon_file_is_checked_and_its_first_key_wins(void **state)
{
    struct an_lexicon *lx = an_lexicon_new();
    char err[200];
    const char *ok = "{\"Great\": 3, \"great\": -1, \"awful\": -9.2, \"meh\": -0.6}";
    assert_int_equal(an_lexicon_add_json(lx, AN_LANG_EN, ok, strlen(ok), err, sizeof err), 0);
    assert_int_equal(an_lexicon_size(lx, AN_LANG_EN), 3);
    assert_int_equal(score(lx, AN_LANG_EN, "great").score, 3);
    assert_int_equal(score(lx, AN_LANG_EN, "awful").score, -5);
    assert_int_equal(score(lx, AN_LANG_EN, "meh").score, -1);
    const char *bad[] = {"[1, 2]", "{\"a\": \"x\"}", "{\"a\": 1", ""};
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(
            an_lexicon_add_json(lx, AN_LANG_EN, bad[i], strlen(bad[i]), err, sizeof err),
            TCA_EINVAL);
    assert_int_equal(an_lexicon_add_json(lx, AN_LANG_AUTO, ok, strlen(ok), err, sizeof err),
                     TCA_EINVAL);
    an_lexicon_free(lx);
    an_lexicon_free(NULL);
}

static void minutes_add_up_like_a_naive_recount(void **state)
{
    enum { N = 5000 };
    int64_t *at = malloc(N * sizeof *at);
    struct an_sentiment *m = malloc(N * sizeof *m);
    srand(7);
    const int64_t base = 1764590400000; /* 2025-12-01 12:00 UTC */
    for (size_t i = 0; i < N; i++) {
        at[i] = base + (int64_t)(rand() % (30 * 60000)) - 5 * 60000;
        int kind = rand() % 3;
        m[i] = (struct an_sentiment){.kind = kind == 0   ? AN_SENT_EMOTE_ONLY
                                             : kind == 1 ? AN_SENT_NO_WORDS
                                                         : AN_SENT_SCORED};
        if (m[i].kind == AN_SENT_SCORED)
            m[i].score = rand() % 11 - 5;
    }
    struct an_sentiment_minute *mins;
    size_t n;
    an_sentiment_by_minute(at, m, N, &mins, &n);
    assert_true(n > 0 && n <= 30);
    int64_t total = 0;
    for (size_t k = 0; k < n; k++) {
        if (k)
            assert_true(mins[k].minute_ms > mins[k - 1].minute_ms);
        struct an_sentiment_minute naive = {.minute_ms = mins[k].minute_ms};
        for (size_t i = 0; i < N; i++) {
            if (at[i] < naive.minute_ms || at[i] >= naive.minute_ms + 60000)
                continue;
            naive.messages++;
            naive.emote_only += m[i].kind == AN_SENT_EMOTE_ONLY;
            naive.no_words += m[i].kind == AN_SENT_NO_WORDS;
            if (m[i].kind == AN_SENT_SCORED) {
                naive.scored++;
                naive.score_sum += m[i].score;
                naive.positive += m[i].score > 0;
                naive.negative += m[i].score < 0;
                naive.neutral += m[i].score == 0;
            }
        }
        assert_memory_equal(&naive, &mins[k], sizeof naive);
        assert_true(naive.scored == 0 || an_sentiment_minute_mean(&mins[k]) ==
                                             (double)naive.score_sum / (double)naive.scored);
        total += naive.messages;
    }
    assert_int_equal(total, N);
    free(mins);
    /* a minute before 1970 still starts on its minute */
    int64_t old = -1;
    struct an_sentiment one = {.kind = AN_SENT_SCORED, .score = 2};
    an_sentiment_by_minute(&old, &one, 1, &mins, &n);
    assert_int_equal(n, 1);
    assert_int_equal(mins[0].minute_ms, -60000);
    assert_true(an_sentiment_minute_mean(&mins[0]) == 2.0);
    free(mins);
    an_sentiment_by_minute(at, m, 0, &mins, &n);
    assert_null(mins);
    assert_int_equal(n, 0);
    free(at);
    free(m);
}

static struct an_lexicon *installed(void)
{
    const char *root = getenv("TCA_ROOT");
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/lexicons/node_modules", root ? root : ".");
    struct an_lexicon *lx = NULL;
    char err[512];
    int rc = report_lexicon_load(dir, &lx, err, sizeof err);
    if (rc)
        fail_msg("the lexicons are not installed (npm ci in lexicons/): %s", err);
    return lx;
}

static void the_installed_lexicons_give_their_published_valences(void **state)
{
    struct an_lexicon *lx = installed();
    /* AFINN-165 has 3,382 entries; its French translation 2,900 (a few merge when lower-cased) */
    assert_true(an_lexicon_size(lx, AN_LANG_EN) > 3300);
    assert_true(an_lexicon_size(lx, AN_LANG_FR) > 2800);
    /* AFINN-165: amazing +4, boring -3, love +3, hate -3, "does not work" -3 */
    assert_int_equal(score(lx, AN_LANG_AUTO, "this is amazing").score, 4);
    assert_int_equal(score(lx, AN_LANG_AUTO, "so boring").score, -3);
    assert_int_equal(score(lx, AN_LANG_EN, "i love this but i hate that").score, 0);
    assert_int_equal(score(lx, AN_LANG_EN, "the stream does not work").score, -3);
    /* the French list: génial +4, horrible -2 */
    struct an_sentiment s = score(lx, AN_LANG_AUTO, "c'est génial");
    assert_int_equal(s.lang, AN_LANG_FR);
    assert_int_equal(s.score, 4);
    assert_int_equal(score(lx, AN_LANG_AUTO, "le son est horrible").score, -2);
    an_lexicon_free(lx);
}

static void a_missing_lexicon_folder_says_how_to_install_it(void **state)
{
    struct an_lexicon *lx = (void *)1;
    char err[512];
    assert_int_equal(report_lexicon_load("/nonexistent-tca-lexicons", &lx, err, sizeof err),
                     TCA_ENOTFOUND);
    assert_null(lx);
    assert_non_null(strstr(err, "npm ci in lexicons/"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(valences_of_the_words_add_up),
        cmocka_unit_test(a_negation_flips_the_next_words),
        cmocka_unit_test(a_phrase_wins_over_its_words),
        cmocka_unit_test(emote_only_messages_are_counted_not_scored),
        cmocka_unit_test(french_is_matched_with_accents_case_and_elisions),
        cmocka_unit_test(a_french_form_missing_from_the_list_is_found_by_its_stem),
        cmocka_unit_test(the_language_is_guessed_from_function_words),
        cmocka_unit_test(a_lexicon_file_is_checked_and_its_first_key_wins),
        cmocka_unit_test(minutes_add_up_like_a_naive_recount),
        cmocka_unit_test(the_installed_lexicons_give_their_published_valences),
        cmocka_unit_test(a_missing_lexicon_folder_says_how_to_install_it),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
