/*
 * Followers of the captured channels, as reads of Get Channel Followers beside the captures
 * found them: each follow once per channel (the first read that saw it keeps it, with its
 * session and capture), and each read with how many follows it found new, so a read that
 * found none still counts in a channel's usual follows. Never asks Twitch.
 */
#ifndef TCA_STORE_FOLLOWERS_H
#define TCA_STORE_FOLLOWERS_H

#include "store/store.h"

/** One follow of a channel. */
struct store_follow {
    int64_t channel_id;
    int64_t user_id;
    char login[32];         /* the profile's login once enriched, else as Twitch listed it */
    int64_t followed_at_ms; /* Twitch's followed_at */
    int64_t seq;            /* the capture whose read stored it */
    int64_t created_at_ms;  /* account creation from the profile; 0 until enriched */
};

/** One read of a channel's followers beside capture seq. */
struct store_follower_read {
    int64_t channel_id;
    int64_t seq;
    int64_t read_at_ms;
    int64_t new_followers; /* follows this read stored (not seen by an earlier read) */
    int64_t total;         /* Twitch's follower count at the read */
};

/**
 * Stores a read beside capture seq of channel_id in session_id: each of follows[0..n) not yet
 * kept for the channel (channel_id and seq of the rows are ignored), and the read itself,
 * in one transaction. *added (may be NULL) receives how many follows were new.
 */
int store_followers_add(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                        const struct store_follow *follows, size_t n, int64_t read_at_ms,
                        int64_t total, int *added, char *err, size_t errlen);
/** The newest followed_at kept for channel_id and the time of its last read (0 when none). */
int store_followers_latest(struct store *st, int64_t channel_id, int64_t *followed_at_ms,
                           int64_t *read_at_ms, char *err, size_t errlen);
/** The follows stored by the reads of session_id, by channel, capture and user, with their
 * profiles' logins and creation times. *out is the caller's to free(). */
int store_followers_list(struct store *st, int64_t session_id, struct store_follow **out, size_t *n,
                         char *err, size_t errlen);
/** The reads of session_id, by channel then capture. *out is the caller's to free(). */
int store_follower_reads(struct store *st, int64_t session_id, struct store_follower_read **out,
                         size_t *n, char *err, size_t errlen);

#endif
