/* See sqlite_steps.h. Test support only: fails the running cmocka test on any error. */
#include "tests/support/sqlite_steps.h"
#include "tests/support/testutil.h"
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <string.h>

void test_sqlite_exec(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

int64_t test_sqlite_count(const char *path, const char *sql)
{
    sqlite3 *db;
    sqlite3_stmt *s;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &s, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(s), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    sqlite3_close(db);
    return v;
}

sqlite3 *test_sqlite_before_step(const char *path, const char *marker)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    test_sqlite_exec(db, "PRAGMA journal_mode = WAL");
    int behind = 0;
    while (behind < sq_schema_steps() && !strstr(sq_schema_step(behind), marker))
        behind++;
    if (behind == sq_schema_steps())
        fail_msg("no schema step contains \"%s\"", marker);
    for (int v = 0; v < behind; v++)
        test_sqlite_exec(db, sq_schema_step(v));
    char set[48];
    snprintf(set, sizeof set, "PRAGMA user_version = %d", behind);
    test_sqlite_exec(db, set);
    return db;
}
