#!/usr/bin/env python3
"""Memory per feature: live heap and RSS of each profile's distribution with every feature, and with each
feature removed in turn, in the lab with a real document applied (root). Writes target/bench/memory.md and
target/bench/memory.json.

A variant without a feature is a temporary copy of the profile (etc/profile.json with that feature left out of
its list) next to the same system/, features/ and lib/: the launcher starts exactly the profile's features.
core and config are needed by every variant and are not removed; "(core+config only)" is the floor: the JVM,
Felix, SCR, the runtime and the config engine. A variant the launcher refuses (a feature another needs) is
reported as such; lines saying the document was rejected or rolled back are kept with the figures.

Per variant and run: the gateway starts in the lab's gw namespace with the lab document (two uplinks with
default probes, a DMZ and an offline port, a static route, three conduits, a port forward, a multicast flow),
reaches `ready:`, applies the document and idles 5 s; then
  live heap  = the total of `jcmd <pid> GC.class_histogram` (a full GC first: what is still reachable),
  heap committed = `jcmd <pid> GC.heap_info` after that collection,
  RSS        = VmRSS of /proc/<pid>/status (the JVM only; its short-lived children are not resident).
Costs of a feature = the full variant's figure minus the figure without it (medians).

Usage: itests/bench/memory.py [--runs 3] [--profiles x86-industrial,arm-compact] [--only -firewall,...]
                              [--out target/bench]
"""
import argparse
import copy
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from routing import DOC, LAB, ROOT, Gateway, sh  # noqa: E402

DIST = os.path.join(ROOT, "distribution", "target")
REQUIRED = {"core", "config"}
FIREWALL = {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"},
                         {"from": "dmz", "to": "offline", "protocol": "tcp", "ports": [4840],
                          "sources": ["192.168.50.10/32"]},
                         {"from": "dmz", "to": "gateway", "protocol": "tcp", "ports": [22]}],
            "portForwards": [{"from": "eth0", "protocol": "tcp", "port": 8443, "toAddress": "192.168.50.10",
                              "toPort": 443}]}
# where the kernel routes IPv4 multicast (CONFIG_IP_MROUTE) an OPC UA group routed by smcrouted; on a kernel
# without it the gateway refuses a routable group (the boot document would roll back), so the multicast feature
# runs its mDNS reflector (avahi-daemon) alone
MULTICAST_ROUTING = os.path.exists("/proc/net/ip_mr_vif")
MULTICAST = {"passThrough": [{"group": "224.0.2.14", "port": 4840, "from": "eth2", "to": ["eth1"]}
                             if MULTICAST_ROUTING else {"group": "224.0.0.251", "port": 5353, "from": "eth2",
                                                        "to": ["eth1"]}]}


def document(features):
    """The lab document, with only the sections the variant has a bundle for (a section without its bundle is
    rejected)."""
    doc = copy.deepcopy(DOC)
    for port in doc["ports"].values():
        port.setdefault("kind", "ethernet")  # arm-compact's profile has no eth2: the lab's ports are all veths
    if "firewall" in features:
        doc["firewall"] = FIREWALL
    if "multicast" in features:
        doc["multicast"] = MULTICAST
    return doc


def variant(home, work, name, features=None, configurations=None):
    """A copy of the distribution whose profile lists these features (None: the profile's own); system/ and lib/
    shared, features/ too unless configurations ({feature: {pid: {key: value}}}) change some of their values: then
    features/ holds links to the others and edited copies of those."""
    v = os.path.join(work, name)
    os.makedirs(os.path.join(v, "etc"))
    os.makedirs(os.path.join(v, "bin"))
    for d in ("system", "lib") + (() if configurations else ("features",)):
        os.symlink(os.path.join(home, d), os.path.join(v, d))
    if configurations:
        os.makedirs(os.path.join(v, "features"))
        for f in os.listdir(os.path.join(home, "features")):
            feature = f.removesuffix(".json")
            if feature not in configurations:
                os.symlink(os.path.join(home, "features", f), os.path.join(v, "features", f))
                continue
            with open(os.path.join(home, "features", f)) as src:
                spec = json.load(src)
            for pid, values in configurations[feature].items():
                spec.setdefault("configurations", {}).setdefault(pid, {}).update(values)
            with open(os.path.join(v, "features", f), "w") as dst:
                json.dump(spec, dst, indent=2)
    shutil.copy2(os.path.join(home, "bin", "isthmus"), os.path.join(v, "bin", "isthmus"))
    for f in os.listdir(os.path.join(home, "etc")):
        shutil.copy2(os.path.join(home, "etc", f), os.path.join(v, "etc", f))
    if os.path.exists(os.path.join(home, "VERSION")):
        shutil.copy2(os.path.join(home, "VERSION"), v)
    if features is not None:
        with open(os.path.join(v, "etc", "profile.json")) as f:
            profile = json.load(f)
        profile["features"] = features
        with open(os.path.join(v, "etc", "profile.json"), "w") as f:
            json.dump(profile, f, indent=2)
    return v


def jcmd(pid, *cmd):
    return subprocess.run(["jcmd", str(pid), *cmd], capture_output=True, text=True, timeout=30).stdout


