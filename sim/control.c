/*
 * The simulator's control API for tests and the demo (not Twitch): the manual clock, the
 * exact audience and scripted events, injected faults, token expiry, moderator changes, streams
 * going live or offline, and request statistics, all under /_sim/. It must never be needed by a
 * Twitch client: the Helix and OAuth endpoints behave the same whether or not it is used.
 */
#include "sim/server.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void control_fault_check(struct sim *s, const char *path, struct sim_fault_hit *hit)
{
    memset(hit, 0, sizeof *hit);
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n_faults; i++) {
        struct sim_fault *f = &s->faults[i];
        if (strcmp(f->path, path) != 0 || f->seen >= f->skip + f->count)
            continue;
        /* each rule counts every matching request, hit or not, so rules stack predictably */
        long k = f->seen++;
        if (k < f->skip || hit->status || hit->malformed || hit->delay_ms)
            continue;
        hit->status = f->status;
        hit->malformed = f->malformed;
        hit->delay_ms = f->delay_ms;
    }
    pthread_mutex_unlock(&s->lock);
}

static void bump(struct sim_stat *stats, size_t *n, size_t max, const char *key)
{
    size_t i = 0;
    while (i < *n && strcmp(stats[i].key, key) != 0)
        i++;
    if (i == *n) {
        if (*n == max) /* the last slot collects everything that did not fit */
            i = max - 1;
        else
            snprintf(stats[(*n)++].key, sizeof stats->key, "%s", key);
    }
    stats[i].count++;
}

void control_count(struct sim *s, const char *path, int status)
{
    char code[16];
    snprintf(code, sizeof code, "%d", status);
    pthread_mutex_lock(&s->lock);
    bump(s->paths, &s->n_paths, SIM_MAX_STAT_PATHS, strlen(path) < 64 ? path : "(long)");
    bump(s->statuses, &s->n_statuses, SIM_MAX_STAT_STATUSES, code);
    pthread_mutex_unlock(&s->lock);
}

static int fail(struct call *c, int status, const char *message)
{
    call_reply_oauth_error(c, status, message);
    return -1;
}

static json_t *id_strings(const int64_t *ids, size_t n, int64_t first, size_t count)
{
    json_t *a = json_array();
    char id[24];
    for (size_t i = 0; i < (ids ? n : count); i++) {
        snprintf(id, sizeof id, "%lld", (long long)(ids ? ids[i] : first + (int64_t)i));
        json_array_append_new(a, json_string(id));
    }
    return a;
}

static int channel_arg(struct sim *s, struct call *c)
{
    int64_t id;
    if (call_parse_id(call_arg(c, "broadcaster_id"), &id) < 0)
        return -1;
    return world_channel_index(s->world, id);
}

static int advance(struct sim *s, struct call *c)
{
    long ticks;
    if (call_parse_int(call_arg(c, "ticks"), 1, 1000000, 1, &ticks) < 0)
        return fail(c, 400, "ticks must be 1..1000000");
    pthread_mutex_lock(&s->lock);
    s->tick_offset += ticks;
    pthread_mutex_unlock(&s->lock);
    call_reply_json(c, 200, json_pack("{s:I}", "tick", (json_int_t)sim_tick(s)));
    return 0;
}

static int audience(struct sim *s, struct call *c)
{
    int ch = channel_arg(s, c);
    if (ch < 0)
        return fail(c, 400, "unknown or missing broadcaster_id");
    int64_t tick = sim_tick(s);
    struct audience_snapshot *snap = audience_get(s->audience, (size_t)ch, tick);
    json_t *ids = id_strings(snap->ids, snap->n, 0, 0);
    audience_release(s->audience, snap);
    call_reply_json(c, 200, json_pack("{s:I, s:o}", "tick", (json_int_t)tick, "user_ids", ids));
    return 0;
}

