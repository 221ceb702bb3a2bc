/* channels: the user's own channel and every channel they moderate, with live status. */
#include "cmd/app.h"
#include "cmd/commands.h"
#include "base/clock.h"
#include "base/xalloc.h"
#include "twitch/user_token.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct twitch_stream *find_stream(const struct twitch_stream *s, size_t n, int64_t id)
{
    for (size_t i = 0; i < n; i++)
        if (s[i].user_id == id)
            return &s[i];
    return NULL;
}

int cmd_channels(int argc, char **argv)
{
    struct app a;
    struct store_user me;
    struct twitch_token tok = {0};
    struct twitch_channel *mod = NULL, *all = NULL;
    struct twitch_stream *streams = NULL;
    int64_t *ids = NULL;
    size_t n_mod = 0, n_streams = 0;
    char err[256];
    if (argc > 1) {
        fprintf(stderr, "usage: tca channels\n");
        return EXIT_USAGE;
    }
    int rc = app_open(&a, "channels", 1);
    if (rc || (rc = app_current_user(&a, &me)))
        goto out;
    if (user_token_load(a.st, &a.keys, a.tw, me.id, clock_wall_ms(), &tok, err, sizeof err) ||
        twitch_get_moderated_channels(a.tw, &tok, me.id, &mod, &n_mod, err, sizeof err)) {
        fprintf(stderr, "tca channels: %s\n", err);
        rc = EXIT_FAIL;
        goto out;
    }
    size_t n = n_mod + 1;
    all = xcalloc(n, sizeof *all);
    all[0].id = me.id;
    snprintf(all[0].login, sizeof all[0].login, "%s", me.login);
    snprintf(all[0].display_name, sizeof all[0].display_name, "%s", me.display_name);
    memcpy(all + 1, mod, n_mod * sizeof *mod);
    ids = xcalloc(n, sizeof *ids);
    for (size_t i = 0; i < n; i++)
        ids[i] = all[i].id;
    if (twitch_get_streams(a.tw, &tok, ids, n, &streams, &n_streams, err, sizeof err)) {
        fprintf(stderr, "tca channels: %s\n", err);
        rc = EXIT_FAIL;
        goto out;
    }
    user_token_persist_refresh(a.st, &a.keys, &tok, clock_wall_ms(), NULL, 0);
    printf("%-26s %-12s %-11s %s\n", "CHANNEL", "ID", "ROLE", "STATUS");
    for (size_t i = 0; i < n; i++) {
        struct store_channel c = {.id = all[i].id};
        snprintf(c.login, sizeof c.login, "%s", all[i].login);
        snprintf(c.display_name, sizeof c.display_name, "%s", all[i].display_name);
        store_channel_upsert(a.st, &c, NULL, 0);
        const struct twitch_stream *s = find_stream(streams, n_streams, all[i].id);
        char status[64] = "offline";
        if (s)
            snprintf(status, sizeof status, "live, %lld viewers", (long long)s->viewer_count);
        printf("%-26s %-12lld %-11s %s\n", all[i].login, (long long)all[i].id,
               i == 0 ? "broadcaster" : "moderator", status);
    }
out:
    free(ids);
    free(streams);
    free(all);
    free(mod);
    twitch_token_clear(&tok);
    app_close(&a);
    return rc;
}
