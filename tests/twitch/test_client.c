/*
 * Helix calls against a scripted Twitch on loopback: pagination, retries, 429 and budget
 * waits (on a fake clock, so nothing really waits), token refresh, error mapping, batching.
 */
#include "tests/twitch/fake_twitch.h"
#include "base/err.h"

#define PAGE1                                                                                      \
    "{\"data\":[{\"user_id\":\"1\",\"user_login\":\"alice\",\"user_name\":\"Alice\"},"             \
    "{\"user_id\":\"2\",\"user_login\":\"bob\",\"user_name\":\"Bob\"}],"                           \
    "\"pagination\":{\"cursor\":\"c1==\"},\"total\":4}"
#define PAGE2                                                                                      \
    "{\"data\":[{\"user_id\":\"2\",\"user_login\":\"bob\",\"user_name\":\"Bob\"},"                 \
    "{\"user_id\":\"3\",\"user_login\":\"carol\",\"user_name\":\"Carol\"}],"                       \
    "\"pagination\":{\"cursor\":\"c2+/\"},\"total\":4}"
#define PAGE3                                                                                      \
    "{\"data\":[{\"user_id\":\"4\",\"user_login\":\"dave\",\"user_name\":\"Dave\"}],"              \
    "\"pagination\":{},\"total\":4}"
#define LAST_PAGE                                                                                  \
    "{\"data\":[{\"user_id\":\"9\",\"user_login\":\"zed\",\"user_name\":\"Zed\"}],"                \
    "\"pagination\":{},\"total\":1}"
#define UNAUTHORIZED                                                                               \
    "{\"error\":\"Unauthorized\",\"status\":401,\"message\":\"Invalid OAuth token\"}"

struct fixture {
    struct fake_twitch *f;
    struct fake_clock fc;
    struct twitch_client *c;
    struct twitch_token tok;
    char api[128], auth[128], err[256];
};

static struct fixture *start(const struct step *steps, size_t n)
{
    struct fixture *x = calloc(1, sizeof *x);
    x->f = fake_twitch_start(steps, n);
    x->c = fake_client(x->f, &x->fc, x->api, x->auth);
    x->tok.access_token = strdup("tok1");
    x->tok.refresh_token = strdup("ref1");
    return x;
}

static void stop(struct fixture *x)
{
    twitch_client_free(x->c);
    fake_twitch_stop(x->f);
    twitch_token_clear(&x->tok);
    free(x);
}

static int chatters(struct fixture *x, struct chatter_set *s, int *pages)
{
    chatter_set_init(s);
    return twitch_get_chatters(x->c, &x->tok, 100, 200, s, pages, x->err, sizeof x->err);
}

#define N(a) (sizeof(a) / sizeof *(a))

static void chatters_follow_three_pages_and_drop_repeats(void **state)
{
    static const struct step steps[] = {
        {.status = 200, PAGE1}, {.status = 200, PAGE2}, {.status = 200, PAGE3}};
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), 0);
    assert_int_equal(pages, 3);
    assert_int_equal(s.n, 4);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(s.items[i].id, (int64_t)i + 1);
    assert_string_equal(s.items[2].login, "carol");
    assert_int_equal(fake_twitch_requests(x->f), 3);
    assert_string_equal(x->f->seen[0].path, "/helix/chat/chatters");
    assert_string_equal(x->f->seen[0].query, "broadcaster_id=100&moderator_id=200&first=1000");
    assert_string_equal(x->f->seen[1].query,
                        "broadcaster_id=100&moderator_id=200&first=1000&after=c1==");
    assert_string_equal(x->f->seen[2].query,
                        "broadcaster_id=100&moderator_id=200&first=1000&after=c2+/");
    assert_string_equal(x->f->seen[0].auth, "Bearer tok1");
    assert_string_equal(x->f->seen[0].client_id, "cid123");
    assert_int_equal(x->fc.n_sleeps, 0);
    chatter_set_free(&s);
    stop(x);
}

