/*
 * The scheduler: turns due capture schedules into capture jobs. The queue's dedupe key makes
 * sure a channel never has two captures queued or running at once, even with several
 * schedulers (one per process) on one store.
 */
#ifndef TCA_SCHEDULER_H
#define TCA_SCHEDULER_H

#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/**
 * Queues a capture job for every due schedule and moves each schedule to its next time
 * (skipping missed slots rather than piling them up). *queued (may be NULL) counts the jobs
 * added; a schedule whose previous capture is still queued or running is skipped. *lag_ms
 * (may be NULL) receives how far past its due time the most overdue schedule was (0: none).
 */
int scheduler_tick(struct store *st, int64_t now_ms, int *queued, int64_t *lag_ms, char *err,
                   size_t errlen);

/**
 * Queues a token validation for every user whose tokens were last validated before
 * validated_before_ms (now - 1 h in steady state; now at start-up, to validate all).
 */
int scheduler_validate_tokens(struct store *st, int64_t now_ms, int64_t validated_before_ms,
                              int *queued, char *err, size_t errlen);

#endif
