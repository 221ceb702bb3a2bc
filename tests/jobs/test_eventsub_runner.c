/*
 * The EventSub runner alone (jobs/eventsub_runner.c) against the simulator's EventSub server
 * over a real WebSocket on loopback, with a real SQLite file: it subscribes a chat-captured
 * channel, counts every message the chat model wrote and stores each minute's sentiment
 * exactly as the scorer reads the simulator's lines (the text itself is never stored), and a
 * stream.online / stream.offline event flips the session's live watch at once.
 */
#include "tests/sim/simtest.h"

#include "analysis/sentiment.h"
#include "base/clock.h"
#include "base/err.h"
#include "jobs/eventsub_runner.h"
#include "report/chat.h"
#include "report/lexicon.h"
#include "store/store_chat.h"
#include "twitch/user_token.h"

#include <math.h>

#define SECRET "dGNhLXVuaXQtdGVzdC1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg=="
#define COZY 20002 /* live in the simulator's cast */
#define RAID 20005 /* talkers, and a raid at tick 5 */
#define WAIT_MS 60000

struct fixture {
    struct simtest *sim;
    char *api, *auth, *dir, *db;
    struct store *st;
    struct crypto_keys keys;
    struct twitch_client *tw;
    struct an_lexicon *lx;
    struct eventsub_runner *r;
    int64_t user_id, session_id;
    char err[256];
};

static json_t *sim_call(struct fixture *f, const char *method, const char *path, const char *body)
{
    struct http_resp resp;
    char *url = xasprintf("%s%s", f->sim->base, path);
    http_do(method, url, body, body ? "Content-Type: application/json" : NULL, NULL, &resp);
    free(url);
    assert_int_equal(resp.status, 200);
    json_t *j = json_incref(resp.json);
    http_resp_free(&resp);
    return j;
}

static int64_t advance(struct fixture *f, int ticks)
{
    char path[64];
    snprintf(path, sizeof path, "/_sim/advance?ticks=%d", ticks);
    json_t *j = sim_call(f, "POST", path, NULL);
    int64_t tick = json_integer_value(json_object_get(j, "tick"));
    json_decref(j);
    return tick;
}

static void log_in(struct fixture *f)
{
    struct twitch_device d;
    struct twitch_token tok = {0};
    char *err = f->err;
    assert_int_equal(twitch_device_start(f->tw, TWITCH_SCOPES_CHAT, &d, err, sizeof f->err), 0);
    int rc = twitch_device_poll(f->tw, &d, &tok, err, sizeof f->err);
    if (rc == TCA_ETEMP) /* the simulator approves a device code on its second poll */
        rc = twitch_device_poll(f->tw, &d, &tok, err, sizeof f->err);
    assert_int_equal(rc, 0);
    assert_int_equal(twitch_oauth_validate(f->tw, &tok, err, sizeof f->err), 0);
    struct store_user u = {.id = tok.user_id, .last_login_ms = clock_wall_ms()};
    snprintf(u.login, sizeof u.login, "%s", tok.login);
    snprintf(u.display_name, sizeof u.display_name, "%s", tok.login);
    assert_int_equal(store_user_upsert(f->st, &u, err, sizeof f->err), 0);
    assert_int_equal(user_token_save(f->st, &f->keys, &tok, clock_wall_ms(), err, sizeof f->err),
                     0);
    f->user_id = tok.user_id;
    twitch_token_clear(&tok);
}

