#!/usr/bin/env python3
"""Boot benchmark: time from process start to the `ready:` line, RSS after ready, and SIGTERM stop time,
for every profile's unpacked distribution; median of N cold (fresh state dir) and N warm (state dir of a
previous run) starts. Writes target/bench/boot.md and target/bench/boot.json.

Each run happens in a new empty network namespace (unshare --net, needs root): ports are missing there,
so this measures the runtime, not the kernel work (the routing benchmark measures that in the lab). Warm runs
follow two unmeasured ones: the first boot and the one that records the class-data archive.

With --lab, the boot a gateway does: x86-industrial in the lab's gw namespace with the lab document of the
memory benchmark (four ports: the DHCP uplink eth0 and the static uplink wwan0, both probed, a DMZ and an
offline port; a static route, three conduits, a port forward, a multicast flow). Cold = a fresh lab (an
unconfigured kernel) and a fresh state dir: the first boot (which leaves the class-data archive's record marker
at once here, -Disthmus.cds.delay=0); then, on that state dir, the recording boot, whose JVM writes the archive as
it exits (its SIGTERM-to-exit time is reported). Warm = a restart on the same state dir and configured kernel. Variants
(the distribution as built, --baseline DIR, --variant 'LABEL=OPTS') take their warm runs in turn, round by
round, so a loaded machine weighs on each alike. Per run: ready time measured outside, the process's CPU time
at ready (its JVM and the processes it waited for), RSS at ready and --settle s later, SIGTERM to exit.

Usage: itests/bench/boot.py [--runs 5] [--dist distribution/target] [--out target/bench]
       itests/bench/boot.py --lab [--runs 9] [--cold-runs 3] [--settle 5] [--home DIR] [--baseline [LABEL=]DIR]...
                            [--variant 'LABEL=-XX:Opt MALLOC_ARENA_MAX=2 ...'] ...
       (in a variant, NAME=VALUE words with an upper-case NAME are environment variables, the rest JVM options)
"""
import argparse
import glob
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import tempfile
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from memory import document  # noqa: E402 (the lab document with every section)
from routing import HOME, LAB, ROOT, Gateway, sh  # noqa: E402

READY_TIMEOUT_S = 60


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def one_run(home, state):
    """Starts the gateway, waits for ready, samples RSS, stops it. Returns a dict of measurements."""
    t0 = time.monotonic()
    # a fresh, empty network namespace: the gateway applies its document there, never to the host
    # the record marker of the class-data archive at once (not 5 min after ready): the second warm-up run records
    env = dict(os.environ, ISTHMUS_JAVA_OPTS="-Disthmus.cds.delay=0")
    proc = subprocess.Popen(["unshare", "--net", "--", os.path.join(home, "bin", "isthmus"), "run", "--state", state],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    try:
        ready_line = None
        deadline = t0 + READY_TIMEOUT_S
        while time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("ready:"):
                ready_line = line.strip()
                break
        if ready_line is None:
            raise RuntimeError(f"{home}: no ready line (exit {proc.poll()})")
        ready_ms = (time.monotonic() - t0) * 1000
        rss = rss_kib(proc.pid)
        t1 = time.monotonic()
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)  # a recording JVM writes the class-data archive as it exits
        stop_ms = (time.monotonic() - t1) * 1000
        return {"ready_ms": round(ready_ms, 1), "rss_mib": round(rss / 1024, 1), "stop_ms": round(stop_ms, 1),
                "line": ready_line}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def median(runs, key):
    return round(statistics.median(r[key] for r in runs), 1)


class Variant:
    def __init__(self, label, home, words=""):
        self.label, self.home = label, os.path.abspath(home)
        self.env = {w.split("=", 1)[0]: w.split("=", 1)[1] for w in words.split()
                    if "=" in w and w.split("=", 1)[0].isupper()}
        self.opts = " ".join(w for w in words.split() if not ("=" in w and w.split("=", 1)[0].isupper()))
        with open(os.path.join(self.home, "etc", "profile.json")) as f:
            self.features = json.load(f)["features"]


