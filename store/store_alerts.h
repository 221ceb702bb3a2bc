/*
 * Store operations for alerts: webhooks (their URLs and signing secrets sealed by the caller,
 * never seen here in clear), the deliveries made to them, and each user's watchlist of
 * accounts. Part of store.h's table of operations; nothing here seals, sends or logs.
 */
#ifndef TCA_STORE_ALERTS_H
#define TCA_STORE_ALERTS_H

#include "store/store.h"

/** Sealed text is base64url of nonce + ciphertext: a 512-byte URL fits in this. */
#define STORE_SEALED_MAX 1024

/** A webhook: where alerts of some events in some channels of one user go. */
struct store_webhook {
    int64_t id;
    int64_t owner_id;
    char kind[16]; /* "discord", "slack" or "json" */
    char name[64];
    char url_sealed[STORE_SEALED_MAX];    /* crypto_seal of the URL for owner_id */
    char secret_sealed[STORE_SEALED_MAX]; /* crypto_seal of the HMAC key ("" unless json) */
    char url_masked[96];                  /* what lists show: scheme, host and "…" */
    int64_t channel_id;                   /* 0: every channel of the owner */
    int64_t events;                       /* bit (1 << enum alert_event) per event sent */
    int64_t blocked_until_ms;             /* after a 429: no delivery before this */
    int64_t created_at_ms;
};

/** Creates a webhook; *id receives its id. */
int store_webhook_create(struct store *st, const struct store_webhook *w, int64_t *id, char *err,
                         size_t errlen);
/** owner_id's webhooks by id. *out is the caller's to free(). */
int store_webhook_list(struct store *st, int64_t owner_id, struct store_webhook **out, size_t *n,
                       char *err, size_t errlen);
/** Reads a webhook; TCA_ENOTFOUND if absent. */
int store_webhook_get(struct store *st, int64_t id, struct store_webhook *out, char *err,
                      size_t errlen);
/** Deletes owner_id's webhook id and its deliveries; TCA_ENOTFOUND if it is not theirs. */
int store_webhook_delete(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen);
/** Holds every delivery of webhook id until until_ms (a 429's retry_after). */
int store_webhook_block(struct store *st, int64_t id, int64_t until_ms, char *err, size_t errlen);

/** One message to one webhook and what became of it. */
struct store_delivery {
    int64_t id;
    int64_t webhook_id;
    int64_t owner_id;
    char event[32];
    char dedupe_key[96]; /* "": none; else at most one delivery per webhook and key */
    char *body;          /* owned JSON of the event; NULL in lists */
    char state[12];      /* "queued", "sent", "failed" */
    int attempts;
    int last_status; /* HTTP status of the last attempt; 0: none or no answer */
    char last_error[160];
    int64_t created_at_ms;
    int64_t updated_at_ms;
};

/** Records a queued delivery; *id receives its id. TCA_ECONFLICT when the webhook already had
 * a delivery of the same dedupe_key (an event announced once). */
int store_delivery_create(struct store *st, const struct store_delivery *d, int64_t *id, char *err,
                          size_t errlen);
/** Stores the outcome of an attempt: state, attempts, last_status, last_error, updated_at. */
int store_delivery_update(struct store *st, const struct store_delivery *d, char *err,
                          size_t errlen);
/** Reads a delivery with its body; release with store_delivery_clear. */
int store_delivery_get(struct store *st, int64_t id, struct store_delivery *out, char *err,
                       size_t errlen);
/** owner_id's latest deliveries, newest first, without bodies. *out is the caller's to free(). */
int store_delivery_list(struct store *st, int64_t owner_id, size_t limit,
                        struct store_delivery **out, size_t *n, char *err, size_t errlen);
/** Frees a delivery's body; safe on a zeroed struct. */
void store_delivery_clear(struct store_delivery *d);

/** A watched account: kept by Twitch id once known, so a rename is followed. */
struct store_watch {
    int64_t id;
    int64_t owner_id;
    int64_t user_id; /* 0 until an account of that login is seen */
    char login[32];  /* lowercase; as added, then as last seen */
    char reason[32];
    char note[256];
    int64_t added_at_ms;
};

/**
 * Adds or updates an entry of owner_id's watchlist: the row of the same user id (when
 * w->user_id is set) or else of the same login with no id yet. *id (may be NULL) receives it.
 */
int store_watch_put(struct store *st, const struct store_watch *w, int64_t *id, char *err,
                    size_t errlen);
/** owner_id's watchlist by login. *out is the caller's to free(). */
int store_watch_list(struct store *st, int64_t owner_id, struct store_watch **out, size_t *n,
                     char *err, size_t errlen);
/** Removes entry id of owner_id's watchlist; TCA_ENOTFOUND if it is not theirs. */
int store_watch_remove(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen);

#endif
