/*
 * The flags of `tca twitch-sim`, parsed into sim_options, so the command line can be tested
 * without starting a process. Never prints: the caller reports errors and usage.
 */
#ifndef TCA_SIM_CLI_H
#define TCA_SIM_CLI_H

#include <stddef.h>

#include "sim/sim.h"

struct sim_cli {
    struct sim_options opt; /* strings point into argv; client_id/secret NULL unless given */
    const char *listen;     /* default "127.0.0.1:8081" */
    const char *port_file;  /* NULL: none */
    int help;               /* --help was given */
};

/**
 * Parses argv (argv[0] is the subcommand's name) into out. Returns 0, or TCA_EINVAL with a
 * one-line message in err for an unknown flag, a missing value or a malformed number.
 */
int sim_cli_parse(int argc, char **argv, struct sim_cli *out, char *err, size_t errlen);
/** The usage text of `tca twitch-sim`. */
const char *sim_cli_usage(void);

#endif
