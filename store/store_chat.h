/*
 * Store operations for chat activity (EventSub): the per-session "chat capture" setting, the
 * messages each chatter wrote per minute (counts and sentiment sums only, never the text), and the
 * raids Twitch announced. Part of store.h's table of operations; every row here belongs to a
 * session and goes when the session is deleted. Nothing here may ever hold a message's text.
 */
#ifndef TCA_STORE_CHAT_H
#define TCA_STORE_CHAT_H

#include "store/store.h"

/** Whether a session captures chat, and the last problem the EventSub runner met. */
struct store_chat_setting {
    int64_t session_id;
    int enabled;
    char status[192]; /* "": fine; else why chat is not captured (missing scope, revoked) */
    int64_t updated_at_ms;
    int64_t counts_seq; /* grows with every store_chat_add or store_chat_raid_add of the session */
};

/** Turns chat capture on or off for a session (clearing its status). TCA_ENOTFOUND: no session. */
int store_chat_set(struct store *st, int64_t session_id, int enabled, int64_t now_ms, char *err,
                   size_t errlen);
/** Records why chat capture of a session is failing ("" when it works again). */
int store_chat_note(struct store *st, int64_t session_id, const char *status, int64_t now_ms,
                    char *err, size_t errlen);
/** A session's setting; a session never set reads as off (enabled 0, status ""). */
int store_chat_get(struct store *st, int64_t session_id, struct store_chat_setting *out, char *err,
                   size_t errlen);

/** A channel whose chat is captured: the session, its owner (whose token reads) and channel. */
struct store_chat_target {
    int64_t session_id;
    int64_t user_id;
    int64_t channel_id;
};

/** Every channel (scheduled or captured) of every active session with chat capture on, by user
 * then channel. *out is the caller's to free(). */
int store_chat_targets(struct store *st, struct store_chat_target **out, size_t *n, char *err,
                       size_t errlen);

/** Messages one chatter wrote in one channel of one session during one minute. */
struct store_chat_count {
    int64_t session_id;
    int64_t channel_id;
    int64_t minute_ms; /* start of the minute (UTC), from Twitch's message timestamp */
    int64_t user_id;
    char login[32]; /* the chatter's login as of their last message */
    int64_t messages;
    int64_t emote_only; /* of messages, those made of emotes only */
    /* sentiment, scored as each message arrived (the text itself is never stored) */
    int64_t scored;    /* of messages, those with at least one lexicon word */
    int64_t score_sum; /* sum of the scores of the scored ones */
    int64_t positive;  /* scored ones with a score > 0 */
    int64_t negative;  /* scored ones with a score < 0 */
};

/** Adds rows to the counts (summing with what is stored), in one transaction. */
int store_chat_add(struct store *st, const struct store_chat_count *rows, size_t n, char *err,
                   size_t errlen);
/** A session's counts (channel_id 0: every channel) by channel, minute, user. *out is the
 * caller's to free(). */
int store_chat_counts(struct store *st, int64_t session_id, int64_t channel_id,
                      struct store_chat_count **out, size_t *n, char *err, size_t errlen);

/** A raid Twitch announced (channel.raid) into a channel of a session. */
struct store_chat_raid {
    int64_t session_id;
    int64_t channel_id;
    int64_t from_id;
    char from_login[32];
    int64_t viewers;
    int64_t at_ms;
};

/** Records a raid; the same raid (channel, raider, time) twice is stored once. */
int store_chat_raid_add(struct store *st, const struct store_chat_raid *r, char *err,
                        size_t errlen);
/** A session's raids by time. *out is the caller's to free(). */
int store_chat_raids(struct store *st, int64_t session_id, struct store_chat_raid **out, size_t *n,
                     char *err, size_t errlen);

#endif
