/*
 * report_chatter_page on a real store (SQLite, and MariaDB when TCA_TEST_MYSQL is set):
 * new/returning and flags as the analysis says, pages that follow the order exactly, one
 * load when several threads ask for a cold session at once, a fresh load after a new
 * capture, a session bigger than the cache still answered, another user's session refused,
 * the same pages when the profiles are read on a second connection.
 */
#include "tests/report/fixture.h"

#include "report/chatter_page.h"
#include "store/store_alerts.h"
#include "store/store_roles.h"

#include <pthread.h>

static json_t *page(struct report_chatter_cache *c, struct store *st, int64_t user, int64_t session,
                    struct report_chatter_query q)
{
    struct report_options o;
    json_t *doc = NULL;
    char err[256];
    report_options_default(&o);
    int rc = report_chatter_page(c, st, NULL, user, session, &o, &q, FX_T0, &doc, err, sizeof err);
    if (rc)
        fail_msg("page: %s", err);
    return doc;
}

static const char *row_text(json_t *doc, size_t i, const char *key)
{
    return json_string_value(json_object_get(json_array_get(json_object_get(doc, "rows"), i), key));
}

/* 40 chatters in alpha; 1..10 were also in an earlier session: they return. */
static void fill(struct fx *f, int64_t *session)
{
    int64_t early[10], now[40];
    for (int i = 0; i < 10; i++)
        early[i] = 1000 + i;
    fx_capture(f->st, f->session, FX_ALPHA, early, 10, FX_T0);
    *session = fx_new_session(f, FX_USER, FX_T0 + 86400000);
    for (int i = 0; i < 40; i++) {
        now[i] = 1000 + i;
        char login[32];
        snprintf(login, sizeof login, "viewer%02d", 39 - i); /* login order is not id order */
        fx_profile(f->st, now[i], login, FX_T0 - (int64_t)(i % 7) * 86400000, FX_T0);
    }
    fx_capture(f->st, *session, FX_ALPHA, now, 40, FX_T0 + 86400000);
    fx_capture(f->st, *session, FX_ALPHA, now, 20, FX_T0 + 86400000 + 60000);
}

static void returning_chatters_and_pages_follow_the_order(void **state)
{
    struct fx *f = *state;
    int64_t s;
    fill(f, &s);
    struct report_chatter_cache *c = report_chatter_cache_new(1000, 60000);
    json_t *all = page(c, f->st, FX_USER, s,
                       (struct report_chatter_query){.limit = 500, .sort = REPORT_SORT_LOGIN});
    assert_int_equal(json_integer_value(json_object_get(all, "total")), 40);
    for (size_t i = 0; i < 40; i++) {
        char want[32];
        snprintf(want, sizeof want, "viewer%02zu", i);
        assert_string_equal(row_text(all, i, "login"), want);
        /* viewerNN is id 1039-NN: ids 1000..1009 are viewer39..viewer30 */
        assert_string_equal(row_text(all, i, "status"), i >= 30 ? "returning" : "new");
    }
    json_t *ret =
        page(c, f->st, FX_USER, s,
             (struct report_chatter_query){
                 .limit = 500, .sort = REPORT_SORT_LOGIN, .filter = REPORT_CHATTERS_RETURNING});
    assert_int_equal(json_integer_value(json_object_get(ret, "total")), 10);
    assert_string_equal(row_text(ret, 0, "login"), "viewer30");
    /* pages of 7 in descending time present put together equal the one big page */
    json_t *big =
        page(c, f->st, FX_USER, s,
             (struct report_chatter_query){.limit = 500, .sort = REPORT_SORT_PRESENT, .desc = 1});
    for (int64_t off = 0; off < 40; off += 7) {
        json_t *p = page(c, f->st, FX_USER, s,
                         (struct report_chatter_query){
                             .offset = off, .limit = 7, .sort = REPORT_SORT_PRESENT, .desc = 1});
        for (size_t i = 0; i < json_array_size(json_object_get(p, "rows")); i++)
            assert_string_equal(row_text(p, i, "id"), row_text(big, (size_t)off + i, "id"));
        json_decref(p);
    }
    /* the 20 still there at the second capture stayed a minute; descending is the exact
     * reverse of ascending, so their tie reads by login backwards */
    assert_int_equal(json_integer_value(json_object_get(
                         json_array_get(json_object_get(big, "rows"), 0), "time_present_s")),
                     60);
    assert_string_equal(row_text(big, 0, "login"), "viewer39");
    assert_string_equal(row_text(big, 19, "login"), "viewer20");
    json_t *q = page(
        c, f->st, FX_USER, s,
        (struct report_chatter_query){.limit = 500, .sort = REPORT_SORT_LOGIN, .search = "WER3"});
    assert_int_equal(json_integer_value(json_object_get(q, "total")), 10);
    assert_int_equal(report_chatter_cache_loads(c), 1);
    json_decref(all);
    json_decref(ret);
    json_decref(big);
    json_decref(q);
    report_chatter_cache_free(c);
}

