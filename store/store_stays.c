/*
 * store_stay_list: a session's stays as one array, gathered from the streamed read that each
 * back end gives (store_stays_each), so there is one statement for the stays per back end.
 * Must never read anything the streamed read does not.
 */
#include "store/store_driver.h"
#include "base/xalloc.h"

#include <stdlib.h>

struct stay_gather {
    struct store_stay *stays;
    size_t n, cap;
};

static int gather_stay(void *ctx, const struct store_stay *stay)
{
    struct stay_gather *g = ctx;
    g->stays = xgrow(g->stays, &g->cap, g->n, sizeof *g->stays, 256);
    g->stays[g->n++] = *stay;
    return 0;
}

int store_stay_list(struct store *st, int64_t session_id, int64_t channel_id,
                    struct store_stay **out, size_t *n, char *err, size_t errlen)
{
    struct stay_gather g = {0};
    int rc = st->ops->stays_each(st, session_id, channel_id, gather_stay, &g, err, errlen);
    if (rc) {
        free(g.stays);
        g = (struct stay_gather){0};
    }
    *out = g.stays;
    *n = g.n;
    return rc;
}
