/*
 * report/table.c writes JSON rows member by member: the bytes must equal what jansson makes
 * of one object per row (json_dumps, JSON_COMPACT | JSON_PRESERVE_ORDER), including the
 * values jansson refuses (left out with their key), long strings and escapes; and rows
 * must reach the sink in chunks, not one write each. Plain cells (ids, times, fixed words) and
 * integers, written without a quoting scan, give the bytes the same strings give.
 */
#include "tests/support/testutil.h"
#include "report/table.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

struct sink_buf {
    struct buf b;
    int writes;
};

static int to_buf(void *ctx, const char *p, size_t n)
{
    struct sink_buf *s = ctx;
    s->writes++;
    return buf_append(&s->b, p, n);
}

static const char *const columns[] = {"id", "name", "score", "ok", "note", "quote\"key"};
enum { N_COLUMNS = 6, ROWS = 3000 };

/* The row as the former code made it: a fresh object, every value through jansson. */
static void expected_row(struct buf *out, const struct rp_cell *cells, int first)
{
    json_t *o = json_object();
    for (size_t i = 0; i < N_COLUMNS; i++) {
        const struct rp_cell *c = &cells[i];
        json_t *v = c->kind == RP_STR    ? json_string(c->s)
                    : c->kind == RP_INT  ? json_integer(c->i)
                    : c->kind == RP_NUM  ? json_real(c->d)
                    : c->kind == RP_BOOL ? json_boolean(c->i)
                                         : json_null();
        json_object_set_new(o, columns[i], v);
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    buf_puts(out, first ? "\n" : ",\n");
    buf_puts(out, text);
    free(text);
    json_decref(o);
}

static void json_rows_equal_janssons_objects(void **state)
{
    static char long_text[9000];
    memset(long_text, 'x', sizeof long_text - 1);
    long_text[100] = '"';
    long_text[200] = '\n';
    static const char *const strings[] = {
        "plain", "caf\xc3\xa9 \"quoted\" \\ /", "", "bad \xff utf-8", long_text, "tab\there"};
    static const double reals[] = {0.5, 1.0, -2.25e-7, 1e300, NAN, 12345.678};
    struct sink_buf s = {0};
    buf_init(&s.b, 0);
    struct report_sink sink = {.write = to_buf, .ctx = &s};
    struct rp_table t;
    rp_table_begin(&t, &sink, REPORT_JSON, columns, N_COLUMNS, 0);
    struct buf want;
    buf_init(&want, 0);
    buf_puts(&want, "[");
    char err[128];
    for (int r = 0; r < ROWS; r++) {
        struct rp_cell cells[N_COLUMNS] = {
            {.kind = RP_INT, .i = r % 7 == 0 ? -(int64_t)r * 1000003 : (int64_t)r},
            {.kind = RP_STR, .s = strings[r % 6]},
            {.kind = RP_NUM, .d = reals[r % 6]},
            {.kind = RP_BOOL, .i = r % 2},
            {.kind = r % 3 ? RP_STR : RP_NULL, .s = strings[(r / 6) % 6]},
            {.kind = RP_INT, .i = INT64_MIN + r},
        };
        expected_row(&want, cells, r == 0);
        assert_int_equal(rp_table_row(&t, cells, err, sizeof err), 0);
    }
    assert_int_equal(rp_table_end(&t, err, sizeof err), 0);
    buf_puts(&want, "\n]\n");
    assert_int_equal(s.b.len, want.len);
    assert_memory_equal(s.b.data, want.data, want.len);
    /* ~9 KB rows every sixth row: far fewer writes than rows */
    assert_true(s.writes < ROWS / 10);
    buf_free(&want);
    buf_free(&s.b);
}

/* One table of plain cells (and integers) and one of the same texts as strings. */
static void write_both(enum report_format format, struct buf *plain, struct buf *str)
{
    static const char *const texts[] = {
        "2023-11-14T22:13:20Z",    "123456789012", "returning", "known_bot|wave", "",
        "2023-11-14T22:13:20.125Z"};
    struct buf *outs[] = {plain, str};
    char err[128];
    for (int k = 0; k < 2; k++) {
        struct sink_buf s = {0};
        buf_init(&s.b, 0);
        struct report_sink sink = {.write = to_buf, .ctx = &s};
        struct rp_table t;
        rp_table_begin(&t, &sink, format, columns, N_COLUMNS, 0);
        for (int r = 0; r < 50; r++) {
            enum rp_cell_kind kind = k == 0 ? RP_PLAIN : RP_STR;
            char num[24];
            snprintf(num, sizeof num, "%lld", (long long)(r % 3 ? r * 1000003LL : -r));
            struct rp_cell cells[N_COLUMNS] = {
                k == 0 ? (struct rp_cell){.kind = RP_INT, .i = r % 3 ? r * 1000003LL : -r}
                       : (struct rp_cell){.kind = format == REPORT_CSV ? RP_STR : RP_INT,
                                          .s = num,
                                          .i = r % 3 ? r * 1000003LL : -r},
                {.kind = kind, .s = texts[r % 6]},
                {.kind = kind, .s = texts[(r + 1) % 6]},
                {.kind = kind, .s = texts[(r + 2) % 6]},
                {.kind = RP_STR, .s = "a, \"quoted\" note"},
                {.kind = kind, .s = texts[(r + 3) % 6]},
            };
            assert_int_equal(rp_table_row(&t, cells, err, sizeof err), 0);
        }
        assert_int_equal(rp_table_end(&t, err, sizeof err), 0);
        *outs[k] = s.b;
    }
}

static void plain_cells_are_written_as_the_same_strings(void **state)
{
    enum report_format formats[] = {REPORT_CSV, REPORT_JSON};
    for (int f = 0; f < 2; f++) {
        struct buf plain, str;
        write_both(formats[f], &plain, &str);
        assert_int_equal(plain.len, str.len);
        assert_memory_equal(plain.data, str.data, str.len);
        buf_free(&plain);
        buf_free(&str);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(json_rows_equal_janssons_objects),
        cmocka_unit_test(plain_cells_are_written_as_the_same_strings),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
