/*
 * SQLite back end only: the aggregates a capture keeps (captures.new_to_owner,
 * captures.first_stays). A store written by the schema before the aggregates step upgrades
 * with its captures marked as having none (-1), the statistics' series still recomputed right
 * from the stays, and the captures made after the upgrade keep theirs. A store written before
 * the first stays step gets them counted from its stays.
 */
#include "tests/support/aggregates_upgrade.h"
#include "tests/support/sqlite_steps.h"
#include "tests/support/testutil.h"
#include "analysis/presence.h"
#include "base/chatter.h"
#include "base/xalloc.h"
#include "report/report.h"
#include "store/sqlite_internal.h"

#include <jansson.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { OWNER = 1, CHANNEL = 500, SESSION = 1 };

static void a_store_of_the_previous_schema_upgrades_and_recomputes_its_old_captures(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    /* the store as it was just before the aggregates step (later steps may follow it) */
    sqlite3 *db = test_sqlite_before_step(path, "ADD COLUMN new_to_owner");
    /* two captures: 10 and 20, then 20 and 30 (30 new, 10 left) */
    test_sqlite_exec(
        db, "INSERT INTO users(id, login, display_name) VALUES (1, 'mod', 'Mod');"
            "INSERT INTO channels(id, login, display_name) VALUES (500, 'alpha', 'Alpha');"
            "INSERT INTO sessions(id, user_id, active, created_at, updated_at)"
            " VALUES (1, 1, 1, 1000, 1000);"
            "INSERT INTO captures(session_id, channel_id, seq, taken_at, chatter_count, joined,"
            " \"left\", new_to_channel, pages, duration_ms) VALUES"
            " (1, 500, 1, 60000, 2, 2, 0, 2, 1, 0), (1, 500, 2, 120000, 2, 1, 1, 1, 1, 0);"
            "INSERT INTO presence(session_id, user_id, channel_id, from_seq, to_seq) VALUES"
            " (1, 10, 500, 1, 1), (1, 20, 500, 1, NULL), (1, 30, 500, 2, NULL);");
    /* channel_chatters keeps its key alone since an earlier step; its totals before that */
    sqlite3_stmt *cols;
    assert_int_equal(
        sqlite3_prepare_v2(db, "SELECT COUNT(*) FROM pragma_table_info('channel_chatters')", -1,
                           &cols, NULL),
        SQLITE_OK);
    assert_int_equal(sqlite3_step(cols), SQLITE_ROW);
    int keys_only = sqlite3_column_int(cols, 0) == 2;
    sqlite3_finalize(cols);
    test_sqlite_exec(
        db, keys_only ? "INSERT INTO channel_chatters(channel_id, user_id) VALUES"
                        " (500, 10), (500, 20), (500, 30)"
                      : "INSERT INTO channel_chatters(channel_id, user_id, first_seen, last_seen,"
                        " sessions_seen, captures_seen) VALUES (500, 10, 60000, 60000, 1, 1),"
                        " (500, 20, 60000, 60000, 1, 0), (500, 30, 120000, 120000, 1, 0)");
    sqlite3_close(db);

    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    test_aggregates_upgraded(st, OWNER, SESSION, CHANNEL);
    store_close(st);
    free(path);
    free(dir);
}

static void a_store_before_the_first_stays_step_counts_them_from_its_stays(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    sqlite3 *db = test_sqlite_before_step(path, "ADD COLUMN first_stays");
    test_sqlite_exec(
        db, "INSERT INTO users(id, login, display_name) VALUES (1, 'mod', 'Mod');"
            "INSERT INTO channels(id, login, display_name) VALUES (500, 'alpha', 'Alpha'),"
            " (600, 'beta', 'Beta');"
            "INSERT INTO sessions(id, user_id, active, created_at, updated_at)"
            " VALUES (1, 1, 1, 1000, 1000), (2, 1, 0, 500, 500);"
            "INSERT INTO captures(session_id, channel_id, seq, taken_at, chatter_count, joined,"
            " \"left\", new_to_channel, pages, duration_ms) VALUES"
            " (1, 500, 1, 60000, 2, 2, 0, 2, 1, 0), (1, 500, 2, 120000, 2, 1, 1, 1, 1, 0),"
            " (1, 500, 3, 180000, 2, 1, 1, 0, 1, 0), (1, 600, 1, 60001, 1, 1, 0, 1, 1, 0),"
            " (2, 500, 1, 1000, 1, 1, 0, 1, 1, 0), (2, 500, 2, 2000, 2, 1, 0, 1, 1, 0);"
            "INSERT INTO presence(session_id, user_id, channel_id, from_seq, to_seq) VALUES"
            " (1, 10, 500, 1, 1), (1, 20, 500, 1, 2), (1, 30, 500, 2, NULL),"
            " (1, 10, 500, 3, NULL), (1, 10, 600, 1, NULL),"
            " (2, 40, 500, 1, NULL), (2, 50, 500, 2, NULL);"
            "INSERT INTO channel_chatters(channel_id, user_id) VALUES (500, 10), (500, 20),"
            " (500, 30), (600, 10), (500, 40), (500, 50);");
    sqlite3_close(db);

    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    test_first_stays_upgraded(st);
    store_close(st);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_store_of_the_previous_schema_upgrades_and_recomputes_its_old_captures),
        cmocka_unit_test(a_store_before_the_first_stays_step_counts_them_from_its_stays),
    };
    return cmocka_run_group_tests_name("sqlite aggregates", tests, NULL, NULL);
}