static void add_channel(struct fixture *f, int64_t id, const char *login)
{
    struct store_channel c = {.id = id};
    snprintf(c.login, sizeof c.login, "%s", login);
    snprintf(c.display_name, sizeof c.display_name, "%s", login);
    assert_int_equal(store_channel_upsert(f->st, &c, f->err, sizeof f->err), 0);
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    struct sim_options so;
    sim_options_default(&so);
    so.manual_clock = 1;
    so.default_login = "demo_mod";
    f->sim = simtest_start(&so);
    f->api = xasprintf("%s/helix", f->sim->base);
    f->auth = xasprintf("%s/oauth2", f->sim->base);
    f->dir = test_tmpdir();
    f->db = xasprintf("%s/tca.db", f->dir);
    assert_int_equal(store_open(f->db, &f->st, f->err, sizeof f->err), 0);
    assert_int_equal(crypto_keys_derive(SECRET, &f->keys, f->err, sizeof f->err), 0);
    struct twitch_settings ts = {.api_base = f->api,
                                 .auth_base = f->auth,
                                 .client_id = "tca-sim-client",
                                 .client_secret = "tca-sim-secret",
                                 .clock = clock_real()};
    f->tw = twitch_client_new(&ts);
    log_in(f);
    add_channel(f, COZY, "cozy_channel");
    add_channel(f, RAID, "raid_channel");
    assert_int_equal(store_session_active(f->st, f->user_id, clock_wall_ms(), &f->session_id,
                                          f->err, sizeof f->err),
                     0);
    const char *root = getenv("TCA_ROOT");
    char dir[4096];
    snprintf(dir, sizeof dir, "%s/lexicons/node_modules", root ? root : ".");
    if (report_lexicon_load(dir, &f->lx, f->err, sizeof f->err) != 0)
        fail_msg("the lexicons are not installed (npm ci in lexicons/): %s", f->err);

    json_t *j = sim_call(f, "GET", "/_sim/eventsub", NULL);
    struct eventsub_runner_options o = {.st = f->st,
                                        .tw = f->tw,
                                        .keys = &f->keys,
                                        .url = json_string_value(json_object_get(j, "url")),
                                        .clock = clock_real(),
                                        .refresh_every_ms = 200,
                                        .flush_every_ms = 200,
                                        .token_recheck_ms = 200,
                                        /* the first retry comes at once, the next in 10 min */
                                        .resubscribe_backoff_ms = 600000,
                                        .lexicon = f->lx};
    f->r = eventsub_runner_new(&o);
    json_decref(j);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    eventsub_runner_free(f->r);
    an_lexicon_free(f->lx);
    twitch_client_free(f->tw);
    store_close(f->st);
    simtest_stop(f->sim);
    crypto_keys_wipe(&f->keys);
    free(f->api);
    free(f->auth);
    free(f->db);
    free(f->dir);
    free(f);
    return 0;
}

/* Steps the runner until done(f) holds; fails after WAIT_MS (generous: the machine is shared). */
static void run_until(struct fixture *f, int (*done)(struct fixture *), const char *what)
{
    int64_t until = clock_mono_ms() + WAIT_MS;
    while (!done(f)) {
        if (clock_mono_ms() > until)
            fail_msg("after %d s: %s", WAIT_MS / 1000, what);
        assert_int_equal(eventsub_runner_step(f->r, 100, f->err, sizeof f->err), 0);
    }
}

static long subscriptions(struct fixture *f)
{
    struct eventsub_runner_counts c;
    eventsub_runner_counts(f->r, &c);
    return c.subscriptions;
}

static int chat_subscribed(struct fixture *f)
{
    return subscriptions(f) == 4;
}

static long want_stored;
static int all_stored(struct fixture *f)
{
    struct eventsub_runner_counts c;
    eventsub_runner_counts(f->r, &c);
    return c.stored >= want_stored;
}

static void capture_chat_of(struct fixture *f, int64_t channel)
{
    struct store_schedule s = {
        .session_id = f->session_id, .channel_id = channel, .user_id = f->user_id, .enabled = 1};
    assert_int_equal(store_schedule_set(f->st, &s, f->err, sizeof f->err), 0);
    assert_int_equal(
        store_chat_set(f->st, f->session_id, 1, clock_wall_ms(), f->err, sizeof f->err), 0);
}

/* What the scorer makes of the simulator's lines: per minute and per chatter. */
struct expect {
    int64_t minute_ms;
    int64_t messages, scored, sum, positive, negative;
};

static struct expect *expect_at(struct expect *e, size_t *n, int64_t minute_ms)
{
    for (size_t i = 0; i < *n; i++)
        if (e[i].minute_ms == minute_ms)
            return &e[i];
    e[*n] = (struct expect){.minute_ms = minute_ms};
    return &e[(*n)++];
}

static void score_line(const struct an_lexicon *lx, json_t *line, struct expect *e)
{
    const char *text = json_string_value(json_object_get(line, "text"));
    struct an_fragment frag = {text, strlen(text),
                               json_is_true(json_object_get(line, "emote_only"))};
    struct an_sentiment s;
    an_sentiment_score(lx, AN_LANG_AUTO, &frag, 1, &s);
    e->messages++;
    if (s.kind != AN_SENT_SCORED)
        return;
    e->scored++;
    e->sum += s.score;
    e->positive += s.score > 0;
    e->negative += s.score < 0;
}

static void mean_is(json_t *got, const struct expect *e)
{
    if (!e->scored) {
        assert_true(json_is_null(got));
        return;
    }
    assert_true(json_is_real(got));
    /* the same division of the same integers: equal to the last bit */
    assert_true(json_real_value(got) == (double)e->sum / (double)e->scored);
}

