/*
 * One capture of one channel into a session: every page of Get Chatters, the presence diff,
 * and one atomic commit. A failure anywhere stores nothing, so a capture is whole or absent.
 */
#ifndef TCA_CAPTURE_H
#define TCA_CAPTURE_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/worker.h"

/**
 * Captures channel_id for the session of user_id. job_id (> 0) is marked done in the same
 * transaction as the capture. On success fills out, *pages and *duration_ms.
 * TCA_EFORBIDDEN when the user is no longer a moderator of the channel.
 */
int capture_run(struct worker_env *env, int64_t session_id, int64_t channel_id, int64_t user_id,
                int64_t job_id, struct store_capture_result *out, int *pages, int64_t *duration_ms,
                char *err, size_t errlen);

#endif
