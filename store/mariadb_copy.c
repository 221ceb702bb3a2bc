/*
 * MariaDB side of store_copy: walking a table's rows through a cursor (any size, bounded
 * memory) and inserting batches in one transaction. Must never be used by a role: only
 * tca migrate-store copies whole tables.
 */
#include "store/mariadb_internal.h"
#include "store/store_sql.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>

int my_table_rows(struct store *st, const struct store_table *t, int copied_only, store_row_fn fn,
                  void *ctx, char *err, size_t errlen)
{
    char *sql = store_sql_select(t, copied_only, '`');
    struct my_rows r;
    int rc = my_query_stream(st, sql, MY_NOARGS, &r, err, errlen);
    free(sql);
    if (rc)
        return rc;
    struct store_cell *cells = xcalloc(t->n_columns, sizeof *cells);
    int more;
    while ((more = my_next(&r, err, errlen)) == 1) {
        for (unsigned i = 0; i < t->n_columns; i++) {
            cells[i].null = my_null(&r, i);
            cells[i].i = t->columns[i].text ? 0 : my_int(&r, i);
            cells[i].s = t->columns[i].text ? my_str(&r, i) : NULL;
        }
        if ((rc = fn(ctx, cells)))
            break;
    }
    if (!rc && more < 0)
        rc = more;
    free(cells);
    my_done(&r);
    return rc;
}

int my_table_insert(struct store *st, const struct store_table *t, const struct store_cell *rows,
                    size_t n, char *err, size_t errlen)
{
    char *sql = store_sql_insert(t, '`');
    struct my_val *args = xcalloc(t->n_columns, sizeof *args);
    int rc = my_begin(st, err, errlen);
    for (size_t r = 0; r < n && !rc; r++) {
        const struct store_cell *row = &rows[r * t->n_columns];
        for (size_t i = 0; i < t->n_columns; i++)
            args[i] = row[i].null          ? MY_TEXT(NULL)
                      : t->columns[i].text ? MY_TEXT(row[i].s ? row[i].s : "")
                                           : MY_INT(row[i].i);
        rc = my_exec(st, sql, args, t->n_columns, NULL, NULL, err, errlen);
    }
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc)
        my_rollback(st);
    free(args);
    free(sql);
    return rc;
}
