/*
 * Chat activity over the API: turn chat capture (EventSub) on or off for a session, and read
 * its chat report (talkers and lurkers, messages per minute, top talkers, Twitch raids). Chat
 * capture is off unless the user turns it on: messages are personal data. Nothing here sees or
 * returns a message's text.
 */
#include "web/internal.h"

#include "report/chat.h"
#include "store/store_chat.h"

#include <stdio.h>

void web_api_session_chat(struct web_req *r)
{
    struct store_session s;
    int64_t top = 10;
    json_t *doc = NULL;
    char err[256];
    if (web_own_session(r, 0, &s) < 0 || web_query_int(r, "top", 1, 1000, 10, &top) < 0)
        return;
    const char *chatters = web_query(r, "chatters");
    int rc = report_chat(r->st, r->user_id, s.id, (size_t)top, chatters && *chatters == '1', &doc,
                         err, sizeof err);
    if (rc)
        web_fail(r, rc, err);
    else
        web_reply_json(r, 200, doc);
}

void web_api_session_chat_set(struct web_req *r)
{
    struct store_session s;
    json_t *body = NULL;
    json_error_t je;
    int enabled = 0;
    char err[256];
    if (web_own_session(r, 0, &s) < 0 || web_body_json(r, &body) < 0)
        goto out;
    if (json_unpack_ex(body, &je, JSON_STRICT, "{s:b}", "enabled", &enabled) != 0) {
        web_error(r, 400, "invalid_body", "%s", je.text);
        goto out;
    }
    int rc = store_chat_set(r->st, s.id, enabled, web_now_ms(r), err, sizeof err);
    struct store_chat_setting cs;
    if (!rc)
        rc = store_chat_get(r->st, s.id, &cs, err, sizeof err);
    if (rc)
        web_fail(r, rc, err);
    else
        web_reply_json(r, 200,
                       json_pack("{s:I, s:b, s:s}", "session_id", (json_int_t)s.id, "enabled",
                                 cs.enabled, "status", cs.status));
out:
    json_decref(body);
}
