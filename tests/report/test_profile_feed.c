/*
 * The profile feed (report/profile_feed.c) on a real store with a second connection: the
 * profiles of the ids pushed (repeats dropped, more ids than its queue holds) are those
 * store_profiles_each reads, a reader that fails stops without blocking the producer, a
 * capture landing during the stays scan leaves no chatter of the scan without a profile, and
 * the session document read with a second connection is the one read without, for every
 * channel filter and exclusion.
 */
#include "tests/report/fixture.h"
#include "report/internal.h"
#include "report/profile_feed.h"

static const int64_t MIN = 60000;

/* 5 x the feed's 4,096-id chunks, more than its four slots hold at once */
enum { N_IDS = 20480 };

struct kept {
    int64_t *ids, *created;
    char (*logins)[32];
    size_t n;
    size_t fail_after; /* 0: never */
};

static int keep(void *ctx, const struct store_chatter_profile *p)
{
    struct kept *k = ctx;
    if (k->fail_after && k->n == k->fail_after)
        return TCA_EINVAL;
    k->ids[k->n] = p->user_id;
    k->created[k->n] = p->created_at_ms;
    snprintf(k->logins[k->n], sizeof k->logins[k->n], "%s", p->login);
    k->n++;
    return 0;
}

static void kept_init(struct kept *k, size_t n)
{
    *k = (struct kept){xcalloc(n, sizeof *k->ids), xcalloc(n, sizeof *k->created),
                       xcalloc(n, sizeof *k->logins), 0, 0};
}

static void kept_free(struct kept *k)
{
    free(k->ids);
    free(k->created);
    free(k->logins);
}

/* Profiles for two ids of every three (the others were never seen by name). */
static void store_profiles(struct fx *f)
{
    char err[256];
    struct store_profile *p = xcalloc(N_IDS, sizeof *p);
    size_t n = 0;
    for (int64_t id = 1; id <= N_IDS; id++) {
        if (id % 3 == 0)
            continue;
        p[n] = (struct store_profile){
            .id = id, .created_at_ms = FX_T0 - id * 1000, .enriched_at_ms = FX_T0};
        snprintf(p[n].login, sizeof p[n].login, "viewer%lld", (long long)id);
        snprintf(p[n].display_name, sizeof p[n].display_name, "Viewer%lld", (long long)id);
        n++;
    }
    int renames;
    assert_int_equal(store_profile_put(f->st, p, n, &renames, err, sizeof err), 0);
    free(p);
}

static void the_feed_reads_what_store_profiles_each_reads(void **state)
{
    struct fx *f = *state;
    char err[256];
    store_profiles(f);
    int64_t *ids = xmalloc(N_IDS * sizeof *ids);
    for (size_t i = 0; i < N_IDS; i++)
        ids[i] = (int64_t)i + 1;
    struct kept want, got;
    kept_init(&want, N_IDS);
    kept_init(&got, N_IDS);
    assert_int_equal(
        store_profiles_each(f->st, ids, N_IDS, STORE_PROFILE_LEAN, keep, &want, err, sizeof err),
        0);
    struct store *aside;
    assert_int_equal(store_open(f->url, &aside, err, sizeof err), 0);
    struct rp_profile_feed *feed = rp_profile_feed_start(aside, STORE_PROFILE_LEAN, keep, &got);
    assert_non_null(feed);
    for (size_t i = 0; i < N_IDS; i++) {
        rp_profile_feed_push(feed, ids[i]);
        if (i % 5 == 0) /* a chatter's second stay: the same id again */
            rp_profile_feed_push(feed, ids[i]);
    }
    assert_int_equal(rp_profile_feed_end(feed, err, sizeof err), 0);
    assert_int_equal(got.n, want.n);
    assert_int_equal(got.n, N_IDS);
    assert_memory_equal(got.ids, want.ids, N_IDS * sizeof *ids);
    assert_memory_equal(got.created, want.created, N_IDS * sizeof *ids);
    assert_memory_equal(got.logins, want.logins, N_IDS * sizeof *got.logins);
    assert_string_equal(got.logins[0], "viewer1");
    assert_string_equal(got.logins[2], ""); /* no profile row */
    /* an empty feed reads nothing and ends at once */
    got.n = 0;
    feed = rp_profile_feed_start(aside, STORE_PROFILE_LEAN, keep, &got);
    assert_non_null(feed);
    assert_int_equal(rp_profile_feed_end(feed, err, sizeof err), 0);
    assert_int_equal(got.n, 0);
    store_close(aside);
    kept_free(&want);
    kept_free(&got);
    free(ids);
}

