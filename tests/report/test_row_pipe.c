/*
 * The export row pipe (report/row_pipe.c) on a real store: the rows written on the caller's
 * thread are store_export_session's, in its order, with the total set before the first, for
 * more rows than its queue holds; a writer that stops ends the scan with its own code.
 */
#include "tests/report/fixture.h"
#include "report/row_pipe.h"

static const int64_t MIN = 60000;

/* more than the pipe's 4 x 512 rows */
enum { N_CHATTERS = 3000 };

struct rows {
    struct store_export_row *r;
    size_t n;
    int64_t total, total_at_first; /* the total as the first row saw it */
    size_t stop_at;                /* 0: never */
};

static int keep_row(void *ctx, const struct store_export_row *row)
{
    struct rows *k = ctx;
    if (k->n == 0)
        k->total_at_first = k->total;
    if (k->stop_at && k->n == k->stop_at)
        return TCA_ECONFLICT;
    k->r[k->n++] = *row;
    return 0;
}

static void fill(struct fx *f)
{
    int64_t *ids = xmalloc(N_CHATTERS * sizeof *ids);
    for (int k = 0; k < 3; k++) {
        size_t n = 0;
        for (int64_t id = 1 + k * 100; id <= N_CHATTERS; id++)
            ids[n++] = id;
        fx_capture(f->st, f->session, FX_ALPHA, ids, n, FX_T0 + k * MIN);
    }
    fx_profile(f->st, 7, "seven", FX_T0 - 86400000LL, FX_T0);
    free(ids);
}

static void the_rows_are_the_scans_in_its_order(void **state)
{
    struct fx *f = *state;
    char err[256];
    fill(f);
    struct rows want = {.r = xcalloc(N_CHATTERS, sizeof *want.r)};
    struct rows got = {.r = xcalloc(N_CHATTERS, sizeof *got.r)};
    assert_int_equal(
        store_export_session(f->st, f->session, &want.total, keep_row, &want, err, sizeof err), 0);
    assert_int_equal(
        rp_export_rows_beside(f->st, f->session, &got.total, keep_row, &got, err, sizeof err), 0);
    assert_int_equal(want.n, N_CHATTERS);
    assert_int_equal(got.n, want.n);
    assert_int_equal(got.total_at_first, N_CHATTERS);
    for (size_t i = 0; i < want.n; i++) { /* the names' bytes past their end are not kept */
        const struct store_export_row *a = &want.r[i], *b = &got.r[i];
        assert_int_equal(b->user_id, a->user_id);
        assert_string_equal(b->login, a->login);
        assert_string_equal(b->display_name, a->display_name);
        assert_int_equal(b->created_at_ms, a->created_at_ms);
        assert_int_equal(b->captures_seen, a->captures_seen);
        assert_int_equal(b->first_seen_ms, a->first_seen_ms);
        assert_int_equal(b->last_seen_ms, a->last_seen_ms);
        assert_int_equal(b->time_present_ms, a->time_present_ms);
    }
    assert_string_equal(got.r[6].login, "seven");
    free(want.r);
    free(got.r);
}

static void a_writer_that_stops_ends_the_scan_with_its_code(void **state)
{
    struct fx *f = *state;
    char err[256];
    fill(f);
    struct rows got = {.r = xcalloc(N_CHATTERS, sizeof *got.r), .stop_at = 700};
    assert_int_equal(
        rp_export_rows_beside(f->st, f->session, NULL, keep_row, &got, err, sizeof err),
        TCA_ECONFLICT);
    assert_int_equal(got.n, 700);
    /* the connection is free again: the next scan runs whole */
    got = (struct rows){.r = got.r};
    assert_int_equal(
        rp_export_rows_beside(f->st, f->session, NULL, keep_row, &got, err, sizeof err), 0);
    assert_int_equal(got.n, N_CHATTERS);
    free(got.r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_rows_are_the_scans_in_its_order, fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(a_writer_that_stops_ends_the_scan_with_its_code, fx_setup,
                                        fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
