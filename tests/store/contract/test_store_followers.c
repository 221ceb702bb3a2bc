/*
 * Store contract for followers: a follow is kept once per channel by the first read that saw
 * it, with that read's capture; every read is kept with the follows it found new (none
 * included); the newest follow and last read of a channel are known; a session's follows come
 * with their profiles' creation times and go with a purge or a deletion of the session; the
 * enrichment asks for followers who never chatted. Written only against store/store.h and
 * store/store_followers.h; each test runs on a fresh real database.
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "store/store_followers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
    struct test_store base; /* first: test_store_close_fresh frees the fixture */
    int64_t session;        /* user 10's active session */
};

static int open_fresh(void **state)
{
    if (test_store_open_fixture(state, sizeof(struct fixture)))
        return -1;
    struct fixture *f = *state;
    char err[256] = "";
    struct store_user u = {.id = 10, .last_login_ms = 1};
    snprintf(u.login, sizeof u.login, "mod");
    struct store_channel c = {.id = 500};
    snprintf(c.login, sizeof c.login, "chan500");
    if (store_user_upsert(f->base.st, &u, err, sizeof err) ||
        store_session_active(f->base.st, 10, 1, &f->session, err, sizeof err) ||
        store_channel_upsert(f->base.st, &c, err, sizeof err))
        return test_store_setup_failed(state, err);
    return 0;
}

static struct store_follow follow(int64_t id, const char *login, int64_t at)
{
    struct store_follow x = {.user_id = id, .followed_at_ms = at};
    snprintf(x.login, sizeof x.login, "%s", login);
    return x;
}

static void a_follow_is_kept_once_by_the_first_read_that_saw_it(void **state)
{
    struct fixture *f = *state;
    char err[256] = "";
    int64_t latest = -1, read_at = -1;
    assert_int_equal(store_followers_latest(f->base.st, 500, &latest, &read_at, err, sizeof err),
                     0);
    assert_int_equal(latest, 0);
    assert_int_equal(read_at, 0);
    struct store_follow first[] = {follow(7, "seven", 1000), follow(3, "three", 900)};
    int added = -1;
    assert_int_equal(store_followers_add(f->base.st, f->session, 500, 1, first, 2, 5000, 40, &added,
                                         err, sizeof err),
                     0);
    assert_int_equal(added, 2);
    /* the next read lists 7 again (same followed_at) and one new follow */
    struct store_follow second[] = {follow(9, "nine", 2000), follow(7, "seven", 1000)};
    assert_int_equal(store_followers_add(f->base.st, f->session, 500, 2, second, 2, 6000, 41,
                                         &added, err, sizeof err),
                     0);
    assert_int_equal(added, 1);
    /* a read that finds nothing is still a read */
    assert_int_equal(store_followers_add(f->base.st, f->session, 500, 3, NULL, 0, 7000, 41, &added,
                                         err, sizeof err),
                     0);
    assert_int_equal(added, 0);
    assert_int_equal(store_followers_latest(f->base.st, 500, &latest, &read_at, err, sizeof err),
                     0);
    assert_int_equal(latest, 2000);
    assert_int_equal(read_at, 7000);

    struct store_profile p = {.id = 9, .created_at_ms = 123456, .enriched_at_ms = 1};
    snprintf(p.login, sizeof p.login, "nine_renamed");
    assert_int_equal(store_profile_put(f->base.st, &p, 1, NULL, err, sizeof err), 0);

    struct store_follow *l = NULL;
    size_t n = 0;
    assert_int_equal(store_followers_list(f->base.st, f->session, &l, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(l[0].user_id, 3); /* by capture, then user */
    assert_int_equal(l[0].seq, 1);
    assert_string_equal(l[0].login, "three");
    assert_int_equal(l[0].created_at_ms, 0);
    assert_int_equal(l[1].user_id, 7);
    assert_int_equal(l[1].seq, 1);
    assert_int_equal(l[2].user_id, 9);
    assert_int_equal(l[2].seq, 2);
    assert_int_equal(l[2].followed_at_ms, 2000);
    assert_int_equal(l[2].channel_id, 500);
    assert_string_equal(l[2].login, "nine_renamed");
    assert_int_equal(l[2].created_at_ms, 123456);
    free(l);

    struct store_follower_read *r = NULL;
    assert_int_equal(store_follower_reads(f->base.st, f->session, &r, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(r[0].seq, 1);
    assert_int_equal(r[0].new_followers, 2);
    assert_int_equal(r[0].total, 40);
    assert_int_equal(r[1].new_followers, 1);
    assert_int_equal(r[2].new_followers, 0);
    assert_int_equal(r[2].read_at_ms, 7000);
    free(r);
}

static void followers_who_never_chatted_are_enriched_and_go_with_a_purge(void **state)
{
    struct fixture *f = *state;
    char err[256] = "";
    struct store_follow x[] = {follow(42, "fortytwo", 1000)};
    assert_int_equal(
        store_followers_add(f->base.st, f->session, 500, 1, x, 1, 5000, 1, NULL, err, sizeof err),
        0);
    int64_t *ids = NULL;
    size_t n = 0;
    assert_int_equal(
        store_profile_stale(f->base.st, f->session, 10, 100, &ids, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(ids[0], 42);
    free(ids);
    assert_int_equal(store_session_purge(f->base.st, f->session, 9000, err, sizeof err), 0);
    struct store_follow *l = NULL;
    assert_int_equal(store_followers_list(f->base.st, f->session, &l, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(l);
    struct store_follower_read *r = NULL;
    assert_int_equal(store_follower_reads(f->base.st, f->session, &r, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(r);
    /* the follow is no longer kept: a later read stores it again */
    int added = 0;
    assert_int_equal(
        store_followers_add(f->base.st, f->session, 500, 1, x, 1, 9500, 1, &added, err, sizeof err),
        0);
    assert_int_equal(added, 1);
    assert_int_equal(store_session_delete(f->base.st, f->session, err, sizeof err), 0);
    int64_t latest = -1, read_at = -1;
    assert_int_equal(store_followers_latest(f->base.st, 500, &latest, &read_at, err, sizeof err),
                     0);
    assert_int_equal(latest, 0);
    assert_int_equal(read_at, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_follow_is_kept_once_by_the_first_read_that_saw_it,
                                        open_fresh, test_store_close_fresh),
        cmocka_unit_test_setup_teardown(
            followers_who_never_chatted_are_enriched_and_go_with_a_purge, open_fresh,
            test_store_close_fresh),
    };
    return test_store_run("store_followers", tests, sizeof tests / sizeof *tests);
}
