/*
 * API keys: created from a browser login (the key is shown once, in the creation reply, and
 * only its keyed hash is stored), listed with a short prefix to recognise them, revoked.
 * A key acts as its user, read-only keys for GET only. Never returns a key a second time.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_PREFIX "tca_"
#define MAX_ACTIVE_KEYS 20

static json_t *key_json(const struct store_api_key *k)
{
    char created[32], used[32];
    clock_format_rfc3339(k->created_at_ms, created, sizeof created);
    clock_format_rfc3339(k->last_used_ms, used, sizeof used);
    json_t *j = json_pack("{s:I, s:s, s:s, s:b, s:s, s:b}", "id", (json_int_t)k->id, "name",
                          k->name, "prefix", k->prefix, "read_only", k->read_only, "created_at",
                          created, "revoked", k->revoked_at_ms != 0);
    return j;
}

void web_api_keys(struct web_req *r)
{
    struct store_api_key *k = NULL;
    size_t n = 0;
    char err[256];
    if (!web_store(r))
        return;
    int rc = store_api_key_list(r->st, r->user_id, &k, &n, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, key_json(&k[i]));
    free(k);
    web_reply_json(r, 200, json_pack("{s:o}", "keys", a));
}

void web_api_key_create(struct web_req *r)
{
    json_t *body = NULL;
    json_error_t je;
    const char *name = NULL;
    int read_only = 0;
    char err[256];
    struct store_api_key *all = NULL;
    size_t n = 0;
    if (!web_store(r) || web_body_json(r, &body) < 0)
        goto out;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s:s, s?:b}", "name", &name, "read_only",
                       &read_only) != 0) {
        web_error(r, 400, "invalid_body", "%s", je.text);
        goto out;
    }
    size_t len = strlen(name);
    if (len == 0 || len >= sizeof((struct store_api_key *)0)->name) {
        web_error(r, 400, "invalid_body", "name must be 1 to 63 characters");
        goto out;
    }
    for (size_t i = 0; i < len; i++)
        if ((unsigned char)name[i] < 0x20 || name[i] == 0x7f) {
            web_error(r, 400, "invalid_body", "name must not contain control characters");
            goto out;
        }
    int rc = store_api_key_list(r->st, r->user_id, &all, &n, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        goto out;
    }
    size_t active = 0;
    for (size_t i = 0; i < n; i++)
        active += all[i].revoked_at_ms == 0;
    if (active >= MAX_ACTIVE_KEYS) {
        web_error(r, 409, "limit_reached", "you already have %d active API keys: revoke one first",
                  MAX_ACTIVE_KEYS);
        goto out;
    }
    char token[CRYPTO_TOKEN_CHARS + 1];
    crypto_random_token(token);
    char *key = xasprintf(KEY_PREFIX "%s", token);
    struct store_api_key k = {
        .user_id = r->user_id, .read_only = read_only, .created_at_ms = web_now_ms(r)};
    crypto_token_hash(r->w->o.keys, key, k.key_hash);
    snprintf(k.name, sizeof k.name, "%s", name);
    snprintf(k.prefix, sizeof k.prefix, "%.12s", key);
    rc = store_api_key_create(r->st, &k, &k.id, err, sizeof err);
    if (rc) {
        free(key);
        web_fail(r, rc, err);
        goto out;
    }
    json_t *j = key_json(&k);
    /* the only time the key itself leaves the server */
    json_object_set_new(j, "key", json_string(key));
    web_reply_json(r, 201, j);
    free(key);
out:
    free(all);
    json_decref(body);
}

void web_api_key_revoke(struct web_req *r)
{
    int64_t id;
    char err[256];
    struct store_api_key *all = NULL;
    size_t n = 0;
    if (web_param_id(r, 0, &id) < 0 || !web_store(r))
        return;
    int rc = store_api_key_list(r->st, r->user_id, &all, &n, err, sizeof err);
    if (!rc)
        rc = store_api_key_revoke(r->st, r->user_id, id, web_now_ms(r), err, sizeof err);
    for (size_t i = 0; !rc && i < n; i++)
        if (all[i].id == id)
            web_forget_key(r->w, all[i].key_hash);
    free(all);
    if (rc)
        web_fail(r, rc, rc == TCA_ENOTFOUND ? "no such API key" : err);
    else
        web_reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "revoked", 1));
}
