/*
 * Evaluation and speed of the sentiment scorer: scores labelled samples of chat lines written
 * for tca (by default tests/data/sentiment_heldout.tsv, never used to change the scorer, then
 * tests/data/sentiment_sample.tsv, read while writing it) with the installed lexicons and
 * prints the accuracy (positive / negative / neutral, overall and per language, with the
 * language guessed and given), the confusion matrix, then the CPU time of scoring 200,000
 * messages. Asserts nothing. Usage: bench_sentiment [SAMPLE [LEXICONS_DIR]] [-v] (-v lists
 * the lines it got wrong). Must never write anything but its report.
 */
#include "analysis/sentiment.h"
#include "report/lexicon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINES_MAX 2000
#define LINE_MAX_BYTES 1024

struct sample {
    int label; /* -1, 0, +1 */
    enum an_lang lang;
    char text[LINE_MAX_BYTES];
};

static double cpu_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int parse_label(const char *s)
{
    return strcmp(s, "pos") == 0 ? 1 : strcmp(s, "neg") == 0 ? -1 : 0;
}

/* Reads label<TAB>lang<TAB>text lines; '#' lines are comments. Returns how many. */
static size_t load(const char *path, struct sample *out)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    char line[LINE_MAX_BYTES + 16];
    size_t n = 0;
    while (n < LINES_MAX && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = '\0';
        if (line[0] == '#' || !line[0])
            continue;
        char *lang = strchr(line, '\t');
        char *text = lang ? strchr(lang + 1, '\t') : NULL;
        if (!text)
            continue;
        *lang++ = '\0';
        *text++ = '\0';
        out[n].label = parse_label(line);
        out[n].lang = strcmp(lang, "fr") == 0 ? AN_LANG_FR : AN_LANG_EN;
        snprintf(out[n].text, sizeof out[n].text, "%s", text);
        n++;
    }
    fclose(f);
    return n;
}

static const char *name(int label)
{
    return label > 0 ? "pos" : label < 0 ? "neg" : "neu";
}

struct tally {
    int right, total, polar_right, polar_total, covered, guessed_right;
    int confusion[3][3]; /* [gold + 1][predicted + 1] */
};

static void evaluate(const struct an_lexicon *lx, const struct sample *s, size_t n,
                     enum an_lang only, int given, int verbose, struct tally *t)
{
    memset(t, 0, sizeof *t);
    for (size_t i = 0; i < n; i++) {
        if (only != AN_LANG_AUTO && s[i].lang != only)
            continue;
        struct an_sentiment r;
        an_sentiment_score_text(lx, given ? s[i].lang : AN_LANG_AUTO, s[i].text, &r);
        int got = an_sentiment_label(&r);
        t->total++;
        t->right += got == s[i].label;
        t->guessed_right += r.lang == s[i].lang;
        t->confusion[s[i].label + 1][got + 1]++;
        if (s[i].label) {
            t->polar_total++;
            t->polar_right += got == s[i].label;
            t->covered += r.kind == AN_SENT_SCORED;
        }
        if (verbose && got != s[i].label)
            printf("  wrong: %s as %s (score %+d, %s): %s\n", name(s[i].label), name(got), r.score,
                   r.lang == AN_LANG_FR ? "fr" : "en", s[i].text);
    }
}

static double pct(int a, int b)
{
    return b ? 100.0 * a / b : 0.0;
}

/* Prints the accuracy table of one sample; returns its lines (the caller frees *out). */
static size_t report(const struct an_lexicon *lx, const char *path, int verbose,
                     struct sample **out)
{
    struct sample *s = calloc(LINES_MAX, sizeof *s);
    size_t n = load(path, s);
    printf("sentiment: %zu labelled lines from %s; lexicons: %zu English, %zu French entries\n", n,
           path, an_lexicon_size(lx, AN_LANG_EN), an_lexicon_size(lx, AN_LANG_FR));
    const struct {
        const char *what;
        enum an_lang only;
    } rows[] = {{"all", AN_LANG_AUTO}, {"english", AN_LANG_EN}, {"french", AN_LANG_FR}};
    printf("%-8s %-9s %6s %9s %14s %9s %10s\n", "lines", "language", "n", "accuracy",
           "pos/neg right", "coverage", "lang guess");
    struct tally t;
    for (int given = 0; given < 2; given++)
        for (size_t r = 0; r < 3; r++) {
            evaluate(lx, s, n, rows[r].only, given, verbose && given == 0 && r == 0, &t);
            printf("%-8s %-9s %6d %8.1f%% %13.1f%% %8.1f%% %9.1f%%\n", rows[r].what,
                   given ? "given" : "guessed", t.total, pct(t.right, t.total),
                   pct(t.polar_right, t.polar_total), pct(t.covered, t.polar_total),
                   pct(t.guessed_right, t.total));
        }
    evaluate(lx, s, n, AN_LANG_AUTO, 0, 0, &t);
    printf("confusion (language guessed; rows: label, columns: scored as neg neu pos)\n");
    for (int g = 0; g < 3; g++)
        printf("  %s %4d %4d %4d\n", name(g - 1), t.confusion[g][0], t.confusion[g][1],
               t.confusion[g][2]);
    *out = s;
    return n;
}

int main(int argc, char **argv)
{
    int verbose = 0;
    const char *args[2] = {NULL, NULL};
    int k = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "-v") == 0)
            verbose = 1;
        else if (k < 2)
            args[k++] = argv[i];
    }
    const char *dir = args[1] ? args[1] : getenv("TCA_SENTIMENT_LEXICONS");
    if (!dir)
        dir = "lexicons/node_modules";
    struct an_lexicon *lx = NULL;
    char err[512];
    if (report_lexicon_load(dir, &lx, err, sizeof err) != 0) {
        fprintf(stderr, "bench_sentiment: %s\n", err);
        return 1;
    }
    const char *samples[2] = {"tests/data/sentiment_heldout.tsv",
                              "tests/data/sentiment_sample.tsv"};
    size_t n_samples = 2;
    if (args[0]) {
        samples[0] = args[0];
        n_samples = 1;
    }
    struct sample *s = NULL;
    size_t n = 0;
    for (size_t i = 0; i < n_samples; i++) {
        free(s);
        n = report(lx, samples[i], verbose, &s);
    }
    /* speed: the last sample over and over, as a busy chat would send it */
    const size_t rounds = 200000;
    long long sum = 0;
    double t0 = cpu_ms();
    for (size_t i = 0; i < rounds && n; i++) {
        struct an_sentiment r;
        an_sentiment_score_text(lx, AN_LANG_AUTO, s[i % n].text, &r);
        sum += r.score;
    }
    double ms = cpu_ms() - t0;
    printf("speed: %zu messages scored in %.0f ms of CPU: %.0f messages/s on one core "
           "(checksum %lld)\n",
           rounds, ms, ms > 0 ? rounds / (ms / 1e3) : 0.0, sum);
    free(s);
    an_lexicon_free(lx);
    return 0;
}
