#!/usr/bin/env python3
"""mDNS browser for the lab: query.py SERVICE-TYPE LOCAL-ADDRESS [SECONDS]
Sends PTR queries for SERVICE-TYPE.local from LOCAL-ADDRESS to 224.0.0.251:5353 once a second and exits 0 as soon
as an answer naming the type arrives, 1 when none came in time."""
import socket
import struct
import sys
import time

name, local = sys.argv[1] + ".local", sys.argv[2]
seconds = float(sys.argv[3]) if len(sys.argv) > 3 else 5
query = struct.pack("!HHHHHH", 0, 0, 1, 0, 0, 0) + b"".join(
    bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\0" + struct.pack("!HH", 12, 1)
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("", 5353))
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton("224.0.0.251") + socket.inet_aton(local))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 255)
s.settimeout(0.2)
deadline = time.time() + seconds
while time.time() < deadline:
    s.sendto(query, ("224.0.0.251", 5353))
    until = min(deadline, time.time() + 1)
    while time.time() < until:
        try:
            data, peer = s.recvfrom(9000)
        except socket.timeout:
            continue
        if data[2] & 0x80 and sys.argv[1].split(".")[0].encode() in data:
            print("found", sys.argv[1], "from", peer[0])
            sys.exit(0)
sys.exit(1)
