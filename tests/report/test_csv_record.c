/*
 * The walk over a CSV import shared by the known-bots and watchlist imports: what it skips,
 * the line numbers and trimmed fields each row reaches its callback with, and its caps; then
 * the watchlist import built on it (the known-bots one has test_report_bots_csv.c).
 */
#include "tests/support/testutil.h"
#include "base/err.h"
#include "report/csv_record.h"
#include "report/watchlist_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct csv_import rules = {
    .max_bytes = 4096,
    .max_rows = 3,
    .max_fields = 3,
    .field_max = 64,
    .rows_are = "things",
};

/* Every row the walk hands over, as "line:field|field|…" */
struct seen {
    char rows[8][128];
    size_t n;
    size_t refuse_at; /* the row number (1-based) whose callback fails, 0 for none */
};

static int keep(struct csv_record *row, size_t line_no, void *ctx, char *err, size_t errlen)
{
    struct seen *s = ctx;
    if (s->n + 1 == s->refuse_at)
        return tca_fail(err, errlen, TCA_EINVAL, "line %zu: refused by the callback", line_no);
    char *out = s->rows[s->n++];
    size_t at = (size_t)snprintf(out, 128, "%zu:", line_no);
    for (size_t i = 0; i < row->n; i++)
        at += (size_t)snprintf(out + at, 128 - at, "%s%s", i ? "|" : "", row->field[i]);
    return 0;
}

static int walk(const char *text, struct seen *s, char *err)
{
    return report_csv_each(text, strlen(text), &rules, keep, s, err, 256);
}

static void rows_reach_the_callback_trimmed_with_their_first_line(void **state)
{
    (void)state;
    struct seen s = {0};
    char err[256] = "";
    const char *text = "\xEF\xBB\xBF"
                       "LOGIN,kind\r\n"
                       "# a comment, \"with a quote\r\n"
                       "\r\n"
                       "  a , b ,\n"
                       "\"two\nlines\",x\n"
                       "\n"
                       "login,is data after the first row";
    assert_int_equal(walk(text, &s, err), 0);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.rows[0], "4:a|b|");
    assert_string_equal(s.rows[1], "5:two\nlines|x");
    assert_string_equal(s.rows[2], "8:login|is data after the first row");
}

static void a_header_is_only_the_first_row(void **state)
{
    (void)state;
    struct seen s = {0};
    char err[256] = "";
    assert_int_equal(walk("# comments before it\nlogin\nx\n", &s, err), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.rows[0], "3:x");
    s.n = 0;
    assert_int_equal(walk("x\nlogin\n", &s, err), 0);
    assert_int_equal(s.n, 2);
}

static void the_row_cap_names_the_line_and_what_a_row_is(void **state)
{
    (void)state;
    struct seen s = {0};
    char err[256] = "";
    assert_int_equal(walk("login\na\nb\n\nc\n", &s, err), 0);
    s.n = 0;
    assert_int_equal(walk("login\na\nb\n\nc\nd\n", &s, err), TCA_ELIMIT);
    assert_string_equal(err, "line 6: more than 3 things");
}

static void a_callback_error_stops_the_walk(void **state)
{
    (void)state;
    struct seen s = {.refuse_at = 2};
    char err[256] = "";
    assert_int_equal(walk("a\n\nb\nc\n", &s, err), TCA_EINVAL);
    assert_string_equal(err, "line 3: refused by the callback");
    assert_int_equal(s.n, 1);
}

static void the_file_itself_is_checked_first(void **state)
{
    (void)state;
    struct seen s = {0};
    char err[256] = "";
    char big[4097];
    memset(big, 'a', sizeof big);
    assert_int_equal(report_csv_each(big, sizeof big, &rules, keep, &s, err, sizeof err),
                     TCA_ELIMIT);
    assert_int_equal(report_csv_each("a\n\0b\n", 5, &rules, keep, &s, err, sizeof err), TCA_EINVAL);
    assert_int_equal(s.n, 0);
    /* a record error stops it too, naming the record's line */
    assert_int_equal(walk("a\nb,c,d,e\n", &s, err), TCA_EINVAL);
    assert_string_equal(err, "line 2: more than 3 fields");
}

