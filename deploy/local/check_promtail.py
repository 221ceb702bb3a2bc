#!/usr/bin/env python3
"""Checks tca's log lines against the promtail pipeline of deploy/loki/promtail.yml, for a
machine where promtail itself is not available (Debian does not package it).

    check_promtail.py PROMTAIL_YML LOG_FILE [SERVICE ...]

For each tca service (gateway, analysis, worker by default) it finds the `match` stages whose
selector takes that service, then runs their `json` stage on every line as promtail would
(JMESPath expressions, through the jmespath package when installed, else plain keys only) and
their `labels` stage: on every JSON line every expression must find a string, and each label
must keep few values (Loki indexes each distinct value as a stream). A line that is not JSON
is what promtail ships unlabelled: counted and shown, not a failure.
It only reads; it never changes the configuration or the logs.
"""
import json
import re
import sys

import yaml

try:
    import jmespath
except ImportError:  # Debian: python3-jmespath
    jmespath = None

MAX_LABEL_VALUES = 10


def evaluate(expr, obj):
    if jmespath is not None:
        return jmespath.search(expr, obj)
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", expr):
        sys.exit(f"'{expr}' needs the jmespath package (python3-jmespath)")
    return obj.get(expr)


def selector_takes(selector, service):
    """The `{service=~"a|b"}` or `{service="a"}` selectors of promtail.yml."""
    m = re.fullmatch(r'\{\s*service\s*(=~|=)\s*"([^"]*)"\s*\}', selector.strip())
    if not m:
        sys.exit(f"selector not understood here: {selector}")
    op, value = m.groups()
    return re.fullmatch(value, service) is not None if op == "=~" else value == service


def stages_for(config, service):
    out = []
    for scrape in config.get("scrape_configs", []):
        for stage in scrape.get("pipeline_stages", []):
            match = stage.get("match")
            if match and selector_takes(match["selector"], service):
                out.extend(match.get("stages", []))
    return out


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    with open(sys.argv[1]) as f:
        config = yaml.safe_load(f)
    services = sys.argv[3:] or ["gateway", "analysis", "worker"]
    with open(sys.argv[2], encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    if not lines:
        sys.exit("no log lines to check")
    problems = []
    plain = [line for line in lines if not line.startswith("{")]
    if len(plain) == len(lines):
        problems.append("no JSON line at all: is TCA_LOG_FORMAT=json set?")
    for service in services:
        stages = stages_for(config, service)
        exprs = {}
        labels = {}
        for stage in stages:
            if "json" in stage:
                exprs.update(stage["json"]["expressions"])
            if "labels" in stage:
                labels.update({k: (v or k) for k, v in stage["labels"].items()})
        if not exprs:
            problems.append(f"{service}: no json stage applies")
            continue
        for name, source in labels.items():
            if source not in exprs:
                problems.append(f"{service}: label {name} reads {source}, which no json stage extracts")
        values = {name: set() for name in labels}
        for n, line in enumerate(lines, 1):
            if not line.startswith("{"):
                continue
            try:
                obj = json.loads(line)
            except ValueError:
                problems.append(f"line {n} starts like JSON but is not: {line[:120]}")
                continue
            if not isinstance(obj, dict):
                problems.append(f"line {n} is not a JSON object")
                continue
            extracted = {name: evaluate(expr or name, obj) for name, expr in exprs.items()}
            for name, value in extracted.items():
                if not isinstance(value, str):
                    problems.append(f"line {n}: {name} is {value!r}, not a string")
            for name, source in labels.items():
                if isinstance(extracted.get(source), str):
                    values[name].add(extracted[source])
        for name, seen in values.items():
            if len(seen) > MAX_LABEL_VALUES:
                problems.append(f"{service}: label {name} takes {len(seen)} values")
            print(f"{service}: label {name} takes {sorted(seen)}")
    print(f"{len(lines) - len(plain)} JSON lines, {len(plain)} plain lines (shipped unlabelled)")
    for line in sorted(set(plain))[:10]:
        print("  plain:", line[:150])
    problems = list(dict.fromkeys(problems))
    for p in problems[:20]:
        print("problem:", p, file=sys.stderr)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
