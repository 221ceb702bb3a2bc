/* See aggregates_upgrade.h. Test support only: fails the running cmocka test on any error. */
#include "tests/support/aggregates_upgrade.h"
#include "tests/report/fixture.h"
#include "report/report.h"

#include <jansson.h>

/* The channel's series as the series alone reads it (aggregates) and as the document beside
 * participation recomputes it from the stays. */
static void expect_same_series(struct store *st, int64_t owner, int64_t session)
{
    char *text[2];
    const unsigned sections[2] = {REPORT_SERIES, REPORT_SERIES | REPORT_PARTICIPATION};
    for (int i = 0; i < 2; i++) {
        struct report_options o;
        report_options_default(&o);
        json_t *doc;
        char err[256];
        assert_int_equal(report_session(st, owner, session, &o, sections[i], &doc, err, sizeof err),
                         0);
        json_t *ch = json_array_get(json_object_get(doc, "channels"), 0);
        text[i] = json_dumps(json_object_get(ch, "series"), JSON_COMPACT);
        json_decref(doc);
    }
    assert_string_equal(text[0], text[1]);
    free(text[0]);
    free(text[1]);
}

void test_aggregates_upgraded(struct store *st, int64_t owner, int64_t session, int64_t channel)
{
    char err[256];
    struct store_capture *caps;
    size_t n;
    assert_int_equal(store_capture_list(st, session, channel, &caps, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(caps[0].new_to_owner, -1);
    assert_int_equal(caps[1].new_to_owner, -1);
    assert_int_equal(caps[0].first_stays, 2); /* filled by the first stays step */
    assert_int_equal(caps[1].first_stays, 1);
    free(caps);
    expect_same_series(st, owner, session);
    fx_capture(st, session, channel, (const int64_t[]){10, 20, 30, 40}, 4, 180000);
    assert_int_equal(store_capture_list(st, session, channel, &caps, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(caps[2].new_to_owner, 1);
    assert_int_equal(caps[2].first_stays, 1);
    free(caps);
    expect_same_series(st, owner, session);
}

static void expect_firsts(struct store *st, int64_t session, int64_t channel, const int64_t *want,
                          size_t n_want)
{
    struct store_capture *caps;
    size_t n;
    char err[256];
    assert_int_equal(store_capture_list(st, session, channel, &caps, &n, err, sizeof err), 0);
    assert_int_equal(n, n_want);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(caps[i].first_stays, want[i]);
    free(caps);
}

static int count_row(void *ctx, const struct store_export_row *row)
{
    (void)row;
    ++*(int64_t *)ctx;
    return 0;
}

static void expect_chatters(struct store *st, int64_t session, int64_t want)
{
    int64_t total = -1, rows = 0;
    char err[256];
    assert_int_equal(store_export_session(st, session, &total, count_row, &rows, err, sizeof err),
                     0);
    assert_int_equal(total, want);
    assert_int_equal(rows, want);
}

void test_first_stays_upgraded(struct store *st)
{
    expect_firsts(st, 1, 500, (const int64_t[]){2, 1, 0}, 3);
    expect_firsts(st, 1, 600, (const int64_t[]){1}, 1);
    expect_firsts(st, 2, 500, (const int64_t[]){1, 1}, 2);
    expect_chatters(st, 1, 3);
    expect_chatters(st, 2, 2);
    fx_capture(st, 1, 500, (const int64_t[]){10, 30, 60}, 3, 240000);
    expect_firsts(st, 1, 500, (const int64_t[]){2, 1, 0, 1}, 4);
    expect_chatters(st, 1, 4);
}
