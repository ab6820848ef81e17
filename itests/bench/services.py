#!/usr/bin/env python3
"""DHCP and DNS benchmark in the lab (root): the x86-industrial distribution in the lab's gw namespace, serving
DHCP and DNS on eth1 (dmz, a reservation for the DMZ host) and eth2 (offline, local names only).

  dhcp   DISCOVER -> ACK as busybox udhcpc sees it (its whole run, `-q`: it exits once bound; process start
         included), from the DMZ host (its reservation) and from the OT host with a new MAC each time (a fresh pool
         address: dnsmasq pings it first), and a renewal of an existing lease (the OT host again, same MAC);
  dns    query latency from the DMZ host to the gateway, timed inside the host's namespace around one UDP
         query/answer (Python, no process start): cached (the same internet name again), forwarded (a new name
         each time, answered NXDOMAIN by the internet resolver through the wired uplink; its log must show every
         one) and local (a reservation's name). The internet resolver is a dnsmasq of this script's at
         203.0.113.54 (the document's /dns/servers) whose answers have a TTL of 300 s: the lab's own resolver
         answers with TTL 0, which no forwarder caches.
Writes target/bench/services.md and target/bench/services.json.

Usage: itests/bench/services.py [--runs 3] [--queries 200] [--out target/bench]
"""
import argparse
import copy
import json
import os
import random
import shutil
import statistics
import subprocess
import tempfile
import time

import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from routing import DOC, HOME, LAB, ROOT, Gateway, default_via, sh  # noqa: E402

SCRIPT = "#!/bin/sh\ncase \"$1\" in bound|renew) echo \"lease ip=$ip\";; esac\nexit 0\n"
QUERY = r"""
import random, socket, struct, sys, time
server, names = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
out = []
for name in names:
    qid = random.randrange(65536)
    q = struct.pack(">HHHHHH", qid, 0x0100, 1, 0, 0, 0) + b"".join(
        bytes([len(l)]) + l.encode() for l in name.split(".")) + b"\0" + struct.pack(">HH", 1, 1)
    t0 = time.perf_counter_ns()
    s.sendto(q, (server, 53))
    while True:
        data = s.recv(1500)
        if struct.unpack(">H", data[:2])[0] == qid:
            break
    out.append("%.3f/%d/%d" % ((time.perf_counter_ns() - t0) / 1e6, data[3] & 0xF, struct.unpack(">H", data[6:8])[0]))
print(" ".join(out))
"""


def ns(lab_id, node):
    return ["ip", "netns", "exec", f"isl-{lab_id}-{node}"]


def dhcp_ms(lab_id, node, script):
    t0 = time.monotonic()
    out = subprocess.run(ns(lab_id, node) + ["timeout", "20", "udhcpc", "-f", "-q", "-n", "-t", "6", "-T", "2",
                                             "-A", "1", "-i", "eth0", "-s", script],
                         capture_output=True, text=True).stdout
    ms = (time.monotonic() - t0) * 1000
    if "lease ip=" not in out:
        raise RuntimeError(f"no lease in {node}: {out}")
    return ms


def queries(lab_id, names, rcode, answers):
    """Times of the answers, each checked: its rcode (0 an answer, 3 NXDOMAIN) and number of answers."""
    out = sh(*ns(lab_id, "dmz"), "python3", "-c", QUERY, "192.168.50.1", *names)
    times = []
    for x in out.split():
        ms, rc, an = x.split("/")
        if (int(rc), int(an)) != (rcode, answers):
            raise RuntimeError(f"unexpected answer (rcode {rc}, {an} answers) to one of {names[:3]}...")
        times.append(float(ms))
    return times


def summary(values):
    values = sorted(values)
    return {"median_ms": round(statistics.median(values), 3),
            "p95_ms": round(values[int(0.95 * (len(values) - 1))], 3), "n": len(values)}


