/* Starting the gateway from a subcommand (gateway and serve share it). */
#ifndef TCA_CMD_GATEWAY_H
#define TCA_CMD_GATEWAY_H

#include "cmd/app.h"
#include "web/web.h"

/** Starts the gateway on a's configuration (listen overrides TCA_LISTEN when non-NULL). */
int gateway_start(struct app *a, const char *listen, struct web **out);

#endif
