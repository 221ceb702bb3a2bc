/*
 * The metrics registry: what it records is what it renders, in the Prometheus text format
 * with HELP and TYPE for every family; run-time label slots are capped, expire and are reused
 * with their values reset; concurrent adds lose nothing; a NULL registry records nothing.
 */
#include "tests/support/testutil.h"
#include "base/metrics.h"
#include "base/process_metrics.h"
#include "base/tca_metrics.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const colours[] = {"red", "green"};
static const struct metric_dim dim_colour = {"colour", colours, 2, 0};
static const struct metric_dim dim_name = {"name", NULL, 2, 1000};
static const double bounds[] = {0.1, 1, 10};

enum { EVENTS, LEVEL, WAIT, NAMED, ITEMS_TOTAL };
static const struct metric_family test_families[] = {
    {"t_events_total", "Events.", METRIC_COUNTER, {&dim_colour, NULL}, NULL, 0, 0},
    {"t_level", "A level.", METRIC_GAUGE, {NULL, NULL}, NULL, 0, 0},
    {"t_wait_seconds", "Waits.", METRIC_HISTOGRAM, {NULL, NULL}, bounds, 3, 1000},
    {"t_named", "Per name.", METRIC_GAUGE, {&dim_name, NULL}, NULL, 0, 0},
    {"t_items_total", "Items.", METRIC_COUNTER, {&dim_name, &dim_colour}, NULL, 0, 0},
};

static char *render(struct metrics *m, int64_t now_ms)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "");
    metrics_render(m, now_ms, &b);
    return buf_steal(&b);
}

static void counters_and_gauges_render_what_was_recorded(void **state)
{
    struct metrics *m = metrics_new(test_families, 5);
    metrics_add(m, EVENTS, 1, 0, 3);
    metrics_add(m, EVENTS, 1, 0, 2);
    metrics_set(m, LEVEL, 0, 0, 7);
    metrics_set(m, LEVEL, 0, 0, -4);
    metrics_add(m, EVENTS, 2, 0, 1); /* out of range: ignored */
    char *t = render(m, 0);
    assert_non_null(strstr(t, "# HELP t_events_total Events.\n# TYPE t_events_total counter\n"
                              "t_events_total{colour=\"red\"} 0\n"
                              "t_events_total{colour=\"green\"} 5\n"));
    assert_non_null(strstr(t, "# HELP t_level A level.\n# TYPE t_level gauge\nt_level -4\n"));
    free(t);
    metrics_free(m);
}

static void histogram_buckets_are_cumulative_and_sum_is_scaled(void **state)
{
    struct metrics *m = metrics_new(test_families, 5);
    metrics_observe(m, WAIT, 0, 0, 50);    /* 0.05 s */
    metrics_observe(m, WAIT, 0, 0, 100);   /* 0.1 s: on the bound, in le=0.1 */
    metrics_observe(m, WAIT, 0, 0, 2500);  /* 2.5 s */
    metrics_observe(m, WAIT, 0, 0, 60000); /* past every bound */
    char *t = render(m, 0);
    assert_non_null(strstr(t, "# TYPE t_wait_seconds histogram\n"
                              "t_wait_seconds_bucket{le=\"0.1\"} 2\n"
                              "t_wait_seconds_bucket{le=\"1\"} 2\n"
                              "t_wait_seconds_bucket{le=\"10\"} 3\n"
                              "t_wait_seconds_bucket{le=\"+Inf\"} 4\n"
                              "t_wait_seconds_sum 62.650\n"
                              "t_wait_seconds_count 4\n"));
    free(t);
    metrics_free(m);
}

static void runtime_slots_are_capped_and_expire(void **state)
{
    struct metrics *m = metrics_new(test_families, 5);
    int a = metrics_slot(m, &dim_name, 11, "alice", 0);
    int b = metrics_slot(m, &dim_name, 22, "bo\"b", 0);
    assert_true(a >= 0 && b >= 0 && a != b);
    assert_int_equal(metrics_slot(m, &dim_name, 33, "carol", 500), -1); /* both in use */
    assert_int_equal(metrics_slot(m, &dim_name, 11, "alice2", 600), a); /* same key, renamed */
    metrics_set(m, NAMED, (size_t)a, 0, 0);
    metrics_set(m, NAMED, (size_t)b, 0, 9);
    metrics_add(m, ITEMS_TOTAL, (size_t)b, 1, 4);
    char *t = render(m, 900);
    assert_non_null(strstr(t, "t_named{name=\"alice2\"} 0\n")); /* a gauge at 0 still shows */
    assert_non_null(strstr(t, "t_named{name=\"bo\\\"b\"} 9\n"));
    assert_non_null(strstr(t, "t_items_total{name=\"bo\\\"b\",colour=\"green\"} 4\n"));
    assert_null(strstr(t, "colour=\"red\"} 0\nt_items")); /* only non-zero counters */
    assert_null(
        strstr(t, "t_items_total{name=\"alice2\"")); /* run-time families print non-zero counters */
    free(t);
    /* bob was last touched at 0: past 1000 ms it is gone, and carol takes its slot at 0 */
    int c = metrics_slot(m, &dim_name, 33, "carol", 1200);
    assert_int_equal(c, b);
    t = render(m, 1200);
    assert_null(strstr(t, "bo\\\"b"));
    assert_non_null(strstr(t, "t_named{name=\"carol\"} 0\n"));
    assert_null(strstr(t, "t_items_total{")); /* bob's 4 items did not pass to carol */
    free(t);
    metrics_free(m);
}

