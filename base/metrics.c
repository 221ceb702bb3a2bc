/*
 * The metrics registry: preallocated integers per series, relaxed atomic adds, and the
 * Prometheus text rendering. Must never allocate while recording (only metrics_slot copies a
 * name), never grow past the families' fixed sizes, and never print a family without HELP.
 */
#include "base/metrics.h"
#include "base/xalloc.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Fixed families up to this many series print every series, zeros included, so alert rules
 * see a 0 rather than no data; bigger ones (routes x statuses) print the non-zero ones. */
#define DENSE_MAX_SERIES 64

struct slots {
    const struct metric_dim *dim;
    pthread_mutex_t lock;
    int64_t *keys;
    int64_t *touched_ms;
    char **names; /* owned; NULL: slot free */
};

struct family_state {
    int64_t *v;      /* series x per_series integers */
    size_t na, nb;   /* values of each dimension (1 when absent) */
    size_t per;      /* integers per series: 1, or buckets + Inf + sum + count */
    int64_t *bounds; /* histogram bucket bounds in recorded units */
    int slots[2];    /* index into m->slots of a run-time dimension, else -1 */
    int decimals;    /* for scaled values */
    double scale;
};

struct metrics {
    const struct metric_family *f;
    size_t n;
    struct family_state *s;
    struct slots *slots;
    size_t n_slots;
};

static size_t dim_size(const struct metric_dim *d)
{
    return d ? d->n : 1;
}

static int slots_of(struct metrics *m, const struct metric_dim *d)
{
    if (!d || d->values)
        return -1;
    for (size_t i = 0; i < m->n_slots; i++)
        if (m->slots[i].dim == d)
            return (int)i;
    m->slots = xreallocarray(m->slots, m->n_slots + 1, sizeof *m->slots);
    struct slots *s = &m->slots[m->n_slots];
    s->dim = d;
    pthread_mutex_init(&s->lock, NULL);
    s->keys = xcalloc(d->n, sizeof *s->keys);
    s->touched_ms = xcalloc(d->n, sizeof *s->touched_ms);
    s->names = xcalloc(d->n, sizeof *s->names);
    return (int)m->n_slots++;
}

struct metrics *metrics_new(const struct metric_family *f, size_t n)
{
    struct metrics *m = xcalloc(1, sizeof *m);
    m->f = f;
    m->n = n;
    m->s = xcalloc(n, sizeof *m->s);
    for (size_t i = 0; i < n; i++) {
        struct family_state *s = &m->s[i];
        s->na = dim_size(f[i].dim[0]);
        s->nb = dim_size(f[i].dim[1]);
        s->per = f[i].type == METRIC_HISTOGRAM ? f[i].n_buckets + 3 : 1;
        s->v = xcalloc(s->na * s->nb * s->per, sizeof *s->v);
        s->scale = f[i].scale > 0 ? f[i].scale : 1;
        for (double x = s->scale; x > 1.5; x /= 10)
            s->decimals++;
        if (f[i].type == METRIC_HISTOGRAM) {
            s->bounds = xcalloc(f[i].n_buckets + 1, sizeof *s->bounds);
            for (size_t k = 0; k < f[i].n_buckets; k++)
                s->bounds[k] = llround(f[i].buckets[k] * s->scale);
        }
        for (int d = 0; d < 2; d++)
            s->slots[d] = slots_of(m, f[i].dim[d]);
    }
    return m;
}

void metrics_free(struct metrics *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->n; i++) {
        free(m->s[i].v);
        free(m->s[i].bounds);
    }
    for (size_t i = 0; i < m->n_slots; i++) {
        for (size_t k = 0; k < m->slots[i].dim->n; k++)
            free(m->slots[i].names[k]);
        free(m->slots[i].names);
        free(m->slots[i].keys);
        free(m->slots[i].touched_ms);
        pthread_mutex_destroy(&m->slots[i].lock);
    }
    free(m->slots);
    free(m->s);
    free(m);
}

/* The first integer of a series, or NULL when the family or an index is out of range. */
static int64_t *series(struct metrics *m, int family, size_t a, size_t b)
{
    if (!m || family < 0 || (size_t)family >= m->n)
        return NULL;
    struct family_state *s = &m->s[family];
    if (a >= s->na || b >= s->nb)
        return NULL;
    return &s->v[(a * s->nb + b) * s->per];
}

