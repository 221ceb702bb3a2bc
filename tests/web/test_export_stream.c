/*
 * Streamed exports over real loopback HTTP: a 30,000-chatter session (an export several
 * times the producer's ring) arrives chunked, without a Content-Length, equal byte for byte
 * to report_export_run (what `tca export` writes); a failure injected mid-stream ends the
 * transfer without its final chunk, so the client sees an error, never a valid short file.
 * Identical downloads at once share one export run (counted by /metrics), each byte-equal to
 * one alone; another user, or the same request after a capture, never gets the shared one.
 */
#include "tests/web/gwtest.h"

#include <strings.h>

#include "base/buf.h"
#include "base/err.h"
#include "report/report.h"

enum { CHANNEL = 777001, CHATTERS = 30000 };

/* Logs demo_mod in and stores one capture of CHATTERS chatters in their active session. */
static int64_t big_session(struct gw *g, CURL *b)
{
    struct gw_resp r;
    char err[256];
    char *url = xasprintf("%s/api/v1/me", g->base);
    gw_login(g, b, NULL);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    free(url);
    int64_t user = json_integer_value(json_object_get(r.json, "id"));
    gw_resp_free(&r);
    struct store *st;
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    struct store_channel ch = {.id = CHANNEL, .login = "bigchan", .display_name = "BigChan"};
    assert_int_equal(store_channel_upsert(st, &ch, err, sizeof err), 0);
    int64_t session;
    assert_int_equal(store_session_active(st, user, clock_wall_ms(), &session, err, sizeof err), 0);
    struct chatter_set set;
    chatter_set_init(&set);
    for (int64_t i = 0; i < CHATTERS; i++) {
        char login[32];
        snprintf(login, sizeof login, "viewer%lld", (long long)(1000 + i * 7));
        chatter_set_add_named(&set, 1000 + i * 7, login, login);
    }
    chatter_set_sort_unique(&set);
    int64_t *ids = xmalloc(set.n * sizeof *ids);
    for (size_t i = 0; i < set.n; i++)
        ids[i] = set.items[i].id;
    struct store_capture_input in = {.session_id = session,
                                     .channel_id = CHANNEL,
                                     .seq = 1,
                                     .taken_at_ms = clock_wall_ms(),
                                     .pages = 30,
                                     .chatters = set.items,
                                     .n_chatters = set.n,
                                     .joined = ids,
                                     .n_joined = set.n};
    struct store_capture_result res;
    assert_int_equal(store_capture_commit(st, &in, &res, err, sizeof err), 0);
    free(ids);
    chatter_set_free(&set);
    store_close(st);
    return session;
}

struct body {
    struct buf b;
    char transfer_encoding[64];
    int content_length;
};

static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
    struct body *x = ud;
    return buf_append(&x->b, p, size * n) < 0 ? 0 : size * n;
}

static size_t on_header(char *p, size_t size, size_t n, void *ud)
{
    struct body *x = ud;
    size_t len = size * n;
    if (len > 19 && strncasecmp(p, "Transfer-Encoding: ", 19) == 0)
        snprintf(x->transfer_encoding, sizeof x->transfer_encoding, "%.*s", (int)(len - 19),
                 p + 19);
    if (len > 15 && strncasecmp(p, "Content-Length:", 15) == 0)
        x->content_length = 1;
    return len;
}

