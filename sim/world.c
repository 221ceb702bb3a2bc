/*
 * The simulated world's cast, id layout, profiles and renames. Profiles are computed from
 * (seed, id, tick) on demand, so a 100,000-chatter channel costs no memory per user. Only the
 * moderator table changes (through the control API) and it is guarded by a mutex. Never
 * reads the clock.
 */
#include "sim/world.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_MODS 16

struct channel_mods {
    int64_t ids[MAX_MODS];
    size_t n;
};

struct world {
    uint64_t seed;
    struct world_options opt;
    struct world_channel *channels;
    size_t n_channels;
    struct channel_mods *mods; /* one per channel */
    pthread_mutex_t lock;      /* guards mods */
};

static const char *const adjectives[] = {
    "sleepy", "happy",  "brave", "quiet", "lucky", "silly", "rapid", "cosmic",
    "mellow", "frosty", "sunny", "witty", "fuzzy", "noble", "pixel", "retro",
    "salty",  "spicy",  "tiny",  "grand", "lazy",  "bold",  "shy",   "wild",
};
static const char *const nouns[] = {
    "otter", "panda", "gamer", "knight", "wizard", "fox",   "raven", "tiger",
    "lemon", "comet", "pilot", "bard",   "ninja",  "koala", "yeti",  "golem",
    "moose", "lynx",  "crab",  "owl",    "badger", "mango", "toast", "waffle",
};
#define N_ADJ (sizeof adjectives / sizeof *adjectives)
#define N_NOUN (sizeof nouns / sizeof *nouns)

/* Tags keep the hash streams of unrelated decisions independent. */
enum { TAG_NAME = 1, TAG_RENAME = 2, TAG_CREATED = 3, TAG_FOLLOW_WAVE = 4 };

void world_options_default(struct world_options *o)
{
    memset(o, 0, sizeof *o);
    o->rename_permille = 10;
}

