#!/usr/bin/env python3
"""A real OSC peer for VMCTests: python-osc (PyPI) receiving on 127.0.0.1.

Binds a UDP socket on 127.0.0.1 (port 0 = any free one), prints the port on the first line of stdout, then
parses every datagram with python-osc's own OscPacket parser until `count` bundles arrived or `timeout`
seconds passed without one. Prints one JSON document: a list of bundles, each
{"arrival": seconds (time.monotonic), "bundle": true/false, "messages": [[address, arg, ...], ...]}.
Usage: vmc_receiver.py COUNT TIMEOUT
"""
import json
import socket
import sys
import time

from pythonosc.osc_packet import OscPacket

count, timeout = int(sys.argv[1]), float(sys.argv[2])
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
sock.settimeout(timeout)
print(sock.getsockname()[1], flush=True)
out = []
while len(out) < count:
    try:
        data, _ = sock.recvfrom(65536)
    except socket.timeout:
        break
    arrival = time.monotonic()
    packet = OscPacket(data)
    out.append({
        "arrival": arrival,
        "bundle": data.startswith(b"#bundle\0"),
        "messages": [[m.message.address] + list(m.message.params) for m in packet.messages],
    })
print(json.dumps(out), flush=True)
