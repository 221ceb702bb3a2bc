/*
 * The follower model of the simulated channels and Helix Get Channel Followers
 * (`moderator:read:followers`). As Twitch documents it: the list is newest first with
 * `followed_at`, `total` is always given, and a token without the scope or whose user is
 * neither the broadcaster nor one of its moderators gets the total alone; `user_id` (does
 * this user follow?) needs the broadcaster's own token. Must never depend on request order.
 */
#include "sim/followers.h"
#include "sim/helix_page.h"
#include "sim/server.h"

#include "base/clock.h"
#include "base/xalloc.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { TAG_FOLLOW = 31, TAG_FOLLOW_AT = 32 };

#define FOLLOW_PERCENT 25 /* of a channel's own viewers */
#define FOLLOW_SPAN 2000  /* follow ticks spread over [-PAST, SPAN - PAST) */
#define FOLLOW_PAST 1600

struct channel_slot {
    pthread_mutex_t lock;
    struct follower_list *last;
};

struct followers {
    const struct world *world;
    int64_t start_ms, tick_ms;
    struct world_follow_wave wave;
    struct channel_slot *slots;
    size_t n;
};

struct followers *followers_new(const struct world *w, int64_t start_ms, int64_t tick_ms)
{
    struct followers *f = xcalloc(1, sizeof *f);
    f->world = w;
    f->start_ms = start_ms;
    f->tick_ms = tick_ms > 0 ? tick_ms : 60000;
    world_follow_wave(w, &f->wave);
    f->n = world_channel_count(w);
    f->slots = xcalloc(f->n, sizeof *f->slots);
    for (size_t i = 0; i < f->n; i++)
        pthread_mutex_init(&f->slots[i].lock, NULL);
    return f;
}

static void list_free(struct follower_list *l)
{
    if (l) {
        free(l->follows);
        free(l);
    }
}

void followers_free(struct followers *f)
{
    if (!f)
        return;
    for (size_t i = 0; i < f->n; i++) {
        list_free(f->slots[i].last);
        pthread_mutex_destroy(&f->slots[i].lock);
    }
    free(f->slots);
    free(f);
}

int64_t followers_tick_of(const struct followers *f, size_t ch, int64_t user_id)
{
    int64_t k = user_id - WORLD_FOLLOWBOT_BASE;
    if (k >= 0 && k < f->wave.size)
        return (size_t)f->wave.channel == ch ? f->wave.tick + k % 2 : INT64_MIN;
    const struct world_channel *c = world_channel_at(f->world, ch);
    if (user_id < c->pool_base || user_id >= c->pool_base + c->pool_size)
        return INT64_MIN;
    uint64_t h = world_hash(world_seed(f->world), TAG_FOLLOW, (uint64_t)user_id, ch);
    if (h % 100 >= FOLLOW_PERCENT)
        return INT64_MIN;
    return (int64_t)((h >> 8) % FOLLOW_SPAN) - FOLLOW_PAST;
}

static int newest_first(const void *a, const void *b)
{
    const struct follow *x = a, *y = b;
    if (x->at_ms != y->at_ms)
        return x->at_ms < y->at_ms ? 1 : -1;
    return x->user_id < y->user_id ? 1 : x->user_id > y->user_id ? -1 : 0;
}

static void add(struct followers *f, struct follower_list *l, size_t *cap, size_t ch, int64_t id,
                int64_t tick)
{
    int64_t t = followers_tick_of(f, ch, id);
    if (t == INT64_MIN || t > tick)
        return;
    if (l->n == *cap) {
        *cap = *cap ? *cap * 2 : 256;
        l->follows = xreallocarray(l->follows, *cap, sizeof *l->follows);
    }
    uint64_t h = world_hash(world_seed(f->world), TAG_FOLLOW_AT, (uint64_t)id, ch);
    l->follows[l->n].user_id = id;
    l->follows[l->n++].at_ms = f->start_ms + t * f->tick_ms + (int64_t)(h % (uint64_t)f->tick_ms);
}

static struct follower_list *compute(struct followers *f, size_t ch, int64_t tick)
{
    struct follower_list *l = xcalloc(1, sizeof *l);
    size_t cap = 0;
    l->channel = ch;
    const struct world_channel *c = world_channel_at(f->world, ch);
    l->tick = tick;
    for (int64_t k = 0; k < c->pool_size; k++)
        add(f, l, &cap, ch, c->pool_base + k, tick);
    if ((size_t)f->wave.channel == ch)
        for (int k = 0; k < f->wave.size; k++)
            add(f, l, &cap, ch, WORLD_FOLLOWBOT_BASE + k, tick);
    qsort(l->follows, l->n, sizeof *l->follows, newest_first);
    return l;
}

