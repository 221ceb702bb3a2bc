/*
 * Roles Twitch reports in a channel (moderators, VIPs), as last read by a capture whose
 * token belongs to the broadcaster. Kept per channel, replaced whole at each read, with the
 * time of that read, so "not a moderator" can be told from "never asked". Never asks Twitch.
 */
#ifndef TCA_STORE_ROLES_H
#define TCA_STORE_ROLES_H

#include "store/store.h"

/** The roles kept; values are stored, never renumber them. */
enum store_role { STORE_ROLE_MODERATOR = 1, STORE_ROLE_VIP = 2 };

/** One role held by one user in one channel. */
struct store_role_holder {
    int64_t channel_id;
    int64_t user_id;
    int role; /* enum store_role */
};

/**
 * Replaces the holders of role in channel_id with ids[0..n) (one transaction) and records
 * read_at_ms as the time they were read from Twitch.
 */
int store_roles_replace(struct store *st, int64_t channel_id, int role, const int64_t *ids,
                        size_t n, int64_t read_at_ms, char *err, size_t errlen);
/** Every role held in channels[0..n_channels), by channel then user; *out is the caller's to
 * free(). */
int store_roles_list(struct store *st, const int64_t *channels, size_t n_channels,
                     struct store_role_holder **out, size_t *n, char *err, size_t errlen);
/** When role of channel_id was last read from Twitch; 0 when never. */
int store_roles_read_at(struct store *st, int64_t channel_id, int role, int64_t *read_at_ms,
                        char *err, size_t errlen);
/** "moderator" or "vip" ("" for anything else). */
const char *store_role_name(int role);

#endif
