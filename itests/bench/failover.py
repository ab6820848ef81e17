#!/usr/bin/env python3
"""Uplink failover benchmark in the lab (root): the x86-industrial distribution in the lab's gw namespace with the
default probe settings (ICMP to the internet host every 500 ms, timeout 400 ms, down after 3, up after 5; minimum
dwell 5 s; cellular costly: standby probes every 30 s with 16-byte payloads).

A 100 packet/s UDP stream runs from the DMZ host to the internet host; small sniffers on both ISPs' gateway-facing
interfaces timestamp every stream packet, the receiver in `inet` counts them. For each of N trials:
  (a) cable pull on the wired ISP      -> first stream packet through the cellular ISP, packets lost;
  (b) silent upstream failure (cut)   -> the same;
  (c) failback: repair, made once the dwell time has passed -> first stream packet through the wired ISP again,
      packets lost (expected 0);
  (d) probe bytes on the standby costly uplink: echo requests counted at the cellular ISP (nft counter) over
      consecutive 30 s windows, as Ethernet bytes per hour both ways.
Writes target/bench/failover.md and target/bench/failover.json.

Usage: itests/bench/failover.py [--trials 10] [--out target/bench]
"""
import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, "itests", "lab", "lab.sh")
HOME = os.path.join(ROOT, "distribution", "target", "isthmus-x86-industrial")
PORT = 9999
RATE = 100
DOC = {
    "ports": {
        "eth0": {"role": "uplink", "cost": 0, "ipv4": {"method": "dhcp"}},
        "wwan0": {"kind": "ethernet", "role": "uplink", "cost": 100,
                  "ipv4": {"method": "static", "address": "100.65.1.10/24", "gateway": "100.65.1.1"}},
        "eth1": {"role": "dmz", "ipv4": {"method": "static", "address": "192.168.50.1/24"}},
        "eth2": {"role": "offline", "ipv4": {"method": "static", "address": "10.20.0.1/24"}},
    },
    "uplink": {"probe": {"targets": ["203.0.113.10"]}},
    "firewall": {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]},
}

# Helpers that run inside the lab's namespaces (python3 -c): stdout lines "<unix time> <seq>".
SENDER = f"""
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
seq, start = 0, time.time()
while True:
    s.sendto(struct.pack('!Id', seq, time.time()), ('203.0.113.10', {PORT}))
    seq += 1
    time.sleep(max(0, start + seq / {RATE} - time.time()))
"""
RECEIVER = f"""
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('203.0.113.10', {PORT}))
while True:
    data, _ = s.recvfrom(64)
    print('%.6f %d' % (time.time(), struct.unpack('!Id', data[:12])[0]), flush=True)
"""
SNIFFER = f"""
import socket, struct, sys, time
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0800))
s.bind(('down0', 0))
while True:
    try:
        f = s.recv(2048)
    except OSError:  # ENETDOWN while the ISP's link is down (a cable pull): keep listening
        continue
    ihl = (f[14] & 15) * 4
    if f[23] == 17 and struct.unpack('!H', f[14 + ihl + 2:14 + ihl + 4])[0] == {PORT}:
        print('%.6f %d' % (time.time(), struct.unpack('!I', f[14 + ihl + 8:14 + ihl + 12])[0]), flush=True)
"""


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def default_dev(lab):
    routes = json.loads(sh("ip", "-n", f"isl-{lab}-gw", "-j", "route", "show", "default", "table", "main") or "[]")
    return routes[0].get("dev") if routes else None


def wait(condition, timeout, step=0.01):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(step)
    return False


class Logged:
    """A helper process in a namespace whose stdout lines are '<time> <seq>'."""

    def __init__(self, lab, node, code, path):
        self.path = path
        self.out = open(path, "w")
        self.proc = subprocess.Popen(["ip", "netns", "exec", f"isl-{lab}-{node}", "python3", "-c", code],
                                     stdout=self.out, stderr=subprocess.DEVNULL)

    def rows(self):
        self.out.flush()
        with open(self.path) as f:
            return [(float(t), int(s)) for t, s in (l.split() for l in f if l.count(" ") == 1)]

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(5)
        self.out.close()


