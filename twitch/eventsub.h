/*
 * EventSub over WebSocket: the messages Twitch sends on the socket, parsed into one flat
 * struct. Pure: bytes in, struct out, no I/O, no clock. The parser must never crash or read
 * past len whatever the bytes (it is fuzzed), and never keeps a chat message's text: only its
 * length and whether it was emotes only, so nothing personal leaves the parser by accident.
 */
#ifndef TCA_TWITCH_EVENTSUB_H
#define TCA_TWITCH_EVENTSUB_H

#include <stddef.h>
#include <stdint.h>

#include "base/chatter.h"

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

/** The Twitch name of a subscription type ("channel.chat.message" ...). */
const char *twitch_es_sub_name(enum twitch_es_sub sub);
/** The subscription type of a Twitch name; 0 when tca does not know it. */
enum twitch_es_sub twitch_es_sub_from_name(const char *name);

#endif
