/* Runs a worker pool on the app's store until SIGINT/SIGTERM, logging each job's outcome. */
#ifndef TCA_RUN_POOL_H
#define TCA_RUN_POOL_H

#include "cmd/app.h"

/** Starts cfg.workers workers (and the scheduler if asked), waits for a signal, stops. */
int run_pool_until_signal(struct app *a, const char *role, int run_scheduler);

#endif
