/*
 * Upgrade tests of the MariaDB schema: a database as it was just before a given step, found
 * by what the step does (a piece of its SQL), never by its number, so steps added later by
 * anyone follow it and the test still means the same thing (tests/support/sqlite_steps.h's
 * twin).
 */
#ifndef TCA_TEST_MARIADB_STEPS_H
#define TCA_TEST_MARIADB_STEPS_H

#include <mysql.h>

/** Connects to the (empty) database of url and runs every step before the first one whose
 * SQL contains marker, recording that version; fails the test when no step does. The
 * connection is the caller's (mysql_close). */
MYSQL *test_mariadb_before_step(const char *url, const char *marker);
/** Runs statements on db (several, ';'-separated), failing the test on an error. */
void test_mariadb_exec(MYSQL *db, const char *sql);

#endif
