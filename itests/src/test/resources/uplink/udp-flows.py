#!/usr/bin/env python3
"""Sends COUNT UDP datagrams from each of FLOWS source ports to HOST:PORT: distinct flows for multipath hashing.
Usage: udp-flows.py HOST PORT FLOWS COUNT"""
import socket
import sys
import time

host, port, flows, count = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
sockets = []
for i in range(flows):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", 40000 + i))
    sockets.append(s)
for _ in range(count):
    for s in sockets:
        s.sendto(b"isthmus-flow", (host, port))
    time.sleep(0.005)
