/*
 * The authorization matrix, generated from the router's table: every route is sent as
 * nobody, as another logged-in user (browser without and with its CSRF token, read-write and
 * read-only API keys) and as the owner of the resource (the same five ways), and each cell
 * must answer its expected status. A route the table has and this matrix does not fails the
 * test, so no route can be added without deciding who may call it.
 */
#include "tests/web/gwtest.h"

#include "base/err.h"
#include "jobs/worker.h"
#include "web/internal.h"

/* The callers, in the order their expected statuses are written. */
enum caller {
    ANON,
    OTHER_NOCSRF, /* other_mod's browser without X-CSRF-Token */
    OTHER,        /* other_mod's browser with its token */
    OTHER_RW,     /* other_mod's read-write API key */
    OTHER_RO,     /* other_mod's read-only API key */
    OWNER_NOCSRF,
    OWNER_RO,
    OWNER_RW,
    OWNER,
    N_CALLERS
};

struct row {
    const char *method, *pattern;
    const char *path;   /* with the fixture's ids: session 1, job 1, channel 20001 */
    const char *body;   /* JSON; NULL: none */
    const char *expect; /* N_CALLERS statuses in enum caller order */
};

/* Session 1, job 1 and everything under them are demo_mod's (the owner); other_mod owns
 * nothing of them. "Own list" routes (me, keys, bots, new session) act on the caller's own
 * data, so other_mod gets the owner's answer there. */
