#!/usr/bin/env python3
"""Checks the compose files against what tca reads and serves.

usage: check_compose.py ROOT COMPOSE_CONFIG_YAML ANALYSIS_URL
  COMPOSE_CONFIG_YAML: the output of `docker-compose config` (variables interpolated)
  ANALYSIS_URL: a running `tca analysis`, asked which routes it serves

Checks: the services and their roles; every environment name given to a tca role is one that
tca reads (base/ and cmd/ sources); every role gets the variables it needs; the Traefik rule
for analysis matches every route `tca analysis` serves among the statistics routes and no
route it refuses; the HAProxy front of scripts/cluster.sh uses the same path expressions.
"""
import glob
import re
import sys
import urllib.error
import urllib.request

import yaml

root, compose_file, analysis_url = sys.argv[1:4]
problems = []


def fail(msg):
    problems.append(msg)


# Names tca reads: the string literals of lookup()/get_str()/getenv() and the numeric table
# of base/config.c, plus getenv() anywhere in base/ and cmd/.
read = set()
for path in glob.glob(f"{root}/base/*.c") + glob.glob(f"{root}/cmd/*.c"):
    src = open(path).read()
    read |= set(re.findall(r'(?:lookup\(&src,|get_str\(&src,|getenv\(|\{)\s*"([A-Z][A-Z0-9_]+)"', src))
required = {"TCA_STORE", "TCA_REDIS", "TWITCH_CLIENT_ID", "TWITCH_CLIENT_SECRET",
            "TWITCH_REDIRECT_URL", "APP_SESSION_SECRET"}
for name in required:
    if name not in read:
        fail(f"tca no longer reads {name}: update this check and the compose files")

doc = yaml.safe_load(open(compose_file))
services = doc.get("services", {})
roles = {"gateway": "gateway", "analysis": "analysis", "worker": "worker"}
for want in ["traefik", "mariadb", "redis", *roles]:
    if want not in services:
        fail(f"service {want} is missing")
for svc, role in roles.items():
    s = services.get(svc, {})
    cmd = s.get("command", [])
    if (cmd[0] if isinstance(cmd, list) and cmd else cmd) != role:
        fail(f"service {svc} does not run `tca {role}` (command {cmd})")
    env = s.get("environment", {})
    if isinstance(env, list):
        env = dict(e.split("=", 1) for e in env)
    for name in env:
        if name not in read:
            fail(f"service {svc} sets {name}, which tca does not read")
    for name in required:
        if not env.get(name):
            fail(f"service {svc} lacks {name}")
    if not str(env.get("TCA_STORE", "")).startswith("mysql://"):
        fail(f"service {svc}: TCA_STORE is not the MariaDB store")
    if svc != "worker" and not env.get("TCA_LISTEN", "").startswith("0.0.0.0:"):
        fail(f"service {svc} does not listen on every interface")

# The routes of the table in web/router.c, with a sample value for each parameter.
routes = re.findall(r'\{"(GET|POST|PUT|DELETE|PATCH)",\s*"(/[^"]*)"',
                    open(f"{root}/web/router.c").read())
if len(routes) < 20:
    fail(f"found only {len(routes)} routes in web/router.c")


def sample(pattern):
    return re.sub(r"\{[a-z]+\}", "1", pattern)


def rule_exprs(rule):
    """(kind, arg) of each Path/PathPrefix/PathRegexp in a Traefik rule."""
    return re.findall(r"(PathRegexp|PathPrefix|Path)\(`([^`]*)`\)", rule)


def rule_matches(exprs, path):
    for kind, arg in exprs:
        if kind == "Path" and path == arg:
            return True
        if kind == "PathPrefix" and path.startswith(arg):
            return True
        if kind == "PathRegexp" and re.search(arg.replace("$$", "$"), path):
            return True
    return False


labels = services.get("analysis", {}).get("labels", {})
if isinstance(labels, list):
    labels = dict(e.split("=", 1) for e in labels)
rule = labels.get("traefik.http.routers.analysis.rule", "")
exprs = rule_exprs(rule)
if not exprs:
    fail("no Traefik rule routes to analysis")


def served_by_analysis(method, path):
    req = urllib.request.Request(analysis_url + path, method=method, data=b"" if method != "GET" else None)
    try:
        urllib.request.urlopen(req, timeout=30)
        return True
    except urllib.error.HTTPError as e:
        body = e.read().decode("utf-8", "replace")
        return not (e.code == 404 and "analysis role" in body)


stats_suffixes = ("/stats", "/overlap", "/export", "/history")
routed = 0
for method, pattern in routes:
    path = sample(pattern)
    matched = rule_matches(exprs, path)
    served = served_by_analysis(method, path)
    if matched and not served:
        fail(f"the proxy sends {method} {pattern} to analysis, which refuses it")
    if method == "GET" and served and (pattern.endswith(stats_suffixes) or pattern in
                                       ("/api/v1/overlap", "/api/v1/chatters/{chatter}")):
        if not matched:
            fail(f"statistics route {pattern} is not routed to analysis")
    routed += matched
if routed < 4:
    fail(f"only {routed} routes go to analysis")

# The cluster's HAProxy front routes with the same expressions.
cluster = open(f"{root}/scripts/cluster.sh").read()
haproxy_regs = set(re.findall(r"path_reg (\S+)", cluster))
traefik_regs = {arg.replace("$$", "$") for kind, arg in exprs if kind == "PathRegexp"}
traefik_regs |= {"^" + re.escape(arg) + "$" for kind, arg in exprs if kind == "Path"}
traefik_regs |= {"^" + re.escape(arg) for kind, arg in exprs if kind == "PathPrefix"}
if haproxy_regs != traefik_regs:
    fail(f"scripts/cluster.sh routes {sorted(haproxy_regs)} to analysis, compose {sorted(traefik_regs)}")

for p in problems:
    print("problem:", p)
print(f"{len(routes)} routes, {routed} routed to analysis, {len(read)} names tca reads")
sys.exit(1 if problems else 0)
