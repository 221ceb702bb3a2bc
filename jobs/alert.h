/*
 * Alerts: events (a raid, a bot wave, a watched account joining, captures failing, a login
 * Twitch no longer accepts) fanned out to the webhooks that asked for them, as deliveries
 * queued on the durable job queue, then posted to Discord, Slack or a signed JSON receiver.
 *
 * Webhook URLs and secrets are sealed at rest (base/crypto.h) and opened only to post: they
 * are never logged, never put in an error message, and shown masked. Nothing here logs.
 */
#ifndef TCA_ALERT_H
#define TCA_ALERT_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "base/chatter.h"
#include "base/crypto.h"
#include "jobs/job_payload.h"
#include "jobs/worker.h"
#include "store/store_alerts.h"

enum alert_event {
    ALERT_RAID,
    ALERT_BOT_WAVE,
    ALERT_WATCHED_JOINED,
    ALERT_CAPTURE_FAILING,
    ALERT_LOGIN_REJECTED,
    ALERT_TEST,
    ALERT_FOLLOWER_WAVE, /* after ALERT_TEST: webhooks keep events as bits of these values */
    ALERT_EVENTS
};

/** Header names of the signed JSON webhook. */
#define ALERT_HEADER_TIMESTAMP "X-TCA-Timestamp"
#define ALERT_HEADER_SIGNATURE "X-TCA-Signature"
#define ALERT_HEADER_EVENT "X-TCA-Event"
#define ALERT_HEADER_DELIVERY "X-TCA-Delivery"
/** How old a signed timestamp a receiver should accept, in seconds (documented replay window). */
#define ALERT_REPLAY_WINDOW_S 300
/** Deliveries to one webhook are at least this far apart (Discord allows 30 a minute). */
#define ALERT_MIN_INTERVAL_MS 2000
/** Attempts before a delivery that keeps meeting 5xx or timeouts is given up. */
#define ALERT_MAX_ATTEMPTS 6

/** The stable name of an event ("raid", "bot_wave", ...); NULL when out of range. */
const char *alert_event_name(int ev);
/** The event of a name, or -1. */
int alert_event_parse(const char *name);

/**
 * Checks a webhook URL: https:// only, or http:// to a loopback address (tests); at most 512
 * bytes, no spaces or control characters. The message never repeats the URL.
 */
int alert_url_check(const char *url, char *err, size_t errlen);
/** What lists show of a URL: scheme and host, then "/…" (out has room for 96 bytes). */
void alert_url_mask(const char *url, char out[96]);

/**
 * Queues ev for every webhook of owner_id that wants it in channel_id (only webhook `only`
 * when it is non-zero, for the test button): a delivery row and a "deliver" job each.
 * details (borrowed) becomes the event's "data"; text is its one-line summary. With a dedupe
 * key (else NULL), a webhook that already had a delivery of that key is skipped: an event
 * seen again by a later capture is announced once.
 * *queued (may be NULL) receives how many deliveries were queued.
 */
int alert_emit(struct store *st, int64_t owner_id, int64_t channel_id, int ev, int64_t only,
               const char *dedupe, const char *text, json_t *details, int64_t now_ms, int *queued,
               char *err, size_t errlen);

/**
 * After a capture: alerts owner_id's webhooks when chatters that just joined are on their
 * watchlist. A login-only entry matched by login gains the account's id, so it still matches
 * after a rename. joined holds ids sorted ascending; chatters is the capture, sorted by id.
 */
int alert_on_capture(struct store *st, int64_t owner_id, int64_t channel_id,
                     const struct chatter_set *chatters, const int64_t *joined, size_t n_joined,
                     int64_t now_ms, int *alerts, char *err, size_t errlen);

/** How far back a capture looks for raids not announced yet. */
#define RAID_LATE_CAPTURES 10
/** How old a raid may be at the capture that posts a follow-up with its stay counts (the
 * 30-minute window, plus 15 minutes for the capture that makes it observable). */
#define RAID_FOLLOWUP_MAX_MS (45 * 60 * 1000)

/**
 * After capture seq of channel_id in session_id: when one of owner_id's webhooks wants raids
 * there, asks the report layer for the channel's raids (its rules, untouched here) and alerts
 * for each raid of the last RAID_LATE_CAPTURES captures up to this one that was not announced
 * yet (a raid recognised only later is announced late, saying so; each raid once per webhook).
 * Then, as each stay window (5, 15, 30 minutes) of a raid at most RAID_FOLLOWUP_MAX_MS old
 * becomes observable, a follow-up with its stay count: once per window and webhook, the largest
 * window known at this capture only. *alerts (may be NULL) receives the deliveries queued.
 */
int alert_on_raid(struct store *st, int64_t owner_id, int64_t session_id, int64_t channel_id,
                  int64_t seq, int64_t now_ms, int *alerts, char *err, size_t errlen);

/**
 * After the enrichment of session_id (creation dates known): for each channel where one of
 * owner_id's webhooks wants bot waves, announces each creation day the report layer rates
 * critical, with the largest login cluster among its accounts; each day once per session.
 */
int alert_on_bot_wave(struct store *st, int64_t owner_id, int64_t session_id, int64_t now_ms,
                      int *alerts, char *err, size_t errlen);

/**
 * After the enrichment of session_id (creation dates of new followers known): for each channel
 * where one of owner_id's webhooks wants follower waves, announces each read the report layer
 * rates a follower wave, with its count, creation window and capture; each creation day once
 * per session, channel and webhook (a wave read over two captures is one alert).
 */
int alert_on_follower_wave(struct store *st, int64_t owner_id, int64_t session_id, int64_t now_ms,
                           int *alerts, char *err, size_t errlen);

/**
 * After a capture job was given up: alerts the capturing user's webhooks that captures of the
 * channel keep failing, or that Twitch no longer accepts the login (rc TCA_EAUTH). Best
 * effort: an alert that cannot be queued is dropped, the job's own outcome stands.
 */
void alert_capture_failed(struct store *st, const struct job_payload *p, int rc, const char *why,
                          int64_t now_ms);

/**
 * Runs a "deliver" job: posts the delivery, then marks the job done, retried (5xx, timeouts,
 * 429 after its retry_after) or failed (4xx, too many attempts), and the delivery likewise.
 * out->state says which. Returns 0, or a negative code when the store itself failed.
 */
int alert_run_delivery(struct worker_env *env, const struct store_job *job, int64_t delivery_id,
                       struct worker_outcome *out, char *err, size_t errlen);

#endif
