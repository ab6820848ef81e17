#!/usr/bin/env python3
"""Firewall and multicast benchmark in the lab (root): the x86-industrial distribution in the lab's gw namespace.

  apply     whole-table atomic apply of N = 100, 1,000, 10,000 (and with --sizes 100000) conduits, each with its
            own source network and port, in the profile's own heap (-Xmx64m): the whole apply as the gateway logs
            it ("firewall: applied ... in W ms (plan P ms, streamed into nft as it was made; worker CPU C ms)": the
            plan streams into nft, so W is the whole apply; before 2026-12-03 (3) "in M ms (plan P ms, read-back R
            ms)" and the whole apply P + M + R) and the nft write as timed from outside; the raw `nft -j -f` of the
            exact batch the gateway piped to nft and `nft -f` of the same table as text, each the median of 5
            loads in the same run, and the ratios gateway / raw nft: of the write alone and of the whole apply; CPU:
            the firewall worker's (C) plus nft's (and tee's, from the wrapper) against raw nft's; the heap (largest
            heap after a GC while applying, from -Xlog:gc; live heap after a full GC once settled, jcmd
            GC.class_histogram) and RSS; the nft processes the gateway starts in 10 s of idling afterwards;
  no-op     restart with the same document: nft writes ("firewall: applied" lines, expected 0) and
            `nft monitor` events (expected 0);
  runtime   the same documents pushed to a running gateway, the operator's other case: Mosquitto on the lab's
            internet (mgmtlab.py), the gateway started with a small document whose management section names it,
            ready and connected; then each size put with `isthmusctl config put` (config.put, test before commit;
            the agent's maxPayloadBytes raised for the run in a copy of the distribution: 256 KiB takes ~2,800 of
            these conduits) and the firewall's "applied ... in W ms" line taken as the whole apply, with the GC
            pauses within it; nothing between the gateway and nft (the wrapper runs nft on the gateway's pipe);
            then the last document again (a no-op: reply `unchanged`, 0 nft writes, 0 `nft monitor` events); then
            the same puts again with the wrapper keeping each batch (the same bytes: the plan is a function of the
            document) for the raw `nft -j -f` of it (median of 5 loads, each replacing the table the gateway's
            write replaced) and the wrapper's own overhead (the batch from stdin through it against nft alone);

The gateway runs in a private mount namespace whose /usr/sbin/nft is a wrapper (bash, nothing but builtins around
nft) that times every call from outside and, in the apply part and the runtime's second pass, keeps a copy of each
batch (stdin of `nft -j -f -`, through tee); it then runs the real nft.
  iperf3    TCP throughput DMZ host -> internet host, through NAT, firewall on vs off (table deleted, gateway
            stopped: routing alone);
  multicast UDP datagrams per second forwarded from OT (224.0.2.14:4840, TTL 1, the TTL fix-up) to the DMZ (on a
            kernel without multicast routing, CONFIG_IP_MROUTE, not measured: the documents then carry the mDNS
            reflection instead of the routed group, which the gateway would refuse).
Writes target/bench/firewall.md and target/bench/firewall.json.

Usage: itests/bench/firewall.py [--runs 3] [--sizes 100,1000,10000] [--heap -Xmx256m] [--no-throughput]
                                [--no-runtime] [--out target/bench]
Needs the build's distribution and tools/isthmusctl/target/isthmusctl (mvn -B -o install -DskipTests).
"""
import argparse
import copy
import datetime
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import shutil
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from routing import DOC, HOME, LAB, ROOT, Gateway, default_via, sh  # noqa: E402
from memory import MULTICAST, MULTICAST_ROUTING, variant  # noqa: E402
from mgmtlab import LabBroker, ctl, management  # noqa: E402

TOOLS = os.path.join(ROOT, "itests", "src", "test", "resources", "lab-tools")
# since 2026-12-03 (3) "in W ms (plan P ms, streamed into nft as it was made; worker CPU C ms)": W is the whole
# apply (plan and write overlapped, nothing read back); before, "in W ms (plan P ms, read-back R ms)" with W the write
APPLIED = re.compile(r"firewall: applied ruleset \w+ \((\d+) rules(?:, (\d+) set elements)?\) in (\d+) ms"
                     r"(?: \(plan (\d+) ms, (?:read-back (\d+) ms|(streamed) into nft as it was made; "
                     r"worker CPU (\d+) ms)\))?")
