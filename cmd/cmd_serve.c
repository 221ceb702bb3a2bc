/*
 * serve: every role in one process on the embedded store: workers, scheduler and the HTTP
 * gateway. With no Twitch app configured it runs the simulator in-process and logs the demo
 * user in through it (chat scope included, chat capture on, EventSub from the simulator), so
 * a new user sees captures and chat arrive at once. A configured Twitch app is never
 * redirected to the simulator.
 */
#include "cmd/app.h"
#include "cmd/cmd_gateway.h"
#include "cmd/commands.h"
#include "cmd/login_flow.h"
#include "cmd/run_pool.h"
#include "cmd/signals.h"
#include "base/clock.h"
#include "base/log.h"
#include "base/xalloc.h"
#include "store/store_chat.h"
#include "twitch/user_token.h"
#include "sim/sim.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The simulated channels the demo captures unless told otherwise: a small one, a raid, and a
 * big one. */
static const char default_demo_channels[] = "raid_channel,cozy_channel,big_channel";

/* True when login is one of the comma-separated logins of list. */
static int listed(const char *list, const char *login)
{
    size_t len = strlen(login);
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        if (n == len && strncmp(p, login, n) == 0)
            return 1;
        p += n + (p[n] == ',');
    }
    return 0;
}

struct demo {
    struct sim *sim;
    char *api_base;
    char *auth_base;
};

/* Chat capture on for the demo's session: the chat panel fills at once. Messages are personal
 * data, but the demo's are the simulator's. Off when EventSub is (TWITCH_EVENTSUB_URL=off). */
static int demo_chat_on(struct app *a, int64_t session_id, char *err, size_t errlen)
{
    if (!a->cfg.twitch_eventsub_url)
        return 0;
    int rc = store_chat_set(a->st, session_id, 1, clock_wall_ms(), err, errlen);
    if (!rc)
        log_info("demo: chat capture on for session %lld (sentiment lexicons from %s)",
                 (long long)session_id, a->cfg.sentiment_lexicons);
    return rc;
}

static int schedule_demo(struct app *a, const struct store_user *me, const char *channels)
{
    char err[256];
    int64_t session_id;
    struct twitch_channel *mod = NULL;
    size_t n = 0;
    if (store_session_active(a->st, me->id, clock_wall_ms(), &session_id, err, sizeof err) ||
        demo_chat_on(a, session_id, err, sizeof err))
        goto fail;
    struct twitch_token tok = {0};
    /* The channels come from Twitch, as they would for a real moderator. */
    if (user_token_load(a->st, &a->keys, a->tw, me->id, clock_wall_ms(), &tok, err, sizeof err))
        goto fail;
    int rc = twitch_get_moderated_channels(a->tw, &tok, me->id, &mod, &n, err, sizeof err);
    twitch_token_clear(&tok);
    if (rc)
        goto fail;
    for (size_t i = 0; i < n; i++) {
        if (!listed(channels, mod[i].login))
            continue;
        struct store_channel c = {.id = mod[i].id};
        snprintf(c.login, sizeof c.login, "%s", mod[i].login);
        snprintf(c.display_name, sizeof c.display_name, "%s", mod[i].display_name);
        struct store_schedule s = {.session_id = session_id,
                                   .channel_id = c.id,
                                   .user_id = me->id,
                                   .interval_s = a->cfg.capture_interval,
                                   .next_at_ms = clock_wall_ms(),
                                   .enabled = 1};
        if (store_channel_upsert(a->st, &c, err, sizeof err) ||
            store_schedule_set(a->st, &s, err, sizeof err))
            goto fail;
        log_info("demo: capturing %s every %d s into session %lld", c.login,
                 a->cfg.capture_interval, (long long)session_id);
    }
    free(mod);
    return 0;
fail:
    free(mod);
    log_error("demo: %s", err);
    return EXIT_FAIL;
}

static int start_demo(struct app *a, struct demo *d, const char *channels)
{
    struct sim_options so;
    char err[256];
    int port = 0;
    sim_options_default(&so);
    so.tick_ms = (int64_t)a->cfg.capture_interval * 1000;
    so.device_interval_s = 1;
    d->sim = sim_new(&so);
    if (sim_start(d->sim, "127.0.0.1:0", &port, err, sizeof err)) {
        log_error("demo: simulated Twitch failed to start: %s", err);
        return EXIT_FAIL;
    }
    d->api_base = xasprintf("http://127.0.0.1:%d/helix", port);
    d->auth_base = xasprintf("http://127.0.0.1:%d/oauth2", port);
    log_info("demo: no Twitch app configured, using a simulated Twitch at %s", d->api_base);
    app_use_twitch(a, d->api_base, d->auth_base, so.client_id, so.client_secret);
    /* the worker's EventSub runner reads the simulator's chat, never Twitch's, unless off */
    if (a->cfg.twitch_eventsub_url) {
        free(a->cfg.twitch_eventsub_url);
        a->cfg.twitch_eventsub_url = sim_eventsub_url(d->sim);
        log_info("demo: chat from the simulated EventSub at %s", a->cfg.twitch_eventsub_url);
    }
    struct store_user me;
    FILE *devnull = fopen("/dev/null", "w");
    const char *scopes = a->cfg.twitch_eventsub_url ? TWITCH_SCOPES_CHAT : TWITCH_SCOPES;
    int rc = login_device_flow(a, devnull ? devnull : stderr, scopes, &me);
    if (devnull)
        fclose(devnull);
    if (rc)
        return rc;
    log_info("demo: logged in as %s", me.login);
    return schedule_demo(a, &me, channels);
}

int cmd_serve(int argc, char **argv)
{
    struct app a;
    struct demo d = {0};
    struct web *w = NULL;
    const char *listen = NULL, *channels = default_demo_channels;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--listen") == 0 && i + 1 < argc) {
            listen = argv[++i];
        } else if (strcmp(argv[i], "--demo-channels") == 0 && i + 1 < argc) {
            channels = argv[++i];
        } else {
            fprintf(stderr, "usage: tca serve [--listen HOST:PORT] [--demo-channels LOGIN,...]\n");
            return EXIT_USAGE;
        }
    }
    signals_install();
    int rc = app_open(&a, "serve", 0);
    if (!rc && a.cfg.demo)
        rc = start_demo(&a, &d, channels);
    /* in demo mode the browser logs in through the simulator's authorize auto-consent */
    if (!rc)
        rc = gateway_start(&a, listen, &w);
    if (!rc)
        rc = run_pool_until_signal(&a, "serve", 1);
    web_stop(w); /* requests in flight finish; captures already finished with the pool */
    app_close(&a);
    sim_free(d.sim);
    free(d.api_base);
    free(d.auth_base);
    return rc;
}
