/*
 * Store contract for channel roles: a read replaces one role's holders in one channel and
 * leaves the other role and the other channels alone, the time of the last read is kept
 * (0 before any), and a list covers exactly the channels asked. Written only against
 * store/store_roles.h; each test runs on a fresh real database.
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store_roles.h"

#include <stdlib.h>

static void a_read_replaces_one_role_of_one_channel(void **state)
{
    struct test_store *f = *state;
    char err[256] = "";
    int64_t at = -1;
    assert_int_equal(store_roles_read_at(f->st, 100, STORE_ROLE_MODERATOR, &at, err, sizeof err),
                     0);
    assert_int_equal(at, 0);
    const int64_t mods[] = {5, 3, 9, 3}, vips[] = {7}, other[] = {5};
    assert_int_equal(
        store_roles_replace(f->st, 100, STORE_ROLE_MODERATOR, mods, 4, 1000, err, sizeof err), 0);
    assert_int_equal(
        store_roles_replace(f->st, 100, STORE_ROLE_VIP, vips, 1, 1100, err, sizeof err), 0);
    assert_int_equal(
        store_roles_replace(f->st, 200, STORE_ROLE_VIP, other, 1, 1200, err, sizeof err), 0);
    const int64_t newer[] = {9, 11};
    assert_int_equal(
        store_roles_replace(f->st, 100, STORE_ROLE_MODERATOR, newer, 2, 2000, err, sizeof err), 0);
    assert_int_equal(store_roles_read_at(f->st, 100, STORE_ROLE_MODERATOR, &at, err, sizeof err),
                     0);
    assert_int_equal(at, 2000);
    assert_int_equal(store_roles_read_at(f->st, 100, STORE_ROLE_VIP, &at, err, sizeof err), 0);
    assert_int_equal(at, 1100);

    struct store_role_holder *h = NULL;
    size_t n = 0;
    const int64_t ch100[] = {100};
    assert_int_equal(store_roles_list(f->st, ch100, 1, &h, &n, err, sizeof err), 0);
    assert_int_equal(n, 3); /* 7 vip, 9 and 11 moderators: 3 and 5 are gone */
    assert_int_equal(h[0].user_id, 7);
    assert_int_equal(h[0].role, STORE_ROLE_VIP);
    assert_int_equal(h[1].user_id, 9);
    assert_int_equal(h[1].role, STORE_ROLE_MODERATOR);
    assert_int_equal(h[2].user_id, 11);
    assert_int_equal(h[2].channel_id, 100);
    free(h);

    const int64_t both[] = {100, 200, 300};
    assert_int_equal(store_roles_list(f->st, both, 3, &h, &n, err, sizeof err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(h[3].channel_id, 200);
    assert_int_equal(h[3].user_id, 5);
    free(h);

    /* an empty read empties the role and is still a read */
    assert_int_equal(
        store_roles_replace(f->st, 200, STORE_ROLE_VIP, NULL, 0, 3000, err, sizeof err), 0);
    const int64_t ch200[] = {200};
    assert_int_equal(store_roles_list(f->st, ch200, 1, &h, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(h);
    assert_int_equal(store_roles_read_at(f->st, 200, STORE_ROLE_VIP, &at, err, sizeof err), 0);
    assert_int_equal(at, 3000);
    assert_int_equal(store_roles_replace(f->st, 200, 7, NULL, 0, 1, err, sizeof err), TCA_EINVAL);
    assert_string_equal(store_role_name(STORE_ROLE_MODERATOR), "moderator");
    assert_string_equal(store_role_name(STORE_ROLE_VIP), "vip");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_read_replaces_one_role_of_one_channel,
                                        test_store_open_fresh, test_store_close_fresh),
    };
    return test_store_run("store_roles", tests, sizeof tests / sizeof *tests);
}
