"""Remote management in the lab, for the Python benchmarks: Mosquitto (Debian's) on the lab's internet at
203.0.113.10:1883, as MqttLab sets it up for the Java tests and the management benchmark (mgmt.py), and the
operator's CLI, isthmusctl, run on the lab's internet as an operator there would run it (docs/isthmusctl.md).
Needs the build's tools/isthmusctl/target/isthmusctl.
"""
import json
import os
import subprocess
import time

from routing import ROOT

BROKER_ADDR = "203.0.113.10"
BROKER = f"tcp://{BROKER_ADDR}:1883"
CTL = os.path.join(ROOT, "tools", "isthmusctl", "target", "isthmusctl", "bin", "isthmusctl")


def inet(lab_id):
    return ["ip", "netns", "exec", f"isl-{lab_id}-inet"]


def management(device):
    """The document's management section for a gateway of the lab talking to this broker."""
    return {"brokers": [BROKER], "deviceId": device}


class LabBroker:
    """Mosquitto on the lab's internet until stop() (lab.sh down ends it with the lab too)."""

    def __init__(self, lab_id, work):
        self.lab_id = lab_id
        conf = os.path.join(work, "mosquitto.conf")
        with open(conf, "w") as f:
            f.write(f"listener 1883 {BROKER_ADDR}\nallow_anonymous true\npersistence false\nset_tcp_nodelay true\n"
                    "log_dest stdout\n")
        self.log = os.path.join(work, "mosquitto.log")
        with open(self.log, "w") as out:
            self.proc = subprocess.Popen(inet(lab_id) + ["mosquitto", "-c", conf], stdout=out,
                                         stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 10
        while not self.listening():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                with open(self.log) as f:
                    raise RuntimeError("mosquitto did not listen:\n" + f.read()[-2000:])
            time.sleep(0.05)

    def listening(self):
        out = subprocess.run(inet(self.lab_id) + ["ss", "-Hltn", "sport", "=", ":1883"], capture_output=True,
                             text=True).stdout
        return BROKER_ADDR in out

    def stop(self):
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


def ctl(lab_id, *args, timeout=30):
    """isthmusctl --json ARGS on the lab's internet: (exit code, the reply as JSON or None, wall ms of the whole
    command, a new JVM included)."""
    t = time.perf_counter()
    r = subprocess.run(inet(lab_id) + [CTL, "--broker", BROKER, "--timeout", str(timeout), "--json", *args],
                       capture_output=True, text=True, timeout=timeout + 60)
    ms = (time.perf_counter() - t) * 1000
    try:
        reply = json.loads(r.stdout) if r.stdout.strip() else None
    except ValueError:
        reply = {"unreadable": r.stdout[-500:], "stderr": r.stderr[-500:]}
    if reply is None and r.stderr:
        reply = {"stderr": r.stderr[-1000:]}
    return r.returncode, reply, ms
