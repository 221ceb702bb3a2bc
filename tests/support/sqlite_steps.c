/* See sqlite_steps.h. Test support only: fails the running cmocka test on any error. */
#include "tests/support/sqlite_steps.h"
#include "tests/support/testutil.h"
#include "store/sqlite_internal.h"

#include <stdio.h>
#include <string.h>

static void run(sqlite3 *db, const char *sql)
{
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
}

sqlite3 *test_sqlite_before_step(const char *path, const char *marker)
{
    sqlite3 *db;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    run(db, "PRAGMA journal_mode = WAL");
    int behind = 0;
    while (behind < sq_schema_steps() && !strstr(sq_schema_step(behind), marker))
        behind++;
    if (behind == sq_schema_steps())
        fail_msg("no schema step contains \"%s\"", marker);
    for (int v = 0; v < behind; v++)
        run(db, sq_schema_step(v));
    char set[48];
    snprintf(set, sizeof set, "PRAGMA user_version = %d", behind);
    run(db, set);
    return db;
}
