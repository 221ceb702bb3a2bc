#!/bin/bash
# Moderators and VIPs, end to end against `tca twitch-sim`: a broadcaster who logs in with
# --with roles gets every chatter's role in the export, read once per 10 minutes; a moderator
# (not the broadcaster) logged in normally never asks Get Moderators or Get VIPs (Twitch
# would answer 401) and sees no roles but the broadcaster's own.
. "$(dirname "$0")/lib.sh"
start_sim --manual-clock --login cozy_channel
"$TCA" login --with roles >"$WORK/login.out" 2>&1 || { cat "$WORK/login.out"; fail "login --with roles"; }
"$TCA" login --with nonsense >/dev/null 2>&1 && fail "an unknown --with is refused"
"$TCA" capture cozy_channel >"$WORK/capture.out" 2>&1 || { cat "$WORK/capture.out"; fail "capture"; }
sim_post "/_sim/advance?ticks=1" >/dev/null
"$TCA" capture cozy_channel >>"$WORK/capture.out" 2>&1 || { cat "$WORK/capture.out"; fail "capture 2"; }
"$TCA" export --format csv >"$WORK/export.csv" 2>"$WORK/export.err" || fail "export csv"
sim_get "/_sim/roles?broadcaster_id=20002" >"$WORK/roles.json"
sim_get "/_sim/stats" >"$WORK/stats.json"
python3 - "$WORK" <<'PY'
import csv, json, sys
work = sys.argv[1]
roles = json.load(open(f"{work}/roles.json"))
mods, vips = set(roles["moderators"]), set(roles["vips"])
rows = list(csv.DictReader(open(f"{work}/export.csv", newline="")))
assert rows and "role" in rows[0] and "watched" in rows[0], rows[:1]
marked = 0
for r in rows:
    want = "moderator" if r["id"] in mods else "vip" if r["id"] in vips else ""
    want = "broadcaster" if r["id"] == "20002" else want
    assert r["role"] == want, (r["id"], r["role"], want)
    marked += want != ""
assert marked >= 2, marked  # the channel's regulars include moderators and VIPs
reqs = json.load(open(f"{work}/stats.json"))["requests"]
# two captures within 10 minutes: one read of each list
assert reqs.get("/helix/moderation/moderators") == 1, reqs
assert reqs.get("/helix/channels/vips") == 1, reqs
print("marked", marked, "of", len(rows))
PY
check "a broadcaster's export marks every moderator and VIP the simulator has"

# A moderator who is not the broadcaster: no role scopes asked, no role request made.
rm -f "$TCA_DB"*
start_sim --manual-clock
login
"$TCA" capture cozy_channel >"$WORK/capture3.out" 2>&1 || { cat "$WORK/capture3.out"; fail "capture as moderator"; }
"$TCA" export --format csv >"$WORK/export2.csv" 2>>"$WORK/export.err" || fail "export csv 2"
sim_get "/_sim/stats" >"$WORK/stats2.json"
python3 - "$WORK" <<'PY'
import csv, json, sys
work = sys.argv[1]
reqs = json.load(open(f"{work}/stats2.json"))["requests"]
assert "/helix/moderation/moderators" not in reqs and "/helix/channels/vips" not in reqs, reqs
rows = list(csv.DictReader(open(f"{work}/export2.csv", newline="")))
assert all(r["role"] in ("", "broadcaster") for r in rows)
PY
check "a moderator's capture asks no role list and marks none"
