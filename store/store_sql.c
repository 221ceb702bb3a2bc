/* SQL text for store_copy's generic table statements and for a purge; never runs anything
 * itself. */
#include "store/store_sql.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The column list, each name quoted (`left` is a keyword on MariaDB). */
static char *column_list(const struct store_table *t, char quote)
{
    size_t cap = 1;
    for (size_t i = 0; i < t->n_columns; i++)
        cap += strlen(t->columns[i].name) + 4;
    char *out = xcalloc(1, cap);
    for (size_t i = 0; i < t->n_columns; i++) {
        size_t len = strlen(out);
        snprintf(out + len, cap - len, "%s%c%s%c", i ? ", " : "", quote, t->columns[i].name, quote);
    }
    return out;
}

char *store_sql_select(const struct store_table *t, int copied_only, char quote)
{
    char *cols = column_list(t, quote);
    char *sql = copied_only && t->skip
                    ? xasprintf("SELECT %s FROM %s WHERE NOT (%s) ORDER BY %s", cols, t->name,
                                t->skip, t->order_by)
                    : xasprintf("SELECT %s FROM %s ORDER BY %s", cols, t->name, t->order_by);
    free(cols);
    return sql;
}

char *store_sql_insert(const struct store_table *t, char quote)
{
    char *cols = column_list(t, quote);
    size_t cap = t->n_columns * 3 + 1;
    char *marks = xcalloc(1, cap);
    for (size_t i = 0; i < t->n_columns; i++)
        strcat(marks, i ? ", ?" : "?");
    char *sql = xasprintf("INSERT INTO %s(%s) VALUES(%s)", t->name, cols, marks);
    free(cols);
    free(marks);
    return sql;
}

const char *const store_sql_session_clear[] = {
    "DELETE FROM presence WHERE session_id = ?",
    "DELETE FROM captures WHERE session_id = ?",
    /* chat counts are personal data observed during the captures: they go with them */
    "DELETE FROM chat_counts WHERE session_id = ?",
    "DELETE FROM chat_raids WHERE session_id = ?",
    /* so are the follows its captures read */
    "DELETE FROM channel_followers WHERE session_id = ?",
    "DELETE FROM follower_reads WHERE session_id = ?",
    NULL,
};
