#!/usr/bin/env python3
"""Multicast for the lab.
  multicast.py send GROUP PORT LOCAL TTL COUNT [INTERVAL]   send COUNT datagrams from LOCAL with TTL
  multicast.py receive GROUP PORT LOCAL SECONDS            join GROUP on LOCAL, print how many arrived"""
import socket
import sys
import time

mode, group, port, local = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM, socket.IPPROTO_UDP)
if mode == "send":
    ttl, count = int(sys.argv[5]), int(sys.argv[6])
    interval = float(sys.argv[7]) if len(sys.argv) > 7 else 0.01
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, ttl)
    s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF, socket.inet_aton(local))
    for i in range(count):
        s.sendto(b"isthmus %d" % i, (group, port))
        if interval:
            time.sleep(interval)
else:
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((group, port))
    s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, socket.inet_aton(group) + socket.inet_aton(local))
    s.settimeout(0.1)
    n, end = 0, time.time() + float(sys.argv[5])
    print("joined", flush=True)
    while time.time() < end:
        try:
            s.recv(2048)
            n += 1
        except socket.timeout:
            pass
    print(n, flush=True)
