/* See mariadb_steps.h. Test support only: fails the running cmocka test on any error. */
#include "tests/support/mariadb_steps.h"
#include "tests/support/testutil.h"
#include "store/mariadb_internal.h"

#include <stdio.h>
#include <string.h>

void test_mariadb_exec(MYSQL *db, const char *sql)
{
    if (mysql_query(db, sql))
        fail_msg("%s: %s", sql, mysql_error(db));
    /* drain every result of a multi-statement text */
    do {
        MYSQL_RES *res = mysql_store_result(db);
        if (res)
            mysql_free_result(res);
    } while (mysql_next_result(db) == 0);
    if (mysql_errno(db))
        fail_msg("%s: %s", sql, mysql_error(db));
}

MYSQL *test_mariadb_before_step(const char *url, const char *marker)
{
    struct my_target t;
    char err[256];
    if (my_parse_url(url, &t, err, sizeof err))
        fail_msg("%s", err);
    MYSQL *db = mysql_init(NULL);
    if (!mysql_real_connect(db, t.socket[0] ? NULL : t.host, t.user, t.pass, t.db, t.port,
                            t.socket[0] ? t.socket : NULL, CLIENT_MULTI_STATEMENTS))
        fail_msg("connect: %s", mysql_error(db));
    int behind = 0;
    for (; behind < my_schema_steps(); behind++) {
        int found = 0;
        for (const char *const *sql = my_schema_step(behind); *sql && !found; sql++)
            found = strstr(*sql, marker) != NULL;
        if (found)
            break;
    }
    if (behind == my_schema_steps())
        fail_msg("no schema step contains \"%s\"", marker);
    test_mariadb_exec(db, "CREATE TABLE IF NOT EXISTS schema_version(version INT NOT NULL"
                          " PRIMARY KEY) ENGINE=InnoDB");
    for (int v = 0; v < behind; v++) {
        for (const char *const *sql = my_schema_step(v); *sql; sql++)
            test_mariadb_exec(db, *sql);
        char set[64];
        snprintf(set, sizeof set, "INSERT INTO schema_version(version) VALUES(%d)", v + 1);
        test_mariadb_exec(db, set);
    }
    return db;
}
