/*
 * Store contract, part 2: the job queue. Deduplication, claim order, leases that expire,
 * retries and the dead-letter state. Written only against store/store.h; real database files.
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int64_t enqueue(struct store *st, const char *key, int64_t run_at)
{
    int64_t id = 0;
    char err[256];
    assert_int_equal(
        store_job_enqueue(st, "capture", key, "{\"channel\":1}", run_at, &id, err, sizeof err), 0);
    assert_true(id > 0);
    return id;
}

static void a_second_job_with_a_pending_key_is_refused_with_the_first_id(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t first = enqueue(f->st, "capture:1:500", 1000);
    int64_t dup = 0;
    assert_int_equal(
        store_job_enqueue(f->st, "capture", "capture:1:500", "{}", 2000, &dup, err, sizeof err),
        TCA_ECONFLICT);
    assert_int_equal(dup, first);

    /* Still refused while it runs; accepted again once it is done. */
    struct store_job j;
    assert_int_equal(store_job_claim(f->st, 1000, 30000, &j, err, sizeof err), 0);
    store_job_clear(&j);
    assert_int_equal(
        store_job_enqueue(f->st, "capture", "capture:1:500", "{}", 2000, &dup, err, sizeof err),
        TCA_ECONFLICT);
    assert_int_equal(store_job_done(f->st, first, err, sizeof err), 0);
    int64_t next = enqueue(f->st, "capture:1:500", 3000);
    assert_true(next != first);

    /* Jobs without a key never conflict. */
    enqueue(f->st, NULL, 1);
    enqueue(f->st, NULL, 1);
    int64_t counts[4];
    assert_int_equal(store_job_counts(f->st, counts, err, sizeof err), 0);
    assert_int_equal(counts[JOB_QUEUED], 3);
    assert_int_equal(counts[JOB_DONE], 1);
}

static void the_oldest_due_job_is_claimed_first(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t late = enqueue(f->st, "late", 3000);
    int64_t early = enqueue(f->st, "early", 1000);
    int64_t middle = enqueue(f->st, "middle", 2000);
    enqueue(f->st, "future", 999999);
    struct store_job j;
    int64_t order[3];
    for (int i = 0; i < 3; i++) {
        assert_int_equal(store_job_claim(f->st, 5000, 30000, &j, err, sizeof err), 0);
        order[i] = j.id;
        assert_int_equal(j.state, JOB_RUNNING);
        assert_int_equal(j.attempts, 1);
        assert_int_equal(j.lease_until_ms, 35000);
        assert_string_equal(j.kind, "capture");
        assert_string_equal(j.payload, "{\"channel\":1}");
        store_job_clear(&j);
    }
    assert_int_equal(order[0], early);
    assert_int_equal(order[1], middle);
    assert_int_equal(order[2], late);
    assert_int_equal(store_job_claim(f->st, 5000, 30000, &j, err, sizeof err), TCA_ENOTFOUND);
}

static void an_expired_lease_is_claimed_again_with_one_more_attempt(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t id = enqueue(f->st, "k", 1000);
    struct store_job j;
    assert_int_equal(store_job_claim(f->st, 1000, 10000, &j, err, sizeof err), 0);
    store_job_clear(&j);
    /* The lease still holds: nobody else may take it. */
    assert_int_equal(store_job_claim(f->st, 10999, 10000, &j, err, sizeof err), TCA_ENOTFOUND);
    /* A heartbeat extends it. */
    assert_int_equal(store_job_extend(f->st, id, 20000, err, sizeof err), 0);
    assert_int_equal(store_job_claim(f->st, 15000, 10000, &j, err, sizeof err), TCA_ENOTFOUND);
    /* The worker died: after the lease, the job comes back. */
    assert_int_equal(store_job_claim(f->st, 20001, 10000, &j, err, sizeof err), 0);
    assert_int_equal(j.id, id);
    assert_int_equal(j.attempts, 2);
    assert_int_equal(j.lease_until_ms, 30001);
    store_job_clear(&j);
}