struct follower_list *followers_get(struct followers *f, size_t ch, int64_t tick)
{
    struct channel_slot *slot = &f->slots[ch];
    pthread_mutex_lock(&slot->lock);
    struct follower_list *l = slot->last;
    if (!l || l->tick != tick) {
        /* computed under the lock: concurrent pages of one tick wait for one computation */
        l = compute(f, ch, tick);
        if (slot->last && --slot->last->refs == 0)
            list_free(slot->last);
        slot->last = l;
        l->refs = 1; /* the slot's own reference */
    }
    l->refs++;
    pthread_mutex_unlock(&slot->lock);
    return l;
}

void followers_release(struct followers *f, struct follower_list *l)
{
    if (!l)
        return;
    struct channel_slot *slot = &f->slots[l->channel];
    pthread_mutex_lock(&slot->lock);
    int last = --l->refs == 0;
    pthread_mutex_unlock(&slot->lock);
    if (last)
        list_free(l);
}

static void follow_json(struct sim *s, json_t *data, const struct follow *fo, int64_t tick)
{
    struct world_user u;
    char id[24], at[32];
    world_user_by_id(s->world, fo->user_id, tick, &u);
    snprintf(id, sizeof id, "%lld", (long long)fo->user_id);
    clock_format_rfc3339(fo->at_ms, at, sizeof at);
    json_array_append_new(data, json_pack("{s:s, s:s, s:s, s:s}", "user_id", id, "user_login",
                                          u.login, "user_name", u.display_name, "followed_at", at));
}

static int get_followers(struct sim *s, struct call *c, const struct token_info *tok)
{
    int64_t broadcaster, user = 0, tick, offset = 0, cursor_b;
    long first;
    const char *b_arg = call_arg(c, "broadcaster_id"), *u_arg = call_arg(c, "user_id");
    const char *after = call_arg(c, "after");
    if (!tok->user_id)
        return helix_fail(c, 401, "The Authorization header must contain a user access token");
    if (!b_arg || !*b_arg)
        return helix_fail(c, 400, "Missing required parameter \"broadcaster_id\"");
    int ch =
        call_parse_id(b_arg, &broadcaster) == 0 ? world_channel_index(s->world, broadcaster) : -1;
    if (ch < 0)
        return helix_fail(c, 400, "The broadcaster_id query parameter is not valid");
    int scoped = helix_has_scope(tok, "moderator:read:followers");
    if (u_arg && *u_arg && (!scoped || broadcaster != tok->user_id))
        return helix_fail(c, 401,
                          "The user_id parameter requires the moderator:read:followers scope "
                          "and the broadcaster's own token");
    if (u_arg && *u_arg && call_parse_id(u_arg, &user) < 0)
        return helix_fail(c, 400, "The user_id query parameter is not valid");
    if (call_parse_int(call_arg(c, "first"), 1, 100, 20, &first) < 0)
        return helix_fail(c, 400,
                          "The parameter \"first\" was malformed: the value must be 1..100");
    if (after && *after) {
        if (helix_cursor_read(after, "f", &tick, &offset, &cursor_b) < 0 || cursor_b != broadcaster)
            return helix_fail(c, 400, "Invalid cursor");
    } else {
        tick = sim_tick(s);
    }
    struct follower_list *l = followers_get(s->followers, (size_t)ch, tick);
    json_t *data = json_array();
    char *next = NULL;
    /* Twitch's documented quirk: without the scope, or for someone who does not moderate
     * the channel, the answer is the total alone */
    if (scoped && world_can_moderate(s->world, broadcaster, tok->user_id)) {
        if (user) {
            for (size_t i = 0; i < l->n; i++)
                if (l->follows[i].user_id == user)
                    follow_json(s, data, &l->follows[i], tick);
        } else {
            size_t end =
                (size_t)offset + (size_t)first < l->n ? (size_t)offset + (size_t)first : l->n;
            for (size_t i = (size_t)offset; i < end; i++)
                follow_json(s, data, &l->follows[i], tick);
            next = end < l->n ? helix_cursor_make("f", tick, (int64_t)end, broadcaster) : NULL;
        }
    }
    json_int_t total = (json_int_t)l->n;
    followers_release(s->followers, l);
    call_reply_json(c, 200,
                    json_pack("{s:I, s:o, s:o}", "total", total, "data", data, "pagination",
                              helix_pagination(next)));
    return 0;
}

int followers_handle(struct sim *s, struct call *c)
{
    if (strcmp(c->path, "/helix/channels/followers") != 0)
        return 0;
    if (strcmp(c->method, "GET") != 0) {
        call_reply_helix_error(c, 404, "Not Found");
        return 1;
    }
    struct token_info tok;
    if (helix_authenticate(s, c, &tok) == 0)
        get_followers(s, c, &tok);
    sodium_memzero(&tok, sizeof tok);
    return 1;
}
