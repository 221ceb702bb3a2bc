# Generates web/openapi.c (the OpenAPI document of the gateway): python3 web/openapi_gen.py
import json
err = {"$ref": "#/components/responses/Error"}
def op(summary, ok="200", params=None, body=None, desc="OK", extra=None, tag="api"):
    o = {"summary": summary, "tags":[tag], "responses": {ok: {"description": desc, "content": {"application/json": {"schema": {"type": "object"}}}}}}
    for c in (extra or []):
        o["responses"][c] = err
    o["responses"]["default"] = err
    if params: o["parameters"] = [{"$ref": "#/components/parameters/"+p} for p in params]
    if body: o["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    return o
label = {"type":"object","additionalProperties":False,"properties":{"label":{"type":"string","maxLength":100}}}
sched = {"type":"object","additionalProperties":False,"required":["interval_s"],"properties":{"interval_s":{"type":"integer","minimum":5,"maximum":86400},"stop_at":{"type":"string","format":"date-time"}}}
live = {"type":"object","additionalProperties":False,"required":["interval_s"],"properties":{"interval_s":{"type":"integer","minimum":5,"maximum":86400}}}
key = {"type":"object","additionalProperties":False,"required":["name"],"properties":{"name":{"type":"string","minLength":1,"maxLength":63},"read_only":{"type":"boolean"}}}
hook = {"type":"object","additionalProperties":False,"required":["kind","url","events"],"properties":{"kind":{"type":"string","enum":["discord","slack","json"]},"url":{"type":"string","maxLength":512},"name":{"type":"string","maxLength":63},"channel_id":{"type":"integer","minimum":0,"description":"0 or absent: every channel"},"events":{"type":"array","items":{"type":"string","enum":["raid","bot_wave","watched_joined","capture_failing","login_rejected","follower_wave"]}}}}
watch = {"type":"object","additionalProperties":False,"properties":{"login":{"type":"string","maxLength":25},"user_id":{"type":"string","pattern":"^[1-9][0-9]{0,17}$"},"reason":{"type":"string","maxLength":31},"note":{"type":"string","maxLength":255}}}
chat = {"type":"object","additionalProperties":False,"required":["enabled"],"properties":{"enabled":{"type":"boolean"}}}
S=["session"]; SC=["session","channel"]
doc = {
 "openapi": "3.0.3",
 "info": {"title": "tca gateway API", "version": "1.0.0",
          "description": "The JSON API of tca, the Twitch Chatters Analyser. Authenticate with the tca_session cookie from /auth/login (state-changing requests then need the X-CSRF-Token header from GET /api/v1/me) or with Authorization: Bearer <API key>. Errors are {\"error\", \"message\"}. Rate-limited requests get 429 with Retry-After."},
 "servers": [{"url": "/"}],
 "security": [{"session": []}, {"apiKey": []}],
 "paths": {
  "/": {"get": dict(op("Where to log in and where the API is", tag="ops"), security=[])},
  "/healthz": {"get": dict(op("The process is up", tag="ops"), security=[])},
  "/readyz": {"get": dict(op("The store and Twitch are reachable", extra=["503"], tag="ops"), security=[])},
  "/metrics": {"get": dict(op("Prometheus metrics (text/plain)", tag="ops"), security=[])},
  "/auth/login": {"get": dict(op("Start the Twitch login (redirects to Twitch); ?with= asks the extra scopes of those features only", ok="302", desc="Redirect to Twitch", tag="auth"), security=[],
                              parameters=[{"name":"with","in":"query","description":"extra scopes, comma-separated: roles (a broadcaster's moderators and VIPs), followers, chat","schema":{"type":"string"}}])},
  "/auth/callback": {"get": dict(op("Twitch redirects here; creates the login session", ok="302", desc="Logged in, redirect home", extra=["400"], tag="auth"), security=[],
        parameters=[{"name":"code","in":"query","schema":{"type":"string"}},{"name":"state","in":"query","schema":{"type":"string"}},{"name":"error","in":"query","schema":{"type":"string"}}])},
  "/auth/logout": {"post": dict(op("Log this browser out; other browsers, API keys and scheduled captures go on (X-CSRF-Token)", extra=["401","403"], tag="auth"), security=[{"session": []}])},
  "/auth/logout-everywhere": {"post": dict(op("Log every browser of the user out; the Twitch token and scheduled captures stay (X-CSRF-Token)", extra=["401","403"], tag="auth"), security=[{"session": []}])},
  "/auth/disconnect": {"post": dict(op("Disconnect Twitch: revoke and delete the Twitch token, which stops every scheduled capture, and log every browser out (X-CSRF-Token)", extra=["401","403"], tag="auth"), security=[{"session": []}])},
  "/api/v1/openapi.json": {"get": dict(op("This document", tag="ops"), security=[])},
  "/api/v1/me": {"get": op("Who is logged in, and the CSRF token of a browser session", extra=["401"])},
"/api/v1/sessions/{session}/events": {"get": dict(op("Server-Sent Events (text/event-stream): 'hello' then 'capture' with {captures} each time a capture lands in the session; a comment every 15 s; 503 past 64 streams (poll instead)", params=S, extra=["401","404","503"]))},
  "/dock/{session}": {"get": dict(op("The OBS dock page of a session (text/html); its script authenticates with a read-only API key given after # in the URL, never in the query string", params=S, extra=["400","404"], tag="ui"), security=[])},
  "/api/v1/channels": {"get": dict(op("Your channel and every channel you moderate, with live status", extra=["401"]),
        parameters=[{"name":"refresh","in":"query","schema":{"type":"boolean"},"description":"ask Twitch again now"}])},
  "/api/v1/sessions": {"get": op("Your analysis sessions", extra=["401"]),
                       "post": dict(op("End the active session and start a new one; carry_schedules moves its periodic captures into the new one (the reply says how many in carried_schedules)", ok="201", extra=["400","401","403"]),
                                    requestBody={"required": False, "content": {"application/json": {"schema": {"type":"object","additionalProperties":False,"properties":{"carry_schedules":{"type":"boolean","default":False}}}}}})},
  "/api/v1/sessions/{session}": {"get": op("Summary of a session: channels, schedules, last captures, last job", params=S, extra=["401","404"]),
                                  "delete": op("Delete a session with its captures", params=S, extra=["401","403","404"])},
  "/api/v1/sessions/{session}/save": {"post": op("Save (keep) a session with a label; refused past TCA_MAX_SAVED_SESSIONS", params=S, body=label, extra=["400","401","403","404","409"])},
  "/api/v1/sessions/{session}/label": {"put": op("Relabel a session", params=S, body=label, extra=["400","401","403","404"])},
  "/api/v1/sessions/{session}/chat": {"get": op("Chat activity (EventSub): messages, talkers and lurkers, messages per minute, top talkers (?top=N), Twitch raids; ?chatters=1 adds every talker's total", params=S, extra=["400","401","403","404"]), "put": op("Turn chat capture on or off for the session (off by default: messages are personal data; the login needs user:read:chat)", params=S, body=chat, extra=["400","401","403","404"])},
  "/api/v1/sessions/{session}/purge": {"post": op("Remove a session's captures, keeping the session", params=S, extra=["401","403","404"])},
  "/api/v1/sessions/{session}/captures": {"get": dict(op("The captures of a session", params=S, extra=["400","401","404"]),
        parameters=[{"$ref":"#/components/parameters/session"},{"name":"channel","in":"query","schema":{"type":"integer","minimum":0}}])},
  "/api/v1/sessions/{session}/jobs": {"get": dict(op("Capture jobs of a session, newest first", params=S, extra=["400","401","404"]),
        parameters=[{"$ref":"#/components/parameters/session"},{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":500}}])},
  "/api/v1/sessions/{session}/channels/{channel}": {"put": op("Add the channel to the active session without capturing it (201 added, 200 already there)", ok="201", params=SC, extra=["200","400","401","403","404","409"])},
  "/api/v1/sessions/{session}/channels/{channel}/capture": {"post": op("Capture the channel now (queues a job)", ok="202", params=SC, extra=["400","401","403","404","409"])},
  "/api/v1/sessions/{session}/channels/{channel}/schedule": {"put": op("Capture the channel periodically", params=SC, body=sched, extra=["400","401","403","404","409"]),
        "delete": op("Stop capturing the channel (periodic and while live)", params=SC, extra=["401","403","404"])},
  "/api/v1/sessions/{session}/channels/{channel}/live": {"put": op("Capture the channel while its stream is live", params=SC, body=live, extra=["400","401","403","404","409"])},
  "/api/v1/jobs/{job}": {"get": dict(op("State of a capture job: queued, running, done or failed with its reason", extra=["400","401","404"]),
        parameters=[{"name":"job","in":"path","required":True,"schema":{"type":"integer","minimum":1}}])},
  "/api/v1/keys": {"get": op("Your API keys (never the keys themselves)", extra=["401"]),
                   "post": dict(op("Create an API key; the reply shows it once", ok="201", body=key, extra=["400","401","403","409"]), security=[{"session": []}])},
  "/api/v1/keys/{key}": {"delete": dict(op("Revoke an API key", extra=["400","401","403","404"]),
        parameters=[{"name":"key","in":"path","required":True,"schema":{"type":"integer","minimum":1}}])},
  "/api/v1/sessions/{session}/stats": {"get": dict(op("Statistics of a session (report sections; filters and thresholds as query parameters: channel, exclude, critical, suspect, watch, raid_*, cluster_*, top_days, top, period …)", extra=["400","401","404"]),
        parameters=[{"$ref":"#/components/parameters/session"},
                    {"name":"sections","in":"query","description":"comma list: summary, participation, series, viewers, viewer_list, accounts, suspects, flags, flag_list, raids, overlap, followers (new followers per capture, their creation days and clusters, follower waves), chat (chat activity per channel, sentiment; null while chat capture is off)","schema":{"type":"string"}},
                    {"name":"channel","in":"query","description":"channel logins to keep (repeat or comma list)","schema":{"type":"string"}},
                    {"name":"exclude","in":"query","description":"comma list of known_bots, wave, cluster, multi_channel, renamer, flagged","schema":{"type":"string"}}])},
  "/api/v1/sessions/{session}/overlap": {"get": dict(op("Shared chatters of two channels of a session", extra=["400","401","404"]),
        parameters=[{"$ref":"#/components/parameters/session"},
                    {"name":"a","in":"query","required":True,"schema":{"type":"string"}},
                    {"name":"b","in":"query","required":True,"schema":{"type":"string"}}])},
  "/api/v1/sessions/{session}/export": {"get": dict(op("A streamed export (CSV or JSON) of a session", desc="The file, as a download", extra=["400","401","404"]),
        parameters=[{"$ref":"#/components/parameters/session"},
                    {"name":"what","in":"query","schema":{"type":"string","enum":["chatters","timeline","capture","flagged","overlap","raids","followers"]}},
                    {"name":"format","in":"query","schema":{"type":"string","enum":["csv","json"]}},
                    {"name":"channel","in":"query","schema":{"type":"string"}},
                    {"name":"capture","in":"query","schema":{"type":"integer","minimum":1}}])},
  "/api/v1/overlap": {"get": dict(op("Shared chatters of two of your sessions", extra=["400","401","404"]),
        parameters=[{"name":"session_a","in":"query","required":True,"schema":{"type":"integer","minimum":1}},
                    {"name":"session_b","in":"query","required":True,"schema":{"type":"integer","minimum":1}}])},
  "/api/v1/chatters/{chatter}": {"get": dict(op("A chatter's profile as your sessions saw it", extra=["400","401","404"]),
        parameters=[{"name":"chatter","in":"path","required":True,"description":"the chatter's Twitch user id","schema":{"type":"integer","minimum":1}}])},
  "/api/v1/channels/{login}/history": {"get": dict(op("A channel's whole history over your sessions", extra=["400","401","404"]),
        parameters=[{"name":"login","in":"path","required":True,"schema":{"type":"string"}}])},
  "/api/v1/bots": {"get": op("Your known-bots list", extra=["401"]),
                   "post": op("Add a known bot", body={"type":"object","additionalProperties":False,"required":["login"],"properties":{"login":{"type":"string","maxLength":25},"kind":{"type":"string","enum":["service","lurker"]}}}, extra=["400","401","403"])},
  "/api/v1/bots/import": {"post": dict(op("Import known bots from CSV (login[,kind[,user_id]] rows)", extra=["400","401","403","413","415"]),
        requestBody={"required":True,"content":{"text/csv":{"schema":{"type":"string"}}}})},
  "/api/v1/bots/{login}": {"delete": dict(op("Take a bot off your list", extra=["401","403","404"]),
        parameters=[{"name":"login","in":"path","required":True,"schema":{"type":"string"}}])},
  "/api/v1/webhooks": {"get": op("Your webhooks, URLs masked", extra=["401"]),
                       "post": op("Add a webhook (https:// only; loopback http:// for tests). A json webhook's signing secret is in this reply only", ok="201", body=hook, extra=["400","401","403","409"])},
  "/api/v1/webhooks/{webhook}": {"delete": dict(op("Delete a webhook and its deliveries", extra=["400","401","403","404"]),
        parameters=[{"name":"webhook","in":"path","required":True,"schema":{"type":"integer","minimum":1}}])},
  "/api/v1/webhooks/{webhook}/test": {"post": dict(op("Queue a test message to a webhook", ok="202", extra=["400","401","403","404"]),
        parameters=[{"name":"webhook","in":"path","required":True,"schema":{"type":"integer","minimum":1}}])},
  "/api/v1/deliveries": {"get": dict(op("Your latest webhook deliveries with their state (queued, sent, failed), attempts and last HTTP status", extra=["400","401"]),
        parameters=[{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":500,"default":50}}])},
  "/api/v1/watchlist": {"get": dict(op("Your watchlist (JSON, or CSV login,user_id,reason,note with format=csv)", extra=["400","401"]),
                              parameters=[{"name":"format","in":"query","schema":{"type":"string","enum":["json","csv"]}}]),
                        "post": op("Watch an account by login or Twitch id", ok="201", body=watch, extra=["400","401","403"])},
  "/api/v1/watchlist/import": {"post": dict(op("Import a watchlist from CSV (login,user_id,reason,note rows; the known-bots import's rules)", extra=["400","401","403","413","415"]),
        requestBody={"required":True,"content":{"text/csv":{"schema":{"type":"string"}}}})},
  "/api/v1/watchlist/{entry}": {"delete": dict(op("Stop watching an account", extra=["400","401","403","404"]),
        parameters=[{"name":"entry","in":"path","required":True,"schema":{"type":"integer","minimum":1}}])},
 },
 "components": {
  "securitySchemes": {"session": {"type":"apiKey","in":"cookie","name":"tca_session"},
                      "apiKey": {"type":"http","scheme":"bearer"}},
  "parameters": {"session": {"name":"session","in":"path","required":True,"description":"a session id, or \"active\"","schema":{"type":"string","pattern":"^([1-9][0-9]*|active)$"}},
                 "channel": {"name":"channel","in":"path","required":True,"description":"the broadcaster's Twitch user id","schema":{"type":"integer","minimum":1}}},
  "schemas": {"Error": {"type":"object","required":["error","message"],"properties":{"error":{"type":"string"},"message":{"type":"string"}}}},
  "responses": {"Error": {"description":"An error","content":{"application/json":{"schema":{"$ref":"#/components/schemas/Error"}}}}},
 },
}
# the paged chatter table (documented directly in web/openapi.c by the paging change; kept here so
# regenerating keeps it)
doc["paths"].update(json.loads('{"/api/v1/sessions/{session}/chatters":{"get":{"summary":"One page of a session\'s chatter table, filtered, searched and sorted on the server","tags":["api"],"responses":{"200":{"description":"{total, chatters, offset, limit, sort, order, rows}: rows are the chatters export\'s fields (role and watched included) plus flagged and known_bot","content":{"application/json":{"schema":{"type":"object"}}}},"400":{"$ref":"#/components/responses/Error"},"401":{"$ref":"#/components/responses/Error"},"404":{"$ref":"#/components/responses/Error"},"default":{"$ref":"#/components/responses/Error"}},"parameters":[{"$ref":"#/components/parameters/session"},{"name":"offset","in":"query","schema":{"type":"integer","minimum":0,"default":0}},{"name":"limit","in":"query","schema":{"type":"integer","minimum":1,"maximum":500,"default":100}},{"name":"sort","in":"query","schema":{"type":"string","enum":["login","status","flags","created_at","captures_seen","time_present_s","first_seen","last_seen","role"],"default":"time_present_s"}},{"name":"order","in":"query","description":"default: asc for login, desc otherwise","schema":{"type":"string","enum":["asc","desc"]}},{"name":"q","in":"query","description":"case-insensitive part of a login","schema":{"type":"string","maxLength":25}},{"name":"filter","in":"query","schema":{"type":"string","enum":["all","new","returning","flagged","role","watched"]}},{"name":"exclude_bots","in":"query","schema":{"type":"integer","enum":[0,1]}},{"name":"channel","in":"query","schema":{"type":"string"}}]}}}'))
text = json.dumps(doc, separators=(",", ":"))
out = ['/*\n * The OpenAPI 3 document of the gateway, served at /api/v1/openapi.json. tests/web/test_openapi.c\n * checks every route of the table against it, so a route cannot be added without it.\n * Never describe a route here that the router does not serve.\n */\n#include "web/internal.h"\n\nstatic const char doc[] =\n']
esc = text.replace('\\','\\\\').replace('"','\\"')
i = 0
while i < len(esc):
    j = min(i + 88, len(esc))
    while j < len(esc) and esc[j-1] == '\\':
        j += 1
    out.append('    "' + esc[i:j] + '"\n')
    i = j
out.append('    ;\n\nconst char *web_openapi_text(void)\n{\n    return doc;\n}\n')
open('web/openapi.c','w').write(''.join(out))
