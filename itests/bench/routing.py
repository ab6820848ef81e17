#!/usr/bin/env python3
"""Routing benchmark in the lab (root): the x86-industrial distribution inside the lab's gw namespace.

For N runs, on a fresh lab (an unconfigured kernel):
  cold   launcher start -> `ready:` (document applied: links, addresses, tables, rules, sysctls),
         and -> default route via the DHCP uplink (lease bound), kernel writes of the whole boot;
  warm   restart on the configured kernel (a no-op re-apply): -> `ready:`, kernel writes (expected 0),
         netlink events seen by `ip monitor` (expected 0);
  idle   CPU time the gateway uses over 10 s with nothing to do (the 1 s drift checks).
Writes target/bench/routing.md and target/bench/routing.json.

Usage: itests/bench/routing.py [--runs 5] [--out target/bench]
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LAB = os.path.join(ROOT, "itests", "lab", "lab.sh")
HOME = os.path.join(ROOT, "distribution", "target", "isthmus-x86-industrial")
DOC = {
    "ports": {
        "eth0": {"role": "uplink", "cost": 0, "ipv4": {"method": "dhcp"}},
        "wwan0": {"kind": "ethernet", "role": "uplink", "cost": 100,
                  "ipv4": {"method": "static", "address": "100.65.1.10/24", "gateway": "100.65.1.1"}},
        "eth1": {"role": "dmz", "ipv4": {"method": "static", "address": "192.168.50.1/24"}},
        "eth2": {"role": "offline", "ipv4": {"method": "static", "address": "10.20.0.1/24"}},
    },
    "routes": [{"destination": "192.168.20.0/24", "gateway": "192.168.50.254", "interface": "eth1", "metric": 100}],
}
CHANGES = re.compile(r": (\d+) kernel change\(s\)")


def sh(*cmd):
    return subprocess.run(cmd, capture_output=True, text=True, check=True).stdout


def cpu_ms(pid, children=False):
    """CPU time of pid (utime + stime), with children=True also of its waited-for children (cutime + cstime)."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = sum(int(x) for x in fields[11:15 if children else 13])
    return ticks * 1000 / os.sysconf("SC_CLK_TCK")


class Gateway:
    def __init__(self, lab_id, state, doc, java_opts="", prefix=(), home=None, env=None):
        """prefix: argv the gateway's command is run under (e.g. a private mount namespace); home: the unpacked
        distribution (default HOME); env: variables added to the gateway's environment."""
        self.lines = []
        self.t0 = time.monotonic()
        env = dict(os.environ, **(env or {}), ISTHMUS_JAVA_OPTS="-Disthmus.resolv.conf="
                   + os.path.join(state, "resolv.conf") + (" " + java_opts if java_opts else ""))
        self.proc = subprocess.Popen(list(prefix) + ["ip", "netns", "exec", f"isl-{lab_id}-gw",
                                                     os.path.join(home or HOME, "bin", "isthmus"),
                                      "run", "--config", doc, "--state", os.path.join(state, "s")],
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.ready_at = None
        self.ready_cpu_ms = None  # the process's CPU time (children it waited for included) at the ready line
        self.ready = threading.Event()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line)
            if line.startswith("ready:") and self.ready_at is None:
                self.ready_at = (time.monotonic() - self.t0) * 1000
                try:
                    self.ready_cpu_ms = cpu_ms(self.proc.pid, children=True)
                except OSError:
                    pass
                self.ready.set()

    def wait_ready(self, timeout=60):
        if not self.ready.wait(timeout):
            raise RuntimeError("no ready line:\n" + "".join(self.lines))
        return self.ready_at

    def drain_for(self, seconds):
        time.sleep(seconds)  # the reader thread keeps the pipe empty meanwhile

    def writes(self):
        return sum(int(m.group(1)) for l in self.lines for m in [CHANGES.search(l)] if m)

    def cpu_ms(self):
        return cpu_ms(self.proc.pid)

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.reader.join(5)


