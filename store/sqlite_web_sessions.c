/*
 * Managing analysis sessions for the gateway: save with a label (under a per-user limit),
 * relabel, end the active one, purge, delete, the expiry sweep, a session's channels and
 * capture jobs, and capture-while-live watches. presence has no foreign key, so purging or
 * deleting a session removes its stays here. Must never delete a saved session on its own.
 */
#include "store/sqlite_internal.h"
#include "store/store_sql.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int prep(struct store *st, const char *sql, sqlite3_stmt **s, char *err, size_t errlen)
{
    int rc = sq_cached(st, sql, s);
    if (rc != SQLITE_OK) {
        *s = NULL;
        return sq_fail(st, rc, err, errlen, "prepare");
    }
    return 0;
}

/* Runs one statement with up to three int64 parameters; *changes gets the rows touched. */
static int run_ids(struct store *st, const char *sql, int64_t a, int64_t b, int64_t c, int *changes,
                   char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st, sql, &s, err, errlen);
    if (rc)
        return rc;
    int np = sqlite3_bind_parameter_count(s);
    if (np >= 1)
        sqlite3_bind_int64(s, 1, a);
    if (np >= 2)
        sqlite3_bind_int64(s, 2, b);
    if (np >= 3)
        sqlite3_bind_int64(s, 3, c);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return sq_fail(st, rc, err, errlen, "session update");
    if (changes)
        *changes = sqlite3_changes(sq_conn(st)->db);
    return 0;
}

static int count_one(struct store *st, const char *sql, int64_t a, int64_t b, int64_t *out,
                     char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st, sql, &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, a);
    if (sqlite3_bind_parameter_count(s) >= 2)
        sqlite3_bind_int64(s, 2, b);
    rc = sqlite3_step(s);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
    sqlite3_reset(s);
    return rc == SQLITE_ROW ? 0 : sq_fail(st, rc, err, errlen, "count");
}

static int set_label(struct store *st, const char *sql, int64_t session_id, const char *label,
                     int64_t now_ms, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st, sql, &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, label, -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, now_ms);
    sqlite3_bind_int64(s, 3, session_id);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    if (rc != SQLITE_DONE)
        return sq_fail(st, rc, err, errlen, "session label");
    if (sqlite3_changes(sq_conn(st)->db) == 0)
        return tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    return 0;
}

int sq_session_save(struct store *st, int64_t session_id, const char *label, int max_saved,
                    int64_t now_ms, char *err, size_t errlen)
{
    int rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    /* The limit is checked in the same write transaction as the save, so two concurrent
     * saves cannot both pass it (the original's trigger could not do this on MariaDB). */
    int64_t others = 0;
    rc = count_one(st,
                   "SELECT COUNT(*) FROM sessions WHERE saved = 1 AND id != ?1 AND user_id ="
                   " (SELECT user_id FROM sessions WHERE id = ?1)",
                   session_id, 0, &others, err, errlen);
    if (rc)
        goto out;
    if (others >= max_saved) {
        rc = tca_fail(err, errlen, TCA_ELIMIT,
                      "you already have %d saved sessions (the most allowed): delete one first",
                      max_saved);
        goto out;
    }
    rc = set_label(st, "UPDATE sessions SET saved = 1, label = ?, updated_at = ? WHERE id = ?",
                   session_id, label, now_ms, err, errlen);
    if (!rc)
        rc = sq_commit(st, err, errlen);
out:
    if (rc)
        sq_rollback(st);
    return rc;
}

int sq_session_label(struct store *st, int64_t session_id, const char *label, int64_t now_ms,
                     char *err, size_t errlen)
{
    return set_label(st, "UPDATE sessions SET label = ?, updated_at = ? WHERE id = ?", session_id,
                     label, now_ms, err, errlen);
}

int sq_session_deactivate(struct store *st, int64_t user_id, int64_t now_ms, char *err,
                          size_t errlen)
{
    return run_ids(st,
                   "UPDATE sessions SET active = 0, updated_at = ?2 WHERE user_id = ?1"
                   " AND active = 1",
                   user_id, now_ms, 0, NULL, err, errlen);
}

/* Before a session's stays go, each chatter's visit of each channel is kept (who, first
 * capture, last seen, when the session started on that channel): "new" and "returning" in
 * the owner's later sessions must not change because an earlier session was removed. */
static const char keep_visits_sql[] =
    "INSERT OR REPLACE INTO kept_visits(owner_id, channel_id, session_id, user_id, first_seq,"
    " last_seen, session_first_at)"
    " SELECT s.user_id, p.channel_id, p.session_id, p.user_id, MIN(p.from_seq), MAX(c.taken_at),"
    "  (SELECT MIN(f.taken_at) FROM captures f WHERE f.session_id = p.session_id"
    "   AND f.channel_id = p.channel_id)"
    " FROM presence p JOIN sessions s ON s.id = p.session_id"
    " JOIN captures c ON c.session_id = p.session_id AND c.channel_id = p.channel_id"
    "  AND c.seq = COALESCE(p.to_seq, (SELECT MAX(m.seq) FROM captures m"
    "   WHERE m.session_id = p.session_id AND m.channel_id = p.channel_id))"
    " WHERE p.session_id = ? GROUP BY p.channel_id, p.user_id";

