/*
 * The Helix endpoints of the simulator: Get Chatters, Get Users, Get Moderated Channels and
 * Get Streams, in the request and response shapes of helix-openapi.json, behind Bearer
 * tokens, Client-Id and a per-token rate-limit bucket. Must never answer from anything but
 * the world, the audience model and the token store (no wall clock in the audience).
 */
#include "sim/server.h"
#include "sim/helix_page.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_LOOKUPS 100

/* Checks the token, the Client-Id and the bucket; replies and returns -1 on failure. The
 * messages are Twitch's own where known, else the reference's wording. */
int helix_authenticate(struct sim *s, struct call *c, struct token_info *tok)
{
    const char *auth = call_header(c, MHD_HTTP_HEADER_AUTHORIZATION);
    const char *client = call_header(c, "Client-Id");
    int64_t now = clock_wall_ms();
    if (!auth || !*auth) {
        call_reply_helix_error(c, 401, "OAuth token is missing");
        return -1;
    }
    if (strncasecmp(auth, "Bearer ", 7) != 0 || tokens_lookup(s->tokens, auth + 7, now, tok) < 0) {
        call_reply_helix_error(c, 401, "Invalid OAuth token");
        return -1;
    }
    if (!client || !*client) {
        call_reply_helix_error(c, 401, "Client-Id header required");
        return -1;
    }
    if (strcmp(client, tok->client_id) != 0) {
        call_reply_helix_error(c, 401, "Client ID and OAuth token do not match");
        return -1;
    }
    struct token_bucket b;
    int rc = tokens_take_point(s->tokens, tok->access_token, now, &b);
    c->has_ratelimit = 1;
    c->rl_limit = b.limit;
    c->rl_remaining = b.remaining;
    c->rl_reset = b.reset_s;
    if (rc < 0) {
        call_reply_helix_error(c, 429, "Too many requests for this token; wait for the reset");
        return -1;
    }
    return 0;
}

static int get_chatters(struct sim *s, struct call *c, const struct token_info *tok)
{
    int64_t broadcaster, moderator, tick, offset, cursor_b;
    long first;
    const char *after = call_arg(c, "after");
    const char *b_arg = call_arg(c, "broadcaster_id"), *m_arg = call_arg(c, "moderator_id");
    /* Twitch checks the kind of token and its scope before it reads the query */
    if (!tok->user_id)
        return helix_fail(c, 401, "The Authorization header must contain a user access token");
    if (!helix_has_scope(tok, "moderator:read:chatters"))
        return helix_fail(c, 401, "Missing scope: moderator:read:chatters");
    if (!b_arg || !*b_arg)
        return helix_fail(c, 400, "Missing required parameter \"broadcaster_id\"");
    if (call_parse_id(b_arg, &broadcaster) < 0 || world_channel_index(s->world, broadcaster) < 0)
        return helix_fail(c, 400, "The ID in broadcaster_id is not valid");
    if (!m_arg || !*m_arg)
        return helix_fail(c, 400, "Missing required parameter \"moderator_id\"");
    if (call_parse_id(m_arg, &moderator) < 0 || !world_user_exists(s->world, moderator))
        return helix_fail(c, 400, "The ID in moderator_id is not valid");
    if (moderator != tok->user_id)
        return helix_fail(
            c, 401,
            "The ID in the moderator_id query parameter must match the user ID in the "
            "access token");
    if (call_parse_int(call_arg(c, "first"), 1, 1000, 100, &first) < 0)
        return helix_fail(c, 400,
                          "The parameter \"first\" was malformed: the value must be 1..1000");
    int ch = world_channel_index(s->world, broadcaster);
    if (!world_can_moderate(s->world, broadcaster, moderator))
        return helix_fail(c, 403,
                          "The user in moderator_id is not one of the broadcaster's moderators");
    if (after && *after) {
        if (helix_cursor_read(after, "c", &tick, &offset, &cursor_b) < 0 || cursor_b != broadcaster)
            return helix_fail(c, 400, "Invalid cursor");
    } else {
        tick = sim_tick(s);
        offset = 0;
    }
    struct audience_snapshot *snap = audience_get(s->audience, (size_t)ch, tick);
    int64_t n = (int64_t)snap->n;
    /* Twitch's quirk: each later page starts with the previous page's last chatter. With
     * first=1 that would never progress, so a one-item page repeats nothing. */
    int64_t start = offset > 0 && first > 1 ? offset - 1 : offset;
    int64_t end = start + first < n ? start + first : n;
    json_t *data = json_array();
    for (int64_t i = start; i < end; i++) {
        struct world_user u;
        world_user_by_id(s->world, snap->ids[i], tick, &u);
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)u.id);
        json_array_append_new(data, json_pack("{s:s, s:s, s:s}", "user_id", id, "user_login",
                                              u.login, "user_name", u.display_name));
    }
    char *next = end < n ? helix_cursor_make("c", tick, end, broadcaster) : NULL;
    audience_release(s->audience, snap);
    call_reply_json(c, 200,
                    json_pack("{s:o, s:o, s:I}", "data", data, "pagination", helix_pagination(next),
                              "total", (json_int_t)n));
    return 0;
}