static const struct row rows[] = {
    /* statuses: nobody; other_mod's browser without / with CSRF, rw key, ro key; the owner's
     * browser without CSRF, ro key, rw key, browser with CSRF */
    {"GET", "/", "/", NULL, "200 200 200 200 200 200 200 200 200"},
    {"GET", "/healthz", "/healthz", NULL, "200 200 200 200 200 200 200 200 200"},
    {"GET", "/readyz", "/readyz", NULL, "200 200 200 200 200 200 200 200 200"},
    {"GET", "/metrics", "/metrics", NULL, "200 200 200 200 200 200 200 200 200"},
    {"GET", "/auth/login", "/auth/login", NULL, "302 302 302 302 302 302 302 302 302"},
    {"GET", "/auth/callback", "/auth/callback?code=x&state=y", NULL,
     "400 400 400 400 400 400 400 400 400"},
    {"POST", "/auth/logout", "/auth/logout", NULL, "401 403 200 403 403 403 403 403 200"},
    {"POST", "/auth/logout-everywhere", "/auth/logout-everywhere", NULL,
     "401 403 200 403 403 403 403 403 200"},
    {"POST", "/auth/disconnect", "/auth/disconnect", NULL, "401 403 200 403 403 403 403 403 200"},
    /* the OBS dock page: public, and 404 here because the test gateway has no UI folder */
    {"GET", "/dock/{session}", "/dock/active", NULL, "404 404 404 404 404 404 404 404 404"},
    {"GET", "/api/v1/sessions/{session}/events", "/api/v1/sessions/1/events", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"GET", "/api/v1/openapi.json", "/api/v1/openapi.json", NULL,
     "200 200 200 200 200 200 200 200 200"},
    {"GET", "/api/v1/me", "/api/v1/me", NULL, "401 200 200 200 200 200 200 200 200"},
    {"GET", "/api/v1/channels", "/api/v1/channels", NULL, "401 200 200 200 200 200 200 200 200"},
    {"GET", "/api/v1/sessions", "/api/v1/sessions", NULL, "401 200 200 200 200 200 200 200 200"},
    {"POST", "/api/v1/sessions", "/api/v1/sessions", NULL, "401 403 201 201 403 403 403 201 201"},
    {"GET", "/api/v1/sessions/{session}", "/api/v1/sessions/1", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"DELETE", "/api/v1/sessions/{session}", "/api/v1/sessions/1", NULL,
     "401 403 404 404 403 403 403 200 200"},
    {"POST", "/api/v1/sessions/{session}/save", "/api/v1/sessions/1/save", "{\"label\": \"kept\"}",
     "401 403 404 404 403 403 403 200 200"},
    {"PUT", "/api/v1/sessions/{session}/label", "/api/v1/sessions/1/label", "{\"label\": \"x\"}",
     "401 403 404 404 403 403 403 200 200"},
    {"POST", "/api/v1/sessions/{session}/purge", "/api/v1/sessions/1/purge", NULL,
     "401 403 404 404 403 403 403 200 200"},
    {"GET", "/api/v1/sessions/{session}/captures", "/api/v1/sessions/1/captures", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"GET", "/api/v1/sessions/{session}/jobs", "/api/v1/sessions/1/jobs", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"PUT", "/api/v1/sessions/{session}/channels/{channel}", "/api/v1/sessions/1/channels/20002",
     NULL, "401 403 404 404 403 403 403 201 201"},
    {"POST", "/api/v1/sessions/{session}/channels/{channel}/capture",
     "/api/v1/sessions/1/channels/20001/capture", NULL, "401 403 404 404 403 403 403 202 202"},
    {"PUT", "/api/v1/sessions/{session}/channels/{channel}/schedule",
     "/api/v1/sessions/1/channels/20001/schedule", "{\"interval_s\": 60}",
     "401 403 404 404 403 403 403 200 200"},
    {"DELETE", "/api/v1/sessions/{session}/channels/{channel}/schedule",
     "/api/v1/sessions/1/channels/20001/schedule", NULL, "401 403 404 404 403 403 403 200 200"},
    {"PUT", "/api/v1/sessions/{session}/channels/{channel}/live",
     "/api/v1/sessions/1/channels/20001/live", "{\"interval_s\": 60}",
     "401 403 404 404 403 403 403 200 200"},
    {"GET", "/api/v1/jobs/{job}", "/api/v1/jobs/1", NULL, "401 404 404 404 404 200 200 200 200"},
    {"GET", "/api/v1/keys", "/api/v1/keys", NULL, "401 200 200 200 200 200 200 200 200"},
    {"POST", "/api/v1/keys", "/api/v1/keys", "{\"name\": \"another\"}",
     "401 403 201 403 403 403 403 403 201"},
    {"DELETE", "/api/v1/keys/{key}", "/api/v1/keys/5", NULL, "401 403 404 404 403 403 403 200 200"},
    {"GET", "/api/v1/sessions/{session}/stats", "/api/v1/sessions/1/stats", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"GET", "/api/v1/sessions/{session}/overlap",
     "/api/v1/sessions/1/overlap?a=tiny_channel&b=tiny_channel", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"GET", "/api/v1/sessions/{session}/export", "/api/v1/sessions/1/export", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"GET", "/api/v1/sessions/{session}/chatters", "/api/v1/sessions/1/chatters", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"GET", "/api/v1/sessions/{session}/chat", "/api/v1/sessions/1/chat", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"PUT", "/api/v1/sessions/{session}/chat", "/api/v1/sessions/1/chat", "{\"enabled\": true}",
     "401 403 404 404 403 403 403 200 200"},
    {"GET", "/api/v1/overlap", "/api/v1/overlap?session_a=1&session_b=1", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"GET", "/api/v1/chatters/{chatter}", "/api/v1/chatters/{chatter}", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"GET", "/api/v1/channels/{login}/history", "/api/v1/channels/tiny_channel/history", NULL,
     "401 404 404 404 404 200 200 200 200"},
    {"GET", "/api/v1/bots", "/api/v1/bots", NULL, "401 200 200 200 200 200 200 200 200"},
    {"POST", "/api/v1/bots", "/api/v1/bots", "{\"login\": \"my_lurker\"}",
     "401 403 200 200 403 403 403 200 200"},
    {"POST", "/api/v1/bots/import", "/api/v1/bots/import", NULL,
     "401 403 415 415 403 403 403 415 415"},
    {"DELETE", "/api/v1/bots/{login}", "/api/v1/bots/owners_bot", NULL,
     "401 403 404 404 403 403 403 200 200"},
    {"GET", "/api/v1/webhooks", "/api/v1/webhooks", NULL, "401 200 200 200 200 200 200 200 200"},
    {"POST", "/api/v1/webhooks", "/api/v1/webhooks",
     "{\"kind\": \"json\", \"url\": \"http://127.0.0.1:9/hook\", \"events\": [\"raid\"]}",
     "401 403 201 201 403 403 403 201 201"},
    {"DELETE", "/api/v1/webhooks/{webhook}", "/api/v1/webhooks/1", NULL,
     "401 403 404 404 403 403 403 200 200"},
    {"POST", "/api/v1/webhooks/{webhook}/test", "/api/v1/webhooks/1/test", NULL,
     "401 403 404 404 403 403 403 202 202"},
    {"GET", "/api/v1/deliveries", "/api/v1/deliveries", NULL,
     "401 200 200 200 200 200 200 200 200"},
    {"GET", "/api/v1/watchlist", "/api/v1/watchlist", NULL, "401 200 200 200 200 200 200 200 200"},
    {"POST", "/api/v1/watchlist", "/api/v1/watchlist", "{\"login\": \"someone_watched\"}",
     "401 403 201 201 403 403 403 201 201"},
    {"POST", "/api/v1/watchlist/import", "/api/v1/watchlist/import", NULL,
     "401 403 415 415 403 403 403 415 415"},
    {"DELETE", "/api/v1/watchlist/{entry}", "/api/v1/watchlist/1", NULL,
     "401 403 404 404 403 403 403 200 200"},
};

