#!/usr/bin/env python3
"""Gateway image benchmark (root): image sizes per architecture, and for each booted image power-on -> `ready:`
(the service's line in the guest journal) and power-on -> retained state online on the lab's broker, and the
service's RSS after ready. The boots are the system tests' own (ImageIT: amd64 under KVM, or emulated when KVM
does not run the guest here; Arm64ImageIT with --arm64: arm64 emulated, TCG): this script runs them through
Maven and reads the `image …` lines they print. Writes target/bench/images.md and target/bench/images.json.

Usage: itests/bench/images.py [--arm64] [--out target/bench]
Needs: tools/build-images.sh amd64 (and arm64 with --arm64), or the tests build the images themselves.
"""
import argparse
import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES = os.path.join(ROOT, "distribution", "target", "images")
REPORTS = os.path.join(ROOT, "itests", "target", "failsafe-reports")

TIMES = re.compile(r"image (\w+) \(([^)]*)\): power-on -> ready (\d+) ms, -> online on the broker (\d+) ms")
RSS = re.compile(r"image (\w+): service RSS (\d+) KiB after ready")


def mib(n):
    return round(n / 1024 / 1024, 1)


def sizes(arch):
    img = os.path.join(IMAGES, f"isthmus-{arch}.img")
    if not os.path.exists(img):
        return None
    st = os.stat(img)
    with open(os.path.join(IMAGES, f"isthmus-{arch}.packages")) as f:
        packages = sum(1 for _ in f)
    # what a download or a flash actually moves: the disk compressed (zstd -19 would be smaller, -3 is fast)
    zst = subprocess.run(["sh", "-c", f"zstd -3 -T0 -c '{img}' | wc -c"], capture_output=True, text=True, check=True)
    return {"disk_mib": mib(st.st_size), "allocated_mib": mib(st.st_blocks * 512),
            "zstd_mib": mib(int(zst.stdout.strip())), "packages": packages,
            "kernel_initrd_mib": mib(os.path.getsize(os.path.join(IMAGES, f"isthmus-{arch}.vmlinuz"))
                                     + os.path.getsize(os.path.join(IMAGES, f"isthmus-{arch}.initrd")))}


def run_tests(tests, arm64):
    cmd = ["mvn", "-B", "-o", "verify", "-pl", "itests", "-am", "-Dit.test=" + ",".join(tests), "-Dtest=none",
           "-Dsurefire.failIfNoSpecifiedTests=false"]
    if arm64:
        cmd.append("-Disthmus.images.arm64=true")
    log = os.path.join(ROOT, "target", "bench", "images-mvn.log")
    os.makedirs(os.path.dirname(log), exist_ok=True)
    with open(log, "w") as f:
        rc = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT).returncode
    if rc != 0:
        sys.exit(f"images: the image tests failed (exit {rc}), see {log}")
    text = ""
    for t in tests:
        for path in glob.glob(os.path.join(REPORTS, f"io.isthmus.itests.{t}-output.txt")):
            with open(path) as f:
                text += f.read()
    return text


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--arm64", action="store_true", help="also boot the arm64 image (emulated: takes many minutes)")
    p.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    a = p.parse_args()
    tests = ["ImageIT"] + (["Arm64ImageIT"] if a.arm64 else [])
    text = run_tests(tests, a.arm64)
    result = {"sizes": {}, "boots": {}}
    for arch in ("amd64", "arm64"):
        s = sizes(arch)
        if s:
            result["sizes"][arch] = s
    for m in TIMES.finditer(text):
        result["boots"].setdefault(m.group(1), {}).update(
            {"accel": m.group(2), "ready_ms": int(m.group(3)), "online_ms": int(m.group(4))})
    for m in RSS.finditer(text):
        result["boots"].setdefault(m.group(1), {})["rss_mib"] = round(int(m.group(2)) / 1024, 1)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, "images.json"), "w") as f:
        json.dump(result, f, indent=2)
    lines = ["| architecture | disk image (MiB) | allocated (MiB) | zstd -3 (MiB) | kernel + initrd (MiB) | packages |",
             "|---|---|---|---|---|---|"]
    for arch, s in result["sizes"].items():
        lines.append(f"| {arch} | {s['disk_mib']} | {s['allocated_mib']} | {s['zstd_mib']} | {s['kernel_initrd_mib']}"
                     f" | {s['packages']} |")
    lines += ["", "| image | accelerator | power-on -> `ready:` (ms) | power-on -> online on the broker (ms) |"
              " service RSS after ready (MiB) |", "|---|---|---|---|---|"]
    for arch, b in result["boots"].items():
        lines.append(f"| {arch} | {b.get('accel')} | {b.get('ready_ms')} | {b.get('online_ms')} | {b.get('rss_mib')} |")
    with open(os.path.join(a.out, "images.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
