#!/usr/bin/env python3
# Extracts, from Twitch's Helix OpenAPI document, the error responses of the endpoints that
# `tca twitch-sim` serves, one entry per documented reason, into tests/sim/helix_errors.json.
# tests/sim/test_sim_errors.c checks that the simulator produces every one of them.
# Usage: scripts/helix-errors.py helix-openapi.json > tests/sim/helix_errors.json
import json
import re
import sys

ENDPOINTS = [
    "/chat/chatters",
    "/users",
    "/moderation/channels",
    "/streams",
    "/moderation/moderators",
    "/channels/vips",
    "/channels/followers",
]


def plain(markdown):
    """The text of a line of Markdown: emphasis marks gone, escaped underscores kept."""
    text = markdown.replace("\\_", "\0")
    return re.sub(r"[\\*_]", "", text).replace("\0", "_").strip()


doc = json.load(open(sys.argv[1]))
out = {
    "source": "helix-openapi.json from DmitryScaletta/twitch-api-swagger (MIT), generated "
    "from the Twitch API reference; regenerate with scripts/helix-errors.py",
    "errors": [],
}
for path in ENDPOINTS:
    op = doc["paths"][path]["get"]
    for status, resp in sorted(op["responses"].items()):
        if not status.startswith(("4", "5")):
            continue
        text = resp.get("description", "")
        reasons = [plain(l[2:]) for l in text.splitlines() if l.startswith("* ")]
        if not reasons:
            reasons = [plain(text)]
        for r in reasons:
            out["errors"].append({"path": "/helix" + path, "status": int(status), "reason": r})
json.dump(out, sys.stdout, indent=1, ensure_ascii=False)
print()
