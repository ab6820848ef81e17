#!/usr/bin/env python3
"""Firewall and multicast benchmark in the lab (root): the x86-industrial distribution in the lab's gw namespace.

  apply     whole-table atomic apply of rulesets with about 100, 1,000 and 10,000 rules (N conduits with one
            source network each = one rule each), as the gateway logs it ("firewall: applied ... in M ms");
  no-op     restart with the same document: nft writes ("firewall: applied" lines, expected 0) and
            `nft monitor` events (expected 0);
  iperf3    TCP throughput DMZ host -> internet host, through NAT, firewall on vs off (table deleted, gateway
            stopped: routing alone);
  multicast UDP datagrams per second forwarded from OT (224.0.2.14:4840, TTL 1, the TTL fix-up) to the DMZ.
Writes target/bench/firewall.md and target/bench/firewall.json.

Usage: itests/bench/firewall.py [--runs 3] [--out target/bench]
"""
import argparse
import copy
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import shutil
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from routing import DOC, HOME, LAB, ROOT, Gateway, default_via, sh  # noqa: E402

TOOLS = os.path.join(ROOT, "itests", "src", "test", "resources", "lab-tools")
APPLIED = re.compile(r"firewall: applied ruleset \w+ \((\d+) rules\) in (\d+) ms")
BASE = {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]}
MULTICAST = {"passThrough": [{"group": "224.0.2.14", "port": 4840, "from": "eth2", "to": ["eth1"]}]}


def document(conduits):
    doc = copy.deepcopy(DOC)
    fw = copy.deepcopy(BASE)
    for i in range(conduits):
        fw["conduits"].append({"from": "dmz", "to": "uplink", "protocol": "tcp", "ports": [1 + i % 65000],
                               "sources": [f"10.{100 + i // 65536}.{(i // 256) % 256}.{i % 256}/32"]})
    doc["firewall"] = fw
    doc["multicast"] = MULTICAST
    return doc


def ns(lab_id, node):
    return ["ip", "netns", "exec", f"isl-{lab_id}-{node}"]


def settle(lab_id):
    deadline = time.monotonic() + 20
    while default_via(lab_id) != "eth0" and time.monotonic() < deadline:
        time.sleep(0.01)


def write(work, doc):
    path = os.path.join(work, "network.json")
    with open(path, "w") as f:
        json.dump(doc, f)
    return path


def applied(gw):
    return [(int(m.group(1)), int(m.group(2))) for l in gw.lines for m in [APPLIED.search(l)] if m]


