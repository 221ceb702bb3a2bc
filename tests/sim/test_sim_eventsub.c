/*
 * EventSub over a real WebSocket on loopback: tca's client (twitch/eventsub*.c) against the
 * simulator's server. Every chat message the chat model writes over the ticks subscribed
 * arrives exactly once, also across a forced session_reconnect; a revocation arrives with
 * its reason; a missing scope is refused with a message naming it; raids and stream status
 * arrive as Twitch documents them; a reader slower than the chat still gets all of it while the
 * server keeps a bounded queue.
 */
#include "tests/sim/simtest.h"

#include "base/clock.h"
#include "base/err.h"
#include "sim/chat.h"
#include "sim/eventsub.h"
#include "sim/world.h"
#include "twitch/eventsub.h"
#include "twitch/twitch.h"

#define COZY 20002
#define RAID 20005
#define SCOPES SIMTEST_SCOPES " user:read:chat"

struct fixture {
    struct simtest *st;
    char api[96], auth[96];
    struct twitch_client *c;
    struct twitch_token tok;
    struct twitch_es *es;
    char err[256];
};

static json_t *sim_call(struct fixture *f, const char *method, const char *path, const char *body)
{
    struct http_resp r;
    char *url = xasprintf("%s%s", f->st->base, path);
    http_do(method, url, body, NULL, NULL, &r);
    free(url);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.json);
    http_resp_free(&r);
    return j;
}

static void login(struct fixture *f, const char *scopes)
{
    char access[64], refresh[64];
    twitch_token_clear(&f->tok);
    simtest_login(f->st, "demo_mod", scopes, access, refresh);
    f->tok.access_token = xstrdup(access);
    f->tok.refresh_token = xstrdup(refresh);
    f->tok.user_id = WORLD_DEMO_MOD;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    f->st = simtest_start_manual();
    snprintf(f->api, sizeof f->api, "%s/helix", f->st->base);
    snprintf(f->auth, sizeof f->auth, "%s/oauth2", f->st->base);
    struct twitch_settings s = {.api_base = f->api,
                                .auth_base = f->auth,
                                .client_id = "tca-sim-client",
                                .client_secret = "tca-sim-secret",
                                .clock = clock_real()};
    f->c = twitch_client_new(&s);
    login(f, SCOPES);
    json_t *j = sim_call(f, "GET", "/_sim/eventsub", NULL);
    const char *url = json_string_value(json_object_get(j, "url"));
    assert_non_null(url);
    assert_int_equal(twitch_es_connect(url, 20000, &f->es, f->err, sizeof f->err), 0);
    json_decref(j);
    assert_true(strlen(twitch_es_session_id(f->es)) > 0);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    twitch_es_free(f->es);
    twitch_token_clear(&f->tok);
    twitch_client_free(f->c);
    simtest_stop(f->st);
    free(f);
    return 0;
}

static void subscribe(struct fixture *f, enum twitch_es_sub sub, int64_t channel)
{
    char id[TWITCH_ES_ID_MAX + 1];
    int rc = twitch_es_subscribe(f->c, &f->tok, twitch_es_session_id(f->es), sub, channel, id,
                                 f->err, sizeof f->err);
    if (rc)
        fprintf(stderr, "subscribe: %s\n", f->err);
    assert_int_equal(rc, 0);
    assert_true(id[0]);
}

static int64_t advance(struct fixture *f, int ticks)
{
    char path[64];
    snprintf(path, sizeof path, "/_sim/advance?ticks=%d", ticks);
    json_t *j = sim_call(f, "POST", path, "");
    int64_t t = json_integer_value(json_object_get(j, "tick"));
    json_decref(j);
    return t;
}

/* Reads chat messages until `want` arrived (or a generous minute passed), counting per chatter. */
static long read_chat(struct fixture *f, long want, json_t *per)
{
    long got = 0;
    int64_t until = clock_mono_ms() + 60000;
    while (got < want && clock_mono_ms() < until) {
        struct twitch_es_message m;
        int rc = twitch_es_next(f->es, 1000, &m, f->err, sizeof f->err);
        if (rc == TCA_ENOTFOUND)
            continue;
        if (rc) {
            json_t *d = sim_call(f, "GET", "/_sim/eventsub", NULL);
            fprintf(stderr, "after %ld of %ld: %s; sent %lld\n", got, want, f->err,
                    (long long)json_integer_value(json_object_get(d, "notifications")));
        }
        assert_int_equal(rc, 0);
        assert_int_equal(m.kind, TWITCH_ES_NOTIFICATION);
        assert_int_equal(m.sub, TWITCH_ES_SUB_CHAT_MESSAGE);
        assert_int_equal(m.broadcaster_id, COZY);
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)m.chat.chatter_id);
        json_t *v = json_object_get(per, id);
        json_object_set_new(per, id, json_integer((v ? json_integer_value(v) : 0) + 1));
        got++;
    }
    return got;
}

