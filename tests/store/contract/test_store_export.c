/*
 * Store contract, part 4: the session export and Twitch profiles with their name history.
 * The export is checked against a naive recomputation from the full snapshots that were
 * committed (random churn, gaps, an empty capture, stays still open at the end).
 */
#include "tests/support/store_backend.h"
#include "tests/support/testutil.h"
#include "analysis/presence.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { USER_A = 10, POOL = 80, CAPTURES = 30, CHANNELS = 2 };

static const int64_t channel_ids[CHANNELS] = {500, 600};

struct fixture {
    struct test_store base; /* first: test_store_close_fresh frees the fixture */
    int64_t session;
};

static int open_fresh(void **state)
{
    if (test_store_open_fixture(state, sizeof(struct fixture)))
        return -1;
    struct fixture *f = *state;
    char err[256] = "";
    struct store_user a = {.id = USER_A, .login = "mod_a", .display_name = "Mod_A"};
    int rc = store_user_upsert(f->base.st, &a, err, sizeof err);
    for (int c = 0; c < CHANNELS && !rc; c++) {
        struct store_channel ch = {.id = channel_ids[c]};
        snprintf(ch.login, sizeof ch.login, "channel%d", c);
        snprintf(ch.display_name, sizeof ch.display_name, "Channel%d", c);
        rc = store_channel_upsert(f->base.st, &ch, err, sizeof err);
    }
    if (!rc)
        rc = store_session_active(f->base.st, USER_A, 1, &f->session, err, sizeof err);
    if (rc)
        return test_store_setup_failed(state, err);
    return 0;
}

/* The test's own random stream, so a failure replays identically. */
static uint64_t next_random(uint64_t *state)
{
    uint64_t x = *state;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *state = x;
}

static void capture(struct store *st, int64_t session, int64_t channel, const char *present,
                    int64_t taken_at, const char *login_prefix)
{
    char err[256], login[32];
    int64_t *open, last_seq;
    size_t n_open;
    assert_int_equal(
        store_presence_open(st, session, channel, &open, &n_open, &last_seq, err, sizeof err), 0);
    struct chatter_set set;
    chatter_set_init(&set);
    for (int id = 1; id <= POOL; id++)
        if (present[id]) {
            snprintf(login, sizeof login, "%s%d", login_prefix, id);
            chatter_set_add(&set, id, login);
        }
    chatter_set_sort_unique(&set);
    struct an_presence_diff d;
    an_presence_diff(open, n_open, set.items, set.n, &d);
    struct store_capture_input in = {.session_id = session,
                                     .channel_id = channel,
                                     .seq = last_seq + 1,
                                     .taken_at_ms = taken_at,
                                     .pages = 1,
                                     .chatters = set.items,
                                     .n_chatters = set.n,
                                     .joined = d.joined,
                                     .n_joined = d.n_joined,
                                     .left = d.left,
                                     .n_left = d.n_left};
    struct store_capture_result r;
    assert_int_equal(store_capture_commit(st, &in, &r, err, sizeof err), 0);
    an_presence_diff_free(&d);
    chatter_set_free(&set);
    free(open);
}

struct collected {
    struct store_export_row *rows;
    size_t n, cap;
    int64_t total_at_first; /* *total as seen by the first callback */
    const int64_t *total;
    size_t stop_after; /* 0: never stop */
};

static int collect(void *ctx, const struct store_export_row *row)
{
    struct collected *c = ctx;
    if (c->n == 0)
        c->total_at_first = *c->total;
    if (c->n == c->cap) {
        c->cap = c->cap ? c->cap * 2 : 16;
        c->rows = xreallocarray(c->rows, c->cap, sizeof *c->rows);
    }
    c->rows[c->n++] = *row;
    return c->stop_after && c->n == c->stop_after ? 99 : 0;
}

