/*
 * The channels a user may capture: their own plus every channel they moderate (Get
 * Moderated Channels, every page; it never lists the user's own channel), with live status
 * from Get Streams. The list is kept in the store, so every authorization check is one
 * lookup, and refreshed from Twitch when asked or older than CHANNELS_FRESH_MS.
 */
#include "web/internal.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHANNELS_FRESH_MS (5 * 60 * 1000)

int web_channels_refresh(struct web_req *r, struct twitch_token *tok, int64_t user_id, char *err,
                         size_t errlen)
{
    struct twitch_client *tw = web_twitch(r);
    struct twitch_user *own = NULL;
    struct twitch_channel *mod = NULL;
    struct twitch_stream *live = NULL;
    size_t n_own = 0, n_mod = 0, n_live = 0;
    struct store_user_channel *all = NULL;
    int64_t *ids = NULL;
    int rc = twitch_get_users(tw, tok, &user_id, 1, &own, &n_own, err, errlen);
    if (!rc)
        rc = twitch_get_moderated_channels(tw, tok, user_id, &mod, &n_mod, err, errlen);
    if (rc)
        goto out;
    size_t n = n_own + n_mod;
    all = xcalloc(n ? n : 1, sizeof *all);
    ids = xcalloc(n ? n : 1, sizeof *ids);
    for (size_t i = 0; i < n_own; i++) {
        all[i].channel.id = own[i].id;
        snprintf(all[i].channel.login, sizeof all[i].channel.login, "%s", own[i].login);
        snprintf(all[i].channel.display_name, sizeof all[i].channel.display_name, "%s",
                 own[i].display_name);
        snprintf(all[i].role, sizeof all[i].role, "broadcaster");
    }
    for (size_t i = 0; i < n_mod; i++) {
        struct store_user_channel *c = &all[n_own + i];
        c->channel.id = mod[i].id;
        snprintf(c->channel.login, sizeof c->channel.login, "%s", mod[i].login);
        snprintf(c->channel.display_name, sizeof c->channel.display_name, "%s",
                 mod[i].display_name);
        snprintf(c->role, sizeof c->role, "moderator");
    }
    for (size_t i = 0; i < n; i++)
        ids[i] = all[i].channel.id;
    if (n > 0) {
        rc = twitch_get_streams(tw, tok, ids, n, &live, &n_live, err, errlen);
        if (rc)
            goto out;
    }
    for (size_t i = 0; i < n_live; i++)
        for (size_t k = 0; k < n; k++)
            if (all[k].channel.id == live[i].user_id) {
                all[k].live = 1;
                all[k].viewers = live[i].viewer_count;
            }
    rc = store_user_channels_set(r->st, user_id, all, n, web_now_ms(r), err, errlen);
out:
    free(own);
    free(mod);
    free(live);
    free(all);
    free(ids);
    return rc;
}

static int refresh_wanted(struct web_req *r, int *out)
{
    const char *v = web_query(r, "refresh");
    *out = 0;
    if (!v)
        return 0;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0)
        *out = 1;
    else if (strcmp(v, "false") != 0 && strcmp(v, "0") != 0) {
        web_error(r, 400, "invalid_parameter", "refresh must be true or false");
        return -1;
    }
    return 0;
}

void web_api_channels(struct web_req *r)
{
    char err[256];
    int refresh;
    if (refresh_wanted(r, &refresh) < 0 || !web_store(r))
        return;
    struct store_user_channel *c = NULL;
    size_t n = 0;
    int rc = store_user_channels(r->st, r->user_id, &c, &n, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    int64_t oldest = n ? c[0].checked_at_ms : 0;
    for (size_t i = 0; i < n; i++)
        if (c[i].checked_at_ms < oldest)
            oldest = c[i].checked_at_ms;
    if (refresh || n == 0 || web_now_ms(r) - oldest > CHANNELS_FRESH_MS) {
        free(c);
        c = NULL;
        struct twitch_token tok = {0};
        if (web_user_token(r, &tok))
            return;
        rc = web_channels_refresh(r, &tok, r->user_id, err, sizeof err);
        twitch_token_clear(&tok);
        web_twitch_refused(r, rc);
        if (!rc)
            rc = store_user_channels(r->st, r->user_id, &c, &n, err, sizeof err);
        if (rc) {
            web_fail(r, rc, rc == TCA_EDB ? err : "Twitch could not list your channels");
            free(c);
            return;
        }
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, json_pack("{s:I, s:s, s:s, s:s, s:b, s:I}", "id",
                                           (json_int_t)c[i].channel.id, "login", c[i].channel.login,
                                           "display_name", c[i].channel.display_name, "role",
                                           c[i].role, "live", c[i].live, "viewer_count",
                                           (json_int_t)c[i].viewers));
    free(c);
    web_reply_json(r, 200, json_pack("{s:o}", "channels", a));
}

void web_home(struct web_req *r)
{
    /* the dashboard when the UI is installed; API clients asking for JSON get the pointers */
    const char *accept = web_header(r, MHD_HTTP_HEADER_ACCEPT);
    if (!(accept && strstr(accept, "application/json") && !strstr(accept, "text/html")) &&
        web_static_index(r) == 0)
        return;
    web_reply_json(r, 200,
                   json_pack("{s:s, s:s, s:s}", "name", "tca, the Twitch Chatters Analyser",
                             "login", "/auth/login", "api", "/api/v1/openapi.json"));
}
