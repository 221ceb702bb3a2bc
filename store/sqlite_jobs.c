/*
 * The embedded job queue: durable jobs with a lease, retries and a dead-letter state, so a
 * crashed worker's job is claimed again once its lease runs out. Must never run a job itself.
 */
#include "store/sqlite_internal.h"
#include "base/clock.h"
#include "base/err.h"

#include <stdlib.h>
#include <string.h>

#define JOB_COLUMNS                                                                                \
    "id, kind, dedupe_key, payload, state, attempts, run_at, lease_until, created_at,"             \
    " updated_at, last_error"

static void read_job(sqlite3_stmt *s, struct store_job *out)
{
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(s, 0);
    sq_copy_text(out->kind, sizeof out->kind, s, 1);
    sq_copy_text(out->dedupe_key, sizeof out->dedupe_key, s, 2);
    out->payload = sq_dup_text(s, 3);
    out->state = (enum store_job_state)sqlite3_column_int(s, 4);
    out->attempts = sqlite3_column_int(s, 5);
    out->run_at_ms = sqlite3_column_int64(s, 6);
    out->lease_until_ms = sqlite3_column_int64(s, 7);
    out->created_at_ms = sqlite3_column_int64(s, 8);
    out->updated_at_ms = sqlite3_column_int64(s, 9);
    out->last_error = sq_dup_text(s, 10);
}

