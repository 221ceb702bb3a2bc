/*
 * Roles in the simulated channels, and the two Helix endpoints that list them: Get
 * Moderators (`moderation:read`) and Get VIPs (`channel:read:vips`). Both answer only the
 * broadcaster's own token, as Twitch documents (401 otherwise, even for a moderator), page
 * with `first` (1..100, default 20) and an opaque cursor, and filter by up to 100 `user_id`
 * in the order given. Must never answer from anything but the world.
 */
#include "sim/roles.h"
#include "sim/helix_page.h"
#include "sim/server.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define MAX_FILTER 100

enum { TAG_ROLE = 21 };

/* A regular's role: 2% are moderators, 3% VIPs; the channel's second regular is always a
 * moderator and its third always a VIP, so even a small channel has one of each. */
static int regular_role(const struct world *w, size_t ch, int64_t k, int64_t id)
{
    if (k == 1)
        return 'm';
    if (k == 2)
        return 'v';
    uint64_t h = world_hash(world_seed(w), TAG_ROLE, (uint64_t)id, ch) % 100;
    return h < 2 ? 'm' : h < 5 ? 'v' : 0;
}

static size_t regulars_with(const struct world *w, size_t ch, int role, int64_t *out, size_t n,
                            size_t max)
{
    const struct world_channel *c = world_channel_at(w, ch);
    for (int64_t k = 0; k < c->regulars && n < max; k++)
        if (regular_role(w, ch, k, c->pool_base + k) == role)
            out[n++] = c->pool_base + k;
    return n;
}

size_t roles_moderators(struct world *w, size_t ch, int64_t *out, size_t max)
{
    size_t n = world_channel_moderators(w, ch, out, max);
    return regulars_with(w, ch, 'm', out, n, max);
}

size_t roles_vips(const struct world *w, size_t ch, int64_t *out, size_t max)
{
    return regulars_with(w, ch, 'v', out, 0, max);
}

static json_t *role_json(struct sim *s, int64_t id, int64_t tick)
{
    struct world_user u;
    char text[24];
    world_user_by_id(s->world, id, tick, &u);
    snprintf(text, sizeof text, "%lld", (long long)id);
    return json_pack("{s:s, s:s, s:s}", "user_id", text, "user_login", u.login, "user_name",
                     u.display_name);
}

/* The shared part of Get Moderators and Get VIPs; `scopes` are the two accepted ones. */
static int list_role(struct sim *s, struct call *c, const struct token_info *tok, int role,
                     const char *scope, const char *alt_scope, const char *cursor_kind)
{
    int64_t broadcaster, offset = 0, unused;
    long first;
    const char *filter[MAX_FILTER + 1];
    size_t n_filter = call_args(c, "user_id", filter, MAX_FILTER + 1);
    const char *after = call_arg(c, "after");
    char message[96];
    if (!tok->user_id)
        return helix_fail(c, 401, "The Authorization header must contain a user access token");
    if (!helix_has_scope(tok, scope) && !helix_has_scope(tok, alt_scope)) {
        snprintf(message, sizeof message, "Missing scope: %s or %s", scope, alt_scope);
        return helix_fail(c, 401, message);
    }
    const char *b_arg = call_arg(c, "broadcaster_id");
    if (!b_arg || !*b_arg)
        return helix_fail(c, 400, "Missing required parameter \"broadcaster_id\"");
    if (call_parse_id(b_arg, &broadcaster) < 0 || broadcaster != tok->user_id)
        return helix_fail(c, 401,
                          "The ID in broadcaster_id must match the user ID found in the access "
                          "token");
    if (n_filter > MAX_FILTER)
        return helix_fail(c, 400,
                          "The number of user_id query parameters exceeds the maximum "
                          "of 100");
    if (call_parse_int(call_arg(c, "first"), 1, 100, 20, &first) < 0)
        return helix_fail(c, 400,
                          "The parameter \"first\" was malformed: the value must be 1..100");
    if (after && *after &&
        (helix_cursor_read(after, cursor_kind, &offset, &unused, &unused) < 0 || unused != 0))
        return helix_fail(c, 400, "Invalid cursor");
    int ch = world_channel_index(s->world, broadcaster);
    int64_t ids[ROLES_MAX];
    size_t n = ch < 0        ? 0
               : role == 'm' ? roles_moderators(s->world, (size_t)ch, ids, ROLES_MAX)
                             : roles_vips(s->world, (size_t)ch, ids, ROLES_MAX);
    if (n_filter > 0) { /* only those who hold the role, in the order asked */
        int64_t kept[MAX_FILTER];
        size_t k = 0;
        for (size_t i = 0; i < n_filter; i++) {
            int64_t id;
            if (call_parse_id(filter[i], &id) < 0)
                return helix_fail(c, 400, "The ID in the user_id query parameter is not valid");
            for (size_t j = 0; j < n; j++)
                if (ids[j] == id) {
                    kept[k++] = id;
                    break;
                }
        }
        memcpy(ids, kept, k * sizeof *ids);
        n = k;
    }
    int64_t tick = sim_tick(s);
    json_t *data = json_array();
    size_t end = (size_t)offset + (size_t)first < n ? (size_t)offset + (size_t)first : n;
    for (size_t i = (size_t)offset; i < end; i++)
        json_array_append_new(data, role_json(s, ids[i], tick));
    char *next = end < n ? helix_cursor_make(cursor_kind, (int64_t)end, 0, 0) : NULL;
    call_reply_json(c, 200,
                    json_pack("{s:o, s:o}", "data", data, "pagination", helix_pagination(next)));
    return 0;
}

static int get_moderators(struct sim *s, struct call *c, const struct token_info *tok)
{
    return list_role(s, c, tok, 'm', "moderation:read", "channel:manage:moderators", "r");
}

static int get_vips(struct sim *s, struct call *c, const struct token_info *tok)
{
    return list_role(s, c, tok, 'v', "channel:read:vips", "channel:manage:vips", "v");
}

int roles_handle(struct sim *s, struct call *c)
{
    int (*handle)(struct sim *, struct call *, const struct token_info *) =
        strcmp(c->path, "/helix/moderation/moderators") == 0 ? get_moderators
        : strcmp(c->path, "/helix/channels/vips") == 0       ? get_vips
                                                             : NULL;
    if (!handle)
        return 0;
    if (strcmp(c->method, "GET") != 0) {
        call_reply_helix_error(c, 404, "Not Found");
        return 1;
    }
    struct token_info tok;
    if (helix_authenticate(s, c, &tok) == 0)
        handle(s, c, &tok);
    sodium_memzero(&tok, sizeof tok);
    return 1;
}