def first_after(rows, t):
    return min((ts for ts, _ in rows if ts > t), default=None)


def trial(lab, fault, sniff_w, sniff_c, receiver, dwell):
    assert wait(lambda: default_dev(lab) == "eth0", 30), "not on the wired uplink"
    time.sleep(1.0)
    t_seq_before = max((s for _, s in receiver.rows()), default=0)
    t0 = time.time()
    subprocess.run([LAB, fault, lab, "wired"], check=True, capture_output=True)
    if not wait(lambda: first_after(sniff_c.rows(), t0) is not None, 15):
        raise RuntimeError(f"{fault}: no stream packet through the cellular ISP")
    backup = first_after(sniff_c.rows(), t0)
    time.sleep(dwell + 1.0)  # past the minimum dwell, so that failback waits for the probes only
    t_seq_after = max(s for _, s in receiver.rows())
    received = {s for _, s in receiver.rows()}
    lost_fail = sum(1 for s in range(t_seq_before, t_seq_after) if s not in received)
    t1 = time.time()
    subprocess.run([LAB, "restore", lab, "wired"], check=True, capture_output=True)
    if not wait(lambda: first_after(sniff_w.rows(), t1) is not None, 20):
        raise RuntimeError(f"{fault}: no failback to the wired ISP")
    back = first_after(sniff_w.rows(), t1)
    time.sleep(1.0)
    seq_end = max(s for _, s in receiver.rows())
    received = {s for _, s in receiver.rows()}
    lost_back = sum(1 for s in range(t_seq_after, seq_end) if s not in received)
    return {"switch_ms": round((backup - t0) * 1000, 1), "lost": lost_fail,
            "failback_ms": round((back - t1) * 1000, 1), "failback_lost": lost_back}


def probe_windows(lab, n, window):
    ns = f"isl-{lab}-ispc"
    nft = lambda *a: subprocess.run(["ip", "netns", "exec", ns, "nft", *a], capture_output=True, text=True)
    nft("add", "table", "ip", "probes")
    nft("add", "chain", "ip", "probes", "in", "{ type filter hook prerouting priority 0; }")
    nft("add", "rule", "ip", "probes", "in", "ip", "saddr", "100.65.1.10", "icmp", "type", "echo-request", "counter")
    try:
        out = []
        last = (0, 0)
        for _ in range(n):
            time.sleep(window)
            table = json.loads(nft("-j", "list", "table", "ip", "probes").stdout)
            c = next(e["counter"] for i in table["nftables"] if "rule" in i for e in i["rule"]["expr"] if "counter" in e)
            packets, ip_bytes = c["packets"] - last[0], c["bytes"] - last[1]
            last = (c["packets"], c["bytes"])
            # request + reply, each with a 14-byte Ethernet header
            out.append({"probes": packets, "bytes_per_hour": round((ip_bytes + 14 * packets) * 2 * 3600 / window)})
        return out
    finally:
        nft("delete", "table", "ip", "probes")


