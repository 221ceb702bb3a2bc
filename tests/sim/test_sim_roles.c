/* The simulator's Get Moderators, Get VIPs and Get Channel Followers over real HTTP: Twitch's
 * shapes, pagination, documented errors, and agreement with the /_sim/ ground truth. */
#include "tests/sim/simtest.h"

#define ROLE_SCOPES "moderation:read channel:read:vips moderator:read:followers"

struct fixture {
    struct simtest *st;
    char broadcaster[64]; /* big_channel's own token, every role scope */
    char moderator[64];   /* demo_mod's token: moderates big_channel, does not own it */
    char bare[64];        /* big_channel's token without the role scopes */
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    f->st = simtest_start_manual();
    simtest_login(f->st, "big_channel", ROLE_SCOPES, f->broadcaster, NULL);
    simtest_login(f->st, "demo_mod", SIMTEST_SCOPES " " ROLE_SCOPES, f->moderator, NULL);
    simtest_login(f->st, "big_channel", SIMTEST_SCOPES, f->bare, NULL);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    simtest_stop(f->st);
    free(f);
    return 0;
}

static json_t *sim_truth(struct simtest *st, const char *path)
{
    struct http_resp r;
    char *url = xasprintf("%s%s", st->base, path);
    http_do("GET", url, NULL, NULL, NULL, &r);
    free(url);
    assert_int_equal(r.status, 200);
    json_t *j = json_incref(r.json);
    http_resp_free(&r);
    return j;
}

/* Pages through path (which has a query already) with token; returns the user ids in order. */
static json_t *page_all(struct simtest *st, const char *path, const char *token, int first,
                        int *pages)
{
    json_t *ids = json_array();
    char *cursor = NULL;
    *pages = 0;
    do {
        struct http_resp r;
        char *p = cursor ? xasprintf("%s&first=%d&after=%s", path, first, cursor)
                         : xasprintf("%s&first=%d", path, first);
        helix_get(st, p, token, &r);
        free(p);
        free(cursor);
        cursor = NULL;
        assert_int_equal(r.status, 200);
        json_t *data = json_object_get(r.json, "data");
        assert_true(json_array_size(data) <= (size_t)first);
        size_t i;
        json_t *row;
        json_array_foreach(data, i, row)
        {
            assert_non_null(json_object_get(row, "user_login"));
            assert_non_null(json_object_get(row, "user_name"));
            json_array_append(ids, json_object_get(row, "user_id"));
        }
        const char *next =
            json_string_value(json_object_get(json_object_get(r.json, "pagination"), "cursor"));
        if (next)
            cursor = xstrdup(next);
        (*pages)++;
        http_resp_free(&r);
    } while (cursor);
    return ids;
}

static void roles_match_truth(struct fixture *f, const char *endpoint, const char *key)
{
    int pages;
    char *path = xasprintf("%s?broadcaster_id=20003", endpoint);
    json_t *got = page_all(f->st, path, f->broadcaster, 7, &pages);
    json_t *truth = sim_truth(f->st, "/_sim/roles?broadcaster_id=20003");
    json_t *want = json_object_get(truth, key);
    assert_true(json_array_size(want) > 7); /* more than one page */
    assert_int_equal(pages, (int)(json_array_size(want) + 6) / 7);
    assert_true(json_equal(got, want));
    json_decref(truth);
    json_decref(got);
    free(path);
}

static void moderators_and_vips_page_through_the_truth(void **state)
{
    struct fixture *f = *state;
    roles_match_truth(f, "/helix/moderation/moderators", "moderators");
    roles_match_truth(f, "/helix/channels/vips", "vips");
    /* the cast's moderator is listed, and nobody is both */
    json_t *truth = sim_truth(f->st, "/_sim/roles?broadcaster_id=20003");
    json_t *mods = json_object_get(truth, "moderators"), *vips = json_object_get(truth, "vips");
    assert_string_equal(json_string_value(json_array_get(mods, 0)), "10001");
    size_t i, j;
    json_t *a, *b;
    json_array_foreach(mods, i, a) json_array_foreach(vips, j, b) assert_false(json_equal(a, b));
    json_decref(truth);
}

