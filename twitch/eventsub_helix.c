/*
 * Helix Create EventSub Subscription for the WebSocket transport. Must never subscribe to
 * anything tca does not read, and never put the token into err.
 */
#include "twitch/eventsub.h"
#include "twitch/internal.h"
#include "twitch/parse.h"

#include "base/err.h"
#include "base/xalloc.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *request_body(const char *session_id, enum twitch_es_sub sub, int64_t broadcaster,
                          int64_t user)
{
    char b[24], u[24];
    snprintf(b, sizeof b, "%lld", (long long)broadcaster);
    snprintf(u, sizeof u, "%lld", (long long)user);
    json_t *cond = json_object();
    if (sub == TWITCH_ES_SUB_RAID) {
        json_object_set_new(cond, "to_broadcaster_user_id", json_string(b));
    } else {
        json_object_set_new(cond, "broadcaster_user_id", json_string(b));
        if (sub == TWITCH_ES_SUB_CHAT_MESSAGE)
            json_object_set_new(cond, "user_id", json_string(u));
    }
    json_t *j =
        json_pack("{s:s, s:s, s:o, s:{s:s, s:s}}", "type", twitch_es_sub_name(sub), "version", "1",
                  "condition", cond, "transport", "method", "websocket", "session_id", session_id);
    char *s = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    if (!s)
        abort();
    return s;
}

int twitch_es_subscribe(struct twitch_client *c, struct twitch_token *tok, const char *session_id,
                        enum twitch_es_sub sub, int64_t broadcaster, char *sub_id, char *err,
                        size_t errlen)
{
    if (!client_token_usable(tok->access_token))
        return tca_fail(err, errlen, TCA_EAUTH, "eventsub subscription: no usable access token");
    /* the reading user must have granted user:read:chat: say so before Twitch refuses */
    if (sub == TWITCH_ES_SUB_CHAT_MESSAGE && tok->scopes[0] &&
        !strstr(tok->scopes, TWITCH_SCOPE_READ_CHAT))
        return tca_fail(err, errlen, TCA_EFORBIDDEN,
                        "channel.chat.message needs the %s scope; log in again with chat "
                        "capture turned on",
                        TWITCH_SCOPE_READ_CHAT);
    char *url = xasprintf("%s/eventsub/subscriptions", c->api_base);
    char *body = request_body(session_id, sub, broadcaster, tok->user_id);
    char *auth = xasprintf("Bearer %s", tok->access_token);
    struct http_call call = {
        .method = "POST", .url = url, .auth = auth, .client_id = 1, .json = body};
    struct http_answer a;
    http_answer_init(&a);
    int rc = client_send(c, &call, budget_key(tok->access_token), &a, err, errlen);
    explicit_bzero(auth, strlen(auth));
    free(auth);
    if (rc < 0)
        goto out;
    if (a.status == 202) {
        rc = twitch_es_parse_created(a.body.data, a.body.len, sub_id, err, errlen);
    } else if (a.status == 403) {
        char msg[160];
        twitch_parse_error(a.body.data, a.body.len, msg, sizeof msg);
        rc = tca_fail(err, errlen, TCA_EFORBIDDEN,
                      "%s on %lld: Twitch refused (%s); channel.chat.message needs the %s scope",
                      twitch_es_sub_name(sub), (long long)broadcaster, msg, TWITCH_SCOPE_READ_CHAT);
    } else if (a.status == 409) {
        rc = tca_fail(err, errlen, TCA_ECONFLICT, "%s on %lld: already subscribed",
                      twitch_es_sub_name(sub), (long long)broadcaster);
    } else {
        rc = client_status_error(&a, "eventsub subscription", err, errlen);
    }
out:
    http_answer_free(&a);
    free(body);
    free(url);
    return rc;
}
