#!/usr/bin/env python3
"""Give every chain of a finesse-nft snapshot file a policy the kernel does
not know (7: neither drop nor accept), so that restoring it is refused by
the kernel itself, with EINVAL.  The file stays well framed: it loads."""
import struct
import sys

NFT_MSG_NEWCHAIN = (10 << 8) | 3	# NFNL_SUBSYS_NFTABLES, NFT_MSG_NEWCHAIN
NFTA_CHAIN_POLICY = 5

path = sys.argv[1]
data = open(path, 'rb').read()
start = data.index(b'\n', data.index(b'\n') + 1) + 1	# magic, then counts
msgs = bytearray(data[start:])
off = patched = 0
while off < len(msgs):
    mlen, mtype = struct.unpack_from('<IH', msgs, off)
    if mtype == NFT_MSG_NEWCHAIN:
        a = off + 20	# nlmsghdr, nfgenmsg
        while a < off + mlen:
            alen, atype = struct.unpack_from('<HH', msgs, a)
            if atype & 0x3fff == NFTA_CHAIN_POLICY:
                struct.pack_into('>I', msgs, a + 4, 7)
                patched += 1
            a += (alen + 3) & ~3
    off += (mlen + 3) & ~3
if not patched:
    sys.exit("%s: no chain with a policy" % path)
open(path, 'wb').write(data[:start] + bytes(msgs))
