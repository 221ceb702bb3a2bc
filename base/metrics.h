/*
 * A registry of Prometheus metrics: counters, gauges and histograms, each family with at most
 * two label dimensions whose values are either fixed lists or a capped number of slots named
 * at run time, so no input can grow the number of series. Recording is lock-free (relaxed
 * atomic adds on preallocated integers); only naming a run-time slot takes a mutex. Rendered
 * in the Prometheus text format, HELP and TYPE for every family.
 *
 * The registry is passed around as a pointer (the caller owns it); every function accepts
 * NULL and then does nothing, so code under test needs no registry. It never logs, and it
 * must never take a label value that the caller did not bound.
 */
#ifndef TCA_METRICS_H
#define TCA_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "base/buf.h"

enum metric_type { METRIC_COUNTER, METRIC_GAUGE, METRIC_HISTOGRAM };

/** One label dimension of a family. */
struct metric_dim {
    const char *label;         /* the label's name; NULL: each value is a whole label list */
    const char *const *values; /* the fixed values; NULL: slots named with metrics_slot */
    size_t n;                  /* how many values, or the cap on run-time slots */
    int64_t expire_ms;         /* run-time slots untouched this long are dropped; 0: never */
};

/** One family: a metric name with its help text, type and labels. */
struct metric_family {
    const char *name;
    const char *help;
    enum metric_type type;
    const struct metric_dim *dim[2]; /* NULL: no such dimension */
    const double *buckets;           /* histograms: upper bounds in the shown unit, ascending */
    size_t n_buckets;
    double scale; /* recorded integers per shown unit (1000: ms recorded, s shown); 0 means 1 */
};

struct metrics;

/** A registry of the n families of f (which must outlive it). Release with metrics_free. */
struct metrics *metrics_new(const struct metric_family *f, size_t n);
/** Frees a registry; NULL is a no-op. */
void metrics_free(struct metrics *m);

/** Adds v to a counter or gauge series (a, b: the value indexes of its dimensions, else 0). */
void metrics_add(struct metrics *m, int family, size_t a, size_t b, int64_t v);
/** Sets a gauge series to v. */
void metrics_set(struct metrics *m, int family, size_t a, size_t b, int64_t v);
/** Records one observation v (in recorded units) into a histogram series. */
void metrics_observe(struct metrics *m, int family, size_t a, size_t b, int64_t v);

/**
 * The run-time slot of dim for key (a channel id, a route number), named value (copied,
 * escaped), touched at now_ms. A new key takes a free or expired slot, and resets the values
 * recorded there. Returns the slot, or -1 when every slot is in use (nothing is recorded).
 */
int metrics_slot(struct metrics *m, const struct metric_dim *dim, int64_t key, const char *value,
                 int64_t now_ms);

/** Appends every family in the Prometheus text format (version 0.0.4) to b. */
void metrics_render(struct metrics *m, int64_t now_ms, struct buf *b);

#endif
