/* Login clusters: the documented stem + number rule, the creation window, and the cases
 * that must not cluster. */
#include "tests/support/testutil.h"
#include "analysis/clusters.h"

#include <stdio.h>
#include <stdlib.h>

#define MAR10 1710028800000LL
#define HOUR 3600000LL

struct audience {
    struct an_profile p[400];
    char logins[400][40];
    size_t n;
};

static void add(struct audience *a, int64_t id, const char *login, int64_t created)
{
    snprintf(a->logins[a->n], sizeof a->logins[a->n], "%s", login);
    a->p[a->n] = (struct an_profile){id, a->logins[a->n], created};
    a->n++;
}

static void build(struct audience *a)
{
    char login[40];
    a->n = 0;
    for (int i = 1; i <= 150; i++) {
        snprintf(login, sizeof login, "coolviewer_%04d", i);
        add(a, 1000 + i, login, MAR10 + i * 60000);
    }
    add(a, 1151, "CoolViewer_0151", MAR10 + 151 * 60000); /* case does not matter */
    add(a, 1001, "coolviewer_0001", MAR10 + 60000);       /* the same account twice */
    for (int i = 1; i <= 4; i++) {                        /* too few */
        snprintf(login, sizeof login, "lurker%d", i);
        add(a, 2000 + i, login, MAR10);
    }
    for (int i = 1; i <= 6; i++) { /* sparse numbers, a few hours apart */
        snprintf(login, sizeof login, "botty%d", i * 10);
        add(a, 3000 + i, login, MAR10 + i * 3 * HOUR);
    }
    for (int i = 1; i <= 5; i++) { /* two days apart: outside a one-day window */
        snprintf(login, sizeof login, "spam%d", i);
        add(a, 4000 + i, login, MAR10 + i * 48 * HOUR);
    }
    for (int i = 1; i <= 9; i++) { /* stem too short */
        snprintf(login, sizeof login, "ab%d", i);
        add(a, 5000 + i, login, MAR10);
    }
    for (int i = 1; i <= 6; i++) { /* not enriched: creation unknown */
        snprintf(login, sizeof login, "ghost%d", i);
        add(a, 6000 + i, login, 0);
    }
    add(a, 7000, "viewer", MAR10); /* no number */
}

static void stem_plus_number_accounts_made_close_together_form_clusters(void **state)
{
    static struct audience a;
    build(&a);
    struct an_clusters c;
    an_clusters(a.p, a.n, NULL, &c);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.clusters[0].stem, "coolviewer_");
    assert_int_equal(c.clusters[0].n, 151);
    assert_int_equal(c.clusters[0].number_min, 1);
    assert_int_equal(c.clusters[0].number_max, 151);
    assert_int_equal(c.clusters[0].sequence, 1);
    assert_int_equal(c.clusters[0].user_ids[0], 1001);
    assert_int_equal(c.clusters[0].first_created_ms, MAR10 + 60000);
    assert_int_equal(c.clusters[0].last_created_ms, MAR10 + 151 * 60000);
    assert_string_equal(c.clusters[1].stem, "botty");
    assert_int_equal(c.clusters[1].n, 6);
    assert_int_equal(c.clusters[1].sequence, 0); /* 10..60 is not a dense run of 6 */
    size_t n;
    int64_t *members = an_clusters_members(&c, &n);
    assert_int_equal(n, 157);
    assert_int_equal(members[0], 1001);
    assert_int_equal(members[n - 1], 3006);
    free(members);
    an_clusters_free(&c);
}

static void the_window_and_sizes_are_configurable(void **state)
{
    static struct audience a;
    build(&a);
    struct an_cluster_rule rule = an_cluster_rule_default();
    rule.window_ms = 72 * HOUR; /* now spam1..5 chain up */
    rule.min_size = 4;          /* and lurker1..4 count */
    rule.min_stem = 2;          /* and so do ab1..9 */
    struct an_clusters c;
    an_clusters(a.p, a.n, &rule, &c);
    assert_int_equal(c.n, 5);
    assert_string_equal(c.clusters[1].stem, "ab");
    assert_int_equal(c.clusters[1].n, 9);
    assert_string_equal(c.clusters[2].stem, "botty");
    assert_string_equal(c.clusters[3].stem, "spam");
    assert_string_equal(c.clusters[4].stem, "lurker");
    an_clusters_free(&c);
}

static void a_gap_longer_than_the_window_splits_one_stem_into_two_clusters(void **state)
{
    static struct audience a;
    char login[40];
    a.n = 0;
    for (int i = 0; i < 10; i++) {
        snprintf(login, sizeof login, "farm%d", i);
        add(&a, 100 + i, login, MAR10 + (i < 5 ? i : 100 + i) * HOUR);
    }
    struct an_clusters c;
    an_clusters(a.p, a.n, NULL, &c);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.clusters[0].n, 5);
    assert_int_equal(c.clusters[1].n, 5);
    assert_true(c.clusters[0].first_created_ms < c.clusters[1].first_created_ms);
    an_clusters_free(&c);
    an_clusters(NULL, 0, NULL, &c);
    assert_int_equal(c.n, 0);
    an_clusters_free(&c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(stem_plus_number_accounts_made_close_together_form_clusters),
        cmocka_unit_test(the_window_and_sizes_are_configurable),
        cmocka_unit_test(a_gap_longer_than_the_window_splits_one_stem_into_two_clusters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
