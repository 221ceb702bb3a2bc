/*
 * Roles and watchlist marks of a session's chatters: the store's role lists (what Twitch
 * told the broadcaster's captures) and the broadcasters themselves, plus the owner's watched
 * ids (an entry without an id yet marks nobody). Must never ask Twitch or guess a role.
 */
#include "report/marks.h"
#include "report/internal.h"
#include "analysis/ids.h"
#include "base/xalloc.h"
#include "store/store_alerts.h"
#include "store/store_roles.h"

#include <stdlib.h>
#include <string.h>

struct held {
    int64_t id;
    uint8_t role;
};

static int by_id_then_strongest(const void *a, const void *b)
{
    const struct held *x = a, *y = b;
    if (x->id != y->id)
        return x->id < y->id ? -1 : 1;
    return (int)y->role - (int)x->role;
}

/* What both the table marks and a profile read: the channels' role lists and the owner's
 * watchlist; the caller frees both, also on an error. */
struct lists {
    struct store_role_holder *h;
    struct store_watch *w;
    size_t n_h, n_w;
};

static int lists_load(struct store *st, int64_t owner_id, const int64_t *channels, size_t n,
                      struct lists *l, char *err, size_t errlen)
{
    memset(l, 0, sizeof *l);
    int rc = store_roles_list(st, channels, n, &l->h, &l->n_h, err, errlen);
    return rc ? rc : store_watch_list(st, owner_id, &l->w, &l->n_w, err, errlen);
}

static void lists_free(struct lists *l)
{
    free(l->h);
    free(l->w);
}

static enum rp_role role_of(const struct store_role_holder *h)
{
    return h->role == STORE_ROLE_MODERATOR ? RP_ROLE_MODERATOR : RP_ROLE_VIP;
}

int rp_marks_load(struct store *st, int64_t owner_id, const int64_t *channels, size_t n,
                  struct rp_marks *m, char *err, size_t errlen)
{
    memset(m, 0, sizeof *m);
    struct lists l;
    int rc = lists_load(st, owner_id, channels, n, &l, err, errlen);
    if (rc)
        goto out;
    const struct store_role_holder *h = l.h;
    const struct store_watch *w = l.w;
    size_t n_h = l.n_h, n_w = l.n_w;
    struct held *all = xcalloc(n_h + n + 1, sizeof *all);
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        all[k++] = (struct held){channels[i], RP_ROLE_BROADCASTER};
    for (size_t i = 0; i < n_h; i++)
        all[k++] = (struct held){h[i].user_id, (uint8_t)role_of(&h[i])};
    qsort(all, k, sizeof *all, by_id_then_strongest);
    m->role_ids = xcalloc(k + 1, sizeof *m->role_ids);
    m->roles = xcalloc(k + 1, 1);
    for (size_t i = 0; i < k; i++)
        if (i == 0 || all[i].id != all[i - 1].id) {
            m->role_ids[m->n_roles] = all[i].id;
            m->roles[m->n_roles++] = all[i].role;
        }
    free(all);
    m->watched = xcalloc(n_w + 1, sizeof *m->watched);
    for (size_t i = 0; i < n_w; i++)
        if (w[i].user_id > 0)
            m->watched[m->n_watched++] = w[i].user_id;
    m->n_watched = an_ids_sort_unique(m->watched, m->n_watched);
out:
    lists_free(&l);
    return rc;
}

void rp_marks_free(struct rp_marks *m)
{
    free(m->role_ids);
    free(m->roles);
    free(m->watched);
    memset(m, 0, sizeof *m);
}

enum rp_role rp_marks_role(const struct rp_marks *m, int64_t user_id)
{
    size_t lo = 0, hi = m->n_roles;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (m->role_ids[mid] < user_id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < m->n_roles && m->role_ids[lo] == user_id ? (enum rp_role)m->roles[lo]
                                                         : RP_ROLE_NONE;
}

int rp_marks_watched(const struct rp_marks *m, int64_t user_id)
{
    return an_ids_contain(m->watched, m->n_watched, user_id);
}

const char *rp_role_name(enum rp_role r)
{
    static const char *const names[] = {"", "vip", "moderator", "broadcaster"};
    return r <= RP_ROLE_BROADCASTER ? names[r] : "";
}

int rp_marks_profile(struct store *st, int64_t owner_id, int64_t chatter_id,
                     const int64_t *channels, const char *const *logins, size_t n, json_t *profile,
                     char *err, size_t errlen)
{
    struct lists l;
    int rc = lists_load(st, owner_id, channels, n, &l, err, errlen);
    if (rc)
        goto out;
    const struct store_role_holder *h = l.h;
    const struct store_watch *w = l.w;
    json_t *roles = json_array();
    for (size_t c = 0; c < n; c++) {
        enum rp_role best = channels[c] == chatter_id ? RP_ROLE_BROADCASTER : RP_ROLE_NONE;
        for (size_t i = 0; i < l.n_h; i++)
            if (h[i].channel_id == channels[c] && h[i].user_id == chatter_id) {
                enum rp_role r = role_of(&h[i]);
                best = r > best ? r : best;
            }
        if (best != RP_ROLE_NONE)
            json_array_append_new(roles,
                                  json_pack("{s:o, s:s, s:s}", "channel_id", rp_id(channels[c]),
                                            "channel", logins[c], "role", rp_role_name(best)));
    }
    json_object_set_new(profile, "roles", roles);
    json_t *watched = json_null();
    for (size_t i = 0; i < l.n_w; i++)
        if (w[i].user_id == chatter_id) {
            json_decref(watched);
            watched = json_pack("{s:s, s:s, s:o}", "reason", w[i].reason, "note", w[i].note,
                                "added_at", rp_time(w[i].added_at_ms));
        }
    json_object_set_new(profile, "watched", watched);
out:
    lists_free(&l);
    return rc;
}