struct asker {
    struct fx *f;
    struct report_chatter_cache *c;
    int64_t session;
    json_int_t total;
};

/* Roles Twitch gave a broadcaster's capture and the owner's watchlist mark rows, filter and
 * sort them; a stronger role wins over a weaker one. */
static void roles_and_watched_accounts_mark_filter_and_sort_rows(void **state)
{
    struct fx *f = *state;
    int64_t s;
    fill(f, &s);
    char err[256];
    const int64_t mods[] = {1003}, vips[] = {1003, 1004};
    assert_int_equal(
        store_roles_replace(f->st, FX_ALPHA, STORE_ROLE_VIP, vips, 2, FX_T0, err, sizeof err), 0);
    assert_int_equal(
        store_roles_replace(f->st, FX_ALPHA, STORE_ROLE_MODERATOR, mods, 1, FX_T0, err, sizeof err),
        0);
    struct store_watch w = {.owner_id = FX_USER, .user_id = 1005, .added_at_ms = FX_T0};
    snprintf(w.login, sizeof w.login, "viewer34");
    assert_int_equal(store_watch_put(f->st, &w, NULL, err, sizeof err), 0);
    struct report_chatter_cache *c = report_chatter_cache_new(1000, 60000);
    json_t *roles =
        page(c, f->st, FX_USER, s,
             (struct report_chatter_query){
                 .limit = 10, .sort = REPORT_SORT_ROLE, .desc = 1, .filter = REPORT_CHATTERS_ROLE});
    assert_int_equal(json_integer_value(json_object_get(roles, "total")), 2);
    assert_string_equal(row_text(roles, 0, "role"), "moderator");
    assert_string_equal(row_text(roles, 0, "login"), "viewer36"); /* id 1003 */
    assert_string_equal(row_text(roles, 1, "role"), "vip");
    json_t *watched =
        page(c, f->st, FX_USER, s,
             (struct report_chatter_query){
                 .limit = 10, .sort = REPORT_SORT_LOGIN, .filter = REPORT_CHATTERS_WATCHED});
    assert_int_equal(json_integer_value(json_object_get(watched, "total")), 1);
    json_t *row = json_array_get(json_object_get(watched, "rows"), 0);
    assert_true(json_is_true(json_object_get(row, "watched")));
    assert_string_equal(json_string_value(json_object_get(row, "role")), "");
    json_decref(roles);
    json_decref(watched);
    report_chatter_cache_free(c);
}

static void *ask(void *arg)
{
    struct asker *a = arg;
    struct store *st;
    char err[256];
    assert_int_equal(store_open(a->f->url, &st, err, sizeof err), 0);
    json_t *doc =
        page(a->c, st, FX_USER, a->session,
             (struct report_chatter_query){.limit = 10, .sort = REPORT_SORT_CREATED, .desc = 1});
    a->total = json_integer_value(json_object_get(doc, "total"));
    json_decref(doc);
    store_close(st);
    return NULL;
}

