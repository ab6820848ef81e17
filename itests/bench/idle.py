#!/usr/bin/env python3
"""Idle CPU benchmark in the lab (root): the x86-industrial distribution in the lab's gw namespace with the lab
document of the failover benchmark (two uplinks: eth0 DHCP and the costly wwan0; a DMZ and an offline port; one
conduit) and the default probe settings, left alone once it is up.

The gateway runs in a cgroup of its own (cgroup v2 `cpu.stat` usage_usec where the unified hierarchy is mounted,
else v1 `cpuacct.usage`), so the CPU time counts the JVM and every process it starts, also those that live and
die within the window (`ip`, `nft`, `ping`, the DHCP client). Cross-check from /proc: the JVM's utime+stime, and
cutime+cstime (its waited-for children) plus the utime+stime of its live descendants. Wake-ups: the sum of
voluntary + involuntary context switches over the JVM's threads and its live descendants, per second (threads
that end within the window are missed, so it is a lower bound). Processes started: the number of distinct pids
seen in the cgroup, sampled every 20 ms (a lower bound too).

For each run: start, wait for the default route via eth0, let it settle (--settle s), then measure --window s.
Per run, to see where the time goes: the JVM's CPU per thread name over the window (`threads_ms_runs`: ms and
times scheduled, from /proc/<jvm>/task/*/schedstat; threads of one name summed), the CPU of its live children
(`children_detail`; `waited_s`: those that ended), and the processes seen starting (`started`).
Writes target/bench/idle.md and target/bench/idle.json.

Usage: itests/bench/idle.py [--runs 3] [--window 60] [--settle 15] [--home DIR] [--java-opts '-XX:…']
                           [--out target/bench]
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
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from failover import DOC, HOME, LAB, default_dev, sh, wait  # noqa: E402 (the same lab document)

TICK = os.sysconf("SC_CLK_TCK")


class Cgroup:
    """A cgroup for the gateway alone; usage() is its CPU time in seconds, children included."""

    def __init__(self, name):
        unified = "/sys/fs/cgroup" if os.path.exists("/sys/fs/cgroup/cgroup.controllers") else "/sys/fs/cgroup/unified"
        if os.path.exists(os.path.join(unified, "cgroup.procs")):
            self.path, self.kind = os.path.join(unified, name), "v2 cpu.stat"
        else:
            self.path, self.kind = os.path.join("/sys/fs/cgroup/cpuacct", name), "v1 cpuacct.usage"
        os.mkdir(self.path)

    def enter(self):
        """In the child before exec: move it (and so all it starts) into the cgroup."""
        with open(os.path.join(self.path, "cgroup.procs"), "w") as f:
            f.write(str(os.getpid()))

    def usage(self):
        if self.kind.startswith("v2"):
            with open(os.path.join(self.path, "cpu.stat")) as f:
                return next(int(l.split()[1]) for l in f if l.startswith("usage_usec")) / 1e6
        with open(os.path.join(self.path, "cpuacct.usage")) as f:
            return int(f.read()) / 1e9

    def pids(self):
        try:
            with open(os.path.join(self.path, "cgroup.procs")) as f:
                return {int(l) for l in f if l.strip()}
        except OSError:
            return set()

    def remove(self):
        for _ in range(50):
            try:
                os.rmdir(self.path)
                return
            except OSError:
                time.sleep(0.1)


def stat(pid):
    """(utime+stime, cutime+cstime) in seconds, or None when the process is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / TICK, (int(fields[13]) + int(fields[14])) / TICK


