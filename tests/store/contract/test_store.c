/*
 * Store contract, part 1: opening and migrations, users and tokens, channels, sessions and
 * the capture schedule. Written only against store/store.h, so that every back end must pass
 * it; each test runs on a fresh real database file.
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void add_user(struct store *st, int64_t id, const char *login, int64_t last_login)
{
    struct store_user u = {.id = id, .last_login_ms = last_login};
    snprintf(u.login, sizeof u.login, "%s", login);
    snprintf(u.display_name, sizeof u.display_name, "%s", login);
    assert_int_equal(store_user_upsert(st, &u, NULL, 0), 0);
}

static void add_channel(struct store *st, int64_t id, const char *login)
{
    struct store_channel c = {.id = id};
    snprintf(c.login, sizeof c.login, "%s", login);
    snprintf(c.display_name, sizeof c.display_name, "%s", login);
    assert_int_equal(store_channel_upsert(st, &c, NULL, 0), 0);
}

static void reopening_and_migrating_again_changes_nothing(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int from = -1, to = -1;
    assert_int_equal(store_migrate(f->st, &from, &to, err, sizeof err), 0);
    assert_true(to > 0);
    assert_int_equal(from, to);
    add_user(f->st, 7, "keeper", 1000);
    store_close(f->st);

    assert_int_equal(store_open(f->url, &f->st, err, sizeof err), 0);
    int from2 = -1, to2 = -1;
    assert_int_equal(store_migrate(f->st, &from2, &to2, err, sizeof err), 0);
    assert_int_equal(from2, to);
    assert_int_equal(to2, to);
    struct store_user u;
    assert_int_equal(store_user_get(f->st, 7, &u, err, sizeof err), 0);
    assert_string_equal(u.login, "keeper");
}

static void a_new_file_is_fully_migrated_by_open(void **state)
{
    char *path = test_store_url();
    struct store *st;
    char err[256];
    assert_int_equal(store_open(path, &st, err, sizeof err), 0);
    int from, to;
    assert_int_equal(store_migrate(st, &from, &to, err, sizeof err), 0);
    assert_int_equal(from, to); /* store_open already migrated */
    assert_true(to >= 1);
    store_close(st);
    store_close(NULL);
    test_store_drop(path);
}

static void users_round_trip_and_the_latest_login_wins(void **state)
{
    struct test_store *f = *state;
    char err[256];
    struct store_user u;
    assert_int_equal(store_user_latest(f->st, &u, err, sizeof err), TCA_ENOTFOUND);
    add_user(f->st, 10, "early", 1000);
    add_user(f->st, 20, "late", 5000);
    assert_int_equal(store_user_latest(f->st, &u, err, sizeof err), 0);
    assert_int_equal(u.id, 20);
    add_user(f->st, 10, "early_renamed", 9000);
    assert_int_equal(store_user_latest(f->st, &u, err, sizeof err), 0);
    assert_int_equal(u.id, 10);
    assert_string_equal(u.login, "early_renamed");
    assert_int_equal(u.last_login_ms, 9000);
    assert_int_equal(store_user_get(f->st, 99, &u, err, sizeof err), TCA_ENOTFOUND);
}

