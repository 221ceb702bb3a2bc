/*
 * GET /api/v1/sessions/{s}/chatters over real HTTP against the in-process simulator: every
 * page of every sort order, search and filter equals a naive recomputation from the chatters
 * export of the same session (filter, sort by key then login then id, reverse for desc,
 * slice); bad parameters answer 400; another user's session answers 404 like an absent one.
 */
#include "tests/web/gwtest.h"

#include "base/err.h"
#include "jobs/worker.h"

#include <ctype.h>
#include <strings.h>

/* Runs every queued job (captures and the enrichment they queue) in-process. */
static void run_jobs(struct gw *g)
{
    char err[256];
    struct store *st;
    struct worker_outcome out;
    assert_int_equal(store_open(g->db, &st, err, sizeof err), 0);
    struct twitch_client *tw = twitch_client_new(&g->o.twitch);
    struct worker_env env = {.st = st, .tw = tw, .keys = &g->keys, .clock = g->o.twitch.clock};
    int rc;
    while ((rc = worker_run_one(&env, &out, err, sizeof err)) == 1)
        assert_int_equal(out.state, JOB_DONE);
    assert_int_equal(rc, 0);
    twitch_client_free(tw);
    store_close(st);
}

static json_t *get_json(struct gw *g, CURL *b, const char *path, long want)
{
    struct gw_resp r;
    char *url = xasprintf("%s%s", g->base, path);
    gw_do(b, "GET", url, NULL, NULL, NULL, &r);
    free(url);
    if (r.status != want)
        fail_msg("GET %s: %ld (%s)", path, r.status, r.body ? r.body : "");
    json_t *j = json_incref(r.json);
    gw_resp_free(&r);
    return j;
}

/* ---- the naive recomputation over the export's rows ---- */

static const char *sort_key;
static int sort_desc;

static const char *text(json_t *row, const char *key)
{
    const char *s = json_string_value(json_object_get(row, key));
    return s ? s : "";
}

static int cmp_rows(const void *a, const void *b)
{
    json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
    int c = 0;
    json_t *u = json_object_get(x, sort_key), *v = json_object_get(y, sort_key);
    if (json_is_integer(u) || json_is_integer(v)) {
        json_int_t p = json_integer_value(u), q = json_integer_value(v);
        c = (p > q) - (p < q);
    } else if (strcmp(sort_key, "login") != 0) {
        c = strcmp(text(x, sort_key), text(y, sort_key)); /* RFC 3339 text sorts by time */
    }
    if (!c)
        c = strcmp(text(x, "login"), text(y, "login"));
    if (!c) {
        long long p = atoll(text(x, "id")), q = atoll(text(y, "id"));
        c = (p > q) - (p < q);
    }
    return sort_desc ? -c : c;
}

static int keep(json_t *row, const char *filter, const char *search, int no_bots)
{
    const char *flags = text(row, "flags");
    if (strcmp(filter, "new") == 0 && strcmp(text(row, "status"), "new") != 0)
        return 0;
    if (strcmp(filter, "returning") == 0 && strcmp(text(row, "status"), "returning") != 0)
        return 0;
    if (strcmp(filter, "flagged") == 0 && !*flags)
        return 0;
    if (no_bots && strstr(flags, "known_bot"))
        return 0;
    return !*search || strcasestr(text(row, "login"), search);
}