static int events(struct sim *s, struct call *c)
{
    int ch = channel_arg(s, c);
    if (ch < 0)
        return fail(c, 400, "unknown or missing broadcaster_id");
    struct audience_event ev[4];
    size_t n = audience_events(s->world, (size_t)ch, ev, 4);
    json_t *a = json_array();
    for (size_t i = 0; i < n && i < 4; i++) {
        json_t *e = json_pack("{s:s, s:I, s:i, s:o}", "kind", ev[i].kind, "tick",
                              (json_int_t)ev[i].tick, "size", ev[i].size, "user_ids",
                              id_strings(NULL, 0, ev[i].first_id, (size_t)ev[i].size));
        if (ev[i].created_on)
            json_object_set_new(e, "created_on", json_string(ev[i].created_on));
        json_array_append_new(a, e);
    }
    call_reply_json(c, 200, a);
    return 0;
}

static json_t *body_json(struct call *c)
{
    json_error_t jerr;
    return json_loadb(c->body, c->body_len, JSON_REJECT_DUPLICATES, &jerr);
}

static int add_fault(struct sim *s, struct call *c)
{
    json_t *j = body_json(c);
    const char *path = NULL;
    json_int_t skip = 0, count = 1, status = 0, delay = 0;
    int malformed = 0;
    json_error_t jerr;
    if (!j ||
        json_unpack_ex(j, &jerr, JSON_STRICT, "{s:s, s?I, s?I, s?I, s?b, s?I}", "path", &path,
                       "skip", &skip, "count", &count, "status", &status, "malformed", &malformed,
                       "delay_ms", &delay) < 0 ||
        strlen(path) >= sizeof s->faults->path || skip < 0 || count < 1 ||
        (status && (status < 400 || status > 599)) || delay < 0 || delay > 60000 ||
        !(status || malformed || delay)) {
        json_decref(j);
        return fail(c, 400,
                    "expected {\"path\",\"skip\",\"count\", and \"status\" (4xx/5xx), "
                    "\"malformed\":true or \"delay_ms\"}");
    }
    int rc = 0;
    pthread_mutex_lock(&s->lock);
    if (s->n_faults == SIM_MAX_FAULTS) {
        rc = -1;
    } else {
        struct sim_fault *f = &s->faults[s->n_faults++];
        memset(f, 0, sizeof *f);
        snprintf(f->path, sizeof f->path, "%s", path);
        f->skip = (long)skip;
        f->count = (long)count;
        f->status = (int)status;
        f->malformed = malformed;
        f->delay_ms = (long)delay;
    }
    size_t n = s->n_faults;
    pthread_mutex_unlock(&s->lock);
    json_decref(j);
    if (rc < 0)
        return fail(c, 400, "too many faults; DELETE /_sim/faults first");
    call_reply_json(c, 200, json_pack("{s:I}", "faults", (json_int_t)n));
    return 0;
}

static int clear_faults(struct sim *s, struct call *c)
{
    pthread_mutex_lock(&s->lock);
    s->n_faults = 0;
    pthread_mutex_unlock(&s->lock);
    call_reply_json(c, 200, json_pack("{s:i}", "faults", 0));
    return 0;
}

static int expire_tokens(struct sim *s, struct call *c)
{
    tokens_expire_all(s->tokens, clock_wall_ms());
    call_reply_json(c, 200, json_object());
    return 0;
}

static int moderators(struct sim *s, struct call *c)
{
    json_t *j = body_json(c);
    const char *b = NULL, *u = NULL;
    int on = 0;
    int64_t broadcaster, user;
    json_error_t jerr;
    if (!j ||
        json_unpack_ex(j, &jerr, JSON_STRICT, "{s:s, s:s, s:b}", "broadcaster_id", &b, "user_id",
                       &u, "moderator", &on) < 0 ||
        call_parse_id(b, &broadcaster) < 0 || call_parse_id(u, &user) < 0 ||
        world_set_moderator(s->world, broadcaster, user, on) < 0) {
        json_decref(j);
        return fail(c, 400,
                    "expected {\"broadcaster_id\",\"user_id\",\"moderator\":bool} "
                    "of a known channel");
    }
    json_decref(j);
    call_reply_json(c, 200, json_object());
    return 0;
}

