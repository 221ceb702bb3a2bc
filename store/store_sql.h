/*
 * SQL text shared by both back ends: store_copy's generic table statements (each back end
 * passes its own identifier quote) and what a purge clears. Internal to store/.
 */
#ifndef TCA_STORE_SQL_H
#define TCA_STORE_SQL_H

#include "store/store_driver.h"

/** "SELECT cols FROM t [WHERE NOT (skip)] ORDER BY key"; the caller frees. */
char *store_sql_select(const struct store_table *t, int copied_only, char quote);
/** "INSERT INTO t(cols) VALUES(?, ...)"; the caller frees. */
char *store_sql_insert(const struct store_table *t, char quote);

/**
 * What a purge or a delete of a session clears, in this order, on both back ends, after the
 * session's visits are kept (kept_visits): its captures and every personal datum they observed.
 * One list, so a new table of a session's observations is added once and neither back end can
 * forget it. The session's own settings (channels, chat setting, live watches) stay. Each
 * statement takes the session id as its one parameter; NULL-terminated.
 */
extern const char *const store_sql_session_clear[];

#endif
