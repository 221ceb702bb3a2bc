/*
 * The chatters export's lean pass (report/export_pass.c) against the full load the statistics
 * use (rp_load): on a session with three channels, an earlier session, a creation-day wave, a
 * login cluster, a known bot, a renamer and accounts in every channel, the same flags (reasons
 * and details), returning chatters, kept chatters and channels for every filter and exclusion,
 * also with the profiles read on a second connection beside the stays (rp_export_pass_aside).
 */
#include "tests/report/fixture.h"
#include "report/internal.h"

static const int64_t MIN = 60000;

static void ids_range(int64_t *out, size_t *n, int64_t from, int64_t to)
{
    for (int64_t id = from; id <= to; id++)
        out[(*n)++] = id;
}

/* s1 earlier (alpha, beta), s2 now (alpha, beta, gamma); returns s2. */
static int64_t fill(struct fx *f)
{
    char err[256];
    const int64_t wave_day = 1749859200000LL; /* 2025-06-14 */
    for (int i = 0; i < 40; i++) {
        char login[32];
        snprintf(login, sizeof login, "wavebot_%03d", i + 1);
        fx_profile(f->st, 100 + i, login, wave_day + i * 1000, FX_T0);
    }
    for (int i = 1; i <= 60; i++) {
        char login[32];
        snprintf(login, sizeof login, "viewer%c%c", 'a' + i % 26, 'a' + i / 26);
        if (i % 7) /* some never enriched */
            fx_profile(f->st, i, login, FX_T0 - (int64_t)i * 37 * 86400000LL, FX_T0);
    }
    fx_profile(f->st, 9, "nightbot", FX_T0 - 3000 * 86400000LL, FX_T0);
    struct store_known_bot bot = {.login = "viewercb", .kind = "lurker"};
    assert_int_equal(store_bot_add(f->st, FX_USER, &bot, 1, FX_T0, NULL, err, sizeof err), 0);
    int64_t ids[200];
    size_t n = 0;
    int64_t s1 = f->session;
    ids_range(ids, &n, 1, 30);
    fx_capture(f->st, s1, FX_ALPHA, ids, n, FX_T0);
    n = 0;
    ids_range(ids, &n, 20, 40);
    fx_capture(f->st, s1, FX_BETA, ids, n, FX_T0 + MIN);
    int64_t s2 = fx_new_session(f, FX_USER, FX_T0 + 86400000LL);
    int64_t t = FX_T0 + 86400000LL;
    for (int k = 0; k < 4; k++, t += MIN) {
        n = 0;
        ids_range(ids, &n, 10 + k, 60);
        ids_range(ids, &n, 100, 139);
        ids[n++] = 9;
        fx_capture(f->st, s2, FX_ALPHA, ids, n, t);
        n = 0;
        ids_range(ids, &n, 50, 60);
        ids_range(ids, &n, 100, 110 + k);
        fx_capture(f->st, s2, FX_BETA, ids, n, t);
        n = 0;
        ids_range(ids, &n, 55, 60);
        ids_range(ids, &n, 100, 105);
        fx_capture(f->st, s2, FX_GAMMA, ids, n, t);
    }
    /* a renamer in alpha: three renames seen by captures */
    const int64_t renamer[] = {77};
    const char *const names[][1] = {{"ann"}, {"anna"}, {"annie"}, {"anna"}};
    for (int k = 0; k < 4; k++)
        fx_capture_named(f->st, s2, FX_ALPHA, renamer, names[k], 1, t + k * MIN);
    return s2;
}