uint64_t world_hash(uint64_t seed, uint64_t tag, uint64_t a, uint64_t b)
{
    /* splitmix64's finaliser, chained: cheap enough to call per chatter per tick. */
    uint64_t x = seed * 0x9E3779B97F4A7C15ull ^ tag * 0xBF58476D1CE4E5B9ull;
    x ^= a + 0x94D049BB133111EBull + (x << 6) + (x >> 2);
    x ^= b * 0xD6E8FEB86659FD93ull + (x << 6) + (x >> 2);
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

/* The share of ticks a casual viewer is present, averaged over start and duration. */
static double casual_presence(void)
{
    double sum = 0;
    int n = 0;
    for (int s = 0; s < WORLD_EPOCH; s++)
        for (int d = WORLD_VISIT_MIN; d <= WORLD_VISIT_MAX; d++, n++)
            sum += d < WORLD_EPOCH - s ? d : WORLD_EPOCH - s;
    return sum / n / WORLD_EPOCH;
}

static void add_channel(struct world *w, int64_t id, const char *login, const char *display,
                        int nominal, int live, int shared_percent, const char *title,
                        const char *game_id, const char *game)
{
    static const double regular_share = 0.3;
    double present = 1.0 - WORLD_AWAY_PERCENT / 100.0;
    struct world_channel *c = &w->channels[w->n_channels];
    memset(c, 0, sizeof *c);
    c->id = id;
    snprintf(c->login, sizeof c->login, "%s", login);
    snprintf(c->display_name, sizeof c->display_name, "%s", display);
    c->nominal = nominal;
    c->live = live;
    c->shared_percent = shared_percent;
    c->pool_base = WORLD_POOL_BASE + (int64_t)w->n_channels * WORLD_POOL_STRIDE;
    double shared = WORLD_SHARED_SIZE * shared_percent / 100.0 * present;
    double own = (regular_share * nominal - shared) / present;
    c->regulars = own > 0 ? (int)(own + 0.5) : 0;
    double casual_target = nominal - shared - c->regulars * present;
    int casuals = casual_target > 0 ? (int)(casual_target / casual_presence() + 0.5) : 0;
    c->pool_size = c->regulars + casuals;
    c->title = title;
    c->game_id = game_id;
    c->game_name = game;
    w->n_channels++;
}

struct world *world_new(uint64_t seed)
{
    return world_new_with(seed, NULL);
}

struct world *world_new_with(uint64_t seed, const struct world_options *o)
{
    static const int n_small = 25;
    struct world *w = xcalloc(1, sizeof *w);
    w->seed = seed;
    world_options_default(&w->opt);
    if (o)
        w->opt = *o;
    if (w->opt.lurker_bots < 0)
        w->opt.lurker_bots = 0;
    if (w->opt.lurker_bots > WORLD_LURKER_MAX)
        w->opt.lurker_bots = WORLD_LURKER_MAX;
    w->channels = xcalloc(6 + n_small, sizeof *w->channels);
    add_channel(w, WORLD_DEMO_MOD, "demo_mod", "Demo_Mod", 40, 1, 0, "Chill demo stream", "509658",
                "Just Chatting");
    add_channel(w, 20001, "tiny_channel", "Tiny_Channel", 10, 0, 0, "Offline chat", "509658",
                "Just Chatting");
    add_channel(w, 20002, "cozy_channel", "Cozy_Channel", 1000, 1, 3, "Cozy games and tea", "27471",
                "Minecraft");
    add_channel(w, 20003, "big_channel", "Big_Channel", 20000, 1, 25, "Ranked grind all day",
                "21779", "League of Legends");
    add_channel(w, 20004, "huge_channel", "Huge_Channel", 100000, 1, 50, "TOURNAMENT FINALS",
                "32982", "Grand Theft Auto V");
    add_channel(w, 20005, "raid_channel", "Raid_Channel", 300, 1, 0, "Speedrun attempts", "490377",
                "Speedrunning");
    for (int i = 1; i <= n_small; i++) {
        char login[32], display[32];
        snprintf(login, sizeof login, "chan_%02d", i);
        snprintf(display, sizeof display, "Chan_%02d", i);
        add_channel(w, 20100 + i, login, display, 30, i % 2, 0, "Small stream", "509658",
                    "Just Chatting");
    }
    w->mods = xcalloc(w->n_channels, sizeof *w->mods);
    for (size_t i = 1; i < w->n_channels; i++)
        w->mods[i].ids[w->mods[i].n++] = WORLD_DEMO_MOD;
    w->mods[1].ids[w->mods[1].n++] = WORLD_OTHER_MOD;
    pthread_mutex_init(&w->lock, NULL);
    return w;
}

void world_free(struct world *w)
{
    if (!w)
        return;
    pthread_mutex_destroy(&w->lock);
    free(w->mods);
    free(w->channels);
    free(w);
}

uint64_t world_seed(const struct world *w)
{
    return w->seed;
}

const struct world_options *world_options(const struct world *w)
{
    return &w->opt;
}

size_t world_channel_count(const struct world *w)
{
    return w->n_channels;
}

const struct world_channel *world_channel_at(const struct world *w, size_t i)
{
    return &w->channels[i];
}

int world_channel_index(const struct world *w, int64_t id)
{
    for (size_t i = 0; i < w->n_channels; i++)
        if (w->channels[i].id == id)
            return (int)i;
    return -1;
}

int world_channel_index_by_login(const struct world *w, const char *login)
{
    for (size_t i = 0; i < w->n_channels; i++)
        if (strcmp(w->channels[i].login, login) == 0)
            return (int)i;
    return -1;
}

int world_can_moderate(struct world *w, int64_t broadcaster_id, int64_t user_id)
{
    int i = world_channel_index(w, broadcaster_id);
    if (i < 0)
        return 0;
    if (broadcaster_id == user_id)
        return 1;
    int found = 0;
    pthread_mutex_lock(&w->lock);
    for (size_t k = 0; k < w->mods[i].n; k++)
        found |= w->mods[i].ids[k] == user_id;
    pthread_mutex_unlock(&w->lock);
    return found;
}

int world_set_moderator(struct world *w, int64_t broadcaster_id, int64_t user_id, int on)
{
    int i = world_channel_index(w, broadcaster_id);
    if (i < 0)
        return TCA_ENOTFOUND;
    int rc = 0;
    pthread_mutex_lock(&w->lock);
    struct channel_mods *m = &w->mods[i];
    size_t k = 0;
    while (k < m->n && m->ids[k] != user_id)
        k++;
    if (on && k == m->n) {
        if (m->n < MAX_MODS)
            m->ids[m->n++] = user_id;
        else
            rc = TCA_ELIMIT;
    } else if (!on && k < m->n) {
        m->ids[k] = m->ids[--m->n];
    }
    pthread_mutex_unlock(&w->lock);
    return rc;
}

size_t world_moderated_channels(struct world *w, int64_t user_id, int *out, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&w->lock);
    for (size_t i = 0; i < w->n_channels; i++)
        for (size_t k = 0; k < w->mods[i].n; k++)
            if (w->mods[i].ids[k] == user_id && w->channels[i].id != user_id) {
                if (n < max)
                    out[n] = (int)i;
                n++;
                break;
            }
    pthread_mutex_unlock(&w->lock);
    return n;
}

