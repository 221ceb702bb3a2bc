/*
 * MariaDB back end only: the aggregates a capture keeps (captures.new_to_owner). A database
 * written by the schema before the aggregates step upgrades with its captures marked as
 * having none (-1), the statistics' series still recomputed right from the stays, and the
 * captures made after the upgrade keep theirs. Needs TCA_TEST_MYSQL (skipped without a
 * server); the equality with the recomputation on random sessions is
 * tests/report/test_series_aggregates.c's, on both back ends.
 */
#include "tests/support/mariadb_steps.h"
#include "tests/report/fixture.h"
#include "report/report.h"

#include <jansson.h>

enum { SESSION = 1 };

/* The channel's series as the series alone reads it (aggregates) and as the document beside
 * participation recomputes it from the stays. */
static void expect_same_series(struct store *st)
{
    char *text[2];
    const unsigned sections[2] = {REPORT_SERIES, REPORT_SERIES | REPORT_PARTICIPATION};
    for (int i = 0; i < 2; i++) {
        struct report_options o;
        report_options_default(&o);
        json_t *doc, *ch;
        char err[256];
        assert_int_equal(
            report_session(st, FX_USER, SESSION, &o, sections[i], &doc, err, sizeof err), 0);
        ch = json_array_get(json_object_get(doc, "channels"), 0);
        text[i] = json_dumps(json_object_get(ch, "series"), JSON_COMPACT);
        json_decref(doc);
    }
    assert_string_equal(text[0], text[1]);
    free(text[0]);
    free(text[1]);
}

static void a_database_of_the_previous_schema_upgrades_and_recomputes_its_old_captures(void **state)
{
    char *url = *state, err[256];
    MYSQL *db = test_mariadb_before_step(url, "ADD COLUMN IF NOT EXISTS new_to_owner");
    /* two captures: 10 and 20, then 20 and 30 (30 new, 10 left) */
    test_mariadb_exec(db, "INSERT INTO users(id, login, display_name) VALUES (10, 'mod', 'Mod')");
    test_mariadb_exec(db, "INSERT INTO channels(id, login, display_name)"
                          " VALUES (500, 'alpha', 'Alpha')");
    test_mariadb_exec(db, "INSERT INTO sessions(id, user_id, active, created_at, updated_at)"
                          " VALUES (1, 10, 1, 1000, 1000)");
    test_mariadb_exec(db, "INSERT INTO captures(session_id, channel_id, seq, taken_at,"
                          " chatter_count, joined, `left`, new_to_channel, pages, duration_ms)"
                          " VALUES (1, 500, 1, 60000, 2, 2, 0, 2, 1, 0),"
                          " (1, 500, 2, 120000, 2, 1, 1, 1, 1, 0)");
    test_mariadb_exec(db, "INSERT INTO presence(session_id, user_id, channel_id, from_seq, to_seq)"
                          " VALUES (1, 10, 500, 1, 1), (1, 20, 500, 1, NULL),"
                          " (1, 30, 500, 2, NULL)");
    test_mariadb_exec(db, "INSERT INTO channel_chatters(channel_id, user_id)"
                          " VALUES (500, 10), (500, 20), (500, 30)");
    mysql_close(db);

    struct store *st;
    assert_int_equal(store_open(url, &st, err, sizeof err), 0);
    struct store_capture *caps;
    size_t n;
    assert_int_equal(store_capture_list(st, SESSION, FX_ALPHA, &caps, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(caps[0].new_to_owner, -1);
    assert_int_equal(caps[1].new_to_owner, -1);
    free(caps);
    expect_same_series(st);
    /* a capture after the upgrade keeps its aggregate: 10 back (seen in this session), 40 new */
    fx_capture(st, SESSION, FX_ALPHA, (const int64_t[]){10, 20, 30, 40}, 4, 180000);
    assert_int_equal(store_capture_list(st, SESSION, FX_ALPHA, &caps, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(caps[2].new_to_owner, 1);
    free(caps);
    expect_same_series(st);
    store_close(st);
}

static int fresh(void **state)
{
    *state = test_store_mariadb_url();
    return *state ? 0 : -1;
}

static int drop(void **state)
{
    test_store_drop(*state);
    return 0;
}

int main(void)
{
    if (!getenv("TCA_TEST_MYSQL") || !*getenv("TCA_TEST_MYSQL")) {
        printf("skipped: TCA_TEST_MYSQL is not set\n");
        return 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            a_database_of_the_previous_schema_upgrades_and_recomputes_its_old_captures, fresh,
            drop),
    };
    return cmocka_run_group_tests_name("mariadb aggregates", tests, NULL, NULL);
}
