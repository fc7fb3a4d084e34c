/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * repro-table-udata: the kernel-side reproducer of finding D3 (see
 * docs/hardening.md): create table inet finesse whose userdata is a
 * comment TLV that claims 200 bytes where 2 follow.  The kernel keeps
 * userdata as opaque bytes, so anyone with CAP_NET_ADMIN in the namespace
 * can do this; finesse-nft's decoder then reads past the attribute.
 *
 *   cc -o repro-table-udata tests/fuzz/repro-table-udata.c \
 *	$(pkg-config --cflags --libs libnftnl libmnl)
 *   unshare -n sh -c './repro-table-udata &&
 *	valgrind -q build/tools/finesse-nft -c examples/site.conf --no-state dry-run'
 *
 * Before the fix valgrind reports "Invalid read of size 1 at comment_cb
 * (decode.c)"; the raw-message twin is corpus/decode/crash-table-udata-overlong.bin.
 * Never run it in the host's namespace: it creates table inet finesse.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <libnftnl/table.h>
#include <libnftnl/batch.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
int main(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(buf, sizeof(buf));
	struct nftnl_table *t = nftnl_table_alloc();
	unsigned char ud[4] = { 0, 200, 'a', 'b' };
	uint32_t seq = time(NULL);
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "finesse");
	nftnl_table_set_data(t, NFTNL_TABLE_USERDATA, ud, sizeof(ud));
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWTABLE, NFPROTO_INET,
				    NLM_F_CREATE | NLM_F_ACK, seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b), mnl_nlmsg_batch_size(b)) < 0) {
		perror("send");
		return 1;
	}
	/* one ACK for NEWTABLE: 0 is success */
	ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, (size_t)n, 0, mnl_socket_get_portid(nl), NULL, NULL) < 0) {
		perror("NEWTABLE");
		return 1;
	}
	nftnl_table_free(t);
	mnl_socket_close(nl);
	return 0;
}
