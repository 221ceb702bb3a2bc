/*
 * Store contract: the analysis inputs (channels and sessions, visits, profiles, name
 * histories, one capture's exact chatter list, a chatter's sessions) and the known-bots list.
 * One capture's list is checked against the snapshots that were committed.
 */
#include "tests/report/fixture.h"

static const int64_t MIN = 60000;

static void session_channels_list_what_was_captured_by_login(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t a[] = {1, 2}, b[] = {2, 3, 4};
    fx_capture(f->st, f->session, FX_BETA, b, 3, FX_T0);
    fx_capture(f->st, f->session, FX_ALPHA, a, 2, FX_T0 + MIN);
    fx_capture(f->st, f->session, FX_ALPHA, a, 2, FX_T0 + 2 * MIN);
    struct store_session_channel *c;
    size_t n;
    assert_int_equal(store_session_channels(f->st, f->session, &c, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_string_equal(c[0].login, "alpha");
    assert_int_equal(c[0].captures, 2);
    assert_int_equal(c[0].first_at_ms, FX_T0 + MIN);
    assert_int_equal(c[0].last_at_ms, FX_T0 + 2 * MIN);
    assert_string_equal(c[1].login, "beta");
    assert_int_equal(c[1].captures, 1);
    free(c);
}

static void channel_visits_give_first_capture_and_last_time_seen(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t s1[] = {1, 2}, s2[] = {2, 3}, s3[] = {1, 2, 3};
    fx_capture(f->st, f->session, FX_ALPHA, s1, 2, FX_T0);
    fx_capture(f->st, f->session, FX_ALPHA, s2, 2, FX_T0 + MIN);
    fx_capture(f->st, f->session, FX_ALPHA, s3, 3, FX_T0 + 2 * MIN);
    struct store_visit *v;
    size_t n;
    assert_int_equal(store_channel_visits(f->st, f->session, FX_ALPHA, &v, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_int_equal(v[0].user_id, 1);
    assert_int_equal(v[0].first_seq, 1);
    assert_int_equal(v[0].last_seen_ms, FX_T0 + 2 * MIN); /* open stay: the last capture */
    assert_int_equal(v[1].user_id, 2);
    assert_int_equal(v[1].last_seen_ms, FX_T0 + 2 * MIN);
    assert_int_equal(v[2].user_id, 3);
    assert_int_equal(v[2].first_seq, 2);
    free(v);
}

static void channel_sessions_are_ordered_by_first_capture_and_filtered_by_owner(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t ids[] = {1};
    fx_capture(f->st, f->session, FX_ALPHA, ids, 1, FX_T0 + 5 * MIN);
    int64_t other = fx_new_session(f, FX_OTHER, FX_T0);
    fx_capture(f->st, other, FX_ALPHA, ids, 1, FX_T0);
    struct store_channel_session *s;
    size_t n;
    assert_int_equal(store_channel_sessions(f->st, FX_ALPHA, 0, &s, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(s[0].session_id, other);
    assert_int_equal(s[1].session_id, f->session);
    free(s);
    assert_int_equal(store_channel_sessions(f->st, FX_ALPHA, FX_USER, &s, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(s[0].session_id, f->session);
    assert_int_equal(s[0].user_id, FX_USER);
    free(s);
}

static void session_profiles_cover_every_chatter_enriched_or_not(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t a[] = {1, 2}, b[] = {3};
    fx_capture(f->st, f->session, FX_ALPHA, a, 2, FX_T0);
    fx_capture(f->st, f->session, FX_BETA, b, 1, FX_T0);
    fx_profile(f->st, 2, "two", FX_T0 - 86400000, FX_T0);
    struct store_chatter_profile *p;
    size_t n;
    assert_int_equal(store_session_profiles(f->st, f->session, 0, &p, &n, err, sizeof err), 0);
    assert_int_equal(n, 3);
    assert_string_equal(p[0].login, "u1");
    assert_int_equal(p[0].created_at_ms, 0);
    assert_string_equal(p[1].login, "two");
    assert_int_equal(p[1].created_at_ms, FX_T0 - 86400000);
    free(p);
    assert_int_equal(store_session_profiles(f->st, f->session, FX_BETA, &p, &n, err, sizeof err),
                     0);
    assert_int_equal(n, 1);
    assert_int_equal(p[0].user_id, 3);
    free(p);
}

struct profile_calls {
    struct store_chatter_profile got[16];
    size_t n, stop_after;
};

static int keep_profile(void *ctx, const struct store_chatter_profile *p)
{
    struct profile_calls *c = ctx;
    assert_true(c->n < 16);
    c->got[c->n++] = *p;
    return c->stop_after && c->n == c->stop_after ? 7 : 0;
}

static void profiles_of_ids_come_in_order_one_per_id_known_or_not(void **state)
{
    struct fx *f = *state;
    char err[256];
    int64_t a[40];
    for (int i = 0; i < 40; i++)
        a[i] = i + 1;
    fx_capture(f->st, f->session, FX_ALPHA, a, 40, FX_T0);
    struct store_profile two = {
        .id = 2, .created_at_ms = FX_T0 - 86400000, .enriched_at_ms = FX_T0};
    snprintf(two.login, sizeof two.login, "two");
    snprintf(two.display_name, sizeof two.display_name, "Two_Display");
    int renames;
    assert_int_equal(store_profile_put(f->st, &two, 1, &renames, err, sizeof err), 0);
    /* gaps longer and shorter than a few rows, ids past the last profile */
    const int64_t ids[] = {1, 2, 3, 20, 39, 40, 41, 1000};
    enum { N = sizeof ids / sizeof *ids };
    struct profile_calls c = {0};
    assert_int_equal(store_profiles_each(f->st, ids, N, STORE_PROFILE_DISPLAY, keep_profile, &c,
                                         err, sizeof err),
                     0);
    assert_int_equal(c.n, N);
    for (size_t i = 0; i < N; i++)
        assert_int_equal(c.got[i].user_id, ids[i]);
    assert_string_equal(c.got[0].login, "u1");
    assert_int_equal(c.got[0].created_at_ms, 0);
    assert_string_equal(c.got[1].login, "two");
    assert_string_equal(c.got[1].display_name, "Two_Display");
    assert_int_equal(c.got[1].created_at_ms, FX_T0 - 86400000);
    assert_string_equal(c.got[3].login, "u20");
    assert_string_equal(c.got[5].login, "u40");
    for (size_t i = 6; i < N; i++) { /* no profile */
        assert_string_equal(c.got[i].login, "");
        assert_string_equal(c.got[i].display_name, "");
        assert_int_equal(c.got[i].created_at_ms, 0);
    }
    /* the same profiles as the session's listing gives */
    struct store_chatter_profile *p;
    size_t n;
    assert_int_equal(store_session_profiles(f->st, f->session, 0, &p, &n, err, sizeof err), 0);
    assert_int_equal(n, 40);
    for (size_t i = 0; i < 6; i++) {
        struct store_chatter_profile *want = &p[ids[i] - 1];
        assert_string_equal(c.got[i].login, want->login);
        assert_string_equal(c.got[i].display_name, want->display_name);
        assert_int_equal(c.got[i].created_at_ms, want->created_at_ms);
    }
    free(p);
    /* lean: no display name; a non-zero return stops the listing and is returned */
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    assert_int_equal(
        store_profiles_each(f->st, ids, N, STORE_PROFILE_LEAN, keep_profile, &c, err, sizeof err),
        7);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.got[1].login, "two");
    assert_string_equal(c.got[1].display_name, "");
    assert_int_equal(c.got[1].created_at_ms, FX_T0 - 86400000);
    memset(&c, 0, sizeof c);
    assert_int_equal(store_profiles_each(f->st, ids, 0, 0, keep_profile, &c, err, sizeof err), 0);
    assert_int_equal(c.n, 0);
}

static void session_names_hold_only_chatters_with_a_history(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t a[] = {1, 2};
    fx_capture(f->st, f->session, FX_ALPHA, a, 2, FX_T0);
    fx_profile(f->st, 1, "u1", 1, FX_T0);
    fx_profile(f->st, 2, "u2", 1, FX_T0);
    fx_profile(f->st, 2, "renamed", 1, FX_T0 + MIN);
    fx_profile(f->st, 2, "renamed", 1, FX_T0 + 2 * MIN); /* same name again: no row */
    struct store_name_row *r;
    size_t n;
    assert_int_equal(store_session_names(f->st, f->session, &r, &n, err, sizeof err), 0);
    assert_int_equal(n, 2);
    assert_int_equal(r[0].user_id, 2);
    assert_string_equal(r[0].login, "u2");
    assert_string_equal(r[1].login, "renamed");
    free(r);
}

struct listed {
    int64_t ids[128];
    size_t n;
    int stop_at;
};

static int collect(void *ctx, const struct store_capture_chatter *c)
{
    struct listed *l = ctx;
    l->ids[l->n++] = c->user_id;
    return l->stop_at && (int)l->n == l->stop_at ? 7 : 0;
}

static uint64_t next_random(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

static void capture_chatters_equal_the_snapshot_committed_at_every_capture(void **state)
{
    struct fx *f = *state;
    char err[256];
    enum { POOL = 60, CAPTURES = 25 };
    static int64_t snap[CAPTURES][POOL];
    size_t sizes[CAPTURES];
    uint64_t rng = 0x9e3779b97f4a7c15ULL;
    int present[POOL + 1] = {0};
    for (int k = 0; k < CAPTURES; k++) {
        sizes[k] = 0;
        for (int id = 1; id <= POOL; id++) {
            if (next_random(&rng) % 100 < (present[id] ? 15u : 30u))
                present[id] = !present[id];
            if (k == 12)
                present[id] = 0; /* an empty capture */
            if (present[id])
                snap[k][sizes[k]++] = id;
        }
        fx_capture(f->st, f->session, FX_ALPHA, snap[k], sizes[k], FX_T0 + k * MIN);
    }
    for (int k = 0; k < CAPTURES; k++) {
        struct listed l = {.n = 0};
        int64_t total = -1;
        assert_int_equal(store_capture_chatters(f->st, f->session, FX_ALPHA, k + 1, &total, collect,
                                                &l, err, sizeof err),
                         0);
        assert_int_equal(total, sizes[k]);
        assert_int_equal(l.n, sizes[k]);
        for (size_t i = 0; i < l.n; i++)
            assert_int_equal(l.ids[i], snap[k][i]); /* both ascending */
    }
    struct listed l = {.stop_at = 1};
    assert_int_equal(
        store_capture_chatters(f->st, f->session, FX_ALPHA, 1, NULL, collect, &l, err, sizeof err),
        sizes[0] ? 7 : 0);
    assert_int_equal(store_capture_chatters(f->st, f->session, FX_ALPHA, CAPTURES + 1, NULL,
                                            collect, &l, err, sizeof err),
                     TCA_ENOTFOUND);
}

static void chatter_sessions_sum_stays_in_the_owners_sessions_only(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t one[] = {1}, none[] = {0};
    fx_capture(f->st, f->session, FX_ALPHA, one, 1, FX_T0);
    fx_capture(f->st, f->session, FX_ALPHA, one, 1, FX_T0 + MIN);
    fx_capture(f->st, f->session, FX_ALPHA, none, 0, FX_T0 + 2 * MIN);
    fx_capture(f->st, f->session, FX_ALPHA, one, 1, FX_T0 + 3 * MIN);
    int64_t other = fx_new_session(f, FX_OTHER, FX_T0);
    fx_capture(f->st, other, FX_BETA, one, 1, FX_T0);
    struct store_chatter_session *s;
    size_t n;
    assert_int_equal(store_chatter_sessions(f->st, FX_USER, 1, &s, &n, err, sizeof err), 0);
    assert_int_equal(n, 1);
    assert_int_equal(s[0].session_id, f->session);
    assert_int_equal(s[0].channel_id, FX_ALPHA);
    assert_int_equal(s[0].captures_seen, 3);
    assert_int_equal(s[0].first_seen_ms, FX_T0);
    assert_int_equal(s[0].last_seen_ms, FX_T0 + 3 * MIN);
    assert_int_equal(s[0].time_present_ms, MIN);
    free(s);
}

static int on_list(const struct store_known_bot *b, size_t n, const char *login)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(b[i].login, login) == 0)
            return 1;
    return 0;
}

static void known_bots_start_built_in_and_change_per_user(void **state)
{
    struct fx *f = *state;
    char err[256];
    struct store_known_bot *b;
    size_t n, added;
    assert_int_equal(store_bot_list(f->st, FX_USER, &b, &n, err, sizeof err), 0);
    assert_true(on_list(b, n, "nightbot") && on_list(b, n, "streamelements"));
    assert_true(on_list(b, n, "commanderroot"));
    size_t builtin = n;
    free(b);
    struct store_known_bot add[] = {{.login = "MyBot", .kind = "service", .user_id = 77},
                                    {.login = "nightbot", .kind = "service"}};
    assert_int_equal(store_bot_add(f->st, FX_USER, add, 2, FX_T0, &added, err, sizeof err), 0);
    assert_int_equal(added, 1); /* nightbot was already listed */
    assert_int_equal(store_bot_remove(f->st, FX_USER, "NightBot", err, sizeof err), 0);
    assert_int_equal(store_bot_remove(f->st, FX_USER, "nightbot", err, sizeof err), TCA_ENOTFOUND);
    assert_int_equal(store_bot_list(f->st, FX_USER, &b, &n, err, sizeof err), 0);
    assert_int_equal(n, builtin); /* +mybot, -nightbot */
    assert_true(on_list(b, n, "mybot"));
    assert_false(on_list(b, n, "nightbot"));
    free(b);
    assert_int_equal(store_bot_list(f->st, FX_OTHER, &b, &n, err, sizeof err), 0);
    assert_int_equal(n, builtin);
    assert_true(on_list(b, n, "nightbot"));
    assert_false(on_list(b, n, "mybot"));
    free(b);
    struct store_known_bot bad = {.login = "x", .kind = "robot"};
    assert_int_equal(store_bot_add(f->st, FX_USER, &bad, 1, FX_T0, NULL, err, sizeof err),
                     TCA_EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(session_channels_list_what_was_captured_by_login, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(channel_visits_give_first_capture_and_last_time_seen,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            channel_sessions_are_ordered_by_first_capture_and_filtered_by_owner, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(session_profiles_cover_every_chatter_enriched_or_not,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(profiles_of_ids_come_in_order_one_per_id_known_or_not,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(session_names_hold_only_chatters_with_a_history, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(
            capture_chatters_equal_the_snapshot_committed_at_every_capture, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(chatter_sessions_sum_stays_in_the_owners_sessions_only,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(known_bots_start_built_in_and_change_per_user, fx_setup,
                                        fx_teardown),
    };
    return test_store_run("store_analysis", tests, sizeof tests / sizeof *tests);
}
