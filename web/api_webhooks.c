/*
 * Webhooks and the watchlist over the API: webhooks are created with their URL (sealed at
 * once, shown masked ever after; a json webhook's signing secret is shown once, at creation),
 * tested, deleted, and their deliveries listed with status; the watchlist is edited one
 * account at a time or imported and exported as CSV. Must never echo or log a webhook URL.
 */
#include "web/internal.h"

#include "base/clock.h"
#include "base/err.h"
#include "base/xalloc.h"
#include "jobs/alert.h"
#include "report/watchlist_csv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_WEBHOOKS 20

static json_t *events_json(int64_t mask)
{
    json_t *a = json_array();
    for (int e = 0; e < ALERT_EVENTS; e++)
        if (e != ALERT_TEST && ((mask >> e) & 1))
            json_array_append_new(a, json_string(alert_event_name(e)));
    return a;
}

static json_t *hook_json(const struct store_webhook *w)
{
    char created[32];
    clock_format_rfc3339(w->created_at_ms, created, sizeof created);
    return json_pack("{s:I, s:s, s:s, s:s, s:I, s:o, s:s}", "id", (json_int_t)w->id, "kind",
                     w->kind, "name", w->name, "url", w->url_masked, "channel_id",
                     (json_int_t)w->channel_id, "events", events_json(w->events), "created_at",
                     created);
}

void web_api_webhooks(struct web_req *r)
{
    struct store_webhook *w = NULL;
    size_t n = 0;
    char err[256];
    if (!web_store(r))
        return;
    int rc = store_webhook_list(r->st, r->user_id, &w, &n, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(a, hook_json(&w[i]));
    free(w);
    web_reply_json(r, 200, json_pack("{s:o}", "webhooks", a));
}

/* The events mask of a JSON array of names; -1 (replied 400) when one is unknown. */
static int64_t parse_events(struct web_req *r, json_t *events)
{
    int64_t mask = 0;
    size_t i;
    json_t *v;
    json_array_foreach(events, i, v)
    {
        int e = alert_event_parse(json_string_value(v));
        if (e < 0 || e == ALERT_TEST) {
            web_error(r, 400, "invalid_body",
                      "events are raid, bot_wave, watched_joined, capture_failing,"
                      " login_rejected, follower_wave");
            return -1;
        }
        mask |= (int64_t)1 << e;
    }
    return mask;
}

void web_api_webhook_create(struct web_req *r)
{
    json_t *body = NULL, *events = NULL;
    json_error_t je;
    const char *kind = NULL, *url = NULL, *name = "";
    json_int_t channel = 0;
    char err[256];
    struct store_webhook *all = NULL, *w = xcalloc(1, sizeof *w);
    size_t n = 0;
    char *sealed = NULL;
    if (!web_store(r) || web_body_json(r, &body) < 0)
        goto out;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s:s, s:s, s?:s, s?:I, s:o}", "kind", &kind, "url",
                       &url, "name", &name, "channel_id", &channel, "events", &events) != 0 ||
        !json_is_array(events)) {
        web_error(r, 400, "invalid_body", "%s", je.text[0] ? je.text : "events is an array");
        goto out;
    }
    if (strcmp(kind, "discord") && strcmp(kind, "slack") && strcmp(kind, "json")) {
        web_error(r, 400, "invalid_body", "kind is discord, slack or json");
        goto out;
    }
    if (strlen(name) >= sizeof w->name || channel < 0) {
        web_error(r, 400, "invalid_body", "name is at most 63 bytes, channel_id positive");
        goto out;
    }
    if (alert_url_check(url, err, sizeof err)) {
        web_error(r, 400, "invalid_body", "%s", err);
        goto out;
    }
    if ((w->events = parse_events(r, events)) < 0)
        goto out;
    int rc = store_webhook_list(r->st, r->user_id, &all, &n, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        goto out;
    }
    if (n >= MAX_WEBHOOKS) {
        web_error(r, 409, "limit_reached", "you already have %d webhooks", MAX_WEBHOOKS);
        goto out;
    }
    w->owner_id = r->user_id;
    w->channel_id = channel;
    w->created_at_ms = web_now_ms(r);
    snprintf(w->kind, sizeof w->kind, "%s", kind);
    snprintf(w->name, sizeof w->name, "%s", name);
    alert_url_mask(url, w->url_masked);
    sealed = crypto_seal(r->w->o.keys, r->user_id, url);
    snprintf(w->url_sealed, sizeof w->url_sealed, "%s", sealed);
    char secret[CRYPTO_TOKEN_CHARS + 1] = "";
    if (strcmp(kind, "json") == 0) {
        crypto_random_token(secret);
        free(sealed);
        sealed = crypto_seal(r->w->o.keys, r->user_id, secret);
        snprintf(w->secret_sealed, sizeof w->secret_sealed, "%s", sealed);
    }
    rc = store_webhook_create(r->st, w, &w->id, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        goto out;
    }
    json_t *j = hook_json(w);
    if (secret[0]) /* the only time the signing secret leaves the server */
        json_object_set_new(j, "secret", json_string(secret));
    web_reply_json(r, 201, j);