static void tokens_round_trip_are_replaced_and_deleted(void **state)
{
    struct test_store *f = *state;
    char err[256];
    add_user(f->st, 10, "mod", 1000);
    struct store_token t = {.user_id = 10,
                            .access_sealed = "sealed-access",
                            .refresh_sealed = "sealed-refresh",
                            .expires_at_ms = 4000,
                            .validated_at_ms = 1000,
                            .scopes = "moderator:read:chatters"};
    assert_int_equal(store_token_put(f->st, &t, err, sizeof err), 0);
    struct store_token got;
    assert_int_equal(store_token_get(f->st, 10, &got, err, sizeof err), 0);
    assert_string_equal(got.access_sealed, "sealed-access");
    assert_string_equal(got.refresh_sealed, "sealed-refresh");
    assert_int_equal(got.expires_at_ms, 4000);
    assert_string_equal(got.scopes, "moderator:read:chatters");
    store_token_clear(&got);

    t.access_sealed = "sealed-access-2";
    t.refresh_sealed = NULL;
    assert_int_equal(store_token_put(f->st, &t, err, sizeof err), 0);
    assert_int_equal(store_token_validated(f->st, 10, 7777, err, sizeof err), 0);
    assert_int_equal(store_token_get(f->st, 10, &got, err, sizeof err), 0);
    assert_string_equal(got.access_sealed, "sealed-access-2");
    assert_null(got.refresh_sealed);
    assert_int_equal(got.validated_at_ms, 7777);
    store_token_clear(&got);
    store_token_clear(&got); /* clearing twice is safe */

    assert_int_equal(store_token_delete(f->st, 10, err, sizeof err), 0);
    assert_int_equal(store_token_get(f->st, 10, &got, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_token_validated(f->st, 10, 1, err, sizeof err), TCA_ENOTFOUND);
}

static void channels_are_found_by_login_whatever_the_case(void **state)
{
    struct test_store *f = *state;
    char err[256];
    add_channel(f->st, 500, "SomeStreamer");
    struct store_channel c;
    assert_int_equal(store_channel_by_login(f->st, "somestreamer", &c, err, sizeof err), 0);
    assert_int_equal(c.id, 500);
    assert_int_equal(store_channel_by_login(f->st, "SOMESTREAMER", &c, err, sizeof err), 0);
    assert_int_equal(c.id, 500);
    assert_int_equal(store_channel_by_login(f->st, "nobody", &c, err, sizeof err), TCA_ENOTFOUND);
    add_channel(f->st, 500, "renamed");
    assert_int_equal(store_channel_get(f->st, 500, &c, err, sizeof err), 0);
    assert_string_equal(c.login, "renamed");
    assert_int_equal(store_channel_get(f->st, 501, &c, err, sizeof err), TCA_ENOTFOUND);
}

static void the_active_session_is_created_once_per_user(void **state)
{
    struct test_store *f = *state;
    char err[256];
    add_user(f->st, 10, "a", 1);
    add_user(f->st, 20, "b", 1);
    int64_t s1, s2, s3;
    assert_int_equal(store_session_active(f->st, 10, 1000, &s1, err, sizeof err), 0);
    assert_int_equal(store_session_active(f->st, 10, 2000, &s2, err, sizeof err), 0);
    assert_int_equal(s1, s2);
    assert_int_equal(store_session_active(f->st, 20, 3000, &s3, err, sizeof err), 0);
    assert_true(s3 != s1);

    struct store_session s;
    assert_int_equal(store_session_get(f->st, s1, &s, err, sizeof err), 0);
    assert_int_equal(s.user_id, 10);
    assert_true(s.active);
    assert_false(s.saved);
    assert_int_equal(s.created_at_ms, 1000);
    assert_int_equal(s.captures, 0);
    assert_int_equal(store_session_get(f->st, 9999, &s, err, sizeof err), TCA_ENOTFOUND);

    struct store_session *list;
    size_t n;
    assert_int_equal(store_session_list(f->st, 10, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].id, s1);
    free(list);
    assert_int_equal(store_session_list(f->st, 30, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(list);
}

static void a_session_of_an_unknown_user_is_refused(void **state)
{
    struct test_store *f = *state;
    char err[256];
    int64_t id;
    assert_true(store_session_active(f->st, 4242, 1, &id, err, sizeof err) < 0);
}

static void due_schedules_are_listed_advanced_and_stopped(void **state)
{
    struct test_store *f = *state;
    char err[256];
    add_user(f->st, 10, "mod", 1);
    add_channel(f->st, 500, "one");
    add_channel(f->st, 600, "two");
    add_channel(f->st, 700, "manual");
    int64_t sid;
    assert_int_equal(store_session_active(f->st, 10, 1, &sid, err, sizeof err), 0);
    struct store_schedule a = {
        .session_id = sid, .channel_id = 500, .interval_s = 60, .next_at_ms = 1000, .enabled = 1};
    struct store_schedule b = {
        .session_id = sid, .channel_id = 600, .interval_s = 30, .next_at_ms = 5000, .enabled = 1};
    struct store_schedule m = {
        .session_id = sid, .channel_id = 700, .interval_s = 0, .next_at_ms = 0, .enabled = 1};
    assert_int_equal(store_schedule_set(f->st, &a, err, sizeof err), 0);
    assert_int_equal(store_schedule_set(f->st, &b, err, sizeof err), 0);
    assert_int_equal(store_schedule_set(f->st, &m, err, sizeof err), 0);

    struct store_schedule *due;
    size_t n;
    assert_int_equal(store_schedule_due(f->st, 999, &due, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(due);
    assert_int_equal(store_schedule_due(f->st, 6000, &due, &n, err, sizeof err), 0);
    assert_int_equal(n, 2); /* the manual channel is never due */
    assert_int_equal(due[0].channel_id, 500);
    assert_int_equal(due[0].user_id, 10);
    assert_int_equal(due[0].interval_s, 60);
    assert_int_equal(due[1].channel_id, 600);
    free(due);

    assert_int_equal(store_schedule_advance(f->st, sid, 500, 61000, err, sizeof err), 0);
    assert_int_equal(store_schedule_stop(f->st, sid, 600, err, sizeof err), 0);
    assert_int_equal(store_schedule_due(f->st, 6000, &due, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(due);
    assert_int_equal(store_schedule_due(f->st, 61000, &due, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(due[0].next_at_ms, 61000);
    free(due);

    assert_int_equal(store_schedule_stop(f->st, sid, 999, err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_schedule_advance(f->st, sid, 999, 1, err, sizeof err), TCA_ENOTFOUND);
}

static void a_passed_stop_time_disables_the_schedule(void **state)
{
    struct test_store *f = *state;
    char err[256];
    add_user(f->st, 10, "mod", 1);
    add_channel(f->st, 500, "one");
    int64_t sid;
    assert_int_equal(store_session_active(f->st, 10, 1, &sid, err, sizeof err), 0);
    struct store_schedule a = {.session_id = sid,
                               .channel_id = 500,
                               .interval_s = 60,
                               .next_at_ms = 1000,
                               .stop_at_ms = 10000,
                               .enabled = 1};
    assert_int_equal(store_schedule_set(f->st, &a, err, sizeof err), 0);
    struct store_schedule *due;
    size_t n;
    assert_int_equal(store_schedule_due(f->st, 9999, &due, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    free(due);
    assert_int_equal(store_schedule_due(f->st, 10000, &due, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(due);
    /* Disabled for good, not merely skipped: moving the stop time away does not revive it. */
    assert_int_equal(store_schedule_advance(f->st, sid, 500, 1000, err, sizeof err), 0);
    assert_int_equal(store_schedule_due(f->st, 5000, &due, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(due);
    /* Setting the schedule again is how a user restarts it. */
    a.stop_at_ms = 0;
    assert_int_equal(store_schedule_set(f->st, &a, err, sizeof err), 0);
    assert_int_equal(store_schedule_due(f->st, 20000, &due, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    free(due);
}

static void a_schedule_needs_a_known_channel(void **state)
{
    struct test_store *f = *state;
    char err[256];
    add_user(f->st, 10, "mod", 1);
    int64_t sid;
    assert_int_equal(store_session_active(f->st, 10, 1, &sid, err, sizeof err), 0);
    struct store_schedule a = {
        .session_id = sid, .channel_id = 31337, .interval_s = 60, .enabled = 1};
    assert_true(store_schedule_set(f->st, &a, err, sizeof err) < 0);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, test_store_open_fresh, test_store_close_fresh)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(reopening_and_migrating_again_changes_nothing),
        cmocka_unit_test(a_new_file_is_fully_migrated_by_open),
        T(users_round_trip_and_the_latest_login_wins),
        T(tokens_round_trip_are_replaced_and_deleted),
        T(channels_are_found_by_login_whatever_the_case),
        T(the_active_session_is_created_once_per_user),
        T(a_session_of_an_unknown_user_is_refused),
        T(due_schedules_are_listed_advanced_and_stopped),
        T(a_passed_stop_time_disables_the_schedule),
        T(a_schedule_needs_a_known_channel),
    };
    return test_store_run("store", tests, sizeof tests / sizeof *tests);
}
