/* The Device Code Grant login shared by `tca login` and the demo of `tca serve`. */
#ifndef TCA_LOGIN_FLOW_H
#define TCA_LOGIN_FLOW_H

#include <stdio.h>

#include "cmd/app.h"

/**
 * Runs the device flow, printing instructions to msg; stores the user, the sealed tokens and
 * an active session. chat: also ask for user:read:chat (chat capture). Returns 0 or an exit
 * code (the reason printed on stderr).
 */
int login_device_flow(struct app *a, FILE *msg, const char *scopes, struct store_user *user);

#endif
