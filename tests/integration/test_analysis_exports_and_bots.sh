#!/bin/bash
# Exports parsed back against what the simulator served: one capture's exact chatter list,
# the chatters table (with flags and new/returning), the timeline, flagged accounts; then a
# known-bots CSV import flags an account, and --exclude-bots leaves it out of the numbers.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock
login
: >"$WORK/served.jsonl"
for tick in $(seq 0 9); do
    sim_get "/_sim/audience?broadcaster_id=20005" >>"$WORK/served.jsonl"
    echo >>"$WORK/served.jsonl"
    "$TCA" capture raid_channel >>"$WORK/captures.out" 2>&1 || { cat "$WORK/captures.out"; fail "capture $tick"; }
    sim_post "/_sim/advance?ticks=1" >/dev/null
done
for seq in 1 6 10; do
    "$TCA" export --what capture --channel raid_channel --capture $seq --format csv >"$WORK/capture$seq.csv" ||
        fail "capture export $seq"
done
"$TCA" export --format csv >"$WORK/chatters.csv" || fail "chatters csv"
"$TCA" export --format json >"$WORK/chatters.json" || fail "chatters json"
"$TCA" export --what timeline --format csv >"$WORK/timeline.csv" || fail "timeline"
"$TCA" export --what flagged --format json >"$WORK/flagged.json" || fail "flagged"
"$TCA" export --what overlap --format csv >"$WORK/overlap.csv" || fail "overlap"
if "$TCA" export --what capture --format csv 2>/dev/null; then fail "capture export without a channel"; fi
if "$TCA" export --what nonsense --format csv 2>/dev/null; then fail "unknown export accepted"; fi
python3 - "$WORK" <<'PY'
import csv, json, sys
work = sys.argv[1]
served = [set(json.loads(l)["user_ids"]) for l in open(f"{work}/served.jsonl") if l.strip()]
for seq in (1, 6, 10):
    rows = list(csv.DictReader(open(f"{work}/capture{seq}.csv", newline="", encoding="utf-8")))
    assert {r["id"] for r in rows} == served[seq - 1], seq
    assert all(r["login"] for r in rows)
print("ok: capture exports equal what was served")
rows = list(csv.DictReader(open(f"{work}/chatters.csv", newline="", encoding="utf-8")))
everyone = set().union(*served)
assert {r["id"] for r in rows} == everyone
for r in rows:
    seen = sum(r["id"] in s for s in served)
    assert int(r["captures_seen"]) == seen, r
    assert r["status"] == "new", r
    coolviewer = r["login"].startswith("coolviewer_")
    assert ("wave" in r["flags"].split("|")) == coolviewer, r
js = json.load(open(f"{work}/chatters.json", encoding="utf-8"))
assert [(j["id"], j["captures_seen"], j["flags"]) for j in js] == \
       [(r["id"], int(r["captures_seen"]), r["flags"]) for r in rows]
print(f"ok: {len(rows)} chatters round-trip through CSV and JSON")
tl = list(csv.DictReader(open(f"{work}/timeline.csv", newline="")))
assert [int(t["chatters"]) for t in tl] == [len(s) for s in served]
assert [int(t["joined"]) for t in tl[1:]] == [len(served[k] - served[k - 1]) for k in range(1, 10)]
flagged = json.load(open(f"{work}/flagged.json"))
assert len([f for f in flagged if "cluster" in f["reasons"]]) == 150
assert all(f["details"] for f in flagged)
print("ok: timeline and flagged accounts")
PY
victim=$(python3 -c 'import csv,sys; r=[x for x in csv.DictReader(open(sys.argv[1])) if not x["flags"]][0]; print(r["login"], r["id"])' "$WORK/chatters.csv")
set -- $victim
printf 'login,kind,user_id\r\n# our own list\r\n%s,lurker,%s\r\n' "$1" "$2" >"$WORK/bots.csv"
"$TCA" bots import "$WORK/bots.csv" >"$WORK/bots.out" || fail "bots import"
grep -q "1 bots read, 1 new" "$WORK/bots.out" || { cat "$WORK/bots.out"; fail "import count"; }
"$TCA" bots list | grep -q "^$1 " || fail "imported bot not listed"
printf 'bad login!\n' >"$WORK/bad.csv"
if "$TCA" bots import "$WORK/bad.csv" 2>"$WORK/bad.err"; then fail "bad csv accepted"; fi
grep -q "line 1" "$WORK/bad.err" || fail "no line number in the import error"
"$TCA" stats --json >"$WORK/all.json" || fail "stats"
"$TCA" stats --json --exclude-bots >"$WORK/nobots.json" || fail "stats --exclude-bots"
python3 - "$WORK" "$2" <<'PY'
import json, sys
work, victim = sys.argv[1], sys.argv[2]
a, b = json.load(open(f"{work}/all.json")), json.load(open(f"{work}/nobots.json"))
ua = a["channels"][0]["participation"]["unique_chatters"]
ub = b["channels"][0]["participation"]["unique_chatters"]
assert a["flags"]["by_reason"]["known_bot"] == 1 and ub == ua - 1, (ua, ub)
assert b["flags"]["excluded"] == 1
print("ok: an imported bot is flagged and --exclude-bots leaves it out")
PY
"$TCA" bots remove "$1" >/dev/null || fail "bots remove"
if "$TCA" bots remove "$1" 2>/dev/null; then fail "removed twice"; fi
check "exports round-trip and the known-bots list works end to end"