size_t world_channel_moderators(struct world *w, size_t ch, int64_t *out, size_t max)
{
    size_t n = 0;
    pthread_mutex_lock(&w->lock);
    for (size_t k = 0; k < w->mods[ch].n && n < max; k++)
        out[n++] = w->mods[ch].ids[k];
    pthread_mutex_unlock(&w->lock);
    return n;
}

static int in_range(int64_t id, int64_t base, int64_t size)
{
    return id >= base && id < base + size;
}

void world_follow_wave(const struct world *w, struct world_follow_wave *out)
{
    static const int channels[] = {2, 3, 5}; /* cozy, big, raid_channel */
    static const int64_t day_ms = 86400000;
    static const int64_t from = 1761955200000; /* 2025-11-01 */
    uint64_t h = world_hash(w->seed, TAG_FOLLOW_WAVE, 0, 0);
    out->channel = channels[h % 3];
    out->tick = 6 + (int64_t)((h >> 8) % 10);
    out->size = 60 + (int)((h >> 16) % (WORLD_FOLLOWBOT_MAX - 60 + 1));
    out->created_from_ms = from + (int64_t)((h >> 32) % 300) * day_ms;
}

enum world_kind world_user_kind(const struct world *w, int64_t id)
{
    if (in_range(id, WORLD_SHARED_BASE, WORLD_SHARED_SIZE))
        return WORLD_KIND_VIEWER;
    if (in_range(id, WORLD_LURKER_BASE, w->opt.lurker_bots))
        return WORLD_KIND_LURKER;
    if (in_range(id, WORLD_RAID_BASE, WORLD_RAID_SIZE))
        return WORLD_KIND_RAIDER;
    if (in_range(id, WORLD_BOT_BASE, WORLD_BOT_SIZE))
        return WORLD_KIND_BOT;
    if (w->opt.bot_shapes && in_range(id, WORLD_BURST_BASE, WORLD_BURST_SIZE))
        return WORLD_KIND_BURST;
    if (w->opt.bot_shapes && in_range(id, WORLD_DRIP_BASE, WORLD_DRIP_SIZE))
        return WORLD_KIND_DRIP;
    if (in_range(id, WORLD_FOLLOWBOT_BASE, WORLD_FOLLOWBOT_MAX)) {
        struct world_follow_wave wave;
        world_follow_wave(w, &wave);
        return id - WORLD_FOLLOWBOT_BASE < wave.size ? WORLD_KIND_FOLLOWBOT : WORLD_KIND_NONE;
    }
    if (id < WORLD_POOL_BASE)
        return WORLD_KIND_NONE;
    int64_t k = (id - WORLD_POOL_BASE) / WORLD_POOL_STRIDE;
    if (k >= (int64_t)w->n_channels)
        return WORLD_KIND_NONE;
    return id - w->channels[k].pool_base < w->channels[k].pool_size ? WORLD_KIND_VIEWER
                                                                    : WORLD_KIND_NONE;
}

static int is_bot(const struct world *w, int64_t id)
{
    enum world_kind k = world_user_kind(w, id);
    return k == WORLD_KIND_BOT || k == WORLD_KIND_BURST || k == WORLD_KIND_DRIP ||
           k == WORLD_KIND_LURKER || k == WORLD_KIND_FOLLOWBOT;
}