static void a_failing_reader_ends_the_feed_with_its_error(void **state)
{
    struct fx *f = *state;
    char err[256] = "";
    store_profiles(f);
    struct kept got;
    kept_init(&got, N_IDS);
    got.fail_after = 5000;
    struct store *aside;
    assert_int_equal(store_open(f->url, &aside, err, sizeof err), 0);
    struct rp_profile_feed *feed = rp_profile_feed_start(aside, STORE_PROFILE_LEAN, keep, &got);
    assert_non_null(feed);
    /* far more than the queue holds: pushes after the failure must not wait for a reader */
    for (int64_t id = 1; id <= 4 * N_IDS; id++)
        rp_profile_feed_push(feed, id);
    assert_int_equal(rp_profile_feed_end(feed, err, sizeof err), TCA_EINVAL);
    assert_int_equal(got.n, 5000);
    store_close(aside);
    kept_free(&got);
}

/* The stays scan that lets a capture land on a third connection at its first stay. */
struct racing_scan {
    struct rp_profile_feed *feed;
    struct store *writer;
    int64_t session;
    size_t seen;
};

static int push_and_race(void *ctx, const struct store_stay *y)
{
    struct racing_scan *r = ctx;
    if (r->seen++ == 0) {
        int64_t ids[2100];
        for (int64_t i = 0; i < 2100; i++)
            ids[i] = i + 1 + (i >= 2000 ? 5000 : 0); /* 100 newcomers, 5001..5100 */
        fx_capture(r->writer, r->session, FX_ALPHA, ids, 2100, FX_T0 + 60000);
        fx_profile(r->writer, 7, "seven_enriched", FX_T0 - 1000, FX_T0 + 60000);
    }
    rp_profile_feed_push(r->feed, y->user_id);
    return 0;
}

static void a_capture_landing_during_the_scan_leaves_no_chatter_without_a_profile(void **state)
{
    struct fx *f = *state;
    char err[256];
    int64_t ids[2000];
    for (int64_t i = 0; i < 2000; i++)
        ids[i] = i + 1;
    fx_capture(f->st, f->session, FX_ALPHA, ids, 2000, FX_T0);
    struct store *aside, *writer;
    assert_int_equal(store_open(f->url, &aside, err, sizeof err), 0);
    assert_int_equal(store_open(f->url, &writer, err, sizeof err), 0);
    struct kept got;
    kept_init(&got, 4000);
    struct racing_scan r = {.writer = writer, .session = f->session};
    r.feed = rp_profile_feed_start(aside, STORE_PROFILE_LEAN, keep, &got);
    assert_non_null(r.feed);
    assert_int_equal(
        store_stays_each(f->st, f->session, FX_ALPHA, push_and_race, &r, err, sizeof err), 0);
    assert_int_equal(rp_profile_feed_end(r.feed, err, sizeof err), 0);
    /* the scan's moment: the 2,000 chatters of the first capture, none of the newcomers, each
     * with its profile, read at the feed's later moment (chatter 7 enriched since) */
    assert_int_equal(got.n, 2000);
    for (size_t i = 0; i < got.n; i++) {
        assert_int_equal(got.ids[i], (int64_t)i + 1);
        assert_true(got.logins[i][0] != '\0');
    }
    assert_string_equal(got.logins[6], "seven_enriched");
    store_close(writer);
    store_close(aside);
    kept_free(&got);
}