static void retry_and_fail_keep_the_error_and_done_finishes(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t id = enqueue(f->st, "k", 1000);
    struct store_job j;
    assert_int_equal(store_job_claim(f->st, 1000, 10000, &j, err, sizeof err), 0);
    store_job_clear(&j);
    assert_int_equal(store_job_retry(f->st, id, "twitch 503", 5000, err, sizeof err), 0);
    assert_int_equal(store_job_get(f->st, id, &j, err, sizeof err), 0);
    assert_int_equal(j.state, JOB_QUEUED);
    assert_int_equal(j.run_at_ms, 5000);
    assert_string_equal(j.last_error, "twitch 503");
    store_job_clear(&j);
    assert_int_equal(store_job_claim(f->st, 4999, 10000, &j, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_job_claim(f->st, 5000, 10000, &j, err, sizeof err), 0);
    assert_int_equal(j.attempts, 2);
    assert_string_equal(j.last_error, "twitch 503");
    store_job_clear(&j);

    assert_int_equal(store_job_fail(f->st, id, "not a moderator", err, sizeof err), 0);
    assert_int_equal(store_job_get(f->st, id, &j, err, sizeof err), 0);
    assert_int_equal(j.state, JOB_FAILED);
    assert_string_equal(j.last_error, "not a moderator");
    store_job_clear(&j);
    /* A dead job is never claimed, and frees its key. */
    assert_int_equal(store_job_claim(f->st, 999999, 10000, &j, err, sizeof err), TCA_ENOTFOUND);
    enqueue(f->st, "k", 1);

    int64_t other = enqueue(f->st, "other", 1);
    assert_int_equal(store_job_done(f->st, other, err, sizeof err), 0);
    assert_int_equal(store_job_get(f->st, other, &j, err, sizeof err), 0);
    assert_int_equal(j.state, JOB_DONE);
    assert_null(j.last_error);
    store_job_clear(&j);
    int64_t counts[4];
    assert_int_equal(store_job_counts(f->st, counts, err, sizeof err), 0);
    assert_int_equal(counts[JOB_QUEUED], 1);
    assert_int_equal(counts[JOB_RUNNING], 0);
    assert_int_equal(counts[JOB_DONE], 1);
    assert_int_equal(counts[JOB_FAILED], 1);
}

static void unknown_jobs_are_not_found(void **state)
{
    struct test_store *f = *state;
    char err[256];
    struct store_job j;
    assert_int_equal(store_job_get(f->st, 77, &j, err, sizeof err), TCA_ENOTFOUND);
    store_job_clear(&j);
    assert_int_equal(store_job_done(f->st, 77, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_job_retry(f->st, 77, "x", 1, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_job_fail(f->st, 77, "x", err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_job_extend(f->st, 77, 1, err, sizeof err), TCA_ENOTFOUND);
}

static void two_connections_never_claim_the_same_job(void **state)
{
    struct test_store *f = *state;
    char err[256];
    struct store *other;
    assert_int_equal(store_open(f->url, &other, err, sizeof err), 0);
    int64_t a = enqueue(f->st, "a", 1);
    int64_t b = enqueue(f->st, "b", 2);
    struct store_job j1, j2, j3;
    assert_int_equal(store_job_claim(f->st, 10, 1000, &j1, err, sizeof err), 0);
    assert_int_equal(store_job_claim(other, 10, 1000, &j2, err, sizeof err), 0);
    assert_int_equal(j1.id, a);
    assert_int_equal(j2.id, b);
    assert_int_equal(store_job_claim(other, 10, 1000, &j3, err, sizeof err), TCA_ENOTFOUND);
    store_job_clear(&j1);
    store_job_clear(&j2);
    store_close(other);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, test_store_open_fresh, test_store_close_fresh)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(a_second_job_with_a_pending_key_is_refused_with_the_first_id),
        T(the_oldest_due_job_is_claimed_first),
        T(an_expired_lease_is_claimed_again_with_one_more_attempt),
        T(retry_and_fail_keep_the_error_and_done_finishes),
        T(unknown_jobs_are_not_found),
        T(two_connections_never_claim_the_same_job),
    };
    return test_store_run("store_jobs", tests, sizeof tests / sizeof *tests);
}
