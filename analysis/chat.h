/*
 * Chat activity of one channel: messages, talkers (who wrote) against lurkers (present in the
 * chatter list, never wrote), messages per minute and the talkers ranked. Pure: arrays in,
 * numbers out; no I/O, no clock, and no message text (there is none to see).
 */
#ifndef TCA_AN_CHAT_H
#define TCA_AN_CHAT_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/raids.h"
#include "analysis/stays.h"

/** The sentiment of some messages: how many were scored and what their scores add up to. */
struct an_chat_tone {
    int64_t scored;    /* messages with at least one lexicon word */
    int64_t score_sum; /* of the scored ones */
    int64_t positive;  /* scored with a score > 0 */
    int64_t negative;  /* scored with a score < 0 */
};

/** Messages of one chatter in one minute. */
struct an_chat_count {
    int64_t minute_ms;
    int64_t user_id;
    int64_t messages;
    int64_t emote_only;
    struct an_chat_tone tone;
};

/** One minute of the timeline (only minutes with messages). */
struct an_chat_minute {
    int64_t minute_ms;
    int64_t messages;
    int64_t talkers; /* distinct writers in that minute */
    struct an_chat_tone tone;
};

/** One talker's total. */
struct an_chat_talker {
    int64_t user_id;
    int64_t messages;
    int64_t emote_only;
    struct an_chat_tone tone;
};

/** The activity of a channel; release with an_chat_free. */
struct an_chat {
    int64_t messages;
    int64_t emote_only;
    struct an_chat_tone tone;
    size_t present;                 /* distinct chatters the captures saw */
    size_t talkers;                 /* distinct writers */
    size_t talkers_present;         /* writers the captures also saw */
    size_t lurkers;                 /* seen by the captures, never wrote */
    struct an_chat_minute *minutes; /* by time; owned */
    size_t n_minutes;
    struct an_chat_talker *ranked; /* every talker, most messages first (ties: lower id); owned */
};

/**
 * Computes the activity of rows[0..n) (any order; one row per minute and user or several, they
 * add up) against present[0..n_present), the sorted distinct ids the captures saw.
 */
void an_chat(const struct an_chat_count *rows, size_t n, const int64_t *present, size_t n_present,
             struct an_chat *out);
/** Adds b to a. */
void an_chat_tone_add(struct an_chat_tone *a, const struct an_chat_tone *b);
/** The mean score of the scored messages; 0 when none was scored (say null, not 0). */
double an_chat_tone_mean(const struct an_chat_tone *t);
/**
 * Of the chatters who joined ch at capture seq (the arrivals of a raid Twitch announced), how
 * many stayed at least 5, 15, 30 minutes (AN_STAY_WINDOWS_MIN), by the rules analysis/raids.c
 * applies to the raids it finds: a stay lasts taken_at(its last capture) - taken_at(seq), and a
 * count is known (known[w]) only once its window has passed by the channel's last capture;
 * until then stayed[w] is 0 and must be shown as unknown. ch must pass an_channel_check and
 * seq be one of its captures. Returns how many joined at seq.
 */
size_t an_chat_raid_stays(const struct an_channel *ch, int64_t seq, size_t stayed[AN_STAY_WINDOWS],
                          int known[AN_STAY_WINDOWS]);
/** Frees what an_chat allocated; safe on a zeroed struct. */
void an_chat_free(struct an_chat *c);

#endif