static void ids_range(int64_t *out, size_t *n, int64_t from, int64_t to)
{
    for (int64_t id = from; id <= to; id++)
        out[(*n)++] = id;
}

/* Three channels, a wave, a cluster, a known bot, chatters in several channels. */
static void fill(struct fx *f)
{
    char err[256];
    const int64_t wave_day = 1749859200000LL; /* 2025-06-14 */
    for (int i = 0; i < 30; i++) {
        char login[32];
        snprintf(login, sizeof login, "freshbot_%03d", i + 1);
        fx_profile(f->st, 200 + i, login, wave_day + i * 1000, FX_T0);
    }
    for (int i = 1; i <= 80; i++) {
        char login[32];
        snprintf(login, sizeof login, "watcher%c%c", 'a' + i % 26, 'a' + i / 26);
        if (i % 5)
            fx_profile(f->st, i, login, FX_T0 - (int64_t)i * 41 * 86400000LL, FX_T0);
    }
    struct store_known_bot bot = {.login = "watcherbb", .kind = "lurker"};
    assert_int_equal(store_bot_add(f->st, FX_USER, &bot, 1, FX_T0, NULL, err, sizeof err), 0);
    int64_t ids[200];
    int64_t t = FX_T0;
    for (int k = 0; k < 5; k++, t += MIN) {
        size_t n = 0;
        ids_range(ids, &n, 1 + k, 70);
        ids_range(ids, &n, 200, 229);
        fx_capture(f->st, f->session, FX_ALPHA, ids, n, t);
        n = 0;
        ids_range(ids, &n, 60 - k, 80);
        ids_range(ids, &n, 200, 210);
        fx_capture(f->st, f->session, FX_BETA, ids, n, t);
        n = 0;
        ids_range(ids, &n, 75, 80);
        fx_capture(f->st, f->session, FX_GAMMA, ids, n, t);
    }
}

static void assert_same_document(struct fx *f, struct store *aside, const struct report_options *o)
{
    char err[256];
    json_t *want = NULL, *got = NULL;
    assert_int_equal(report_session(f->st, FX_USER, f->session, o,
                                    REPORT_SUMMARY | REPORT_FLAG_LIST, &want, err, sizeof err),
                     0);
    assert_int_equal(report_session_aside(f->st, aside, FX_USER, f->session, o,
                                          REPORT_SUMMARY | REPORT_FLAG_LIST, &got, err, sizeof err),
                     0);
    char *a = json_dumps(want, JSON_SORT_KEYS), *b = json_dumps(got, JSON_SORT_KEYS);
    assert_string_equal(b, a);
    free(a);
    free(b);
    json_decref(want);
    json_decref(got);
}

static void the_document_read_beside_a_second_connection_is_the_same(void **state)
{
    struct fx *f = *state;
    char err[256];
    fill(f);
    struct store *aside;
    assert_int_equal(store_open(f->url, &aside, err, sizeof err), 0);
    struct report_options o;
    report_options_default(&o);
    assert_same_document(f, aside, &o);
    struct report_options one = o;
    assert_int_equal(report_option_set(&one, "channel", "beta", err, sizeof err), 0);
    assert_same_document(f, aside, &one);
    struct report_options two = one;
    assert_int_equal(report_option_set(&two, "channel", "gamma", err, sizeof err), 0);
    assert_same_document(f, aside, &two); /* one scan of the session, routed */
    struct report_options excl = o;
    assert_int_equal(report_option_set(&excl, "exclude", "known_bots,wave", err, sizeof err), 0);
    assert_same_document(f, aside, &excl);
    json_t *doc = NULL;
    assert_int_equal(report_session_aside(f->st, aside, FX_OTHER, f->session, &o, REPORT_SUMMARY,
                                          &doc, err, sizeof err),
                     TCA_ENOTFOUND);
    store_close(aside);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_feed_reads_what_store_profiles_each_reads, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(a_failing_reader_ends_the_feed_with_its_error, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(
            a_capture_landing_during_the_scan_leaves_no_chatter_without_a_profile, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(the_document_read_beside_a_second_connection_is_the_same,
                                        fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
