/*
 * The chat activity report of a session (EventSub): per channel, messages, talkers against
 * lurkers, messages per minute beside the captures' chatter counts, the top talkers, and the
 * raids Twitch announced beside what the captures saw. JSON (jansson), for `tca chat`, the
 * API and the dashboard. Refuses (TCA_ENOTFOUND) a session the user does not own. Must never
 * log or hold message text (the store has none).
 */
#ifndef TCA_REPORT_CHAT_H
#define TCA_REPORT_CHAT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "report/report.h"
#include "store/store.h"

/** Builds the document; top: talkers listed per channel; chatters: also every talker's total.
 * *out is the caller's (json_decref). */
int report_chat(struct store *st, int64_t user_id, int64_t session_id, size_t top, int chatters,
                json_t **out, char *err, size_t errlen);

/**
 * Messages per chatter over the whole session, for exports: *ids and *messages (sorted by
 * id, n each) are the caller's to free().
 */
int report_chat_per_chatter(struct store *st, int64_t session_id, int64_t **ids, int64_t **messages,
                            size_t *n, char *err, size_t errlen);

/**
 * The `chat` section of the statistics document: per channel (the filter of o applied)
 * messages, talkers, lurkers, scored and sentiment_mean (null when nothing was scored), and
 * the same over the session; *out is JSON null when chat capture is off and nothing was
 * counted. *out is the caller's (json_decref).
 */
int report_chat_section(struct store *st, int64_t session_id, const struct report_options *o,
                        json_t **out, char *err, size_t errlen);

#endif
