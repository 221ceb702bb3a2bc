/*
 * Webhook deliveries against a real receiver: a libmicrohttpd server on a loopback port the OS
 * picks answers each post with the next status of the test's script and records the headers
 * and body it got. The store is a real SQLite file and the worker runs the real "deliver"
 * jobs; only the clock is ours, so retries and 429 waits are stepped through, not slept.
 */
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "jobs/alert.h"
#include "jobs/worker.h"

#include <curl/curl.h>
#include <microhttpd.h>
#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SECRET "dGNhLXVuaXQtdGVzdC1zZWNyZXQtMDEyMzQ1Njc4OWFiY2RlZg=="
#define OWNER 7
#define CHANNEL 100
#define T0 1700000000000LL

struct answer {
    int status;
    const char *body;
};

struct received {
    char path[64];
    char timestamp[32];
    char signature[80];
    char event[32];
    char body[4096];
};

struct receiver {
    struct MHD_Daemon *d;
    int port;
    pthread_mutex_t lock;
    const struct answer *script;
    size_t n_script, next;
    struct received got[8];
    size_t n_got;
};

struct req {
    char body[4096];
    size_t n;
};

static void copy_header(struct MHD_Connection *c, const char *name, char *dst, size_t n)
{
    const char *v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, name);
    snprintf(dst, n, "%s", v ? v : "");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *data,
                                  size_t *size, void **con_cls)
{
    struct receiver *r = cls;
    struct req *q = *con_cls;
    if (!q) {
        *con_cls = xcalloc(1, sizeof *q);
        return MHD_YES;
    }
    if (*size) {
        size_t take = *size < sizeof q->body - 1 - q->n ? *size : sizeof q->body - 1 - q->n;
        memcpy(q->body + q->n, data, take);
        q->n += take;
        *size = 0;
        return MHD_YES;
    }
    pthread_mutex_lock(&r->lock);
    struct answer a = r->next < r->n_script ? r->script[r->next++] : (struct answer){200, "{}"};
    if (r->n_got < 8) {
        struct received *g = &r->got[r->n_got++];
        snprintf(g->path, sizeof g->path, "%s", url);
        copy_header(c, ALERT_HEADER_TIMESTAMP, g->timestamp, sizeof g->timestamp);
        copy_header(c, ALERT_HEADER_SIGNATURE, g->signature, sizeof g->signature);
        copy_header(c, ALERT_HEADER_EVENT, g->event, sizeof g->event);
        memcpy(g->body, q->body, q->n + 1);
    }
    pthread_mutex_unlock(&r->lock);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(strlen(a.body), (void *)a.body, MHD_RESPMEM_PERSISTENT);
    enum MHD_Result ret = MHD_queue_response(c, (unsigned)a.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void on_done(void *cls, struct MHD_Connection *c, void **con_cls,
                    enum MHD_RequestTerminationCode code)
{
    free(*con_cls);
    *con_cls = NULL;
}

struct fixture {
    char *dir, *db;
    struct store *st;
    struct crypto_keys keys;
    int64_t now;
    struct worker_env env;
    struct receiver rx;
};

static int64_t fake_now(void *ctx)
{
    return *(int64_t *)ctx;
}

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    char err[256];
    f->dir = test_tmpdir();
    f->db = xasprintf("%s/tca.db", f->dir);
    assert_int_equal(store_open(f->db, &f->st, err, sizeof err), 0);
    assert_int_equal(crypto_init(), 0);
    assert_int_equal(crypto_keys_derive(SECRET, &f->keys, err, sizeof err), 0);
    f->now = T0;
    f->env = (struct worker_env){.st = f->st, .keys = &f->keys, .lease_ms = 60000};
    f->env.clock = (struct clock){.now_ms = fake_now, .ctx = &f->now};
    pthread_mutex_init(&f->rx.lock, NULL);
    f->rx.d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, on_request, &f->rx,
                               MHD_OPTION_NOTIFY_COMPLETED, on_done, NULL, MHD_OPTION_END);
    assert_non_null(f->rx.d);
    f->rx.port = MHD_get_daemon_info(f->rx.d, MHD_DAEMON_INFO_BIND_PORT)->port;
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    MHD_stop_daemon(f->rx.d);
    pthread_mutex_destroy(&f->rx.lock);
    store_close(f->st);
    crypto_keys_wipe(&f->keys);
    unlink(f->db);
    rmdir(f->dir);
    free(f->dir);
    free(f->db);
    free(f);
    return 0;
}

