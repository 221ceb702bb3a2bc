/* The subcommands of tca, one file each. Each returns a process exit code. */
#ifndef TCA_COMMANDS_H
#define TCA_COMMANDS_H

int cmd_serve(int argc, char **argv);
int cmd_worker(int argc, char **argv);
int cmd_gateway(int argc, char **argv);
int cmd_analysis(int argc, char **argv);
int cmd_twitch_sim(int argc, char **argv);
int cmd_env_check(int argc, char **argv);
int cmd_env_generate(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_migrate_store(int argc, char **argv);
int cmd_compact(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_rotate_secret(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_channels(int argc, char **argv);
int cmd_capture(int argc, char **argv);
int cmd_watch(int argc, char **argv);
int cmd_sessions(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_bots(int argc, char **argv);
int cmd_chat(int argc, char **argv);

#endif
