/*
 * Export round trips: every export is parsed back (CSV by an RFC 4180 reader written here,
 * JSON by jansson) and compared with what was committed: the chatters table against a naive
 * recomputation from the snapshots, one capture's list against its snapshot, the timeline,
 * flagged accounts and the overlap matrix. Also: a failing sink stops the export.
 */
#include "tests/report/fixture.h"
#include "base/buf.h"
#include "base/clock.h"
#include "report/report.h"
#include "store/store_alerts.h"
#include "store/store_roles.h"

enum { POOL = 50, CAPTURES = 12, MAX_ROWS = 256, MAX_COLS = 14 };
static const int64_t MIN = 60000;

struct sink_buf {
    struct buf b;
    int fail_after; /* writes before failing; 0: never */
    int writes;
    int64_t last_done, last_total;
};

static int to_buf(void *ctx, const char *p, size_t n)
{
    struct sink_buf *s = ctx;
    if (s->fail_after && ++s->writes > s->fail_after)
        return 5;
    return buf_append(&s->b, p, n);
}

static void on_progress(void *ctx, int64_t done, int64_t total)
{
    struct sink_buf *s = ctx;
    s->last_done = done;
    s->last_total = total;
}

/* A parsed CSV document. */
struct table {
    char *cell[MAX_ROWS][MAX_COLS];
    size_t cols[MAX_ROWS];
    size_t rows;
};

/* RFC 4180: fields separated by commas, records by CRLF, quoted fields double their quotes. */
static void parse_csv(const char *t, size_t len, struct table *out)
{
    memset(out, 0, sizeof *out);
    size_t i = 0;
    while (i < len) {
        assert_true(out->rows < MAX_ROWS);
        size_t r = out->rows++;
        for (;;) {
            struct buf f;
            buf_init(&f, 0);
            buf_append(&f, "", 0);
            if (t[i] == '"') {
                for (i++;; i++) {
                    assert_true(i < len);
                    if (t[i] == '"' && i + 1 < len && t[i + 1] == '"')
                        buf_append(&f, &t[i++], 1);
                    else if (t[i] == '"')
                        break;
                    else
                        buf_append(&f, &t[i], 1);
                }
                i++;
            } else {
                while (i < len && t[i] != ',' && t[i] != '\r')
                    buf_append(&f, &t[i++], 1);
            }
            assert_true(out->cols[r] < MAX_COLS);
            out->cell[r][out->cols[r]++] = buf_steal(&f);
            if (t[i] == ',') {
                i++;
                continue;
            }
            assert_true(t[i] == '\r' && t[i + 1] == '\n'); /* CRLF ends every record */
            i += 2;
            break;
        }
    }
}

static void free_table(struct table *t)
{
    for (size_t r = 0; r < t->rows; r++)
        for (size_t c = 0; c < t->cols[r]; c++)
            free(t->cell[r][c]);
}

static int run(struct fx *f, const struct report_export *x, struct sink_buf *s)
{
    char err[256];
    struct report_options o;
    report_options_default(&o);
    buf_init(&s->b, 0);
    struct report_sink sink = {.write = to_buf, .progress = on_progress, .ctx = s};
    int rc = report_export_run(f->st, FX_USER, x, &o, &sink, err, sizeof err);
    if (rc && !s->fail_after)
        fprintf(stderr, "export: %s\n", err);
    return rc;
}

static char in[CAPTURES][POOL + 1];
static int64_t taken[CAPTURES];

/* Random snapshots of alpha (and a fixed beta), tricky display names, one known bot. */
static void fill(struct fx *f)
{
    uint64_t rng = 88172645463325252ULL;
    for (int k = 0; k < CAPTURES; k++) {
        int64_t ids[POOL];
        size_t n = 0;
        taken[k] = FX_T0 + k * MIN + (k % 3) * 1000;
        for (int id = 1; id <= POOL; id++) {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            in[k][id] = (char)(rng % 100 < 60);
            if (in[k][id])
                ids[n++] = id;
        }
        fx_capture(f->st, f->session, FX_ALPHA, ids, n, taken[k]);
    }
    const int64_t beta[] = {1, 2, 3};
    fx_capture(f->st, f->session, FX_BETA, beta, 3, FX_T0);
    char err[256];
    struct store_profile p = {.id = 1,
                              .login = "nightbot",
                              .created_at_ms = FX_T0 - 1000,
                              .enriched_at_ms = FX_T0,
                              .display_name = "Quote \"and\", comma\nnew line \xc3\xa9"};
    int renames;
    assert_int_equal(store_profile_put(f->st, &p, 1, &renames, err, sizeof err), 0);
}