static void the_export_equals_a_naive_recomputation_from_the_snapshots(void **state)
{
    struct fixture *f = *state;
    char err[256];
    static char present[CHANNELS][CAPTURES][POOL + 1];
    int64_t taken[CHANNELS][CAPTURES];
    uint64_t rng = 0x2545f4914f6cdd1dULL;
    int64_t clock = 1700000000000;
    for (int k = 0; k < CAPTURES; k++) {
        for (int c = 0; c < CHANNELS; c++) {
            for (int id = 1; id <= POOL; id++) {
                /* Regulars stay, others churn; some ids only ever visit one channel. */
                int stay = k > 0 && present[c][k - 1][id] && next_random(&rng) % 10 < 8;
                int arrive = next_random(&rng) % 100 < (id % 7 == 0 ? 3 : 25);
                present[c][k][id] = (char)((stay || arrive) && !(c == 1 && id > 60));
            }
            if (c == 0 && k == 12)
                memset(present[c][k], 0, sizeof present[c][k]); /* an empty capture */
            clock += 1000 + (int64_t)(next_random(&rng) % 60000);
            taken[c][k] = clock;
            capture(f->base.st, f->session, channel_ids[c], present[c][k], clock, "u");
        }
    }
    /* A few profiles are enriched: their creation date appears in the export. */
    struct store_profile prof[2] = {
        {.id = 1, .login = "u1", .display_name = "U1", .created_at_ms = 111, .enriched_at_ms = 5},
        {.id = 2, .login = "u2", .display_name = "U2", .created_at_ms = 222, .enriched_at_ms = 5},
    };
    int renames;
    assert_int_equal(store_profile_put(f->base.st, prof, 2, &renames, err, sizeof err), 0);

    struct collected got = {0};
    int64_t total = -1;
    got.total = &total;
    assert_int_equal(
        store_export_session(f->base.st, f->session, &total, collect, &got, err, sizeof err), 0);
    size_t row = 0, expected_rows = 0, expected_stays = 0;
    for (int id = 1; id <= POOL; id++) {
        int64_t seen = 0, first = 0, last = 0, time_present = 0;
        for (int c = 0; c < CHANNELS; c++) {
            int run_start = -1;
            for (int k = 0; k <= CAPTURES; k++) {
                int here = k < CAPTURES && present[c][k][id];
                if (here) {
                    seen++;
                    first = first && first < taken[c][k] ? first : taken[c][k];
                    last = last > taken[c][k] ? last : taken[c][k];
                    if (run_start < 0)
                        run_start = k;
                } else if (run_start >= 0) {
                    time_present += taken[c][k - 1] - taken[c][run_start];
                    expected_stays++;
                    run_start = -1;
                }
            }
        }
        if (!seen)
            continue;
        expected_rows++;
        assert_true(row < got.n);
        const struct store_export_row *r = &got.rows[row++];
        assert_int_equal(r->user_id, id);
        assert_int_equal(r->captures_seen, seen);
        assert_int_equal(r->first_seen_ms, first);
        assert_int_equal(r->last_seen_ms, last);
        assert_int_equal(r->time_present_ms, time_present);
        char login[32];
        snprintf(login, sizeof login, "u%d", id);
        assert_string_equal(r->login, login);
        assert_int_equal(r->created_at_ms, id == 1 ? 111 : id == 2 ? 222 : 0);
    }
    assert_int_equal(got.n, expected_rows);
    assert_int_equal(total, (int64_t)expected_rows);
    assert_int_equal(got.total_at_first, (int64_t)expected_rows);
    assert_true(expected_rows > 40);
    free(got.rows);

    struct store_stay *stays;
    size_t n_stays;
    assert_int_equal(store_stay_list(f->base.st, f->session, 0, &stays, &n_stays, err, sizeof err),
                     0);
    assert_int_equal(n_stays, expected_stays);
    free(stays);
}

static void a_callback_can_stop_the_export(void **state)
{
    struct fixture *f = *state;
    char err[256], present[POOL + 1] = {0};
    for (int id = 1; id <= 5; id++)
        present[id] = 1;
    capture(f->base.st, f->session, channel_ids[0], present, 1000, "u");
    int64_t total;
    struct collected got = {.total = &total, .stop_after = 2};
    assert_int_equal(
        store_export_session(f->base.st, f->session, &total, collect, &got, err, sizeof err), 99);
    assert_int_equal(got.n, 2);
    assert_int_equal(got.total_at_first, 5);
    free(got.rows);
    /* The connection is usable afterwards: the export left no transaction open. */
    present[6] = 1;
    capture(f->base.st, f->session, channel_ids[0], present, 2000, "u");
    got = (struct collected){.total = &total};
    assert_int_equal(
        store_export_session(f->base.st, f->session, NULL, collect, &got, err, sizeof err), 0);
    assert_int_equal(got.n, 6);
    assert_int_equal(got.rows[5].captures_seen, 1);
    assert_int_equal(got.rows[0].captures_seen, 2);
    assert_int_equal(got.rows[0].time_present_ms, 1000);
    free(got.rows);
}

static struct store_profile profile(int64_t id, const char *login, const char *display, int64_t at)
{
    struct store_profile p = {.id = id, .created_at_ms = 42, .enriched_at_ms = at};
    snprintf(p.login, sizeof p.login, "%s", login);
    snprintf(p.display_name, sizeof p.display_name, "%s", display);
    snprintf(p.broadcaster_type, sizeof p.broadcaster_type, "affiliate");
    return p;
}

static size_t history_length(struct store *st, int64_t id)
{
    struct store_name *names;
    size_t n;
    assert_int_equal(store_name_history(st, id, &names, &n, NULL, 0), 0);
    free(names);
    return n;
}

