/*
 * Renames seen by captures (store/sqlite_capture_names.c), through the worker's ingest path
 * (open stays with their name hashes, presence diff, rename candidates, commit) on a real
 * database file: a rename mid-stay, a return to an earlier name, a rename another channel
 * saw first, a rename while away; and a property test holding the per-capture counts, the
 * name history and each capture's logins to a naive recomputation from the raw captures.
 */
#include "tests/support/store_backend.h"
#include "tests/support/store_capture.h"
#include "tests/support/testutil.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "store/store.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { USER = 10, CH_X = 500, CH_Y = 600 };
static const int64_t T0 = 1735689600000LL, MIN = 60000, DAY = 86400000;

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
    struct store_user u = {.id = USER, .login = "mod", .display_name = "Mod"};
    struct store_channel x = {.id = CH_X, .login = "xchan", .display_name = "XChan"};
    struct store_channel y = {.id = CH_Y, .login = "ychan", .display_name = "YChan"};
    if (store_user_upsert(f->base.st, &u, err, sizeof err) ||
        store_channel_upsert(f->base.st, &x, err, sizeof err) ||
        store_channel_upsert(f->base.st, &y, err, sizeof err) ||
        store_session_active(f->base.st, USER, 1, &f->session, err, sizeof err))
        return test_store_setup_failed(state, err);
    return 0;
}

/* One chatter as Twitch lists it: its display name is its login with a capital. */
struct seen {
    int64_t id;
    const char *login;
};

/* The capture job's ingest path; returns the renames the capture recorded. */
static int64_t capture(struct fixture *f, int64_t channel, const struct seen *who, size_t n,
                       int64_t taken_at)
{
    struct chatter_set set;
    chatter_set_init(&set);
    for (size_t i = 0; i < n; i++) {
        char display[32];
        snprintf(display, sizeof display, "%s", who[i].login);
        display[0] = (char)toupper((unsigned char)display[0]);
        chatter_set_add_named(&set, who[i].id, who[i].login, display);
    }
    chatter_set_sort_unique(&set);
    int64_t renames = test_capture_set(f->base.st, f->session, channel, &set, taken_at);
    chatter_set_free(&set);
    return renames;
}

/* The logins of the chatters of one capture, as the capture export reads them. */
struct capture_logins {
    int64_t ids[256];
    char logins[256][32];
    size_t n;
};

static int add_login(void *ctx, const struct store_capture_chatter *c)
{
    struct capture_logins *l = ctx;
    assert_true(l->n < 256);
    l->ids[l->n] = c->user_id;
    snprintf(l->logins[l->n++], 32, "%s", c->login);
    return 0;
}

static const char *login_at(struct fixture *f, int64_t channel, int64_t seq, int64_t user)
{
    static struct capture_logins l;
    char err[256];
    memset(&l, 0, sizeof l);
    assert_int_equal(store_capture_chatters(f->base.st, f->session, channel, seq, NULL, add_login,
                                            &l, err, sizeof err),
                     0);
    for (size_t i = 0; i < l.n; i++)
        if (l.ids[i] == user)
            return l.logins[i];
    return NULL;
}

