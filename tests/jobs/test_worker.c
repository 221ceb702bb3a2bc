/*
 * The worker against a real simulated Twitch (in-process, loopback) and a real SQLite file:
 * capture jobs store whole captures, enrichment fills profiles, a user who is not a moderator
 * dead-letters the job and stops the schedule, and a crashed worker's job is retried after
 * its lease and stored exactly once.
 */
#include "tests/support/testutil.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/tca_metrics.h"
#include "base/xalloc.h"
#include "jobs/scheduler.h"
#include "twitch/user_token.h"
#include "jobs/worker.h"
#include "sim/sim.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "dGNhLXVuaXQtdGVzdC1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg=="

struct fake_time {
    int64_t offset_ms; /* added to the real clock: lets a test jump past a lease */
};

static int64_t fake_now(void *ctx)
{
    return clock_wall_ms() + ((struct fake_time *)ctx)->offset_ms;
}

static void fake_sleep(void *ctx, int64_t ms)
{
    (void)ctx;
    clock_sleep_ms(ms > 50 ? 50 : ms);
}

struct fixture {
    struct sim *sim;
    char *api, *auth, *dir, *db;
    struct store *st;
    struct crypto_keys keys;
    struct twitch_client *tw;
    struct fake_time time;
    struct worker_env env;
    int64_t session_id;
};

static void log_in(struct fixture *f, const char *login, int64_t *user_id)
{
    struct twitch_settings ts = {.api_base = f->api,
                                 .auth_base = f->auth,
                                 .client_id = "tca-sim-client",
                                 .client_secret = "tca-sim-secret",
                                 .clock = f->env.clock};
    struct twitch_client *tw = twitch_client_new(&ts);
    struct twitch_device d;
    struct twitch_token tok = {0};
    char err[256];
    assert_int_equal(twitch_device_start(tw, TWITCH_SCOPES, &d, err, sizeof err), 0);
    /* The simulator approves a device code on its second poll, as `default_login`. */
    int rc = twitch_device_poll(tw, &d, &tok, err, sizeof err);
    if (rc == TCA_ETEMP)
        rc = twitch_device_poll(tw, &d, &tok, err, sizeof err);
    assert_int_equal(rc, 0);
    assert_int_equal(twitch_oauth_validate(tw, &tok, err, sizeof err), 0);
    assert_string_equal(tok.login, login);
    struct store_user u = {.id = tok.user_id, .last_login_ms = clock_wall_ms()};
    snprintf(u.login, sizeof u.login, "%s", tok.login);
    snprintf(u.display_name, sizeof u.display_name, "%s", tok.login);
    assert_int_equal(store_user_upsert(f->st, &u, err, sizeof err), 0);
    assert_int_equal(user_token_save(f->st, &f->keys, &tok, clock_wall_ms(), err, sizeof err), 0);
    *user_id = tok.user_id;
    twitch_token_clear(&tok);
    twitch_client_free(tw);
}

static int setup_as(void **state, const char *login)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    struct sim_options so;
    char err[256];
    int port = 0;
    sim_options_default(&so);
    so.manual_clock = 1;
    so.default_login = login;
    f->sim = sim_new(&so);
    assert_int_equal(sim_start(f->sim, "127.0.0.1:0", &port, err, sizeof err), 0);
    f->api = xasprintf("http://127.0.0.1:%d/helix", port);
    f->auth = xasprintf("http://127.0.0.1:%d/oauth2", port);
    f->dir = test_tmpdir();
    f->db = xasprintf("%s/tca.db", f->dir);
    assert_int_equal(store_open(f->db, &f->st, err, sizeof err), 0);
    assert_int_equal(crypto_keys_derive(SECRET, &f->keys, err, sizeof err), 0);
    f->env.clock = (struct clock){.now_ms = fake_now, .sleep_ms = fake_sleep, .ctx = &f->time};
    struct twitch_settings ts = {.api_base = f->api,
                                 .auth_base = f->auth,
                                 .client_id = "tca-sim-client",
                                 .client_secret = "tca-sim-secret",
                                 .clock = f->env.clock};
    f->tw = twitch_client_new(&ts);
    f->env.st = f->st;
    f->env.tw = f->tw;
    f->env.keys = &f->keys;
    f->env.lease_ms = 60000;
    f->env.metrics = tca_metrics_new();
    int64_t user_id;
    log_in(f, login, &user_id);
    static const struct {
        int64_t id;
        const char *login;
    } channels[] = {{20001, "tiny_channel"}, {20002, "cozy_channel"}, {20003, "big_channel"}};
    for (size_t i = 0; i < sizeof channels / sizeof *channels; i++) {
        struct store_channel c = {.id = channels[i].id};
        snprintf(c.login, sizeof c.login, "%s", channels[i].login);
        snprintf(c.display_name, sizeof c.display_name, "%s", channels[i].login);
        assert_int_equal(store_channel_upsert(f->st, &c, err, sizeof err), 0);
    }
    assert_int_equal(
        store_session_active(f->st, user_id, clock_wall_ms(), &f->session_id, err, sizeof err), 0);
    *state = f;
    return 0;
}

