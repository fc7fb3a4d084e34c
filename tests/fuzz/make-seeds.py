#!/usr/bin/env python3
"""Write the hand-made seeds of the fuzz corpora (reproducible, no kernel).

    tests/fuzz/make-seeds.py [SRC]

Copies tests/golden/*.conf and examples/site.conf into corpus/site,
lib/data/finesse.ini into corpus/catalog, and writes the "interesting bad
inputs" of every target: overlong lines, NUL bytes, control characters,
bad UTF-8, CRLF, a BOM, huge port lists and address lists, edge addresses.
Files it writes start with "seed-"; earlier seed-* files are replaced,
crash reproducers (crash-*, leak-*, ...) are left alone.  The decode
corpus comes from a kernel: see make-decode-corpus.sh.
"""
import glob
import os
import sys

SRC = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else
                      os.path.join(os.path.dirname(__file__), '..', '..'))
CORPUS = os.path.join(SRC, 'tests', 'fuzz', 'corpus')


def read(path):
    with open(path, 'rb') as f:
        return f.read()


def clear(target):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    for p in glob.glob(os.path.join(d, 'seed-*')):
        os.remove(p)
    return d


def put(d, name, data):
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, 'seed-' + name), 'wb') as f:
        f.write(data)


CLUSTER = b"""[cluster]
primary = 10.0.0.11
secondary = 10.0.0.12
node = primary
"""

ENTRY = b"""[entry ssh]
listener = SSH
protocol = tcp
listen-port = 22
remote = admin
direction = inbound
note = platform administration
[group admin]
address = 10.0.9.0/28
"""


