/*
 * Reads a channel's moderators and VIPs beside its capture, for the broadcaster's own login
 * only: Twitch answers Get Moderators and Get VIPs to that token alone (a moderator gets
 * 401), so asking with any other would spend budget on refusals. Must never fail a capture.
 */
#include "jobs/roles.h"

#include "base/err.h"
#include "store/store_roles.h"

#include <stdlib.h>
#include <string.h>

static int refresh_one(struct worker_env *env, struct twitch_token *tok, int64_t channel_id,
                       enum twitch_role role, int stored_role, int64_t now_ms, char *err,
                       size_t errlen)
{
    int64_t read_at = 0, *ids = NULL;
    size_t n = 0;
    int rc = store_roles_read_at(env->st, channel_id, stored_role, &read_at, err, errlen);
    if (rc || (read_at > 0 && now_ms - read_at < ROLES_REFRESH_MS))
        return rc ? rc : 0;
    rc = twitch_get_channel_roles(env->tw, tok, channel_id, role, &ids, &n, err, errlen);
    if (!rc)
        rc = store_roles_replace(env->st, channel_id, stored_role, ids, n, now_ms, err, errlen);
    free(ids);
    return rc ? rc : 1;
}

int roles_refresh(struct worker_env *env, struct twitch_token *tok, int64_t channel_id,
                  int64_t user_id, int64_t now_ms, char *err, size_t errlen)
{
    if (user_id != channel_id)
        return 0;
    int read = 0, rc = 0;
    if (twitch_token_has_scope(tok, "moderation:read") ||
        twitch_token_has_scope(tok, "channel:manage:moderators")) {
        rc = refresh_one(env, tok, channel_id, TWITCH_ROLE_MODERATORS, STORE_ROLE_MODERATOR, now_ms,
                         err, errlen);
        if (rc < 0)
            return rc;
        read += rc;
    }
    if (twitch_token_has_scope(tok, "channel:read:vips") ||
        twitch_token_has_scope(tok, "channel:manage:vips")) {
        rc = refresh_one(env, tok, channel_id, TWITCH_ROLE_VIPS, STORE_ROLE_VIP, now_ms, err,
                         errlen);
        if (rc < 0)
            return rc;
        read += rc;
    }
    return read;
}
