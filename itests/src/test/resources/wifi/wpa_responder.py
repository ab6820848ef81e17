#!/usr/bin/env python3
"""A stand-in for wpa_supplicant's control socket, for the scan/association half of WifiSystemIT.

There is no radio here (no mac80211_hwsim), so a real wpa_supplicant cannot scan or associate. This responder
speaks the control protocol of wpa_supplicant 2.10 on an AF_UNIX datagram socket: the replies follow what the
real daemon sends (STATUS, LIST_NETWORKS, GET_NETWORK, OK/FAIL and the <N>CTRL-EVENT-... events were recorded
from wpa_supplicant 2.10 on this machine with -D wired; SCAN_RESULTS, SIGNAL_POLL and a WPA2-PSK STATUS, which
need a radio, are written after the format of wpa_supplicant's ctrl_iface.c). It "associates" like
wpa_supplicant would: the hinted BSS (bssid_hint) if it is there, else the strongest BSS of the configured SSID,
within the pinned BSSID and the frequency list.

Usage: wpa_responder.py SOCKET_PATH LOG_FILE
Every command is appended to LOG_FILE as one JSON line; values of secret fields are logged as "<secret>".
"""
import json
import os
import socket
import sys

ADDRESS = "02:15:00:00:00:50"
UUID = "5f8c1a2e-3b7d-5e61-9a0c-2d4e6f8a1b3c"
# bssid, frequency (MHz), signal (dBm), flags, ssid as wpa_supplicant escapes it (printf-style, \xNN)
BSS = [
    ("02:aa:00:00:00:01", 2437, -48, "[WPA2-PSK-CCMP][ESS]", "plant-floor"),
    ("02:aa:00:00:00:02", 5180, -61, "[WPA2-PSK-CCMP][ESS]", "plant-floor"),
    ("02:aa:00:00:00:03", 5500, -70, "[WPA2-PSK-CCMP][WPS][ESS]", "caf\\xc3\\xa9"),
    ("02:aa:00:00:00:04", 2462, -82, "[WPA2-EAP-CCMP][ESS]", "\\x00\\x00\\x00\\x00"),
]
LINK_SPEED = {2437: 144, 5180: 866, 5500: 433, 2462: 72}
SECRET = {"psk", "password", "private_key_passwd", "sae_password"}
KEY_MGMT = {"WPA-PSK": "WPA2-PSK", "SAE": "SAE", "WPA-EAP": "WPA2/IEEE 802.1X/EAP", "NONE": "NONE"}


def unescape(s):
    return s.encode("latin-1").decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")


def ssid_of(value):
    if value.startswith('"') and value.endswith('"'):
        return value[1:-1]
    return bytes.fromhex(value).decode("utf-8", "replace")


