/* See store_capture.h. Test support only. */
#include "tests/support/store_capture.h"
#include "tests/support/testutil.h"
#include "analysis/presence.h"

#include <stdio.h>
#include <stdlib.h>

int64_t test_capture_set(struct store *st, int64_t session, int64_t channel,
                         const struct chatter_set *set, int64_t taken_at_ms)
{
    char err[256];
    int64_t *open, *hashes, *renamed, last_seq;
    size_t n_open, n_renamed;
    assert_int_equal(store_presence_open_named(st, session, channel, &open, &hashes, &n_open,
                                               &last_seq, err, sizeof err),
                     0);
    struct an_presence_diff d;
    an_presence_diff(open, n_open, set->items, set->n, &d);
    chatter_renamed(open, hashes, n_open, set->items, set->n, &renamed, &n_renamed);
    struct store_capture_input in = {.session_id = session,
                                     .channel_id = channel,
                                     .seq = last_seq + 1,
                                     .taken_at_ms = taken_at_ms,
                                     .pages = 1,
                                     .chatters = set->items,
                                     .n_chatters = set->n,
                                     .joined = d.joined,
                                     .n_joined = d.n_joined,
                                     .left = d.left,
                                     .n_left = d.n_left,
                                     .renamed = renamed,
                                     .n_renamed = n_renamed};
    struct store_capture_result r;
    int rc = store_capture_commit(st, &in, &r, err, sizeof err);
    an_presence_diff_free(&d);
    free(open);
    free(hashes);
    free(renamed);
    if (rc)
        fail_msg("capture: %s", err);
    return r.renames;
}

void test_capture_commit(struct store *st, int64_t session, int64_t channel, const int64_t *ids,
                         const char *const *logins, size_t n, int64_t taken_at_ms)
{
    struct chatter_set set;
    chatter_set_init(&set);
    for (size_t i = 0; i < n; i++) {
        char login[32];
        snprintf(login, sizeof login, "user%lld", (long long)ids[i]);
        chatter_set_add(&set, ids[i], logins ? logins[i] : login);
    }
    chatter_set_sort_unique(&set);
    test_capture_set(st, session, channel, &set, taken_at_ms);
    chatter_set_free(&set);
}

int64_t test_session_of(struct store *st, int64_t owner, int64_t channel)
{
    char err[256];
    struct store_user u = {.id = owner, .login = "owner", .display_name = "Owner"};
    struct store_channel c = {.id = channel, .login = "chan", .display_name = "Chan"};
    int64_t session;
    assert_int_equal(store_user_upsert(st, &u, err, sizeof err), 0);
    assert_int_equal(store_channel_upsert(st, &c, err, sizeof err), 0);
    assert_int_equal(store_session_active(st, owner, 100, &session, err, sizeof err), 0);
    return session;
}