static int64_t add_hook(struct fixture *f, const char *kind, const char *secret, int64_t events)
{
    char err[256], url[128];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/hook/%s", f->rx.port, kind);
    assert_int_equal(alert_url_check(url, err, sizeof err), 0);
    struct store_webhook w = {.owner_id = OWNER, .events = events, .created_at_ms = f->now};
    snprintf(w.kind, sizeof w.kind, "%s", kind);
    char *sealed = crypto_seal(&f->keys, OWNER, url);
    snprintf(w.url_sealed, sizeof w.url_sealed, "%s", sealed);
    free(sealed);
    if (secret) {
        sealed = crypto_seal(&f->keys, OWNER, secret);
        snprintf(w.secret_sealed, sizeof w.secret_sealed, "%s", sealed);
        free(sealed);
    }
    alert_url_mask(url, w.url_masked);
    int64_t id;
    assert_int_equal(store_webhook_create(f->st, &w, &id, err, sizeof err), 0);
    return id;
}

/* Runs every due job; returns how many ran. */
static int run_due(struct fixture *f)
{
    char err[256];
    struct worker_outcome out;
    int ran = 0, rc;
    while ((rc = worker_run_one(&f->env, &out, err, sizeof err)) == 1)
        ran++;
    assert_int_equal(rc, 0);
    return ran;
}

