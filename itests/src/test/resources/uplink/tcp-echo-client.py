#!/usr/bin/env python3
"""A long-lived TCP flow for the failover tests: sends a line every 50 ms to an echo server and prints the wall
clock time (ms) of every echo received, one per line; reconnects at once when the connection breaks or stays
silent for 300 ms. Usage: tcp-echo-client.py HOST PORT SECONDS"""
import socket
import sys
import time

host, port, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
end = time.time() + seconds
while time.time() < end:
    try:
        with socket.create_connection((host, port), timeout=0.3) as s:
            s.settimeout(0.3)
            print("connected %d" % (time.time() * 1000), flush=True)
            while time.time() < end:
                s.sendall(b"x\n")
                if not s.recv(64):
                    break
                print("echo %d" % (time.time() * 1000), flush=True)
                time.sleep(0.05)
    except OSError:
        time.sleep(0.05)