def iperf(lab_id):
    server = subprocess.Popen(ns(lab_id, "inet") + ["iperf3", "-s", "-B", "203.0.113.10", "-1"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.3)
    try:
        out = subprocess.run(ns(lab_id, "dmz") + ["iperf3", "-c", "203.0.113.10", "-t", "3", "-J"],
                             capture_output=True, text=True, timeout=30).stdout
        return round(json.loads(out)["end"]["sum_received"]["bits_per_second"] / 1e9, 2)
    finally:
        server.kill()
        server.wait()


def multicast_pps(lab_id, seconds=2.0):
    sub = subprocess.Popen(ns(lab_id, "dmz") + ["python3", os.path.join(TOOLS, "multicast.py"), "receive",
                                                "224.0.2.14", "4840", "192.168.50.10", str(seconds + 1.5)],
                           stdout=subprocess.PIPE, text=True)
    sub.stdout.readline()  # joined
    t0 = time.monotonic()
    count = 200000
    subprocess.run(ns(lab_id, "ot") + ["timeout", str(seconds), "python3", os.path.join(TOOLS, "multicast.py"),
                                       "send", "224.0.2.14", "4840", "10.20.0.10", "1", str(count), "0"])
    sent_for = time.monotonic() - t0
    received = int(sub.stdout.readline().strip() or 0)
    sub.wait()
    return round(received / sent_for)


def one_run(work, sizes):
    lab_id = sh(LAB, "up", "--owner", str(os.getpid())).strip().splitlines()[-1]
    out = {"apply": {}}
    try:
        for n in sizes:
            doc = write(work, document(n))
            # the profile's 64 MB heap holds a document and table of ~1,000 conduits; 10,000 need more
            heap = "-Xmx256m" if n > 2000 else ""
            gw = Gateway(lab_id, work, doc, heap)
            try:
                gw.wait_ready()
                settle(lab_id)
                deadline = time.monotonic() + 30
                while not any(r > 5 for r, _ in applied(gw)) and time.monotonic() < deadline:
                    time.sleep(0.1)
                if not applied(gw):
                    raise RuntimeError(f"{n} conduits: no apply logged:\n" + "".join(
                        l for l in gw.lines if "DEBUG" not in l)[-3000:])
                rules, ms = max(applied(gw))
                out["apply"][n] = {"rules": rules, "ms": ms}
            finally:
                gw.stop()
        # no-op re-apply of the last document
        monitor = subprocess.Popen(ns(lab_id, "gw") + ["nft", "monitor"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        gw = Gateway(lab_id, work, doc, heap)
        try:
            gw.wait_ready()
            gw.drain_for(2.5)
            out["noop_writes"] = len(applied(gw))
        finally:
            gw.stop()
            monitor.terminate()
            events = monitor.communicate()[0].strip()
        out["noop_nft_events"] = len(events.splitlines()) if events else 0
        # throughput and multicast with the small document
        doc = write(work, document(0))
        gw = Gateway(lab_id, work, doc)
        try:
            gw.wait_ready()
            settle(lab_id)
            gw.drain_for(1.0)
            out["iperf_on_gbps"] = iperf(lab_id)
            out["multicast_pps"] = multicast_pps(lab_id)
        finally:
            gw.stop()
        subprocess.run(ns(lab_id, "gw") + ["nft", "delete", "table", "inet", "isthmus"], check=True)
        out["iperf_off_gbps"] = iperf(lab_id)
        return out
    finally:
        subprocess.run([LAB, "down", lab_id], capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--sizes", default="100,1000,10000")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    args = ap.parse_args()
    if not os.path.isdir(HOME):
        raise SystemExit(f"{HOME} missing: build first (mvn -B package -DskipTests)")
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = []
    for _ in range(args.runs):
        work = tempfile.mkdtemp(prefix="isthmus-firewall-bench-")
        try:
            runs.append(one_run(work, sizes))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    med = lambda f: round(statistics.median(f(r) for r in runs), 2)
    result = {
        "date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "runs": args.runs,
        "apply": {str(n): {"rules": runs[0]["apply"][n]["rules"], "ms": med(lambda r: r["apply"][n]["ms"])}
                  for n in sizes},
        "noop_writes": med(lambda r: r["noop_writes"]), "noop_nft_events": med(lambda r: r["noop_nft_events"]),
        "iperf_on_gbps": med(lambda r: r["iperf_on_gbps"]), "iperf_off_gbps": med(lambda r: r["iperf_off_gbps"]),
        "multicast_pps": med(lambda r: r["multicast_pps"]), "all": runs,
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "firewall.json"), "w") as f:
        json.dump(result, f, indent=2)
    table = (f"Firewall benchmark (lab, x86-industrial), {result['date']}, {result['cpus']} CPUs, "
             f"median of {args.runs} runs\n\n| measure | value |\n|---|---|\n")
    for n in sizes:
        a = result["apply"][str(n)]
        heap = " (-Xmx256m)" if n > 2000 else ""
        table += f"| apply, whole table atomically: {n} conduits = {a['rules']} rules{heap} | {a['ms']} ms |\n"
    table += (f"| no-op re-apply (restart, same document): nft writes | {result['noop_writes']} |\n"
              f"| no-op re-apply: `nft monitor` events | {result['noop_nft_events']} |\n"
              f"| iperf3 TCP DMZ -> internet, NAT, firewall on | {result['iperf_on_gbps']} Gbit/s |\n"
              f"| iperf3 TCP DMZ -> internet, firewall off (routing only) | {result['iperf_off_gbps']} Gbit/s |\n"
              f"| multicast 224.0.2.14:4840 OT -> DMZ (TTL 1 + fix-up), forwarded | {result['multicast_pps']} packets/s |\n")
    with open(os.path.join(args.out, "firewall.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
