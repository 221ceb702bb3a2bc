/*
 * Store contract, chat activity: the per-session chat capture setting, message counts per
 * chatter and minute, raids Twitch announced, and that all of it goes with its session.
 * Written only against store/store.h and store/store_chat.h; runs on every back end.
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"
#include "store/store_chat.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
    struct test_store base; /* first: test_store_close_fresh frees the fixture */
    int64_t session;        /* user 10's active session, channels 500 and 600 */
};

static int open_fresh(void **state)
{
    if (test_store_open_fixture(state, sizeof(struct fixture)))
        return -1;
    struct fixture *f = *state;
    char err[256] = "";
    struct store_user u = {.id = 10, .last_login_ms = 1};
    snprintf(u.login, sizeof u.login, "mod");
    if (store_user_upsert(f->base.st, &u, err, sizeof err) ||
        store_session_active(f->base.st, 10, 1, &f->session, err, sizeof err))
        return test_store_setup_failed(state, err);
    for (int64_t ch = 500; ch <= 600; ch += 100) {
        struct store_channel c = {.id = ch};
        snprintf(c.login, sizeof c.login, "chan%lld", (long long)ch);
        struct store_schedule s = {.session_id = f->session, .channel_id = ch, .enabled = 1};
        if (store_channel_upsert(f->base.st, &c, err, sizeof err) ||
            store_schedule_set(f->base.st, &s, err, sizeof err))
            return test_store_setup_failed(state, err);
    }
    return 0;
}

