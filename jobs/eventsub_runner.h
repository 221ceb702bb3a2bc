/*
 * The EventSub runner: one EventSub WebSocket session per user whose active session captures
 * chat (a per-session setting, off by default: messages are personal data) or follows a
 * channel "while live". It subscribes each of that user's channels with the user's token
 * (channel.chat.message and channel.raid when chat is captured; stream.online and
 * stream.offline for both), counts messages per chatter and minute (with the sum of their
 * sentiment scores when given a lexicon) and stores them in batches,
 * records raids Twitch announces, and starts or stops "capture while live" schedules the moment
 * a stream goes online or offline (the scheduler's polling stays the fallback).
 *
 * Used by one thread at a time. It never logs and never keeps a message's text: problems
 * (missing scope, revocation, lost connection) go to the session's chat status in the store
 * and to the on_problem callback, worded without any chat content.
 */
#ifndef TCA_EVENTSUB_RUNNER_H
#define TCA_EVENTSUB_RUNNER_H

#include <stddef.h>
#include <stdint.h>

#include "analysis/sentiment.h"
#include "base/clock.h"
#include "base/crypto.h"
#include "store/store.h"
#include "twitch/twitch.h"

struct eventsub_runner_options {
    struct store *st;         /* the runner thread's connection */
    struct twitch_client *tw; /* for tokens and Create Subscription */
    const struct crypto_keys *keys;
    const char *url; /* EventSub WebSocket URL (wss://eventsub.wss.twitch.tv/ws); copied */
    struct clock clock;
    int64_t refresh_every_ms;   /* re-read which channels to follow; 0: 5000 */
    int64_t flush_every_ms;     /* store the counted messages; 0: 1000 */
    int64_t connect_timeout_ms; /* wait for the welcome; 0: 10000 */
    /** A refused or revoked subscription is asked again once the user's stored token changed
     * (refreshed, new login): how often to look (0: 30000), and the first wait between two
     * such attempts (0: 60000; doubles each time, up to about an hour). */
    int64_t token_recheck_ms;
    int64_t resubscribe_backoff_ms;
    /** Sentiment lexicon each chat message is scored with as it arrives (the text is read
     * during the parse and dropped); NULL: messages are counted, not scored. Must outlive it. */
    const struct an_lexicon *lexicon;
    /** Called on every problem worth a log line (may be NULL); never carries chat text. */
    void (*on_problem)(void *ctx, const char *message);
    void *ctx;
};

/** What the runner did so far, for metrics, logs and tests. */
struct eventsub_runner_counts {
    long connections;   /* EventSub sessions open now */
    long subscriptions; /* subscriptions held now */
    long messages;      /* chat messages counted */
    long stored;        /* of them, stored */
    long raids, online, offline, revocations;
    long duplicates, reconnects; /* from the connections that closed and those open */
};

struct eventsub_runner;

/** A runner over o (its pointers must outlive it); nothing connects before the first step.
 * *out is the caller's (eventsub_runner_free). */
struct eventsub_runner *eventsub_runner_new(const struct eventsub_runner_options *o);
/**
 * Runs for up to ms: re-reads the followed channels when due, connects and subscribes,
 * handles the events that arrive and stores the counts when due. Returns 0 quickly when
 * nothing is followed; a negative code only when the store failed (err says what). Twitch-side
 * problems are not errors here: they are recorded and retried.
 */
int eventsub_runner_step(struct eventsub_runner *r, int64_t ms, char *err, size_t errlen);
/** Stores the messages counted so far. */
int eventsub_runner_flush(struct eventsub_runner *r, char *err, size_t errlen);
/** A copy of the counters. */
void eventsub_runner_counts(const struct eventsub_runner *r, struct eventsub_runner_counts *out);
/** Stores what is counted (best effort), closes every connection and frees; NULL is a no-op. */
void eventsub_runner_free(struct eventsub_runner *r);

#endif