def stats(values):
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--trials", type=int, default=10)
    ap.add_argument("--window", type=float, default=30.0, help="seconds per probe-bytes window")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    args = ap.parse_args()
    if not os.path.isdir(HOME):
        raise SystemExit(f"{HOME} missing: build first (mvn -B package -DskipTests)")
    work = tempfile.mkdtemp(prefix="isthmus-failover-bench-")
    lab = sh(LAB, "up", "--owner", str(os.getpid())).strip().splitlines()[-1]
    helpers = []
    gw = None
    try:
        doc = os.path.join(work, "network.json")
        with open(doc, "w") as f:
            json.dump(DOC, f)
        env = dict(os.environ, ISTHMUS_JAVA_OPTS="-Disthmus.resolv.conf=" + os.path.join(work, "resolv.conf"))
        log = open(os.path.join(work, "gateway.log"), "w")
        gw = subprocess.Popen(["ip", "netns", "exec", f"isl-{lab}-gw", os.path.join(HOME, "bin", "isthmus"), "run",
                               "--config", doc, "--state", os.path.join(work, "state")], stdout=log,
                              stderr=subprocess.STDOUT, env=env)
        if not wait(lambda: default_dev(lab) == "eth0", 60, 0.1):
            raise RuntimeError("gateway did not come up; see " + log.name)
        receiver = Logged(lab, "inet", RECEIVER, os.path.join(work, "received"))
        sniff_w = Logged(lab, "ispw", SNIFFER, os.path.join(work, "wired"))
        sniff_c = Logged(lab, "ispc", SNIFFER, os.path.join(work, "cell"))
        helpers += [receiver, sniff_w, sniff_c]
        time.sleep(0.5)
        helpers.append(Logged(lab, "dmz", SENDER, os.path.join(work, "sent")))
        runs = {"pull": [], "cut": []}
        for i in range(args.trials):
            for fault in ("pull", "cut"):
                r = trial(lab, fault, sniff_w, sniff_c, receiver, dwell=5.0)
                runs[fault].append(r)
                print(f"trial {i + 1} {fault}: {r}", file=sys.stderr)
        windows = probe_windows(lab, args.trials, args.window)
        print(f"probe windows: {windows}", file=sys.stderr)
    finally:
        for h in helpers:
            h.stop()
        if gw:
            gw.send_signal(signal.SIGTERM)
            gw.wait(10)
        subprocess.run([LAB, "down", lab], capture_output=True)
        shutil.rmtree(work, ignore_errors=True)
    result = {
        "date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "trials": args.trials, "rate_pps": RATE,
        "a_cable_pull": {"switch_ms": stats([r["switch_ms"] for r in runs["pull"]]),
                         "lost": stats([r["lost"] for r in runs["pull"]])},
        "b_silent_failure": {"switch_ms": stats([r["switch_ms"] for r in runs["cut"]]),
                             "lost": stats([r["lost"] for r in runs["cut"]])},
        "c_failback": {"failback_ms": stats([r["failback_ms"] for r in runs["pull"] + runs["cut"]]),
                       "lost": stats([r["failback_lost"] for r in runs["pull"] + runs["cut"]])},
        "d_standby_probe_bytes_per_hour": stats([w["bytes_per_hour"] for w in windows]),
        "all": {"pull": runs["pull"], "cut": runs["cut"], "probe_windows": windows},
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "failover.json"), "w") as f:
        json.dump(result, f, indent=2)
    row = lambda name, s, unit: f"| {name} | {s['min']} | {s['median']} | {s['max']} | {unit} |\n"
    table = (f"Uplink failover (lab, x86-industrial, default probe settings, {RATE} packet/s DMZ -> internet), "
             f"{result['date']}, {result['cpus']} CPUs, {args.trials} trials\n\n"
             "| measure | min | median | max | unit |\n|---|---|---|---|---|\n"
             + row("(a) cable pull -> first packet through the backup", result["a_cable_pull"]["switch_ms"], "ms")
             + row("(a) packets lost", result["a_cable_pull"]["lost"], "packets")
             + row("(b) silent upstream failure -> first packet through the backup",
                   result["b_silent_failure"]["switch_ms"], "ms")
             + row("(b) packets lost", result["b_silent_failure"]["lost"], "packets")
             + row("(c) failback: repair -> first packet through wired again", result["c_failback"]["failback_ms"],
                   "ms")
             + row("(c) packets lost", result["c_failback"]["lost"], "packets")
             + row("(d) probe traffic of the standby costly uplink", result["d_standby_probe_bytes_per_hour"],
                   "bytes/hour"))
    with open(os.path.join(args.out, "failover.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