static void chat_capture_is_off_until_turned_on_and_lists_the_sessions_channels(void **state)
{
    struct fixture *f = *state;
    char err[256];
    struct store_chat_setting cs;
    assert_int_equal(store_chat_get(f->base.st, f->session, &cs, err, sizeof err), 0);
    assert_int_equal(cs.enabled, 0);
    struct store_chat_target *t;
    size_t n;
    assert_int_equal(store_chat_targets(f->base.st, &t, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(t);

    assert_int_equal(store_chat_set(f->base.st, f->session, 1, 50, err, sizeof err), 0);
    assert_int_equal(store_chat_targets(f->base.st, &t, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(t[0].session_id, f->session);
    assert_int_equal(t[0].user_id, 10);
    assert_int_equal(t[0].channel_id, 500);
    assert_int_equal(t[1].channel_id, 600);
    free(t);

    assert_int_equal(store_chat_note(f->base.st, f->session, "missing scope user:read:chat", 60,
                                     err, sizeof err),
                     0);
    assert_int_equal(store_chat_get(f->base.st, f->session, &cs, err, sizeof err), 0);
    assert_int_equal(cs.enabled, 1);
    assert_string_equal(cs.status, "missing scope user:read:chat");
    assert_int_equal(cs.updated_at_ms, 60);
    /* turning it on again clears the problem; off removes the targets */
    assert_int_equal(store_chat_set(f->base.st, f->session, 1, 70, err, sizeof err), 0);
    assert_int_equal(store_chat_get(f->base.st, f->session, &cs, err, sizeof err), 0);
    assert_string_equal(cs.status, "");
    assert_int_equal(store_chat_set(f->base.st, f->session, 0, 80, err, sizeof err), 0);
    assert_int_equal(store_chat_targets(f->base.st, &t, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(t);
    assert_int_equal(store_chat_set(f->base.st, 987654, 1, 80, err, sizeof err), TCA_ENOTFOUND);
}

static void an_inactive_session_is_no_target(void **state)
{
    struct fixture *f = *state;
    char err[256];
    assert_int_equal(store_chat_set(f->base.st, f->session, 1, 50, err, sizeof err), 0);
    assert_int_equal(store_session_deactivate(f->base.st, 10, 90, err, sizeof err), 0);
    struct store_chat_target *t;
    size_t n;
    assert_int_equal(store_chat_targets(f->base.st, &t, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(t);
}

static struct store_chat_count count(int64_t session, int64_t ch, int64_t minute, int64_t user,
                                     const char *login, int64_t messages, int64_t emotes)
{
    struct store_chat_count c = {.session_id = session,
                                 .channel_id = ch,
                                 .minute_ms = minute,
                                 .user_id = user,
                                 .messages = messages,
                                 .emote_only = emotes};
    snprintf(c.login, sizeof c.login, "%s", login);
    return c;
}

static void counts_add_up_per_chatter_and_minute(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t s = f->session;
    struct store_chat_count first[] = {count(s, 500, 60000, 7, "ann", 2, 1),
                                       count(s, 500, 60000, 8, "bob", 1, 0),
                                       count(s, 600, 120000, 7, "ann", 4, 0)};
    struct store_chat_count second[] = {count(s, 500, 60000, 7, "ann_renamed", 3, 1),
                                        count(s, 500, 120000, 8, "bob", 1, 1)};
    assert_int_equal(store_chat_add(f->base.st, first, 3, err, sizeof err), 0);
    assert_int_equal(store_chat_add(f->base.st, second, 2, err, sizeof err), 0);
    assert_int_equal(store_chat_add(f->base.st, NULL, 0, err, sizeof err), 0);

    struct store_chat_count *c;
    size_t n;
    assert_int_equal(store_chat_counts(f->base.st, s, 0, &c, &n, err, sizeof err), 0);
    assert_int_equal(n, 4);
    assert_int_equal(c[0].channel_id, 500);
    assert_int_equal(c[0].minute_ms, 60000);
    assert_int_equal(c[0].user_id, 7);
    assert_string_equal(c[0].login, "ann_renamed");
    assert_int_equal(c[0].messages, 5);
    assert_int_equal(c[0].emote_only, 2);
    assert_int_equal(c[1].user_id, 8);
    assert_int_equal(c[1].messages, 1);
    assert_int_equal(c[2].minute_ms, 120000);
    assert_int_equal(c[2].user_id, 8);
    assert_int_equal(c[3].channel_id, 600);
    assert_int_equal(c[3].messages, 4);
    free(c);
    assert_int_equal(store_chat_counts(f->base.st, s, 600, &c, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(c[0].user_id, 7);
    free(c);
}

static void sentiment_sums_add_up_like_the_counts_and_go_with_a_purge(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t s = f->session;
    struct store_chat_count a = count(s, 500, 60000, 7, "ann", 3, 1);
    a.scored = 2, a.score_sum = 1, a.positive = 1, a.negative = 1;
    struct store_chat_count b = count(s, 500, 60000, 7, "ann", 2, 0);
    b.scored = 2, b.score_sum = -7, b.positive = 0, b.negative = 2;
    struct store_chat_count plain = count(s, 600, 60000, 8, "bob", 1, 0);
    assert_int_equal(store_chat_add(f->base.st, &a, 1, err, sizeof err), 0);
    assert_int_equal(store_chat_add(f->base.st, &b, 1, err, sizeof err), 0);
    assert_int_equal(store_chat_add(f->base.st, &plain, 1, err, sizeof err), 0);

    struct store_chat_count *c;
    size_t n;
    assert_int_equal(store_chat_counts(f->base.st, s, 0, &c, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(c[0].messages, 5);
    assert_int_equal(c[0].scored, 4);
    assert_int_equal(c[0].score_sum, -6);
    assert_int_equal(c[0].positive, 1);
    assert_int_equal(c[0].negative, 3);
    assert_int_equal(c[1].scored, 0); /* a row without sentiment reads as nothing scored */
    assert_int_equal(c[1].score_sum, 0);
    free(c);

    assert_int_equal(store_session_purge(f->base.st, s, 60, err, sizeof err), 0);
    assert_int_equal(store_chat_counts(f->base.st, s, 0, &c, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(c);
}

static int64_t counts_seq(struct fixture *f)
{
    struct store_chat_setting cs;
    char err[256];
    assert_int_equal(store_chat_get(f->base.st, f->session, &cs, err, sizeof err), 0);
    return cs.counts_seq;
}

static void every_batch_of_counts_and_every_raid_moves_the_sessions_counts_seq(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t s = f->session;
    assert_int_equal(store_chat_set(f->base.st, s, 1, 50, err, sizeof err), 0);
    int64_t seq = counts_seq(f);
    struct store_chat_count c1 = count(s, 500, 60000, 7, "ann", 2, 0);
    assert_int_equal(store_chat_add(f->base.st, &c1, 1, err, sizeof err), 0);
    assert_true(counts_seq(f) > seq);
    seq = counts_seq(f);
    struct store_chat_raid r = {.session_id = s, .channel_id = 500, .from_id = 42, .at_ms = 1};
    assert_int_equal(store_chat_raid_add(f->base.st, &r, err, sizeof err), 0);
    assert_true(counts_seq(f) > seq);
    seq = counts_seq(f);
    /* turning chat off and on keeps it: a cached document must not come back */
    assert_int_equal(store_chat_set(f->base.st, s, 0, 60, err, sizeof err), 0);
    assert_int_equal(store_chat_set(f->base.st, s, 1, 70, err, sizeof err), 0);
    assert_true(counts_seq(f) >= seq);
}

static void a_raid_is_stored_once(void **state)
{
    struct fixture *f = *state;
    char err[256];
    struct store_chat_raid r = {
        .session_id = f->session, .channel_id = 500, .from_id = 42, .viewers = 600, .at_ms = 9000};
    snprintf(r.from_login, sizeof r.from_login, "raider");
    assert_int_equal(store_chat_raid_add(f->base.st, &r, err, sizeof err), 0);
    assert_int_equal(store_chat_raid_add(f->base.st, &r, err, sizeof err), 0);
    struct store_chat_raid *list;
    size_t n;
    assert_int_equal(store_chat_raids(f->base.st, f->session, &list, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(list[0].channel_id, 500);
    assert_int_equal(list[0].from_id, 42);
    assert_string_equal(list[0].from_login, "raider");
    assert_int_equal(list[0].viewers, 600);
    assert_int_equal(list[0].at_ms, 9000);
    free(list);
}

static void deleting_the_session_deletes_its_chat_activity(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t s = f->session;
    assert_int_equal(store_chat_set(f->base.st, s, 1, 50, err, sizeof err), 0);
    struct store_chat_count c1 = count(s, 500, 60000, 7, "ann", 2, 0);
    assert_int_equal(store_chat_add(f->base.st, &c1, 1, err, sizeof err), 0);
    struct store_chat_raid r = {.session_id = s, .channel_id = 500, .from_id = 42, .at_ms = 1};
    assert_int_equal(store_chat_raid_add(f->base.st, &r, err, sizeof err), 0);

    assert_int_equal(store_session_delete(f->base.st, s, err, sizeof err), 0);
    struct store_chat_count *c;
    struct store_chat_raid *rl;
    struct store_chat_setting cs;
    size_t n;
    assert_int_equal(store_chat_counts(f->base.st, s, 0, &c, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(c);
    assert_int_equal(store_chat_raids(f->base.st, s, &rl, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(rl);
    assert_int_equal(store_chat_get(f->base.st, s, &cs, err, sizeof err), 0);
    assert_int_equal(cs.enabled, 0);
}

static void purging_the_session_removes_its_chat_activity_and_keeps_the_setting(void **state)
{
    struct fixture *f = *state;
    char err[256];
    int64_t s = f->session;
    assert_int_equal(store_chat_set(f->base.st, s, 1, 50, err, sizeof err), 0);
    struct store_chat_count c1 = count(s, 500, 60000, 7, "ann", 2, 0);
    assert_int_equal(store_chat_add(f->base.st, &c1, 1, err, sizeof err), 0);
    struct store_chat_raid r = {.session_id = s, .channel_id = 500, .from_id = 42, .at_ms = 1};
    assert_int_equal(store_chat_raid_add(f->base.st, &r, err, sizeof err), 0);

    assert_int_equal(store_session_purge(f->base.st, s, 60, err, sizeof err), 0);
    struct store_chat_count *c;
    struct store_chat_raid *rl;
    struct store_chat_setting cs;
    size_t n;
    assert_int_equal(store_chat_counts(f->base.st, s, 0, &c, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(c);
    assert_int_equal(store_chat_raids(f->base.st, s, &rl, &n, err, sizeof err), 0);
    assert_int_equal(n, 0);
    free(rl);
    assert_int_equal(store_chat_get(f->base.st, s, &cs, err, sizeof err), 0);
    assert_int_equal(cs.enabled, 1);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, open_fresh, test_store_close_fresh)
    const struct CMUnitTest tests[] = {
        T(chat_capture_is_off_until_turned_on_and_lists_the_sessions_channels),
        T(an_inactive_session_is_no_target),
        T(counts_add_up_per_chatter_and_minute),
        T(sentiment_sums_add_up_like_the_counts_and_go_with_a_purge),
        T(every_batch_of_counts_and_every_raid_moves_the_sessions_counts_seq),
        T(a_raid_is_stored_once),
        T(deleting_the_session_deletes_its_chat_activity),
        T(purging_the_session_removes_its_chat_activity_and_keeps_the_setting),
    };
    return test_store_run("store_chat", tests, sizeof tests / sizeof *tests);
}