static void rate_limited_page_waits_for_reset_then_completes(void **state)
{
    static const struct step steps[] = {
        {.status = 200, PAGE1, "799", "1700000060"},
        {.status = 429, "{\"status\":429,\"message\":\"Too Many Requests\"}", "0", "1700000005"},
        {.status = 200, PAGE3, "798", "1700000060"},
    };
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), 0);
    assert_int_equal(pages, 2);
    assert_int_equal(s.n, 3);
    assert_int_equal(fake_twitch_requests(x->f), 3);
    assert_int_equal(x->fc.n_sleeps, 1);
    assert_int_equal(x->fc.slept[0], 5000);
    chatter_set_free(&s);
    stop(x);
}

static void server_error_is_retried_after_a_backoff(void **state)
{
    static const struct step steps[] = {{.status = 500, "{}"}, {.status = 200, LAST_PAGE}};
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), 0);
    assert_int_equal(s.n, 1);
    assert_int_equal(x->fc.n_sleeps, 1);
    assert_true(x->fc.slept[0] >= 50 && x->fc.slept[0] <= 100);
    chatter_set_free(&s);
    stop(x);
}

static void endless_server_errors_give_temporary_failure_after_max_retries(void **state)
{
    static const struct step steps[] = {
        {.status = 503, "{\"status\":503,\"message\":\"Service Unavailable\"}", NULL, NULL, 1}};
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), TCA_ETEMP);
    assert_int_equal(fake_twitch_requests(x->f), 4); /* first try + 3 retries */
    assert_int_equal(x->fc.n_sleeps, 3);
    for (int i = 0; i < 3; i++) /* capped exponential: 100, 200, 400 with equal jitter */
        assert_true(x->fc.slept[i] >= (100 << i) / 2 && x->fc.slept[i] <= (100 << i));
    assert_non_null(strstr(x->err, "Service Unavailable"));
    chatter_set_free(&s);
    stop(x);
}

static void malformed_page_fails_the_whole_capture(void **state)
{
    static const struct step steps[] = {
        {.status = 200, PAGE1}, {.status = 200, "{\"data\":[{\"user_id\":\"x\"}],\"total\":4}"}};
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), TCA_EPROTO);
    assert_non_null(strstr(x->err, "chatters page"));
    chatter_set_free(&s);
    stop(x);
}

static void repeated_cursor_is_a_protocol_error(void **state)
{
    static const struct step steps[] = {{.status = 200, PAGE1, NULL, NULL, 1}};
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), TCA_EPROTO);
    assert_int_equal(fake_twitch_requests(x->f), 2);
    chatter_set_free(&s);
    stop(x);
}

static void expired_token_is_refreshed_once_and_the_call_retried(void **state)
{
    static const struct step steps[] = {
        {.status = 401, UNAUTHORIZED},
        {.status = 200,
         "{\"access_token\":\"tok2\",\"refresh_token\":\"ref2\",\"expires_in\":14000,"
         "\"scope\":[\"moderator:read:chatters\"],\"token_type\":\"bearer\"}"},
        {.status = 200, LAST_PAGE},
    };
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), 0);
    assert_int_equal(s.n, 1);
    assert_true(x->tok.refreshed);
    assert_string_equal(x->tok.access_token, "tok2");
    assert_string_equal(x->tok.refresh_token, "ref2");
    assert_int_equal(x->tok.expires_at_ms, T0_S * 1000 + 14000 * 1000);
    const struct seen *r = &x->f->seen[1];
    assert_string_equal(r->method, "POST");
    assert_string_equal(r->path, "/oauth2/token");
    assert_non_null(strstr(r->body, "grant_type=refresh_token"));
    assert_non_null(strstr(r->body, "refresh_token=ref1"));
    assert_non_null(strstr(r->body, "client_id=cid123"));
    assert_non_null(strstr(r->body, "client_secret=sec456"));
    assert_string_equal(x->f->seen[2].auth, "Bearer tok2");
    chatter_set_free(&s);
    stop(x);
}

