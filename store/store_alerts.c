/* Dispatch of the alert operations (webhooks, deliveries, watchlist) to the back end. */
#include "store/store_driver.h"

#include <stdlib.h>

int store_webhook_create(struct store *st, const struct store_webhook *w, int64_t *id, char *err,
                         size_t errlen)
{
    return st->ops->webhook_create(st, w, id, err, errlen);
}

int store_webhook_list(struct store *st, int64_t owner_id, struct store_webhook **out, size_t *n,
                       char *err, size_t errlen)
{
    return st->ops->webhook_list(st, owner_id, out, n, err, errlen);
}

int store_webhook_get(struct store *st, int64_t id, struct store_webhook *out, char *err,
                      size_t errlen)
{
    return st->ops->webhook_get(st, id, out, err, errlen);
}

int store_webhook_delete(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen)
{
    return st->ops->webhook_delete(st, owner_id, id, err, errlen);
}

int store_webhook_block(struct store *st, int64_t id, int64_t until_ms, char *err, size_t errlen)
{
    return st->ops->webhook_block(st, id, until_ms, err, errlen);
}

int store_delivery_create(struct store *st, const struct store_delivery *d, int64_t *id, char *err,
                          size_t errlen)
{
    return st->ops->delivery_create(st, d, id, err, errlen);
}

int store_delivery_update(struct store *st, const struct store_delivery *d, char *err,
                          size_t errlen)
{
    return st->ops->delivery_update(st, d, err, errlen);
}

int store_delivery_get(struct store *st, int64_t id, struct store_delivery *out, char *err,
                       size_t errlen)
{
    return st->ops->delivery_get(st, id, out, err, errlen);
}

int store_delivery_list(struct store *st, int64_t owner_id, size_t limit,
                        struct store_delivery **out, size_t *n, char *err, size_t errlen)
{
    return st->ops->delivery_list(st, owner_id, limit, out, n, err, errlen);
}

void store_delivery_clear(struct store_delivery *d)
{
    free(d->body);
    d->body = NULL;
}

int store_watch_put(struct store *st, const struct store_watch *w, int64_t *id, char *err,
                    size_t errlen)
{
    return st->ops->watch_put(st, w, id, err, errlen);
}

int store_watch_list(struct store *st, int64_t owner_id, struct store_watch **out, size_t *n,
                     char *err, size_t errlen)
{
    return st->ops->watch_list(st, owner_id, out, n, err, errlen);
}

int store_watch_remove(struct store *st, int64_t owner_id, int64_t id, char *err, size_t errlen)
{
    return st->ops->watch_remove(st, owner_id, id, err, errlen);
}