static json_t *user_json(const struct world_user *u)
{
    char id[24], created[32];
    snprintf(id, sizeof id, "%lld", (long long)u->id);
    clock_format_rfc3339(u->created_at_ms, created, sizeof created);
    char *image = xasprintf("https://static-cdn.jtvnw.net/jtv_user_pictures/%s-profile_image-"
                            "300x300.png",
                            u->login);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:i, s:s}", "id", id, "login",
                          u->login, "display_name", u->display_name, "type", "", "broadcaster_type",
                          u->broadcaster_type, "description", u->description, "profile_image_url",
                          image, "offline_image_url", "", "view_count", 0, "created_at", created);
    free(image);
    return j;
}

static int get_users(struct sim *s, struct call *c, const struct token_info *tok)
{
    const char *ids[MAX_LOOKUPS], *logins[MAX_LOOKUPS];
    size_t n_ids = call_args(c, "id", ids, MAX_LOOKUPS);
    size_t n_logins = call_args(c, "login", logins, MAX_LOOKUPS);
    if (n_ids + n_logins > MAX_LOOKUPS)
        return helix_fail(c, 400,
                          "The request exceeded the maximum of 100 id and login parameters");
    if (n_ids + n_logins == 0 && !tok->user_id)
        return helix_fail(c, 400,
                          "The id or login query parameter is required with an app access token");
    int64_t tick = sim_tick(s);
    json_t *data = json_array();
    struct world_user u;
    if (n_ids + n_logins == 0 && world_user_by_id(s->world, tok->user_id, tick, &u) == 0)
        json_array_append_new(data, user_json(&u));
    for (size_t i = 0; i < n_ids; i++) {
        int64_t id;
        if (call_parse_id(ids[i], &id) < 0) {
            json_decref(data);
            return helix_fail(c, 400, "Invalid user id");
        }
        if (world_user_by_id(s->world, id, tick, &u) == 0)
            json_array_append_new(data, user_json(&u));
    }
    for (size_t i = 0; i < n_logins; i++) {
        char login[32];
        size_t k = 0;
        for (; logins[i][k] && k < sizeof login - 1; k++)
            login[k] = (char)(logins[i][k] >= 'A' && logins[i][k] <= 'Z' ? logins[i][k] + 32
                                                                         : logins[i][k]);
        login[k] = 0;
        if (world_user_by_login(s->world, login, tick, &u) == 0)
            json_array_append_new(data, user_json(&u));
    }
    call_reply_json(c, 200, json_pack("{s:o}", "data", data));
    return 0;
}

static int get_moderated_channels(struct sim *s, struct call *c, const struct token_info *tok)
{
    int64_t user, offset = 0, unused;
    long first;
    const char *after = call_arg(c, "after");
    if (!tok->user_id)
        return helix_fail(c, 401, "The Authorization header must contain a user access token");
    if (!helix_has_scope(tok, "user:read:moderated_channels"))
        return helix_fail(c, 401, "Missing scope: user:read:moderated_channels");
    if (call_parse_id(call_arg(c, "user_id"), &user) < 0)
        return helix_fail(c, 400, "Missing or invalid parameter \"user_id\"");
    if (user != tok->user_id)
        return helix_fail(c, 401, "The ID in user_id must match the user ID in the access token");
    if (call_parse_int(call_arg(c, "first"), 1, 100, 20, &first) < 0)
        return helix_fail(c, 400,
                          "The parameter \"first\" was malformed: the value must be 1..100");
    if (after && *after && helix_cursor_read(after, "m", &offset, &unused, &unused) < 0)
        return helix_fail(c, 400, "Invalid cursor");
    int idx[256];
    size_t n = world_moderated_channels(s->world, user, idx, 256);
    if (n > 256)
        n = 256;
    json_t *data = json_array();
    size_t end = (size_t)offset + (size_t)first < n ? (size_t)offset + (size_t)first : n;
    for (size_t i = (size_t)offset; i < end; i++) {
        const struct world_channel *ch = world_channel_at(s->world, (size_t)idx[i]);
        char id[24];
        snprintf(id, sizeof id, "%lld", (long long)ch->id);
        json_array_append_new(data, json_pack("{s:s, s:s, s:s}", "broadcaster_id", id,
                                              "broadcaster_login", ch->login, "broadcaster_name",
                                              ch->display_name));
    }
    char *next = end < n ? helix_cursor_make("m", (int64_t)end, 0, 0) : NULL;
    call_reply_json(c, 200,
                    json_pack("{s:o, s:o}", "data", data, "pagination", helix_pagination(next)));
    return 0;
}