int sq_job_enqueue(struct store *st, const char *kind, const char *dedupe_key, const char *payload,
                   int64_t run_at_ms, int64_t *job_id, char *err, size_t errlen)
{
    *job_id = 0;
    sqlite3_stmt *ins, *find;
    int rc = sq_stmt(st,
                     "INSERT INTO jobs(kind, dedupe_key, payload, state, attempts, run_at,"
                     " created_at, updated_at) VALUES(?, ?, ?, 0, 0, ?, ?, ?)",
                     &ins, err, errlen);
    if (!rc)
        rc = sq_stmt(st, "SELECT id FROM jobs WHERE dedupe_key = ? AND state IN (0, 1)", &find, err,
                     errlen);
    if (rc)
        return rc;
    int64_t now = clock_wall_ms();
    rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(ins, 1, kind, -1, SQLITE_STATIC);
    if (dedupe_key)
        sqlite3_bind_text(ins, 2, dedupe_key, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(ins, 2);
    sqlite3_bind_text(ins, 3, payload ? payload : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 4, run_at_ms);
    sqlite3_bind_int64(ins, 5, now);
    sqlite3_bind_int64(ins, 6, now);
    int src = sqlite3_step(ins);
    sqlite3_reset(ins);
    if (src == SQLITE_DONE) {
        *job_id = sqlite3_last_insert_rowid(sq_conn(st)->db);
        rc = sq_commit(st, err, errlen);
    } else if (src == SQLITE_CONSTRAINT_UNIQUE && dedupe_key) {
        sqlite3_bind_text(find, 1, dedupe_key, -1, SQLITE_STATIC);
        if (sqlite3_step(find) == SQLITE_ROW)
            *job_id = sqlite3_column_int64(find, 0);
        sqlite3_reset(find);
        rc =
            tca_fail(err, errlen, TCA_ECONFLICT, "a job with key %s is already queued", dedupe_key);
    } else {
        rc = sq_fail(st, src, err, errlen, "job enqueue");
    }
    if (rc)
        sq_rollback(st);
    return rc;
}

int sq_job_claim(struct store *st, int64_t now_ms, int64_t lease_ms, struct store_job *out,
                 char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s;
    /* The oldest due job of each kind of candidate, then the older of the two: each branch
     * reads one row of jobs_due instead of sorting the whole backlog on every claim. */
    int rc = sq_stmt(st,
                     "UPDATE jobs SET state = 1, attempts = attempts + 1, lease_until = ?1 + ?2,"
                     " updated_at = ?1 WHERE id = (SELECT id FROM ("
                     "  SELECT * FROM (SELECT id, run_at FROM jobs WHERE state = 0"
                     "   AND run_at <= ?1 ORDER BY run_at, id LIMIT 1)"
                     "  UNION ALL"
                     "  SELECT * FROM (SELECT id, run_at FROM jobs WHERE state = 1"
                     "   AND lease_until < ?1 ORDER BY run_at, id LIMIT 1))"
                     " ORDER BY run_at, id LIMIT 1) RETURNING " JOB_COLUMNS,
                     &s, err, errlen);
    if (rc)
        return rc;
    rc = sq_begin(st, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, now_ms);
    sqlite3_bind_int64(s, 2, lease_ms);
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW) {
        read_job(s, out);
        src = sqlite3_step(s);
    }
    sqlite3_reset(s);
    if (src != SQLITE_DONE)
        rc = sq_fail(st, src, err, errlen, "job claim");
    else if (!out->id)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no job is due");
    else
        rc = sq_commit(st, err, errlen);
    if (rc) {
        sq_rollback(st);
        store_job_clear(out);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* Runs a one-row UPDATE of a job by id; TCA_ENOTFOUND when no such job is in that state. */
static int update_job(struct store *st, sqlite3_stmt *s, const char *what, char *err, size_t errlen)
{
    int rc = sq_run(st, s, err, errlen, what);
    if (!rc && sqlite3_changes(sq_conn(st)->db) == 0)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "%s: no such job", what);
    return rc;
}

int sq_job_extend(struct store *st, int64_t job_id, int64_t lease_until_ms, char *err,
                  size_t errlen)
{
    sqlite3_stmt *s;
    int rc =
        sq_stmt(st, "UPDATE jobs SET lease_until = ?, updated_at = ? WHERE id = ? AND state = 1",
                &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, lease_until_ms);
    sqlite3_bind_int64(s, 2, clock_wall_ms());
    sqlite3_bind_int64(s, 3, job_id);
    return update_job(st, s, "job extend", err, errlen);
}

int sq_job_done(struct store *st, int64_t job_id, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st, "UPDATE jobs SET state = 2, lease_until = 0, updated_at = ? WHERE id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, clock_wall_ms());
    sqlite3_bind_int64(s, 2, job_id);
    return update_job(st, s, "job done", err, errlen);
}

int sq_job_retry(struct store *st, int64_t job_id, const char *error, int64_t run_at_ms, char *err,
                 size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "UPDATE jobs SET state = 0, run_at = ?, lease_until = 0, last_error = ?,"
                     " updated_at = ? WHERE id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, run_at_ms);
    sqlite3_bind_text(s, 2, error ? error : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 3, clock_wall_ms());
    sqlite3_bind_int64(s, 4, job_id);
    return update_job(st, s, "job retry", err, errlen);
}

int sq_job_fail(struct store *st, int64_t job_id, const char *error, char *err, size_t errlen)
{
    sqlite3_stmt *s;
    int rc = sq_stmt(st,
                     "UPDATE jobs SET state = 3, lease_until = 0, last_error = ?, updated_at = ?"
                     " WHERE id = ?",
                     &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_text(s, 1, error ? error : "", -1, SQLITE_STATIC);
    sqlite3_bind_int64(s, 2, clock_wall_ms());
    sqlite3_bind_int64(s, 3, job_id);
    return update_job(st, s, "job fail", err, errlen);
}

int sq_job_get(struct store *st, int64_t job_id, struct store_job *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *s;
    int rc = sq_stmt(st, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", &s, err, errlen);
    if (rc)
        return rc;
    sqlite3_bind_int64(s, 1, job_id);
    int src = sqlite3_step(s);
    if (src == SQLITE_ROW)
        read_job(s, out);
    else if (src == SQLITE_DONE)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such job");
    else
        rc = sq_fail(st, src, err, errlen, "job get");
    sqlite3_reset(s);
    return rc;
}

int sq_job_counts(struct store *st, int64_t counts[4], char *err, size_t errlen)
{
    memset(counts, 0, 4 * sizeof *counts);
    sqlite3_stmt *s;
    int rc = sq_stmt(st, "SELECT state, COUNT(*) FROM jobs GROUP BY state", &s, err, errlen);
    if (rc)
        return rc;
    int src;
    while ((src = sqlite3_step(s)) == SQLITE_ROW) {
        int state = sqlite3_column_int(s, 0);
        if (state >= 0 && state < 4)
            counts[state] = sqlite3_column_int64(s, 1);
    }
    sqlite3_reset(s);
    return src == SQLITE_DONE ? 0 : sq_fail(st, src, err, errlen, "job counts");
}