static void renames_are_counted_once_per_change_of_name(void **state)
{
    struct fixture *f = *state;
    char err[256], present[POOL + 1] = {0};
    present[1] = present[2] = present[3] = 1;
    capture(f->base.st, f->session, channel_ids[0], present, 1000, "u");

    int renames = -1;
    struct store_profile p = profile(1, "u1", "U1", 2000);
    assert_int_equal(store_profile_put(f->base.st, &p, 1, &renames, err, sizeof err), 0);
    assert_int_equal(renames, 0); /* the first enrichment starts the history */
    assert_int_equal(history_length(f->base.st, 1), 1);
    /* Enriched again with the same names, and captured again many times: no rename. */
    p.enriched_at_ms = 3000;
    assert_int_equal(store_profile_put(f->base.st, &p, 1, &renames, err, sizeof err), 0);
    assert_int_equal(renames, 0);
    for (int k = 0; k < 5; k++) {
        present[1] = (char)(k % 2);
        capture(f->base.st, f->session, channel_ids[0], present, 4000 + k * 1000, "u");
    }
    assert_int_equal(history_length(f->base.st, 1), 1);

    struct store_profile batch[3] = {profile(1, "u1_new", "U1_New", 10000),
                                     profile(2, "u2", "U2", 10000), profile(3, "u3", "U3", 10000)};
    assert_int_equal(store_profile_put(f->base.st, batch, 3, &renames, err, sizeof err), 0);
    assert_int_equal(renames, 1);
    batch[0] = profile(1, "u1_new", "U1_NEW", 11000); /* display name only */
    batch[1] = profile(2, "u2_new", "U2", 11000);
    batch[2] = profile(3, "u3", "U3", 11000);
    assert_int_equal(store_profile_put(f->base.st, batch, 3, &renames, err, sizeof err), 0);
    assert_int_equal(renames, 2);

    struct store_name *names;
    size_t n;
    assert_int_equal(store_name_history(f->base.st, 1, &names, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(names[0].login, "u1");
    assert_string_equal(names[0].display_name, "U1");
    assert_int_equal(names[0].seen_at_ms, 2000);
    assert_string_equal(names[1].login, "u1_new");
    assert_string_equal(names[2].display_name, "U1_NEW");
    free(names);

    struct store_profile got;
    assert_int_equal(store_profile_get(f->base.st, 1, &got, err, sizeof err), 0);
    assert_string_equal(got.login, "u1_new");
    assert_string_equal(got.display_name, "U1_NEW");
    assert_string_equal(got.broadcaster_type, "affiliate");
    assert_int_equal(got.created_at_ms, 42);
    assert_int_equal(got.enriched_at_ms, 11000);
    assert_int_equal(store_profile_get(f->base.st, 999, &got, err, sizeof err), TCA_ENOTFOUND);
}

static void a_login_changed_before_the_first_enrichment_is_a_rename(void **state)
{
    struct fixture *f = *state;
    char err[256], present[POOL + 1] = {0};
    present[7] = 1;
    capture(f->base.st, f->session, channel_ids[0], present, 1000, "old");
    int renames;
    struct store_profile p = profile(7, "new7", "New7", 5000);
    assert_int_equal(store_profile_put(f->base.st, &p, 1, &renames, err, sizeof err), 0);
    assert_int_equal(renames, 1);
    struct store_name *names;
    size_t n;
    assert_int_equal(store_name_history(f->base.st, 7, &names, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(names[0].login, "old7");
    assert_string_equal(names[1].login, "new7");
    free(names);
    /* A profile never seen in a capture can be stored too, starting its history. */
    p = profile(8, "eight", "Eight", 5000);
    assert_int_equal(store_profile_put(f->base.st, &p, 1, &renames, err, sizeof err), 0);
    assert_int_equal(renames, 0);
    assert_int_equal(history_length(f->base.st, 8), 1);
}

static void stale_profiles_are_the_never_or_long_ago_enriched_chatters(void **state)
{
    struct fixture *f = *state;
    char err[256], present[POOL + 1] = {0};
    present[1] = present[2] = present[3] = 1;
    capture(f->base.st, f->session, channel_ids[0], present, 1000, "u");
    struct store_profile p = profile(1, "u1", "U1", 5000);
    int renames;
    assert_int_equal(store_profile_put(f->base.st, &p, 1, &renames, err, sizeof err), 0);
    int64_t *ids;
    size_t n;
    assert_int_equal(
        store_profile_stale(f->base.st, f->session, 4000, 10, &ids, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ids[0], 2);
    assert_int_equal(ids[1], 3);
    free(ids);
    assert_int_equal(
        store_profile_stale(f->base.st, f->session, 6000, 10, &ids, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    free(ids);
    assert_int_equal(
        store_profile_stale(f->base.st, f->session, 6000, 2, &ids, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    free(ids);
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, open_fresh, test_store_close_fresh)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(the_export_equals_a_naive_recomputation_from_the_snapshots),
        T(a_callback_can_stop_the_export),
        T(renames_are_counted_once_per_change_of_name),
        T(a_login_changed_before_the_first_enrichment_is_a_rename),
        T(stale_profiles_are_the_never_or_long_ago_enriched_chatters),
    };
    return test_store_run("store_export", tests, sizeof tests / sizeof *tests);
}
