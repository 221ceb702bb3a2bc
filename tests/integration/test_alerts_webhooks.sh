#!/bin/bash
# Webhooks end to end: a receiver on loopback (python3) answers 500 once then 200; a json
# webhook made through the API gets the test button's message signed (checked here with
# python's hmac), retried after the 500; a watchlist imported as CSV (by id) alerts when that
# account joins a captured channel, and the entry learns its login; deliveries are listed
# with their state; raids and bot waves found by the statistics are announced (each once) to a
# webhook that wants them; a non-https URL is refused and URLs are only ever shown masked.
. "$(dirname "$0")/lib.sh"

start_sim --manual-clock
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export TWITCH_REDIRECT_URL="http://127.0.0.1:$port/auth/callback"
GW="http://127.0.0.1:$port"
"$TCA" gateway --listen "127.0.0.1:$port" >"$WORK/gw.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 100); do curl -sf "$GW/healthz" >/dev/null && break; sleep 0.05; done

# The receiver: records every post (headers and body) as a JSON line; answers 500 first.
cat >"$WORK/rx.py" <<'PY'
import http.server, json, sys
work = sys.argv[1]
answers = [500]
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"])).decode()
        with open(f"{work}/rx.jsonl", "a") as f:
            f.write(json.dumps({"path": self.path, "headers": dict(self.headers), "body": body}) + "\n")
        code = answers.pop(0) if answers else 200
        self.send_response(code)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")
    def log_message(self, *a): pass
s = http.server.HTTPServer(("127.0.0.1", 0), H)
open(f"{work}/rx.port", "w").write(str(s.server_address[1]))
s.serve_forever()
PY
python3 "$WORK/rx.py" "$WORK" &
PIDS+=($!)
for _ in $(seq 1 100); do [ -s "$WORK/rx.port" ] && break; sleep 0.05; done
RX="http://127.0.0.1:$(cat "$WORK/rx.port")"

