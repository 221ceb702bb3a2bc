#!/bin/bash
# Five captures of a channel over five simulator ticks, then `tca export`: every row's
# captures seen, first and last seen equal a recomputation from what the simulator served.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock
login
: >"$WORK/served.jsonl"
for tick in 0 1 2 3 4; do
    sim_get "/_sim/audience?broadcaster_id=20002" >>"$WORK/served.jsonl"
    echo >>"$WORK/served.jsonl"
    "$TCA" capture cozy_channel >>"$WORK/captures.out" || { cat "$WORK/captures.out"; fail "capture $tick"; }
    sim_post "/_sim/advance?ticks=1" >/dev/null
done
"$TCA" export --format csv >"$WORK/export.csv" 2>"$WORK/export.err" || fail "export csv"
"$TCA" export --format json >"$WORK/export.json" 2>>"$WORK/export.err" || fail "export json"
taken=$(sql "SELECT group_concat(taken_at) FROM (SELECT taken_at FROM captures ORDER BY seq)")
python3 - "$WORK" "$taken" <<'PY'
import csv, json, sys
work, taken = sys.argv[1], [int(t) for t in sys.argv[2].split(",")]
served = [set(json.loads(l)["user_ids"]) for l in open(f"{work}/served.jsonl") if l.strip()]
assert len(served) == 5 == len(taken)
expect = {}
for k, ids in enumerate(served):
    for u in ids:
        e = expect.setdefault(u, {"seen": 0, "first": k, "last": k, "present": 0})
        e["seen"] += 1
        e["last"] = k
        if k > 0 and u in served[k - 1]:
            e["present"] += taken[k] - taken[k - 1]
rows = list(csv.DictReader(open(f"{work}/export.csv", newline="")))
got = {r["id"]: r for r in rows}
assert set(got) == set(expect), f"{len(got)} rows exported, {len(expect)} chatters served"
import datetime
def ts(ms):
    return datetime.datetime.fromtimestamp(ms // 1000, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
for u, e in expect.items():
    r = got[u]
    assert int(r["captures_seen"]) == e["seen"], (u, r, e)
    assert r["first_seen"] == ts(taken[e["first"]]), (u, r, e)
    assert r["last_seen"] == ts(taken[e["last"]]), (u, r, e)
    assert int(r["time_present_s"]) == e["present"] // 1000, (u, r, e)
    assert r["login"] and r["created_at"], r
js = json.load(open(f"{work}/export.json"))
assert len(js) == len(rows) and {j["id"] for j in js} == set(got)
print(f"ok: {len(rows)} chatters match the simulator over 5 captures")
PY
check "export numbers match the simulator"
