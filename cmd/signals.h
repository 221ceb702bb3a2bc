/* SIGINT/SIGTERM as a flag that long-running commands poll (the only global state, in cmd/). */
#ifndef TCA_SIGNALS_H
#define TCA_SIGNALS_H

/** Installs handlers for SIGINT and SIGTERM that set the stop flag; ignores SIGPIPE. */
void signals_install(void);
/** True once SIGINT or SIGTERM arrived. */
int signals_stop_requested(void);

#endif