static struct store_delivery latest(struct fixture *f)
{
    char err[256];
    struct store_delivery *list, d;
    size_t n;
    assert_int_equal(store_delivery_list(f->st, OWNER, 1, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    d = list[0];
    free(list);
    return d;
}

static void emit_test(struct fixture *f, int64_t hook)
{
    char err[256];
    int queued = 0;
    assert_int_equal(alert_emit(f->st, OWNER, CHANNEL, ALERT_TEST, hook, NULL, "hello from tca",
                                NULL, f->now, &queued, err, sizeof err),
                     0);
    assert_int_equal(queued, 1);
}

static void json_webhook_is_signed_over_timestamp_and_body(void **state)
{
    struct fixture *f = *state;
    int64_t hook = add_hook(f, "json", "s3cret-key", 0);
    emit_test(f, hook);
    assert_int_equal(run_due(f), 1);
    assert_int_equal(f->rx.n_got, 1);
    struct received *g = &f->rx.got[0];
    assert_string_equal(g->path, "/hook/json");
    assert_string_equal(g->event, "test");
    assert_string_equal(g->timestamp, "1700000000");
    /* the receiver's check: HMAC-SHA256(secret, timestamp "." body), hex */
    char signed_text[4200];
    snprintf(signed_text, sizeof signed_text, "%s.%s", g->timestamp, g->body);
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state hs;
    crypto_auth_hmacsha256_init(&hs, (const unsigned char *)"s3cret-key", 10);
    crypto_auth_hmacsha256_update(&hs, (const unsigned char *)signed_text, strlen(signed_text));
    crypto_auth_hmacsha256_final(&hs, mac);
    char want[80] = "sha256=";
    sodium_bin2hex(want + 7, 65, mac, sizeof mac);
    assert_string_equal(g->signature, want);
    json_t *body = json_loads(g->body, 0, NULL);
    assert_non_null(body);
    assert_string_equal(json_string_value(json_object_get(body, "event")), "test");
    assert_string_equal(json_string_value(json_object_get(body, "text")), "hello from tca");
    assert_int_equal(json_integer_value(json_object_get(body, "channel_id")), CHANNEL);
    json_decref(body);
    struct store_delivery d = latest(f);
    assert_string_equal(d.state, "sent");
    assert_int_equal(d.last_status, 200);
    assert_int_equal(d.attempts, 1);
}

static void discord_and_slack_get_their_own_shapes_unsigned(void **state)
{
    struct fixture *f = *state;
    int64_t discord = add_hook(f, "discord", NULL, 0);
    int64_t slack = add_hook(f, "slack", NULL, 0);
    emit_test(f, discord);
    emit_test(f, slack);
    assert_int_equal(run_due(f), 2);
    assert_int_equal(f->rx.n_got, 2);
    for (int i = 0; i < 2; i++) {
        struct received *g = &f->rx.got[i];
        assert_string_equal(g->signature, "");
        json_t *b = json_loads(g->body, 0, NULL);
        const char *key = strcmp(g->path, "/hook/discord") == 0 ? "content" : "text";
        assert_string_equal(json_string_value(json_object_get(b, key)), "hello from tca");
        json_decref(b);
    }
}

static void a_500_is_retried_with_backoff_then_sent(void **state)
{
    struct fixture *f = *state;
    static const struct answer script[] = {{500, "oops"}, {200, "{}"}};
    f->rx.script = script;
    f->rx.n_script = 2;
    emit_test(f, add_hook(f, "json", "k", 0));
    assert_int_equal(run_due(f), 1);
    struct store_delivery d = latest(f);
    assert_string_equal(d.state, "queued");
    assert_int_equal(d.last_status, 500);
    assert_int_equal(run_due(f), 0); /* not before its backoff */
    f->now += 2500;
    assert_int_equal(run_due(f), 1);
    d = latest(f);
    assert_string_equal(d.state, "sent");
    assert_int_equal(d.attempts, 2);
    assert_int_equal(f->rx.n_got, 2);
}

static void a_400_is_never_retried(void **state)
{
    struct fixture *f = *state;
    static const struct answer script[] = {{400, "bad"}};
    f->rx.script = script;
    f->rx.n_script = 1;
    emit_test(f, add_hook(f, "discord", NULL, 0));
    assert_int_equal(run_due(f), 1);
    struct store_delivery d = latest(f);
    assert_string_equal(d.state, "failed");
    assert_int_equal(d.last_status, 400);
    f->now += 3600 * 1000;
    assert_int_equal(run_due(f), 0);
    assert_int_equal(f->rx.n_got, 1);
}

static void a_429_waits_its_retry_after_for_the_whole_webhook(void **state)
{
    struct fixture *f = *state;
    static const struct answer script[] = {{429, "{\"retry_after\": 7.5, \"global\": false}"}};
    f->rx.script = script;
    f->rx.n_script = 1;
    int64_t hook = add_hook(f, "discord", NULL, 0);
    emit_test(f, hook);
    assert_int_equal(run_due(f), 1);
    struct store_delivery d = latest(f);
    assert_string_equal(d.state, "queued");
    assert_int_equal(d.last_status, 429);
    /* a second message meanwhile waits too, without reaching the receiver */
    emit_test(f, hook);
    run_due(f);
    assert_int_equal(f->rx.n_got, 1);
    f->now += 7000;
    run_due(f);
    assert_int_equal(f->rx.n_got, 1);
    f->now += 600;
    run_due(f);
    assert_true(f->rx.n_got >= 2);
    f->now += 5000; /* past the spacing between two deliveries */
    run_due(f);
    assert_int_equal(f->rx.n_got, 3);
    char err[256];
    struct store_delivery *list;
    size_t n;
    assert_int_equal(store_delivery_list(f->st, OWNER, 10, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(list[0].state, "sent");
    assert_string_equal(list[1].state, "sent");
    free(list);
}

static void a_watched_account_still_alerts_after_a_rename(void **state)
{
    struct fixture *f = *state;
    char err[256];
    add_hook(f, "json", "k", 1 << ALERT_WATCHED_JOINED);
    struct store_watch w = {.owner_id = OWNER, .added_at_ms = f->now};
    snprintf(w.login, sizeof w.login, "oldname");
    snprintf(w.reason, sizeof w.reason, "ban evasion");
    assert_int_equal(store_watch_put(f->st, &w, NULL, err, sizeof err), 0);

    struct chatter_set s = {0};
    chatter_set_add(&s, 11, "someone");
    chatter_set_add(&s, 42, "OldName");
    int64_t joined[] = {11, 42};
    int alerts = 0;
    assert_int_equal(
        alert_on_capture(f->st, OWNER, CHANNEL, &s, joined, 2, f->now, &alerts, err, sizeof err),
        0);
    assert_int_equal(alerts, 1);
    chatter_set_free(&s);

    /* renamed, left and back: found by id */
    chatter_set_add(&s, 42, "newname");
    int64_t back[] = {42};
    assert_int_equal(
        alert_on_capture(f->st, OWNER, CHANNEL, &s, back, 1, f->now, &alerts, err, sizeof err), 0);
    assert_int_equal(alerts, 1);
    /* present but not newly joined: no alert */
    assert_int_equal(
        alert_on_capture(f->st, OWNER, CHANNEL, &s, NULL, 0, f->now, &alerts, err, sizeof err), 0);
    assert_int_equal(alerts, 0);
    chatter_set_free(&s);

    struct store_watch *list;
    size_t n;
    assert_int_equal(store_watch_list(f->st, OWNER, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].user_id, 42);
    assert_string_equal(list[0].login, "newname");
    free(list);
    run_due(f);
    assert_int_equal(f->rx.n_got, 1); /* one webhook: the second waits for the spacing */
    f->now += 3000;
    run_due(f);
    assert_int_equal(f->rx.n_got, 2);
    assert_non_null(strstr(f->rx.got[1].body, "\"login\":\"newname\""));
    assert_string_equal(f->rx.got[1].event, "watched_joined");
}

static void events_go_only_to_webhooks_that_asked_for_them(void **state)
{
    struct fixture *f = *state;
    char err[256];
    add_hook(f, "slack", NULL, 1 << ALERT_RAID);
    int queued = 0;
    assert_int_equal(alert_emit(f->st, OWNER, CHANNEL, ALERT_BOT_WAVE, 0, NULL, "wave", NULL,
                                f->now, &queued, err, sizeof err),
                     0);
    assert_int_equal(queued, 0);
    assert_int_equal(alert_emit(f->st, OWNER, CHANNEL, ALERT_RAID, 0, NULL, "raid", NULL, f->now,
                                &queued, err, sizeof err),
                     0);
    assert_int_equal(queued, 1);
    assert_int_equal(alert_emit(f->st, OWNER + 1, CHANNEL, ALERT_RAID, 0, NULL, "raid", NULL,
                                f->now, &queued, err, sizeof err),
                     0);
    assert_int_equal(queued, 0);
}

static void a_given_up_capture_alerts_failing_captures_or_a_rejected_login(void **state)
{
    struct fixture *f = *state;
    add_hook(f, "json", "k", (1 << ALERT_CAPTURE_FAILING) | (1 << ALERT_LOGIN_REJECTED));
    struct job_payload p = {.session_id = 3, .channel_id = CHANNEL, .user_id = OWNER};
    alert_capture_failed(f->st, &p, TCA_ETEMP, "Twitch answered 503 five times", f->now);
    run_due(f);
    f->now += 3000;
    alert_capture_failed(f->st, &p, TCA_EAUTH, "refresh token rejected", f->now);
    run_due(f);
    assert_int_equal(f->rx.n_got, 2);
    assert_string_equal(f->rx.got[0].event, "capture_failing");
    assert_non_null(strstr(f->rx.got[0].body, "Twitch answered 503 five times"));
    assert_string_equal(f->rx.got[1].event, "login_rejected");
    /* another user's failures reach nobody here */
    p.user_id = OWNER + 1;
    f->now += 3000;
    alert_capture_failed(f->st, &p, TCA_EAUTH, "x", f->now);
    run_due(f);
    assert_int_equal(f->rx.n_got, 2);
}

static void only_https_or_loopback_urls_are_accepted_and_shown_masked(void **state)
{
    char err[256], m[96];
    assert_int_equal(alert_url_check("https://discord.com/api/webhooks/1/tok", err, sizeof err), 0);
    assert_int_equal(alert_url_check("http://[::1]:8080/x", err, sizeof err), 0);
    assert_int_equal(alert_url_check("http://example.org/x", err, sizeof err), TCA_EINVAL);
    assert_null(strstr(err, "example.org"));
    assert_int_equal(alert_url_check("ftp://example.org/x", err, sizeof err), TCA_EINVAL);
    assert_int_equal(alert_url_check("https://user:pw@example.org/", err, sizeof err), TCA_EINVAL);
    assert_int_equal(alert_url_check("https://a b/", err, sizeof err), TCA_EINVAL);
    alert_url_mask("https://discord.com/api/webhooks/1/secret-token", m);
    assert_string_equal(m, "https://discord.com/…");
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(json_webhook_is_signed_over_timestamp_and_body),
        T(discord_and_slack_get_their_own_shapes_unsigned),
        T(a_500_is_retried_with_backoff_then_sent),
        T(a_400_is_never_retried),
        T(a_429_waits_its_retry_after_for_the_whole_webhook),
        T(a_watched_account_still_alerts_after_a_rename),
        T(events_go_only_to_webhooks_that_asked_for_them),
        T(a_given_up_capture_alerts_failing_captures_or_a_rejected_login),
        cmocka_unit_test(only_https_or_loopback_urls_are_accepted_and_shown_masked),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
