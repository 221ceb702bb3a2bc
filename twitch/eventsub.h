/*
 * EventSub over WebSocket: the messages Twitch sends on the socket, parsed into one flat
 * struct. Pure: bytes in, struct out, no I/O, no clock. The parser must never crash or read
 * past len whatever the bytes (it is fuzzed), and never keeps a chat message's text: only its
 * length and whether it was emotes only, so nothing personal leaves the parser by accident.
 * A caller that must read the words (the sentiment scorer) gives a chat reader: it is lent
 * the fragments during the parse and only the two numbers it returns are kept.
 */
#ifndef TCA_TWITCH_EVENTSUB_H
#define TCA_TWITCH_EVENTSUB_H

#include <stddef.h>
#include <stdint.h>

#include "base/chatter.h"
#include "twitch/twitch.h"

/** Largest WebSocket message accepted (Twitch's are a few KB). */
#define TWITCH_ES_MESSAGE_MAX ((size_t)64 << 10)
/** Longest message id, session id, subscription id or status kept, NUL excluded. */
#define TWITCH_ES_ID_MAX 127
/** Longest reconnect URL accepted, NUL excluded. */
#define TWITCH_ES_URL_MAX 511

/** metadata.message_type. */
enum twitch_es_kind {
    TWITCH_ES_WELCOME = 1,
    TWITCH_ES_KEEPALIVE,
    TWITCH_ES_NOTIFICATION,
    TWITCH_ES_RECONNECT,
    TWITCH_ES_REVOCATION,
};

/** The subscription types tca subscribes to. */
enum twitch_es_sub {
    TWITCH_ES_SUB_CHAT_MESSAGE = 1, /* channel.chat.message, version 1 */
    TWITCH_ES_SUB_RAID,             /* channel.raid, version 1 */
    TWITCH_ES_SUB_STREAM_ONLINE,    /* stream.online, version 1 */
    TWITCH_ES_SUB_STREAM_OFFLINE,   /* stream.offline, version 1 */
};

/** One chat message: who wrote, not what (see the file comment). */
struct twitch_es_chat {
    int64_t chatter_id;
    char chatter_login[CHATTER_LOGIN_MAX + 1];
    char message_id[TWITCH_ES_ID_MAX + 1]; /* the chat message's own id */
    size_t text_bytes;                     /* length of message.text */
    int emote_only;                        /* every fragment is an emote */
    int read;  /* the chat reader's verdict (1: scored); 0 without a reader */
    int score; /* the chat reader's number when read is 1 */
};

/** One piece of a chat message (message.fragments[]), lent to a chat reader. */
struct twitch_es_fragment {
    const char *text; /* not NUL-terminated; valid only during the reader's call */
    size_t len;
    int emote; /* emote, cheermote or mention: not words of the writer */
};

/**
 * Reads the words of a chat message while it is parsed, without keeping them: returns 1 and
 * sets *score when the message has something to count (chat.read and chat.score), else 0.
 */
struct twitch_es_reader {
    int (*read)(void *ctx, const struct twitch_es_fragment *frags, size_t n, int *score);
    void *ctx;
};

/** An incoming raid (channel.raid with to_broadcaster_user_id = the captured channel). */
struct twitch_es_raid {
    int64_t from_id;
    char from_login[CHATTER_LOGIN_MAX + 1];
    int64_t to_id;
    int64_t viewers;
};

/** A parsed WebSocket message. Plain data: nothing to free. */
struct twitch_es_message {
    enum twitch_es_kind kind;
    char message_id[TWITCH_ES_ID_MAX + 1]; /* metadata.message_id: the dedupe key */
    int64_t sent_at_ms;                    /* metadata.message_timestamp */
    /* welcome and reconnect: payload.session */
    char session_id[TWITCH_ES_ID_MAX + 1];
    int keepalive_s;                           /* welcome: keepalive_timeout_seconds */
    char reconnect_url[TWITCH_ES_URL_MAX + 1]; /* reconnect: where to go ("" otherwise) */
    /* notification and revocation: payload.subscription */
    enum twitch_es_sub sub;
    char sub_id[TWITCH_ES_ID_MAX + 1];
    char sub_status[TWITCH_ES_ID_MAX + 1]; /* revocation: why ("authorization_revoked" ...) */
    int64_t broadcaster_id;                /* the channel the event is about */
    /* notification: payload.event, by sub */
    struct twitch_es_chat chat;
    struct twitch_es_raid raid;
    int64_t started_at_ms; /* stream.online */
};

