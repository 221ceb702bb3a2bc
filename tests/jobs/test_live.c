/*
 * Live following against a real simulated Twitch (in-process, loopback) and a real SQLite
 * file: a watched channel that is live gets a capture schedule, an offline one does not, one
 * that went offline loses its schedule, one Get Streams call covers a user's channels, and a
 * user without tokens keeps their watches idle while the others are followed.
 */
#include "tests/support/testutil.h"
#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "jobs/live.h"
#include "sim/sim.h"
#include "twitch/user_token.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SECRET "dGNhLXVuaXQtdGVzdC1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg=="
#define TINY 20001 /* offline in the simulator's cast */
#define COZY 20002 /* live */

struct fixture {
    struct sim *sim;
    int port;
    char *api, *auth, *dir, *db;
    struct store *st;
    struct crypto_keys keys;
    struct twitch_client *tw;
    int64_t user_id, session_id;
};

static void log_in(struct fixture *f)
{
    struct twitch_device d;
    struct twitch_token tok = {0};
    char err[256];
    assert_int_equal(twitch_device_start(f->tw, TWITCH_SCOPES, &d, err, sizeof err), 0);
    /* The simulator approves a device code on its second poll. */
    int rc = twitch_device_poll(f->tw, &d, &tok, err, sizeof err);
    if (rc == TCA_ETEMP)
        rc = twitch_device_poll(f->tw, &d, &tok, err, sizeof err);
    assert_int_equal(rc, 0);
    assert_int_equal(twitch_oauth_validate(f->tw, &tok, err, sizeof err), 0);
    struct store_user u = {.id = tok.user_id, .last_login_ms = clock_wall_ms()};
    snprintf(u.login, sizeof u.login, "%s", tok.login);
    snprintf(u.display_name, sizeof u.display_name, "%s", tok.login);
    assert_int_equal(store_user_upsert(f->st, &u, err, sizeof err), 0);
    assert_int_equal(user_token_save(f->st, &f->keys, &tok, clock_wall_ms(), err, sizeof err), 0);
    f->user_id = tok.user_id;
    twitch_token_clear(&tok);
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    struct sim_options so;
    char err[256];
    sim_options_default(&so);
    so.manual_clock = 1;
    so.default_login = "demo_mod";
    f->sim = sim_new(&so);
    assert_int_equal(sim_start(f->sim, "127.0.0.1:0", &f->port, err, sizeof err), 0);
    f->api = xasprintf("http://127.0.0.1:%d/helix", f->port);
    f->auth = xasprintf("http://127.0.0.1:%d/oauth2", f->port);
    f->dir = test_tmpdir();
    f->db = xasprintf("%s/tca.db", f->dir);
    assert_int_equal(store_open(f->db, &f->st, err, sizeof err), 0);
    assert_int_equal(crypto_keys_derive(SECRET, &f->keys, err, sizeof err), 0);
    struct twitch_settings ts = {.api_base = f->api,
                                 .auth_base = f->auth,
                                 .client_id = "tca-sim-client",
                                 .client_secret = "tca-sim-secret",
                                 .clock = clock_real()};
    f->tw = twitch_client_new(&ts);
    log_in(f);
    static const struct {
        int64_t id;
        const char *login;
    } channels[] = {{TINY, "tiny_channel"}, {COZY, "cozy_channel"}};
    for (size_t i = 0; i < sizeof channels / sizeof *channels; i++) {
        struct store_channel c = {.id = channels[i].id};
        snprintf(c.login, sizeof c.login, "%s", channels[i].login);
        snprintf(c.display_name, sizeof c.display_name, "%s", channels[i].login);
        assert_int_equal(store_channel_upsert(f->st, &c, err, sizeof err), 0);
    }
    assert_int_equal(
        store_session_active(f->st, f->user_id, clock_wall_ms(), &f->session_id, err, sizeof err),
        0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    twitch_client_free(f->tw);
    store_close(f->st);
    sim_free(f->sim);
    crypto_keys_wipe(&f->keys);
    free(f->api);
    free(f->auth);
    free(f->db);
    free(f->dir);
    free(f);
    return 0;
}

static void watch(struct fixture *f, int64_t channel_id, int live)
{
    struct store_live_watch lw = {.session_id = f->session_id,
                                  .channel_id = channel_id,
                                  .user_id = f->user_id,
                                  .interval_s = 30,
                                  .live = live};
    assert_int_equal(store_live_watch_set(f->st, &lw, NULL, 0), 0);
}

/* Whether channel_id has an enabled capture schedule. */
static int scheduled(struct fixture *f, int64_t channel_id)
{
    struct store_schedule *due = NULL;
    size_t n = 0;
    int found = 0;
    assert_int_equal(store_schedule_due(f->st, INT64_MAX / 2, &due, &n, NULL, 0), 0);
    for (size_t i = 0; i < n; i++)
        found |= due[i].channel_id == channel_id;
    free(due);
    return found;
}

static long streams_calls(struct fixture *f)
{
    char url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/_sim/stats", f->port);
    CURL *c = curl_easy_init();
    FILE *mem;
    char *body = NULL;
    size_t len = 0;
    mem = open_memstream(&body, &len);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, mem);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    curl_easy_cleanup(c);
    fclose(mem);
    const char *at = strstr(body, "\"/helix/streams\":");
    long n = at ? strtol(at + strlen("\"/helix/streams\":"), NULL, 10) : 0;
    free(body);
    return n;
}