static void the_chatters_csv_parses_back_to_the_snapshots_numbers(void **state)
{
    struct fx *f = *state;
    fill(f);
    /* roles as a broadcaster's capture read them (2 moderates alpha and is a VIP in beta: the
     * stronger shows), and 5 on the owner's watchlist */
    char err[256];
    const int64_t mods[] = {2}, vips[] = {2, 4};
    assert_int_equal(
        store_roles_replace(f->st, FX_ALPHA, STORE_ROLE_MODERATOR, mods, 1, FX_T0, err, sizeof err),
        0);
    assert_int_equal(
        store_roles_replace(f->st, FX_BETA, STORE_ROLE_VIP, vips, 2, FX_T0, err, sizeof err), 0);
    struct store_watch w = {.owner_id = FX_USER, .user_id = 5, .added_at_ms = FX_T0};
    snprintf(w.login, sizeof w.login, "watched5");
    assert_int_equal(store_watch_put(f->st, &w, NULL, err, sizeof err), 0);
    struct sink_buf s = {0};
    struct report_export x = {
        .kind = REPORT_EXPORT_CHATTERS, .format = REPORT_CSV, .session_id = f->session};
    assert_int_equal(run(f, &x, &s), 0);
    struct table t;
    parse_csv(s.b.data, s.b.len, &t);
    const char *header[] = {
        "id",         "login",     "display_name",   "created_at", "captures_seen",
        "first_seen", "last_seen", "time_present_s", "flags",      "status",
        "role",       "watched",   "messages"};
    assert_int_equal(t.cols[0], 13);
    for (int c = 0; c < 13; c++)
        assert_string_equal(t.cell[0][c], header[c]);
    size_t expected_rows = 0;
    for (int id = 1; id <= POOL; id++) {
        int seen = 0, first = -1, last = -1;
        int64_t present = 0;
        for (int k = 0; k < CAPTURES; k++)
            if (in[k][id]) {
                seen++;
                if (first < 0)
                    first = k;
                last = k;
                if (k && in[k - 1][id])
                    present += taken[k] - taken[k - 1];
            }
        if (id <= 3 && !seen) { /* beta only */
            seen = 1;
            first = last = 0;
        }
        if (!seen)
            continue;
        expected_rows++;
        size_t r = 1;
        while (r < t.rows && atoll(t.cell[r][0]) != id)
            r++;
        assert_true(r < t.rows);
        char when[40];
        clock_format_rfc3339(taken[first], when, sizeof when);
        if (id > 3) { /* 1-3 are also in beta: their sums span both channels */
            assert_int_equal(atoll(t.cell[r][4]), seen);
            assert_string_equal(t.cell[r][5], when);
            clock_format_rfc3339(taken[last], when, sizeof when);
            assert_string_equal(t.cell[r][6], when);
            assert_int_equal(atoll(t.cell[r][7]), present / 1000);
        }
        assert_string_equal(t.cell[r][9], "new");
        assert_string_equal(t.cell[r][8], id == 1 ? "known_bot" : "");
        assert_string_equal(t.cell[r][10], id == 2 ? "moderator" : id == 4 ? "vip" : "");
        assert_string_equal(t.cell[r][11], id == 5 ? "yes" : "");
    }
    assert_int_equal(t.rows - 1, expected_rows);
    assert_string_equal(t.cell[1][2], "Quote \"and\", comma\nnew line \xc3\xa9");
    assert_int_equal(s.last_done, expected_rows);
    assert_int_equal(s.last_total, expected_rows);
    free_table(&t);
    buf_free(&s.b);

    /* the JSON form carries the same rows */
    x.format = REPORT_JSON;
    struct sink_buf j = {0};
    assert_int_equal(run(f, &x, &j), 0);
    json_error_t jerr;
    json_t *doc = json_loadb(j.b.data, j.b.len, 0, &jerr);
    assert_non_null(doc);
    assert_int_equal(json_array_size(doc), expected_rows);
    json_t *row0 = json_array_get(doc, 0);
    assert_string_equal(json_string_value(json_object_get(row0, "id")), "1");
    assert_string_equal(json_string_value(json_object_get(row0, "display_name")),
                        "Quote \"and\", comma\nnew line \xc3\xa9");
    assert_string_equal(json_string_value(json_object_get(row0, "flags")), "known_bot");
    json_decref(doc);
    buf_free(&j.b);
}

