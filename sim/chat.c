/*
 * The simulator's chat model (see chat.h). Must stay a pure function of its arguments: the
 * EventSub server and the control API both call it and must agree on every count.
 */
#include "sim/chat.h"

static uint64_t mix(uint64_t x)
{
    /* splitmix64's finaliser: cheap, and every input bit reaches every output bit */
    x += 0x9E3779B97F4A7C15ULL;
    x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
    x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
    return x ^ (x >> 31);
}

int chat_is_talker(const struct world *w, int64_t user)
{
    return mix(world_seed(w) ^ mix((uint64_t)user)) % 4 == 0;
}

int chat_messages(const struct world *w, size_t channel, int64_t user, int64_t tick)
{
    if (!chat_is_talker(w, user))
        return 0;
    uint64_t h = mix(world_seed(w) ^ mix((uint64_t)user ^ mix((uint64_t)tick ^ mix(channel))));
    /* silent in half the ticks, then 1..3 messages */
    return h % 2 ? 0 : 1 + (int)((h >> 8) % CHAT_MAX_PER_TICK);
}

const char *chat_text(const struct world *w, int64_t user, int64_t tick, int k, int *emote)
{
    static const char *const lines[] = {
        "hello chat",  "gg",       "that was great", "lol",       "Kappa", "bonjour tout le monde",
        "what a play", "PogChamp", "this is boring", "trop bien",
    };
    size_t n = sizeof lines / sizeof lines[0];
    size_t i =
        (size_t)(mix(world_seed(w) ^ (uint64_t)user ^ mix((uint64_t)tick + (uint64_t)k)) % n);
    *emote = lines[i][0] >= 'A' && lines[i][0] <= 'Z';
    return lines[i];
}
