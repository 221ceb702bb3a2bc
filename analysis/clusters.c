/*
 * Cluster finding: split each login into stem and number, sort by stem then creation
 * time, and cut a cluster wherever the gap between two creations passes the window. Must
 * never merge two stems: "viewer_1" and "viewer1" are different stems on purpose, a script
 * uses one pattern.
 */
#include "analysis/clusters.h"
#include "analysis/ids.h"
#include "base/xalloc.h"

#include <stdlib.h>
#include <string.h>

#define MAX_DIGITS 18

struct an_cluster_rule an_cluster_rule_default(void)
{
    return (struct an_cluster_rule){
        .window_ms = 24LL * 3600000, .min_size = 5, .min_stem = 3, .max_number_spread = 100};
}

struct member {
    char stem[32];
    uint64_t number;
    int64_t created_ms;
    int64_t user_id;
};

/* Splits a login into its lowercase stem and trailing number; 0 when it does not qualify. */
static int split_login(const char *login, size_t min_stem, struct member *m)
{
    if (!login)
        return 0;
    size_t len = strlen(login), digits = 0;
    if (len >= sizeof m->stem)
        return 0;
    while (digits < len && login[len - 1 - digits] >= '0' && login[len - 1 - digits] <= '9')
        digits++;
    size_t stem = len - digits;
    if (digits == 0 || digits > MAX_DIGITS || stem < min_stem)
        return 0;
    for (size_t i = 0; i < stem; i++) {
        char c = login[i];
        m->stem[i] = c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
    }
    m->stem[stem] = '\0';
    m->number = 0;
    for (size_t i = stem; i < len; i++)
        m->number = m->number * 10 + (uint64_t)(login[i] - '0');
    return 1;
}

static int by_stem_then_time(const void *a, const void *b)
{
    const struct member *x = a, *y = b;
    int c = strcmp(x->stem, y->stem);
    if (c)
        return c;
    if (x->created_ms != y->created_ms)
        return (x->created_ms > y->created_ms) - (x->created_ms < y->created_ms);
    return (x->user_id > y->user_id) - (x->user_id < y->user_id);
}

static int by_size(const void *a, const void *b)
{
    const struct an_cluster *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? 1 : -1;
    int c = strcmp(x->stem, y->stem);
    if (c)
        return c;
    return (x->first_created_ms > y->first_created_ms) -
           (x->first_created_ms < y->first_created_ms);
}

/* A script numbers its accounts near each other; people who happen to share a stem pick
 * numbers (years, ids) scattered over millions. */
static int close_numbers(const struct member *m, size_t n, const struct an_cluster_rule *rule)
{
    if (!rule->max_number_spread)
        return 1;
    uint64_t lo = m[0].number, hi = m[0].number;
    for (size_t i = 1; i < n; i++) {
        lo = m[i].number < lo ? m[i].number : lo;
        hi = m[i].number > hi ? m[i].number : hi;
    }
    return hi - lo < (uint64_t)rule->max_number_spread * n;
}

static void emit(struct an_clusters *out, const struct member *m, size_t n)
{
    struct an_cluster *c = &out->clusters[out->n++];
    memcpy(c->stem, m[0].stem, sizeof c->stem);
    c->n = n;
    c->user_ids = xmalloc(n * sizeof *c->user_ids);
    c->first_created_ms = m[0].created_ms;
    c->last_created_ms = m[n - 1].created_ms;
    c->number_min = c->number_max = m[0].number;
    for (size_t i = 0; i < n; i++) {
        c->user_ids[i] = m[i].user_id;
        if (m[i].number < c->number_min)
            c->number_min = m[i].number;
        if (m[i].number > c->number_max)
            c->number_max = m[i].number;
    }
    an_ids_sort(c->user_ids, n);
    c->sequence = c->number_max - c->number_min < 2 * (uint64_t)n;
}

void an_clusters(const struct an_profile *profiles, size_t n, const struct an_cluster_rule *rule,
                 struct an_clusters *out)
{
    struct an_cluster_rule defaults = an_cluster_rule_default();
    if (!rule)
        rule = &defaults;
    memset(out, 0, sizeof *out);
    struct member *m = xmalloc((n ? n : 1) * sizeof *m);
    /* The store lists profiles by id, distinct already: then no index (16 bytes a chatter, a
     * third of a big export's memory) is needed to skip repeats. */
    size_t sorted = 1;
    while (sorted < n && profiles[sorted - 1].user_id < profiles[sorted].user_id)
        sorted++;
    struct an_id_index seen;
    an_id_index_init(&seen, sorted >= n ? 0 : n);
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        const struct an_profile *p = &profiles[i];
        uint32_t before = seen.n;
        if (sorted < n)
            an_id_index_add(&seen, p->user_id);
        if ((sorted < n && seen.n == before) || p->created_at_ms == 0 ||
            !split_login(p->login, rule->min_stem, &m[k]))
            continue;
        m[k].created_ms = p->created_at_ms;
        m[k].user_id = p->user_id;
        k++;
    }
    an_id_index_free(&seen);
    qsort(m, k, sizeof *m, by_stem_then_time);
    out->clusters =
        xmalloc((k / (rule->min_size ? rule->min_size : 1) + 1) * sizeof *out->clusters);
    size_t min_size = rule->min_size ? rule->min_size : 1;
    for (size_t from = 0, i = 1; from < k; i++) {
        if (i < k && !strcmp(m[i].stem, m[from].stem) &&
            m[i].created_ms - m[i - 1].created_ms <= rule->window_ms)
            continue;
        if (i - from >= min_size && close_numbers(&m[from], i - from, rule))
            emit(out, &m[from], i - from);
        from = i;
    }
    qsort(out->clusters, out->n, sizeof *out->clusters, by_size);
    free(m);
}

void an_clusters_free(struct an_clusters *c)
{
    for (size_t i = 0; i < c->n; i++)
        free(c->clusters[i].user_ids);
    free(c->clusters);
    memset(c, 0, sizeof *c);
}

int64_t *an_clusters_members(const struct an_clusters *c, size_t *n_out)
{
    size_t total = 0;
    for (size_t i = 0; i < c->n; i++)
        total += c->clusters[i].n;
    int64_t *ids = xmalloc((total ? total : 1) * sizeof *ids);
    size_t k = 0;
    for (size_t i = 0; i < c->n; i++) {
        memcpy(ids + k, c->clusters[i].user_ids, c->clusters[i].n * sizeof *ids);
        k += c->clusters[i].n;
    }
    *n_out = an_ids_sort_unique(ids, k);
    return ids;
}