static void
messages_are_scored_per_minute_exactly_as_the_scorer_reads_the_simulators_lines(void **state)
{
    struct fixture *f = *state;
    capture_chat_of(f, RAID);
    run_until(f, chat_subscribed, "the runner never held the 4 subscriptions");
    int64_t first = advance(f, 1), last = advance(f, 7); /* subscribed at tick 0 */
    char path[160];
    snprintf(path, sizeof path, "/_sim/chat?broadcaster_id=%d&from_tick=%lld&to_tick=%lld&texts=1",
             RAID, (long long)first, (long long)last);
    json_t *truth = sim_call(f, "GET", path, NULL);
    want_stored = json_integer_value(json_object_get(truth, "messages"));
    assert_true(want_stored > 0);
    run_until(f, all_stored, "not every message was stored");

    /* the truth: every line of every tick through the same scorer, by the minute it was sent */
    json_t *ticks = json_object_get(truth, "ticks"), *tick, *line;
    size_t i, k, n_min = 0, n_users = 0;
    struct expect minutes[64], users[512];
    char ids[512][24];
    json_array_foreach(ticks, i, tick)
    {
        int64_t at = json_integer_value(json_object_get(tick, "sent_at_ms"));
        struct expect *m = expect_at(minutes, &n_min, at - at % 60000);
        json_array_foreach(json_object_get(tick, "lines"), k, line)
        {
            score_line(f->lx, line, m);
            const char *uid = json_string_value(json_object_get(line, "user_id"));
            size_t u = 0;
            while (u < n_users && strcmp(ids[u], uid) != 0)
                u++;
            if (u == n_users) {
                assert_true(n_users < 512);
                snprintf(ids[n_users], sizeof ids[0], "%s", uid);
                users[n_users++] = (struct expect){0};
            }
            score_line(f->lx, line, &users[u]);
        }
    }

    json_t *doc;
    assert_int_equal(
        report_chat(f->st, f->user_id, f->session_id, 1000, 0, &doc, f->err, sizeof f->err), 0);
    json_t *ch = NULL, *c;
    json_array_foreach(json_object_get(doc, "channels"), i, c)
    {
        if (strcmp(json_string_value(json_object_get(c, "login")), "raid_channel") == 0)
            ch = c;
    }
    if (!ch)
        fail_msg("no raid_channel in %s", json_dumps(doc, JSON_COMPACT));
    assert_int_equal(json_integer_value(json_object_get(ch, "messages")), want_stored);
    json_t *timeline = json_object_get(ch, "timeline");
    struct expect all = {0};
    int cheerful = 0, grumpy = 0;
    json_array_foreach(timeline, i, tick)
    {
        int64_t minute = json_integer_value(json_object_get(tick, "minute_ms"));
        struct expect *e = expect_at(minutes, &n_min, minute);
        assert_int_equal(json_integer_value(json_object_get(tick, "messages")), e->messages);
        assert_int_equal(json_integer_value(json_object_get(tick, "scored")), e->scored);
        assert_int_equal(json_integer_value(json_object_get(tick, "positive")), e->positive);
        assert_int_equal(json_integer_value(json_object_get(tick, "negative")), e->negative);
        mean_is(json_object_get(tick, "sentiment_mean"), e);
        all.scored += e->scored;
        all.sum += e->sum;
        cheerful += e->scored && e->sum > 0;
        grumpy += e->scored && e->sum < 0;
    }
    assert_int_equal(json_array_size(timeline), n_min); /* no minute the truth lacks */
    assert_int_equal(json_integer_value(json_object_get(ch, "scored")), all.scored);
    mean_is(json_object_get(ch, "sentiment_mean"), &all);
    /* the model's moods make a timeline worth drawing: up and down minutes */
    assert_true(cheerful > 0 && grumpy > 0);

    json_t *talkers = json_object_get(ch, "top_talkers"), *t;
    assert_int_equal(json_array_size(talkers), n_users);
    json_array_foreach(talkers, i, t)
    {
        const char *uid = json_string_value(json_object_get(t, "user_id"));
        size_t u = 0;
        while (u < n_users && strcmp(ids[u], uid) != 0)
            u++;
        assert_true(u < n_users);
        assert_int_equal(json_integer_value(json_object_get(t, "messages")), users[u].messages);
        mean_is(json_object_get(t, "sentiment_mean"), &users[u]);
    }
    json_decref(doc);
    json_decref(truth);
}

static long revocations(struct fixture *f)
{
    struct eventsub_runner_counts c;
    eventsub_runner_counts(f->r, &c);
    return c.revocations;
}
static int first_revocation_seen(struct fixture *f)
{
    return revocations(f) == 1 && subscriptions(f) == 3;
}
static int second_revocation_seen(struct fixture *f)
{
    return revocations(f) == 2 && subscriptions(f) == 3;
}

