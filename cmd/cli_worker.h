/* The CLI's in-process worker: resolving a channel login and printing job outcomes. */
#ifndef TCA_CLI_WORKER_H
#define TCA_CLI_WORKER_H

#include <stdint.h>
#include <stdio.h>

#include "cmd/app.h"
#include "jobs/worker.h"

/** True when login has the shape of a Twitch login (checked before anything is opened). */
int cli_login_valid(const char *login);
/**
 * Finds the channel by login (already checked with cli_login_valid) in the store, else asks
 * Twitch (and stores it). 0 or an exit code.
 */
int cli_resolve_channel(struct app *a, const struct store_user *me, const char *login,
                        struct store_channel *out);
/** Sets up a worker_env on the app's store and client. */
void cli_worker_env(struct app *a, struct worker_env *env);
/** Prints the one-line summary of `tca capture`: the capture and the profiles enriched. */
void cli_print_capture(FILE *f, struct store *st, const struct worker_outcome *capture,
                       int enriched, int renames);
/** Prints a one-line summary of a job outcome. */
void cli_print_outcome(FILE *f, struct store *st, const struct worker_outcome *o);

#endif
