/*
 * Ground truth for tests about roles and followers, under /_sim/ (not Twitch): who the
 * moderators and VIPs of a channel are, and who followed it when, including the seed's
 * follow-bot wave. Read-only: it must never change what Helix answers.
 */
#include "sim/followers.h"
#include "sim/roles.h"
#include "sim/server.h"

#include "base/clock.h"

#include <stdio.h>
#include <string.h>

static json_t *ids_json(const int64_t *ids, size_t n)
{
    json_t *a = json_array();
    char id[24];
    for (size_t i = 0; i < n; i++) {
        snprintf(id, sizeof id, "%lld", (long long)ids[i]);
        json_array_append_new(a, json_string(id));
    }
    return a;
}

static int channel_of(struct sim *s, struct call *c)
{
    int64_t id;
    if (call_parse_id(call_arg(c, "broadcaster_id"), &id) < 0)
        return -1;
    return world_channel_index(s->world, id);
}

/* GET /_sim/roles?broadcaster_id=: {"moderators":[ids],"vips":[ids]} */
static void roles(struct sim *s, struct call *c, int ch)
{
    int64_t mods[ROLES_MAX], vips[ROLES_MAX];
    size_t n_mods = roles_moderators(s->world, (size_t)ch, mods, ROLES_MAX);
    size_t n_vips = roles_vips(s->world, (size_t)ch, vips, ROLES_MAX);
    call_reply_json(c, 200,
                    json_pack("{s:o, s:o}", "moderators", ids_json(mods, n_mods), "vips",
                              ids_json(vips, n_vips)));
}

/* GET /_sim/followers?broadcaster_id=[&since_tick=]: the total now, who followed after
 * since_tick (newest first), and the seed's follow-bot wave wherever it is. */
static void followers(struct sim *s, struct call *c, int ch)
{
    long since;
    if (call_parse_int(call_arg(c, "since_tick"), -1000000, 1000000, -1000000, &since) < 0) {
        call_reply_oauth_error(c, 400, "since_tick must be an integer");
        return;
    }
    int64_t tick = sim_tick(s);
    struct follower_list *l = followers_get(s->followers, (size_t)ch, tick);
    json_t *fresh = json_array();
    char id[24];
    for (size_t i = 0; i < l->n; i++)
        if (followers_tick_of(s->followers, (size_t)ch, l->follows[i].user_id) > since) {
            snprintf(id, sizeof id, "%lld", (long long)l->follows[i].user_id);
            json_array_append_new(fresh, json_string(id));
        }
    json_int_t total = (json_int_t)l->n;
    followers_release(s->followers, l);
    struct world_follow_wave w;
    world_follow_wave(s->world, &w);
    int64_t wave_ids[WORLD_FOLLOWBOT_MAX];
    for (int k = 0; k < w.size; k++)
        wave_ids[k] = WORLD_FOLLOWBOT_BASE + k;
    char broadcaster[24], created[32];
    snprintf(broadcaster, sizeof broadcaster, "%lld",
             (long long)world_channel_at(s->world, (size_t)w.channel)->id);
    clock_format_rfc3339(w.created_from_ms, created, sizeof created);
    json_t *wave = json_pack("{s:s, s:I, s:i, s:s, s:o}", "broadcaster_id", broadcaster, "tick",
                             (json_int_t)w.tick, "size", w.size, "created_from", created,
                             "user_ids", ids_json(wave_ids, (size_t)w.size));
    call_reply_json(c, 200,
                    json_pack("{s:I, s:I, s:o, s:o}", "tick", (json_int_t)tick, "total", total,
                              "followed_since", fresh, "follow_wave", wave));
}

int audience_truth_handle(struct sim *s, struct call *c)
{
    int is_roles = strcmp(c->path, "/_sim/roles") == 0;
    if (!is_roles && strcmp(c->path, "/_sim/followers") != 0)
        return 0;
    int ch = channel_of(s, c);
    if (strcmp(c->method, "GET") != 0)
        call_reply_oauth_error(c, 405, "method not allowed");
    else if (ch < 0)
        call_reply_oauth_error(c, 400, "unknown or missing broadcaster_id");
    else if (is_roles)
        roles(s, c, ch);
    else
        followers(s, c, ch);
    return 1;
}
