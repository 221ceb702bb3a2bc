/*
 * SQL text for store_copy's generic table statements, shared by both back ends: each passes
 * its own identifier quote. Internal to store/.
 */
#ifndef TCA_STORE_SQL_H
#define TCA_STORE_SQL_H

#include "store/store_driver.h"

/** "SELECT cols FROM t [WHERE NOT (skip)] ORDER BY key"; the caller frees. */
char *store_sql_select(const struct store_table *t, int copied_only, char quote);
/** "INSERT INTO t(cols) VALUES(?, ...)"; the caller frees. */
char *store_sql_insert(const struct store_table *t, char quote);

#endif