static void assert_matches_model(struct fixture *f, int64_t from, int64_t to, json_t *per, long got)
{
    char path[128];
    snprintf(path, sizeof path, "/_sim/chat?broadcaster_id=%d&from_tick=%lld&to_tick=%lld", COZY,
             (long long)from, (long long)to);
    json_t *truth = sim_call(f, "GET", path, NULL);
    assert_int_equal(got, json_integer_value(json_object_get(truth, "messages")));
    assert_true(json_equal(per, json_object_get(truth, "per_chatter")));
    json_decref(truth);
    /* nothing more: no duplicate slipped through after the last expected message */
    struct twitch_es_message m;
    assert_int_equal(twitch_es_next(f->es, 300, &m, f->err, sizeof f->err), TCA_ENOTFOUND);
}

static long expected(struct fixture *f, int64_t from, int64_t to)
{
    char path[128];
    snprintf(path, sizeof path, "/_sim/chat?broadcaster_id=%d&from_tick=%lld&to_tick=%lld", COZY,
             (long long)from, (long long)to);
    json_t *truth = sim_call(f, "GET", path, NULL);
    long n = (long)json_integer_value(json_object_get(truth, "messages"));
    json_decref(truth);
    return n;
}

static void every_chat_message_of_the_model_arrives_once(void **state)
{
    struct fixture *f = *state;
    subscribe(f, TWITCH_ES_SUB_CHAT_MESSAGE, COZY);
    int64_t from = sim_tick(f->st->sim) + 1, to = advance(f, 3);
    long want = expected(f, from, to);
    assert_true(want > 100); /* cozy_channel has a thousand chatters: plenty talk */
    json_t *per = json_object();
    long got = read_chat(f, want, per);
    assert_matches_model(f, from, to, per, got);
    json_decref(per);
}

static void a_reconnect_mid_stream_loses_no_message(void **state)
{
    struct fixture *f = *state;
    subscribe(f, TWITCH_ES_SUB_CHAT_MESSAGE, COZY);
    int64_t from = sim_tick(f->st->sim) + 1;
    advance(f, 1);
    /* the takeover also resends the old connection's last 5 notifications: dropped as seen */
    json_t *j = sim_call(f, "POST", "/_sim/eventsub/reconnect?resend=5", "");
    assert_int_equal(json_integer_value(json_object_get(j, "sessions")), 1);
    json_decref(j);
    int64_t to = advance(f, 2);
    json_t *per = json_object();
    long got = read_chat(f, expected(f, from, to), per);
    assert_matches_model(f, from, to, per, got);
    json_decref(per);
    long dups, reconnects;
    twitch_es_counts(f->es, &dups, &reconnects);
    assert_int_equal(reconnects, 1);
    /* resent copies were dropped (the exact counts above prove none was counted twice); a
     * copy still in flight when the check ran is dropped later, so at least one, at most 5 */
    assert_true(dups >= 1 && dups <= 5);
    /* and the session goes on on the new connection */
    from = to + 1;
    to = advance(f, 1);
    per = json_object();
    got = read_chat(f, expected(f, from, to), per);
    assert_matches_model(f, from, to, per, got);
    json_decref(per);
}

static void a_reader_slower_than_the_chat_gets_it_all_from_a_bounded_queue(void **state)
{
    struct fixture *f = *state;
    subscribe(f, TWITCH_ES_SUB_CHAT_MESSAGE, COZY);
    /* thousands of messages come due while the reader reads nothing */
    int64_t from = sim_tick(f->st->sim) + 1, to = advance(f, 40);
    long want = expected(f, from, to);
    assert_true(want > 4 * SIM_ES_CHAT_QUEUE_MAX);
    json_t *per = json_object();
    long got = read_chat(f, want, per);
    assert_matches_model(f, from, to, per, got);
    json_decref(per);
    /* queued whole, they would all have waited at once: the server's memory would grow with
     * the reader's lag (the demo's 100,000-chatter chat held hundreds of MB that way) */
    json_t *d = sim_call(f, "GET", "/_sim/eventsub", NULL);
    long peak = (long)json_integer_value(json_object_get(d, "queued_peak"));
    json_decref(d);
    assert_true(peak > 0);
    assert_true(peak <= SIM_ES_CHAT_QUEUE_MAX + CHAT_MAX_PER_TICK + 2);
}