NFT = "/usr/sbin/nft"
WRAPPER = """#!/bin/bash
# firewall.py: times each nft call of the gateway from outside and keeps each batch while {logs}/capture exists
# (without it nft reads the gateway's pipe itself, nothing in between). Around nft only bash builtins
# ($EPOCHREALTIME, times, read, echo): no process of the wrapper's own runs before nft starts or after it ends,
# where it would count in the gateway's time; tee, when capturing, copies the batch as it passes. `times` (the
# shell's children: nft and tee) must run in this shell, not in a pipe or command substitution.
t0=${{EPOCHREALTIME/./}}
if [ "$1 $2 $3" = "-j -f -" ] && [ -e "{logs}/capture" ]; then
  tee "{logs}/batch-$t0.json" | "{real}" "$@"; rc=$?
else
  "{real}" "$@"; rc=$?
fi
t1=${{EPOCHREALTIME/./}}
times > "{logs}/times-$t0"
{{ read -r _; read -r user system; }} < "{logs}/times-$t0"
echo "${{t0}}000 ${{t1}}000 $rc $user $system $*" >> "{logs}/calls.log"
exit $rc
"""
BASE = {"conduits": [{"from": "dmz", "to": "uplink", "protocol": "any"}]}


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


def applied(gw, since=0):
    """(rules, set elements, logged ms, plan ms, read-back ms, streamed, worker CPU ms) per apply the gateway logged
    (from its line number since on); streamed: the logged ms is the whole apply, else the write alone."""
    return [tuple(int(g or 0) if i != 5 else bool(g) for i, g in enumerate(m.groups()))
            for l in gw.lines[since:] for m in [APPLIED.search(l)] if m]


def wrapped(work, capture=True):
    """A private mount namespace whose nft is the timing wrapper; returns (argv prefix, logs dir). capture: the
    wrapper keeps each batch from the start (else from capturing(logs, True) on)."""
    logs = os.path.join(work, "nft-calls")
    os.makedirs(logs, exist_ok=True)
    capturing(logs, capture)
    real = os.path.join(work, "nft.real")
    shutil.copy2(NFT, real)
    wrapper = os.path.join(work, "nft-wrapper")
    with open(wrapper, "w") as f:
        f.write(WRAPPER.format(logs=logs, real=real))
    os.chmod(wrapper, 0o755)
    return ["unshare", "-m", "sh", "-c", f'mount --bind {wrapper} {NFT} && exec "$@"', "sh"], logs


def capturing(logs, on):
    """Whether the wrapper puts tee between the gateway and nft from now on, to keep each batch."""
    flag = os.path.join(logs, "capture")
    if on:
        open(flag, "w").close()
    elif os.path.exists(flag):
        os.remove(flag)


def batch_of(logs, call):
    """The batch the wrapper kept of a call of `nft -j -f -`."""
    return os.path.join(logs, f"batch-{call[0] // 1000}.json")


def cpu_s(times):
    """Seconds of `times` output like 0m0.030s."""
    m = re.fullmatch(r"(\d+)m([\d.]+)s", times)
    return int(m.group(1)) * 60 + float(m.group(2))


def calls(logs):
    """(start ns, end ns, rc, args, CPU ms of nft and tee) of each nft call so far (by the wrapper)."""
    path = os.path.join(logs, "calls.log")
    if not os.path.exists(path):
        return []
    out = []
    with open(path) as f:
        for line in f:
            t0, t1, rc, user, system, args = line.rstrip("\n").split(" ", 5)
            out.append((int(t0), int(t1), int(rc), args, (cpu_s(user) + cpu_s(system)) * 1000))
    return out


def timed(argv, runs=5, stdin_file=None, before=None):
    """Median wall ms and median CPU ms (user + system of the children: ip netns exec and nft) of running argv (a
    process each time, as the gateway does); before (untimed) each run."""
    times = []
    cpus = []
    for _ in range(runs):
        if before:
            subprocess.run(before, capture_output=True, check=True)
        c = resource.getrusage(resource.RUSAGE_CHILDREN)
        t = time.perf_counter()
        r = subprocess.run(argv, capture_output=True, text=True,
                           stdin=open(stdin_file) if stdin_file else subprocess.DEVNULL)
        times.append((time.perf_counter() - t) * 1000)
        d = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((d.ru_utime - c.ru_utime + d.ru_stime - c.ru_stime) * 1000)
        if r.returncode:
            raise RuntimeError(f"{argv}: {r.stderr[-2000:]}")
    return statistics.median(times), statistics.median(cpus)