struct adder {
    struct metrics *m;
    int n;
};

static void *add_many(void *arg)
{
    struct adder *a = arg;
    for (int i = 0; i < a->n; i++) {
        metrics_add(a->m, EVENTS, 0, 0, 1);
        metrics_observe(a->m, WAIT, 0, 0, i % 3);
    }
    return NULL;
}

static void concurrent_adds_lose_nothing(void **state)
{
    struct metrics *m = metrics_new(test_families, 5);
    pthread_t th[4];
    struct adder a = {m, 100000};
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, add_many, &a);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    char *t = render(m, 0);
    assert_non_null(strstr(t, "t_events_total{colour=\"red\"} 400000\n"));
    assert_non_null(strstr(t, "t_wait_seconds_count 400000\n"));
    /* each thread adds 0, 1, 2 ms in turn: 33334 + 33333 * 2 ... = 99999 ms per thread */
    assert_non_null(strstr(t, "t_wait_seconds_sum 399.996\n"));
    free(t);
    metrics_free(m);
}

static void a_null_registry_records_nothing(void **state)
{
    metrics_add(NULL, 0, 0, 0, 1);
    metrics_set(NULL, 0, 0, 0, 1);
    metrics_observe(NULL, 0, 0, 0, 1);
    assert_int_equal(metrics_slot(NULL, &dim_name, 1, "x", 0), -1);
    metrics_render(NULL, 0, NULL);
    metrics_free(NULL);
}

/* Every family of the catalog is rendered with HELP then TYPE, its name starts with tca_. */
static void every_tca_family_has_help_and_type(void **state)
{
    struct metrics *m = tca_metrics_new();
    char *t = render(m, 0);
    size_t helps = 0;
    for (char *p = t; (p = strstr(p, "# HELP ")); p++) {
        helps++;
        char name[128];
        assert_int_equal(sscanf(p, "# HELP %127s", name), 1);
        assert_true(strncmp(name, "tca_", 4) == 0);
        char type_line[160];
        snprintf(type_line, sizeof type_line, "\n# TYPE %s ", name);
        assert_non_null(strstr(p, type_line));
    }
    assert_int_equal(helps, TM_FAMILY_N);
    assert_non_null(strstr(t, "tca_build_info{version=\""));
    assert_non_null(strstr(t, "tca_captures_failed_total{reason=\"lost_moderator_role\"} 0\n"));
    assert_int_equal(tca_metrics_status_index(404), 8);
    assert_int_equal(tca_metrics_status_index(418), 17); /* "other" */
    free(t);
    metrics_free(m);
}

static void process_metrics_read_this_process(void **state)
{
    struct buf b;
    buf_init(&b, 0);
    process_metrics_render(&b);
    long long rss = 0, fds = 0;
    double start = 0;
    const char *p = strstr(b.data, "\nprocess_resident_memory_bytes ");
    assert_non_null(p);
    sscanf(p, "\nprocess_resident_memory_bytes %lld", &rss);
    assert_true(rss > 1024 * 1024); /* a C program with cmocka and libc is past 1 MB */
    p = strstr(b.data, "\nprocess_open_fds ");
    assert_non_null(p);
    sscanf(p, "\nprocess_open_fds %lld", &fds);
    assert_true(fds >= 3); /* stdin, stdout, stderr */
    p = strstr(b.data, "\nprocess_start_time_seconds ");
    assert_non_null(p);
    sscanf(p, "\nprocess_start_time_seconds %lf", &start);
    assert_true(start > 1.7e9); /* after 2023 */
    assert_non_null(strstr(b.data, "# TYPE process_cpu_seconds_total counter\n"));
    assert_non_null(strstr(b.data, "# TYPE process_max_fds gauge\n"));
    assert_non_null(strstr(b.data, "# TYPE process_virtual_memory_bytes gauge\n"));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(counters_and_gauges_render_what_was_recorded),
        cmocka_unit_test(histogram_buckets_are_cumulative_and_sum_is_scaled),
        cmocka_unit_test(runtime_slots_are_capped_and_expire),
        cmocka_unit_test(concurrent_adds_lose_nothing),
        cmocka_unit_test(a_null_registry_records_nothing),
        cmocka_unit_test(every_tca_family_has_help_and_type),
        cmocka_unit_test(process_metrics_read_this_process),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
