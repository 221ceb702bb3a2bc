#!/bin/bash
# raid_channel captured at simulator ticks 0..12: `tca stats --json` must report the raid at
# the capture taken at tick 5 and the bot wave at the capture taken at tick 8, with sizes
# matching /_sim/events, the creation day 2025-06-14 as "critical" with 150 accounts and a
# coolviewer_ login cluster of 150.
# How sizes are compared: a raid's "joined" is everyone present at that capture and absent at
# the one before, so it is the event's size plus the casual viewers who arrived in the same
# tick. The test recomputes that set from /_sim/audience and requires joined to equal it
# exactly, the event's ids to be inside it, and the extra joiners (churn) to be no more
# than twice the most joiners of any capture without an event; the reported size (the surge
# over the usual arrivals) must be within the most joiners of a quiet capture of the event's.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock
login
: >"$WORK/served.jsonl"
for tick in $(seq 0 12); do
    sim_get "/_sim/audience?broadcaster_id=20005" >>"$WORK/served.jsonl"
    echo >>"$WORK/served.jsonl"
    "$TCA" capture raid_channel >>"$WORK/captures.out" 2>&1 || { cat "$WORK/captures.out"; fail "capture $tick"; }
    sim_post "/_sim/advance?ticks=1" >/dev/null
done
sim_get "/_sim/events?broadcaster_id=20005" >"$WORK/events.json"
"$TCA" stats --json >"$WORK/stats.json" 2>"$WORK/stats.err" || { cat "$WORK/stats.err"; fail "stats"; }
"$TCA" stats >"$WORK/stats.txt" 2>>"$WORK/stats.err" || fail "stats summary"
python3 - "$WORK" <<'PY'
import json, sys
work = sys.argv[1]
served = [set(json.loads(l)["user_ids"]) for l in open(f"{work}/served.jsonl") if l.strip()]
events = {e["kind"]: e for e in json.load(open(f"{work}/events.json"))}
doc = json.load(open(f"{work}/stats.json"))
ch = doc["channels"][0]
assert ch["login"] == "raid_channel" and ch["captures"] == 13, ch["captures"]
joined = [len(served[0])] + [len(served[k] - served[k - 1]) for k in range(1, 13)]
event_ticks = {events["raid"]["tick"], events["bot_wave"]["tick"]}
quiet = max(j for k, j in enumerate(joined) if k and k not in event_ticks)
raids = {r["seq"]: r for r in ch["raids"]}
for kind in ("raid", "bot_wave"):
    e = events[kind]
    seq = e["tick"] + 1  # capture k (from 1) was taken at tick k - 1
    assert seq in raids, f"{kind}: no influx at capture {seq}: {sorted(raids)}"
    r = raids[seq]
    arrived = served[e["tick"]] - served[e["tick"] - 1]
    assert set(e["user_ids"]) <= arrived, kind
    assert r["joined"] == len(arrived), (kind, r["joined"], len(arrived))
    assert 0 <= r["joined"] - e["size"] <= 2 * quiet, (kind, r["joined"], e["size"], quiet)
    # the reported size is the surge over the usual arrivals: off by no more than a quiet minute
    assert abs(r["size"] - e["size"]) <= quiet, (kind, r["size"], e["size"], quiet)
    print(f"ok: {kind} at capture {seq}: {r['joined']} joined = {e['size']} + {r['joined'] - e['size']} churn (quiet max {quiet}); size {r['size']}")
assert set(raids) == {events["raid"]["tick"] + 1, events["bot_wave"]["tick"] + 1}, sorted(raids)
wave = raids[events["bot_wave"]["tick"] + 1]
assert wave["in_wave"] >= events["bot_wave"]["size"], wave
assert raids[events["raid"]["tick"] + 1]["in_wave"] == 0
acc = doc["accounts"]
day = acc["top_creation_days"][0]
assert day["day"] == events["bot_wave"]["created_on"] == "2025-06-14", day["day"]
assert day["count"] == 150 and day["level"] == "critical", (day["count"], day["level"])
assert sorted(day["logins"]) == [f"coolviewer_{i:04d}" for i in range(1, 151)]
cl = acc["clusters"][0]
assert cl["stem"] == "coolviewer_" and cl["count"] == 150 and cl["sequence"], cl
assert doc["flags"]["by_reason"]["wave"] == 150 and doc["flags"]["by_reason"]["cluster"] == 150
print("ok: 2025-06-14 critical with 150 accounts, cluster coolviewer_ x150")
PY
grep -q "raid at capture 6" "$WORK/stats.txt" || { cat "$WORK/stats.txt"; fail "summary lacks the raid"; }
grep -q "created 2025-06-14: 150 accounts .*critical" "$WORK/stats.txt" || fail "summary lacks the wave"
check "raid and bot wave reported at the right captures with the right sizes"
