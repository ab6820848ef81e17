#!/usr/bin/env python3
"""A numbered UDP stream for the deploy traffic test.
  udp-stream.py send HOST PORT PPS SECONDS   sends datagrams "<seq>" at PPS for SECONDS; prints "sent N" at the end
  udp-stream.py recv ADDR PORT SECONDS       prints every sequence number received, one per line, until SECONDS
                                             have passed without being stopped earlier by SIGTERM"""
import socket
import sys
import time

mode, host, port, rest = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4:]
if mode == "send":
    pps, seconds = float(rest[0]), float(rest[1])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    start = time.time()
    seq = 0
    while time.time() - start < seconds:
        s.sendto(str(seq).encode(), (host, port))
        seq += 1
        time.sleep(max(0.0, start + seq / pps - time.time()))
    print("sent %d" % seq, flush=True)
else:
    seconds = float(rest[0])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((host, port))
    s.settimeout(0.5)
    end = time.time() + seconds
    while time.time() < end:
        try:
            data, _ = s.recvfrom(64)
            print(data.decode(), flush=True)
        except socket.timeout:
            pass