static void role_filters_keep_the_order_asked_and_skip_others(void **state)
{
    struct fixture *f = *state;
    json_t *truth = sim_truth(f->st, "/_sim/roles?broadcaster_id=20003");
    const char *m0 = json_string_value(json_array_get(json_object_get(truth, "moderators"), 0));
    const char *m2 = json_string_value(json_array_get(json_object_get(truth, "moderators"), 2));
    const char *v0 = json_string_value(json_array_get(json_object_get(truth, "vips"), 0));
    char *path = xasprintf("/helix/moderation/moderators?broadcaster_id=20003&user_id=%s"
                           "&user_id=%s&user_id=%s",
                           m2, v0, m0);
    struct http_resp r;
    helix_get(f->st, path, f->broadcaster, &r);
    assert_int_equal(r.status, 200);
    json_t *data = json_object_get(r.json, "data");
    assert_int_equal(json_array_size(data), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(data, 0), "user_id")), m2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(data, 1), "user_id")), m0);
    http_resp_free(&r);
    free(path);
    json_decref(truth);
}

static void expect_status(struct fixture *f, const char *path, const char *token, long status)
{
    struct http_resp r;
    helix_get(f->st, path, token, &r);
    if (r.status != status)
        fail_msg("%s: %ld, expected %ld: %s", path, r.status, status, r.body);
    if (status >= 400) {
        assert_int_equal(json_integer_value(json_object_get(r.json, "status")), status);
        assert_non_null(json_string_value(json_object_get(r.json, "message")));
    }
    http_resp_free(&r);
}

static void roles_answer_the_documented_errors(void **state)
{
    struct fixture *f = *state;
    static const char *const endpoints[] = {"/helix/moderation/moderators", "/helix/channels/vips"};
    for (size_t i = 0; i < 2; i++) {
        char *p;
        p = xasprintf("%s?broadcaster_id=20003", endpoints[i]);
        expect_status(f, p, f->bare, 401);      /* scope missing */
        expect_status(f, p, f->moderator, 401); /* a moderator is not the broadcaster */
        expect_status(f, p, "nope", 401);
        free(p);
        expect_status(f, endpoints[i], f->broadcaster, 400); /* no broadcaster_id */
        p = xasprintf("%s?broadcaster_id=20003&first=101", endpoints[i]);
        expect_status(f, p, f->broadcaster, 400);
        free(p);
        p = xasprintf("%s?broadcaster_id=20003&after=garbage", endpoints[i]);
        expect_status(f, p, f->broadcaster, 400);
        free(p);
        p = xasprintf("%s?broadcaster_id=20003&user_id=x", endpoints[i]);
        expect_status(f, p, f->broadcaster, 400);
        free(p);
    }
}

