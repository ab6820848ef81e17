#!/usr/bin/env python3
"""Management benchmark in the lab (root): Mosquitto on the lab's internet, the x86-industrial distribution in gw,
an MQTT 5 client in a JVM of its own network namespace linked into the lab's internet (ManagementBench, in the
itests test classes: it reuses Lab, MqttLab and GatewayProcess).

Measures: `status` and `config.get` round trips (p50/p99 over --requests), reconnect time after a broker restart
(--restarts times, 2 s outage each), time from a bad config.put to the reply and to the gateway back online,
threads and live heap before and after --cycles reconnect cycles (broker killed and restarted).
Writes target/bench/mgmt.md and target/bench/mgmt.json.

Usage: itests/bench/mgmt.py [--requests 1000] [--restarts 10] [--cycles 1000] [--out target/bench]
Needs: mvn -B -o install -DskipTests (the distribution) and mvn -B -o test-compile -pl itests.
"""
import argparse
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
ITESTS = os.path.join(ROOT, "itests")


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--restarts", type=int, default=10)
    p.add_argument("--cycles", type=int, default=1000)
    p.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    a = p.parse_args()
    cp_file = os.path.join(ITESTS, "target", "bench-classpath.txt")
    subprocess.run(["mvn", "-B", "-q", "-o", "-f", os.path.join(ITESTS, "pom.xml"), "dependency:build-classpath",
                    "-Dmdep.outputFile=" + cp_file, "-Dmdep.includeScope=test"], check=True)
    with open(cp_file) as f:
        cp = os.path.join(ITESTS, "target", "test-classes") + ":" + f.read().strip()
    # the client JVM gets a network namespace of its own: MqttLab links it to the lab, never to the host
    cmd = ["unshare", "--net", "--", "java", "-Disthmus.root=" + ROOT, "-cp", cp, "io.isthmus.itests.ManagementBench",
           a.out, str(a.requests), str(a.restarts), str(a.cycles)]
    sys.exit(subprocess.run(cmd).returncode)


if __name__ == "__main__":
    main()
