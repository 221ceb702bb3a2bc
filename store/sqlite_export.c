/*
 * Export of a session: one row per chatter, aggregated over the session's channels, streamed
 * from a single stepping SELECT. It must never gather a session in memory: a long stream of
 * a big channel has millions of stays.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"

#include <string.h>

/* The presence key is (session, user, channel, from_seq), so SQLite walks the session's
 * stays already grouped by user: no temporary b-tree, memory stays flat. An open stay ends at
 * the last capture of its channel in the session. That end is a correlated MAX on the
 * captures key rather than a joined CTE: with the CTE, SQLite 3.40 joined it last and
 * scanned every capture of the channel for each stay (2.3x slower with 22 captures per
 * channel, and growing with the stream's length). */
static const char export_sql[] =
    "SELECT p.user_id, SUM(ct.seq - p.from_seq + 1),"
    "  MIN(cf.taken_at), MAX(ct.taken_at), SUM(ct.taken_at - cf.taken_at),"
    "  u.login, u.display_name, u.created_at"
    " FROM presence p"
    " JOIN captures cf ON cf.session_id = ?1 AND cf.channel_id = p.channel_id"
    "  AND cf.seq = p.from_seq"
    " JOIN captures ct ON ct.session_id = ?1 AND ct.channel_id = p.channel_id"
    "  AND ct.seq = COALESCE(p.to_seq, (SELECT MAX(c.seq) FROM captures c"
    "   WHERE c.session_id = ?1 AND c.channel_id = p.channel_id))"
    " LEFT JOIN twitch_users u ON u.id = p.user_id"
    " WHERE p.session_id = ?1"
    " GROUP BY p.user_id ORDER BY p.user_id";

static void read_row(sqlite3_stmt *s, struct store_export_row *row)
{
    memset(row, 0, sizeof *row);
    row->user_id = sqlite3_column_int64(s, 0);
    row->captures_seen = sqlite3_column_int64(s, 1);
    row->first_seen_ms = sqlite3_column_int64(s, 2);
    row->last_seen_ms = sqlite3_column_int64(s, 3);
    row->time_present_ms = sqlite3_column_int64(s, 4);
    sq_copy_text(row->login, sizeof row->login, s, 5);
    sq_copy_text(row->display_name, sizeof row->display_name, s, 6);
    row->created_at_ms = sqlite3_column_int64(s, 7);
}

int sq_export_session(struct store *st, int64_t session_id, int64_t *total, store_export_fn fn,
                      void *ctx, char *err, size_t errlen)
{
    sqlite3_stmt *count, *rows;
    int rc = sq_stmt(st, "SELECT COUNT(DISTINCT user_id) FROM presence WHERE session_id = ?",
                     &count, err, errlen);
    if (!rc)
        rc = sq_stmt(st, export_sql, &rows, err, errlen);
    if (rc)
        return rc;
    /* One read snapshot, so the total matches the rows even while captures go on. */
    rc = sq_begin_read(st, err, errlen);
    if (rc)
        return rc;
    int src;
    if (total) {
        sqlite3_bind_int64(count, 1, session_id);
        src = sqlite3_step(count);
        *total = src == SQLITE_ROW ? sqlite3_column_int64(count, 0) : 0;
        sqlite3_reset(count);
        if (src != SQLITE_ROW) {
            rc = sq_fail(st, src, err, errlen, "export count");
            goto out;
        }
    }
    sqlite3_bind_int64(rows, 1, session_id);
    struct store_export_row row;
    while ((src = sqlite3_step(rows)) == SQLITE_ROW) {
        read_row(rows, &row);
        rc = fn(ctx, &row);
        if (rc)
            break;
    }
    sqlite3_reset(rows);
    if (!rc && src != SQLITE_DONE) {
        rc = sq_fail(st, src, err, errlen, "export");
        goto out;
    }
    if (!rc)
        rc = sq_commit(st, err, errlen);
out:
    sq_rollback(st);
    return rc;
}
