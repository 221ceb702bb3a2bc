#!/bin/bash
# Followers, end to end against `tca twitch-sim` (seed 3: the follow-bot wave of 107 fresh
# accounts follows cozy_channel at ticks 11 and 12): a moderator who logs in with --with
# followers and captures every tick gets each follow once, with the capture that read it,
# exactly the simulator's follows after the first capture; the follower wave is found at the
# wave's captures and nowhere else, its accounts are exactly the simulator's follow bots; a
# login without the scope makes no follower request.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock --seed 3
export TCA_FOLLOWERS_INTERVAL=0
"$TCA" login --with followers >"$WORK/login.out" 2>&1 || { cat "$WORK/login.out"; fail "login --with followers"; }
for t in $(seq 0 14); do
    "$TCA" capture cozy_channel >>"$WORK/capture.out" 2>&1 || { cat "$WORK/capture.out"; fail "capture at tick $t"; }
    [ "$t" = 0 ] && sim_get "/_sim/followers?broadcaster_id=20002&since_tick=0" >"$WORK/truth0.json"
    sim_post "/_sim/advance?ticks=1" >/dev/null
done
sim_get "/_sim/followers?broadcaster_id=20002&since_tick=0" >"$WORK/truth.json"
sim_get "/_sim/followers?broadcaster_id=20002&since_tick=-61" >"$WORK/truth_hour.json"
sim_get "/_sim/followers?broadcaster_id=20002&since_tick=-60" >"$WORK/truth_hour_in.json"
"$TCA" stats --json --sections followers >"$WORK/stats.json" 2>"$WORK/stats.err" || { cat "$WORK/stats.err"; fail "stats"; }
"$TCA" export --format csv --what followers >"$WORK/followers.csv" 2>"$WORK/export.err" || { cat "$WORK/export.err"; fail "export followers"; }
python3 - "$WORK" <<'PY'
import csv, json, sys
work = sys.argv[1]
truth = json.load(open(f"{work}/truth.json"))
wave = truth["follow_wave"]
assert wave["broadcaster_id"] == "20002" and wave["tick"] == 11, wave
bots = set(wave["user_ids"])
rows = list(csv.DictReader(open(f"{work}/followers.csv", newline="")))
ids = [r["id"] for r in rows]
assert len(ids) == len(set(ids)), "a follow stored twice"
later = {r["id"] for r in rows if int(r["seq"]) >= 2}
want = set(truth["followed_since"])  # followed after tick 0: read by captures 2..15
assert later == want, (len(later), len(want), sorted(later ^ want)[:5])
first = {r["id"] for r in rows if r["seq"] == "1"}
assert set(json.load(open(f"{work}/truth_hour_in.json"))["followed_since"]) - want <= first
assert first <= set(json.load(open(f"{work}/truth_hour.json"))["followed_since"])
assert all(r["created_at"] for r in rows), "a follower without its creation date"
flagged = {r["id"] for r in rows if r["wave"] == "true"}
assert flagged == bots, (len(flagged), len(bots))
doc = json.load(open(f"{work}/stats.json"))["followers"]
ch = doc["channels"][0]
assert ch["login"] == "cozy_channel" and ch["reads"] == 15, (ch["login"], ch["reads"])
assert ch["new_followers"] == len(rows)
waves = ch["waves"]
# ticks 11 and 12 are read by captures 12 and 13
assert sorted(w["seq"] for w in waves) == [12, 13], [(w["seq"], w["count"]) for w in waves]
assert sum(w["count"] for w in waves) == len(bots)
for c in ch["captures"]:
    n = sum(1 for r in rows if int(r["seq"]) == c["seq"])
    assert c["new_followers"] == n, (c["seq"], c["new_followers"], n)
    assert c["wave"] == (c["seq"] in (12, 13)), c
top = ch["top_creation_days"][0]
assert top["count"] >= len(bots) // 2 and top["level"] in ("watch", "suspect", "critical"), top
print("follows", len(rows), "wave", len(bots), "at", [(w["seq"], w["count"]) for w in waves])
PY
check "each follow stored once with its capture; the follower wave found exactly at its captures with exactly the follow bots"

# a login without the scope: no follower request at all
rm -f "$TCA_DB"*
start_sim --manual-clock --seed 3
login
"$TCA" capture cozy_channel >"$WORK/capture2.out" 2>&1 || { cat "$WORK/capture2.out"; fail "capture without the scope"; }
sim_get "/_sim/stats" >"$WORK/simstats.json"
python3 - "$WORK" <<'PY'
import json, sys
reqs = json.load(open(f"{sys.argv[1]}/simstats.json"))["requests"]
assert "/helix/channels/followers" not in reqs, reqs
PY
check "a login without moderator:read:followers asks no follower list"
