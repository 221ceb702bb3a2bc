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

/* Canned lines by tone. The tone of a tick (its chat's mood) decides which pool most lines
 * come from, so the sentiment timeline has cheerful and grumpy minutes; the scorer decides
 * what each line is worth, the model does not claim it. */
static const char *const cheerful[] = {
    "that was great", "lol", "what a play", "trop bien", "love this stream", "amazing clutch"};
static const char *const grumpy[] = {"this is boring", "so bad", "c'est nul",
                                     "worst ad ever, hate it", "not good"};
static const char *const plain[] = {"hello chat", "gg",       "bonjour tout le monde",
                                    "Kappa",      "PogChamp", "first time here"};
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

int chat_mood(const struct world *w, int64_t tick)
{
    return (int)(mix(world_seed(w) ^ mix((uint64_t)tick ^ 0x6d6f6f64ULL)) % 3) - 1;
}

const char *chat_text(const struct world *w, int64_t user, int64_t tick, int k, int *emote)
{
    uint64_t h = mix(world_seed(w) ^ (uint64_t)user ^ mix((uint64_t)tick + (uint64_t)k));
    int mood = chat_mood(w, tick);
    const char *const *pool = plain;
    size_t n = LEN(plain);
    /* two lines in three follow the mood; the rest are small talk */
    if (mood > 0 && h % 3 != 0)
        pool = cheerful, n = LEN(cheerful);
    else if (mood < 0 && h % 3 != 0)
        pool = grumpy, n = LEN(grumpy);
    const char *line = pool[(h >> 8) % n];
    *emote = line[0] >= 'A' && line[0] <= 'Z';
    return line;
}

int64_t chat_sent_at_ms(int64_t start_ms, int64_t tick_ms, int64_t tick)
{
    return start_ms + tick * tick_ms;
}
