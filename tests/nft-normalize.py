#!/usr/bin/env python3
"""Bring `nft list` output and finesse-nft's rendering to one form.

nft prints set elements wrapped several to a line and counters with their
values; finesse-nft prints one element per line and a bare `counter`.  This
keeps only the table block, puts each element on its own line and drops
counter values, so that the two can be compared with diff.
"""
import re
import sys


def elements(lines, i):
    """Collect the elements of the block opening at lines[i]; return (list, next i)."""
    text = lines[i].split('{', 1)[1]
    while '}' not in text:
        i += 1
        text += ' ' + lines[i]
    inner = text.split('}', 1)[0]
    return [e.strip() for e in inner.split(',') if e.strip()], i + 1


def normalize(src):
    lines = src.splitlines()
    out = []
    i = 0
    # only the table block (skip nft -f preamble lines of an export)
    while i < len(lines) and not re.match(r'^table \S+ \S+ \{$', lines[i]):
        i += 1
    while i < len(lines):
        line = lines[i]
        m = re.match(r'^(\s*)elements = \{', line)
        if m:
            elems, i = elements(lines, i)
            out.append(m.group(1) + 'elements = {')
            out.extend(m.group(1) + '\t' + e + ',' for e in elems)
            out.append(m.group(1) + '}')
            continue
        out.append(re.sub(r'counter packets \d+ bytes \d+', 'counter', line))
        i += 1
    return '\n'.join(out) + '\n'


if __name__ == '__main__':
    sys.stdout.write(normalize(open(sys.argv[1]).read() if len(sys.argv) > 1
                               else sys.stdin.read()))
