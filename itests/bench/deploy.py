#!/usr/bin/env python3
"""Field-update benchmark in the lab (root): Mosquitto on the lab's internet, the x86-industrial distribution in gw,
a sender + HTTPS server JVM in a network namespace of its own linked into the lab's internet (DeployBench, in the
itests test classes: it reuses Lab, MqttLab, GatewayProcess and the Deploy* helpers).

Measures: command -> new version ACTIVE and -> committed for a ~100 KB and a ~2 MB bundle, inline (128 KiB chunks)
and by HTTPS URL (median of --runs); rollback after a failed health check (restore time after the window, and a
failing activation end to end); datagrams lost while the firewall and the uplink bundle are updated under a
100 packet/s stream. Writes target/bench/deploy.md and target/bench/deploy.json.

Usage: itests/bench/deploy.py [--runs 5] [--out target/bench]
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
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--out", default=os.path.join(ROOT, "target", "bench"))
    a = p.parse_args()
    cp_file = os.path.join(ITESTS, "target", "bench-classpath.txt")
    subprocess.run(["mvn", "-B", "-q", "-o", "-f", os.path.join(ITESTS, "pom.xml"), "dependency:build-classpath",
                    "-Dmdep.outputFile=" + cp_file, "-Dmdep.includeScope=test"], check=True)
    with open(cp_file) as f:
        cp = os.path.join(ITESTS, "target", "test-classes") + ":" + f.read().strip()
    # the JVM gets a network namespace of its own: MqttLab links it to the lab, never to the host
    cmd = ["unshare", "--net", "--", "java", "-Disthmus.root=" + ROOT, "-cp", cp, "io.isthmus.itests.DeployBench",
           a.out, str(a.runs)]
    sys.exit(subprocess.run(cmd).returncode)


if __name__ == "__main__":
    main()