/**
 * Parses one EventSub WebSocket message. Unknown message or subscription types are
 * TCA_EPROTO (tca never subscribes to them). Returns 0 or TCA_EPROTO with err saying where.
 */
int twitch_es_parse(const char *body, size_t len, struct twitch_es_message *out, char *err,
                    size_t errlen);
/** twitch_es_parse, lending each chat message's fragments to reader (NULL: none). */
int twitch_es_parse_read(const char *body, size_t len, const struct twitch_es_reader *reader,
                         struct twitch_es_message *out, char *err, size_t errlen);

/**
 * A Create EventSub Subscription answer (202): copies data[0].id into sub_id
 * (TWITCH_ES_ID_MAX + 1 bytes) after checking its status is "enabled".
 */
int twitch_es_parse_created(const char *body, size_t len, char *sub_id, char *err, size_t errlen);

/** The Twitch name of a subscription type ("channel.chat.message" ...). */
const char *twitch_es_sub_name(enum twitch_es_sub sub);
/** The subscription type of a Twitch name; 0 when tca does not know it. */
enum twitch_es_sub twitch_es_sub_from_name(const char *name);

/*
 * A client's EventSub session: a WebSocket connection (two while a session_reconnect moves it)
 * on libwebsockets, used by one thread at a time. Keepalives and reconnects are handled
 * inside twitch_es_next, which hands back only notifications and revocations, each message id
 * once.
 */
struct twitch_es;

/** Size of the ring of recent message ids; the last half to all of them are remembered, to
 * drop duplicates (Twitch may resend around a reconnect). */
#define TWITCH_ES_DEDUPE 4096

/**
 * Connects to url (ws:// or wss://; Twitch's is wss://eventsub.wss.twitch.tv/ws) and waits up
 * to timeout_ms for the welcome. *out is the caller's (twitch_es_free). Returns 0, TCA_ETEMP
 * (cannot connect, no welcome) or TCA_EPROTO (not an EventSub welcome).
 */
int twitch_es_connect(const char *url, int64_t timeout_ms, struct twitch_es **out, char *err,
                      size_t errlen);
/** Lends every chat message's fragments to reader from now on (copied; NULL: none). */
void twitch_es_set_reader(struct twitch_es *es, const struct twitch_es_reader *reader);
/** The session id to subscribe with (changes never: a reconnect keeps the session). */
const char *twitch_es_session_id(const struct twitch_es *es);
/**
 * Waits up to timeout_ms for the next notification or revocation. Returns 0 with *out filled,
 * TCA_ENOTFOUND when the time passed without one, TCA_ETEMP when the connection was lost
 * (closed, or silent past the keepalive timeout: err says which; connect again), TCA_EPROTO
 * on a message that does not parse (the connection is then closed).
 */
int twitch_es_next(struct twitch_es *es, int64_t timeout_ms, struct twitch_es_message *out,
                   char *err, size_t errlen);
/** Counters for the worker's metrics: duplicates dropped and reconnects followed. */
void twitch_es_counts(const struct twitch_es *es, long *duplicates, long *reconnects);
/** Closes the connections and frees the session; NULL is a no-op. */
void twitch_es_free(struct twitch_es *es);

/** The scope channel.chat.message needs on the token of condition.user_id. */
#define TWITCH_SCOPE_READ_CHAT "user:read:chat"

/**
 * Creates a subscription of type sub on channel broadcaster for session_id (Helix POST
 * /eventsub/subscriptions, websocket transport), with tok's user as the reading user.
 * Copies the subscription's id into sub_id (TWITCH_ES_ID_MAX + 1 bytes). Returns 0,
 * TCA_EFORBIDDEN (err names the missing scope or the refusal), TCA_ECONFLICT (already
 * subscribed), or the client's other codes.
 */
int twitch_es_subscribe(struct twitch_client *c, struct twitch_token *tok, const char *session_id,
                        enum twitch_es_sub sub, int64_t broadcaster, char *sub_id, char *err,
                        size_t errlen);

#endif
