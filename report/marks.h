/*
 * Internal to report/: the marks a chatter carries beside the statistics: their role in the
 * session's channels (broadcaster, moderator or VIP, as Twitch last told a broadcaster's
 * capture) and whether the owner watches them. Loaded once per table or export; read-only
 * after. Never asks Twitch.
 */
#ifndef TCA_REPORT_MARKS_H
#define TCA_REPORT_MARKS_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"

/** Roles, weakest first: a chatter shows the strongest one they hold in any channel. */
enum rp_role { RP_ROLE_NONE, RP_ROLE_VIP, RP_ROLE_MODERATOR, RP_ROLE_BROADCASTER };

struct rp_marks {
    int64_t *role_ids; /* sorted; roles[i] is role_ids[i]'s strongest role */
    uint8_t *roles;
    size_t n_roles;
    int64_t *watched; /* sorted user ids on the owner's watchlist */
    size_t n_watched;
};

/**
 * Loads the roles held in channels[0..n) (their broadcasters included) and owner_id's
 * watched ids. Free with rp_marks_free, also after a failure.
 */
int rp_marks_load(struct store *st, int64_t owner_id, const int64_t *channels, size_t n,
                  struct rp_marks *m, char *err, size_t errlen);
/** Frees what rp_marks_load made. */
void rp_marks_free(struct rp_marks *m);
/** The strongest role of user_id. */
enum rp_role rp_marks_role(const struct rp_marks *m, int64_t user_id);
/** 1 when user_id is on the owner's watchlist. */
int rp_marks_watched(const struct rp_marks *m, int64_t user_id);
/**
 * Adds to a chatter's profile "roles": [{channel_id, channel, role}] over channels[0..n)
 * (logins[i] names channels[i]) and "watched": {reason, note, added_at} or null.
 */
int rp_marks_profile(struct store *st, int64_t owner_id, int64_t chatter_id,
                     const int64_t *channels, const char *const *logins, size_t n, json_t *profile,
                     char *err, size_t errlen);
/** "broadcaster", "moderator", "vip" or "". */
const char *rp_role_name(enum rp_role r);

#endif
