/*
 * report/stats_cache.c on a real store: a repeated question is answered from the cache with
 * the very text report_session builds, and never once the session moved on (a capture, a
 * purge), the entry grew too old, its user's bot list changed, or the options differ.
 */
#include "tests/report/fixture.h"
#include "report/stats_cache.h"
#include "store/store_chat.h"

#include <jansson.h>

/* The document report_session builds now, as the API sends it (caller frees). */
static char *fresh(struct fx *f, const struct report_options *o, unsigned sections)
{
    json_t *doc = NULL;
    char err[256];
    assert_int_equal(report_session(f->st, FX_USER, f->session, o, sections, &doc, err, sizeof err),
                     0);
    char *text = json_dumps(doc, JSON_COMPACT);
    json_decref(doc);
    return text;
}

/* Asks the cache at now_ms; asserts the answer is what report_session gives. */
static void ask(struct fx *f, struct report_stats_cache *c, const struct report_options *o,
                unsigned sections, int64_t now_ms)
{
    struct store_session s;
    char err[256], *json = NULL;
    size_t len = 0;
    assert_int_equal(store_session_get(f->st, f->session, &s, err, sizeof err), 0);
    assert_int_equal(
        report_stats_cached(c, f->st, NULL, &s, o, sections, now_ms, &json, &len, err, sizeof err),
        0);
    char *want = fresh(f, o, sections);
    assert_string_equal(json, want);
    assert_int_equal(len, strlen(want));
    free(want);
    free(json);
}

static void a_repeat_is_served_from_the_cache_until_the_next_capture(void **state)
{
    struct fx *f = *state;
    const int64_t ids[] = {1, 2, 3};
    fx_capture(f->st, f->session, FX_ALPHA, ids, 3, FX_T0);
    fx_profile(f->st, 1, "one", FX_T0 - 86400000LL, FX_T0);
    struct report_options o;
    report_options_default(&o);
    struct report_stats_cache *c = report_stats_cache_new(1 << 20, 10000);
    ask(f, c, &o, REPORT_SUMMARY, 1000);
    ask(f, c, &o, REPORT_SUMMARY, 2000);
    assert_int_equal(report_stats_cache_builds(c), 1);
    fx_capture(f->st, f->session, FX_ALPHA, ids, 2, FX_T0 + 60000);
    ask(f, c, &o, REPORT_SUMMARY, 3000);
    assert_int_equal(report_stats_cache_builds(c), 2);
    ask(f, c, &o, REPORT_SUMMARY, 4000);
    assert_int_equal(report_stats_cache_builds(c), 2);
    report_stats_cache_free(c);
}

static void chat_counts_and_raids_arriving_without_a_capture_build_again(void **state)
{
    struct fx *f = *state;
    char err[256];
    const int64_t ids[] = {1, 2, 3};
    fx_capture(f->st, f->session, FX_ALPHA, ids, 3, FX_T0);
    assert_int_equal(store_chat_set(f->st, f->session, 1, FX_T0, err, sizeof err), 0);
    struct report_options o;
    report_options_default(&o);
    struct report_stats_cache *c = report_stats_cache_new(1 << 20, 10000);
    ask(f, c, &o, REPORT_SUMMARY, 1000);
    ask(f, c, &o, REPORT_SERIES, 1000); /* no chat section: chat never rebuilds it */
    assert_int_equal(report_stats_cache_builds(c), 2);
    struct store_chat_count n = {.session_id = f->session,
                                 .channel_id = FX_ALPHA,
                                 .minute_ms = FX_T0,
                                 .user_id = 1,
                                 .messages = 2,
                                 .scored = 1,
                                 .score_sum = 3,
                                 .positive = 1};
    assert_int_equal(store_chat_add(f->st, &n, 1, err, sizeof err), 0);
    ask(f, c, &o, REPORT_SUMMARY, 2000); /* ask() checks the text equals a fresh build */
    assert_int_equal(report_stats_cache_builds(c), 3);
    ask(f, c, &o, REPORT_SUMMARY, 2000);
    ask(f, c, &o, REPORT_SERIES, 2000);
    assert_int_equal(report_stats_cache_builds(c), 3);
    struct store_chat_raid r = {
        .session_id = f->session, .channel_id = FX_ALPHA, .from_id = 42, .at_ms = FX_T0};
    assert_int_equal(store_chat_raid_add(f->st, &r, err, sizeof err), 0);
    ask(f, c, &o, REPORT_SUMMARY, 3000);
    assert_int_equal(report_stats_cache_builds(c), 4);
    /* turning chat off changes the section's "enabled": built again */
    assert_int_equal(store_chat_set(f->st, f->session, 0, FX_T0 + 1, err, sizeof err), 0);
    ask(f, c, &o, REPORT_SUMMARY, 4000);
    assert_int_equal(report_stats_cache_builds(c), 5);
    report_stats_cache_free(c);
}