def raw_nft(lab_id, logs, work):
    """The exact batch of the gateway's largest write loaded by nft alone (JSON), and the same table as text; each
    load replaces the table the gateway's write replaced (its first batch, the boot table), as the gateway did:
    replacing a full table costs nft the deletion of its elements too."""
    batches = sorted((os.path.getsize(os.path.join(logs, b)), b) for b in os.listdir(logs) if b.startswith("batch-"))
    batch = os.path.join(logs, batches[-1][1])
    boot = os.path.join(logs, sorted(b for b in os.listdir(logs) if b.startswith("batch-"))[0])
    gw = ns(lab_id, "gw")
    json_ms, json_cpu = timed(gw + [NFT, "-j", "-f", batch], before=gw + [NFT, "-j", "-f", boot])
    listing = subprocess.run(gw + [NFT, "list", "table", "inet", "isthmus"], capture_output=True, text=True,
                             check=True).stdout
    text = os.path.join(work, "table.nft")
    # nft 1.0.6 cannot read back its own listing of chains named dnat and snat (keywords, and a quoted chain
    # name is a syntax error): renamed for the text load only
    listing = listing.replace("\tchain dnat {", "\tchain dnat_ {").replace("\tchain snat {", "\tchain snat_ {")
    with open(text, "w") as f:  # the same replace the gateway does: add, delete, add
        f.write("add table inet isthmus\ndelete table inet isthmus\n" + listing)
    text_ms, _ = timed(gw + [NFT, "-f", text], before=gw + [NFT, "-j", "-f", boot])
    # the gateway's own table back in force (the text load renamed two chains), for the no-op restart after it
    subprocess.run(gw + [NFT, "-j", "-f", batch], capture_output=True, check=True)
    return {"batch_bytes": batches[-1][0], "nft_json_ms": round(json_ms, 1), "nft_json_cpu_ms": round(json_cpu, 1),
            "nft_text_ms": round(text_ms, 1)}


def gc_log_peak(path, full_only=False):
    """The largest heap occupancy right after a collection (MB), a floor of the peak live set; full_only: after a
    full collection (what was live then; a young collection's figure can hold old garbage and, when its survivors
    overflow, the whole young generation)."""
    peak = 0
    with open(path) as f:
        for line in f:
            m = re.search(r"Pause %s.*->(\d+)M\(" % ("Full" if full_only else ""), line)
            if m:
                peak = max(peak, int(m.group(1)))
    return peak


def gc_pauses(path, logged, ms):
    """The GC pauses (ms) that ended within the ms before the log line's time (an ISO instant, UTC)."""
    end = datetime.datetime.fromisoformat(logged.replace("Z", "+00:00"))
    start = end - datetime.timedelta(milliseconds=ms)
    out = []
    with open(path) as f:
        for line in f:
            m = re.match(r"\[([^\]]+)\].*Pause .* ([\d.]+)ms$", line.strip())
            if m and start <= datetime.datetime.fromisoformat(m.group(1).replace("+0000", "+00:00")) <= end:
                out.append(float(m.group(2)))
    return out


def live_heap_mb(pid):
    out = subprocess.run(["jcmd", str(pid), "GC.class_histogram"], capture_output=True, text=True).stdout
    m = re.search(r"Total\s+\d+\s+(\d+)", out)
    return round(int(m.group(1)) / 2**20, 1) if m else None


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        st = dict(l.split(":", 1) for l in f if ":" in l)
    return round(int(st["VmRSS"].split()[0]) / 1024, 1), round(int(st["VmHWM"].split()[0]) / 1024, 1)


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