static int setup_mod(void **state)
{
    return setup_as(state, "demo_mod");
}

static int setup_other(void **state)
{
    return setup_as(state, "other_mod");
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    twitch_client_free(f->tw);
    metrics_free(f->env.metrics);
    store_close(f->st);
    sim_free(f->sim);
    free(f->api);
    free(f->auth);
    free(f->db);
    free(f->dir);
    free(f);
    return 0;
}

/* The value of one series in the worker's metrics, e.g. "tca_workers_busy"; -1 if absent. */
static double metric(struct fixture *f, const char *series)
{
    struct buf b;
    buf_init(&b, 0);
    metrics_render(f->env.metrics, clock_wall_ms(), &b);
    size_t n = strlen(series);
    double v = -1;
    for (const char *p = b.data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
        if (strncmp(p, series, n) == 0 && p[n] == ' ')
            v = strtod(p + n + 1, NULL);
    buf_free(&b);
    return v;
}

static int run_until_idle(struct fixture *f, struct worker_outcome *last_capture)
{
    int ran = 0;
    struct worker_outcome o;
    char err[256];
    int rc;
    while ((rc = worker_run_one(&f->env, &o, err, sizeof err)) == 1) {
        ran++;
        if (strcmp(o.kind, "capture") == 0 && last_capture)
            *last_capture = o;
    }
    assert_int_equal(rc, 0);
    return ran;
}

static void capture_job_stores_the_capture_then_enrichment_fills_profiles(void **state)
{
    struct fixture *f = *state;
    int64_t job = 0;
    struct worker_outcome o = {0};
    assert_int_equal(
        worker_enqueue_capture(f->st, f->session_id, 20002, 10001, clock_wall_ms(), &job, NULL, 0),
        0);
    int ran = run_until_idle(f, &o);
    if (o.state != JOB_DONE)
        fail_msg("capture: %s", o.error);
    assert_int_equal(ran, 2); /* the capture, then its enrichment */
    assert_int_equal(o.state, JOB_DONE);
    assert_int_equal(o.capture.seq, 1);
    assert_true(o.capture.chatter_count > 500);
    assert_int_equal(o.capture.joined, o.capture.chatter_count);
    assert_int_equal(o.capture.new_to_channel, o.capture.chatter_count);
    int64_t *stale = NULL;
    size_t n = 99;
    assert_int_equal(store_profile_stale(f->st, f->session_id, 0, 10, &stale, &n, NULL, 0), 0);
    assert_int_equal(n, 0);
    free(stale);
    struct store_job j = {0};
    assert_int_equal(store_job_get(f->st, job, &j, NULL, 0), 0);
    assert_int_equal(j.state, JOB_DONE);
    store_job_clear(&j);
}

static void not_a_moderator_dead_letters_the_job_and_stops_the_schedule(void **state)
{
    struct fixture *f = *state; /* other_mod moderates only tiny_channel */
    struct store_schedule s = {.session_id = f->session_id,
                               .channel_id = 20003,
                               .user_id = 10002,
                               .interval_s = 60,
                               .next_at_ms = 0,
                               .enabled = 1};
    assert_int_equal(store_schedule_set(f->st, &s, NULL, 0), 0);
    int64_t job = 0;
    assert_int_equal(
        worker_enqueue_capture(f->st, f->session_id, 20003, 10002, clock_wall_ms(), &job, NULL, 0),
        0);
    struct worker_outcome o;
    char err[256];
    assert_int_equal(worker_run_one(&f->env, &o, err, sizeof err), 1);
    assert_int_equal(o.state, JOB_FAILED);
    assert_true(strlen(o.error) > 0);
    struct store_job j = {0};
    assert_int_equal(store_job_get(f->st, job, &j, NULL, 0), 0);
    assert_int_equal(j.state, JOB_FAILED);
    assert_non_null(j.last_error);
    store_job_clear(&j);
    struct store_schedule *due = NULL;
    size_t n = 9;
    assert_int_equal(store_schedule_due(f->st, INT64_MAX / 2, &due, &n, NULL, 0), 0);
    assert_int_equal(n, 0);
    free(due);
    /* the channel it does moderate still works */
    assert_int_equal(
        worker_enqueue_capture(f->st, f->session_id, 20001, 10002, clock_wall_ms(), &job, NULL, 0),
        0);
    assert_int_equal(worker_run_one(&f->env, &o, err, sizeof err), 1);
    assert_int_equal(o.state, JOB_DONE);
    assert_true(metric(f, "tca_captures_failed_total{reason=\"lost_moderator_role\"}") == 1);
    assert_true(metric(f, "tca_jobs_dead_lettered_total{kind=\"capture\"}") == 1);
    assert_true(metric(f, "tca_captures_completed_total") == 1);
    /* tiny_channel was captured once but has no schedule: no chatters series for it */
    assert_true(metric(f, "tca_capture_chatters{channel=\"tiny_channel\"}") == -1);
    assert_true(metric(f, "tca_workers_busy") == 0);
}

static void crashed_workers_job_is_retried_after_its_lease_and_stored_once(void **state)
{
    struct fixture *f = *state;
    int64_t job = 0;
    assert_int_equal(
        worker_enqueue_capture(f->st, f->session_id, 20002, 10001, clock_wall_ms(), &job, NULL, 0),
        0);
    /* A worker claims it and dies before committing. */
    struct store_job claimed = {0};
    assert_int_equal(store_job_claim(f->st, clock_wall_ms(), 60000, &claimed, NULL, 0), 0);
    store_job_clear(&claimed);
    struct worker_outcome o;
    char err[256];
    assert_int_equal(worker_run_one(&f->env, &o, err, sizeof err), 0); /* still leased */
    f->time.offset_ms = 61000;
    assert_int_equal(worker_run_one(&f->env, &o, err, sizeof err), 1);
    assert_int_equal(o.job_id, job);
    assert_int_equal(o.state, JOB_DONE);
    struct store_capture *caps = NULL;
    size_t n = 0;
    assert_int_equal(store_capture_list(f->st, f->session_id, 20002, &caps, &n, NULL, 0), 0);
    assert_int_equal(n, 1);
    free(caps);
    struct store_job j = {0};
    assert_int_equal(store_job_get(f->st, job, &j, NULL, 0), 0);
    assert_int_equal(j.attempts, 2);
    store_job_clear(&j);
    /* the first claim was not this worker's; the second found the lease expired */
    assert_true(metric(f, "tca_jobs_claimed_total{kind=\"capture\"}") == 1);
    assert_true(metric(f, "tca_jobs_lease_expired_total{kind=\"capture\"}") == 1);
}

static void unknown_job_kind_is_dead_lettered_with_reason(void **state)
{
    struct fixture *f = *state;
    int64_t job = 0;
    assert_int_equal(store_job_enqueue(f->st, "mystery", NULL,
                                       "{\"session_id\":1,\"user_id\":10001}", 0, &job, NULL, 0),
                     0);
    struct worker_outcome o;
    char err[256];
    assert_int_equal(worker_run_one(&f->env, &o, err, sizeof err), 1);
    assert_int_equal(o.state, JOB_FAILED);
    assert_non_null(strstr(o.error, "mystery"));
}

static void validate_job_checks_tokens_and_a_revoked_login_ends_cleanly(void **state)
{
    struct fixture *f = *state;
    struct worker_outcome o;
    char err[256];
    int queued = 0;
    /* validated at login: an hourly sweep has nothing to do, a start-up sweep validates all */
    assert_int_equal(scheduler_validate_tokens(f->st, clock_wall_ms(),
                                               clock_wall_ms() - USER_TOKEN_VALIDATE_EVERY_MS,
                                               &queued, err, sizeof err),
                     0);
    assert_int_equal(queued, 0);
    assert_int_equal(scheduler_validate_tokens(f->st, clock_wall_ms(), clock_wall_ms() + 1, &queued,
                                               err, sizeof err),
                     0);
    assert_int_equal(queued, 1);
    assert_int_equal(worker_run_one(&f->env, &o, err, sizeof err), 1);
    assert_string_equal(o.kind, "validate");
    assert_int_equal(o.state, JOB_DONE);

    /* the user revokes tca's access on Twitch: the next validation ends the login */
    struct twitch_token tok = {0};
    assert_int_equal(
        user_token_load(f->st, &f->keys, f->tw, 10001, clock_wall_ms(), &tok, err, sizeof err), 0);
    assert_int_equal(twitch_oauth_revoke(f->tw, tok.access_token, err, sizeof err), 0);
    assert_int_equal(twitch_oauth_revoke(f->tw, tok.refresh_token, err, sizeof err), 0);
    twitch_token_clear(&tok);
    assert_int_equal(worker_enqueue_validate(f->st, 10001, clock_wall_ms(), err, sizeof err), 0);
    assert_int_equal(worker_run_one(&f->env, &o, err, sizeof err), 1);
    assert_int_equal(o.state, JOB_FAILED);
    assert_true(strlen(o.error) > 0);
    struct store_token row = {0};
    assert_int_equal(store_token_get(f->st, 10001, &row, NULL, 0), TCA_ENOTFOUND);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    crypto_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            capture_job_stores_the_capture_then_enrichment_fills_profiles, setup_mod, teardown),
        cmocka_unit_test_setup_teardown(not_a_moderator_dead_letters_the_job_and_stops_the_schedule,
                                        setup_other, teardown),
        cmocka_unit_test_setup_teardown(
            crashed_workers_job_is_retried_after_its_lease_and_stored_once, setup_mod, teardown),
        cmocka_unit_test_setup_teardown(unknown_job_kind_is_dead_lettered_with_reason, setup_mod,
                                        teardown),
        cmocka_unit_test_setup_teardown(validate_job_checks_tokens_and_a_revoked_login_ends_cleanly,
                                        setup_mod, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
