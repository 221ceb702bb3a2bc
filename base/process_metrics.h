/*
 * The standard process_* metrics of the Prometheus client libraries, read from /proc/self at
 * each scrape: CPU seconds, resident and virtual memory, open and maximum file descriptors,
 * start time. Linux only; a value /proc does not give is left out, never invented.
 */
#ifndef TCA_PROCESS_METRICS_H
#define TCA_PROCESS_METRICS_H

#include "base/buf.h"

/** Appends the process_* families (HELP, TYPE, value) of the calling process to b. */
void process_metrics_render(struct buf *b);

#endif