static void a_revocation_arrives_with_its_reason(void **state)
{
    struct fixture *f = *state;
    subscribe(f, TWITCH_ES_SUB_STREAM_OFFLINE, COZY);
    json_decref(sim_call(
        f, "POST", "/_sim/eventsub/revoke?broadcaster_id=20002&status=authorization_revoked", ""));
    struct twitch_es_message m;
    assert_int_equal(twitch_es_next(f->es, 20000, &m, f->err, sizeof f->err), 0);
    assert_int_equal(m.kind, TWITCH_ES_REVOCATION);
    assert_int_equal(m.sub, TWITCH_ES_SUB_STREAM_OFFLINE);
    assert_int_equal(m.broadcaster_id, COZY);
    assert_string_equal(m.sub_status, "authorization_revoked");
}

static void chat_without_the_scope_is_refused_naming_it(void **state)
{
    struct fixture *f = *state;
    login(f, SIMTEST_SCOPES);
    char id[TWITCH_ES_ID_MAX + 1];
    assert_int_equal(twitch_es_subscribe(f->c, &f->tok, twitch_es_session_id(f->es),
                                         TWITCH_ES_SUB_CHAT_MESSAGE, COZY, id, f->err,
                                         sizeof f->err),
                     TCA_EFORBIDDEN);
    assert_non_null(strstr(f->err, "user:read:chat"));
    /* a second identical subscription is a conflict, not a second stream of events */
    login(f, SCOPES);
    subscribe(f, TWITCH_ES_SUB_RAID, RAID);
    assert_int_equal(twitch_es_subscribe(f->c, &f->tok, twitch_es_session_id(f->es),
                                         TWITCH_ES_SUB_RAID, RAID, id, f->err, sizeof f->err),
                     TCA_ECONFLICT);
}

static void the_scripted_raid_arrives_with_its_viewer_count(void **state)
{
    struct fixture *f = *state;
    subscribe(f, TWITCH_ES_SUB_RAID, RAID);
    json_t *ev = sim_call(f, "GET", "/_sim/events?broadcaster_id=20005", NULL);
    json_t *raid = json_array_get(ev, 0);
    assert_string_equal(json_string_value(json_object_get(raid, "kind")), "raid");
    int64_t tick = json_integer_value(json_object_get(raid, "tick"));
    int64_t size = json_integer_value(json_object_get(raid, "size"));
    json_decref(ev);
    assert_true(tick > sim_tick(f->st->sim));
    advance(f, (int)(tick - sim_tick(f->st->sim)));
    struct twitch_es_message m;
    assert_int_equal(twitch_es_next(f->es, 20000, &m, f->err, sizeof f->err), 0);
    assert_int_equal(m.sub, TWITCH_ES_SUB_RAID);
    assert_int_equal(m.raid.to_id, RAID);
    assert_int_equal(m.raid.viewers, size);
    assert_true(m.raid.from_id != RAID && m.raid.from_login[0]);
}

static void stream_offline_and_online_follow_the_switches(void **state)
{
    struct fixture *f = *state;
    subscribe(f, TWITCH_ES_SUB_STREAM_OFFLINE, COZY);
    subscribe(f, TWITCH_ES_SUB_STREAM_ONLINE, COZY);
    struct twitch_es_message m;
    json_decref(
        sim_call(f, "POST", "/_sim/streams", "{\"broadcaster_id\":\"20002\",\"live\":false}"));
    assert_int_equal(twitch_es_next(f->es, 20000, &m, f->err, sizeof f->err), 0);
    assert_int_equal(m.sub, TWITCH_ES_SUB_STREAM_OFFLINE);
    assert_int_equal(m.broadcaster_id, COZY);
    json_decref(
        sim_call(f, "POST", "/_sim/streams", "{\"broadcaster_id\":\"20002\",\"live\":true}"));
    assert_int_equal(twitch_es_next(f->es, 20000, &m, f->err, sizeof f->err), 0);
    assert_int_equal(m.sub, TWITCH_ES_SUB_STREAM_ONLINE);
    assert_true(m.started_at_ms > 0);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(every_chat_message_of_the_model_arrives_once, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_reconnect_mid_stream_loses_no_message, setup, teardown),
        cmocka_unit_test_setup_teardown(
            a_reader_slower_than_the_chat_gets_it_all_from_a_bounded_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(a_revocation_arrives_with_its_reason, setup, teardown),
        cmocka_unit_test_setup_teardown(chat_without_the_scope_is_refused_naming_it, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(the_scripted_raid_arrives_with_its_viewer_count, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(stream_offline_and_online_follow_the_switches, setup,
                                        teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