static json_t *stream_json(struct sim *s, size_t index, int64_t tick,
                           const struct stream_state *state)
{
    const struct world_channel *ch = world_channel_at(s->world, index);
    struct audience_snapshot *snap = audience_get(s->audience, index, tick);
    /* more people watch than chat */
    json_int_t viewers = (json_int_t)(snap->n * 13 / 10);
    audience_release(s->audience, snap);
    char id[32], user_id[24], started[32];
    snprintf(id, sizeof id, "%llu", (unsigned long long)state->stream_id);
    snprintf(user_id, sizeof user_id, "%lld", (long long)ch->id);
    clock_format_rfc3339(state->started_at_ms, started, sizeof started);
    char *thumb = xasprintf(
        "https://static-cdn.jtvnw.net/previews-ttv/live_user_%s-{width}x{height}.jpg", ch->login);
    json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:I, s:s, s:s, s:s, s:[], "
                          "s:[ss], s:b}",
                          "id", id, "user_id", user_id, "user_login", ch->login, "user_name",
                          ch->display_name, "game_id", ch->game_id, "game_name", ch->game_name,
                          "type", "live", "title", ch->title, "viewer_count", viewers, "started_at",
                          started, "language", "en", "thumbnail_url", thumb, "tag_ids", "tags",
                          "English", "Simulated", "is_mature", 0);
    free(thumb);
    return j;
}

static int get_streams(struct sim *s, struct call *c, const struct token_info *tok)
{
    const char *ids[MAX_LOOKUPS], *logins[MAX_LOOKUPS];
    size_t n_ids = call_args(c, "user_id", ids, MAX_LOOKUPS);
    size_t n_logins = call_args(c, "user_login", logins, MAX_LOOKUPS);
    const char *type = call_arg(c, "type");
    long first;
    int64_t offset = 0, unused;
    const char *after = call_arg(c, "after");
    if (n_ids > MAX_LOOKUPS || n_logins > MAX_LOOKUPS)
        return helix_fail(c, 400, "At most 100 user_id and 100 user_login");
    if (type && strcmp(type, "all") != 0 && strcmp(type, "live") != 0)
        return helix_fail(c, 400, "The value in the type parameter is not valid");
    if (call_parse_int(call_arg(c, "first"), 1, 100, 20, &first) < 0)
        return helix_fail(c, 400,
                          "The parameter \"first\" was malformed: the value must be 1..100");
    if (after && *after && helix_cursor_read(after, "s", &offset, &unused, &unused) < 0)
        return helix_fail(c, 400, "Invalid cursor");
    size_t count = world_channel_count(s->world);
    char *wanted = xcalloc(count, 1);
    for (size_t i = 0; i < n_ids; i++) {
        int64_t id;
        int k = call_parse_id(ids[i], &id) == 0 ? world_channel_index(s->world, id) : -1;
        if (k >= 0)
            wanted[k] = 1;
    }
    for (size_t i = 0; i < n_logins; i++) {
        int k = world_channel_index_by_login(s->world, logins[i]);
        if (k >= 0)
            wanted[k] = 1;
    }
    int filtered = n_ids + n_logins > 0;
    int64_t tick = sim_tick(s);
    json_t *data = json_array();
    int64_t seen = 0;
    char *next = NULL;
    int64_t now = clock_wall_ms();
    for (size_t i = 0; i < count; i++) {
        struct stream_state state;
        if (filtered && !wanted[i])
            continue;
        streams_state(s->streams, i, tick, now, s->opt.tick_ms, &state);
        if (!state.live)
            continue;
        if (seen >= offset + first) {
            next = helix_cursor_make("s", offset + first, 0, 0);
            break;
        }
        if (seen++ >= offset)
            json_array_append_new(data, stream_json(s, i, tick, &state));
    }
    free(wanted);
    call_reply_json(c, 200,
                    json_pack("{s:o, s:o}", "data", data, "pagination", helix_pagination(next)));
    return 0;
}

int helix_handle(struct sim *s, struct call *c)
{
    static const struct {
        const char *path;
        int (*handle)(struct sim *, struct call *, const struct token_info *);
    } routes[] = {
        {"/helix/chat/chatters", get_chatters},
        {"/helix/users", get_users},
        {"/helix/moderation/channels", get_moderated_channels},
        {"/helix/streams", get_streams},
    };
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (strcmp(c->path, routes[i].path) != 0)
            continue;
        if (strcmp(c->method, "GET") != 0) {
            call_reply_helix_error(c, 404, "Not Found");
            return 1;
        }
        struct token_info tok;
        if (helix_authenticate(s, c, &tok) == 0)
            routes[i].handle(s, c, &tok);
        sodium_memzero(&tok, sizeof tok);
        return 1;
    }
    return 0;
}
