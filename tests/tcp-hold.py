#!/usr/bin/env python3
"""Hold TCP sockets open for tests/safety.sh until killed.

tcp-hold.py READY [--comm NAME] [listen ADDR PORT]... [connect SRC DST PORT]...

--comm NAME renames the process (/proc/self/comm), so that it can play
sshd.  listen ADDR PORT listens (ADDR :: is dual-stack, so IPv4 peers show
as ::ffff:a.b.c.d; another IPv6 address is IPv6 only) and accepts and keeps every connection; connect SRC DST
PORT opens one connection from SRC.  READY is created when all are in place.
"""
import os
import select
import socket
import sys

args = sys.argv[2:]
ready = sys.argv[1]
listeners, held = [], []
while args:
    word = args.pop(0)
    if word == "--comm":
        with open("/proc/self/comm", "w") as f:
            f.write(args.pop(0))
    elif word == "listen":
        addr, port = args.pop(0), int(args.pop(0))
        fam = socket.AF_INET6 if ":" in addr else socket.AF_INET
        s = socket.socket(fam, socket.SOCK_STREAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if fam == socket.AF_INET6:
            s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0 if addr == "::" else 1)
        s.bind((addr, port))
        s.listen(16)
        listeners.append(s)
    elif word == "connect":
        src, dst, port = args.pop(0), args.pop(0), int(args.pop(0))
        held.append(socket.create_connection((dst, port), timeout=5, source_address=(src, 0)))
    else:
        sys.exit("tcp-hold.py: unknown word " + word)
open(ready, "w").close()
while True:
    if not listeners:
        select.select([], [], [])
    for s in select.select(listeners, [], [])[0]:
        held.append(s.accept()[0])