static int is_chatter(const struct world *w, int64_t id)
{
    return world_user_kind(w, id) != WORLD_KIND_NONE;
}

/* The heavy renamer of a channel: its first regular. */
static int is_heavy_renamer(const struct world *w, int64_t id)
{
    if (id < WORLD_POOL_BASE || (id - WORLD_POOL_BASE) % WORLD_POOL_STRIDE != 0)
        return 0;
    int64_t k = (id - WORLD_POOL_BASE) / WORLD_POOL_STRIDE;
    return k < (int64_t)w->n_channels && w->channels[k].pool_size > 0;
}

int world_user_exists(const struct world *w, int64_t id)
{
    if (id == WORLD_OTHER_MOD || world_channel_index(w, id) >= 0)
        return 1;
    return is_chatter(w, id);
}

int world_user_renames(const struct world *w, int64_t id, int64_t tick)
{
    if (!is_chatter(w, id) || is_bot(w, id))
        return 0;
    if (w->opt.rename_permille > 0 && is_heavy_renamer(w, id))
        return tick < WORLD_HEAVY_RENAME_FROM
                   ? 0
                   : (int)((tick - WORLD_HEAVY_RENAME_FROM) / WORLD_HEAVY_RENAME_EVERY + 1);
    if (tick < WORLD_RENAME_EVERY)
        return 0;
    uint64_t h = world_hash(w->seed, TAG_RENAME, (uint64_t)id, 0);
    if (h % 1000 >= (uint64_t)w->opt.rename_permille) /* the share of users who ever rename */
        return 0;
    int64_t waves = tick / WORLD_RENAME_EVERY;
    if ((h >> 16) % 10 < 3) /* a few rename at every wave */
        return (int)waves;
    int64_t once_at = 1 + (int64_t)((h >> 24) % 6);
    return waves >= once_at;
}

void world_user_login(const struct world *w, int64_t id, int64_t tick, char *out, size_t outlen)
{
    int i = world_channel_index(w, id);
    if (i >= 0) {
        snprintf(out, outlen, "%s", w->channels[i].login);
    } else if (id == WORLD_OTHER_MOD) {
        snprintf(out, outlen, "other_mod");
    } else if (world_user_kind(w, id) == WORLD_KIND_BOT) {
        /* the bot wave's tell: sequential logins */
        snprintf(out, outlen, "coolviewer_%04d", (int)(id - WORLD_BOT_BASE + 1));
    } else if (world_user_kind(w, id) == WORLD_KIND_BURST) {
        /* no number to give them away: only their creation minutes do */
        uint64_t p = (uint64_t)(id - WORLD_BURST_BASE) * 7 % (N_ADJ * N_NOUN);
        snprintf(out, outlen, "%s_%s_tv", adjectives[p / N_NOUN], nouns[p % N_NOUN]);
    } else if (world_user_kind(w, id) == WORLD_KIND_DRIP) {
        snprintf(out, outlen, "nightowlfan_%d", (int)(id - WORLD_DRIP_BASE + 1));
    } else if (is_chatter(w, id)) {
        int gen = world_user_renames(w, id, tick);
        uint64_t h = world_hash(w->seed, TAG_NAME, (uint64_t)id, (uint64_t)gen);
        size_t a = h % N_ADJ, n = (h >> 20) % N_NOUN;
        if (gen > 0) {
            /* a rename never lands on the previous generation's words */
            uint64_t p = world_hash(w->seed, TAG_NAME, (uint64_t)id, (uint64_t)gen - 1);
            if (a == p % N_ADJ && n == (p >> 20) % N_NOUN)
                n = (n + 1) % N_NOUN;
        }
        /* the id as suffix keeps every login unique and lets a login be looked up */
        snprintf(out, outlen, "%s%s%lld", adjectives[a], nouns[n], (long long)id);
    } else {
        snprintf(out, outlen, "%s", "");
    }
}