static void assert_page_is_naive(struct gw *g, CURL *b, json_t *export, const char *sort,
                                 const char *order, const char *filter, const char *search,
                                 int no_bots, size_t offset, size_t limit)
{
    size_t n = 0;
    json_t **rows = xcalloc(json_array_size(export) + 1, sizeof *rows);
    for (size_t i = 0; i < json_array_size(export); i++)
        if (keep(json_array_get(export, i), filter, search, no_bots))
            rows[n++] = json_array_get(export, i);
    sort_key = sort;
    sort_desc = strcmp(order, "desc") == 0;
    qsort(rows, n, sizeof *rows, cmp_rows);
    char *path = xasprintf("/api/v1/sessions/active/chatters?sort=%s&order=%s&filter=%s&q=%s&"
                           "exclude_bots=%d&offset=%zu&limit=%zu",
                           sort, order, filter, search, no_bots, offset, limit);
    json_t *page = get_json(g, b, path, 200);
    assert_int_equal(json_integer_value(json_object_get(page, "total")), n);
    assert_int_equal(json_integer_value(json_object_get(page, "chatters")),
                     json_array_size(export));
    json_t *got = json_object_get(page, "rows");
    size_t want = offset >= n ? 0 : (n - offset < limit ? n - offset : limit);
    assert_int_equal(json_array_size(got), want);
    static const char *const fields[] = {
        "id",         "login",     "display_name",   "created_at", "captures_seen",
        "first_seen", "last_seen", "time_present_s", "flags",      "status"};
    for (size_t i = 0; i < want; i++) {
        json_t *a = json_array_get(got, i), *e = rows[offset + i];
        for (size_t f = 0; f < sizeof fields / sizeof *fields; f++)
            if (!json_equal(json_object_get(a, fields[f]), json_object_get(e, fields[f])))
                fail_msg("%s row %zu field %s differs", path, offset + i, fields[f]);
        assert_int_equal(json_is_true(json_object_get(a, "flagged")), *text(e, "flags") != 0);
    }
    json_decref(page);
    free(path);
    free(rows);
}

/* The table under a report option (opt) holds the export's rows under it, with its values,
 * in login order. */
static void assert_page_holds_the_export(struct gw *g, CURL *b, const char *opt)
{
    char *url = xasprintf("/api/v1/sessions/active/export?what=chatters&format=json&%s", opt);
    json_t *export = get_json(g, b, url, 200);
    free(url);
    json_t *rows = json_array();
    for (size_t off = 0;; off += 500) { /* every page of 500 */
        url = xasprintf("/api/v1/sessions/active/chatters?%s&sort=login&limit=500&offset=%zu", opt,
                        off);
        json_t *page = get_json(g, b, url, 200);
        free(url);
        json_array_extend(rows, json_object_get(page, "rows"));
        size_t total = (size_t)json_integer_value(json_object_get(page, "total"));
        json_decref(page);
        if (off + 500 >= total)
            break;
    }
    assert_int_equal(json_array_size(rows), json_array_size(export));
    assert_true(json_array_size(rows) > 0);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        json_t *a = json_array_get(rows, i);
        json_t *e = NULL;
        for (size_t j = 0; j < json_array_size(export) && !e; j++)
            if (strcmp(text(json_array_get(export, j), "id"), text(a, "id")) == 0)
                e = json_array_get(export, j);
        assert_non_null(e);
        assert_true(
            json_equal(json_object_get(a, "time_present_s"), json_object_get(e, "time_present_s")));
        assert_true(
            json_equal(json_object_get(a, "captures_seen"), json_object_get(e, "captures_seen")));
        assert_true(json_equal(json_object_get(a, "flags"), json_object_get(e, "flags")));
        if (i)
            assert_true(strcmp(text(json_array_get(rows, i - 1), "login"), text(a, "login")) <= 0);
    }
    json_decref(rows);
    json_decref(export);
}