static void live_channel_is_scheduled_and_offline_one_is_not(void **state)
{
    struct fixture *f = *state;
    int changed = -1;
    char err[256];
    watch(f, TINY, 0);
    watch(f, COZY, 0);
    long before = streams_calls(f);
    assert_int_equal(
        live_follow(f->st, &f->keys, f->tw, clock_wall_ms(), &changed, err, sizeof err), 0);
    assert_int_equal(changed, 1);
    assert_int_equal(streams_calls(f) - before, 1); /* one call for both channels */
    assert_true(scheduled(f, COZY));
    assert_false(scheduled(f, TINY));
    /* nothing changed, nothing to do */
    assert_int_equal(
        live_follow(f->st, &f->keys, f->tw, clock_wall_ms(), &changed, err, sizeof err), 0);
    assert_int_equal(changed, 0);
    assert_true(scheduled(f, COZY));
}

static void channel_gone_offline_loses_its_schedule(void **state)
{
    struct fixture *f = *state;
    int changed = -1;
    struct store_schedule sch = {.session_id = f->session_id,
                                 .channel_id = TINY,
                                 .user_id = f->user_id,
                                 .interval_s = 30,
                                 .next_at_ms = 0,
                                 .enabled = 1};
    assert_int_equal(store_schedule_set(f->st, &sch, NULL, 0), 0);
    watch(f, TINY, 1); /* it was live at the last check */
    assert_true(scheduled(f, TINY));
    assert_int_equal(live_follow(f->st, &f->keys, f->tw, clock_wall_ms(), &changed, NULL, 0), 0);
    assert_int_equal(changed, 1);
    assert_false(scheduled(f, TINY));
}

static void user_without_tokens_keeps_watches_idle(void **state)
{
    struct fixture *f = *state;
    int changed = -1;
    char err[256];
    watch(f, COZY, 0);
    assert_int_equal(store_token_delete(f->st, f->user_id, NULL, 0), 0);
    int rc = live_follow(f->st, &f->keys, f->tw, clock_wall_ms(), &changed, err, sizeof err);
    assert_int_equal(rc, TCA_EAUTH);
    assert_non_null(strstr(err, "live check of user"));
    assert_int_equal(changed, 0);
    assert_false(scheduled(f, COZY));
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(live_channel_is_scheduled_and_offline_one_is_not, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(channel_gone_offline_loses_its_schedule, setup, teardown),
        cmocka_unit_test_setup_teardown(user_without_tokens_keeps_watches_idle, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
