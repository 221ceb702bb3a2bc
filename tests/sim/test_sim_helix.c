/* The simulator's Helix endpoints over real HTTP: shapes, pagination, errors, rate limit. */
#include "tests/sim/simtest.h"

#include <pthread.h>
#include <stdint.h>
#include <time.h>

/* Required fields, as listed by helix-openapi.json. */
static const char *const chatter_fields[] = {"user_id", "user_login", "user_name", NULL};
static const char *const user_fields[] = {"id",
                                          "login",
                                          "display_name",
                                          "type",
                                          "broadcaster_type",
                                          "description",
                                          "profile_image_url",
                                          "offline_image_url",
                                          "view_count",
                                          "created_at",
                                          NULL};
static const char *const channel_fields[] = {"broadcaster_id", "broadcaster_login",
                                             "broadcaster_name", NULL};
static const char *const stream_fields[] = {
    "id",      "user_id", "user_login",   "user_name",  "game_id",  "game_name",
    "type",    "title",   "viewer_count", "started_at", "language", "thumbnail_url",
    "tag_ids", "tags",    "is_mature",    NULL};

static void assert_fields(json_t *obj, const char *const *fields)
{
    for (size_t i = 0; fields[i]; i++)
        if (!json_object_get(obj, fields[i]))
            fail_msg("missing field %s", fields[i]);
}

struct fixture {
    struct simtest *st;
    char token[64];
};