static void watchlist_rows_are_read_and_export_back_unchanged(void **state)
{
    (void)state;
    struct store_watch *w = NULL, *again = NULL;
    size_t n = 0, m = 0;
    char err[256] = "";
    const char *text = "login,user_id,reason,note\n"
                       "SomeOne,123,spam,\"said \"\"hi\"\", twice\"\n"
                       ",456\n"
                       "only_login\n";
    assert_int_equal(report_watchlist_csv_parse(text, strlen(text), &w, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(w[0].login, "someone");
    assert_int_equal(w[0].user_id, 123);
    assert_string_equal(w[0].reason, "spam");
    assert_string_equal(w[0].note, "said \"hi\", twice");
    assert_string_equal(w[1].login, "");
    assert_int_equal(w[1].user_id, 456);
    assert_string_equal(w[2].login, "only_login");
    assert_int_equal(w[2].user_id, 0);
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(report_watchlist_csv_write(&b, w, n, err, sizeof err), 0);
    assert_int_equal(report_watchlist_csv_parse(b.data, b.len, &again, &m, err, sizeof err), 0);
    assert_int_equal(m, n);
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(again[i].login, w[i].login);
        assert_int_equal(again[i].user_id, w[i].user_id);
        assert_string_equal(again[i].note, w[i].note);
    }
    buf_free(&b);
    free(w);
    free(again);
}

static void bad_watchlist_rows_are_refused_with_their_line_number(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *says;
    } cases[] = {
        {"ok\n,\n", "line 2: a login or a user_id is needed"},
        {"ok\nbad login\n", "line 2: a login has only letters"},
        {"abcdefghijklmnopqrstuvwxyz\n", "line 1: a login has 1 to 25"},
        {"x,12a\n", "line 1: user_id is a decimal"},
        {"x,0\n", "line 1: user_id must be positive"},
        {"x,1234567890123456789\n", "line 1: user_id is too long"},
        {"x,,an overly long reason of more than 31\n", "line 1: reason (31)"},
        {"x,,r,\"a\tb\"\n", "line 1: control characters"},
        {"x,1,r,n,extra\n", "line 1: more than 4 fields"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct store_watch *w = (void *)1;
        size_t n = 9;
        char err[256] = "";
        assert_int_equal(report_watchlist_csv_parse(cases[i].text, strlen(cases[i].text), &w, &n,
                                                    err, sizeof err),
                         TCA_EINVAL);
        if (!strstr(err, cases[i].says))
            fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].says);
        assert_null(w);
        assert_int_equal(n, 0);
    }
}

static void the_watchlist_caps_its_rows(void **state)
{
    (void)state;
    struct store_watch *w = NULL;
    size_t n = 0, at = 0;
    char err[256] = "";
    char *text = malloc(REPORT_WATCHLIST_CSV_MAX);
    for (size_t i = 0; i <= REPORT_WATCHLIST_MAX_ROWS; i++)
        at += (size_t)sprintf(text + at, "w%zu\n", i);
    assert_int_equal(report_watchlist_csv_parse(text, at, &w, &n, err, sizeof err), TCA_ELIMIT);
    assert_string_equal(err, "line 10001: more than 10000 accounts");
    assert_null(w);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(rows_reach_the_callback_trimmed_with_their_first_line),
        cmocka_unit_test(a_header_is_only_the_first_row),
        cmocka_unit_test(the_row_cap_names_the_line_and_what_a_row_is),
        cmocka_unit_test(a_callback_error_stops_the_walk),
        cmocka_unit_test(the_file_itself_is_checked_first),
        cmocka_unit_test(watchlist_rows_are_read_and_export_back_unchanged),
        cmocka_unit_test(bad_watchlist_rows_are_refused_with_their_line_number),
        cmocka_unit_test(the_watchlist_caps_its_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