class Supplicant:
    def __init__(self, path, log):
        self.networks = {}
        self.next_id = 0
        self.current = None   # (network id, bss)
        self.state = "INACTIVE"
        self.monitors = set()
        self.log = open(log, "a", buffering=1)
        if os.path.exists(path):
            os.unlink(path)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)

    def event(self, level, text):
        for m in list(self.monitors):
            try:
                self.sock.sendto(("<%d>%s" % (level, text)).encode(), m)
            except OSError:
                self.monitors.discard(m)

    def associate(self, nid):
        net = self.networks.get(nid)
        if net is None or "ssid" not in net:
            return
        want = ssid_of(net["ssid"])
        freqs = [int(f) for f in net.get("freq_list", "").split()] if "freq_list" in net else None
        pinned = net.get("bssid")
        found = [b for b in BSS if unescape(b[4]) == want and (pinned is None or b[0] == pinned)
                 and (freqs is None or b[1] in freqs)]
        self.event(2, "CTRL-EVENT-SCAN-STARTED ")
        self.event(2, "CTRL-EVENT-SCAN-RESULTS ")
        if not found:
            self.current, self.state = None, "SCANNING"
            self.event(2, "CTRL-EVENT-NETWORK-NOT-FOUND")
            return
        hinted = [b for b in found if b[0] == net.get("bssid_hint")]
        bss = hinted[0] if hinted else max(found, key=lambda b: b[2])
        self.current, self.state = (nid, bss), "COMPLETED"
        self.event(2, "SME: Trying to authenticate with %s (SSID='%s' freq=%d MHz)" % (bss[0], bss[4], bss[1]))
        self.event(2, "Trying to associate with %s (SSID='%s' freq=%d MHz)" % (bss[0], bss[4], bss[1]))
        self.event(2, "Associated with %s" % bss[0])
        self.event(2, "WPA: Key negotiation completed with %s [PTK=CCMP GTK=CCMP]" % bss[0])
        self.event(2, "CTRL-EVENT-CONNECTED - Connection to %s completed [id=%d id_str=%s]"
                   % (bss[0], nid, net.get("id_str", "").strip('"')))

    def status(self):
        if self.state != "COMPLETED":
            return "wpa_state=%s\naddress=%s\nuuid=%s\n" % (self.state, ADDRESS, UUID)
        nid, bss = self.current
        net = self.networks[nid]
        lines = ["bssid=" + bss[0], "freq=%d" % bss[1], "ssid=" + bss[4], "id=%d" % nid]
        if "id_str" in net:
            lines.append("id_str=" + net["id_str"].strip('"'))
        lines += ["mode=station", "wifi_generation=%d" % (5 if bss[1] > 5000 else 4), "pairwise_cipher=CCMP",
                  "group_cipher=CCMP", "key_mgmt=" + KEY_MGMT.get(net.get("key_mgmt", "WPA-PSK"), "WPA2-PSK"),
                  "wpa_state=COMPLETED", "address=" + ADDRESS, "uuid=" + UUID]
        return "\n".join(lines) + "\n"

    def handle(self, cmd, sender):
        words = cmd.split(" ", 3)
        verb = words[0]
        logged = cmd
        if verb == "SET_NETWORK" and len(words) == 4 and words[2] in SECRET:
            logged = " ".join(words[:3]) + " <secret>"
        self.log.write(json.dumps({"command": logged}) + "\n")
        if verb == "PING":
            return "PONG\n"
        if verb == "ATTACH":
            self.monitors.add(sender)
            return "OK\n"
        if verb == "DETACH":
            self.monitors.discard(sender)
            return "OK\n"
        if verb == "STATUS":
            return self.status()
        if verb == "SIGNAL_POLL":
            if self.state != "COMPLETED":
                return "FAIL\n"
            bss = self.current[1]
            return "RSSI=%d\nLINKSPEED=%d\nNOISE=9999\nFREQUENCY=%d\n" % (bss[2], LINK_SPEED[bss[1]], bss[1])
        if verb == "SCAN":
            self.event(2, "CTRL-EVENT-SCAN-STARTED ")
            self.event(2, "CTRL-EVENT-SCAN-RESULTS ")
            return "OK\n"
        if verb == "SCAN_RESULTS":
            return "bssid / frequency / signal level / flags / ssid\n" + "".join(
                "%s\t%d\t%d\t%s\t%s\n" % b for b in BSS)
        if verb == "LIST_NETWORKS":
            out = "network id / ssid / bssid / flags\n"
            for nid, net in sorted(self.networks.items()):
                cur = "[CURRENT]" if self.current and self.current[0] == nid else ""
                out += "%d\t%s\t%s\t%s\n" % (nid, ssid_of(net["ssid"]) if "ssid" in net else "",
                                             net.get("bssid", "any"), cur)
            return out
        if verb == "ADD_NETWORK":
            nid, self.next_id = self.next_id, self.next_id + 1
            self.networks[nid] = {}
            return "%d\n" % nid
        if verb == "SET_NETWORK" and len(words) == 4 and int(words[1]) in self.networks:
            self.networks[int(words[1])][words[2]] = words[3]
            return "OK\n"
        if verb == "GET_NETWORK" and len(words) == 3 and int(words[1]) in self.networks:
            if words[2] in SECRET:
                return "FAIL\n"
            value = self.networks[int(words[1])].get(words[2])
            return "FAIL\n" if value is None else value
        if verb == "REMOVE_NETWORK":
            ids = list(self.networks) if words[1] == "all" else [int(words[1])]
            for nid in ids:
                self.networks.pop(nid, None)
                if self.current and self.current[0] == nid:
                    self.event(2, "CTRL-EVENT-DISCONNECTED bssid=%s reason=3 locally_generated=1"
                               % self.current[1][0])
                    self.current, self.state = None, "DISCONNECTED"
            return "OK\n"
        if verb in ("SELECT_NETWORK", "ENABLE_NETWORK"):
            self.associate(int(words[1]))
            return "OK\n"
        if verb in ("REASSOCIATE", "RECONNECT"):
            if self.networks:
                self.associate(max(self.networks))
            return "OK\n"
        if verb in ("SET", "AP_SCAN", "DISCONNECT"):
            return "OK\n"
        return "UNKNOWN COMMAND\n"

    def serve(self):
        while True:
            data, sender = self.sock.recvfrom(4096)
            reply = self.handle(data.decode("utf-8", "replace"), sender)
            self.sock.sendto(reply.encode(), sender)


if __name__ == "__main__":
    Supplicant(sys.argv[1], sys.argv[2]).serve()
