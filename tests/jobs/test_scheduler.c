/* The scheduler queues one capture per due schedule, never two for one channel at once, and
 * skips missed slots instead of piling them up. Runs on a real SQLite file. */
#include "tests/support/testutil.h"
#include "base/err.h"
#include "jobs/scheduler.h"
#include "jobs/worker.h"

#include <stdlib.h>
#include <string.h>

struct fixture {
    char *dir;
    char *path;
    struct store *st;
    int64_t session_id;
};

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    char err[256];
    f->dir = test_tmpdir();
    f->path = malloc(strlen(f->dir) + 16);
    strcpy(f->path, f->dir);
    strcat(f->path, "/tca.db");
    assert_int_equal(store_open(f->path, &f->st, err, sizeof err), 0);
    struct store_user u = {.id = 10001, .last_login_ms = 1000};
    strcpy(u.login, "demo_mod");
    strcpy(u.display_name, "demo_mod");
    assert_int_equal(store_user_upsert(f->st, &u, err, sizeof err), 0);
    struct store_channel c = {.id = 20003};
    strcpy(c.login, "big_channel");
    strcpy(c.display_name, "big_channel");
    assert_int_equal(store_channel_upsert(f->st, &c, err, sizeof err), 0);
    assert_int_equal(store_session_active(f->st, 10001, 1000, &f->session_id, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->st);
    free(f->path);
    free(f->dir);
    free(f);
    return 0;
}

static void schedule(struct fixture *f, int interval_s, int64_t next_at)
{
    struct store_schedule s = {.session_id = f->session_id,
                               .channel_id = 20003,
                               .user_id = 10001,
                               .interval_s = interval_s,
                               .next_at_ms = next_at,
                               .enabled = 1};
    assert_int_equal(store_schedule_set(f->st, &s, NULL, 0), 0);
}

static void due_schedule_queues_one_capture_and_moves_on(void **state)
{
    struct fixture *f = *state;
    int queued = -1;
    schedule(f, 60, 10000);
    assert_int_equal(scheduler_tick(f->st, 9999, &queued, NULL, NULL, 0), 0);
    assert_int_equal(queued, 0);
    assert_int_equal(scheduler_tick(f->st, 10000, &queued, NULL, NULL, 0), 0);
    assert_int_equal(queued, 1);
    int64_t counts[4];
    assert_int_equal(store_job_counts(f->st, counts, NULL, 0), 0);
    assert_int_equal(counts[JOB_QUEUED], 1);
    /* next slot is 70 s; nothing due before it */
    assert_int_equal(scheduler_tick(f->st, 69999, &queued, NULL, NULL, 0), 0);
    assert_int_equal(queued, 0);
}

static void channel_with_a_capture_in_flight_gets_no_second_one(void **state)
{
    struct fixture *f = *state;
    int queued = -1;
    schedule(f, 1, 0);
    assert_int_equal(scheduler_tick(f->st, 1000, &queued, NULL, NULL, 0), 0);
    assert_int_equal(queued, 1);
    assert_int_equal(scheduler_tick(f->st, 2000, &queued, NULL, NULL, 0), 0);
    assert_int_equal(queued, 0);
    struct store_job job = {0};
    assert_int_equal(store_job_claim(f->st, 2000, 60000, &job, NULL, 0), 0);
    assert_int_equal(scheduler_tick(f->st, 3000, &queued, NULL, NULL, 0), 0);
    assert_int_equal(queued, 0);
    assert_int_equal(store_job_done(f->st, job.id, NULL, 0), 0);
    store_job_clear(&job);
    assert_int_equal(scheduler_tick(f->st, 4000, &queued, NULL, NULL, 0), 0);
    assert_int_equal(queued, 1);
}

static void missed_slots_are_skipped_not_piled_up(void **state)
{
    struct fixture *f = *state;
    int queued = -1;
    int64_t lag = -1;
    schedule(f, 10, 0);
    /* an hour late: one capture now, the next one interval from now; the lag says how late */
    assert_int_equal(scheduler_tick(f->st, 3600000, &queued, &lag, NULL, 0), 0);
    assert_int_equal(queued, 1);
    assert_int_equal(lag, 3600000);
    struct store_job job = {0};
    assert_int_equal(store_job_claim(f->st, 3600000, 60000, &job, NULL, 0), 0);
    assert_int_equal(store_job_done(f->st, job.id, NULL, 0), 0);
    store_job_clear(&job);
    assert_int_equal(scheduler_tick(f->st, 3600001, &queued, NULL, NULL, 0), 0);
    assert_int_equal(queued, 0);
    assert_int_equal(scheduler_tick(f->st, 3610250, &queued, &lag, NULL, 0), 0);
    assert_int_equal(queued, 1);
    assert_int_equal(lag, 250);
}

static void stopped_schedule_queues_nothing(void **state)
{
    struct fixture *f = *state;
    int queued = -1;
    schedule(f, 10, 0);
    assert_int_equal(store_schedule_stop(f->st, f->session_id, 20003, NULL, 0), 0);
    assert_int_equal(scheduler_tick(f->st, 100000, &queued, NULL, NULL, 0), 0);
    assert_int_equal(queued, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(due_schedule_queues_one_capture_and_moves_on, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(channel_with_a_capture_in_flight_gets_no_second_one, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(missed_slots_are_skipped_not_piled_up, setup, teardown),
        cmocka_unit_test_setup_teardown(stopped_schedule_queues_nothing, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
