/* `tca twitch-sim`: runs the simulated Twitch until SIGINT/SIGTERM. */
#ifndef TCA_CMD_TWITCH_SIM_H
#define TCA_CMD_TWITCH_SIM_H

/** Runs `tca twitch-sim` (argv[0] is "twitch-sim"); returns the process exit code. */
int cmd_twitch_sim(int argc, char **argv);

#endif
