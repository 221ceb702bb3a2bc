/*
 * Where login sessions and OAuth states live: in the kv when TCA_REDIS names a server (every
 * gateway replica then accepts a cookie or an OAuth callback another one issued, and Redis
 * forgets them when they expire), else in the store, which survives a restart of the single
 * process. auth.c calls these and never knows which. Only keyed hashes of session ids and
 * states reach either place. Must never log and never reply: auth.c decides what to answer.
 */
#include "web/internal.h"

#include "base/err.h"
#include "kv/kv.h"

#include <stdio.h>
#include <string.h>

static int use_kv(const struct web_req *r)
{
    return r->w->o.logins_in_kv;
}

/* The store connection of the store path; TCA_EDB when none (web_store replied 503). */
static int need_store(struct web_req *r, char *err, size_t errlen)
{
    return web_store(r) ? 0 : tca_fail(err, errlen, TCA_EDB, "the store is unavailable");
}

/* How long the kv keeps a login after activity at now: to its idle or absolute end. */
static int64_t login_ttl(const struct web *w, int64_t now, int64_t expires_at_ms)
{
    int64_t ttl = w->o.login_idle_ms;
    return expires_at_ms - now < ttl ? expires_at_ms - now : ttl;
}

int web_login_create(struct web_req *r, const struct store_login *l, char *err, size_t errlen)
{
    if (use_kv(r)) {
        struct kv_login k = {.user_id = l->user_id,
                             .created_at_ms = l->created_at_ms,
                             .last_seen_ms = l->last_seen_ms,
                             .expires_at_ms = l->expires_at_ms};
        snprintf(k.csrf, sizeof k.csrf, "%s", l->csrf);
        return kv_login_put(r->w->o.kv, l->id_hash, &k,
                            login_ttl(r->w, l->last_seen_ms, l->expires_at_ms), err, errlen);
    }
    int rc = need_store(r, err, errlen);
    return rc ? rc : store_login_create(r->st, l, err, errlen);
}

int web_login_get(struct web_req *r, const char *id_hash, struct store_login *out, char *err,
                  size_t errlen)
{
    if (use_kv(r)) {
        struct kv_login k;
        int rc = kv_login_get(r->w->o.kv, id_hash, &k, err, errlen);
        if (rc)
            return rc;
        memset(out, 0, sizeof *out);
        snprintf(out->id_hash, sizeof out->id_hash, "%s", id_hash);
        out->user_id = k.user_id;
        snprintf(out->csrf, sizeof out->csrf, "%s", k.csrf);
        out->created_at_ms = k.created_at_ms;
        out->last_seen_ms = k.last_seen_ms;
        out->expires_at_ms = k.expires_at_ms;
        return 0;
    }
    int rc = need_store(r, err, errlen);
    return rc ? rc : store_login_get(r->st, id_hash, out, err, errlen);
}

int web_login_touch(struct web_req *r, const struct store_login *l, int64_t now_ms, char *err,
                    size_t errlen)
{
    if (use_kv(r))
        return kv_login_touch(r->w->o.kv, l->id_hash, now_ms,
                              login_ttl(r->w, now_ms, l->expires_at_ms), err, errlen);
    int rc = need_store(r, err, errlen);
    return rc ? rc : store_login_touch(r->st, l->id_hash, now_ms, err, errlen);
}

int web_login_delete(struct web_req *r, const char *id_hash, char *err, size_t errlen)
{
    if (use_kv(r))
        return kv_login_delete(r->w->o.kv, id_hash, err, errlen);
    int rc = need_store(r, err, errlen);
    return rc ? rc : store_login_delete(r->st, id_hash, err, errlen);
}

int web_login_delete_user(struct web_req *r, int64_t user_id, char *err, size_t errlen)
{
    if (use_kv(r))
        return kv_login_delete_user(r->w->o.kv, user_id, err, errlen);
    int rc = need_store(r, err, errlen);
    return rc ? rc : store_login_delete_user(r->st, user_id, err, errlen);
}

int web_state_put(struct web_req *r, const char *state_hash, int64_t now_ms, char *err,
                  size_t errlen)
{
    if (use_kv(r))
        return kv_state_put(r->w->o.kv, state_hash, WEB_STATE_TTL_MS, err, errlen);
    int rc = need_store(r, err, errlen);
    return rc ? rc
              : store_oauth_state_put(r->st, state_hash, now_ms + WEB_STATE_TTL_MS, err, errlen);
}

int web_state_take(struct web_req *r, const char *state_hash, int64_t now_ms, char *err,
                   size_t errlen)
{
    if (use_kv(r))
        return kv_state_take(r->w->o.kv, state_hash, err, errlen);
    int rc = need_store(r, err, errlen);
    return rc ? rc : store_oauth_state_take(r->st, state_hash, now_ms, err, errlen);
}