/* Steps the runner for ms (many refreshes) and asserts the chat subscription stays dead. */
static void stays_dead_for(struct fixture *f, int64_t ms)
{
    int64_t until = clock_mono_ms() + ms;
    while (clock_mono_ms() < until)
        assert_int_equal(eventsub_runner_step(f->r, 100, f->err, sizeof f->err), 0);
    assert_int_equal(subscriptions(f), 3);
    json_t *j = sim_call(f, "GET", "/_sim/eventsub", NULL);
    assert_int_equal(json_integer_value(json_object_get(j, "chat_subscriptions")), 0);
    json_decref(j);
}

static void chat_status_contains(struct fixture *f, const char *want)
{
    struct store_chat_setting cs;
    assert_int_equal(store_chat_get(f->st, f->session_id, &cs, f->err, sizeof f->err), 0);
    if (!strstr(cs.status, want))
        fail_msg("chat status \"%s\" lacks \"%s\"", cs.status, want);
}

static void a_revoked_subscription_comes_back_after_a_new_login_never_in_a_loop(void **state)
{
    struct fixture *f = *state;
    capture_chat_of(f, RAID);
    run_until(f, chat_subscribed, "the runner never held the 4 subscriptions");
    json_decref(sim_call(
        f, "POST", "/_sim/eventsub/revoke?broadcaster_id=20005&type=channel.chat.message", NULL));
    run_until(f, first_revocation_seen, "the revocation was not handled");
    chat_status_contains(f, "authorization_revoked");
    /* the same login: Twitch would refuse again, so it is never asked, however many refreshes */
    stays_dead_for(f, 2000);

    /* a new login (a new token): asked again at once, and the status clears */
    log_in(f);
    run_until(f, chat_subscribed, "a new login did not bring the chat subscription back");
    struct store_chat_setting cs;
    assert_int_equal(store_chat_get(f->st, f->session_id, &cs, f->err, sizeof f->err), 0);
    assert_string_equal(cs.status, "");

    /* revoked again and a new login at once: the backoff (10 min here) holds it back */
    json_decref(sim_call(
        f, "POST", "/_sim/eventsub/revoke?broadcaster_id=20005&type=channel.chat.message", NULL));
    run_until(f, second_revocation_seen, "the second revocation was not handled");
    log_in(f);
    stays_dead_for(f, 2000);
}

static int live_is(struct fixture *f, int want)
{
    struct store_live_watch *lw = NULL;
    size_t n = 0;
    assert_int_equal(store_live_watch_list(f->st, &lw, &n, f->err, sizeof f->err), 0);
    int live = n == 1 && lw[0].live == want;
    free(lw);
    return live;
}
static int live_on(struct fixture *f)
{
    return live_is(f, 1);
}
static int live_off(struct fixture *f)
{
    return live_is(f, 0);
}
static int stream_subscribed(struct fixture *f)
{
    return subscriptions(f) == 2;
}

static void stream_online_and_offline_flip_the_live_watch_at_once(void **state)
{
    struct fixture *f = *state;
    struct store_live_watch w = {
        .session_id = f->session_id, .channel_id = COZY, .user_id = f->user_id, .interval_s = 60};
    assert_int_equal(store_live_watch_set(f->st, &w, f->err, sizeof f->err), 0);
    json_decref(
        sim_call(f, "POST", "/_sim/streams", "{\"broadcaster_id\":\"20002\",\"live\":false}"));
    run_until(f, stream_subscribed, "stream.online and stream.offline never subscribed");
    /* no polling here: only the runner can notice */
    json_decref(
        sim_call(f, "POST", "/_sim/streams", "{\"broadcaster_id\":\"20002\",\"live\":true}"));
    run_until(f, live_on, "stream.online did not turn the live watch on");
    struct eventsub_runner_counts c;
    eventsub_runner_counts(f->r, &c);
    assert_true(c.online >= 1);
    json_decref(
        sim_call(f, "POST", "/_sim/streams", "{\"broadcaster_id\":\"20002\",\"live\":false}"));
    run_until(f, live_off, "stream.offline did not turn the live watch off");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            messages_are_scored_per_minute_exactly_as_the_scorer_reads_the_simulators_lines, setup,
            teardown),
        cmocka_unit_test_setup_teardown(stream_online_and_offline_flip_the_live_watch_at_once,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_revoked_subscription_comes_back_after_a_new_login_never_in_a_loop, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