static void a_rename_mid_stay_is_recorded_once_at_its_capture(void **state)
{
    struct fixture *f = *state;
    struct seen a[] = {{1, "alice"}, {2, "bobby"}}, b[] = {{1, "alicia"}, {2, "bobby"}},
                c[] = {{1, "alice"}, {2, "bobby"}};
    assert_int_equal(capture(f, CH_X, a, 2, T0), 0);
    assert_int_equal(capture(f, CH_X, a, 2, T0 + MIN), 0);
    assert_int_equal(capture(f, CH_X, b, 2, T0 + 2 * MIN), 1);
    assert_int_equal(capture(f, CH_X, b, 2, T0 + 3 * MIN), 0); /* the same name again */
    assert_int_equal(capture(f, CH_X, c, 2, T0 + 4 * MIN), 1); /* back to an earlier name */
    char err[256];
    struct store_name *h;
    size_t n;
    assert_int_equal(store_name_history(f->base.st, 1, &h, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(h[0].login, "alice");
    assert_int_equal(h[0].seen_at_ms, T0 + MIN); /* last seen under it */
    assert_string_equal(h[1].login, "alicia");
    assert_string_equal(h[1].display_name, "Alicia");
    assert_int_equal(h[1].seen_at_ms, T0 + 2 * MIN);
    assert_string_equal(h[2].login, "alice");
    free(h);
    struct store_profile p;
    assert_int_equal(store_profile_get(f->base.st, 1, &p, err, sizeof err), 0);
    assert_string_equal(p.login, "alice");
    /* each capture's export shows the login of that moment */
    assert_string_equal(login_at(f, CH_X, 1, 1), "alice");
    assert_string_equal(login_at(f, CH_X, 3, 1), "alicia");
    assert_string_equal(login_at(f, CH_X, 4, 1), "alicia");
    assert_string_equal(login_at(f, CH_X, 5, 1), "alice");
    struct store_capture *caps;
    assert_int_equal(store_capture_list(f->base.st, f->session, CH_X, &caps, &n, err, sizeof err),
                     0);
    assert_int_equal(caps[2].renames, 1);
    assert_int_equal(caps[3].renames, 0);
    free(caps);
    int64_t total_caps, total_renames;
    assert_int_equal(store_capture_totals(f->base.st, &total_caps, &total_renames, err, sizeof err),
                     0);
    assert_int_equal(total_caps, 5);
    assert_int_equal(total_renames, 2);
    /* SQLite keeps counters that purging does not lower; MariaDB counts the stored captures
     * (one counter row would serialize every worker's capture commits) */
    if (strcmp(test_store_backend(), "sqlite") != 0)
        return;
    assert_int_equal(store_session_purge(f->base.st, f->session, T0 + DAY, err, sizeof err), 0);
    assert_int_equal(store_capture_totals(f->base.st, &total_caps, &total_renames, err, sizeof err),
                     0);
    assert_int_equal(total_caps, 5);
    assert_int_equal(total_renames, 2);
}

static void a_rename_seen_in_one_channel_is_not_counted_again_in_the_other(void **state)
{
    struct fixture *f = *state;
    struct seen old[] = {{7, "carol"}}, now[] = {{7, "caroline"}};
    assert_int_equal(capture(f, CH_X, old, 1, T0), 0);
    assert_int_equal(capture(f, CH_Y, old, 1, T0 + 1000), 0);
    assert_int_equal(capture(f, CH_X, now, 1, T0 + MIN), 1);
    assert_int_equal(capture(f, CH_Y, now, 1, T0 + MIN + 1000), 0);
    /* and back, first seen in the other channel: Y's stay learnt the new name from X */
    assert_int_equal(capture(f, CH_Y, old, 1, T0 + 2 * MIN), 1);
    assert_int_equal(capture(f, CH_X, old, 1, T0 + 2 * MIN + 1000), 0);
}

static void a_rename_while_away_is_found_when_the_chatter_joins_again(void **state)
{
    struct fixture *f = *state;
    struct seen before[] = {{9, "dave"}}, after[] = {{9, "davey"}};
    assert_int_equal(capture(f, CH_X, before, 1, T0), 0);
    assert_int_equal(capture(f, CH_X, NULL, 0, T0 + MIN), 0);
    assert_int_equal(capture(f, CH_X, after, 1, T0 + 2 * MIN), 1);
    assert_string_equal(login_at(f, CH_X, 1, 9), "dave");
    assert_string_equal(login_at(f, CH_X, 3, 9), "davey");
}

/* The naive model: every capture's names in commit order, against the last name seen. */
enum { USERS = 40, TICKS = 30, NAMES = 3 };

struct model {
    int known[USERS];
    int last[USERS];        /* name index last seen */
    int history[USERS][64]; /* name indexes of the history rows */
    size_t n_history[USERS];
};

static void name_of(int user, int gen, char *out, size_t len)
{
    static const char *const stems[NAMES] = {"red", "green", "blue"};
    snprintf(out, len, "%s%d", stems[gen], user + 1);
}

static uint64_t next(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void renames_and_capture_logins_match_a_naive_recomputation(void **state)
{
    struct fixture *f = *state;
    uint64_t rng = 0x5eed0005ULL;
    struct model m = {0};
    int name[USERS] = {0};
    static char logins[TICKS][2][USERS][32]; /* what each capture gave, per user */
    static int present[TICKS][2][USERS];
    int64_t renames_total = 0;
    for (int t = 0; t < TICKS; t++) {
        for (int u = 0; u < USERS; u++) /* about 1 in 12 users changes name each tick */
            if (next(&rng) % 12 == 0)
                name[u] = (int)(next(&rng) % NAMES);
        for (int c = 0; c < 2; c++) {
            struct seen who[USERS];
            size_t n = 0;
            int64_t expect = 0;
            for (int u = 0; u < USERS; u++) {
                present[t][c][u] = next(&rng) % 3 != 0;
                if (!present[t][c][u])
                    continue;
                name_of(u, name[u], logins[t][c][u], 32);
                who[n++] = (struct seen){u + 1, logins[t][c][u]};
                if (m.known[u] && m.last[u] != name[u]) {
                    if (m.n_history[u] == 0)
                        m.history[u][m.n_history[u]++] = m.last[u];
                    m.history[u][m.n_history[u]++] = name[u];
                    expect++;
                }
                m.known[u] = 1;
                m.last[u] = name[u];
            }
            int64_t taken_at = T0 + t * MIN + c * 1000;
            assert_int_equal(capture(f, c ? CH_Y : CH_X, who, n, taken_at), expect);
            renames_total += expect;
        }
    }
    assert_true(renames_total > 20);
    char err[256];
    for (int u = 0; u < USERS; u++) {
        struct store_name *h;
        size_t n;
        assert_int_equal(store_name_history(f->base.st, u + 1, &h, &n, err, sizeof err), 0);
        assert_int_equal(n, m.n_history[u]);
        for (size_t i = 0; i < n; i++) {
            char want[32];
            name_of(u, m.history[u][i], want, sizeof want);
            assert_string_equal(h[i].login, want);
        }
        free(h);
    }
    for (int t = 0; t < TICKS; t++)
        for (int c = 0; c < 2; c++)
            for (int u = 0; u < USERS; u++) {
                const char *got = login_at(f, c ? CH_Y : CH_X, t + 1, u + 1);
                if (!present[t][c][u]) {
                    assert_null(got);
                    continue;
                }
                assert_non_null(got);
                assert_string_equal(got, logins[t][c][u]);
            }
}

int main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, open_fresh, test_store_close_fresh)
    const struct CMUnitTest tests[] = {
        T(a_rename_mid_stay_is_recorded_once_at_its_capture),
        T(a_rename_seen_in_one_channel_is_not_counted_again_in_the_other),
        T(a_rename_while_away_is_found_when_the_chatter_joins_again),
        T(renames_and_capture_logins_match_a_naive_recomputation),
    };
    return test_store_run("store_renames", tests, sizeof tests / sizeof *tests);
}
