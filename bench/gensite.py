#!/usr/bin/env python3
"""Benchmark sites for scripts/bench (config only: no traffic is ever sent).

gensite.py BASE V4 V6 [--change] > SITE

Appends to [group browser] of the example site BASE:
  V4 IPv4 networks 10.32.0.0/25, 10.32.1.0/25, ... (one /25 per /24, so none
     touch and nothing merges; from 10.32.0.0 the 100,000th is 11.166.159.0/25)
  V6 IPv6 networks 2001:db8:100::/48, 2001:db8:102::/48, ... (every other /48
     of the documentation prefix, so none touch)
--change: the same site with one network changed (the first /25 becomes a
/26), the "one-network change" of the benchmark.
--add: the same site with one network more, ADDED (issue 17's daemon change:
a network that touches no other, so the kernel gains one interval).

gensite.py --patch-add: that addition as a yardstick -p list.

gensite.py --patch: that change as a yardstick -p list (the kernel floor of
the one-network change): the old network to delete, the new one to add.
"""
import ipaddress
import sys

# the network --add adds: past the last of 100,000 /25s (11.166.159.0/25)
ADDED = "12.0.0.0/25"


def main():
    if sys.argv[1:] == ["--patch"]:
        sys.stdout.write("-10.32.0.0/25\n10.32.0.0/26\n")
        return
    if sys.argv[1:] == ["--patch-add"]:
        sys.stdout.write(ADDED + "\n")
        return
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    change = "--change" in sys.argv[1:]
    add = "--add" in sys.argv[1:]
    base, n4, n6 = args[0], int(args[1]), int(args[2])
    if n6 > (0x10000 - 0x100) // 2:
        sys.exit("gensite: at most %d IPv6 networks" % ((0x10000 - 0x100) // 2))
    lines = open(base).read().splitlines()
    heads = [i for i, l in enumerate(lines) if l.startswith("[group browser]")]
    if not heads:
        sys.exit("gensite: %s has no [group browser]" % base)
    at = heads[0]
    # insert after the last line of the section (before the next blank line)
    end = at + 1
    while end < len(lines) and lines[end].strip() and not lines[end].startswith("["):
        end += 1
    v4 = int(ipaddress.IPv4Address("10.32.0.0"))
    v6 = int(ipaddress.IPv6Address("2001:db8:100::"))
    new = []
    for i in range(n4):
        plen = 26 if change and i == 0 else 25
        new.append("address = %s/%d" % (ipaddress.IPv4Address(v4 + (i << 8)), plen))
    for i in range(n6):
        new.append("address = %s/48" % ipaddress.IPv6Address(v6 + ((2 * i) << 80)))
    if add:
        new.append("address = " + ADDED)
    out = lines[:end] + new + lines[end:]
    sys.stdout.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
