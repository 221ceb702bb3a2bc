#!/bin/bash
# Renames seen by captures, held to the simulator's truth: 31 captures of cozy_channel over
# 31 ticks (the simulator renames some chatters every 10 ticks, a few at every wave, so some
# rename 3 times). Each capture's rename count in its summary line and in the store, the
# logins of every capture's export, the chatters export's latest logins and the renamer flags
# (3 renames or more) equal a naive recomputation from the logins Twitch (the simulator)
# gave at each tick.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock
login
token=$(curl -sf -X POST "$SIM/oauth2/token" \
    -d "client_id=$TWITCH_CLIENT_ID&client_secret=$TWITCH_CLIENT_SECRET&grant_type=client_credentials" |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])') || fail "app token"
# logins_now FILE: the current login of every chatter the simulator serves, as JSON lines.
logins_now() {
    sim_get "/_sim/audience?broadcaster_id=20002" | python3 -c '
import json, sys, urllib.request
sim, token, cid = sys.argv[1], sys.argv[2], sys.argv[3]
ids = json.load(sys.stdin)["user_ids"]
out = {}
for i in range(0, len(ids), 100):
    q = "&".join("id=" + x for x in ids[i:i + 100])
    req = urllib.request.Request(f"{sim}/helix/users?{q}",
                                 headers={"Authorization": "Bearer " + token, "Client-Id": cid})
    for u in json.load(urllib.request.urlopen(req))["data"]:
        out[u["id"]] = u["login"]
assert len(out) == len(ids), (len(out), len(ids))
print(json.dumps(out))' "$SIM" "$token" "$TWITCH_CLIENT_ID" >>"$1"
}
: >"$WORK/truth.jsonl"
for tick in $(seq 0 30); do
    logins_now "$WORK/truth.jsonl" || fail "logins at tick $tick"
    "$TCA" capture cozy_channel >>"$WORK/captures.out" 2>&1 || { tail "$WORK/captures.out"; fail "capture $tick"; }
    sim_post "/_sim/advance?ticks=1" >/dev/null
done
sql "SELECT seq, renames FROM captures ORDER BY seq" >"$WORK/renames.txt"
for seq in 1 10 11 20 21 31; do
    "$TCA" export --what capture --channel cozy_channel --capture "$seq" --format json \
        >"$WORK/capture$seq.json" || fail "capture export $seq"
done
"$TCA" export --what chatters --format json >"$WORK/chatters.json" || fail "chatters export"
sql "SELECT user_id, login FROM twitch_user_names ORDER BY user_id, seen_at, id" >"$WORK/history.txt"
"$TCA" stats --json >"$WORK/stats.json" || fail "stats"
python3 - "$WORK" <<'PY'
import json, re, sys
work = sys.argv[1]
truth = [json.loads(l) for l in open(f"{work}/truth.jsonl") if l.strip()]
assert len(truth) == 31
last, expect, changes = {}, [], {}
for names in truth:
    n = 0
    for uid, login in sorted(names.items()):
        if uid in last and last[uid] != login:
            n += 1
            changes.setdefault(uid, [last[uid]]).append(login)
        last[uid] = login
    expect.append(n)
stored = [int(l.split("|")[1]) for l in open(f"{work}/renames.txt")]
assert stored == expect, (stored, expect)
printed = [int(m) for m in re.findall(r"(\d+) renamed", open(f"{work}/captures.out").read())]
assert printed == expect, (printed, expect)
assert sum(expect) > 0 and max(len(c) - 1 for c in changes.values()) >= 3, changes
history = {}
for l in open(f"{work}/history.txt"):
    uid, login = l.rstrip("\n").split("|")
    history.setdefault(uid, []).append(login)
for uid, names in changes.items():
    # enrichment may have written the first name already; the changes follow in order
    assert history[uid] == names, (uid, history[uid], names)
for seq in (1, 10, 11, 20, 21, 31):
    rows = json.load(open(f"{work}/capture{seq}.json"))
    got = {r["id"]: r["login"] for r in rows}
    assert got == truth[seq - 1], (seq, {k: (v, truth[seq - 1].get(k)) for k, v in got.items()
                                          if truth[seq - 1].get(k) != v})
latest = {}
for names in truth:
    latest.update(names)
rows = json.load(open(f"{work}/chatters.json"))
assert {r["id"]: r["login"] for r in rows} == latest
thrice = sum(1 for c in changes.values() if len(c) - 1 >= 3)
stats = json.load(open(f"{work}/stats.json"))
assert stats["flags"]["by_reason"]["renamer"] == thrice, (stats["flags"]["by_reason"], thrice)
print(f"ok: {sum(expect)} renames over 31 captures as served, {thrice} chatters renamed 3 times")
PY
check "renames at every capture match the simulator"
