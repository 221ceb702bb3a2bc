/*
 * Enrichment: chatters whose profile is unknown or stale get it from Get Users (100 ids a
 * call): account creation date, type, broadcaster type, and their current names, so that
 * renames land in the name history.
 */
#ifndef TCA_ENRICH_H
#define TCA_ENRICH_H

#include <stddef.h>
#include <stdint.h>

#include "jobs/worker.h"

/**
 * Enriches every stale chatter of the session with user_id's token; *enriched and *renames
 * count the results. job_id (> 0) has its lease extended after every chunk.
 */
int enrich_run(struct worker_env *env, int64_t session_id, int64_t user_id, int64_t job_id,
               int *enriched, int *renames, char *err, size_t errlen);

#endif