static void one_captures_export_is_exactly_its_snapshot(void **state)
{
    struct fx *f = *state;
    fill(f);
    for (int k = 0; k < CAPTURES; k += 5) {
        struct sink_buf s = {0};
        struct report_export x = {.kind = REPORT_EXPORT_CAPTURE,
                                  .format = REPORT_CSV,
                                  .session_id = f->session,
                                  .capture_channel = "alpha",
                                  .capture_seq = k + 1};
        assert_int_equal(run(f, &x, &s), 0);
        struct table t;
        parse_csv(s.b.data, s.b.len, &t);
        size_t r = 1;
        for (int id = 1; id <= POOL; id++)
            if (in[k][id]) {
                assert_true(r < t.rows);
                assert_int_equal(atoll(t.cell[r++][0]), id);
            }
        assert_int_equal(r, t.rows);
        free_table(&t);
        buf_free(&s.b);
    }
    struct sink_buf s = {0};
    struct report_export x = {.kind = REPORT_EXPORT_CAPTURE,
                              .format = REPORT_CSV,
                              .session_id = f->session,
                              .capture_channel = "alpha",
                              .capture_seq = CAPTURES + 1};
    assert_int_equal(run(f, &x, &s), TCA_ENOTFOUND);
    buf_free(&s.b);
}

static void timeline_flagged_and_overlap_exports_parse_back(void **state)
{
    struct fx *f = *state;
    fill(f);
    struct sink_buf s = {0};
    struct report_export x = {
        .kind = REPORT_EXPORT_TIMELINE, .format = REPORT_CSV, .session_id = f->session};
    assert_int_equal(run(f, &x, &s), 0);
    struct table t;
    parse_csv(s.b.data, s.b.len, &t);
    assert_int_equal(t.rows, 1 + CAPTURES + 1); /* header, alpha, beta */
    for (int k = 0; k < CAPTURES; k++) {
        int n = 0;
        for (int id = 1; id <= POOL; id++)
            n += in[k][id];
        assert_string_equal(t.cell[1 + k][0], "alpha");
        assert_int_equal(atoll(t.cell[1 + k][3]), n);
    }
    free_table(&t);
    buf_free(&s.b);

    x.kind = REPORT_EXPORT_FLAGGED;
    s = (struct sink_buf){0};
    assert_int_equal(run(f, &x, &s), 0);
    parse_csv(s.b.data, s.b.len, &t);
    assert_int_equal(t.rows, 2);
    assert_string_equal(t.cell[1][1], "nightbot");
    assert_string_equal(t.cell[1][4], "known_bot");
    free_table(&t);
    buf_free(&s.b);

    x.kind = REPORT_EXPORT_OVERLAP;
    x.format = REPORT_JSON;
    s = (struct sink_buf){0};
    assert_int_equal(run(f, &x, &s), 0);
    json_error_t jerr;
    json_t *doc = json_loadb(s.b.data, s.b.len, 0, &jerr);
    assert_int_equal(json_array_size(doc), 1);
    size_t shared = 0, alpha = 0;
    for (int id = 1; id <= POOL; id++) {
        int any = 0;
        for (int k = 0; k < CAPTURES; k++)
            any |= in[k][id];
        alpha += any;
        shared += any && id <= 3;
    }
    assert_int_equal(json_integer_value(json_object_get(json_array_get(doc, 0), "shared")), shared);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(doc, 0), "chatters_a")),
                     alpha);
    json_decref(doc);
    buf_free(&s.b);
}

static void a_failing_sink_stops_the_export(void **state)
{
    struct fx *f = *state;
    fill(f);
    /* The header goes out alone, then rows in chunks: the first chunk's write fails, and
     * nothing is written after it. */
    struct sink_buf s = {.fail_after = 1};
    struct report_export x = {
        .kind = REPORT_EXPORT_CHATTERS, .format = REPORT_CSV, .session_id = f->session};
    assert_int_not_equal(run(f, &x, &s), 0);
    assert_int_equal(s.writes, 2);
    assert_non_null(memchr(s.b.data, '\n', s.b.len));
    assert_ptr_equal(memchr(s.b.data, '\n', s.b.len), s.b.data + s.b.len - 1); /* header only */
    buf_free(&s.b);
    struct sink_buf other = {0};
    char err[256];
    struct report_options o;
    report_options_default(&o);
    struct report_sink sink = {.write = to_buf, .ctx = &other};
    buf_init(&other.b, 0);
    assert_int_equal(report_export_run(f->st, FX_OTHER, &x, &o, &sink, err, sizeof err),
                     TCA_ENOTFOUND);
    buf_free(&other.b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(the_chatters_csv_parses_back_to_the_snapshots_numbers,
                                        fx_setup, fx_teardown),
        cmocka_unit_test_setup_teardown(one_captures_export_is_exactly_its_snapshot, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(timeline_flagged_and_overlap_exports_parse_back, fx_setup,
                                        fx_teardown),
        cmocka_unit_test_setup_teardown(a_failing_sink_stops_the_export, fx_setup, fx_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
