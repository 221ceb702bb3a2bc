/*
 * The SQLite schema step that added sentiment sums to chat_counts: a store of the version just
 * before it keeps its counts (nothing scored), and sums added after the upgrade pile onto the
 * old rows. Finds the step by what it does, never by its number.
 */
#include "tests/support/sqlite_steps.h"
#include "tests/support/testutil.h"
#include "base/xalloc.h"
#include "store/sqlite_internal.h"
#include "store/store_chat.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void counts_of_the_previous_schema_upgrade_with_nothing_scored(void **state)
{
    (void)state;
    char *dir = test_tmpdir(), *path = xasprintf("%s/store.db", dir), err[256];
    sqlite3 *db = test_sqlite_before_step(path, "chat_counts ADD COLUMN scored");
    test_sqlite_exec(
        db, "INSERT INTO users(id, login, display_name) VALUES (10, 'mod', 'mod');"
            "INSERT INTO sessions(id, user_id, active, created_at, updated_at)"
            " VALUES (1, 10, 1, 1, 1);"
            "INSERT INTO chat_counts(session_id, channel_id, minute, user_id, login, messages,"
            " emote_only) VALUES (1, 500, 60000, 7, 'ann', 4, 1)");
    sqlite3_close(db);

    struct store *st;
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    struct store_chat_count *c;
    size_t n;
    assert_int_equal(store_chat_counts(st, 1, 0, &c, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].messages, 4);
    assert_int_equal(c[0].scored, 0);
    assert_int_equal(c[0].score_sum, 0);
    free(c);
    struct store_chat_count more = {.session_id = 1,
                                    .channel_id = 500,
                                    .minute_ms = 60000,
                                    .user_id = 7,
                                    .messages = 2,
                                    .scored = 2,
                                    .score_sum = 5,
                                    .positive = 2};
    snprintf(more.login, sizeof more.login, "ann");
    assert_int_equal(store_chat_add(st, &more, 1, err, sizeof err), 0);
    assert_int_equal(store_chat_counts(st, 1, 0, &c, &n, err, sizeof err), 0);
    assert_int_equal(c[0].messages, 6);
    assert_int_equal(c[0].scored, 2);
    assert_int_equal(c[0].score_sum, 5);
    assert_int_equal(c[0].positive, 2);
    assert_int_equal(c[0].negative, 0);
    free(c);
    store_close(st);
    free(path);
    free(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counts_of_the_previous_schema_upgrade_with_nothing_scored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
