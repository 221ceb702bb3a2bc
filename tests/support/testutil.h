/* Helpers shared by the unit tests: temporary files and directories. */
#ifndef TCA_TESTUTIL_H
#define TCA_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/** A fresh temporary directory path (caller frees); removed by nothing: tests live in /tmp. */
char *test_tmpdir(void);
/** Writes text to dir/name and returns the path (caller frees). */
char *test_write_file(const char *dir, const char *name, const char *text);

#endif
