/*
 * Roles beside a capture: when the capturing login is the channel's broadcaster and granted
 * the role scopes, a capture also reads Get Moderators and Get VIPs (at most every
 * ROLES_REFRESH_MS) and keeps them in the store. Best effort: a failure here never fails the
 * capture, and nothing here logs.
 */
#ifndef TCA_JOBS_ROLES_H
#define TCA_JOBS_ROLES_H

#include <stdint.h>

#include "jobs/worker.h"

/** How old a channel's stored roles may get before a capture reads them again. */
#define ROLES_REFRESH_MS (10 * 60 * 1000)

/**
 * Reads and stores the roles of channel_id when user_id is its broadcaster, tok holds the
 * scope and the stored read is older than ROLES_REFRESH_MS. Returns how many role lists were
 * read (0, 1 or 2), or a negative TCA_E* code with err filled.
 */
int roles_refresh(struct worker_env *env, struct twitch_token *tok, int64_t channel_id,
                  int64_t user_id, int64_t now_ms, char *err, size_t errlen);

#endif