def measure(lab_id, home, work, features):
    state = tempfile.mkdtemp(prefix="state-", dir=work)
    doc = os.path.join(state, "network.json")
    with open(doc, "w") as f:
        json.dump(document(features), f)
    gw = Gateway(lab_id, state, doc, home=home)
    try:
        ready_ms = gw.wait_ready(90)
        gw.drain_for(5)
        if gw.proc.poll() is not None:
            raise RuntimeError("exited:\n" + "".join(gw.lines)[-2000:])
        hist = jcmd(gw.proc.pid, "GC.class_histogram")
        m = re.search(r"Total\s+\d+\s+(\d+)", hist)
        info = jcmd(gw.proc.pid, "GC.heap_info")
        committed = sum(int(k) for k in re.findall(r"total (\d+)K", info))
        meta = re.search(r"Metaspace\s+used (\d+)K", info)
        classes = re.search(r"(\d+)\s+\d+\s+java\.lang\.Class ", hist)
        with open(f"/proc/{gw.proc.pid}/status") as f:
            rss = next(int(l.split()[1]) for l in f if l.startswith("VmRSS:"))
        problems = [l.strip()[:300] for l in gw.lines
                    if " ERROR " in l or "rejected" in l or "rolled back" in l][:3]
        return {"ready_ms": round(ready_ms), "live_heap_mib": round(int(m.group(1)) / 2**20, 1) if m else None,
                "heap_committed_mib": round(committed / 1024, 1), "rss_mib": round(rss / 1024, 1),
                "metaspace_mib": round(int(meta.group(1)) / 1024, 1) if meta else None,
                "classes": int(classes.group(1)) if classes else None,
                "errors": problems}
    finally:
        gw.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--profiles", default="x86-industrial,arm-compact")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument("--only", default="", help="variants to measure besides (all), e.g. -firewall,-mgmt")
    args = ap.parse_args()
    result = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "runs": args.runs, "profiles": {}}
    md = (f"Memory per feature (lab, real document applied), {result['date']}, {result['cpus']} CPUs, "
          f"median of {args.runs} runs\n")
    for profile in args.profiles.split(","):
        home = os.path.join(DIST, "isthmus-" + profile)
        with open(os.path.join(home, "etc", "profile.json")) as f:
            full = json.load(f)["features"]
        with open(os.path.join(home, "etc", "jvm.options")) as f:
            jvm = " ".join(l.strip() for l in f if l.strip() and not l.startswith("#"))
        variants = {"(all)": full}
        for feat in full:
            if feat not in REQUIRED:
                variants["-" + feat] = [f for f in full if f != feat]
        variants["(core+config only)"] = [f for f in full if f in REQUIRED]
        if args.only:
            variants = {k: v for k, v in variants.items() if k in args.only.split(",") or k == "(all)"}
        samples = {v: [] for v in variants}
        for _ in range(args.runs):
            work = tempfile.mkdtemp(prefix="isthmus-memory-bench-")
            lab_id = sh(LAB, "up", "--owner", str(os.getpid())).strip().splitlines()[-1]
            try:
                for name, feats in variants.items():
                    v = variant(home, work, re.sub(r"[^a-z]+", "_", name).strip("_"), feats)
                    try:
                        samples[name].append(measure(lab_id, v, work, feats))
                    except Exception as e:  # noqa: BLE001 - reported in the table
                        samples[name].append({"failed": str(e)[-400:]})
            finally:
                subprocess.run([LAB, "down", lab_id], capture_output=True)
                shutil.rmtree(work, ignore_errors=True)
        rows = {}
        for name, runs in samples.items():
            ok = [r for r in runs if "failed" not in r]
            if not ok:
                rows[name] = {"failed": runs[0]["failed"]}
                continue
            rows[name] = {k: statistics.median(r[k] for r in ok) for k in
                          ("ready_ms", "live_heap_mib", "heap_committed_mib", "rss_mib", "metaspace_mib", "classes")}
            rows[name]["errors"] = ok[0]["errors"]
        result["profiles"][profile] = {"jvm": jvm, "features": full, "variants": rows, "all": samples}
        base = rows["(all)"]
        md += (f"\n### {profile} (`{jvm}`)\n\n| variant | live heap (MiB) | heap committed (MiB) | metaspace (MiB) | "
               f"classes | RSS (MiB) | feature's cost: live heap / metaspace / RSS (MiB) | ready (ms) |\n"
               f"|---|---|---|---|---|---|---|---|\n")
        for name, r in rows.items():
            if "failed" in r:
                md += f"| {name} | failed: {r['failed'][-150:]!r} | | | | | | |\n"
                continue
            cost = "" if name == "(all)" or "failed" in base else " / ".join(
                str(round(base[k] - r[k], 1)) for k in ("live_heap_mib", "metaspace_mib", "rss_mib"))
            md += (f"| {name} | {r['live_heap_mib']} | {r['heap_committed_mib']} | {r['metaspace_mib']} | "
                   f"{r['classes']} | {r['rss_mib']} | {cost} | {r['ready_ms']} |\n")
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "memory.json"), "w") as f:
        json.dump(result, f, indent=2)
    with open(os.path.join(args.out, "memory.md"), "w") as f:
        f.write(md)
    print(md)


if __name__ == "__main__":
    main()