DEVICE = "fw-bench"


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def runtime(lab_id, work, sizes, heap):
    """Each document pushed to a running gateway with `config.put` (test before commit) through the lab's broker:
    the whole apply as the firewall logs it and the nft write timed from outside, nothing between the gateway and
    nft; then the same document again (a no-op: no nft write, no `nft monitor` event). Then the same puts again
    from the small document with the wrapper keeping each batch (the plan is a function of the document: the same
    bytes), and (the gateway stopped: its drift checks would repair the table under the loads) the raw `nft -j -f`
    of each batch, replacing the table the gateway's write replaced, and the wrapper's own overhead (the batch
    through it and through nft alone, both from stdin)."""
    out = {}
    docs = {n: dict(document(n), management=management(DEVICE)) for n in sizes}
    small = dict(document(0), management=management(DEVICE))
    # the agent's default maxPayloadBytes (256 KiB) takes ~2,800 such conduits: the 10,000 document is ~0.9 MB
    largest = max(len(json.dumps(d)) for d in docs.values())
    home = variant(HOME, work, "runtime-home", configurations={
        "mgmt": {"io.isthmus.mgmt": {"maxPayloadBytes": max(262144, 2 * largest)}}})
    state = os.path.join(work, "runtime")
    os.makedirs(state)
    prefix, logs = wrapped(state, capture=False)
    gclog = os.path.join(work, "gc-runtime.log")
    broker = LabBroker(lab_id, work)
    # wall-clock decorations: the pauses within an apply are found by the time of the firewall's log line
    gw = Gateway(lab_id, state, write(state, small), (heap + " " if heap else "")
                 + f"-Xlog:gc:file={gclog}:utctime,uptime", prefix, home=home)
    batches = {}  # each document's batch as the gateway wrote it, from the capture pass
    try:
        try:
            gw.wait_ready(120)
        except RuntimeError:
            return {"failed": "no ready line: " + "".join(gw.lines[-3:])[-1500:]}
        settle(lab_id)
        if not wait_for(lambda: any("management: connected to" in l for l in gw.lines), 60):
            return {"failed": "no management connection: " + "".join(gw.lines[-5:])[-1500:]}
        gw.drain_for(2)
        for n in sizes:
            path = os.path.join(state, f"put-{n}.json")
            with open(path, "w") as f:
                json.dump(docs[n], f)
            mark, call_mark = len(gw.lines), len(calls(logs))
            rc, reply, put_ms = ctl(lab_id, "config", "put", DEVICE, path, timeout=150)
            ok = rc == 0 and wait_for(lambda: applied(gw, mark), 10)
            if not ok:
                out[n] = {"failed": f"config put: exit {rc}, reply {json.dumps(reply)[:500]}; "
                          + "".join(l for l in gw.lines[mark:] if "ERROR" in l or "WARN" in l)[-1500:]}
                continue
            rules, elements, ms, plan_ms, _, _, worker_cpu = max(applied(gw, mark), key=lambda a: a[0] + a[1])
            line = next(l for l in gw.lines[mark:] if APPLIED.search(l) and f"in {ms} ms" in l)
            pauses = gc_pauses(gclog, line.split()[0], ms)
            writes = [c for c in calls(logs)[call_mark:] if c[3].startswith("-j -f -") and c[2] == 0]
            write_call = max(writes, key=lambda c: c[1] - c[0])
            out[n] = {"rules": rules, "set_elements": elements, "ms": ms, "plan_ms": plan_ms,
                      "worker_cpu_ms": worker_cpu, "outside_ms": round((write_call[1] - write_call[0]) / 1e6, 1),
                      "nft_cpu_ms": round(write_call[4], 1), "put_reply_ms": round(put_ms),
                      "reply": (reply or {}).get("body", {}).get("result") if isinstance(reply, dict) else None,
                      "gc_pauses_in_apply": len(pauses), "gc_ms_in_apply": round(sum(pauses), 1),
                      "firewall_log": [l.strip() for l in gw.lines[mark:] if "firewall:" in l]}
            gw.drain_for(2)
        # no-op: the last document again
        monitor = subprocess.Popen(ns(lab_id, "gw") + ["nft", "monitor"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        time.sleep(0.3)
        mark, call_mark = len(gw.lines), len(calls(logs))
        rc, reply, put_ms = ctl(lab_id, "config", "put", DEVICE, os.path.join(state, f"put-{sizes[-1]}.json"),
                                timeout=150)
        gw.drain_for(2.5)
        monitor.terminate()
        events = monitor.communicate()[0].strip()
        out["noop"] = {"exit": rc, "reply": (reply or {}).get("body", {}).get("result"),
                       "put_reply_ms": round(put_ms), "writes": len(applied(gw, mark)),
                       "nft_writes_started": len([c for c in calls(logs)[call_mark:] if c[3].startswith("-j -f -")]),
                       "nft_monitor_events": len(events.splitlines()) if events else 0}
        # the capture pass: small, then each size, as timed
        capturing(logs, True)
        for n, path in [(0, os.path.join(state, "network.json"))] + [
                (n, os.path.join(state, f"put-{n}.json")) for n in sizes if "failed" not in out[n]]:
            call_mark = len(calls(logs))
            rc, reply, _ = ctl(lab_id, "config", "put", DEVICE, path, timeout=150)
            wait_for(lambda: any(c[3].startswith("-j -f -") for c in calls(logs)[call_mark:]), 10)
            writes = [c for c in calls(logs)[call_mark:] if c[3].startswith("-j -f -") and c[2] == 0]
            if rc == 0 and writes:
                batches[n] = batch_of(logs, max(writes, key=lambda c: os.path.getsize(batch_of(logs, c))))
            gw.drain_for(1)
        capturing(logs, False)
        out["heap_peak_after_gc_mb"] = gc_log_peak(gclog)
        out["heap_peak_after_full_gc_mb"] = gc_log_peak(gclog, full_only=True)
        out["heap_live_mb"] = live_heap_mb(gw.proc.pid)
        out["rss_mb"], out["rss_peak_mb"] = rss_mb(gw.proc.pid)
    finally:
        gw.stop()
        broker.stop()
    gw_ns = ns(lab_id, "gw")
    real, wrapper = os.path.join(state, "nft.real"), os.path.join(state, "nft-wrapper")
    previous = 0
    for n in sizes:
        if n not in batches or previous not in batches:
            if "failed" not in out[n]:
                out[n]["failed"] = f"no batch kept of {n} or of the document before it"
            previous = n
            continue
        batch = batches[n]
        before = gw_ns + [NFT, "-j", "-f", batches[previous]]
        previous = n
        json_ms, json_cpu = timed(gw_ns + [NFT, "-j", "-f", batch], before=before)
        via_real, _ = timed(gw_ns + [real, "-j", "-f", "-"], stdin_file=batch, before=before)
        via_wrapper, _ = timed(gw_ns + [wrapper, "-j", "-f", "-"], stdin_file=batch, before=before)
        r = out[n]
        r.update({"batch_bytes": os.path.getsize(batch), "nft_json_ms": round(json_ms, 1),
                  "nft_json_cpu_ms": round(json_cpu, 1), "wrapper_overhead_ms": round(via_wrapper - via_real, 1),
                  "ratio_whole": round(r["ms"] / json_ms, 2),
                  "ratio_cpu": round((r["worker_cpu_ms"] + r["nft_cpu_ms"]) / json_cpu, 2)})
    return out


def one_run(work, sizes, heap, throughput=True, runtime_apply=True):
    lab_id = sh(LAB, "up", "--owner", str(os.getpid())).strip().splitlines()[-1]
    out = {"apply": {}}
    try:
        for n in sizes:
            doc = write(work, document(n))
            prefix, logs = wrapped(os.path.join(work, f"n{n}"))
            gclog = os.path.join(work, f"gc-{n}.log")
            gw = Gateway(lab_id, work, doc, (heap + " " if heap else "") + f"-Xlog:gc:file={gclog}", prefix)
            try:
                try:
                    gw.wait_ready(120)
                except RuntimeError:  # e.g. out of heap before ready: -XX:+ExitOnOutOfMemoryError
                    out["apply"][n] = {"failed": "no ready line: " + "".join(gw.lines[-3:])[-1500:]}
                    continue
                settle(lab_id)
                deadline = time.monotonic() + 60
                while not any(a[0] + a[1] > 5 for a in applied(gw)) and time.monotonic() < deadline:
                    if any("heap space" in l or "OutOfMemory" in l for l in gw.lines):
                        break
                    time.sleep(0.1)
                if not any(a[0] + a[1] > 5 for a in applied(gw)):
                    out["apply"][n] = {"failed": "".join(l for l in gw.lines if "ERROR" in l or "WARN" in l)[-1500:]}
                    continue
                rules, elements, ms, plan_ms, readback_ms, streamed, worker_cpu = max(applied(gw),
                                                                                       key=lambda a: a[0] + a[1])
                writes = [c for c in calls(logs) if c[3].startswith("-j -f -")]
                largest = max(writes, key=lambda c: c[1] - c[0])
                outside_ms = (largest[1] - largest[0]) / 1e6
                nft_cpu = largest[4]
                gw.drain_for(2)
                before = len(calls(logs))
                gw.drain_for(10)
                idle = calls(logs)[before:]
                live = live_heap_mb(gw.proc.pid)
                fw_log = [l.strip() for l in gw.lines if "firewall:" in l]
                t_first = calls(logs)[0][0] if calls(logs) else 0
                nft_calls = [[round((c[0] - t_first) / 1e6, 1), round((c[1] - c[0]) / 1e6, 1), c[3][:40]]
                             for c in calls(logs)[:12]]
                rss, hwm = rss_mb(gw.proc.pid)
            finally:
                gw.stop()
            raw = raw_nft(lab_id, logs, work)
            out["apply"][n] = {
                "rules": rules, "set_elements": elements, "ms": ms, "outside_ms": round(outside_ms, 1),
                "plan_ms": plan_ms, "readback_ms": readback_ms, "streamed": streamed, **raw,
                "ratio_json": round(outside_ms / raw["nft_json_ms"], 2),
                "ratio_text": round(outside_ms / raw["nft_text_ms"], 2),
                "whole_ms": ms if streamed else plan_ms + ms + readback_ms,
                "ratio_whole": round((ms if streamed else plan_ms + ms + readback_ms) / raw["nft_json_ms"], 2),
                "worker_cpu_ms": worker_cpu if streamed else None, "nft_cpu_ms": round(nft_cpu, 1),
                "ratio_cpu": round((worker_cpu + nft_cpu) / raw["nft_json_cpu_ms"], 2) if streamed else None,
                "heap_peak_after_gc_mb": gc_log_peak(gclog), "heap_live_mb": live, "rss_mb": rss, "rss_peak_mb": hwm,
                "idle_nft_calls_10s": len(idle), "firewall_log": fw_log, "nft_calls": nft_calls,
                "idle_nft_ms_10s": round(sum((c[1] - c[0]) / 1e6 for c in idle), 1),
            }
        # no-op re-apply of the last document
        monitor = subprocess.Popen(ns(lab_id, "gw") + ["nft", "monitor"], stdout=subprocess.PIPE,
                                   stderr=subprocess.STDOUT, text=True)
        gw = Gateway(lab_id, work, doc, heap)
        try:
            try:
                gw.wait_ready(120)
            except RuntimeError:
                out["noop_failed"] = "".join(gw.lines[-3:])[-1500:]
                return out
            gw.drain_for(2.5)
            out["noop_writes"] = len(applied(gw))
            out["noop_firewall_log"] = [l.strip() for l in gw.lines if "firewall:" in l]
        finally:
            gw.stop()
            monitor.terminate()
            events = monitor.communicate()[0].strip()
        out["noop_nft_events"] = len(events.splitlines()) if events else 0
        if runtime_apply:
            out["runtime"] = runtime(lab_id, work, sizes, heap)
        if not throughput:
            return out
        # throughput and multicast with the small document
        doc = write(work, document(0))
        gw = Gateway(lab_id, work, doc)
        try:
            gw.wait_ready()
            settle(lab_id)
            gw.drain_for(1.0)
            out["iperf_on_gbps"] = iperf(lab_id)
            # no multicast routing in this kernel (CONFIG_IP_MROUTE): nothing is forwarded, nothing to measure
            out["multicast_pps"] = multicast_pps(lab_id) if MULTICAST_ROUTING else None
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
    ap.add_argument("--heap", default="", help="extra JVM option, e.g. -Xmx256m (default: the profile's -Xmx64m)")
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    ap.add_argument("--no-throughput", action="store_true", help="skip iperf3 and multicast (apply figures only)")
    ap.add_argument("--no-runtime", action="store_true", help="skip the runtime apply (config.put to a running "
                    "gateway)")
    args = ap.parse_args()
    if not os.path.isdir(HOME):
        raise SystemExit(f"{HOME} missing: build first (mvn -B package -DskipTests)")
    sizes = [int(s) for s in args.sizes.split(",")]
    runs = []
    for _ in range(args.runs):
        work = tempfile.mkdtemp(prefix="isthmus-firewall-bench-")
        try:
            runs.append(one_run(work, sizes, args.heap, not args.no_throughput, not args.no_runtime))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    def med(key):
        values = [r[key] for r in runs if r.get(key) is not None]
        return round(statistics.median(values), 2) if values else None
    keys = ["ms", "outside_ms", "plan_ms", "readback_ms", "whole_ms", "nft_json_ms", "nft_text_ms", "ratio_json",
            "ratio_text", "ratio_whole", "worker_cpu_ms", "nft_cpu_ms", "nft_json_cpu_ms", "ratio_cpu",
            "heap_peak_after_gc_mb", "heap_live_mb", "rss_mb", "rss_peak_mb", "idle_nft_calls_10s", "idle_nft_ms_10s"]
    apply = {}
    for n in sizes:
        ok = [r["apply"][n] for r in runs if "failed" not in r["apply"][n]]
        if not ok:
            apply[str(n)] = {"failed": runs[0]["apply"][n]["failed"]}
            continue
        apply[str(n)] = {"rules": ok[0]["rules"], "set_elements": ok[0]["set_elements"],
                         "batch_bytes": ok[0]["batch_bytes"], "runs_ok": len(ok),
                         "ratio_whole_runs": [a["ratio_whole"] for a in ok],
                         **{k: round(statistics.median(v), 2) if v else None
                            for k in keys for v in [[a[k] for a in ok if a.get(k) is not None]]}}
    rt_keys = ["ms", "plan_ms", "worker_cpu_ms", "outside_ms", "nft_cpu_ms", "nft_json_ms", "nft_json_cpu_ms",
               "ratio_whole", "ratio_cpu", "wrapper_overhead_ms", "put_reply_ms", "gc_ms_in_apply"]
    rts = [r["runtime"] for r in runs if "runtime" in r and "failed" not in r["runtime"]]
    runtime_apply = {}
    for n in sizes if rts else []:
        ok = [r[n] for r in rts if n in r and "failed" not in r[n]]
        if not ok:
            runtime_apply[str(n)] = {"failed": next((r[n]["failed"] for r in rts if n in r), "no run")}
            continue
        runtime_apply[str(n)] = {"runs_ok": len(ok), "rules": ok[0]["rules"], "set_elements": ok[0]["set_elements"],
                                 "ratio_whole_runs": [a["ratio_whole"] for a in ok],
                                 **{k: round(statistics.median(a[k] for a in ok), 2) for k in rt_keys}}
    if rts:
        for k in ("heap_peak_after_gc_mb", "heap_peak_after_full_gc_mb", "heap_live_mb", "rss_mb", "rss_peak_mb"):
            runtime_apply[k] = round(statistics.median(r[k] for r in rts), 1)
        runtime_apply["noop"] = {k: statistics.median(r["noop"][k] for r in rts)
                                 for k in ("writes", "nft_writes_started", "nft_monitor_events", "put_reply_ms")}
        runtime_apply["noop"]["replies"] = [r["noop"]["reply"] for r in rts]
    elif any("runtime" in r for r in runs):
        runtime_apply["failed"] = next(r["runtime"]["failed"] for r in runs if "runtime" in r)
    result = {
        "date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "runs": args.runs, "heap": args.heap or "profile",
        "load_average": os.getloadavg(), "apply": apply, "runtime_apply": runtime_apply,
        "noop_writes": med("noop_writes"), "noop_nft_events": med("noop_nft_events"),
        "iperf_on_gbps": med("iperf_on_gbps"), "iperf_off_gbps": med("iperf_off_gbps"),
        "multicast_pps": med("multicast_pps"), "all": runs,
    }
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "firewall.json"), "w") as f:
        json.dump(result, f, indent=2)
    table = (f"Firewall benchmark (lab, x86-industrial, heap: {result['heap']}), {result['date']}, "
             f"{result['cpus']} CPUs, median of {args.runs} runs, load average at the end "
             f"{' '.join(f'{x:.2f}' for x in result['load_average'])}\n\n"
             "| conduits | rules + set elements | gateway's log: ms (plan / read-back) | nft write timed from outside | "
             "**whole apply** | raw `nft -j -f` same batch | raw `nft -f` same table as text | "
             "ratio nft write from outside / raw JSON (/ text) | **ratio whole apply / raw JSON** (runs) | "
             "CPU: firewall worker + nft (and tee) / raw nft | heap peak after GC / live | RSS (peak) | "
             "idle: nft calls, ms per 10 s |\n"
             "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
    for n in sizes:
        a = result["apply"][str(n)]
        if "failed" in a:
            table += f"| {n} | failed: {a['failed'][-200:]!r} |\n"
            continue
        table += (f"| {n} | {a['rules']} + {a['set_elements']} | {a['ms']} ({a['plan_ms']} / {a['readback_ms']}) ms | "
                  f"{a['outside_ms']} ms | {a['whole_ms']} ms | {a['nft_json_ms']} ms | "
                  f"{a['nft_text_ms']} ms | {a['ratio_json']} ({a['ratio_text']}) | **{a['ratio_whole']}** "
                  f"({', '.join(str(r) for r in a['ratio_whole_runs'])}) | "
                  f"{a['worker_cpu_ms']} + {a['nft_cpu_ms']} / {a['nft_json_cpu_ms']} ms ({a['ratio_cpu']}) | "
                  f"{a['heap_peak_after_gc_mb']} / {a['heap_live_mb']} MB | "
                  f"{a['rss_mb']} ({a['rss_peak_mb']}) MiB | {a['idle_nft_calls_10s']}, {a['idle_nft_ms_10s']} ms |\n")
    if runtime_apply:
        table += ("\nBoot apply (the document given with --config at start) and runtime apply (the same document "
                  "pushed with `config.put` to a running gateway that had a small one), each against the raw "
                  "`nft -j -f` of its own batch in the same run\n\n"
                  "| conduits | boot: whole apply / raw nft | **boot ratio** | runtime: whole apply (plan; worker CPU; GC "
                  "pauses) "
                  "| nft write from outside | raw nft (CPU) | **runtime ratio** (runs) | CPU: worker + nft / raw nft "
                  "| wrapper's own overhead | `config put` until the reply (isthmusctl, a JVM start included) |\n"
                  "|---|---|---|---|---|---|---|---|---|---|\n")
        for n in sizes:
            a, r = result["apply"][str(n)], runtime_apply.get(str(n), {"failed": "not run"})
            boot = ("failed", "-") if "failed" in a else (f"{a['whole_ms']} / {a['nft_json_ms']} ms",
                                                          f"**{a['ratio_whole']}**")
            if "failed" in r:
                table += f"| {n} | {boot[0]} | {boot[1]} | failed: {r['failed'][-200:]!r} |\n"
                continue
            table += (f"| {n} | {boot[0]} | {boot[1]} | {r['ms']} ms ({r['plan_ms']}; {r['worker_cpu_ms']}; "
                      f"{r['gc_ms_in_apply']} ms) | "
                      f"{r['outside_ms']} ms | {r['nft_json_ms']} ms ({r['nft_json_cpu_ms']} ms) | "
                      f"**{r['ratio_whole']}** ({', '.join(str(x) for x in r['ratio_whole_runs'])}) | "
                      f"{r['worker_cpu_ms']} + {r['nft_cpu_ms']} / {r['nft_json_cpu_ms']} ms ({r['ratio_cpu']}) | "
                      f"{r['wrapper_overhead_ms']} ms | {r['put_reply_ms']} ms |\n")
    table += "\n| measure | value |\n|---|---|\n"
    if "noop" in runtime_apply:
        o = runtime_apply["noop"]
        table += (f"| runtime: heap peak after GC (after a full GC) / live after the puts; RSS (peak) | "
                  f"{runtime_apply['heap_peak_after_gc_mb']} ({runtime_apply['heap_peak_after_full_gc_mb']}) / "
                  f"{runtime_apply['heap_live_mb']} MB; "
                  f"{runtime_apply['rss_mb']} ({runtime_apply['rss_peak_mb']}) MiB |\n"
                  f"| no-op `config.put` (the {sizes[-1]} document again): reply; nft writes; nft batches started; "
                  f"`nft monitor` events | {', '.join(str(x) for x in o['replies'])}; {o['writes']}; "
                  f"{o['nft_writes_started']}; {o['nft_monitor_events']} |\n")
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