static json_t *stream_state_json(struct sim *s, size_t index, const struct stream_state *st)
{
    const struct world_channel *ch = world_channel_at(s->world, index);
    char id[24], started[32] = "";
    snprintf(id, sizeof id, "%lld", (long long)ch->id);
    if (st->live)
        clock_format_rfc3339(st->started_at_ms, started, sizeof started);
    return json_pack("{s:s, s:s, s:b, s:I, s:I, s:s*}", "broadcaster_id", id, "login", ch->login,
                     "live", st->live, "since_tick", (json_int_t)st->since_tick, "until_tick",
                     (json_int_t)st->until_tick, "started_at", st->live ? started : NULL);
}

/* GET /_sim/streams: every channel's state now and when it changes by itself. */
static int list_streams(struct sim *s, struct call *c)
{
    int64_t tick = sim_tick(s), now = clock_wall_ms();
    json_t *a = json_array();
    for (size_t i = 0; i < world_channel_count(s->world); i++) {
        struct stream_state st;
        streams_state(s->streams, i, tick, now, s->opt.tick_ms, &st);
        json_array_append_new(a, stream_state_json(s, i, &st));
    }
    call_reply_json(c, 200, json_pack("{s:I, s:o}", "tick", (json_int_t)tick, "streams", a));
    return 0;
}

/* POST /_sim/streams {"broadcaster_id","live":bool}: the stream starts or ends now. */
static int switch_stream(struct sim *s, struct call *c)
{
    json_t *j = body_json(c);
    const char *b = NULL;
    int live = 0, index = -1;
    int64_t broadcaster;
    json_error_t jerr;
    if (j &&
        json_unpack_ex(j, &jerr, JSON_STRICT, "{s:s, s:b}", "broadcaster_id", &b, "live", &live) ==
            0 &&
        call_parse_id(b, &broadcaster) == 0)
        index = world_channel_index(s->world, broadcaster);
    json_decref(j);
    if (index < 0)
        return fail(c, 400, "expected {\"broadcaster_id\",\"live\":bool} of a known channel");
    struct stream_state st;
    streams_switch(s->streams, (size_t)index, live, sim_tick(s), clock_wall_ms(), s->opt.tick_ms,
                   &st);
    call_reply_json(c, 200, stream_state_json(s, (size_t)index, &st));
    return 0;
}

static int stats(struct sim *s, struct call *c)
{
    json_t *paths = json_object(), *statuses = json_object();
    pthread_mutex_lock(&s->lock);
    for (size_t i = 0; i < s->n_paths; i++)
        json_object_set_new(paths, s->paths[i].key, json_integer(s->paths[i].count));
    for (size_t i = 0; i < s->n_statuses; i++)
        json_object_set_new(statuses, s->statuses[i].key, json_integer(s->statuses[i].count));
    pthread_mutex_unlock(&s->lock);
    call_reply_json(c, 200,
                    json_pack("{s:o, s:o, s:i}", "requests", paths, "statuses", statuses,
                              "tokens_issued", (int)tokens_issued(s->tokens)));
    return 0;
}

int control_handle(struct sim *s, struct call *c)
{
    static const struct {
        const char *method;
        const char *path;
        int (*handle)(struct sim *, struct call *);
    } routes[] = {
        {"POST", "/_sim/advance", advance},       {"GET", "/_sim/audience", audience},
        {"GET", "/_sim/events", events},          {"POST", "/_sim/faults", add_fault},
        {"DELETE", "/_sim/faults", clear_faults}, {"POST", "/_sim/expire-tokens", expire_tokens},
        {"POST", "/_sim/moderators", moderators}, {"GET", "/_sim/stats", stats},
        {"GET", "/_sim/streams", list_streams},   {"POST", "/_sim/streams", switch_stream},
    };
    int path_known = 0;
    for (size_t i = 0; i < sizeof routes / sizeof *routes; i++) {
        if (strcmp(c->path, routes[i].path) != 0)
            continue;
        path_known = 1;
        if (strcmp(c->method, routes[i].method) == 0) {
            routes[i].handle(s, c);
            return 1;
        }
    }
    if (path_known)
        fail(c, 405, "method not allowed");
    return path_known;
}