static int64_t created_at_ms(const struct world *w, int64_t id)
{
    static const int64_t day_ms = 86400000;
    static const int64_t first = 1293840000000;   /* 2011-01-01 */
    static const int64_t old = 1325376000000;     /* 2012-01-01 */
    static const int64_t bot_day = 1749859200000; /* WORLD_BOT_CREATED_ON */
    uint64_t h = world_hash(w->seed, TAG_CREATED, (uint64_t)id, 0);
    switch (world_user_kind(w, id)) {
    case WORLD_KIND_BOT:
        return bot_day + (int64_t)(h % (uint64_t)day_ms) / 1000 * 1000;
    case WORLD_KIND_BURST:
        return WORLD_BURST_CREATED_AT + (id - WORLD_BURST_BASE) * 20000;
    case WORLD_KIND_DRIP:
        return WORLD_DRIP_CREATED_AT + (id - WORLD_DRIP_BASE) * 9 * 3600000 +
               (int64_t)(h % 1800) * 1000;
    case WORLD_KIND_FOLLOWBOT: { /* made by one script within a few hours */
        struct world_follow_wave wave;
        world_follow_wave(w, &wave);
        return wave.created_from_ms + (int64_t)(h % (6 * 3600)) * 1000;
    }
    case WORLD_KIND_LURKER: /* old accounts: years before anyone looks */
        return old + (int64_t)(h % (6 * 365 * (uint64_t)day_ms)) / 1000 * 1000;
    case WORLD_KIND_NONE:
        return first + (id % 1000) * day_ms;
    default:
        return first + (int64_t)(h % (14 * 365 * (uint64_t)day_ms)) / 1000 * 1000;
    }
}

int world_user_by_id(const struct world *w, int64_t id, int64_t tick, struct world_user *out)
{
    if (!world_user_exists(w, id))
        return TCA_ENOTFOUND;
    memset(out, 0, sizeof *out);
    out->id = id;
    world_user_login(w, id, tick, out->login, sizeof out->login);
    int i = world_channel_index(w, id);
    if (i >= 0)
        snprintf(out->display_name, sizeof out->display_name, "%s", w->channels[i].display_name);
    else if (id == WORLD_OTHER_MOD)
        snprintf(out->display_name, sizeof out->display_name, "Other_Mod");
    else
        snprintf(out->display_name, sizeof out->display_name, "%s", out->login);
    /* display names differ from logins only in case, as on Twitch */
    out->display_name[0] = (char)toupper((unsigned char)out->display_name[0]);
    const char *type = i >= 0 && w->channels[i].nominal >= 20000 ? "partner"
                       : i >= 0 && w->channels[i].nominal >= 300 ? "affiliate"
                                                                 : "";
    snprintf(out->broadcaster_type, sizeof out->broadcaster_type, "%s", type);
    snprintf(out->description, sizeof out->description, "%s", i >= 0 ? "A simulated channel." : "");
    out->created_at_ms = created_at_ms(w, id);
    return 0;
}

int world_user_by_login(const struct world *w, const char *login, int64_t tick,
                        struct world_user *out)
{
    int64_t id = 0;
    int i = world_channel_index_by_login(w, login);
    size_t len = strlen(login);
    if (i >= 0) {
        id = w->channels[i].id;
    } else if (strcmp(login, "other_mod") == 0) {
        id = WORLD_OTHER_MOD;
    } else if (strncmp(login, "coolviewer_", 11) == 0 && len == 15) {
        id = WORLD_BOT_BASE + atoi(login + 11) - 1;
    } else if (strncmp(login, "nightowlfan_", 12) == 0 && len > 12 && len < 16) {
        id = WORLD_DRIP_BASE + atoi(login + 12) - 1;
    } else if (len > 3 && strcmp(login + len - 3, "_tv") == 0) {
        char name[32];
        for (int64_t b = WORLD_BURST_BASE; b < WORLD_BURST_BASE + WORLD_BURST_SIZE && !id; b++) {
            world_user_login(w, b, tick, name, sizeof name);
            if (strcmp(name, login) == 0)
                id = b;
        }
    } else {
        size_t d = len;
        while (d > 0 && isdigit((unsigned char)login[d - 1]))
            d--;
        if (d == len || len - d > 12)
            return TCA_ENOTFOUND;
        id = strtoll(login + d, NULL, 10);
    }
    if (world_user_by_id(w, id, tick, out) < 0 || strcmp(out->login, login) != 0)
        return TCA_ENOTFOUND;
    return 0;
}