static void refused_refresh_is_an_auth_error(void **state)
{
    static const struct step steps[] = {
        {.status = 401, UNAUTHORIZED},
        {.status = 400, "{\"status\":400,\"message\":\"Invalid refresh token\"}"},
    };
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), TCA_EAUTH);
    assert_non_null(strstr(x->err, "Invalid refresh token"));
    assert_null(strstr(x->err, "ref1"));
    assert_false(x->tok.refreshed);
    assert_int_equal(fake_twitch_requests(x->f), 2);
    chatter_set_free(&s);
    stop(x);
}

static void second_unauthorized_after_refresh_is_an_auth_error(void **state)
{
    static const struct step steps[] = {
        {.status = 401, UNAUTHORIZED},
        {.status = 200, "{\"access_token\":\"tok2\",\"expires_in\":100}"},
        {.status = 401, UNAUTHORIZED},
    };
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), TCA_EAUTH);
    assert_int_equal(fake_twitch_requests(x->f), 3);
    assert_string_equal(x->tok.refresh_token, "ref1"); /* kept: the answer had none */
    chatter_set_free(&s);
    stop(x);
}

static void not_a_moderator_is_forbidden(void **state)
{
    static const struct step steps[] = {
        {.status = 403,
         "{\"error\":\"Forbidden\",\"status\":403,\"message\":\"not a moderator\"}"}};
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), TCA_EFORBIDDEN);
    assert_non_null(strstr(x->err, "not a moderator"));
    assert_null(strstr(x->err, "tok1"));
    chatter_set_free(&s);
    stop(x);
}

static void bad_request_is_invalid_with_twitch_message(void **state)
{
    static const struct step steps[] = {
        {.status = 400,
         "{\"error\":\"Bad Request\",\"status\":400,\"message\":\"bad broadcaster_id\"}"}};
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), TCA_EINVAL);
    assert_non_null(strstr(x->err, "bad broadcaster_id"));
    chatter_set_free(&s);
    stop(x);
}

static void empty_budget_waits_for_a_point_before_sending(void **state)
{
    static const struct step steps[] = {
        {.status = 200, PAGE1, "0", "1700000060"},
        {.status = 200, PAGE3, "799", "1700000070"},
    };
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), 0);
    assert_int_equal(fake_twitch_requests(x->f), 2);
    assert_int_equal(x->fc.n_sleeps, 1);
    assert_true(x->fc.slept[0] >= 75 && x->fc.slept[0] <= 76); /* 800 a minute: 75 ms each */
    assert_int_equal(x->fc.served_when_slept[0], 1);           /* waited before sending page 2 */
    chatter_set_free(&s);
    stop(x);
}

static void budget_is_shared_and_reports_remaining(void **state)
{
    static const struct step steps[] = {{.status = 200, LAST_PAGE, "42", "1700000060"}};
    struct fake_twitch *f = fake_twitch_start(steps, N(steps));
    struct fake_clock fc;
    struct clock clk = fake_clock_init(&fc, f);
    struct twitch_budget *b = twitch_budget_new(clk);
    assert_int_equal(twitch_budget_remaining(b), -1);
    char api[128];
    snprintf(api, sizeof api, "%s/helix", f->base);
    struct twitch_settings st = {.api_base = api, .client_id = "cid", .clock = clk, .budget = b};
    struct twitch_client *c = twitch_client_new(&st);
    struct twitch_token tok = {.access_token = strdup("t")};
    struct chatter_set s = {0};
    int pages;
    char err[256];
    assert_int_equal(twitch_get_chatters(c, &tok, 1, 1, &s, &pages, err, sizeof err), 0);
    assert_int_equal(twitch_budget_remaining(b), 42);
    chatter_set_free(&s);
    twitch_token_clear(&tok);
    twitch_client_free(c);
    twitch_budget_free(b);
    fake_twitch_stop(f);
}

