/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * capture-dump: record the kernel's dump of one nftables table as raw
 * netlink messages, the input format of fnft_dump_parse() and so of the
 * fuzz-decode target's seed corpus.
 *
 *   capture-dump [-t TABLE] [-f FAMILY] OUTPUT
 *
 * Sends, on one NETLINK_NETFILTER socket, the dump requests finesse-nft
 * itself sends (lib/netlink.c): GETTABLE, GETCHAIN, GETSET and GETRULE for
 * FAMILY (default inet: 1 = inet, 2 = ip, 10 = ip6, 0 = all) naming TABLE
 * (default finesse), then GETSETELEM for every set the set dump returned,
 * anonymous ones included.  Every reply message except NLMSG_DONE and
 * NLMSG_ERROR is appended to OUTPUT as the kernel sent it (nlmsghdr framed,
 * padded to 4 bytes).  The kernel's table and chain dumps are not filtered
 * by table name, so other tables' objects land in the file too, as they do
 * in finesse-nft's own dumps.
 *
 * Read-only.  Run it in the network namespace whose table you want, e.g.
 * `unshare -n sh -c 'finesse-nft -c X apply --no-state && capture-dump out'`;
 * docs/hardening.md has the recipe the seed corpus was made with.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#define MAX_SETS 1024

static struct mnl_socket *sock;
static unsigned portid, seq;
static FILE *out;
static char *sets[MAX_SETS];
static size_t n_sets;

static struct nlmsghdr *request_hdr(char *buf, uint16_t type, uint8_t family,
				    uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

static int set_name_attr(const struct nlattr *attr, void *data)
{
	if (mnl_attr_get_type(attr) == NFTA_SET_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) >= 0)
		*(const char **)data = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

/* Record one reply message; remember the names of sets. */
static int record(const struct nlmsghdr *nlh, void *data)
{
	uint16_t type = NFNL_MSG_TYPE(nlh->nlmsg_type);
	static const char pad[4];
	size_t len = nlh->nlmsg_len, padded = MNL_ALIGN(len);

	(void)data;
	if (fwrite(nlh, 1, len, out) != len ||
	    fwrite(pad, 1, padded - len, out) != padded - len) {
		perror("capture-dump: write");
		return MNL_CB_ERROR;
	}
	if (type == NFT_MSG_NEWSET) {
		const char *name = NULL;

		mnl_attr_parse(nlh, sizeof(struct nfgenmsg), set_name_attr, &name);
		if (name && n_sets < MAX_SETS && !(sets[n_sets++] = strdup(name))) {
			perror("capture-dump");
			return MNL_CB_ERROR;
		}
	}
	return MNL_CB_OK;
}

/* Send @nlh and record every reply until the kernel is done. */
static int request(struct nlmsghdr *nlh)
{
	static char buf[65536];	/* more than one dump reply ever holds */
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(sock, nlh, nlh->nlmsg_len) < 0) {
		perror("capture-dump: send");
		return -1;
	}
	do {
		n = mnl_socket_recvfrom(sock, buf, sizeof(buf));
		if (n < 0) {
			perror("capture-dump: receive");
			return -1;
		}
		rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, portid, record, NULL);
	} while (rc > 0);
	if (rc < 0 && errno != ENOENT) {
		perror("capture-dump: dump");
		return -1;
	}
	return 0;
}

static int dump(uint16_t type, uint16_t table_attr, uint8_t family,
		const char *table, const char *set)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = request_hdr(buf, type, family, NLM_F_DUMP);

	if (table_attr)
		mnl_attr_put_strz(nlh, table_attr, table);
	if (set)
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	return request(nlh);
}

int main(int argc, char **argv)
{
	const char *table = "finesse";
	uint8_t family = NFPROTO_INET;
	size_t i;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "t:f:")) != -1) {
		switch (opt) {
		case 't':
			table = optarg;
			break;
		case 'f':
			family = (uint8_t)atoi(optarg);
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	out = fopen(argv[optind], "wb");
	if (!out) {
		perror(argv[optind]);
		return 1;
	}
	sock = mnl_socket_open(NETLINK_NETFILTER);
	if (!sock || mnl_socket_bind(sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("capture-dump: netlink socket");
		return 1;
	}
	portid = mnl_socket_get_portid(sock);
	seq = (unsigned)time(NULL);

	/* the order finesse-nft reads in: sets before their elements */
	if (dump(NFT_MSG_GETTABLE, 0, family, table, NULL) ||
	    dump(NFT_MSG_GETCHAIN, NFTA_CHAIN_TABLE, family, table, NULL) ||
	    dump(NFT_MSG_GETSET, NFTA_SET_TABLE, family, table, NULL) ||
	    dump(NFT_MSG_GETRULE, NFTA_RULE_TABLE, family, table, NULL))
		rc = 1;
	for (i = 0; !rc && i < n_sets; i++)
		if (dump(NFT_MSG_GETSETELEM, NFTA_SET_ELEM_LIST_TABLE, family,
			 table, sets[i]))
			rc = 1;
	for (i = 0; i < n_sets; i++)
		free(sets[i]);
	mnl_socket_close(sock);
	if (fclose(out) != 0) {
		perror(argv[optind]);
		rc = 1;
	}
	return rc;

usage:
	fprintf(stderr, "usage: %s [-t TABLE] [-f FAMILY] OUTPUT\n", argv[0]);
	return 2;
}