def comm(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f"{pid} " + " ".join(a.decode() for a in f.read().split(b"\0")[:3])
    except OSError:
        return str(pid)


def switches(pid):
    """Context switches per thread of pid (voluntary + involuntary), keyed by thread id."""
    out = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/status") as f:
                out[int(t)] = sum(int(l.split()[1]) for l in f
                                  if l.startswith(("voluntary_ctxt", "nonvoluntary_ctxt")))
        except OSError:
            pass
    return out


def switched(a, b):
    """Switches between two snapshots: per thread, those born after the first counted from 0 (threads that ended
    between them are missed: a lower bound, never negative)."""
    return sum(n - a.get(t, 0) for t, n in b.items())


def threads(pid):
    """CPU time (ns, the scheduler's own account: /proc/<pid>/task/<tid>/schedstat) and times scheduled, per
    thread of pid, keyed by (thread id, name)."""
    out = {}
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for t in tasks:
        try:
            with open(f"/proc/{pid}/task/{t}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{t}/schedstat") as f:
                ns, _, runs = (int(x) for x in f.read().split())
        except (OSError, ValueError):
            continue
        out[(t, name)] = (ns, runs)
    return out


def by_name(before, after):
    """Per thread name (threads of one name summed; those born in the window counted from 0): [ms, runs] spent in
    the window, largest first."""
    spent = {}
    for key, (ns, runs) in after.items():
        ns0, runs0 = before.get(key, (0, 0))
        if ns > ns0:
            s = spent.setdefault(key[1], [0.0, 0])
            s[0] += (ns - ns0) / 1e6
            s[1] += runs - runs0
    return {k: [round(v[0], 2), v[1]] for k, v in sorted(spent.items(), key=lambda kv: -kv[1][0])}


def descendants(root):
    """Live descendants of root (by /proc/*/stat ppid)."""
    parent = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                with open(f"/proc/{d}/stat") as f:
                    parent[int(d)] = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                pass
    out, frontier = set(), {root}
    while frontier:
        frontier = {p for p, pp in parent.items() if pp in frontier} - out
        out |= frontier
    return out


def java_pid(cg):
    for p in cg.pids():
        try:
            with open(f"/proc/{p}/comm") as f:
                if f.read().strip() == "java":
                    return p
        except OSError:
            pass
    return None


def snapshot(cg, jvm):
    own, waited = stat(jvm)
    kids = descendants(jvm)
    per = {k: (stat(k) or (0, 0))[0] for k in kids}
    live = sum(per.values())
    return {"cgroup": cg.usage(), "jvm": own, "children": waited + live, "waited": waited, "kids": per,
            "switches": {t: n for p in [jvm, *kids] for t, n in switches(p).items()}, "threads": threads(jvm),
            "at": time.monotonic()}


def run(home, work, lab, settle, window, java_opts=""):
    cg = Cgroup(f"isthmus-idle-{os.getpid()}-{int(time.time())}")
    gw = None
    try:
        doc = os.path.join(work, "network.json")
        with open(doc, "w") as f:
            json.dump(DOC, f)
        env = dict(os.environ, ISTHMUS_JAVA_OPTS=" ".join(
            ["-Disthmus.resolv.conf=" + os.path.join(work, "resolv.conf"), java_opts]).strip())
        log = open(os.path.join(work, "gateway.log"), "w")
        gw = subprocess.Popen(["ip", "netns", "exec", f"isl-{lab}-gw", os.path.join(home, "bin", "isthmus"), "run",
                               "--config", doc, "--state", os.path.join(work, "state")], stdout=log,
                              stderr=subprocess.STDOUT, env=env, preexec_fn=cg.enter)
        if not wait(lambda: default_dev(lab) == "eth0", 60, 0.1):
            raise RuntimeError("gateway did not come up; see " + log.name)
        time.sleep(settle)
        jvm = java_pid(cg)
        if jvm is None:
            raise RuntimeError("no java process in the gateway's cgroup")
        stop = threading.Event()

        commands = {}

        def sample():
            while not stop.is_set():
                for p in cg.pids() - seen:
                    seen.add(p)
                    try:
                        with open(f"/proc/{p}/cmdline", "rb") as f:
                            commands[p] = " ".join(a.decode() for a in f.read().split(b"\0")[:4])
                    except OSError:
                        pass
                time.sleep(0.02)

        sampler = threading.Thread(target=sample, daemon=True)
        a = snapshot(cg, jvm)
        before = cg.pids()
        seen = set(before)
        sampler.start()
        time.sleep(window)
        b = snapshot(cg, jvm)
        stop.set()
        sampler.join()
        if default_dev(lab) != "eth0":
            raise RuntimeError("the default route left eth0 while idle; see " + log.name)
        secs = b["at"] - a["at"]
        total = b["cgroup"] - a["cgroup"]
        return {"window_s": round(secs, 1), "cpu_s": round(total, 3), "cpu_pct": round(100 * total / secs, 3),
                "jvm_s": round(b["jvm"] - a["jvm"], 3), "children_s": round(b["children"] - a["children"], 3),
                "wakeups_per_s": round(switched(a["switches"], b["switches"]) / secs, 1),
                "processes_started": len(seen - before), "cgroup": cg.kind,
                "threads_ms_runs": by_name(a["threads"], b["threads"]),
                "children_detail": {"waited_s": round(b["waited"] - a["waited"], 3), **{
                    comm(k): round(v - a["kids"].get(k, 0), 3) for k, v in b["kids"].items()
                    if v - a["kids"].get(k, 0) > 0}},
                "started": sorted(commands[p] for p in seen - before if p in commands)}
    finally:
        if gw:
            gw.send_signal(signal.SIGTERM)
            try:
                gw.wait(15)
            except subprocess.TimeoutExpired:
                gw.kill()
        cg.remove()


def stats(values):
    return {"min": min(values), "median": statistics.median(values), "max": max(values)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--window", type=float, default=60.0, help="seconds measured")
    ap.add_argument("--settle", type=float, default=15.0, help="seconds between up and the window")
    ap.add_argument("--home", default=HOME, help="the unpacked distribution")
    ap.add_argument("--java-opts", default="", help="JVM options added to the profile's (to compare settings)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))), "target", "bench"))
    args = ap.parse_args()
    if not os.path.isdir(args.home):
        raise SystemExit(f"{args.home} missing: build first (mvn -B package -DskipTests)")
    runs = []
    for i in range(args.runs):
        work = tempfile.mkdtemp(prefix="isthmus-idle-bench-")
        lab = sh(LAB, "up", "--owner", str(os.getpid())).strip().splitlines()[-1]
        try:
            r = run(args.home, work, lab, args.settle, args.window, args.java_opts)
        finally:
            subprocess.run([LAB, "down", lab], capture_output=True)
            shutil.rmtree(work, ignore_errors=True)
        runs.append(r)
        print(f"run {i + 1}: {r}", file=sys.stderr)
    keys = ["cpu_pct", "cpu_s", "jvm_s", "children_s", "wakeups_per_s", "processes_started"]
    result = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "runs": args.runs,
              "window_s": args.window, "cgroup": runs[0]["cgroup"], **{k: stats([r[k] for r in runs]) for k in keys},
              "all": runs}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "idle.json"), "w") as f:
        json.dump(result, f, indent=2)
    row = lambda name, s, unit: f"| {name} | {s['min']} | {s['median']} | {s['max']} | {unit} |\n"
    table = (f"Idle gateway (lab document: two uplinks, default probes), x86-industrial, {result['date']}, "
             f"{result['cpus']} CPUs, {args.runs} runs of {args.window:.0f} s ({result['cgroup']})\n\n"
             "| measure | min | median | max | unit |\n|---|---|---|---|---|\n"
             + row("CPU, JVM and every process it starts", result["cpu_pct"], "% of one core")
             + row("CPU in the window, all", result["cpu_s"], "s")
             + row("of which the JVM's own threads", result["jvm_s"], "s")
             + row("of which child processes (/proc)", result["children_s"], "s")
             + row("wake-ups (context switches, JVM threads and live children)", result["wakeups_per_s"], "1/s")
             + row("processes started in the window (sampled, lower bound)", result["processes_started"],
                   "processes"))
    with open(os.path.join(args.out, "idle.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