static void advance(struct simtest *st, long ticks)
{
    struct http_resp r;
    char *url = xasprintf("%s/_sim/advance?ticks=%ld", st->base, ticks);
    http_do("POST", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    free(url);
}

static void followers_page_newest_first_and_hold_the_wave(void **state)
{
    struct fixture *f = *state;
    json_t *before = sim_truth(f->st, "/_sim/followers?broadcaster_id=20002");
    json_t *wave = json_object_get(before, "follow_wave");
    const char *where = json_string_value(json_object_get(wave, "broadcaster_id"));
    json_int_t tick = json_integer_value(json_object_get(wave, "tick"));
    assert_true(json_integer_value(json_object_get(wave, "size")) >= 60);
    advance(f->st, (long)tick + 1);
    char *truth_path =
        xasprintf("/_sim/followers?broadcaster_id=%s&since_tick=%lld", where, (long long)tick - 1);
    json_t *after = sim_truth(f->st, truth_path);
    json_t *fresh = json_object_get(after, "followed_since");
    /* the whole wave followed in its two ticks, among a few organic followers */
    size_t i, j, in_wave = 0;
    json_t *a, *b;
    json_array_foreach(fresh, i, a) json_array_foreach(json_object_get(wave, "user_ids"), j, b)
        in_wave += json_equal(a, b);
    assert_int_equal(in_wave, json_integer_value(json_object_get(wave, "size")));

    /* the moderator pages through everything, newest first, and meets the truth */
    struct http_resp r;
    char *p = xasprintf("/helix/channels/followers?broadcaster_id=%s&first=100", where);
    helix_get(f->st, p, f->moderator, &r);
    assert_int_equal(r.status, 200);
    json_int_t total = json_integer_value(json_object_get(r.json, "total"));
    assert_int_equal(total, json_integer_value(json_object_get(after, "total")));
    json_t *data = json_object_get(r.json, "data");
    const char *prev = NULL;
    json_array_foreach(data, i, a)
    {
        const char *at = json_string_value(json_object_get(a, "followed_at"));
        assert_non_null(at);
        if (prev)
            assert_true(strcmp(prev, at) >= 0);
        prev = at;
    }
    /* the newest follows are the ones since the wave, in the same set */
    size_t n_fresh = json_array_size(fresh);
    for (i = 0; i < n_fresh && i < json_array_size(data); i++)
        assert_true(json_equal(json_object_get(json_array_get(data, i), "user_id"),
                               json_array_get(fresh, i)));
    http_resp_free(&r);
    int pages;
    char *base = xasprintf("/helix/channels/followers?broadcaster_id=%s", where);
    json_t *all = page_all(f->st, base, f->moderator, 100, &pages);
    assert_int_equal(json_array_size(all), total);
    json_decref(all);
    free(base);
    free(p);

    /* without the scope, or from someone who does not moderate: the total alone */
    p = xasprintf("/helix/channels/followers?broadcaster_id=%s", where);
    char other[64];
    simtest_login(f->st, "other_mod", SIMTEST_SCOPES " " ROLE_SCOPES, other, NULL);
    const char *tokens[] = {f->bare, other};
    for (size_t k = 0; k < 2; k++) {
        if (k == 0 && strcmp(where, "20003") == 0)
            continue; /* bare is big_channel's own token: broadcaster, but no scope */
        helix_get(f->st, p, tokens[k], &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(json_integer_value(json_object_get(r.json, "total")), total);
        assert_int_equal(json_array_size(json_object_get(r.json, "data")), 0);
        http_resp_free(&r);
    }
    free(p);
    /* user_id asks the broadcaster's own token */
    p = xasprintf("/helix/channels/followers?broadcaster_id=%s&user_id=10001", where);
    expect_status(f, p, f->moderator, 401);
    free(p);
    expect_status(f, "/helix/channels/followers", f->moderator, 400);
    expect_status(f, "/helix/channels/followers?broadcaster_id=1", f->moderator, 400);
    expect_status(f, "/helix/channels/followers?broadcaster_id=20002&first=0", f->moderator, 400);
    free(truth_path);
    json_decref(after);
    json_decref(before);
}

static void a_broadcaster_can_ask_whether_one_user_follows(void **state)
{
    struct fixture *f = *state;
    advance(f->st, 20);
    json_t *truth = sim_truth(f->st, "/_sim/followers?broadcaster_id=20003");
    const char *follower =
        json_string_value(json_array_get(json_object_get(truth, "followed_since"), 3));
    char *p = xasprintf("/helix/channels/followers?broadcaster_id=20003&user_id=%s", follower);
    struct http_resp r;
    helix_get(f->st, p, f->broadcaster, &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 1);
    http_resp_free(&r);
    free(p);
    helix_get(f->st, "/helix/channels/followers?broadcaster_id=20003&user_id=20001", f->broadcaster,
              &r);
    assert_int_equal(r.status, 200);
    assert_int_equal(json_array_size(json_object_get(r.json, "data")), 0);
    http_resp_free(&r);
    json_decref(truth);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(moderators_and_vips_page_through_the_truth, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(role_filters_keep_the_order_asked_and_skip_others, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(roles_answer_the_documented_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(followers_page_newest_first_and_hold_the_wave, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(a_broadcaster_can_ask_whether_one_user_follows, setup,
                                        teardown),
    };
    curl_global_init(CURL_GLOBAL_DEFAULT);
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
