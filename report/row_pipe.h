/*
 * A session's export rows produced on a second thread (store_export_session, the scan of the
 * stays and profiles) and written on the caller's (flags, cells, the sink), so the scan and
 * the writing overlap on two cores. Rows cross over in chunks through a bounded queue: what
 * it holds does not grow with the session. Internal to report/.
 */
#ifndef TCA_REPORT_ROW_PIPE_H
#define TCA_REPORT_ROW_PIPE_H

#include <stdint.h>

#include "store/store.h"

/**
 * store_export_session(st, session_id, total, fn, ctx) with the scan on a second thread: fn is
 * called on the calling thread, once per row, in the same order; *total (may be NULL) is set
 * before fn's first call. st must not be used by anyone else until it returns. fn's non-zero
 * return stops the scan and is returned; a store failure is returned after the rows read
 * before it went to fn. One thread, as store_export_session, when no thread can start.
 */
int rp_export_rows_beside(struct store *st, int64_t session_id, int64_t *total, store_export_fn fn,
                          void *ctx, char *err, size_t errlen);

#endif