static int remove_captures(struct store *st, int64_t session_id, char *err, size_t errlen)
{
    int rc = run_ids(st, keep_visits_sql, session_id, 0, 0, NULL, err, errlen);
    /* presence is a view over stays and open_stays (sqlite_schema.c) whose delete trigger
     * works row by row: both go first, and the shared list's presence delete finds none */
    if (!rc)
        rc = run_ids(st, "DELETE FROM stays WHERE session_id = ?", session_id, 0, 0, NULL, err,
                     errlen);
    if (!rc)
        rc = run_ids(st, "DELETE FROM open_stays WHERE session_id = ?", session_id, 0, 0, NULL, err,
                     errlen);
    for (const char *const *sql = store_sql_session_clear; *sql && !rc; sql++)
        rc = run_ids(st, *sql, session_id, 0, 0, NULL, err, errlen);
    /* queued (not running) captures would land in the emptied session */
    if (!rc)
        rc = run_ids(st,
                     "DELETE FROM jobs WHERE state = 0 AND kind IN ('capture', 'enrich')"
                     " AND json_extract(payload, '$.session_id') = ?",
                     session_id, 0, 0, NULL, err, errlen);
    return rc;
}

int sq_session_purge(struct store *st, int64_t session_id, int64_t now_ms, char *err, size_t errlen)
{
    int rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    int changed = 0;
    rc = run_ids(st, "UPDATE sessions SET updated_at = ? WHERE id = ?", now_ms, session_id, 0,
                 &changed, err, errlen);
    if (!rc && changed == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    if (!rc)
        rc = remove_captures(st, session_id, err, errlen);
    if (!rc)
        rc = sq_commit(st, err, errlen);
    if (rc)
        sq_rollback(st);
    return rc;
}

static int delete_locked(struct store *st, int64_t session_id, char *err, size_t errlen)
{
    int rc = remove_captures(st, session_id, err, errlen);
    int changed = 0;
    if (!rc)
        rc = run_ids(st, "DELETE FROM sessions WHERE id = ?", session_id, 0, 0, &changed, err,
                     errlen);
    if (!rc && changed == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such session");
    return rc;
}

int sq_session_delete(struct store *st, int64_t session_id, char *err, size_t errlen)
{
    int rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    rc = delete_locked(st, session_id, err, errlen);
    if (!rc)
        rc = sq_commit(st, err, errlen);
    if (rc)
        sq_rollback(st);
    return rc;
}

int sq_session_sweep(struct store *st, int64_t before_ms, int *removed, char *err, size_t errlen)
{
    if (removed)
        *removed = 0;
    sqlite3_stmt *s;
    /* activity: the session's own updates and its latest capture */
    int rc = prep(st,
                  "SELECT s.id FROM sessions s WHERE s.saved = 0 AND s.updated_at < ?1"
                  " AND COALESCE((SELECT MAX(taken_at) FROM captures c"
                  " WHERE c.session_id = s.id), 0) < ?1 LIMIT 100",
                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, before_ms);
    int64_t ids[100];
    size_t n = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW && n < 100)
        ids[n++] = sqlite3_column_int64(s, 0);
    sqlite3_reset(s);
    if (src != SQLITE_DONE && src != SQLITE_ROW)
        return sq_fail(st, src, err, errlen, "session sweep");
    for (size_t i = 0; i < n; i++) {
        rc = sq_begin(st, err, errlen);
        if (rc)
            return rc;
        rc = delete_locked(st, ids[i], err, errlen);
        if (rc == TCA_ENOTFOUND) /* someone else removed it first */
            rc = 0;
        if (!rc)
            rc = sq_commit(st, err, errlen);
        if (rc) {
            sq_rollback(st);
            return rc;
        }
        if (removed)
            (*removed)++;
    }
    return 0;
}

int sq_session_schedules(struct store *st, int64_t session_id, struct store_schedule **out,
                         size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(st,
                  "SELECT sc.session_id, sc.channel_id, s.user_id, sc.interval_s, sc.next_at,"
                  " sc.stop_at, sc.enabled FROM session_channels sc"
                  " JOIN sessions s ON s.id = sc.session_id WHERE sc.session_id = ?"
                  " ORDER BY sc.channel_id",
                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        struct store_schedule *sch = &(*out)[(*n)++];
        sch->session_id = sqlite3_column_int64(s, 0);
        sch->channel_id = sqlite3_column_int64(s, 1);
        sch->user_id = sqlite3_column_int64(s, 2);
        sch->interval_s = sqlite3_column_int(s, 3);
        sch->next_at_ms = sqlite3_column_int64(s, 4);
        sch->stop_at_ms = sqlite3_column_int64(s, 5);
        sch->enabled = sqlite3_column_int(s, 6);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "session schedules");
    }
    return 0;
}

