/* Dispatch of the follower operations to the back end. */
#include "store/store_driver.h"
#include "store/store_followers.h"

int store_followers_add(struct store *st, int64_t session_id, int64_t channel_id, int64_t seq,
                        const struct store_follow *follows, size_t n, int64_t read_at_ms,
                        int64_t total, int *added, char *err, size_t errlen)
{
    int ignored;
    return st->ops->followers_add(st, session_id, channel_id, seq, follows, n, read_at_ms, total,
                                  added ? added : &ignored, err, errlen);
}

int store_followers_latest(struct store *st, int64_t channel_id, int64_t *followed_at_ms,
                           int64_t *read_at_ms, char *err, size_t errlen)
{
    return st->ops->followers_latest(st, channel_id, followed_at_ms, read_at_ms, err, errlen);
}

int store_followers_list(struct store *st, int64_t session_id, struct store_follow **out, size_t *n,
                         char *err, size_t errlen)
{
    return st->ops->followers_list(st, session_id, out, n, err, errlen);
}

int store_follower_reads(struct store *st, int64_t session_id, struct store_follower_read **out,
                         size_t *n, char *err, size_t errlen)
{
    return st->ops->follower_reads(st, session_id, out, n, err, errlen);
}
