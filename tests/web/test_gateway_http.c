/*
 * The gateway's HTTP edge cases over raw TCP: requests curl would never send (hundreds of
 * query parameters or cookies, conflicting Content-Length headers, bytes that are not UTF-8)
 * written byte for byte to a gateway started in-process on loopback. Every reply must be the
 * JSON {"error", "message"}, and a smuggled second request must never be answered.
 */
#include "tests/web/gwtest.h"
#include "report/report.h"
#include "web/internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

static int gw_port(struct gw *g)
{
    return atoi(strrchr(g->base, ':') + 1);
}

/* Writes req to a fresh connection and reads until the server closes it or 20 s pass;
 * returns what came back (caller frees). */
static char *raw(struct gw *g, const char *req, size_t len)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)gw_port(g))};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    for (size_t off = 0; off < len;) {
        ssize_t n = write(fd, req + off, len - off);
        assert_true(n > 0);
        off += (size_t)n;
    }
    size_t cap = 65536, got = 0;
    char *out = xmalloc(cap + 1);
    for (;;) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, 20000) <= 0)
            break;
        ssize_t n = read(fd, out + got, cap - got);
        if (n <= 0)
            break;
        got += (size_t)n;
        if (got == cap)
            break;
    }
    out[got] = 0;
    close(fd);
    return out;
}

static long status_of(const char *reply)
{
    return strncmp(reply, "HTTP/1.1 ", 9) == 0 ? strtol(reply + 9, NULL, 10) : -1;
}

/* The body of the first reply is a JSON object with "error" and "message". */
static void assert_json_error(const char *reply, const char *code)
{
    const char *body = strstr(reply, "\r\n\r\n");
    assert_non_null(body);
    assert_non_null(strstr(reply, "Content-Type: application/json"));
    json_error_t je;
    /* the first JSON value only: a second reply must not follow */
    json_t *j = json_loads(body + 4, JSON_DISABLE_EOF_CHECK, &je);
    if (!j)
        fail_msg("not JSON: %s", reply);
    assert_true(json_is_string(json_object_get(j, "message")));
    if (code)
        assert_string_equal(json_string_value(json_object_get(j, "error")), code);
    json_decref(j);
}

static char *repeat(const char *head, const char *unit, int n, const char *tail)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    assert_int_equal(buf_append(&b, head, strlen(head)), 0);
    for (int i = 0; i < n; i++) {
        char u[64];
        snprintf(u, sizeof u, unit, i, i); /* units use i up to twice */
        assert_int_equal(buf_append(&b, u, strlen(u)), 0);
    }
    assert_int_equal(buf_append(&b, tail, strlen(tail)), 0);
    assert_int_equal(buf_append(&b, "", 1), 0);
    return b.data;
}