def lab_boot(variant, lab_id, work, settle):
    """One boot in the lab's gw namespace; returns its measurements. work holds the document and state dir."""
    doc = os.path.join(work, "network.json")
    if not os.path.exists(doc):
        with open(doc, "w") as f:
            json.dump(document(variant.features), f)
    # the first boot leaves the class-data archive's record marker at once (not 5 min after ready)
    gw = Gateway(lab_id, work, doc, ("-Disthmus.cds.delay=0 " + variant.opts).strip(), home=variant.home,
                 env=variant.env)
    try:
        ready_ms = gw.wait_ready(READY_TIMEOUT_S)
        rss_ready = rss_kib(gw.proc.pid)
        gw.drain_for(settle)
        archive = lambda: [l for l in gw.lines if "class-data archive" in l]
        if gw.proc.poll() is not None:
            raise RuntimeError(f"{variant.label}: exited:\n" + "".join(gw.lines)[-2000:])
        rss = rss_kib(gw.proc.pid)
        t1 = time.monotonic()
        gw.proc.send_signal(signal.SIGTERM)
        gw.proc.wait(timeout=60)  # a recording JVM writes the archive as it exits: not cut short
        stop_ms = (time.monotonic() - t1) * 1000
        gw.reader.join(5)
        return {"ready_ms": round(ready_ms, 1), "ready_cpu_ms": gw.ready_cpu_ms,
                "rss_ready_mib": round(rss_ready / 1024, 1), "rss_mib": round(rss / 1024, 1),
                "stop_ms": round(stop_ms, 1), "archive": [l.strip()[:200] for l in archive()],
                "line": next(l.strip() for l in gw.lines if l.startswith("ready:"))}
    finally:
        if gw.proc.poll() is None:
            gw.proc.kill()
            gw.proc.wait()


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def lab_main(args):
    variants = [Variant("this build", args.home)]
    for b in args.baseline:
        label, _, home = b.rpartition("=")
        variants.append(Variant(label or "baseline", home))
    for v in args.variant:
        label, _, words = v.partition("=")
        variants.append(Variant(label, args.home, words))
    keys = ("ready_ms", "ready_cpu_ms", "rss_ready_mib", "rss_mib", "stop_ms")
    results = {v.label: {"cold": [], "record": [], "warm": []} for v in variants}
    loads = [loadavg()]
    for _ in range(args.cold_runs):
        for v in variants:
            work = tempfile.mkdtemp(prefix="isthmus-boot-bench-")
            lab_id = sh(LAB, "up", "--owner", str(os.getpid())).strip().splitlines()[-1]
            try:
                results[v.label]["cold"].append(lab_boot(v, lab_id, work, args.settle))
                results[v.label]["record"].append(lab_boot(v, lab_id, work, args.settle))
            finally:
                subprocess.run([LAB, "down", lab_id], capture_output=True)
                shutil.rmtree(work, ignore_errors=True)
    works = {v.label: tempfile.mkdtemp(prefix="isthmus-boot-bench-") for v in variants}
    lab_id = sh(LAB, "up", "--owner", str(os.getpid())).strip().splitlines()[-1]
    try:
        for v in variants:
            for _ in range(2):  # the first boot (cache, kernel configured), the recording one (archive)
                lab_boot(v, lab_id, works[v.label], args.settle)
        for i in range(args.runs):
            for v in variants:
                r = lab_boot(v, lab_id, works[v.label], args.settle)
                results[v.label]["warm"].append(r)
                print(f"round {i + 1} {v.label}: " + ", ".join(f"{k} {r[k]}" for k in keys), file=sys.stderr)
            loads.append(loadavg())
    finally:
        subprocess.run([LAB, "down", lab_id], capture_output=True)
        for w in works.values():
            shutil.rmtree(w, ignore_errors=True)
    summary = {label: {kind: {k: median(runs, k) for k in keys} | {"min_ready_ms": min(r["ready_ms"] for r in runs),
                                                                    "max_ready_ms": max(r["ready_ms"] for r in runs)}
                       for kind, runs in r.items() if runs} for label, r in results.items()}
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpus": os.cpu_count(), "machine": platform.machine(),
            "java": subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.split("\n")[0],
            "runs": args.runs, "cold_runs": args.cold_runs, "settle_s": args.settle,
            "load_avg_1min": {"min": min(loads), "median": statistics.median(loads), "max": max(loads)},
            "variants": {v.label: {"home": v.home, "opts": v.opts, "env": v.env} for v in variants}}
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "boot-lab.json"), "w") as f:
        json.dump({"meta": meta, "summary": summary, "runs": results}, f, indent=2)
    lines = [f"Boot in the lab (x86-industrial, lab document), {meta['date']}, {meta['cpus']} CPUs {meta['machine']}, "
             f"{meta['java']}, medians of {args.runs} warm and {args.cold_runs} cold runs, load average (1 min) "
             f"{min(loads)}–{max(loads)} (median {statistics.median(loads)})",
             "",
             "| variant | warm ready (ms) | warm ready min–max (ms) | CPU at ready, warm (ms) | cold ready (ms) | "
             "CPU at ready, cold (ms) | recording boot: ready / SIGTERM to exit (ms) | RSS at ready, warm (MiB) | "
             "RSS ready + " + f"{args.settle:g} s, warm (MiB) | RSS cold (MiB) | SIGTERM to exit (ms) |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for label, s in summary.items():
        w, c, rec = s["warm"], s.get("cold", {}), s.get("record", {})
        lines.append(f"| {label} | {w['ready_ms']} | {w['min_ready_ms']}–{w['max_ready_ms']} | {w['ready_cpu_ms']} | "
                     f"{c.get('ready_ms', '')} | {c.get('ready_cpu_ms', '')} | "
                     f"{rec.get('ready_ms', '')} / {rec.get('stop_ms', '')} | {w['rss_ready_mib']} | "
                     f"{w['rss_mib']} | {c.get('rss_mib', '')} | {w['stop_ms']} |")
    for v in variants:
        lines.append(f"\n{v.label}: {v.home} {v.opts} {' '.join(f'{k}={x}' for k, x in v.env.items())}".rstrip())
    table = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "boot-lab.md"), "w") as f:
        f.write(table)
    print(table)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dist", default="distribution/target")
    ap.add_argument("--out", default="target/bench")
    ap.add_argument("--lab", action="store_true", help="boot in the lab with the lab document (root)")
    ap.add_argument("--cold-runs", type=int, default=3)
    ap.add_argument("--settle", type=float, default=5.0, help="seconds after ready before the second RSS sample")
    ap.add_argument("--home", default=HOME, help="--lab: the unpacked distribution")
    ap.add_argument("--baseline", action="append", default=[],
                    help="--lab: [LABEL=]DIR, another unpacked distribution to compare with, run for run (repeatable)")
    ap.add_argument("--variant", action="append", default=[], help="--lab: LABEL=words added to --home's run")
    args = ap.parse_args()
    if args.lab:
        if args.out == "target/bench":
            args.out = os.path.join(ROOT, "target", "bench")
        lab_main(args)
        return

    homes = sorted(h for h in glob.glob(os.path.join(args.dist, "isthmus-*")) if os.path.isdir(h))
    if not homes:
        raise SystemExit(f"no distributions under {args.dist}: build first (mvn -B package -DskipTests)")
    results = {}
    for home in homes:
        profile = os.path.basename(home)[len("isthmus-"):]
        cold, warm = [], []
        for _ in range(args.runs):
            state = tempfile.mkdtemp(prefix="isthmus-bench-")
            try:
                cold.append(one_run(home, state))
            finally:
                shutil.rmtree(state, ignore_errors=True)
        state = tempfile.mkdtemp(prefix="isthmus-bench-")
        try:
            one_run(home, state)  # populate the bundle cache
            one_run(home, state)  # record the class-data archive
            for _ in range(args.runs):
                warm.append(one_run(home, state))
        finally:
            shutil.rmtree(state, ignore_errors=True)
        results[profile] = {
            "cold": {"ready_ms": median(cold, "ready_ms"), "rss_mib": median(cold, "rss_mib"),
                     "stop_ms": median(cold, "stop_ms")},
            "warm": {"ready_ms": median(warm, "ready_ms"), "rss_mib": median(warm, "rss_mib"),
                     "stop_ms": median(warm, "stop_ms")},
            "runs": {"cold": cold, "warm": warm},
            "jvm_options": open(os.path.join(home, "etc", "jvm.options")).read().split("\n")[1:-1],
        }
    os.makedirs(args.out, exist_ok=True)
    meta = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "machine": platform.machine(),
            "java": subprocess.run(["java", "-version"], capture_output=True, text=True).stderr.split("\n")[0],
            "runs": args.runs}
    with open(os.path.join(args.out, "boot.json"), "w") as f:
        json.dump({"meta": meta, "profiles": results}, f, indent=2)
    lines = [f"Boot benchmark, {meta['date']}, {meta['cpus']} CPUs {meta['machine']}, {meta['java']}, "
             f"median of {args.runs} runs",
             "",
             "| profile | cold ready (ms) | warm ready (ms) | RSS after ready, cold (MiB) | RSS warm (MiB) | SIGTERM to exit (ms) |",
             "|---|---|---|---|---|---|"]
    for profile, r in results.items():
        lines.append(f"| {profile} | {r['cold']['ready_ms']} | {r['warm']['ready_ms']} | {r['cold']['rss_mib']} | "
                     f"{r['warm']['rss_mib']} | {r['warm']['stop_ms']} |")
    table = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "boot.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