static void requests_at_once_share_one_load_and_a_capture_loads_afresh(void **state)
{
    struct fx *f = *state;
    int64_t s;
    fill(f, &s);
    struct report_chatter_cache *c = report_chatter_cache_new(1000, 60000);
    pthread_t th[4];
    struct asker a[4];
    for (int i = 0; i < 4; i++) {
        a[i] = (struct asker){.f = f, .c = c, .session = s};
        pthread_create(&th[i], NULL, ask, &a[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(a[i].total, 40);
    }
    assert_int_equal(report_chatter_cache_loads(c), 1);
    int64_t more[41];
    for (int i = 0; i < 41; i++)
        more[i] = 1000 + i;
    fx_capture(f->st, s, FX_ALPHA, more, 41, FX_T0 + 86400000 + 120000);
    json_t *doc = page(c, f->st, FX_USER, s, (struct report_chatter_query){.limit = 1});
    assert_int_equal(json_integer_value(json_object_get(doc, "total")), 41);
    assert_int_equal(report_chatter_cache_loads(c), 2);
    json_decref(doc);
    report_chatter_cache_free(c);
}

static void a_session_bigger_than_the_cache_is_still_answered(void **state)
{
    struct fx *f = *state;
    int64_t s;
    fill(f, &s);
    struct report_chatter_cache *c = report_chatter_cache_new(10, 60000);
    for (int i = 0; i < 2; i++) {
        json_t *doc = page(c, f->st, FX_USER, s, (struct report_chatter_query){.limit = 5});
        assert_int_equal(json_integer_value(json_object_get(doc, "total")), 40);
        assert_int_equal(json_array_size(json_object_get(doc, "rows")), 5);
        json_decref(doc);
    }
    assert_int_equal(report_chatter_cache_loads(c), 2); /* not kept */
    report_chatter_cache_free(c);
}

static void another_users_session_and_a_bad_limit_are_refused(void **state)
{
    struct fx *f = *state;
    int64_t s;
    fill(f, &s);
    struct report_chatter_cache *c = report_chatter_cache_new(1000, 60000);
    struct report_options o;
    report_options_default(&o);
    json_t *doc = NULL;
    char err[256];
    struct report_chatter_query q = {.limit = 10};
    assert_int_equal(
        report_chatter_page(c, f->st, NULL, FX_OTHER, s, &o, &q, FX_T0, &doc, err, sizeof err),
        TCA_ENOTFOUND);
    assert_int_equal(
        report_chatter_page(c, f->st, NULL, FX_USER, 99999, &o, &q, FX_T0, &doc, err, sizeof err),
        TCA_ENOTFOUND);
    q.limit = REPORT_PAGE_MAX + 1;
    assert_int_equal(
        report_chatter_page(c, f->st, NULL, FX_USER, s, &o, &q, FX_T0, &doc, err, sizeof err),
        TCA_EINVAL);
    assert_null(doc);
    report_chatter_cache_free(c);
}

/* A load that reads the profiles on a second connection, in a second thread, gives every
 * page the one-connection load gives. */
static void profiles_read_aside_give_the_same_pages(void **state)
{
    struct fx *f = *state;
    int64_t s;
    fill(f, &s);
    struct store *aside;
    char err[256];
    assert_int_equal(store_open(f->url, &aside, err, sizeof err), 0);
    struct report_chatter_cache *one = report_chatter_cache_new(1000, 60000);
    struct report_chatter_cache *two = report_chatter_cache_new(1000, 60000);
    struct report_options o;
    report_options_default(&o);
    for (int k = 0; k < REPORT_SORT_COUNT * 2; k++) {
        struct report_chatter_query q = {
            .limit = 500, .sort = (enum report_chatter_sort)(k / 2), .desc = k % 2};
        json_t *a = NULL, *b = NULL;
        assert_int_equal(
            report_chatter_page(one, f->st, NULL, FX_USER, s, &o, &q, FX_T0, &a, err, sizeof err),
            0);
        assert_int_equal(
            report_chatter_page(two, f->st, aside, FX_USER, s, &o, &q, FX_T0, &b, err, sizeof err),
            0);
        assert_int_equal(json_integer_value(json_object_get(b, "total")), 40);
        assert_true(json_equal(a, b));
        json_decref(a);
        json_decref(b);
    }
    assert_int_equal(report_chatter_cache_loads(two), 1);
    report_chatter_cache_free(one);
    report_chatter_cache_free(two);
    store_close(aside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(roles_and_watched_accounts_mark_filter_and_sort_rows,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(returning_chatters_and_pages_follow_the_order, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(requests_at_once_share_one_load_and_a_capture_loads_afresh,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(a_session_bigger_than_the_cache_is_still_answered, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(another_users_session_and_a_bad_limit_are_refused, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(profiles_read_aside_give_the_same_pages, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