static void other_options_sections_age_or_a_dropped_user_build_again(void **state)
{
    struct fx *f = *state;
    const int64_t ids[] = {1, 2, 3};
    fx_capture(f->st, f->session, FX_ALPHA, ids, 3, FX_T0);
    struct report_options o, top;
    report_options_default(&o);
    report_options_default(&top);
    char err[256];
    assert_int_equal(report_option_set(&top, "top", "5", err, sizeof err), 0);
    struct report_stats_cache *c = report_stats_cache_new(1 << 20, 10000);
    ask(f, c, &o, REPORT_SUMMARY, 1000);
    ask(f, c, &top, REPORT_SUMMARY, 1000);
    ask(f, c, &o, REPORT_SERIES, 1000);
    assert_int_equal(report_stats_cache_builds(c), 3);
    ask(f, c, &o, REPORT_SUMMARY, 11000); /* exactly max_age old: still served */
    assert_int_equal(report_stats_cache_builds(c), 3);
    ask(f, c, &o, REPORT_SUMMARY, 11001);
    assert_int_equal(report_stats_cache_builds(c), 4);
    report_stats_cache_drop_user(c, FX_OTHER);
    ask(f, c, &o, REPORT_SUMMARY, 11001);
    assert_int_equal(report_stats_cache_builds(c), 4);
    report_stats_cache_drop_user(c, FX_USER);
    ask(f, c, &o, REPORT_SUMMARY, 11001);
    assert_int_equal(report_stats_cache_builds(c), 5);
    report_stats_cache_free(c);
}

static void a_purged_session_is_never_answered_from_before(void **state)
{
    struct fx *f = *state;
    const int64_t ids[] = {1, 2, 3};
    fx_capture(f->st, f->session, FX_ALPHA, ids, 3, FX_T0);
    struct report_options o;
    report_options_default(&o);
    struct report_stats_cache *c = report_stats_cache_new(1 << 20, 10000);
    ask(f, c, &o, REPORT_SUMMARY, 1000);
    char err[256];
    assert_int_equal(store_session_purge(f->st, f->session, 1500, err, sizeof err), 0);
    ask(f, c, &o, REPORT_SUMMARY, 2000);
    assert_int_equal(report_stats_cache_builds(c), 2);
    report_stats_cache_free(c);
}

static void documents_beyond_the_byte_budget_push_out_the_least_recently_used(void **state)
{
    struct fx *f = *state;
    const int64_t ids[] = {1, 2, 3};
    fx_capture(f->st, f->session, FX_ALPHA, ids, 3, FX_T0);
    struct report_options o;
    report_options_default(&o);
    char *one = fresh(f, &o, REPORT_SERIES);
    /* room for one series document only */
    struct report_stats_cache *c = report_stats_cache_new(strlen(one) + 1, 10000);
    free(one);
    ask(f, c, &o, REPORT_SERIES, 1000);
    ask(f, c, &o, REPORT_SERIES, 1000);
    assert_int_equal(report_stats_cache_builds(c), 1);
    ask(f, c, &o, REPORT_SUMMARY, 1000); /* too big to keep: built, not kept */
    ask(f, c, &o, REPORT_SUMMARY, 1000);
    assert_int_equal(report_stats_cache_builds(c), 3);
    ask(f, c, &o, REPORT_SERIES, 1000);
    assert_int_equal(report_stats_cache_builds(c), 3);
    report_stats_cache_free(c);
}

/* A second connection, counted each time the cache asks for one. */
struct lender {
    struct store *st;
    int asked;
};

static struct store *lend(void *ctx)
{
    struct lender *l = ctx;
    l->asked++;
    return l->st;
}

static void a_second_connection_is_asked_for_only_by_a_build_that_reads_profiles(void **state)
{
    struct fx *f = *state;
    const int64_t ids[] = {1, 2, 3};
    fx_capture(f->st, f->session, FX_ALPHA, ids, 3, FX_T0);
    fx_profile(f->st, 1, "one", FX_T0 - 86400000LL, FX_T0);
    struct report_options o;
    report_options_default(&o);
    char err[256];
    struct lender l = {0};
    assert_int_equal(store_open(f->url, &l.st, err, sizeof err), 0);
    struct report_aside aside = {lend, &l};
    struct report_stats_cache *c = report_stats_cache_new(1 << 20, 10000);
    struct store_session s;
    assert_int_equal(store_session_get(f->st, f->session, &s, err, sizeof err), 0);
    const unsigned asks[] = {REPORT_SERIES, REPORT_SUMMARY, REPORT_SUMMARY};
    const int asked_after[] = {0, 1, 1}; /* the repeat comes from the cache */
    for (size_t i = 0; i < 3; i++) {
        char *json = NULL;
        size_t len = 0;
        assert_int_equal(report_stats_cached(c, f->st, &aside, &s, &o, asks[i], 1000, &json, &len,
                                             err, sizeof err),
                         0);
        char *want = fresh(f, &o, asks[i]);
        assert_string_equal(json, want);
        free(want);
        free(json);
        assert_int_equal(l.asked, asked_after[i]);
    }
    report_stats_cache_free(c);
    store_close(l.st);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(a_repeat_is_served_from_the_cache_until_the_next_capture,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(other_options_sections_age_or_a_dropped_user_build_again,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(
            chat_counts_and_raids_arriving_without_a_capture_build_again, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(a_purged_session_is_never_answered_from_before, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(
            documents_beyond_the_byte_budget_push_out_the_least_recently_used, fx_setup,
            fx_teardown),
        cmocka_unit_test_setup_teardown(
            a_second_connection_is_asked_for_only_by_a_build_that_reads_profiles, fx_setup,
            fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
