/*
 * The known-bots CSV import: what it accepts (header, comments, quoting, CRLF, a BOM, kinds
 * and ids) and what it refuses, each refusal naming its line.
 */
#include "tests/support/testutil.h"
#include "base/err.h"
#include "report/report.h"

#include <stdlib.h>
#include <string.h>

static int parse(const char *text, struct store_known_bot **out, size_t *n, char *err)
{
    return report_bots_csv_parse(text, strlen(text), out, n, err, 256);
}

static void a_list_with_header_comments_and_quotes_is_read(void **state)
{
    (void)state;
    struct store_known_bot *b;
    size_t n;
    char err[256];
    const char *text = "\xEF\xBB\xBFlogin,kind,user_id\r\n"
                       "# service bots\r\n"
                       "NightBot,service,19264788\r\n"
                       "\r\n"
                       "\"lurk_er\",lurker\n"
                       "plainbot\n"
                       " spaced ,  service ,\n";
    assert_int_equal(parse(text, &b, &n, err), 0);
    assert_int_equal(n, 4);
    assert_string_equal(b[0].login, "nightbot");
    assert_string_equal(b[0].kind, "service");
    assert_int_equal(b[0].user_id, 19264788);
    assert_string_equal(b[1].login, "lurk_er");
    assert_string_equal(b[1].kind, "lurker");
    assert_string_equal(b[2].kind, "lurker"); /* the default kind */
    assert_int_equal(b[2].user_id, 0);
    assert_string_equal(b[3].login, "spaced");
    free(b);
}

static void bad_rows_are_refused_with_their_line_number(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *says;
    } cases[] = {
        {"good\nbad login\n", "line 2"},
        {"good\n\ngood2,robot\n", "line 3: kind"},
        {"x,service,12a\n", "line 1: user_id"},
        {"x,service,-5\n", "line 1: user_id"},
        {"x,service,0\n", "user_id must be positive"},
        {"a,b,c,d\n", "more than 3 fields"},
        {"\"open\n", "unterminated quote"},
        {"ab\"c\n", "quote inside"},
        {"\"ab\"c\n", "after a quote"},
        {"abcdefghijklmnopqrstuvwxyz\n", "1 to 25"},
        {",service\n", "1 to 25"},
        {"caf\xc3\xa9\n", "letters, digits"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        struct store_known_bot *b = (void *)1;
        size_t n = 9;
        char err[256] = "";
        assert_int_equal(parse(cases[i].text, &b, &n, err), TCA_EINVAL);
        if (!strstr(err, cases[i].says))
            fail_msg("case %zu: '%s' does not say '%s'", i, err, cases[i].says);
        assert_null(b);
        assert_int_equal(n, 0);
    }
}

static void sizes_are_capped(void **state)
{
    (void)state;
    struct store_known_bot *b;
    size_t n;
    char err[256];
    size_t len = REPORT_BOTS_CSV_MAX + 1;
    char *big = malloc(len);
    memset(big, 'a', len);
    assert_int_equal(report_bots_csv_parse(big, len, &b, &n, err, sizeof err), TCA_ELIMIT);
    /* more rows than allowed */
    size_t rows = REPORT_BOTS_MAX_ROWS + 1, at = 0;
    for (size_t i = 0; i < rows; i++)
        at += (size_t)sprintf(big + at, "b%zu\n", i);
    assert_int_equal(report_bots_csv_parse(big, at, &b, &n, err, sizeof err), TCA_ELIMIT);
    /* a NUL byte is not text */
    assert_int_equal(report_bots_csv_parse("ab\0cd\n", 6, &b, &n, err, sizeof err), TCA_EINVAL);
    /* the text need not end in a newline, nor be NUL-terminated */
    memcpy(big, "abc,service", 11);
    assert_int_equal(report_bots_csv_parse(big, 11, &b, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_string_equal(b[0].kind, "service");
    free(b);
    free(big);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_list_with_header_comments_and_quotes_is_read),
        cmocka_unit_test(bad_rows_are_refused_with_their_line_number),
        cmocka_unit_test(sizes_are_capped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