void metrics_add(struct metrics *m, int family, size_t a, size_t b, int64_t v)
{
    int64_t *p = series(m, family, a, b);
    if (p && m->f[family].type != METRIC_HISTOGRAM)
        __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
}

void metrics_set(struct metrics *m, int family, size_t a, size_t b, int64_t v)
{
    int64_t *p = series(m, family, a, b);
    if (p && m->f[family].type == METRIC_GAUGE)
        __atomic_store_n(p, v, __ATOMIC_RELAXED);
}

void metrics_observe(struct metrics *m, int family, size_t a, size_t b, int64_t v)
{
    int64_t *p = series(m, family, a, b);
    if (!p || m->f[family].type != METRIC_HISTOGRAM)
        return;
    const struct family_state *s = &m->s[family];
    size_t nb = m->f[family].n_buckets, k = 0;
    while (k < nb && v > s->bounds[k])
        k++;
    __atomic_fetch_add(&p[k], 1, __ATOMIC_RELAXED);
    __atomic_fetch_add(&p[nb + 1], v, __ATOMIC_RELAXED);
    __atomic_fetch_add(&p[nb + 2], 1, __ATOMIC_RELAXED);
}

/* A label value with \, " and newlines escaped as the text format wants. */
static char *escape(const char *v)
{
    struct buf b;
    buf_init(&b, 0);
    buf_puts(&b, "");
    for (; *v; v++) {
        if (*v == '\\' || *v == '"')
            buf_printf(&b, "\\%c", *v);
        else if (*v == '\n')
            buf_puts(&b, "\\n");
        else
            buf_append(&b, v, 1);
    }
    return buf_steal(&b);
}

static int alive(const struct slots *s, size_t i, int64_t now_ms)
{
    return s->names[i] &&
           (s->dim->expire_ms <= 0 || now_ms - s->touched_ms[i] <= s->dim->expire_ms);
}

/* Zeroes what every family using dimension d recorded in slot i (it gets a new key). */
static void reset_slot(struct metrics *m, int d, size_t i)
{
    for (size_t f = 0; f < m->n; f++) {
        struct family_state *s = &m->s[f];
        for (size_t a = 0; a < s->na; a++)
            for (size_t b = 0; b < s->nb; b++)
                if ((s->slots[0] == d && a == i) || (s->slots[1] == d && b == i))
                    for (size_t k = 0; k < s->per; k++)
                        __atomic_store_n(&s->v[(a * s->nb + b) * s->per + k], 0, __ATOMIC_RELAXED);
    }
}

int metrics_slot(struct metrics *m, const struct metric_dim *dim, int64_t key, const char *value,
                 int64_t now_ms)
{
    if (!m || !dim)
        return -1;
    int d = -1;
    for (size_t i = 0; i < m->n_slots && d < 0; i++)
        if (m->slots[i].dim == dim)
            d = (int)i;
    if (d < 0)
        return -1;
    struct slots *s = &m->slots[d];
    int found = -1, free_slot = -1;
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < dim->n && found < 0; i++) {
        if (s->names[i] && s->keys[i] == key)
            found = (int)i;
        else if (free_slot < 0 && !alive(s, i, now_ms))
            free_slot = (int)i;
    }
    if (found < 0 && free_slot >= 0) {
        found = free_slot;
        s->keys[found] = key;
        free(s->names[found]);
        s->names[found] = NULL;
        reset_slot(m, d, (size_t)found);
    }
    if (found >= 0) {
        /* A renamed channel keeps its slot under its new name. */
        if (!s->names[found] || strcmp(s->names[found], value) != 0) {
            free(s->names[found]);
            s->names[found] = dim->label ? escape(value) : xstrdup(value);
        }
        s->touched_ms[found] = now_ms;
    }
    pthread_mutex_unlock(&s->lock);
    return found;
}

/* The label text of dimension d's value i, or NULL when that slot is not in use now. */
static const char *dim_value(struct metrics *m, const struct family_state *s, int which,
                             const struct metric_dim *d, size_t i, int64_t now_ms)
{
    if (d->values)
        return d->values[i];
    const struct slots *sl = &m->slots[s->slots[which]];
    return alive(sl, i, now_ms) ? sl->names[i] : NULL;
}