static void pages_match_a_naive_recomputation_from_the_export(void **state)
{
    (void)state;
    struct gw *g = gw_start(NULL);
    CURL *b = gw_browser();
    struct gw_resp r;
    gw_login(g, b, NULL);
    for (int i = 0; i < 2; i++) {
        gw_send(g, b, "POST", "/api/v1/sessions/active/channels/20002/capture", NULL, &r);
        assert_int_equal(r.status, 202);
        gw_resp_free(&r);
        run_jobs(g);
        sim_tick(g->sim);
    }
    /* a second channel: the rows sum over both */
    gw_send(g, b, "POST", "/api/v1/sessions/active/channels/20005/capture", NULL, &r);
    assert_int_equal(r.status, 202);
    gw_resp_free(&r);
    run_jobs(g);
    json_t *export =
        get_json(g, b, "/api/v1/sessions/active/export?what=chatters&format=json", 200);
    size_t n = json_array_size(export);
    assert_true(n > 50);
    static const char *const sorts[] = {"login",      "status",        "flags",
                                        "created_at", "captures_seen", "time_present_s",
                                        "first_seen", "last_seen"};
    for (size_t s = 0; s < 8; s++) {
        assert_page_is_naive(g, b, export, sorts[s], "asc", "all", "", 0, 0, 500);
        assert_page_is_naive(g, b, export, sorts[s], "desc", "all", "", 0, 0, 500);
        assert_page_is_naive(g, b, export, sorts[s], "desc", "all", "", 0, 17, 23);
    }
    /* pages cover the table exactly, the last one short */
    for (size_t off = 0; off < n + 40; off += 40)
        assert_page_is_naive(g, b, export, "time_present_s", "desc", "all", "", 0, off, 40);
    const char *login = text(json_array_get(export, n / 2), "login");
    char part[8];
    snprintf(part, sizeof part, "%.3s", login);
    part[0] = (char)toupper((unsigned char)part[0]); /* search ignores case */
    assert_page_is_naive(g, b, export, "login", "asc", "all", part, 0, 0, 100);
    assert_page_is_naive(g, b, export, "login", "asc", "all", "zzzzqqq", 0, 0, 100);
    assert_page_is_naive(g, b, export, "created_at", "desc", "new", "", 0, 0, 100);
    assert_page_is_naive(g, b, export, "created_at", "desc", "returning", "", 0, 0, 100);
    assert_page_is_naive(g, b, export, "captures_seen", "asc", "flagged", "", 0, 0, 100);
    assert_page_is_naive(g, b, export, "login", "asc", "all", "", 1, 3, 100);
    /* a known bot added now is left out at once: its flags changed, the cached table went */
    char *bot = xasprintf("{\"login\": \"%s\"}", login);
    gw_send(g, b, "POST", "/api/v1/bots", bot, &r);
    assert_int_equal(r.status, 200);
    gw_resp_free(&r);
    free(bot);
    json_t *nobots = get_json(g, b, "/api/v1/sessions/active/chatters?exclude_bots=1", 200);
    assert_int_equal(json_integer_value(json_object_get(nobots, "total")), n - 1);
    json_decref(nobots);
    json_decref(export);
    /* a channel filter keeps that channel's chatters, with the export's values */
    assert_page_holds_the_export(g, b, "channel=raid_channel");
    /* an exclusion (the flags then come before the rows) leaves out what the export does */
    assert_page_holds_the_export(g, b, "exclude=known_bots");
    curl_easy_cleanup(b);
    gw_stop(g);
}

static void bad_parameters_answer_400_and_someone_elses_session_404(void **state)
{
    (void)state;
    struct gw *g = gw_start(NULL);
    CURL *mod = gw_browser(), *other = gw_browser();
    struct gw_resp r;
    gw_login(g, mod, NULL);
    gw_login(g, other, "other_mod");
    gw_send(g, mod, "POST", "/api/v1/sessions/active/channels/20002/capture", NULL, &r);
    gw_resp_free(&r);
    run_jobs(g);
    static const char *const bad[] = {"limit=0",        "limit=501",
                                      "limit=x",        "offset=-1",
                                      "sort=password",  "order=up",
                                      "filter=bots",    "exclude_bots=2",
                                      "channel=nobody", "q=aaaaaaaaaaaaaaaaaaaaaaaaaa",
                                      "bogus=1",        "offset=1e3"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *path = xasprintf("/api/v1/sessions/1/chatters?%s", bad[i]);
        json_t *e = get_json(g, mod, path, 400);
        assert_non_null(json_object_get(e, "message"));
        json_decref(e);
        free(path);
    }
    json_t *ok = get_json(g, mod, "/api/v1/sessions/1/chatters?channel=cozy_channel", 200);
    assert_true(json_integer_value(json_object_get(ok, "total")) > 0);
    json_decref(ok);
    /* another user's session and an absent one read the same */
    json_t *a = get_json(g, other, "/api/v1/sessions/1/chatters", 404);
    json_t *c = get_json(g, mod, "/api/v1/sessions/999/chatters", 404);
    assert_string_equal(json_string_value(json_object_get(a, "message")),
                        json_string_value(json_object_get(c, "message")));
    json_decref(a);
    json_decref(c);
    curl_easy_cleanup(mod);
    curl_easy_cleanup(other);
    gw_stop(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pages_match_a_naive_recomputation_from_the_export),
        cmocka_unit_test(bad_parameters_answer_400_and_someone_elses_session_404),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
