/* worker: capture and enrichment jobs (and, unless --no-scheduler, the scheduler). */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "cmd/run_pool.h"
#include "cmd/signals.h"

#include <stdio.h>
#include <string.h>

int cmd_worker(int argc, char **argv)
{
    struct app a;
    int scheduler = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--no-scheduler") == 0) {
            scheduler = 0;
        } else {
            fprintf(stderr, "usage: tca worker [--no-scheduler]\n");
            return EXIT_USAGE;
        }
    }
    signals_install();
    int rc = app_open(&a, "worker", 1);
    if (!rc)
        rc = run_pool_until_signal(&a, "worker", scheduler);
    app_close(&a);
    return rc;
}