struct fixture {
    struct gw *g;
    CURL *owner, *other;
    char *auth[N_CALLERS]; /* Authorization header of the key callers */
    long chatter;
};

static void run_jobs(struct gw *g)
{
    char err[256];
    struct store *st;
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    struct twitch_client *tw = twitch_client_new(&g->o.twitch);
    struct worker_env env = {.st = st, .tw = tw, .keys = &g->keys, .clock = g->o.twitch.clock};
    struct worker_outcome o;
    while (worker_run_one(&env, &o, err, sizeof err) == 1)
        ;
    twitch_client_free(tw);
    store_close(st);
}

static char *key(struct gw *g, CURL *b, const char *body, long want_id)
{
    struct gw_resp r;
    gw_send(g, b, "POST", "/api/v1/keys", body, &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "id")), want_id);
    char *out =
        xasprintf("Authorization: Bearer %s", json_string_value(json_object_get(r.json, "key")));
    gw_resp_free(&r);
    return out;
}

static void no_rate_limit(struct web_options *o)
{
    o->rate_limit = 0;
}

/* demo_mod owns session 1 (a capture of tiny_channel: job 1), keys 1, 2 and 5, the bot
 * owners_bot, webhook 1 and watched account 1; other_mod has keys 3 and 4 and nothing else. */
static void fixture_start(struct fixture *f)
{
    struct gw_resp r;
    memset(f, 0, sizeof *f);
    f->g = gw_start(no_rate_limit);
    f->owner = gw_browser();
    f->other = gw_browser();
    gw_login(f->g, f->owner, NULL);
    gw_login(f->g, f->other, "other_mod");
    gw_send(f->g, f->owner, "POST", "/api/v1/sessions/active/channels/20001/capture", NULL, &r);
    assert_int_equal(r.status, 202);
    assert_int_equal(json_integer_value(json_object_get(r.json, "job_id")), 1);
    assert_int_equal(gw_get_status(f->g, f->owner, "/api/v1/sessions/1"), 200);
    gw_resp_free(&r);
    run_jobs(f->g);
    f->auth[OWNER_RW] = key(f->g, f->owner, "{\"name\": \"rw\"}", 1);
    f->auth[OWNER_RO] = key(f->g, f->owner, "{\"name\": \"ro\", \"read_only\": true}", 2);
    f->auth[OTHER_RW] = key(f->g, f->other, "{\"name\": \"rw\"}", 3);
    f->auth[OTHER_RO] = key(f->g, f->other, "{\"name\": \"ro\", \"read_only\": true}", 4);
    free(key(f->g, f->owner, "{\"name\": \"to revoke\"}", 5));
    gw_send(f->g, f->owner, "POST", "/api/v1/bots", "{\"login\": \"owners_bot\"}", &r);
    assert_int_equal(r.status, 200);
    gw_resp_free(&r);
    /* webhook 1 and watched account 1 are the owner's */
    gw_send(f->g, f->owner, "POST", "/api/v1/webhooks",
            "{\"kind\": \"json\", \"url\": \"http://127.0.0.1:9/owners\", \"events\": [\"raid\"]}",
            &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "id")), 1);
    gw_resp_free(&r);
    gw_send(f->g, f->owner, "POST", "/api/v1/watchlist", "{\"login\": \"owners_watch\"}", &r);
    assert_int_equal(r.status, 201);
    assert_int_equal(json_integer_value(json_object_get(r.json, "id")), 1);
    gw_resp_free(&r);
    /* a chatter of session 1 */
    char *url = xasprintf("%s/api/v1/sessions/1/stats?sections=viewer_list", f->g->base);
    gw_do(f->owner, "GET", url, NULL, NULL, NULL, &r);
    free(url);
    char *text = json_dumps(r.json, 0);
    const char *p = strstr(text, "\"chatters\": [{");
    assert_non_null(p);
    p = strstr(p, "\"id\": \"");
    assert_non_null(p);
    f->chatter = strtol(p + 7, NULL, 10);
    free(text);
    gw_resp_free(&r);
}