static int setup(void **state)
{
    struct fixture *f = xcalloc(1, sizeof *f);
    f->st = simtest_start_manual();
    simtest_login(f->st, "demo_mod", SIMTEST_SCOPES, f->token, NULL);
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

static int cmp_ll(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;
    return (x > y) - (x < y);
}

/* Reads every page of Get Chatters; returns the sorted unique ids (caller frees). */
static long long *read_all_pages(struct fixture *f, int64_t broadcaster, int *pages, int *repeats,
                                 long long *total, size_t *n_unique, int first, int advance_between)
{
    char cursor[256] = "";
    long long *ids = NULL;
    size_t n = 0;
    *pages = 0;
    *repeats = 0;
    long long last = -1;
    do {
        char *path = xasprintf("/helix/chat/chatters?broadcaster_id=%lld&moderator_id=10001"
                               "&first=%d%s%s",
                               (long long)broadcaster, first, *cursor ? "&after=" : "", cursor);
        struct http_resp r;
        helix_get(f->st, path, f->token, &r);
        assert_int_equal(r.status, 200);
        json_t *data = json_object_get(r.json, "data");
        *total = json_integer_value(json_object_get(r.json, "total"));
        size_t i;
        json_t *c;
        json_array_foreach(data, i, c)
        {
            assert_fields(c, chatter_fields);
            long long id = atoll(json_string_value(json_object_get(c, "user_id")));
            if (i == 0 && id == last)
                (*repeats)++;
            ids = xreallocarray(ids, n + 1, sizeof *ids);
            ids[n++] = id;
            last = id;
        }
        const char *next =
            json_string_value(json_object_get(json_object_get(r.json, "pagination"), "cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        (*pages)++;
        http_resp_free(&r);
        free(path);
        if (advance_between && *pages == 2) {
            char *url = xasprintf("%s/_sim/advance?ticks=3", f->st->base);
            http_do("POST", url, "", NULL, NULL, &r);
            http_resp_free(&r);
            free(url);
        }
    } while (*cursor);
    qsort(ids, n, sizeof *ids, cmp_ll);
    size_t u = 0;
    for (size_t i = 0; i < n; i++)
        if (u == 0 || ids[u - 1] != ids[i])
            ids[u++] = ids[i];
    *n_unique = u;
    return ids;
}

static long long *sim_audience(struct fixture *f, int64_t broadcaster, size_t *n)
{
    struct http_resp r;
    char *url =
        xasprintf("%s/_sim/audience?broadcaster_id=%lld", f->st->base, (long long)broadcaster);
    http_do("GET", url, NULL, NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    json_t *a = json_object_get(r.json, "user_ids");
    *n = json_array_size(a);
    long long *ids = xcalloc(*n + 1, sizeof *ids);
    for (size_t i = 0; i < *n; i++)
        ids[i] = atoll(json_string_value(json_array_get(a, i)));
    http_resp_free(&r);
    free(url);
    return ids;
}

static void chatter_pages_repeat_one_chatter_and_their_union_is_the_audience(void **state)
{
    struct fixture *f = *state;
    int pages, repeats;
    long long total;
    size_t n;
    long long *got = read_all_pages(f, 20003, &pages, &repeats, &total, &n, 1000, 0);
    size_t n_aud;
    long long *aud = sim_audience(f, 20003, &n_aud);
    assert_true(n_aud > 15000);
    assert_int_equal(total, (long long)n_aud);
    assert_int_equal(n, n_aud);
    assert_memory_equal(got, aud, n * sizeof *got);
    /* each page after the first starts with the previous page's last chatter */
    assert_int_equal(repeats, pages - 1);
    assert_int_equal(pages, (int)((n_aud - 1 + 998) / 999));
    free(got);
    free(aud);
}

static void a_pagination_sees_the_tick_of_its_first_page(void **state)
{
    struct fixture *f = *state;
    size_t n_aud;
    long long *aud = sim_audience(f, 20002, &n_aud); /* tick 0 */
    int pages, repeats;
    long long total;
    size_t n;
    long long *got = read_all_pages(f, 20002, &pages, &repeats, &total, &n, 100, 1);
    assert_true(pages > 2);
    assert_int_equal(n, n_aud);
    assert_memory_equal(got, aud, n * sizeof *got);
    size_t n_now;
    long long *now = sim_audience(f, 20002, &n_now); /* tick 3: people came and went */
    assert_true(n_now != n_aud || memcmp(now, aud, n_now * sizeof *now) != 0);
    free(now);
    free(got);
    free(aud);
}

static void chatters_answer_400_for_missing_or_malformed_parameters(void **state)
{
    struct fixture *f = *state;
    const char *paths[] = {
        "/helix/chat/chatters?moderator_id=10001",
        "/helix/chat/chatters?broadcaster_id=20003",
        "/helix/chat/chatters?broadcaster_id=abc&moderator_id=10001",
        "/helix/chat/chatters?broadcaster_id=20003&moderator_id=10001&first=0",
        "/helix/chat/chatters?broadcaster_id=20003&moderator_id=10001&first=1001",
        "/helix/chat/chatters?broadcaster_id=20003&moderator_id=10001&after=!!notacursor",
    };
    for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
        struct http_resp r;
        helix_get(f->st, paths[i], f->token, &r);
        assert_int_equal(r.status, 400);
        assert_string_equal(json_string_value(json_object_get(r.json, "error")), "Bad Request");
        assert_int_equal(json_integer_value(json_object_get(r.json, "status")), 400);
        http_resp_free(&r);
    }
}

static void helix_answers_401_for_bad_token_client_or_scope(void **state)
{
    struct fixture *f = *state;
    const char *path = "/helix/chat/chatters?broadcaster_id=20003&moderator_id=10001";
    struct http_resp r;
    char *url = xasprintf("%s%s", f->st->base, path);
    http_do("GET", url, NULL, "Client-Id: tca-sim-client", NULL, &r); /* no token */
    assert_int_equal(r.status, 401);
    assert_string_equal(json_string_value(json_object_get(r.json, "message")),
                        "OAuth token is missing");
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "Unauthorized");
    http_resp_free(&r);
    helix_get(f->st, path, "wrong-token", &r);
    assert_int_equal(r.status, 401);
    assert_string_equal(json_string_value(json_object_get(r.json, "message")),
                        "Invalid OAuth token");
    http_resp_free(&r);
    char *auth = xasprintf("Authorization: Bearer %s", f->token);
    http_do("GET", url, NULL, auth, "Client-Id: someone-else", &r);
    assert_int_equal(r.status, 401);
    http_resp_free(&r);
    char narrow[64];
    simtest_login(f->st, "demo_mod", "user:read:moderated_channels", narrow, NULL);
    helix_get(f->st, path, narrow, &r);
    assert_int_equal(r.status, 401);
    http_resp_free(&r);
    free(auth);
    free(url);
}

static void chatters_answer_403_unless_the_token_user_moderates(void **state)
{
    struct fixture *f = *state;
    char other[64];
    struct http_resp r;
    helix_get(f->st, "/helix/chat/chatters?broadcaster_id=20003&moderator_id=10002", f->token, &r);
    assert_int_equal(r.status, 401); /* moderator_id is not the token's user: Twitch says 401 */
    http_resp_free(&r);
    simtest_login(f->st, "other_mod", SIMTEST_SCOPES, other, NULL);
    const char *big = "/helix/chat/chatters?broadcaster_id=20003&moderator_id=10002";
    helix_get(f->st, big, other, &r);
    assert_int_equal(r.status, 403);
    http_resp_free(&r);
    helix_get(f->st, "/helix/chat/chatters?broadcaster_id=20001&moderator_id=10002", other, &r);
    assert_int_equal(r.status, 200);
    assert_true(json_integer_value(json_object_get(r.json, "total")) > 0);
    http_resp_free(&r);

    char *url = xasprintf("%s/_sim/moderators", f->st->base);
    http_do("POST", url, "{\"broadcaster_id\":\"20003\",\"user_id\":\"10002\",\"moderator\":true}",
            NULL, NULL, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    helix_get(f->st, big, other, &r);
    assert_int_equal(r.status, 200);
    http_resp_free(&r);
    http_do("POST", url, "{\"broadcaster_id\":\"20003\",\"user_id\":\"10002\",\"moderator\":false}",
            NULL, NULL, &r);
    http_resp_free(&r);
    helix_get(f->st, big, other, &r);
    assert_int_equal(r.status, 403);
    http_resp_free(&r);
    free(url);
}

static void moderated_channels_come_in_pages_of_20(void **state)
{
    struct fixture *f = *state;
    struct http_resp r;
    char cursor[256] = "";
    size_t n = 0;
    int pages = 0;
    do {
        char *path = xasprintf("/helix/moderation/channels?user_id=10001%s%s",
                               *cursor ? "&after=" : "", cursor);
        helix_get(f->st, path, f->token, &r);
        assert_int_equal(r.status, 200);
        json_t *data = json_object_get(r.json, "data");
        assert_true(json_array_size(data) <= 20);
        for (size_t i = 0; i < json_array_size(data); i++)
            assert_fields(json_array_get(data, i), channel_fields);
        n += json_array_size(data);
        const char *next =
            json_string_value(json_object_get(json_object_get(r.json, "pagination"), "cursor"));
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        pages++;
        http_resp_free(&r);
        free(path);
    } while (*cursor);
    assert_int_equal(n, 30);
    assert_int_equal(pages, 2);
    helix_get(f->st, "/helix/moderation/channels?user_id=10002", f->token, &r);
    assert_int_equal(r.status, 401); /* not the token's user */
    http_resp_free(&r);
}

static void users_by_id_and_login_skip_unknown_and_cap_at_100(void **state)
{
    struct fixture *f = *state;
    struct http_resp r;
    helix_get(f->st, "/helix/users?id=10001&id=999&login=big_channel&id=1000000", f->token, &r);
    assert_int_equal(r.status, 200);
    json_t *data = json_object_get(r.json, "data");
    assert_int_equal(json_array_size(data), 3); /* 999 is nobody */
    for (size_t i = 0; i < json_array_size(data); i++)
        assert_fields(json_array_get(data, i), user_fields);
    assert_string_equal(json_string_value(json_object_get(json_array_get(data, 0), "login")),
                        "demo_mod");
    http_resp_free(&r);
    char path[4096] = "/helix/users?id=10001";
    for (int i = 0; i < 100; i++)
        snprintf(path + strlen(path), sizeof path - strlen(path), "&id=%d", 2000000 + i);
    helix_get(f->st, path, f->token, &r);
    assert_int_equal(r.status, 400);
    http_resp_free(&r);
}

static void streams_list_only_live_channels_in_the_documented_shape(void **state)
{
    struct fixture *f = *state;
    struct http_resp r;
    helix_get(f->st, "/helix/streams?user_id=20001&user_id=20003&user_login=chan_01&user_id=20102",
              f->token, &r);
    assert_int_equal(r.status, 200);
    json_t *data = json_object_get(r.json, "data");
    assert_int_equal(json_array_size(data), 2); /* tiny and chan_02 are offline */
    for (size_t i = 0; i < 2; i++) {
        json_t *s = json_array_get(data, i);
        assert_fields(s, stream_fields);
        assert_string_equal(json_string_value(json_object_get(s, "type")), "live");
        assert_true(json_integer_value(json_object_get(s, "viewer_count")) > 0);
    }
    assert_non_null(json_object_get(r.json, "pagination"));
    http_resp_free(&r);
}

static void every_helix_reply_has_ratelimit_headers_and_an_empty_bucket_is_429(void **state)
{
    struct sim_options o;
    sim_options_default(&o);
    o.manual_clock = 1;
    o.ratelimit_points = 5;
    struct simtest *st = simtest_start(&o);
    char token[64];
    simtest_login(st, "demo_mod", SIMTEST_SCOPES, token, NULL);
    struct http_resp r;
    long last_remaining = 99;
    for (int i = 0; i < 5; i++) {
        helix_get(st, "/helix/users?id=10001", token, &r);
        assert_int_equal(r.status, 200);
        assert_int_equal(r.rl_limit, 5);
        assert_true(r.rl_remaining < last_remaining);
        assert_true(r.rl_reset >= (long)time(NULL));
        last_remaining = r.rl_remaining;
        http_resp_free(&r);
    }
    helix_get(st, "/helix/users?id=10001", token, &r);
    assert_int_equal(r.status, 429);
    assert_int_equal(r.rl_remaining, 0);
    assert_string_equal(json_string_value(json_object_get(r.json, "error")), "Too Many Requests");
    http_resp_free(&r);
    simtest_stop(st);
}

struct worker {
    struct fixture *f;
    int64_t broadcaster;
    int ok;
};

static void *hammer(void *arg)
{
    struct worker *w = arg;
    char *path = xasprintf("/helix/chat/chatters?broadcaster_id=%lld&moderator_id=10001"
                           "&first=1000",
                           (long long)w->broadcaster);
    for (int i = 0; i < 15; i++) {
        struct http_resp r;
        helix_get(w->f->st, path, w->f->token, &r);
        w->ok += r.status == 200 && json_array_size(json_object_get(r.json, "data")) > 0;
        http_resp_free(&r);
        if (i % 5 == 4) {
            char *url = xasprintf("%s/_sim/advance?ticks=1", w->f->st->base);
            http_do("POST", url, "", NULL, NULL, &r);
            http_resp_free(&r);
            free(url);
        }
    }
    free(path);
    return NULL;
}

static void concurrent_clients_and_clock_steps_all_get_answers(void **state)
{
    struct fixture *f = *state;
    struct worker w[6];
    pthread_t th[6];
    int64_t channels[] = {20002, 20003, 20004, 20004, 20005, 20003};
    for (int i = 0; i < 6; i++) {
        w[i] = (struct worker){f, channels[i], 0};
        assert_int_equal(pthread_create(&th[i], NULL, hammer, &w[i]), 0);
    }
    for (int i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(w[i].ok, 15);
    }
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(
            chatter_pages_repeat_one_chatter_and_their_union_is_the_audience, setup, teardown),
        cmocka_unit_test_setup_teardown(a_pagination_sees_the_tick_of_its_first_page, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(chatters_answer_400_for_missing_or_malformed_parameters,
                                        setup, teardown),
        cmocka_unit_test_setup_teardown(helix_answers_401_for_bad_token_client_or_scope, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(chatters_answer_403_unless_the_token_user_moderates, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(moderated_channels_come_in_pages_of_20, setup, teardown),
        cmocka_unit_test_setup_teardown(users_by_id_and_login_skip_unknown_and_cap_at_100, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(streams_list_only_live_channels_in_the_documented_shape,
                                        setup, teardown),
        cmocka_unit_test(every_helix_reply_has_ratelimit_headers_and_an_empty_bucket_is_429),
        cmocka_unit_test_setup_teardown(concurrent_clients_and_clock_steps_all_get_answers, setup,
                                        teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