def site_seeds():
    d = clear('site')
    for conf in sorted(glob.glob(os.path.join(SRC, 'tests', 'golden', '*.conf'))):
        put(d, 'golden-' + os.path.basename(conf), read(conf))
    example = read(os.path.join(SRC, 'examples', 'site.conf'))
    put(d, 'example.conf', example)
    put(d, 'empty.conf', b'')
    put(d, 'cluster-only.conf', CLUSTER)
    put(d, 'entry.conf', CLUSTER + ENTRY)
    # line limits: 198 characters is fine, 199 is not
    put(d, 'line-198.conf', CLUSTER + b'[entry x]\nnote = ' + b'n' * 191 + b'\n')
    put(d, 'line-199.conf', CLUSTER + b'[entry x]\nnote = ' + b'n' * 192 + b'\n')
    put(d, 'line-huge.conf', CLUSTER + b'# ' + b'c' * 5000 + b'\n')
    put(d, 'no-newline.conf', CLUSTER.rstrip(b'\n'))
    put(d, 'nul.conf', CLUSTER + b'[group browser]\naddress = 10.20.\x000.0/16\n')
    put(d, 'control.conf', CLUSTER + b'[group browser]\naddress = 10.20.0.0/16\x07\n')
    put(d, 'bad-utf8.conf', CLUSTER + b'[entry x]\nnote = caf\xc3\n')
    put(d, 'overlong-utf8.conf', CLUSTER + b'[entry x]\nnote = \xc0\xaf \xed\xa0\x80 \xf4\x90\x80\x80\n')
    put(d, 'good-utf8.conf', CLUSTER + ENTRY.replace(b'platform administration', 'Plattform \u00fcber \u2603 \U0001f525'.encode()))
    put(d, 'crlf.conf', example.replace(b'\n', b'\r\n'))
    put(d, 'bom.conf', b'\xef\xbb\xbf' + CLUSTER)
    put(d, 'tabs.conf', CLUSTER.replace(b' = ', b'\t=\t'))
    put(d, 'comments.conf', CLUSTER + b'[entry x] ; c\nlistener = a ; b\nnote = ticket #42 # gone\n'
        b'protocol = udp\nremote-port=1\nremote = any\ndirection = outbound\n')
    # ports: huge lists, ranges, edge values, bad values
    ports = ', '.join(str(p) for p in range(1, 65536, 7))
    put(d, 'ports-huge.conf', CLUSTER + ENTRY.replace(b'listen-port = 22', b'listen-port = ' + ports.encode()))
    put(d, 'ports-ranges.conf', CLUSTER + ENTRY.replace(b'listen-port = 22', b'listen-port = 1-65535, 0-1, 65535 - 65535, 9000-8000'))
    put(d, 'ports-bad.conf', CLUSTER + ENTRY.replace(b'listen-port = 22', b'listen-port = http, 70000, -1, 0'))
    put(d, 'port-moved.conf', CLUSTER + b'[port]\nucce.awdb = 1533\nucce.cti-a = 0\ntomcat.http = 81\n')
    # addresses
    addrs = b''.join(b'address = 10.%d.%d.0/24\n' % (i // 256, i % 256) for i in range(0, 2000, 3))
    put(d, 'addresses-many.conf', CLUSTER + ENTRY + addrs)
    put(d, 'addresses-edge.conf', CLUSTER + ENTRY +
        b'address = 0.0.0.0/0\naddress = ::/0\naddress = 255.255.255.255\n'
        b'address = ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff\naddress = 10.0.0.1-10.0.0.0\n'
        b'address = 10.20.1.0/16\naddress = ::ffff:10.0.0.1\naddress = fe80::1%eth0\n'
        b'address = 10.0.0.1 - 2001:db8::1\naddress = 010.0.0.1\n')
    put(d, 'groups-many.conf', CLUSTER + b''.join(
        b'[group g%d]\naddress = 10.1.%d.0/24\n[entry e%d]\nprotocol = tcp\nlisten-port = %d\n'
        b'remote = g%d\ndirection = inbound\n' % (i, i % 256, i, i + 1, i) for i in range(300)))
    # the longest line: as many ports as 198 characters hold
    line = b'listen-port = 1'
    p = 1
    while len(line) + 3 + len(str(p + 7)) <= 198:
        p += 7
        line += b', %d' % p
    put(d, 'ports-max-line.conf', CLUSTER + ENTRY.replace(b'listen-port = 22', line))
    put(d, 'id-48.conf', CLUSTER + ENTRY.replace(b'[entry ssh]', b'[entry ' + b'a' * 47 + b'.]')
        .replace(b'admin', b'z' * 48))
    put(d, 'duplicates.conf', CLUSTER + b'node = secondary\n[policy]\ninput = drop\ninput = accept\n')
    put(d, 'policy.conf', CLUSTER + b'[policy]\ninput = accept\noutput = drop\ninsecure = deny\nlog = on\nping = any\n')
    put(d, 'unknown.conf', CLUSTER + b'[nonsense]\nkey = value\n[group]\n[entry]\n[entry ]\n[entry tomcat.http]\n')
    put(d, 'disable.conf', CLUSTER + b'[disable]\nentry = tomcat.http\nentry = tomcat.http\nentry = nosuch\n')
    put(d, 'long-id.conf', CLUSTER + ENTRY.replace(b'[entry ssh]', b'[entry ' + b'a' * 49 + b']'))
    put(d, 'long-names.conf', CLUSTER + b'[group ' + b'g' * 120 + b']\naddress = 10.0.0.0/8\n'
        b'[entry e]\nlistener = ' + b'L' * 180 + b'\nprotocol = tcp\nlisten-port = 1\nremote = ' + b'g' * 120 +
        b'\ndirection = inbound\n')
    put(d, 'ipv6-cluster.conf', b'[cluster]\nprimary = 2001:db8::11\nsecondary = 2001:db8::12\n'
        b'primary = 2001:db8::11\nsecondary = 10.0.0.12/32\n')


def catalog_seeds():
    d = clear('catalog')
    builtin = read(os.path.join(SRC, 'lib', 'data', 'finesse.ini'))
    put(d, 'builtin.ini', builtin)
    put(d, 'one-row.ini', b'[entry a]\nlistener = A\nprotocol = udp\nremote-port = 53\nremote = dns\n'
        b'direction = outbound\nport-movable = yes\n')
    put(d, 'flags.ini', b'[entry a]\nlistener = A\nprotocol = tcp\nlisten-port = 1-10, 20\nremote = g1, g2, any\n'
        b'direction = bidirectional\ninsecure = yes\nport-movable = no\ninsecure = no\n')
    put(d, 'empty.ini', b'')
    put(d, 'comments-only.ini', b'# nothing\n; here\n')
    put(d, 'not-entry.ini', b'[group x]\naddress = 10.0.0.0/8\n')
    put(d, 'outside.ini', b'listener = A\n')
    put(d, 'duplicate.ini', builtin + b'\n[entry tomcat.http]\nlistener = X\nprotocol = tcp\nlisten-port = 1\n'
        b'remote = browser\ndirection = inbound\n')
    put(d, 'bad-id.ini', b'[entry Bad ID!]\n')
    put(d, 'long-id.ini', b'[entry ' + b'x' * 48 + b']\nlistener = A\nprotocol = tcp\nlisten-port = 1\n'
        b'remote = g\ndirection = inbound\n')
    put(d, 'long-note.ini', b'[entry a]\nlistener = A\nprotocol = tcp\nlisten-port = 1\nremote = g\n'
        b'direction = inbound\nnote = ' + 'n\u00e9'.encode() * 90 + b'\n')
    ports = ', '.join('%d-%d' % (p, p + 2) for p in range(1, 65530, 11))
    put(d, 'ports-huge.ini', b'[entry a]\nlistener = A\nprotocol = tcp\nlisten-port = ' + ports.encode() +
        b'\nremote-port = ' + ports.encode() + b'\nremote = g\ndirection = bidirectional\n')
    put(d, 'rows-many.ini', b''.join(
        b'[entry r%d]\nlistener = L\nprotocol = %s\nlisten-port = %d\nremote = g%d\ndirection = inbound\n'
        % (i, b'tcp' if i % 2 else b'udp', i + 1, i % 7) for i in range(400)))
    put(d, 'missing.ini', b'[entry a]\nlistener = A\n[entry b]\nprotocol = sctp\ndirection = sideways\n')
    put(d, 'nul.ini', b'[entry a]\nlistener = A\x00B\n')
    put(d, 'bad-utf8.ini', b'[entry a]\nlistener = \xff\xfe\n')
    put(d, 'crlf.ini', builtin.replace(b'\n', b'\r\n'))
    put(d, 'line-199.ini', b'[entry a]\nnote = ' + b'n' * 192 + b'\n')
    put(d, 'peer-any.ini', b'[entry a]\nlistener = A\nprotocol = tcp\nlisten-port = 5222\nremote = peer, any\n'
        b'direction = inbound\n')


def addr_seeds():
    d = clear('addr')
    items = {
        'v4': '10.0.0.1', 'v6': '2001:db8::1', 'v4-cidr': '10.20.0.0/16',
        'v6-cidr': '2001:db8:20::/48', 'v4-range': '10.30.1.0-10.30.1.63',
        'v6-range': '2001:db8::1 - 2001:db8::ff', 'host-bits': '10.20.1.0/16',
        'reversed': '10.0.0.9-10.0.0.1', 'mixed': '10.0.0.1-2001:db8::1',
        'zero': '0.0.0.0/0', 'v6-zero': '::/0', 'all-ones': '255.255.255.255/32',
        'v6-all-ones': 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128',
        'v4-mapped': '::ffff:10.0.0.1', 'v4-compat': '::10.0.0.1/120', 'zone': 'fe80::1%eth0',
        'leading-zero': '010.000.000.001', 'prefix-long': '10.0.0.0/33',
        'prefix-v6-long': '::/129', 'prefix-bad': '10.0.0.0/1x', 'prefix-empty': '10.0.0.0/',
        'prefix-huge': '10.0.0.0/99999999999999999999', 'prefix-plus': '10.0.0.0/+8',
        'spaces': ' \t 10.0.0.1 \t ', 'octal-ish': '0x0a.0.0.1', 'short': '10.1',
        'ports': '80, 8082', 'port-range': '6000-6010', 'port-range-spaces': ' 6000 - 6010 ,443',
        'port-zero': '0', 'port-big': '70000', 'port-reversed': '9000-8000', 'port-word': 'http',
        'port-max': '1-65535', 'port-huge-number': '99999999999999999999999', 'port-sep': ',,, ,',
        'port-neg': '-5', 'port-dash': '5-', 'port-dash2': '1--2',
        'port-list-huge': ', '.join(str(p) for p in range(65535, 0, -13)),
        'port-overlap': '10-20, 15, 21-30, 5-9, 31',
        'lines': '\n'.join(['10.0.0.0/24', '10.0.1.0/24', '10.0.0.128/25', '10.0.3.0-10.0.3.255',
                            '10.0.2.0/24', '2001:db8::/33', '2001:db8:8000::/33', '::/0',
                            '255.255.255.255', '255.255.255.254', '0.0.0.0']),
        'lines-many': '\n'.join('10.%d.%d.%d' % (i // 65536 % 256, i // 256 % 256, i % 256)
                                for i in range(0, 4000, 3)),
        'lines-v6': '\n'.join('2001:db8:%x::/48' % i for i in range(200)),
        'nul': '10.0.0.1\x002001:db8::1',
        'bad-utf8': b'10.0.0.\xff'.decode('latin-1'),
    }
    for name, text in items.items():
        put(d, name, text.encode('latin-1'))


site_seeds()
catalog_seeds()
addr_seeds()