int sq_session_jobs(struct store *st, int64_t session_id, size_t limit, struct store_job **out,
                    size_t *n, char *err, size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(st,
                  "SELECT id, kind, COALESCE(dedupe_key, ''), payload, state, attempts, run_at,"
                  " lease_until, created_at, updated_at, last_error FROM jobs"
                  " WHERE kind = 'capture' AND json_extract(payload, '$.session_id') = ?"
                  " ORDER BY id DESC LIMIT ?",
                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, session_id);
    sqlite3_bind_int64(s, 2, (int64_t)limit);
    *out = xcalloc(limit ? limit : 1, sizeof **out);
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW && *n < limit) {
        struct store_job *j = &(*out)[(*n)++];
        j->id = sqlite3_column_int64(s, 0);
        sq_copy_text(j->kind, sizeof j->kind, s, 1);
        sq_copy_text(j->dedupe_key, sizeof j->dedupe_key, s, 2);
        j->payload = sq_dup_text(s, 3);
        j->state = (enum store_job_state)sqlite3_column_int(s, 4);
        j->attempts = sqlite3_column_int(s, 5);
        j->run_at_ms = sqlite3_column_int64(s, 6);
        j->lease_until_ms = sqlite3_column_int64(s, 7);
        j->created_at_ms = sqlite3_column_int64(s, 8);
        j->updated_at_ms = sqlite3_column_int64(s, 9);
        j->last_error = sq_dup_text(s, 10);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE && src != SQLITE_ROW) {
        for (size_t i = 0; i < *n; i++)
            store_job_clear(&(*out)[i]);
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "session jobs");
    }
    return 0;
}

int sq_job_oldest_due(struct store *st, int64_t now_ms, int64_t *age_ms, char *err, size_t errlen)
{
    int64_t oldest = 0;
    int rc =
        count_one(st, "SELECT COALESCE(MIN(run_at), 0) FROM jobs WHERE state = 0 AND run_at <= ?",
                  now_ms, 0, &oldest, err, errlen);
    if (rc)
        return rc;
    *age_ms = oldest > 0 ? now_ms - oldest : 0;
    return 0;
}

int sq_live_watch_set(struct store *st, const struct store_live_watch *w, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = prep(st,
                  "INSERT INTO live_watches(session_id, channel_id, user_id, interval_s, live)"
                  " VALUES(?, ?, ?, ?, ?) ON CONFLICT(session_id, channel_id) DO UPDATE SET"
                  " user_id = excluded.user_id, interval_s = excluded.interval_s,"
                  " live = excluded.live",
                  &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, w->session_id);
    sqlite3_bind_int64(s, 2, w->channel_id);
    sqlite3_bind_int64(s, 3, w->user_id);
    sqlite3_bind_int(s, 4, w->interval_s);
    sqlite3_bind_int(s, 5, w->live ? 1 : 0);
    rc = sqlite3_step(s);
    sqlite3_reset(s);
    return rc == SQLITE_DONE ? 0 : sq_fail(st, rc, err, errlen, "live watch set");
}

int sq_live_watch_stop(struct store *st, int64_t session_id, int64_t channel_id, char *err,
                       size_t errlen)
{
    int changed = 0;
    int rc = run_ids(st, "DELETE FROM live_watches WHERE session_id = ? AND channel_id = ?",
                     session_id, channel_id, 0, &changed, err, errlen);
    if (!rc && changed == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no live watch on this channel");
    return rc;
}

int sq_live_watch_list(struct store *st, struct store_live_watch **out, size_t *n, char *err,
                       size_t errlen)
{
    *out = NULL;
    *n = 0;
    sqlite3_stmt *s;
    int rc = prep(st,
                  "SELECT w.session_id, w.channel_id, w.user_id, w.interval_s, w.live"
                  " FROM live_watches w JOIN sessions s ON s.id = w.session_id"
                  " WHERE s.active = 1 ORDER BY w.session_id, w.channel_id",
                  &s, err, errlen);
    if (rc)
        return rc;
    size_t cap = 0;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        *out = xgrow(*out, &cap, *n, sizeof **out, 8);
        struct store_live_watch *w = &(*out)[(*n)++];
        w->session_id = sqlite3_column_int64(s, 0);
        w->channel_id = sqlite3_column_int64(s, 1);
        w->user_id = sqlite3_column_int64(s, 2);
        w->interval_s = sqlite3_column_int(s, 3);
        w->live = sqlite3_column_int(s, 4);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE) {
        free(*out);
        *out = NULL;
        *n = 0;
        return sq_fail(st, src, err, errlen, "live watch list");
    }
    return 0;
}