static void put_value(struct buf *b, const struct family_state *s, int64_t v)
{
    if (s->decimals == 0)
        buf_printf(b, "%lld\n", (long long)v);
    else
        buf_printf(b, "%.*f\n", s->decimals, (double)v / s->scale);
}

/* Appends one series (all its lines for a histogram) whose labels are lab (may be ""). */
static void put_series(struct buf *b, const struct metric_family *f, const struct family_state *s,
                       const int64_t *p, const char *lab)
{
    const char *sep = lab[0] ? "," : "";
    if (f->type != METRIC_HISTOGRAM) {
        buf_printf(b, lab[0] ? "%s{%s} " : "%s%s ", f->name, lab);
        put_value(b, s, __atomic_load_n(p, __ATOMIC_RELAXED));
        return;
    }
    int64_t cum = 0;
    for (size_t k = 0; k <= f->n_buckets; k++) {
        cum += __atomic_load_n(&p[k], __ATOMIC_RELAXED);
        if (k < f->n_buckets)
            buf_printf(b, "%s_bucket{%s%sle=\"%.10g\"} %lld\n", f->name, lab, sep, f->buckets[k],
                       (long long)cum);
        else
            buf_printf(b, "%s_bucket{%s%sle=\"+Inf\"} %lld\n", f->name, lab, sep, (long long)cum);
    }
    buf_printf(b, lab[0] ? "%s_sum{%s} " : "%s_sum%s ", f->name, lab);
    put_value(b, s, __atomic_load_n(&p[f->n_buckets + 1], __ATOMIC_RELAXED));
    /* The count is the +Inf bucket: printing cum keeps the two consistent in one scrape. */
    buf_printf(b, lab[0] ? "%s_count{%s} %lld\n" : "%s_count%s %lld\n", f->name, lab,
               (long long)cum);
}

static void label_part(char *out, size_t outlen, const struct metric_dim *d, const char *v)
{
    size_t len = strlen(out);
    if (!d || len >= outlen)
        return;
    if (d->label)
        snprintf(out + len, outlen - len, "%s%s=\"%s\"", len ? "," : "", d->label, v);
    else
        snprintf(out + len, outlen - len, "%s%s", len ? "," : "", v);
}

static void render_family(struct metrics *m, size_t i, int64_t now_ms, struct buf *b)
{
    const struct metric_family *f = &m->f[i];
    const struct family_state *s = &m->s[i];
    static const char *const types[] = {"counter", "gauge", "histogram"};
    buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", f->name, f->help, f->name, types[f->type]);
    int runtime = s->slots[0] >= 0 || s->slots[1] >= 0;
    int dense = !runtime && s->na * s->nb <= DENSE_MAX_SERIES;
    for (size_t a = 0; a < s->na; a++) {
        const char *va = f->dim[0] ? dim_value(m, s, 0, f->dim[0], a, now_ms) : "";
        if (!va)
            continue;
        for (size_t bi = 0; bi < s->nb; bi++) {
            const char *vb = f->dim[1] ? dim_value(m, s, 1, f->dim[1], bi, now_ms) : "";
            if (!vb)
                continue;
            const int64_t *p = &s->v[(a * s->nb + bi) * s->per];
            int64_t shown =
                __atomic_load_n(f->type == METRIC_HISTOGRAM ? &p[s->per - 1] : p, __ATOMIC_RELAXED);
            if (!dense && !(runtime && f->type == METRIC_GAUGE) && shown == 0)
                continue;
            char lab[1024] = "";
            label_part(lab, sizeof lab, f->dim[0], va);
            label_part(lab, sizeof lab, f->dim[1], vb);
            put_series(b, f, s, p, lab);
        }
    }
}

void metrics_render(struct metrics *m, int64_t now_ms, struct buf *b)
{
    if (!m)
        return;
    /* Slot names change only under these locks; holding them all keeps one scrape coherent. */
    for (size_t i = 0; i < m->n_slots; i++)
        pthread_mutex_lock(&m->slots[i].lock);
    for (size_t i = 0; i < m->n; i++)
        render_family(m, i, now_ms, b);
    for (size_t i = m->n_slots; i > 0; i--)
        pthread_mutex_unlock(&m->slots[i - 1].lock);
}
