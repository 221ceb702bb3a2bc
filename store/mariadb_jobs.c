/*
 * MariaDB: the job queue, in the store rather than in Redis streams, because a capture and
 * its job's completion commit in one transaction: that is what keeps "stored exactly once"
 * when a worker dies between writing a capture and acknowledging its job. Workers claim with
 * SELECT ... FOR UPDATE SKIP LOCKED, so N workers never wait on each other's claims. Must
 * never run a job itself.
 */
#include "store/mariadb_internal.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define JOB_COLUMNS                                                                                \
    "id, kind, dedupe_key, payload, state, attempts, run_at, lease_until, created_at,"             \
    " updated_at, last_error"

void my_read_job(const struct my_rows *r, struct store_job *out)
{
    memset(out, 0, sizeof *out);
    out->id = my_int(r, 0);
    my_text(r, 1, out->kind, sizeof out->kind);
    my_text(r, 2, out->dedupe_key, sizeof out->dedupe_key);
    out->payload = my_dup(r, 3);
    out->state = (enum store_job_state)my_int(r, 4);
    out->attempts = (int)my_int(r, 5);
    out->run_at_ms = my_int(r, 6);
    out->lease_until_ms = my_int(r, 7);
    out->created_at_ms = my_int(r, 8);
    out->updated_at_ms = my_int(r, 9);
    out->last_error = my_dup(r, 10);
}

int my_job_enqueue(struct store *st, const char *kind, const char *dedupe_key, const char *payload,
                   int64_t run_at_ms, int64_t *job_id, char *err, size_t errlen)
{
    *job_id = 0;
    int64_t now = clock_wall_ms();
    int rc = my_exec(st,
                     "INSERT INTO jobs(kind, dedupe_key, payload, state, attempts, run_at,"
                     " created_at, updated_at) VALUES(?, ?, ?, 0, 0, ?, ?, ?)",
                     MY_ARGS(MY_TEXT(kind), MY_TEXT(dedupe_key), MY_TEXT(payload ? payload : ""),
                             MY_INT(run_at_ms), MY_INT(now), MY_INT(now)),
                     NULL, job_id, err, errlen);
    if (rc == TCA_ECONFLICT && dedupe_key) {
        char ignored[64];
        my_query_int(st, "SELECT id FROM jobs WHERE dedupe_live = ?", MY_ARGS(MY_TEXT(dedupe_key)),
                     job_id, ignored, sizeof ignored);
        return tca_fail(err, errlen, TCA_ECONFLICT, "a job with key %s is already queued",
                        dedupe_key);
    }
    return rc;
}

/*
 * The oldest due job (queued and due, or else running with an expired lease), locked. Two
 * queries, each one range of the index jobs_due(state, run_at): one query with the OR made
 * InnoDB walk (and lock) the done jobs too, 2.7 ms a claim and deadlocks between 4 claimers
 * at 3,000 jobs (bench_queue).
 */
static int claim_candidate(struct store *st, int64_t now_ms, int64_t *id, char *err, size_t errlen)
{
    int rc = my_query_int(st,
                          "SELECT id FROM jobs WHERE state = 0 AND run_at <= ?"
                          " ORDER BY state, run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                          MY_ARGS(MY_INT(now_ms)), id, err, errlen);
    if (rc != TCA_ENOTFOUND)
        return rc;
    return my_query_int(st,
                        "SELECT id FROM jobs WHERE state = 1 AND lease_until < ?"
                        " ORDER BY state, run_at, id LIMIT 1 FOR UPDATE SKIP LOCKED",
                        MY_ARGS(MY_INT(now_ms)), id, err, errlen);
}

int my_job_claim(struct store *st, int64_t now_ms, int64_t lease_ms, struct store_job *out,
                 char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    int rc = my_begin(st, err, errlen);
    if (rc)
        return rc;
    int64_t id = 0;
    rc = claim_candidate(st, now_ms, &id, err, errlen);
    if (rc == TCA_ENOTFOUND)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no job is due");
    if (!rc)
        rc = my_exec(st,
                     "UPDATE jobs SET state = 1, attempts = attempts + 1, lease_until = ?,"
                     " updated_at = ? WHERE id = ?",
                     MY_ARGS(MY_INT(now_ms + lease_ms), MY_INT(now_ms), MY_INT(id)), NULL, NULL,
                     err, errlen);
    if (!rc)
        rc = my_job_get(st, id, out, err, errlen);
    if (!rc)
        rc = my_commit(st, err, errlen);
    if (rc) {
        my_rollback(st);
        store_job_clear(out);
        memset(out, 0, sizeof *out);
    }
    return rc;
}

/* Runs a one-row UPDATE of a job by id; TCA_ENOTFOUND when no such job is in that state. */
static int update_job(struct store *st, const char *sql, const struct my_val *args, size_t n,
                      const char *what, char *err, size_t errlen)
{
    uint64_t changed = 0;
    int rc = my_exec(st, sql, args, n, &changed, NULL, err, errlen);
    if (!rc && !changed)
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "%s: no such job", what);
    return rc;
}