out:
    free(sealed);
    free(all);
    free(w);
    json_decref(body);
}

void web_api_webhook_delete(struct web_req *r)
{
    int64_t id;
    char err[256];
    if (web_param_id(r, 0, &id) < 0 || !web_store(r))
        return;
    int rc = store_webhook_delete(r->st, r->user_id, id, err, sizeof err);
    if (rc)
        web_fail(r, rc, rc == TCA_ENOTFOUND ? "no such webhook" : err);
    else
        web_reply_json(r, 200, json_pack("{s:I, s:b}", "id", (json_int_t)id, "deleted", 1));
}

void web_api_webhook_test(struct web_req *r)
{
    int64_t id;
    char err[256];
    struct store_webhook *w = xcalloc(1, sizeof *w);
    if (web_param_id(r, 0, &id) < 0 || !web_store(r))
        goto out;
    int rc = store_webhook_get(r->st, id, w, err, sizeof err);
    if (rc == TCA_ENOTFOUND || (!rc && w->owner_id != r->user_id)) {
        web_error(r, 404, "not_found", "no such webhook");
        goto out;
    }
    int queued = 0;
    if (!rc)
        rc = alert_emit(r->st, r->user_id, w->channel_id, ALERT_TEST, id, NULL,
                        "Test message from tca: this webhook works", NULL, web_now_ms(r), &queued,
                        err, sizeof err);
    if (rc)
        web_fail(r, rc, err);
    else
        web_reply_json(r, 202, json_pack("{s:I, s:i}", "id", (json_int_t)id, "queued", queued));
out:
    free(w);
}

void web_api_deliveries(struct web_req *r)
{
    int64_t limit;
    struct store_delivery *d = NULL;
    size_t n = 0;
    char err[256];
    if (web_query_int(r, "limit", 1, 500, 50, &limit) < 0 || !web_store(r))
        return;
    int rc = store_delivery_list(r->st, r->user_id, (size_t)limit, &d, &n, err, sizeof err);
    if (rc) {
        web_fail(r, rc, err);
        return;
    }
    json_t *a = json_array();
    for (size_t i = 0; i < n; i++) {
        char created[32], updated[32];
        clock_format_rfc3339(d[i].created_at_ms, created, sizeof created);
        clock_format_rfc3339(d[i].updated_at_ms, updated, sizeof updated);
        json_array_append_new(
            a,
            json_pack("{s:I, s:I, s:s, s:s, s:i, s:i, s:s, s:s, s:s}", "id", (json_int_t)d[i].id,
                      "webhook_id", (json_int_t)d[i].webhook_id, "event", d[i].event, "state",
                      d[i].state, "attempts", d[i].attempts, "last_status", d[i].last_status,
                      "last_error", d[i].last_error, "created_at", created, "updated_at", updated));
    }
    free(d);
    web_reply_json(r, 200, json_pack("{s:o}", "deliveries", a));
}
