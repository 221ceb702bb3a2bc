/*
 * login: the Device Code Grant, so a moderator can log in from a headless server: print the
 * URL and code, poll until approved, then store the user and the sealed tokens.
 */
#include "cmd/app.h"
#include "cmd/login_flow.h"
#include "cmd/commands.h"
#include "base/clock.h"
#include "base/err.h"
#include "twitch/user_token.h"

#include <stdio.h>
#include <string.h>

static int wait_for_approval(struct app *a, const struct twitch_device *d, struct twitch_token *tok)
{
    char err[256];
    int interval = d->interval_s > 0 ? d->interval_s : 5;
    for (;;) {
        clock_sleep_ms((int64_t)interval * 1000);
        int rc = twitch_device_poll(a->tw, d, tok, err, sizeof err);
        if (rc == 0)
            return 0;
        if (rc != TCA_ETEMP) {
            fprintf(stderr, "tca login: %s\n", err);
            return EXIT_FAIL;
        }
        if (clock_wall_ms() > d->expires_at_ms) {
            fprintf(stderr, "tca login: the code expired before it was approved\n");
            return EXIT_FAIL;
        }
    }
}

int login_device_flow(struct app *a, FILE *msg, const char *scopes, struct store_user *user)
{
    struct twitch_device dev;
    struct twitch_token tok = {0};
    char err[256];
    int rc = 0;
    if (twitch_device_start(a->tw, scopes ? scopes : TWITCH_SCOPES, &dev, err, sizeof err)) {
        fprintf(stderr, "tca login: %s\n", err);
        rc = EXIT_FAIL;
        goto out;
    }
    fprintf(msg, "To log in, open %s and enter the code %s\n", dev.verification_uri, dev.user_code);
    fflush(msg);
    rc = wait_for_approval(a, &dev, &tok);
    if (rc)
        goto out;
    if (twitch_oauth_validate(a->tw, &tok, err, sizeof err)) {
        fprintf(stderr, "tca login: %s\n", err);
        rc = EXIT_FAIL;
        goto out;
    }
    memset(user, 0, sizeof *user);
    user->id = tok.user_id;
    user->last_login_ms = clock_wall_ms();
    snprintf(user->login, sizeof user->login, "%s", tok.login);
    snprintf(user->display_name, sizeof user->display_name, "%s", tok.login);
    struct twitch_user profile;
    if (twitch_get_user_by_login(a->tw, &tok, tok.login, &profile, err, sizeof err) == 0)
        snprintf(user->display_name, sizeof user->display_name, "%s", profile.display_name);
    int64_t session_id = 0;
    if (store_user_upsert(a->st, user, err, sizeof err) ||
        user_token_save(a->st, &a->keys, &tok, clock_wall_ms(), err, sizeof err) ||
        store_session_active(a->st, user->id, clock_wall_ms(), &session_id, err, sizeof err)) {
        fprintf(stderr, "tca login: %s\n", err);
        rc = EXIT_FAIL;
        goto out;
    }
    fprintf(msg, "Logged in as %s (id %lld); active session %lld\n", user->display_name,
            (long long)user->id, (long long)session_id);
out:
    twitch_token_clear(&tok);
    return rc;
}

int cmd_login(int argc, char **argv)
{
    struct app a;
    struct store_user user;
    char scopes[256], extras[64] = "";
    const char *with = NULL;
    int chat = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--chat") == 0)
            chat = 1;
        else if (strcmp(argv[i], "--with") == 0 && i + 1 < argc && !with)
            with = argv[++i];
        else
            bad = 1;
    }
    /* --with roles,followers: extra scopes a broadcaster grants only if they want them */
    snprintf(extras, sizeof extras, "%s%s%s", with ? with : "", with && chat ? "," : "",
             chat ? "chat" : "");
    if (bad || (with && strlen(with) > 40) ||
        twitch_scopes_with(extras, scopes, sizeof scopes) < 0) {
        fprintf(stderr, "usage: tca login [--chat] [--with roles|followers|roles,followers]\n"
                        "  --chat  also grant user:read:chat, for chat capture (tca chat on)\n"
                        "  --with  roles: moderation:read channel:read:vips (a broadcaster's\n"
                        "          moderators and VIPs); followers: moderator:read:followers\n");
        return EXIT_USAGE;
    }
    int rc = app_open(&a, "login", 1);
    if (!rc)
        rc = login_device_flow(&a, stdout, scopes, &user);
    app_close(&a);
    return rc;
}
