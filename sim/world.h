/*
 * The simulated Twitch world: a fixed cast of users and channels, the layout of chatter ids,
 * deterministic user profiles with their renames over ticks, and who moderates what.
 * Everything except the moderator table is a pure function of (seed, id, tick), so tests can
 * rely on it; it must never depend on the wall clock or on the order of requests.
 */
#ifndef TCA_SIM_WORLD_H
#define TCA_SIM_WORLD_H

#include <stddef.h>
#include <stdint.h>

/** The cast's user ids. */
#define WORLD_DEMO_MOD 10001
#define WORLD_OTHER_MOD 10002

/* Chatter ids live far above the cast's ids, in ranges that ascend in this order, so a
 * channel's audience comes out sorted without a sort. */
#define WORLD_SHARED_BASE 1000000 /* regulars shared by cozy, big and huge */
#define WORLD_SHARED_SIZE 10000
#define WORLD_LURKER_BASE 1100000 /* viewer-list lurker bots (world_options.lurker_bots) */
#define WORLD_LURKER_MAX 1000
#define WORLD_RAID_BASE 1500000 /* raid_channel's raiders */
#define WORLD_RAID_SIZE 600
#define WORLD_BOT_BASE 1600000 /* raid_channel's bot wave */
#define WORLD_BOT_SIZE 150
#define WORLD_BURST_BASE 1700000 /* bot_shapes: names without numbers, made within minutes */
#define WORLD_BURST_SIZE 80
#define WORLD_DRIP_BASE 1800000 /* bot_shapes: numbered names made one every 9 hours */
#define WORLD_DRIP_SIZE 60
#define WORLD_FOLLOWBOT_BASE                                                                       \
    1900000 /* the follow-bot wave: fresh accounts that follow, never chat */
#define WORLD_FOLLOWBOT_MAX 200
#define WORLD_POOL_BASE 2000000 /* channel k owns [BASE + k * STRIDE, + pool_size) */
#define WORLD_POOL_STRIDE 400000

/** The tick of the raid and of the bot wave on raid_channel, and the bots' creation day. */
#define WORLD_RAID_TICK 5
#define WORLD_BOT_TICK 8
#define WORLD_BOT_CREATED_ON "2025-06-14"

/** Ticks between two rename waves. */
#define WORLD_RENAME_EVERY 10
/** Each channel's first regular renames at tick 12, 16, 20, ...: 3 renames by tick 20. */
#define WORLD_HEAVY_RENAME_FROM 12
#define WORLD_HEAVY_RENAME_EVERY 4

/** The two extra bot waves of bot_shapes: where and when they arrive. */
#define WORLD_BURST_CHANNEL "cozy_channel"
#define WORLD_BURST_TICK 12
#define WORLD_BURST_CREATED_AT 1756821600000 /* 2025-09-02T14:00Z, one every 20 s */
#define WORLD_DRIP_CHANNEL "chan_03"
#define WORLD_DRIP_TICK 15
#define WORLD_DRIP_CREATED_AT 1709251200000 /* 2024-03-01, one every 9 h */

/** What the world holds beyond its fixed cast; world_options_default gives the demo's. */
struct world_options {
    int lurker_bots;     /* viewer-list bots in most channels at every tick; default 0 */
    int bot_shapes;      /* 1: the two extra bot waves above; default 0 */
    int rename_permille; /* chatters (per 1000) who ever rename; default 10 */
};

/** The defaults: no lurker bots, no extra waves, 10 per 1000 renaming. */
void world_options_default(struct world_options *o);

/* The presence model (see audience.c): a regular is away for a whole block of BLOCK ticks
 * with probability AWAY_PERCENT; a casual viewer visits once per EPOCH ticks for
 * VISIT_MIN..VISIT_MAX ticks (cut at the epoch's end). Pool sizes are derived from these. */
#define WORLD_BLOCK 8
#define WORLD_AWAY_PERCENT 10
#define WORLD_EPOCH 80
#define WORLD_VISIT_MIN 10
#define WORLD_VISIT_MAX 60

struct world_channel {
    int64_t id;
    char login[32];
    char display_name[32];
    int nominal;        /* the audience size it hovers around */
    int live;           /* live at tick 0; sim/streams.c schedules the rest */
    int shared_percent; /* share of the shared regulars it draws from (cozy/big/huge) */
    int64_t pool_base;  /* first id of its own regulars and casual viewers */
    int regulars;       /* the first `regulars` ids of the pool are regulars */
    int pool_size;      /* regulars + casual viewers */
    const char *title;
    const char *game_id;
    const char *game_name;
};

