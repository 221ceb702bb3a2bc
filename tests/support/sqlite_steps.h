/*
 * SQLite-only test helpers. Upgrade tests of the SQLite schema: a store file as it was just before
 * a given step, found by what the step does (a piece of its SQL), never by its number, so steps
 * added later by anyone follow it and the test still means the same thing.
 */
#ifndef TCA_TEST_SQLITE_STEPS_H
#define TCA_TEST_SQLITE_STEPS_H

#include <sqlite3.h>
#include <stdint.h>

/** Creates the file at path (WAL) with every step before the first one whose SQL contains
 * marker, and that version; fails the test when no step does. The connection is the caller's. */
sqlite3 *test_sqlite_before_step(const char *path, const char *marker);

/** Runs sql on db; fails the test with SQLite's message on an error. */
void test_sqlite_exec(sqlite3 *db, const char *sql);

/** The first column of sql's first row, read on a read-only connection of its own to path. */
int64_t test_sqlite_count(const char *path, const char *sql);

#endif
