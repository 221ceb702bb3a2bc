/*
 * SQLite side of store_copy: walking a table's rows in key order and inserting batches in
 * one transaction. Must never be used by a role: only tca migrate-store copies whole tables.
 * Tables are read as the shared schema has them, whatever this back end compacts.
 */
#include "store/sqlite_internal.h"
#include "store/store_sql.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* The name history as every back end keeps it: a profile's single name (named_at, see
 * sqlite_profiles.c) as a row of its own, numbered after the stored rows. */
static const char names_sql[] =
    "SELECT id, user_id, login, display_name, seen_at FROM twitch_user_names"
    " UNION ALL SELECT (SELECT COALESCE(MAX(id), 0) FROM twitch_user_names) + id, id, login,"
    " display_name, named_at FROM twitch_users WHERE named_at IS NOT NULL ORDER BY 1";

int sq_table_rows(struct store *st, const struct store_table *t, int copied_only, store_row_fn fn,
                  void *ctx, char *err, size_t errlen)
{
    char *sql = strcmp(t->name, "twitch_user_names") == 0 ? xstrdup(names_sql)
                                                          : store_sql_select(t, copied_only, '"');
    sqlite3_stmt *s = NULL;
    int rc = sq_stmt(st, sql, &s, err, errlen);
    free(sql);
    if (rc)
        return rc;
    struct store_cell *cells = xcalloc(t->n_columns, sizeof *cells);
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        for (int i = 0; i < (int)t->n_columns; i++) {
            cells[i].null = sqlite3_column_type(s, i) == SQLITE_NULL;
            cells[i].i = sqlite3_column_int64(s, i);
            cells[i].s = t->columns[i].text ? (const char *)sqlite3_column_text(s, i) : NULL;
        }
        if ((rc = fn(ctx, cells)))
            break;
    }
    if (!rc && src != SQLITE_DONE)
        rc = sq_fail(st, src, err, errlen, t->name);
    free(cells);
    sqlite3_reset(s);
    return rc;
}

int sq_table_insert(struct store *st, const struct store_table *t, const struct store_cell *rows,
                    size_t n, char *err, size_t errlen)
{
    char *sql = store_sql_insert(t, '"');
    sqlite3_stmt *s = NULL;
    int rc = sq_stmt(st, sql, &s, err, errlen);
    free(sql);
    if (!rc)
        rc = sq_begin(st, err, errlen);
    for (size_t r = 0; r < n && !rc; r++) {
        const struct store_cell *row = &rows[r * t->n_columns];
        for (int i = 0; i < (int)t->n_columns; i++) {
            if (row[i].null)
                sqlite3_bind_null(s, i + 1);
            else if (t->columns[i].text)
                sqlite3_bind_text(s, i + 1, row[i].s ? row[i].s : "", -1, SQLITE_STATIC);
            else
                sqlite3_bind_int64(s, i + 1, row[i].i);
        }
        rc = sq_run(st, s, err, errlen, t->name);
    }
    if (!rc)
        rc = sq_commit(st, err, errlen);
    if (rc)
        sq_rollback(st);
    sqlite3_reset(s);
    return rc;
}