jar="$WORK/jar"
loc=$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{redirect_url}' "$GW/auth/login")
callback=$(curl -s -o /dev/null -w '%{redirect_url}' "$loc")
curl -s -c "$jar" -b "$jar" -o /dev/null "$callback"
csrf=$(curl -sf -b "$jar" "$GW/api/v1/me" | python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf_token"])')
check "logged in through the gateway"
api() { curl -sf -b "$jar" "$GW$1"; }
post() { curl -s -b "$jar" -H "X-CSRF-Token: $csrf" -H "Content-Type: ${3:-application/json}" \
    --data-binary "$2" -o "$WORK/reply.json" -w '%{http_code}' "$GW$1"; }

[ "$(post /api/v1/webhooks '{"kind":"json","url":"http://example.org/hook","events":["raid"]}')" = 400 ] ||
    fail "a plain http URL to another host was accepted"
[ "$(post /api/v1/webhooks "{\"kind\":\"json\",\"url\":\"$RX/hook/secret-path\",\"name\":\"mods\",\"events\":[\"watched_joined\"]}")" = 201 ] ||
    { cat "$WORK/reply.json"; fail "webhook create"; }
secret=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["secret"])' "$WORK/reply.json")
hook=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["id"])' "$WORK/reply.json")
api /api/v1/webhooks >"$WORK/hooks.json"
grep -q secret-path "$WORK/hooks.json" && fail "the webhook URL is listed unmasked"
grep -q "$secret" "$WORK/hooks.json" && fail "the secret is listed again"
check "webhook created; URL masked, secret shown once"

[ "$(post "/api/v1/webhooks/$hook/test" '{}')" = 202 ] || fail "test button"
"$TCA" worker --no-scheduler >"$WORK/worker.log" 2>&1 &
PIDS+=($!)
# the 500 is retried after its backoff (2 s): poll, generously, for the second post
for _ in $(seq 1 600); do [ "$(wc -l <"$WORK/rx.jsonl" 2>/dev/null || echo 0)" -ge 2 ] && break; sleep 0.1; done
[ "$(wc -l <"$WORK/rx.jsonl")" -ge 2 ] || fail "the test message was not retried after a 500"

# Watch, by id, a chatter who joins cozy_channel at the next tick.
"$TCA" capture cozy_channel >"$WORK/cap1.out" 2>&1 || { cat "$WORK/cap1.out"; fail "capture 1"; }
before=$(sim_get "/_sim/audience?broadcaster_id=20002")
sim_post "/_sim/advance?ticks=1" >/dev/null
after=$(sim_get "/_sim/audience?broadcaster_id=20002")
joiner=$(python3 -c 'import json,sys; a=set(json.loads(sys.argv[1])["user_ids"]); b=json.loads(sys.argv[2])["user_ids"]; print(sorted(set(b)-a)[0])' "$before" "$after")
printf 'login,user_id,reason,note\r\n,%s,ban evasion,"seen in, other channels"\r\n' "$joiner" >"$WORK/watch.csv"
[ "$(post /api/v1/watchlist/import "@$WORK/watch.csv" text/csv)" = 200 ] || { cat "$WORK/reply.json"; fail "watchlist import"; }
"$TCA" capture cozy_channel >"$WORK/cap2.out" 2>&1 || { cat "$WORK/cap2.out"; fail "capture 2"; }
for _ in $(seq 1 600); do grep -q watched_joined "$WORK/rx.jsonl" && break; sleep 0.1; done
grep -q watched_joined "$WORK/rx.jsonl" || fail "no alert when the watched account joined"

python3 - "$WORK" "$secret" "$joiner" <<'PY'
import hashlib, hmac, json, sys, time
work, secret, joiner = sys.argv[1], sys.argv[2], int(sys.argv[3])
posts = [json.loads(l) for l in open(f"{work}/rx.jsonl")]
for p in posts:
    h = {k.lower(): v for k, v in p["headers"].items()}
    ts = h["x-tca-timestamp"]
    assert abs(time.time() - int(ts)) < 300, ts
    want = "sha256=" + hmac.new(secret.encode(), f"{ts}.{p['body']}".encode(), hashlib.sha256).hexdigest()
    assert hmac.compare_digest(h["x-tca-signature"], want), p
    assert p["path"] in ("/hook/secret-path", "/hook/raids")
assert [json.loads(p["body"])["event"] for p in posts[:2]] == ["test", "test"]
alert = [json.loads(p["body"]) for p in posts if json.loads(p["body"])["event"] == "watched_joined"]
assert len(alert) == 1 and alert[0]["data"]["user_id"] == joiner, alert
assert alert[0]["channel_id"] == 20002 and alert[0]["data"]["reason"] == "ban evasion"
print(f"ok: {len(posts)} posts, every signature verifies; the watched account's alert names it")
PY

# Raids: a json webhook for raid_channel only; the alerts name exactly the raids the stats find.
[ "$(post /api/v1/webhooks "{\"kind\":\"json\",\"url\":\"$RX/hook/raids\",\"channel_id\":20005,\"events\":[\"raid\",\"bot_wave\"]}")" = 201 ] ||
    { cat "$WORK/reply.json"; fail "raid webhook"; }
for tick in $(seq 0 9); do
    "$TCA" capture raid_channel >>"$WORK/raid_captures.out" 2>&1 || { cat "$WORK/raid_captures.out"; fail "capture $tick"; }
    sim_post "/_sim/advance?ticks=1" >/dev/null
done
api "/api/v1/sessions/active/stats?sections=raids,accounts&channel=raid_channel" >"$WORK/stats.json" || fail "stats"
want=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(len(d["channels"][0]["raids"]))' "$WORK/stats.json")
[ "$want" -ge 1 ] || fail "the simulator's raid was not found by the stats"
waves=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(x["level"]=="critical" for x in d["accounts"]["top_creation_days"]))' "$WORK/stats.json")
[ "$waves" -ge 1 ] || fail "the simulator's bot wave was not found by the stats"
for _ in $(seq 1 600); do [ "$(grep -c '/hook/raids' "$WORK/rx.jsonl")" -ge $((want + waves)) ] && break; sleep 0.1; done
sleep 1 # a wave announced twice would show up now
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
stats = json.load(open(f"{work}/stats.json"))["channels"][0]["raids"]
every = [json.loads(json.loads(l)["body"]) for l in open(f"{work}/rx.jsonl") if '/hook/raids' in l]
assert all(p["channel_id"] == 20005 for p in every), every
posts = [p for p in every if p["event"] == "raid"]
waves = [p for p in every if p["event"] == "bot_wave"]
critical = [d for d in json.load(open(f"{work}/stats.json"))["accounts"]["top_creation_days"] if d["level"] == "critical"]
assert sorted(w["data"]["day"] for w in waves) == sorted(d["day"] for d in critical), (waves, critical)
for w in waves:
    d = [d for d in critical if d["day"] == w["data"]["day"]][0]
    assert w["data"]["count"] == d["count"], (w, d)
    assert w["data"]["cluster"] and w["data"]["cluster"]["stem"].startswith("coolviewer"), w
print(f"ok: {len(waves)} bot wave alert(s), each a critical creation day of the stats, announced once")
assert sorted(p["data"]["seq"] for p in posts) == sorted(r["seq"] for r in stats), (posts, stats)
for p in posts:
    r = [r for r in stats if r["seq"] == p["data"]["seq"]][0]
    assert p["data"]["joined"] == r["joined"] and p["data"]["size"] == r["size"], (p, r)
print(f"ok: {len(posts)} raid alert(s), each one a raid of the stats at its capture")
PY

api /api/v1/deliveries >"$WORK/deliveries.json"
python3 - "$WORK/deliveries.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))["deliveries"]
test = [x for x in d if x["event"] == "test"][0]
assert test["state"] == "sent" and test["attempts"] == 2 and test["last_status"] == 200, test
assert [x for x in d if x["event"] == "watched_joined"][0]["state"] == "sent"
print("ok: deliveries listed with their state and attempts")
PY
api "/api/v1/watchlist?format=csv" >"$WORK/watch_export.csv"
python3 - "$WORK/watch_export.csv" "$joiner" <<'PY'
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], newline="")))
assert len(rows) == 1 and rows[0]["user_id"] == sys.argv[2] and rows[0]["login"], rows
assert rows[0]["note"] == "seen in, other channels"
print("ok: the watch entry learned its login and exports as CSV")
PY
grep -q "secret-path" "$WORK/gw.log" "$WORK/worker.log" "$WORK/cap2.out" && fail "a webhook URL was logged"
check "no webhook URL in any log"
