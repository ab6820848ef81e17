#!/usr/bin/env python3
"""Boot benchmark: time from process start to the `ready:` line, RSS after ready, and SIGTERM stop time,
for every profile's unpacked distribution; median of N cold (fresh state dir) and N warm (state dir of a
previous run) starts. Writes target/bench/boot.md and target/bench/boot.json.

Each run happens in a new empty network namespace (unshare --net, needs root): ports are missing there,
so this measures the runtime, not the kernel work (the routing benchmark measures that in the lab).

Usage: itests/bench/boot.py [--runs 5] [--dist distribution/target] [--out target/bench]
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
import time

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
    proc = subprocess.Popen(["unshare", "--net", "--", os.path.join(home, "bin", "isthmus"), "run", "--state", state],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
        proc.communicate(timeout=10)
        stop_ms = (time.monotonic() - t1) * 1000
        return {"ready_ms": round(ready_ms, 1), "rss_mib": round(rss / 1024, 1), "stop_ms": round(stop_ms, 1),
                "line": ready_line}
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def median(runs, key):
    return round(statistics.median(r[key] for r in runs), 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--dist", default="distribution/target")
    ap.add_argument("--out", default="target/bench")
    args = ap.parse_args()

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