static void fixture_stop(struct fixture *f)
{
    for (int i = 0; i < N_CALLERS; i++)
        free(f->auth[i]);
    curl_easy_cleanup(f->owner);
    curl_easy_cleanup(f->other);
    gw_stop(f->g);
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
    return size * n;
}

/* The status of a GET whose reply streams forever: read once the headers are in. */
static long stream_status(CURL *b, const char *url, const char *header)
{
    /* the browser's own handle: a duplicate would not carry its cookies */
    CURL *h = b ? b : curl_easy_init();
    struct curl_slist *hs = header ? curl_slist_append(NULL, header) : NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 1500L);
    CURLcode rc = curl_easy_perform(h);
    assert_true(rc == CURLE_OK || rc == CURLE_OPERATION_TIMEDOUT);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, 20000L);
    if (!b)
        curl_easy_cleanup(h);
    curl_slist_free_all(hs);
    return status;
}

static long call(struct fixture *f, const struct row *row, enum caller c)
{
    struct gw_resp r;
    char path[256];
    const char *ph = strstr(row->path, "{chatter}");
    if (ph)
        snprintf(path, sizeof path, "%.*s%ld", (int)(ph - row->path), row->path, f->chatter);
    else
        snprintf(path, sizeof path, "%s", row->path);
    char *url = xasprintf("%s%s", f->g->base, path);
    CURL *b = c == OTHER || c == OTHER_NOCSRF   ? f->other
              : c == OWNER || c == OWNER_NOCSRF ? f->owner
                                                : NULL;
    char *csrf = c == OTHER || c == OWNER ? gw_csrf_header(f->g, b) : NULL;
    /* a reply that never ends (SSE): only its status is read */
    if (strcmp(row->pattern, "/api/v1/sessions/{session}/events") == 0) {
        long status = stream_status(b, url, csrf ? csrf : f->auth[c]);
        free(csrf);
        free(url);
        return status;
    }
    gw_do(b, row->method, url, row->body, csrf ? csrf : f->auth[c], NULL, &r);
    long status = r.status;
    if (status >= 400 && !json_is_string(json_object_get(r.json, "error")))
        fail_msg("%s %s: %ld without a JSON error", row->method, path, status);
    gw_resp_free(&r);
    free(csrf);
    free(url);
    return status;
}

static void every_route_of_the_router_has_a_row(void **state)
{
    size_t n;
    const struct web_route *routes = web_routes(&n);
    for (size_t i = 0; i < n; i++) {
        size_t j;
        for (j = 0; j < sizeof rows / sizeof *rows; j++)
            if (strcmp(rows[j].method, routes[i].method) == 0 &&
                strcmp(rows[j].pattern, routes[i].pattern) == 0)
                break;
        if (j == sizeof rows / sizeof *rows)
            fail_msg("route %s %s has no row in the authorization matrix", routes[i].method,
                     routes[i].pattern);
    }
    assert_int_equal(n, sizeof rows / sizeof *rows);
}

static void every_cell_answers_its_expected_status(void **state)
{
    int failures = 0;
    for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
        const struct row *row = &rows[i];
        long want[N_CALLERS];
        const char *p = row->expect;
        for (int c = 0; c < N_CALLERS; c++)
            want[c] = strtol(p, (char **)&p, 10);
        int writes = strcmp(row->method, "GET") != 0;
        struct fixture f;
        fixture_start(&f);
        for (int c = 0; c < N_CALLERS; c++) {
            /* the owner's successful writes each start from the same state */
            if (writes && (c == OWNER_RW || c == OWNER)) {
                fixture_stop(&f);
                fixture_start(&f);
            }
            long got = call(&f, row, (enum caller)c);
            if (got != want[c]) {
                print_error("%s %s as caller %d: %ld, expected %ld\n", row->method, row->path, c,
                            got, want[c]);
                failures++;
            }
        }
        fixture_stop(&f);
    }
    assert_int_equal(failures, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_route_of_the_router_has_a_row),
        cmocka_unit_test(every_cell_answers_its_expected_status),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
