/*
 * The raids Twitch announced (channel.raid) in the chat document: each raid beside what the
 * captures saw of it (the first capture of that channel at or after the raid) and how many of
 * the chatters who arrived at that capture stayed 5, 15 and 30 minutes, by the same rules as
 * the raids the captures reveal (analysis/raids.h): a count not observable yet is null with the
 * time it will be. Must never show a 0 for a count it cannot know.
 */
#ifndef TCA_REPORT_CHAT_RAIDS_H
#define TCA_REPORT_CHAT_RAIDS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "store/store_chat.h"

/**
 * The JSON array of the n raids r of a session (by time), with chs the session's channels (for
 * their logins) and caps its captures (by time). *out is the caller's (json_decref).
 */
int report_chat_raids_json(struct store *st, int64_t session_id, const struct store_chat_raid *r,
                           size_t n, const struct store_session_channel *chs, size_t nch,
                           const struct store_capture *caps, size_t ncaps, json_t **out, char *err,
                           size_t errlen);

#endif