def one_run(work, n):
    lab_id = sh(LAB, "up", "--owner", str(os.getpid())).strip().splitlines()[-1]
    try:
        script = os.path.join(work, "udhcpc.sh")
        with open(script, "w") as f:
            f.write(SCRIPT)
        os.chmod(script, 0o755)
        dmz_mac = json.loads(sh("ip", "-n", f"isl-{lab_id}-dmz", "-j", "link", "show", "eth0"))[0]["address"]
        doc = copy.deepcopy(DOC)
        doc["services"] = {"domain": "plant.lan", "ports": {
            "eth1": {"dhcp": {"start": "192.168.50.100", "end": "192.168.50.150",
                              "reservations": [{"mac": dmz_mac, "address": "192.168.50.20", "name": "hmi1"}]},
                     "dns": {}},
            "eth2": {"dhcp": {"start": "10.20.0.100", "end": "10.20.0.150"}, "dns": {}}}}
        doc["dns"] = {"servers": ["203.0.113.54"]}
        sh(*ns(lab_id, "inet"), "ip", "addr", "add", "203.0.113.54/32", "dev", "lo")
        inet_log = os.path.join(work, "inet-dns.log")
        resolver = subprocess.Popen(ns(lab_id, "inet") + [
            "dnsmasq", "--keep-in-foreground", "--conf-file=/dev/null", "--user=root", "--no-resolv", "--no-hosts",
            "--pid-file=", "--listen-address=203.0.113.54", "--bind-interfaces", "--port=53", "--local=/test/",
            "--local-ttl=300", "--address=/cached.test/203.0.113.12", "--log-queries", "--log-facility=" + inet_log])
        path = os.path.join(work, "network.json")
        with open(path, "w") as f:
            json.dump(doc, f)
        gw = Gateway(lab_id, work, path)
        try:
            gw.wait_ready()
            deadline = time.monotonic() + 30
            while default_via(lab_id) != "eth0" and time.monotonic() < deadline:
                time.sleep(0.05)
            deadline = time.monotonic() + 15  # the DMZ's server forwards once it knows the uplink's resolver
            while time.monotonic() < deadline and "203.0.113.12" not in subprocess.run(
                    ns(lab_id, "dmz") + ["busybox", "nslookup", "cached.test", "192.168.50.1"],
                    capture_output=True, text=True).stdout:
                time.sleep(0.2)
            reservation = [dhcp_ms(lab_id, "dmz", script) for _ in range(5)]
            fresh = []
            for i in range(3):
                mac = "02:be:00:00:%02x:%02x" % (random.randrange(256), i)
                sh(*ns(lab_id, "ot"), "ip", "link", "set", "eth0", "address", mac)
                fresh.append(dhcp_ms(lab_id, "ot", script))
            renewal = [dhcp_ms(lab_id, "ot", script) for _ in range(5)]
            queries(lab_id, ["cached.test"], 0, 1)  # into the cache
            seen = open(inet_log).read().count("query[A] cached.test")
            cached = queries(lab_id, ["cached.test"] * n, 0, 1)
            if open(inet_log).read().count("query[A] cached.test") != seen:
                raise RuntimeError("cached queries reached the internet resolver")
            # new names each: the internet resolver answers NXDOMAIN for them (it knows only a few *.test names)
            forwarded = queries(lab_id, [f"bench{random.randrange(10**9)}-{i}.test" for i in range(n)], 3, 0)
            forwarded_seen = open(inet_log).read().count("query[A] bench")
            if forwarded_seen != n:
                raise RuntimeError(f"the internet resolver saw {forwarded_seen} of the {n} forwarded queries")
            local = queries(lab_id, ["hmi1.plant.lan"] * n, 0, 1)
        finally:
            gw.stop()
            resolver.terminate()
            resolver.wait(5)
        return {"dhcp_reservation": reservation, "dhcp_fresh_pool": fresh, "dhcp_renewal": renewal,
                "dns_cached": cached, "dns_forwarded": forwarded, "dns_local": local}
    finally:
        subprocess.run([LAB, "down", lab_id], capture_output=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    args = ap.parse_args()
    if not os.path.isdir(HOME):
        raise SystemExit(f"{HOME} missing: build first (mvn -B package -DskipTests)")
    runs = []
    for _ in range(args.runs):
        work = tempfile.mkdtemp(prefix="isthmus-services-bench-")
        try:
            runs.append(one_run(work, args.queries))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    result = {"date": time.strftime("%Y-%m-%d"), "cpus": os.cpu_count(), "runs": args.runs}
    for key in runs[0]:
        result[key] = summary([v for r in runs for v in r[key]])
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, "services.json"), "w") as f:
        json.dump(result, f, indent=2)
    rows = [("DHCP DISCOVER -> ACK, reservation (udhcpc run)", "dhcp_reservation"),
            ("DHCP DISCOVER -> ACK, new client, pool address (ping check first)", "dhcp_fresh_pool"),
            ("DHCP, known client again (its lease)", "dhcp_renewal"),
            ("DNS query, cached internet name", "dns_cached"),
            ("DNS query, forwarded to the uplink's resolver", "dns_forwarded"),
            ("DNS query, local name (reservation)", "dns_local")]
    table = (f"Services benchmark (lab, x86-industrial, dnsmasq on eth1 and eth2), {result['date']}, "
             f"{result['cpus']} CPUs, {args.runs} runs pooled\n\n| measure | median | p95 | n |\n|---|---|---|---|\n"
             + "".join(f"| {label} | {result[k]['median_ms']} ms | {result[k]['p95_ms']} ms | {result[k]['n']} |\n"
                       for label, k in rows))
    with open(os.path.join(args.out, "services.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
