/* sessions: the user's analysis sessions, newest first. */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "base/clock.h"

#include <stdio.h>
#include <stdlib.h>

int cmd_sessions(int argc, char **argv)
{
    struct app a;
    struct store_user me;
    struct store_session *s = NULL;
    size_t n = 0;
    char err[256];
    if (argc > 1) {
        fprintf(stderr, "usage: tca sessions\n");
        return EXIT_USAGE;
    }
    int rc = app_open(&a, "sessions", 0);
    if (rc || (rc = app_current_user(&a, &me)))
        goto out;
    if (store_session_list(a.st, me.id, &s, &n, err, sizeof err)) {
        fprintf(stderr, "tca sessions: %s\n", err);
        rc = EXIT_FAIL;
        goto out;
    }
    printf("%-8s %-8s %-21s %-9s %s\n", "ID", "STATE", "CREATED", "CAPTURES", "LABEL");
    for (size_t i = 0; i < n; i++) {
        char created[32];
        clock_format_rfc3339(s[i].created_at_ms, created, sizeof created);
        printf("%-8lld %-8s %-21s %-9lld %s\n", (long long)s[i].id,
               s[i].active  ? "active"
               : s[i].saved ? "saved"
                            : "ended",
               created, (long long)s[i].captures, s[i].label);
    }
out:
    free(s);
    app_close(&a);
    return rc;
}
