/* Dispatch of the chat activity operations (setting, counts, raids) to the back end. */
#include "store/store_driver.h"

int store_chat_set(struct store *st, int64_t session_id, int enabled, int64_t now_ms, char *err,
                   size_t errlen)
{
    return st->ops->chat_set(st, session_id, enabled, now_ms, err, errlen);
}

int store_chat_note(struct store *st, int64_t session_id, const char *status, int64_t now_ms,
                    char *err, size_t errlen)
{
    return st->ops->chat_note(st, session_id, status, now_ms, err, errlen);
}

int store_chat_get(struct store *st, int64_t session_id, struct store_chat_setting *out, char *err,
                   size_t errlen)
{
    return st->ops->chat_get(st, session_id, out, err, errlen);
}

int store_chat_targets(struct store *st, struct store_chat_target **out, size_t *n, char *err,
                       size_t errlen)
{
    return st->ops->chat_targets(st, out, n, err, errlen);
}

int store_chat_add(struct store *st, const struct store_chat_count *rows, size_t n, char *err,
                   size_t errlen)
{
    return n ? st->ops->chat_add(st, rows, n, err, errlen) : 0;
}

int store_chat_counts(struct store *st, int64_t session_id, int64_t channel_id,
                      struct store_chat_count **out, size_t *n, char *err, size_t errlen)
{
    return st->ops->chat_counts(st, session_id, channel_id, out, n, err, errlen);
}

int store_chat_raid_add(struct store *st, const struct store_chat_raid *r, char *err, size_t errlen)
{
    return st->ops->chat_raid_add(st, r, err, errlen);
}

int store_chat_raids(struct store *st, int64_t session_id, struct store_chat_raid **out, size_t *n,
                     char *err, size_t errlen)
{
    return st->ops->chat_raids(st, session_id, out, n, err, errlen);
}