/* GETs path through browser b into x; returns curl's result. */
static CURLcode fetch(struct gw *g, CURL *b, const char *path, struct body *x)
{
    memset(x, 0, sizeof *x);
    buf_init(&x->b, 0);
    char *url = xasprintf("%s%s", g->base, path);
    curl_easy_setopt(b, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(b, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(b, CURLOPT_URL, url);
    curl_easy_setopt(b, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(b, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(b, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(b, CURLOPT_HEADERDATA, x);
    CURLcode rc = curl_easy_perform(b);
    curl_easy_setopt(b, CURLOPT_HEADERFUNCTION, NULL);
    curl_easy_setopt(b, CURLOPT_HEADERDATA, NULL);
    free(url);
    return rc;
}

static int to_buf(void *ctx, const char *p, size_t n)
{
    return buf_append(ctx, p, n) < 0 ? TCA_ELIMIT : 0;
}

/* What `tca export` writes for the same export. */
static void expected(struct gw *g, int64_t user, const struct report_export *x, struct buf *out)
{
    char err[256];
    struct store *st;
    struct report_options o;
    report_options_default(&o);
    buf_init(out, 0);
    struct report_sink sink = {.write = to_buf, .ctx = out};
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    assert_int_equal(report_export_run(st, user, x, &o, &sink, err, sizeof err), 0);
    store_close(st);
}

static int64_t user_of(struct gw *g, CURL *b)
{
    struct gw_resp r;
    char *url = xasprintf("%s/api/v1/me", g->base);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    free(url);
    int64_t user = json_integer_value(json_object_get(r.json, "id"));
    gw_resp_free(&r);
    return user;
}

static void a_big_export_arrives_chunked_and_equals_the_cli_export(void **state)
{
    (void)state;
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    int64_t session = big_session(g, b);
    struct body got;
    assert_int_equal(fetch(g, b, "/api/v1/sessions/active/export?what=chatters&format=csv", &got),
                     CURLE_OK);
    long status = 0;
    curl_easy_getinfo(b, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 200);
    assert_non_null(strstr(got.transfer_encoding, "chunked"));
    assert_false(got.content_length);
    struct buf want;
    struct report_export x = {
        .kind = REPORT_EXPORT_CHATTERS, .format = REPORT_CSV, .session_id = session};
    expected(g, user_of(g, b), &x, &want);
    assert_true(want.len > 4 * 256 * 1024); /* several times the producer's ring */
    assert_int_equal(got.b.len, want.len);
    assert_memory_equal(got.b.data, want.data, want.len);
    buf_free(&want);
    buf_free(&got.b);

    assert_int_equal(fetch(g, b,
                           "/api/v1/sessions/active/export?what=capture&channel=bigchan"
                           "&capture=1&format=json",
                           &got),
                     CURLE_OK);
    x = (struct report_export){.kind = REPORT_EXPORT_CAPTURE,
                               .format = REPORT_JSON,
                               .session_id = session,
                               .capture_channel = "bigchan",
                               .capture_seq = 1};
    expected(g, user_of(g, b), &x, &want);
    assert_int_equal(got.b.len, want.len);
    assert_memory_equal(got.b.data, want.data, want.len);
    buf_free(&want);
    buf_free(&got.b);

    /* what can be refused is refused before the headers: a plain 404, not a cut stream */
    assert_int_equal(fetch(g, b,
                           "/api/v1/sessions/active/export?what=capture&channel=bigchan"
                           "&capture=9&format=json",
                           &got),
                     CURLE_OK);
    curl_easy_getinfo(b, CURLINFO_RESPONSE_CODE, &status);
    assert_int_equal(status, 404);
    buf_free(&got.b);
    /* /metrics reads the capture totals from the store */
    assert_int_equal(fetch(g, b, "/metrics", &got), CURLE_OK);
    assert_int_equal(buf_append(&got.b, "", 1), 0);
    assert_non_null(strstr(got.b.data, "\ntca_captures_stored_total 1\n"));
    assert_non_null(strstr(got.b.data, "\ntca_capture_renames_total 0\n"));
    buf_free(&got.b);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void fail_after_200k(struct web_options *o)
{
    o->export_fail_after = 200000;
}

static void a_failure_mid_stream_is_an_incomplete_transfer_for_the_client(void **state)
{
    (void)state;
    struct gw *g = gw_start(fail_after_200k);
    CURL *b = gw_browser();
    big_session(g, b);
    struct body got;
    CURLcode rc = fetch(g, b, "/api/v1/sessions/active/export?what=chatters&format=json", &got);
    /* curl names a chunked body without its final chunk a partial file (or a receive error,
     * depending on when the connection closed) */
    assert_true(rc == CURLE_PARTIAL_FILE || rc == CURLE_RECV_ERROR);
    assert_true(got.b.len <= 200000);
    assert_true(got.b.len > 0);
    /* and what did arrive is not a complete JSON document */
    assert_null(json_loadb(got.b.data, got.b.len, 0, NULL));
    buf_free(&got.b);
    /* the gateway is still fine */
    assert_int_equal(gw_get_status(g, b, "/api/v1/me"), 200);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void a_client_leaving_mid_stream_stops_the_producer(void **state)
{
    (void)state;
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    big_session(g, b);
    struct body got;
    /* a client that takes 64 KiB and hangs up */
    curl_easy_setopt(b, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)0);
    memset(&got, 0, sizeof got);
    buf_init(&got.b, 64 * 1024);
    char *url = xasprintf("%s/api/v1/sessions/active/export?what=chatters&format=csv", g->base);
    curl_easy_setopt(b, CURLOPT_URL, url);
    curl_easy_setopt(b, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(b, CURLOPT_WRITEDATA, &got);
    assert_int_equal(curl_easy_perform(b), CURLE_WRITE_ERROR);
    free(url);
    buf_free(&got.b);
    curl_easy_cleanup(b);
    gw_stop(g); /* returns only once the producer ended */
}

/* One download driven by a curl multi handle; pause_first: stop taking bytes after the first
 * block until resumed (so its export run stays alive while others start). */
struct dl {
    CURL *h;
    struct body x;
    int pause_first, paused;
    char *url;
};

static size_t on_dl_body(char *p, size_t size, size_t n, void *ud)
{
    struct dl *d = ud;
    if (d->pause_first && !d->paused && d->x.b.len > 0) {
        d->paused = 1;
        return CURL_WRITEFUNC_PAUSE;
    }
    return buf_append(&d->x.b, p, size * n) < 0 ? 0 : size * n;
}

/* A handle with the cookies of browser b (the same login) for path. */
static void dl_init(struct dl *d, struct gw *g, CURL *b, const char *path)
{
    memset(d, 0, sizeof *d);
    buf_init(&d->x.b, 0);
    d->h = gw_browser();
    struct curl_slist *cookies = NULL;
    curl_easy_getinfo(b, CURLINFO_COOKIELIST, &cookies);
    for (struct curl_slist *c = cookies; c; c = c->next)
        curl_easy_setopt(d->h, CURLOPT_COOKIELIST, c->data);
    curl_slist_free_all(cookies);
    d->url = xasprintf("%s%s", g->base, path);
    curl_easy_setopt(d->h, CURLOPT_URL, d->url);
    curl_easy_setopt(d->h, CURLOPT_TIMEOUT_MS, 120000L);
    curl_easy_setopt(d->h, CURLOPT_WRITEFUNCTION, on_dl_body);
    curl_easy_setopt(d->h, CURLOPT_WRITEDATA, d);
}

static void dl_free(struct dl *d)
{
    curl_easy_cleanup(d->h);
    buf_free(&d->x.b);
    free(d->url);
}

/* Runs the multi handle until every transfer in it is done, or only paused ones remain. */
static void run_multi(CURLM *m, struct dl *dls, size_t n)
{
    for (;;) {
        int running = 0;
        curl_multi_perform(m, &running);
        size_t waiting = 0;
        for (size_t i = 0; i < n; i++)
            waiting += dls[i].paused == 1;
        if (running == 0 || (size_t)running == waiting)
            return;
        curl_multi_poll(m, NULL, 0, 100, NULL);
    }
}

static int64_t metric(struct gw *g, CURL *b, const char *name)
{
    struct body got;
    assert_int_equal(fetch(g, b, "/metrics", &got), CURLE_OK);
    assert_int_equal(buf_append(&got.b, "", 1), 0);
    char *line = xasprintf("\n%s ", name);
    const char *at = strstr(got.b.data, line);
    assert_non_null(at);
    int64_t v = strtoll(at + strlen(line), NULL, 10);
    free(line);
    buf_free(&got.b);
    return v;
}

enum { TWINS = 6 };

static void identical_downloads_at_once_share_one_export_run(void **state)
{
    (void)state;
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    int64_t session = big_session(g, b);
    const char *path = "/api/v1/sessions/active/export?what=chatters&format=json";
    struct buf want;
    struct report_export x = {
        .kind = REPORT_EXPORT_CHATTERS, .format = REPORT_JSON, .session_id = session};
    expected(g, user_of(g, b), &x, &want);
    int64_t runs = metric(g, b, "tca_http_export_runs_total");
    int64_t shared = metric(g, b, "tca_http_export_shared_total");
    /* the first download takes one block and waits: its run stays alive meanwhile */
    CURLM *m = curl_multi_init();
    struct dl dls[TWINS];
    dl_init(&dls[0], g, b, path);
    dls[0].pause_first = 1;
    curl_multi_add_handle(m, dls[0].h);
    run_multi(m, dls, 1);
    assert_int_equal(dls[0].paused, 1);
    for (size_t i = 1; i < TWINS; i++) {
        dl_init(&dls[i], g, b, path);
        curl_multi_add_handle(m, dls[i].h);
    }
    run_multi(m, dls, TWINS); /* the others complete while the first waits */
    for (size_t i = 1; i < TWINS; i++) {
        assert_int_equal(dls[i].x.b.len, want.len);
        assert_memory_equal(dls[i].x.b.data, want.data, want.len);
    }
    /* another user asking the same URL gets their own session's export, never the shared
     * one, and someone else's session is a 404 */
    CURL *other = gw_browser();
    gw_login(g, other, "other_mod");
    struct body theirs;
    assert_int_equal(fetch(g, other, path, &theirs), CURLE_OK);
    assert_true(theirs.b.len < 1000); /* the header row alone: their session is empty */
    buf_free(&theirs.b);
    char *direct =
        xasprintf("/api/v1/sessions/%lld/export?what=chatters&format=json", (long long)session);
    assert_int_equal(gw_get_status(g, other, direct), 404);
    free(direct);
    /* the first download resumes and gets the same bytes */
    dls[0].paused = 2;
    curl_easy_pause(dls[0].h, CURLPAUSE_CONT);
    run_multi(m, dls, TWINS);
    assert_int_equal(dls[0].x.b.len, want.len);
    assert_memory_equal(dls[0].x.b.data, want.data, want.len);
    /* one run for the six identical downloads, one for the other user's */
    assert_int_equal(metric(g, b, "tca_http_export_runs_total"), runs + 2);
    assert_int_equal(metric(g, b, "tca_http_export_shared_total"), shared + TWINS - 1);
    for (size_t i = 0; i < TWINS; i++) {
        curl_multi_remove_handle(m, dls[i].h);
        dl_free(&dls[i]);
    }
    curl_multi_cleanup(m);
    buf_free(&want);
    curl_easy_cleanup(other);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void a_capture_in_between_starts_a_fresh_export(void **state)
{
    (void)state;
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    int64_t session = big_session(g, b);
    int64_t user = user_of(g, b);
    const char *path = "/api/v1/sessions/active/export?what=chatters&format=csv";
    int64_t runs = metric(g, b, "tca_http_export_runs_total");
    CURLM *m = curl_multi_init();
    struct dl dls[2];
    dl_init(&dls[0], g, b, path);
    dls[0].pause_first = 1;
    curl_multi_add_handle(m, dls[0].h);
    run_multi(m, dls, 1);
    assert_int_equal(dls[0].paused, 1);
    /* a second capture: one chatter left */
    char err[256];
    struct store *st;
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    struct chatter_set set;
    chatter_set_init(&set);
    chatter_set_add_named(&set, 1000, "viewer1000", "viewer1000");
    int64_t left[CHATTERS - 1];
    for (int64_t i = 1; i < CHATTERS; i++)
        left[i - 1] = 1000 + i * 7;
    struct store_capture_input in = {.session_id = session,
                                     .channel_id = CHANNEL,
                                     .seq = 2,
                                     .taken_at_ms = clock_wall_ms(),
                                     .pages = 1,
                                     .chatters = set.items,
                                     .n_chatters = set.n,
                                     .left = left,
                                     .n_left = CHATTERS - 1};
    struct store_capture_result res;
    assert_int_equal(store_capture_commit(st, &in, &res, err, sizeof err), 0);
    chatter_set_free(&set);
    store_close(st);
    struct buf want;
    struct report_export x = {
        .kind = REPORT_EXPORT_CHATTERS, .format = REPORT_CSV, .session_id = session};
    expected(g, user, &x, &want);
    dl_init(&dls[1], g, b, path);
    curl_multi_add_handle(m, dls[1].h);
    run_multi(m, dls, 2);
    assert_int_equal(dls[1].x.b.len, want.len); /* the new state, not the running export */
    assert_memory_equal(dls[1].x.b.data, want.data, want.len);
    assert_int_equal(metric(g, b, "tca_http_export_runs_total"), runs + 2);
    dls[0].paused = 2;
    curl_easy_pause(dls[0].h, CURLPAUSE_CONT);
    run_multi(m, dls, 2);
    for (size_t i = 0; i < 2; i++) {
        curl_multi_remove_handle(m, dls[i].h);
        dl_free(&dls[i]);
    }
    curl_multi_cleanup(m);
    buf_free(&want);
    curl_easy_cleanup(b);
    gw_stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_big_export_arrives_chunked_and_equals_the_cli_export),
        cmocka_unit_test(a_failure_mid_stream_is_an_incomplete_transfer_for_the_client),
        cmocka_unit_test(a_client_leaving_mid_stream_stops_the_producer),
        cmocka_unit_test(identical_downloads_at_once_share_one_export_run),
        cmocka_unit_test(a_capture_in_between_starts_a_fresh_export),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
