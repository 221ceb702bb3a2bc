/* Dispatch of the channel-role operations to the back end, and the roles' names. */
#include "store/store_driver.h"
#include "store/store_roles.h"

int store_roles_replace(struct store *st, int64_t channel_id, int role, const int64_t *ids,
                        size_t n, int64_t read_at_ms, char *err, size_t errlen)
{
    if (role != STORE_ROLE_MODERATOR && role != STORE_ROLE_VIP)
        return tca_fail(err, errlen, TCA_EINVAL, "unknown role %d", role);
    return st->ops->roles_replace(st, channel_id, role, ids, n, read_at_ms, err, errlen);
}

int store_roles_list(struct store *st, const int64_t *channels, size_t n_channels,
                     struct store_role_holder **out, size_t *n, char *err, size_t errlen)
{
    return st->ops->roles_list(st, channels, n_channels, out, n, err, errlen);
}

int store_roles_read_at(struct store *st, int64_t channel_id, int role, int64_t *read_at_ms,
                        char *err, size_t errlen)
{
    return st->ops->roles_read_at(st, channel_id, role, read_at_ms, err, errlen);
}

const char *store_role_name(int role)
{
    return role == STORE_ROLE_MODERATOR ? "moderator" : role == STORE_ROLE_VIP ? "vip" : "";
}