static void users_are_fetched_in_batches_of_100(void **state)
{
    static const struct step steps[] = {
        {.status = 200,
         "{\"data\":[{\"id\":\"1\",\"login\":\"u1\",\"display_name\":\"U1\",\"type\":\"\","
         "\"broadcaster_type\":\"\",\"created_at\":\"2020-01-01T00:00:00Z\"}]}",
         NULL,
         NULL,
         1}};
    struct fixture *x = start(steps, N(steps));
    int64_t ids[250];
    for (int i = 0; i < 250; i++)
        ids[i] = 1000 + i;
    struct twitch_user *u = NULL;
    size_t n = 0;
    assert_int_equal(twitch_get_users(x->c, &x->tok, ids, 250, &u, &n, x->err, sizeof x->err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(fake_twitch_requests(x->f), 3);
    assert_string_equal(x->f->seen[0].path, "/helix/users");
    assert_int_equal(count_of(x->f->seen[0].query, "id="), 100);
    assert_int_equal(count_of(x->f->seen[1].query, "id="), 100);
    assert_int_equal(count_of(x->f->seen[2].query, "id="), 50);
    assert_true(strncmp(x->f->seen[2].query, "id=1200&id=1201", 15) == 0);
    free(u);
    stop(x);
}

static void unknown_login_is_not_found(void **state)
{
    static const struct step steps[] = {{.status = 200, "{\"data\":[]}"}};
    struct fixture *x = start(steps, N(steps));
    struct twitch_user u;
    assert_int_equal(twitch_get_user_by_login(x->c, &x->tok, "nobody", &u, x->err, sizeof x->err),
                     TCA_ENOTFOUND);
    assert_string_equal(x->f->seen[0].query, "login=nobody");
    assert_int_equal(twitch_get_user_by_login(x->c, &x->tok, "no body", &u, x->err, sizeof x->err),
                     TCA_EINVAL);
    stop(x);
}

static void moderated_channels_follow_every_page(void **state)
{
    static const struct step steps[] = {
        {.status = 200,
         "{\"data\":[{\"broadcaster_id\":\"12345\",\"broadcaster_login\":\"one\","
         "\"broadcaster_name\":\"One\"}],\"pagination\":{\"cursor\":\"m1\"}}"},
        {.status = 200,
         "{\"data\":[{\"broadcaster_id\":\"98765\",\"broadcaster_login\":\"two\","
         "\"broadcaster_name\":\"Two\"}],\"pagination\":{}}"},
    };
    struct fixture *x = start(steps, N(steps));
    struct twitch_channel *ch = NULL;
    size_t n = 0;
    assert_int_equal(
        twitch_get_moderated_channels(x->c, &x->tok, 931931, &ch, &n, x->err, sizeof x->err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ch[1].id, 98765);
    assert_string_equal(ch[1].login, "two");
    assert_string_equal(x->f->seen[0].path, "/helix/moderation/channels");
    assert_string_equal(x->f->seen[0].query, "user_id=931931&first=100");
    assert_string_equal(x->f->seen[1].query, "user_id=931931&first=100&after=m1");
    free(ch);
    stop(x);
}

static void streams_ask_for_every_user_id(void **state)
{
    static const struct step steps[] = {
        {.status = 200,
         "{\"data\":[{\"user_id\":\"5\",\"user_login\":\"five\",\"viewer_count\":12,"
         "\"started_at\":\"2021-03-10T03:18:11Z\",\"title\":\"hi\",\"game_name\":\"G\"}],"
         "\"pagination\":{}}"}};
    struct fixture *x = start(steps, N(steps));
    int64_t ids[] = {5, 6};
    struct twitch_stream *st = NULL;
    size_t n = 0;
    assert_int_equal(twitch_get_streams(x->c, &x->tok, ids, 2, &st, &n, x->err, sizeof x->err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(st[0].viewer_count, 12);
    assert_string_equal(x->f->seen[0].query, "first=100&user_id=5&user_id=6");
    free(st);
    stop(x);
}

static void oversized_answer_is_refused(void **state)
{
    size_t len = ((size_t)5 << 20);
    char *big = malloc(len + 1);
    memset(big, ' ', len);
    big[len] = '\0';
    big[0] = '{';
    const struct step steps[] = {{.status = 200, big}};
    struct fixture *x = start(steps, N(steps));
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), TCA_EPROTO);
    assert_non_null(strstr(x->err, "larger"));
    chatter_set_free(&s);
    stop(x);
    free(big);
}

static void token_that_could_inject_a_header_is_never_sent(void **state)
{
    static const struct step steps[] = {{.status = 200, LAST_PAGE}};
    struct fixture *x = start(steps, N(steps));
    free(x->tok.access_token);
    x->tok.access_token = strdup("tok\r\nX-Evil: 1");
    struct chatter_set s;
    int pages = 0;
    assert_int_equal(chatters(x, &s, &pages), TCA_EAUTH);
    assert_int_equal(fake_twitch_requests(x->f), 0);
    chatter_set_free(&s);
    stop(x);
}

static void unreachable_twitch_is_a_temporary_failure(void **state)
{
    /* A port that was just free: nothing listens there. */
    struct fake_twitch *f = fake_twitch_start(NULL, 0);
    char base[128];
    snprintf(base, sizeof base, "%s/helix", f->base);
    fake_twitch_stop(f);
    struct fake_clock fc;
    struct twitch_settings st = {.api_base = base,
                                 .client_id = "cid",
                                 .max_retries = 2,
                                 .backoff_base_ms = 10,
                                 .clock = fake_clock_init(&fc, NULL)};
    struct twitch_client *c = twitch_client_new(&st);
    struct twitch_token tok = {.access_token = strdup("secret-token")};
    struct chatter_set s = {0};
    int pages;
    char err[256];
    assert_int_equal(twitch_get_chatters(c, &tok, 1, 1, &s, &pages, err, sizeof err), TCA_ETEMP);
    assert_int_equal(fc.n_sleeps, 2);
    assert_null(strstr(err, "secret-token"));
    chatter_set_free(&s);
    twitch_token_clear(&tok);
    twitch_client_free(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(chatters_follow_three_pages_and_drop_repeats),
        cmocka_unit_test(rate_limited_page_waits_for_reset_then_completes),
        cmocka_unit_test(server_error_is_retried_after_a_backoff),
        cmocka_unit_test(endless_server_errors_give_temporary_failure_after_max_retries),
        cmocka_unit_test(malformed_page_fails_the_whole_capture),
        cmocka_unit_test(repeated_cursor_is_a_protocol_error),
        cmocka_unit_test(expired_token_is_refreshed_once_and_the_call_retried),
        cmocka_unit_test(refused_refresh_is_an_auth_error),
        cmocka_unit_test(second_unauthorized_after_refresh_is_an_auth_error),
        cmocka_unit_test(not_a_moderator_is_forbidden),
        cmocka_unit_test(bad_request_is_invalid_with_twitch_message),
        cmocka_unit_test(empty_budget_waits_for_a_point_before_sending),
        cmocka_unit_test(budget_is_shared_and_reports_remaining),
        cmocka_unit_test(users_are_fetched_in_batches_of_100),
        cmocka_unit_test(unknown_login_is_not_found),
        cmocka_unit_test(moderated_channels_follow_every_page),
        cmocka_unit_test(streams_ask_for_every_user_id),
        cmocka_unit_test(oversized_answer_is_refused),
        cmocka_unit_test(token_that_could_inject_a_header_is_never_sent),
        cmocka_unit_test(unreachable_twitch_is_a_temporary_failure),
    };
    return cmocka_run_group_tests(tests, global_setup, global_teardown);
}