def default_via(lab_id):
    out = sh("ip", "-n", f"isl-{lab_id}-gw", "-j", "route", "show", "default", "table", "main")
    routes = json.loads(out or "[]")
    return routes[0].get("dev") if routes else None


def one_run(work):
    lab_id = sh(LAB, "up", "--owner", str(os.getpid())).strip().splitlines()[-1]
    try:
        doc = os.path.join(work, "network.json")
        with open(doc, "w") as f:
            json.dump(DOC, f)
        gw = Gateway(lab_id, work, doc)
        try:
            ready = gw.wait_ready()
            deadline = time.monotonic() + 20
            while default_via(lab_id) != "eth0" and time.monotonic() < deadline:
                time.sleep(0.01)
            uplink = (time.monotonic() - gw.t0) * 1000
            gw.drain_for(2.5)
            cold = {"ready_ms": round(ready, 1), "dhcp_default_ms": round(uplink, 1), "writes": gw.writes()}
            cpu0 = gw.cpu_ms()
            gw.drain_for(10)
            idle = {"cpu_ms_per_10s": round(gw.cpu_ms() - cpu0, 1)}
        finally:
            gw.stop()
        monitor = subprocess.Popen(["ip", "-n", f"isl-{lab_id}-gw", "-o", "monitor", "address", "route", "rule"],
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        gw = Gateway(lab_id, work, doc)
        try:
            ready = gw.wait_ready()
            gw.drain_for(2.5)
            warm = {"ready_ms": round(ready, 1), "writes": gw.writes()}
        finally:
            gw.stop()
            monitor.terminate()
            events = monitor.communicate()[0].strip()
        warm["netlink_events"] = len(events.splitlines()) if events else 0
        return cold, warm, idle
    finally:
        subprocess.run([LAB, "down", lab_id], capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    args = ap.parse_args()
    if not os.path.isdir(HOME):
        raise SystemExit(f"{HOME} missing: build first (mvn -B package -DskipTests)")
    runs = []
    for _ in range(args.runs):
        work = tempfile.mkdtemp(prefix="isthmus-routing-bench-")
        try:
            runs.append(one_run(work))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    P = {"cold": 0, "warm": 1, "idle": 2}
    m = lambda part, key: round(statistics.median(r[P[part]][key] for r in runs), 1)
    result = {
        "date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "runs": args.runs,
        "cold": {"ready_ms": m("cold", "ready_ms"), "dhcp_default_ms": m("cold", "dhcp_default_ms"),
                 "writes": m("cold", "writes")},
        "warm": {"ready_ms": m("warm", "ready_ms"), "writes": m("warm", "writes"),
                 "netlink_events": m("warm", "netlink_events")},
        "idle": {"cpu_ms_per_10s": m("idle", "cpu_ms_per_10s")},
        "all": [{"cold": c, "warm": w, "idle": i} for c, w, i in runs],
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "routing.json"), "w") as f:
        json.dump(result, f, indent=2)
    table = (f"Routing benchmark (lab, x86-industrial, 4 ports + 1 static route), {result['date']}, "
             f"{result['cpus']} CPUs, median of {args.runs} runs\n\n"
             "| measure | value |\n|---|---|\n"
             f"| boot on an unconfigured kernel: start -> `ready:` | {result['cold']['ready_ms']} ms |\n"
             f"| boot: start -> default route via the DHCP uplink | {result['cold']['dhcp_default_ms']} ms |\n"
             f"| boot: kernel writes | {result['cold']['writes']} |\n"
             f"| no-op re-apply (restart on a configured kernel): start -> `ready:` | {result['warm']['ready_ms']} ms |\n"
             f"| no-op re-apply: kernel writes | {result['warm']['writes']} |\n"
             f"| no-op re-apply: netlink events (`ip monitor`) | {result['warm']['netlink_events']} |\n"
             f"| idle: CPU time per 10 s (drift checks every 1 s) | {result['idle']['cpu_ms_per_10s']} ms |\n")
    with open(os.path.join(args.out, "routing.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
