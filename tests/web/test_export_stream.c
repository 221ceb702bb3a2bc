/*
 * Streamed exports over real loopback HTTP: a 30,000-chatter session (an export several
 * times the producer's ring) arrives chunked, without a Content-Length, equal byte for byte
 * to report_export_run (what `tca export` writes); a failure injected mid-stream ends the
 * transfer without its final chunk, so the client sees an error, never a valid short file.
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_big_export_arrives_chunked_and_equals_the_cli_export),
        cmocka_unit_test(a_failure_mid_stream_is_an_incomplete_transfer_for_the_client),
        cmocka_unit_test(a_client_leaving_mid_stream_stops_the_producer),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