/** A user's profile as Get Users shows it at one tick. */
struct world_user {
    int64_t id;
    char login[32];
    char display_name[32];
    char broadcaster_type[16];
    char description[96];
    int64_t created_at_ms;
};

struct world;

/** Builds the cast for a seed with the default options; never fails. Free with world_free. */
struct world *world_new(uint64_t seed);
/** Builds the cast for a seed and options (NULL: defaults); never fails. */
struct world *world_new_with(uint64_t seed, const struct world_options *o);
/** The options the world was built with. */
const struct world_options *world_options(const struct world *w);

/** Who a chatter is, as the simulation made it: the ground truth flags are measured against. */
enum world_kind {
    WORLD_KIND_NONE,      /* not a chatter */
    WORLD_KIND_VIEWER,    /* a regular, casual or shared viewer */
    WORLD_KIND_RAIDER,    /* came with raid_channel's raid */
    WORLD_KIND_BOT,       /* raid_channel's bot wave (coolviewer_NNNN, made on one day) */
    WORLD_KIND_BURST,     /* bot_shapes: names without numbers, made within minutes */
    WORLD_KIND_DRIP,      /* bot_shapes: numbered names made over days */
    WORLD_KIND_LURKER,    /* a viewer-list lurker bot */
    WORLD_KIND_FOLLOWBOT, /* the follow-bot wave: follows in a burst, never chats */
};
/** The kind of user id. */
enum world_kind world_user_kind(const struct world *w, int64_t id);
/** Frees the world; NULL is a no-op. */
void world_free(struct world *w);

/** The seed the world was built with. */
uint64_t world_seed(const struct world *w);
/** Number of channels (the broadcasters with an audience). */
size_t world_channel_count(const struct world *w);
/** Channel number i (0 <= i < count); owned by the world. */
const struct world_channel *world_channel_at(const struct world *w, size_t i);
/** Index of the channel of broadcaster id, or -1. */
int world_channel_index(const struct world *w, int64_t id);
/** Index of the channel whose broadcaster has this login, or -1. */
int world_channel_index_by_login(const struct world *w, const char *login);

/** 1 when user_id is the broadcaster of channel `broadcaster_id` or one of its moderators. */
int world_can_moderate(struct world *w, int64_t broadcaster_id, int64_t user_id);
/** Makes user_id a moderator of broadcaster_id (on=1) or not (on=0); thread-safe. */
int world_set_moderator(struct world *w, int64_t broadcaster_id, int64_t user_id, int on);
/**
 * The channel indices user_id moderates (not its own channel, as on Twitch), in channel
 * order. Returns how many were found; writes at most max of them.
 */
size_t world_moderated_channels(struct world *w, int64_t user_id, int *out, size_t max);

/** The moderator table's entries for channel index ch (the cast's moderators); at most max. */
size_t world_channel_moderators(struct world *w, size_t ch, int64_t *out, size_t max);

/** 1 when a user with this id exists (cast or chatter). */
int world_user_exists(const struct world *w, int64_t id);
/** Fills out with user id's profile at tick; returns 0 or TCA_ENOTFOUND. */
int world_user_by_id(const struct world *w, int64_t id, int64_t tick, struct world_user *out);
/** Looks a current login up at tick (renamed-away logins are unknown); 0 or TCA_ENOTFOUND. */
int world_user_by_login(const struct world *w, const char *login, int64_t tick,
                        struct world_user *out);
/** How many times user id has renamed itself up to tick. */
int world_user_renames(const struct world *w, int64_t id, int64_t tick);
/** Writes user id's login at tick into out (>= 32 bytes); "" when the user does not exist. */
void world_user_login(const struct world *w, int64_t id, int64_t tick, char *out, size_t outlen);

/** The follow-bot wave of this seed: where, when (it spans ticks [tick, tick + 1]) and how many. */
struct world_follow_wave {
    int channel; /* channel index: cozy, big or raid_channel */
    int64_t tick;
    int size;                /* 60..WORLD_FOLLOWBOT_MAX accounts, ids from WORLD_FOLLOWBOT_BASE */
    int64_t created_from_ms; /* the accounts were made within 6 hours after this */
};
/** The follow-bot wave of the world's seed; a pure function of the seed. */
void world_follow_wave(const struct world *w, struct world_follow_wave *out);

/** A 64-bit hash of (seed, tag, a, b): the one source of "randomness" of the simulation. */
uint64_t world_hash(uint64_t seed, uint64_t tag, uint64_t a, uint64_t b);

#endif