static void hundred_query_parameters_are_answered_and_three_hundred_get_a_json_414(void **state)
{
    struct gw *g = gw_start(NULL);
    /* 101 parameters: one past the cap */
    char *req = repeat("GET /healthz?", "a%d=b&", 100, "z=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    char *reply = raw(g, req, strlen(req));
    assert_int_equal(status_of(reply), 414);
    free(req);
    free(reply);
    /* 100: within the cap, an ordinary reply */
    req = repeat("GET /healthz?", "a%d=b&", 99, "z=1 HTTP/1.1\r\nHost: x\r\n\r\n");
    reply = raw(g, req, strlen(req));
    assert_int_equal(status_of(reply), 200);
    free(req);
    free(reply);
    /* the request: 300 parameters, which used to hang for 30 s without a reply */
    req = repeat("GET /healthz?", "a=b&", 300, " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    reply = raw(g, req, strlen(req));
    assert_int_equal(status_of(reply), 414);
    assert_json_error(reply, "uri_too_long");
    free(req);
    free(reply);
    gw_stop(g);
}

static void two_hundred_cookies_get_a_reply(void **state)
{
    struct gw *g = gw_start(NULL);
    char *req =
        repeat("GET /api/v1/me HTTP/1.1\r\nHost: x\r\nConnection: close\r\nCookie: ", "c%d=v; ",
               200, "last=1\r\n\r\n");
    char *reply = raw(g, req, strlen(req));
    assert_int_equal(status_of(reply), 401);
    assert_json_error(reply, "unauthenticated");
    free(req);
    free(reply);
    gw_stop(g);
}

static void conflicting_content_lengths_get_400_and_the_smuggled_request_no_reply(void **state)
{
    struct gw *g = gw_start(NULL);
    /* under the second length, the body holds a whole second request */
    const char *smuggled = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    char *req =
        xasprintf("POST /api/v1/bots HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  "Content-Length: 2\r\nContent-Length: %zu\r\n\r\n{}%s",
                  2 + strlen(smuggled), smuggled);
    char *reply = raw(g, req, strlen(req));
    assert_int_equal(status_of(reply), 400);
    assert_json_error(reply, "bad_request");
    assert_non_null(strstr(reply, "Connection: close"));
    assert_null(strstr(reply + 9, "HTTP/1.1 ")); /* one reply only */
    free(req);
    free(reply);
    /* Content-Length beside Transfer-Encoding: the same */
    req = xasprintf("POST /api/v1/bots HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n"
                    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n%s",
                    smuggled);
    reply = raw(g, req, strlen(req));
    assert_int_equal(status_of(reply), 400);
    assert_json_error(reply, "bad_request");
    assert_null(strstr(reply + 9, "HTTP/1.1 "));
    free(req);
    free(reply);
    gw_stop(g);
}

static void invalid_utf8_in_the_query_or_path_gets_a_json_400(void **state)
{
    struct gw *g = gw_start(NULL);
    const char *reqs[] = {
        "GET /healthz?x=%ff%fe HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /api/v1/channels/%c3%28/history HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
        "GET /api/v1/overlap?session_a=%ed%a0%80 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof reqs / sizeof *reqs; i++) {
        char *reply = raw(g, reqs[i], strlen(reqs[i]));
        assert_int_equal(status_of(reply), 400);
        assert_json_error(reply, "bad_request");
        free(reply);
    }
    /* valid UTF-8 is just a parameter */
    const char *ok =
        "GET /healthz?x=%c3%a9%e2%82%ac HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    char *reply = raw(g, ok, strlen(ok));
    assert_int_equal(status_of(reply), 200);
    free(reply);
    gw_stop(g);
}

/* POSTs csv as text/csv to the bot import through logged-in browser b; the status. */
static long import_bots(struct gw *g, CURL *b, const char *csv, size_t len)
{
    struct gw_resp r;
    memset(&r, 0, sizeof r);
    char *csrf = gw_csrf_header(g, b);
    char *url = xasprintf("%s/api/v1/bots/import", g->base);
    struct curl_slist *hs = curl_slist_append(NULL, "Content-Type: text/csv");
    hs = curl_slist_append(hs, csrf);
    curl_easy_setopt(b, CURLOPT_URL, url);
    curl_easy_setopt(b, CURLOPT_CUSTOMREQUEST, "POST");
    curl_easy_setopt(b, CURLOPT_POSTFIELDSIZE, (long)len);
    curl_easy_setopt(b, CURLOPT_POSTFIELDS, csv);
    curl_easy_setopt(b, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(b, CURLOPT_WRITEFUNCTION, gw_write);
    curl_easy_setopt(b, CURLOPT_WRITEDATA, &r);
    assert_int_equal(curl_easy_perform(b), CURLE_OK);
    long status;
    curl_easy_getinfo(b, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_setopt(b, CURLOPT_HTTPHEADER, NULL);
    curl_easy_setopt(b, CURLOPT_POSTFIELDS, NULL);
    curl_slist_free_all(hs);
    free(r.body);
    free(url);
    free(csrf);
    return status;
}

static void bot_import_takes_the_same_one_mib_as_the_cli_and_no_more(void **state)
{
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    gw_login(g, b, NULL);
    /* 9,000 rows, ~360 KiB with comments: past the 64 KiB of other bodies, within 1 MiB */
    char *csv = repeat("login,kind\n", "# lurker %05d of the list\nbot_%05d,lurker\n", 9000, "");
    assert_true(strlen(csv) > WEB_MAX_BODY);
    assert_int_equal(import_bots(g, b, csv, strlen(csv)), 200);
    free(csv);
    size_t big = REPORT_BOTS_CSV_MAX + 1;
    char *huge = xmalloc(big);
    memset(huge, '#', big);
    assert_int_equal(import_bots(g, b, huge, big), 413);
    free(huge);
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void utf8_check_refuses_overlong_surrogates_and_truncation(void **state)
{
    assert_true(web_utf8_valid(""));
    assert_true(web_utf8_valid("plain é € 𝄞"));
    assert_false(web_utf8_valid("\xc0\xaf"));         /* overlong '/' */
    assert_false(web_utf8_valid("\xe0\x80\xaf"));     /* overlong */
    assert_false(web_utf8_valid("\xed\xa0\x80"));     /* surrogate */
    assert_false(web_utf8_valid("\xf4\x90\x80\x80")); /* past U+10FFFF */
    assert_false(web_utf8_valid("\xe2\x82"));         /* truncated */
    assert_false(web_utf8_valid("\xff"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hundred_query_parameters_are_answered_and_three_hundred_get_a_json_414),
        cmocka_unit_test(two_hundred_cookies_get_a_reply),
        cmocka_unit_test(conflicting_content_lengths_get_400_and_the_smuggled_request_no_reply),
        cmocka_unit_test(invalid_utf8_in_the_query_or_path_gets_a_json_400),
        cmocka_unit_test(bot_import_takes_the_same_one_mib_as_the_cli_and_no_more),
        cmocka_unit_test(utf8_check_refuses_overlong_surrogates_and_truncation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