int my_job_extend(struct store *st, int64_t job_id, int64_t lease_until_ms, char *err,
                  size_t errlen)
{
    return update_job(st,
                      "UPDATE jobs SET lease_until = ?, updated_at = ? WHERE id = ? AND state = 1",
                      MY_ARGS(MY_INT(lease_until_ms), MY_INT(clock_wall_ms()), MY_INT(job_id)),
                      "job extend", err, errlen);
}

int my_job_done(struct store *st, int64_t job_id, char *err, size_t errlen)
{
    return update_job(st, "UPDATE jobs SET state = 2, lease_until = 0, updated_at = ? WHERE id = ?",
                      MY_ARGS(MY_INT(clock_wall_ms()), MY_INT(job_id)), "job done", err, errlen);
}

int my_job_retry(struct store *st, int64_t job_id, const char *error, int64_t run_at_ms, char *err,
                 size_t errlen)
{
    return update_job(st,
                      "UPDATE jobs SET state = 0, run_at = ?, lease_until = 0, last_error = ?,"
                      " updated_at = ? WHERE id = ?",
                      MY_ARGS(MY_INT(run_at_ms), MY_TEXT(error ? error : ""),
                              MY_INT(clock_wall_ms()), MY_INT(job_id)),
                      "job retry", err, errlen);
}

int my_job_fail(struct store *st, int64_t job_id, const char *error, char *err, size_t errlen)
{
    return update_job(st,
                      "UPDATE jobs SET state = 3, lease_until = 0, last_error = ?, updated_at = ?"
                      " WHERE id = ?",
                      MY_ARGS(MY_TEXT(error ? error : ""), MY_INT(clock_wall_ms()), MY_INT(job_id)),
                      "job fail", err, errlen);
}

int my_job_get(struct store *st, int64_t job_id, struct store_job *out, char *err, size_t errlen)
{
    memset(out, 0, sizeof *out);
    struct my_rows r;
    int rc = my_query(st, "SELECT " JOB_COLUMNS " FROM jobs WHERE id = ?", MY_ARGS(MY_INT(job_id)),
                      &r, err, errlen);
    if (rc)
        return rc;
    rc = my_next(&r, err, errlen);
    if (rc == 1) {
        my_read_job(&r, out);
        rc = 0;
    } else if (rc == 0) {
        rc = tca_fail(err, errlen, TCA_ENOTFOUND, "no such job");
    }
    my_done(&r);
    return rc;
}

int my_job_counts(struct store *st, int64_t counts[4], char *err, size_t errlen)
{
    memset(counts, 0, 4 * sizeof *counts);
    struct my_rows r;
    int rc =
        my_query(st, "SELECT state, COUNT(*) FROM jobs GROUP BY state", MY_NOARGS, &r, err, errlen);
    if (rc)
        return rc;
    while ((rc = my_next(&r, err, errlen)) == 1) {
        int64_t state = my_int(&r, 0);
        if (state >= 0 && state < 4)
            counts[state] = my_int(&r, 1);
    }
    my_done(&r);
    return rc < 0 ? rc : 0;
}

int my_job_oldest_due(struct store *st, int64_t now_ms, int64_t *age_ms, char *err, size_t errlen)
{
    int64_t oldest = 0;
    *age_ms = 0;
    int rc = my_query_int(
        st, "SELECT COALESCE(MIN(run_at), 0) FROM jobs WHERE state = 0 AND run_at <= ?",
        MY_ARGS(MY_INT(now_ms)), &oldest, err, errlen);
    if (!rc && oldest > 0)
        *age_ms = now_ms - oldest;
    return rc;
}
