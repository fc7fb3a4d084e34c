#!/usr/bin/python3
# Hold table inet NAME with the owner flag (NFT_TABLE_F_OWNER): the kernel
# lets only this socket change it, and deletes it when the socket closes.
# nft cannot keep such a socket open.  Prints "held" once the table exists,
# then holds it until stdin closes.
import socket, struct, sys

NFNL_SUBSYS_NFTABLES = 10
NFT_MSG_NEWTABLE = 0
NFTA_TABLE_NAME, NFTA_TABLE_FLAGS = 1, 2
NFT_TABLE_F_OWNER = 2
NLM_F_REQUEST, NLM_F_ACK, NLM_F_CREATE = 1, 4, 0x400
NFPROTO_INET = 1


def attr(kind, data):
    a = struct.pack("=HH", 4 + len(data), kind) + data
    return a + b"\0" * (-len(a) % 4)


def msg(kind, flags, seq, family, res_id, payload=b""):
    body = struct.pack("=BBH", family, 0, socket.htons(res_id)) + payload
    return struct.pack("=IHHII", 16 + len(body), kind, flags, seq, 0) + body


name = sys.argv[1].encode() + b"\0"
s = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, 12)  # NETLINK_NETFILTER
s.bind((0, 0))
table = attr(NFTA_TABLE_NAME, name) + attr(NFTA_TABLE_FLAGS, struct.pack(">I", NFT_TABLE_F_OWNER))
batch = (msg(0x10, NLM_F_REQUEST, 1, 0, NFNL_SUBSYS_NFTABLES) +
         msg(NFNL_SUBSYS_NFTABLES << 8 | NFT_MSG_NEWTABLE,
             NLM_F_REQUEST | NLM_F_CREATE | NLM_F_ACK, 2, NFPROTO_INET, 0, table) +
         msg(0x11, NLM_F_REQUEST, 3, 0, NFNL_SUBSYS_NFTABLES))
s.send(batch)
reply = s.recv(65536)
err = struct.unpack_from("=i", reply, 16)[0]
if err:
    sys.exit("owner-hold: the kernel refused the table: errno %d" % -err)
print("held", flush=True)
sys.stdin.read()