static void assert_same(struct fx *f, int64_t session, const struct report_options *o)
{
    char err[256];
    struct rp_data d;
    struct rp_export_pass p;
    assert_int_equal(rp_load(f->st, FX_USER, session, o, &d, err, sizeof err), 0);
    assert_int_equal(rp_export_pass(f->st, FX_USER, session, o, &p, err, sizeof err), 0);
    assert_int_equal(p.flags.n, d.flags.n);
    for (size_t i = 0; i < d.flags.n; i++) {
        const struct an_flag *want = &d.flags.flags[i];
        const struct an_flag *got = an_flags_find(&p.flags, want->user_id);
        assert_non_null(got);
        assert_int_equal(got->reasons, want->reasons);
        assert_string_equal(got->text ? got->text : "", want->text ? want->text : "");
    }
    size_t n = 0;
    for (size_t c = 0; c < d.n_channels; c++)
        n += d.channels[c].n_history;
    int64_t *returning = xmalloc((n ? n : 1) * sizeof *returning);
    n = 0;
    for (size_t c = 0; c < d.n_channels; c++)
        for (size_t h = 0; h < d.channels[c].n_history; h++)
            returning[n++] = d.channels[c].history[h].user_id;
    n = an_ids_sort_unique(returning, n);
    assert_int_equal(p.n_returning, n);
    assert_memory_equal(p.returning, returning, n * sizeof *returning);
    assert_int_equal(p.n_channels, d.n_channels);
    for (size_t c = 0; c < d.n_channels; c++)
        assert_int_equal(p.channels[c], d.channels[c].info.channel_id);
    if (o->n_channels) {
        assert_int_equal(p.n_keep, d.n_people);
        for (size_t i = 0; i < d.n_people; i++)
            assert_int_equal(p.keep[i], d.people[i].user_id);
    } else {
        assert_null(p.keep);
    }
    free(returning);
    /* with the profiles read on a second connection beside the stays: the same pass */
    struct store *aside;
    struct rp_export_pass q;
    assert_int_equal(store_open(f->url, &aside, err, sizeof err), 0);
    assert_int_equal(rp_export_pass_aside(f->st, aside, FX_USER, session, o, &q, err, sizeof err),
                     0);
    assert_int_equal(q.flags.n, p.flags.n);
    for (size_t i = 0; i < p.flags.n; i++) {
        assert_int_equal(q.flags.flags[i].user_id, p.flags.flags[i].user_id);
        assert_int_equal(q.flags.flags[i].reasons, p.flags.flags[i].reasons);
        assert_string_equal(q.flags.flags[i].text ? q.flags.flags[i].text : "",
                            p.flags.flags[i].text ? p.flags.flags[i].text : "");
    }
    assert_int_equal(q.n_returning, p.n_returning);
    assert_memory_equal(q.returning, p.returning, p.n_returning * sizeof *p.returning);
    assert_int_equal(q.n_keep, p.n_keep);
    if (p.n_keep)
        assert_memory_equal(q.keep, p.keep, p.n_keep * sizeof *p.keep);
    assert_int_equal(q.n_channels, p.n_channels);
    rp_export_pass_free(&q);
    store_close(aside);
    rp_export_pass_free(&p);
    rp_free(&d);
}

static uint32_t reasons_of(struct fx *f, int64_t session, const struct report_options *o)
{
    char err[256];
    struct rp_export_pass p;
    assert_int_equal(rp_export_pass(f->st, FX_USER, session, o, &p, err, sizeof err), 0);
    uint32_t all = 0;
    for (size_t i = 0; i < p.flags.n; i++)
        all |= p.flags.flags[i].reasons;
    assert_true(p.n_returning > 0);
    rp_export_pass_free(&p);
    return all;
}

static void the_lean_pass_answers_as_the_full_load_for_every_filter(void **state)
{
    struct fx *f = *state;
    int64_t s2 = fill(f);
    char err[256];
    struct report_options o;
    report_options_default(&o);
    assert_int_equal(report_option_set(&o, "watch", "20", err, sizeof err), 0);
    assert_int_equal(report_option_set(&o, "flag_level", "watch", err, sizeof err), 0);
    assert_int_equal(report_option_set(&o, "multi_channels", "2", err, sizeof err), 0);
    /* the fixture exercises every reason the export shows */
    uint32_t all = reasons_of(f, s2, &o);
    assert_true(all & AN_REASON_KNOWN_BOT);
    assert_true(all & AN_REASON_WAVE);
    assert_true(all & AN_REASON_CLUSTER);
    assert_true(all & AN_REASON_MULTI_CHANNEL);
    assert_true(all & AN_REASON_RENAMER);
    assert_same(f, s2, &o);
    struct report_options one = o;
    assert_int_equal(report_option_set(&one, "channel", "alpha", err, sizeof err), 0);
    assert_same(f, s2, &one); /* one channel: no stay is read */
    struct report_options two = one;
    assert_int_equal(report_option_set(&two, "channel", "gamma", err, sizeof err), 0);
    assert_same(f, s2, &two);
    struct report_options excl = o;
    assert_int_equal(report_option_set(&excl, "exclude", "known_bots", err, sizeof err), 0);
    assert_same(f, s2, &excl);
    struct report_options defaults;
    report_options_default(&defaults);
    assert_same(f, s2, &defaults);
    struct report_options beta = defaults;
    assert_int_equal(report_option_set(&beta, "channel", "beta", err, sizeof err), 0);
    assert_same(f, s2, &beta);
    assert_same(f, f->session, &defaults); /* the earlier session (s1), nobody returning */
}

static void another_users_session_is_absent_for_the_pass(void **state)
{
    struct fx *f = *state;
    char err[256];
    struct report_options o;
    report_options_default(&o);
    struct rp_export_pass p;
    assert_int_equal(rp_export_pass(f->st, FX_OTHER, f->session, &o, &p, err, sizeof err),
                     TCA_ENOTFOUND);
    assert_int_equal(rp_export_pass(f->st, FX_USER, 999999, &o, &p, err, sizeof err),
                     TCA_ENOTFOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_lean_pass_answers_as_the_full_load_for_every_filter,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(another_users_session_is_absent_for_the_pass, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
