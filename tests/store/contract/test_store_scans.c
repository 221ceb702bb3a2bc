/*
 * Store contract: the streamed reads a report runs on two connections at once. store_stays_each
 * gives store_stay_list's stays in its order (a non-zero return stops it), and
 * store_profiles_pull, handed its ids in chunks, gives what store_profiles_each gives for all
 * of them at once.
 */
#include "tests/report/fixture.h"

static const int64_t MIN = 60000;

struct stays {
    struct store_stay got[64];
    size_t n, stop_after;
};

static int keep_stay(void *ctx, const struct store_stay *y)
{
    struct stays *s = ctx;
    assert_true(s->n < 64);
    s->got[s->n++] = *y;
    return s->stop_after && s->n == s->stop_after ? 5 : 0;
}

static void stays_stream_as_the_list_gives_them(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t a[] = {1, 2, 3}, b[] = {2, 3, 9}, c[] = {3};
    fx_capture(f->st, f->session, FX_ALPHA, a, 3, FX_T0);
    fx_capture(f->st, f->session, FX_BETA, b, 3, FX_T0);
    fx_capture(f->st, f->session, FX_ALPHA, c, 1, FX_T0 + MIN);
    fx_capture(f->st, f->session, FX_ALPHA, a, 3, FX_T0 + 2 * MIN);
    const int64_t channels[] = {0, FX_ALPHA, FX_BETA};
    for (size_t k = 0; k < 3; k++) {
        struct store_stay *want;
        size_t n;
        assert_int_equal(
            store_stay_list(f->st, f->session, channels[k], &want, &n, err, sizeof err), 0);
        struct stays got = {0};
        assert_int_equal(
            store_stays_each(f->st, f->session, channels[k], keep_stay, &got, err, sizeof err), 0);
        assert_int_equal(got.n, n);
        assert_true(n > 0);
        for (size_t i = 0; i < n; i++) {
            assert_int_equal(got.got[i].user_id, want[i].user_id);
            assert_int_equal(got.got[i].channel_id, want[i].channel_id);
            assert_int_equal(got.got[i].from_seq, want[i].from_seq);
            assert_int_equal(got.got[i].to_seq, want[i].to_seq);
        }
        free(want);
    }
    struct stays stopped = {.stop_after = 2};
    assert_int_equal(store_stays_each(f->st, f->session, 0, keep_stay, &stopped, err, sizeof err),
                     5);
    assert_int_equal(stopped.n, 2);
}

struct profiles {
    struct store_chatter_profile got[16];
    size_t n, stop_after;
};

static int keep_profile(void *ctx, const struct store_chatter_profile *p)
{
    struct profiles *c = ctx;
    assert_true(c->n < 16);
    c->got[c->n++] = *p;
    return c->stop_after && c->n == c->stop_after ? 7 : 0;
}

/* Hands the ids over in chunks of 1, 3 and the rest, then NULL. */
struct chunks {
    const int64_t *ids;
    size_t n, at, calls;
};

static const int64_t *next_ids(void *ctx, size_t *n)
{
    struct chunks *c = ctx;
    static const size_t sizes[] = {1, 3};
    size_t want = c->calls < 2 ? sizes[c->calls] : c->n - c->at;
    c->calls++;
    if (c->at + want > c->n)
        want = c->n - c->at;
    *n = want;
    const int64_t *ids = want ? c->ids + c->at : NULL;
    c->at += want;
    return ids;
}

static void profiles_pulled_in_chunks_are_those_of_all_ids_at_once(void **state)
{
    struct fx *f = *state;
    char err[256];
    int64_t a[40];
    for (int i = 0; i < 40; i++)
        a[i] = i + 1;
    fx_capture(f->st, f->session, FX_ALPHA, a, 40, FX_T0);
    fx_profile(f->st, 2, "two", FX_T0 - 86400000, FX_T0);
    const int64_t ids[] = {1, 2, 3, 20, 39, 40, 41, 1000};
    enum { N = sizeof ids / sizeof *ids };
    for (unsigned fields = 0; fields <= STORE_PROFILE_DISPLAY; fields++) {
        struct profiles want = {0}, got = {0};
        assert_int_equal(
            store_profiles_each(f->st, ids, N, fields, keep_profile, &want, err, sizeof err), 0);
        struct chunks c = {ids, N, 0, 0};
        assert_int_equal(
            store_profiles_pull(f->st, next_ids, &c, fields, keep_profile, &got, err, sizeof err),
            0);
        assert_int_equal(got.n, N);
        assert_int_equal(want.n, N);
        for (size_t i = 0; i < N; i++) {
            assert_int_equal(got.got[i].user_id, ids[i]);
            assert_string_equal(got.got[i].login, want.got[i].login);
            assert_string_equal(got.got[i].display_name, want.got[i].display_name);
            assert_int_equal(got.got[i].created_at_ms, want.got[i].created_at_ms);
        }
        assert_string_equal(got.got[1].login, "two");
    }
    /* a non-zero return stops the pull and is returned; nothing handed, nothing read */
    struct profiles stopped = {.stop_after = 3};
    struct chunks c = {ids, N, 0, 0};
    assert_int_equal(
        store_profiles_pull(f->st, next_ids, &c, 0, keep_profile, &stopped, err, sizeof err), 7);
    assert_int_equal(stopped.n, 3);
    struct profiles none = {0};
    struct chunks empty = {ids, 0, 0, 0};
    assert_int_equal(
        store_profiles_pull(f->st, next_ids, &empty, 0, keep_profile, &none, err, sizeof err), 0);
    assert_int_equal(none.n, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(stays_stream_as_the_list_gives_them, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(profiles_pulled_in_chunks_are_those_of_all_ids_at_once,
                                        fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
