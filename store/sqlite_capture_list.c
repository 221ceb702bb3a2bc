/*
 * Reading back what captures stored: the captures of a session and its stays. Read-only;
 * the statistics are computed in analysis/, never here.
 */
#include "store/sqlite_internal.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

int sq_capture_list(struct store *st, int64_t session_id, int64_t channel_id,
                    struct store_capture **out, size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = channel_id
                 ? sq_stmt(st,
                           "SELECT id, session_id, channel_id, seq, taken_at, chatter_count,"
                           " joined, \"left\", new_to_channel, pages, duration_ms, renames,"
                           " COALESCE(new_to_owner, -1), COALESCE(first_stays, -1) FROM captures"
                           " WHERE session_id = ?1 AND channel_id = ?2 ORDER BY seq",
                           &s, err, errlen)
                 : sq_stmt(st,
                           "SELECT id, session_id, channel_id, seq, taken_at, chatter_count,"
                           " joined, \"left\", new_to_channel, pages, duration_ms, renames,"
                           " COALESCE(new_to_owner, -1), COALESCE(first_stays, -1) FROM captures"
                           " WHERE session_id = ?1 ORDER BY taken_at, id",
                           &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    if (channel_id)
        sqlite3_bind_int64(s, 2, channel_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 64);
        struct store_capture *c = &(*out)[(*n)++];
        c->id = sqlite3_column_int64(s, 0);
        c->session_id = sqlite3_column_int64(s, 1);
        c->channel_id = sqlite3_column_int64(s, 2);
        c->seq = sqlite3_column_int64(s, 3);
        c->taken_at_ms = sqlite3_column_int64(s, 4);
        c->chatter_count = sqlite3_column_int64(s, 5);
        c->joined = sqlite3_column_int64(s, 6);
        c->left = sqlite3_column_int64(s, 7);
        c->new_to_channel = sqlite3_column_int64(s, 8);
        c->pages = sqlite3_column_int(s, 9);
        c->duration_ms = sqlite3_column_int64(s, 10);
        c->renames = sqlite3_column_int64(s, 11);
        c->new_to_owner = sqlite3_column_int64(s, 12);
        c->first_stays = sqlite3_column_int64(s, 13);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "capture list");
    }
    return 0;
}

int sq_capture_totals(struct store *st, int64_t *captures, int64_t *renames, char *err,
                      size_t errlen)
{
    *captures = *renames = 0;
    sqlite3_stmt *s;
    int rc = sq_stmt(
        st, "SELECT name, value FROM counters WHERE name IN ('captures', 'capture_renames')", &s,
        err, errlen);
    if (rc)
        return rc;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(s, 0);
        if (name && strcmp(name, "captures") == 0)
            *captures = sqlite3_column_int64(s, 1);
        else
            *renames = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    return src == SQLITE_DONE ? 0 : sq_fail(st, src, err, errlen, "capture totals");
}
