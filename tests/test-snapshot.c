/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Snapshots against the kernel, in a network namespace of its own: a
 * restore puts back exactly what was there (drift and counters included),
 * or no table at all, and says what it overwrote.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <finesse-nft/finesse-nft.h>

#include "testlib.h"

#include "internal.h"
#include "netlink.h"
#include "snapshot.h"

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/object.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

static const char *golden_dir;
static char state_dir[] = "/tmp/fnft-snap-XXXXXX";

static struct fnft_kernel *kernel(void)
{
	struct fnft_kernel *k = NULL;

	ck_assert_int_eq(fnft_kernel_open(NULL, &k, NULL), 0);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, state_dir), 0);
	return k;
}

START_TEST(restore_exactly)
{
	struct fnft_ruleset *a = tl_plan_golden(golden_dir, "entries"), *b = tl_plan_golden(golden_dir, "secondary");
	struct fnft_kernel *k = kernel();
	struct fnft_snapshot *snap = NULL, *loaded = NULL;
	struct fnft_error err = { 0 };
	char path[256], *before, *after, *over = NULL;

	ck_assert_int_eq(fnft_kernel_apply(k, a, NULL, &err), 0);
	/* drift and traffic-like counters must come back too */
	ck_assert_int_eq(system("nft add rule inet finesse input meta mark 0x2a counter packets 7 bytes 700 accept &&"
				"nft add element inet finesse browser_v4 '{ 192.0.2.0/24 }'"), 0);
	before = tl_list_table();
	ck_assert_int_eq(fnft_kernel_snapshot(k, &snap, &err), 0);
	ck_assert(!fnft_snapshot_absent(snap));
	snprintf(path, sizeof(path), "%s/snap", state_dir);
	ck_assert_int_eq(fnft_snapshot_save(snap, path, &err), 0);
	ck_assert_int_eq(fnft_snapshot_load(path, &loaded, &err), 0);

	ck_assert_int_eq(fnft_kernel_apply(k, b, NULL, &err), 0);
	ck_assert_int_eq(fnft_kernel_restore(k, loaded, &over, &err), 0);
	ck_assert_ptr_null(over);	/* b was untouched since we applied it */
	after = tl_list_table();
	ck_assert_msg(strcmp(before, after) == 0, "restored:\n%.1500s", after);
	free(before);
	free(after);
	fnft_snapshot_free(snap);
	fnft_snapshot_free(loaded);
	fnft_ruleset_free(a);
	fnft_ruleset_free(b);
	fnft_kernel_free(k);
}
END_TEST

/* Elements someone else added with long comments: the restore must still
 * fit each element list into its 16-bit nest (chunks by size, not count). */
START_TEST(restore_big_elements)
{
	struct fnft_ruleset *a = tl_plan_golden(golden_dir, "primary");
	struct fnft_kernel *k = kernel();
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	char path[256], *before, *after;
	FILE *f;

	ck_assert_int_eq(fnft_kernel_apply(k, a, NULL, &err), 0);
	snprintf(path, sizeof(path), "%s/big.nft", state_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("add element inet finesse browser_v4 {\n", f);
	for (int i = 0; i < 1500; i++)
		fprintf(f, "  198.18.%d.%d comment \"%0120d\",\n", i / 200, i % 200, i);
	fputs("}\n", f);
	fclose(f);
	{
		char cmd[320];

		snprintf(cmd, sizeof(cmd), "nft -f %s", path);
		ck_assert_int_eq(system(cmd), 0);
	}
	before = tl_list_table();
	ck_assert_ptr_nonnull(strstr(before, "198.18.7.99 comment"));
	ck_assert_int_eq(fnft_kernel_snapshot(k, &snap, &err), 0);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	ck_assert_msg(fnft_kernel_restore(k, snap, NULL, &err) == 0, "restore: %s",
		      err.message);
	after = tl_list_table();
	ck_assert_msg(strcmp(before, after) == 0, "restored:\n%.1500s", after);
	free(before);
	free(after);
	fnft_snapshot_free(snap);
	fnft_ruleset_free(a);
	fnft_kernel_free(k);
}
END_TEST

/*
 * Every kind of object a table can hold, built by nft and used by a rule
 * (or by a map's elements): a snapshot must bring each back as it was,
 * with its counter and quota values, after our plan replaced the table.
 * @skippable: nft itself may fail to create it here for want of kernel
 * support (secmark needs an LSM that knows the context, flowtables
 * CONFIG_NF_FLOW_TABLE); the case then says so and proves nothing.
 */
static const struct {
	const char *kind;
	bool skippable;
	const char *nft;	/* inside "table inet finesse { ... }" */
} obj_cases[] = {
	{ "counter", false,
	  "counter c1 { packets 5 bytes 500; comment \"c one\" }\n"
	  "chain input { type filter hook input priority 0; counter name c1; }\n" },
	{ "quota", false,
	  "quota q1 { over 10 mbytes used 1 mbytes }\n"
	  "chain input { type filter hook input priority 0; quota name q1; }\n" },
	{ "depleted quota", false,
	  "quota q1 { until 1 mbytes used 1 mbytes }\n"
	  "chain input { type filter hook input priority 0; quota name q1 drop; }\n" },
	{ "limit", false,
	  "limit l1 { rate 5/second }\n"
	  "chain input { type filter hook input priority 0; limit name l1 accept; }\n" },
	{ "ct helper", false,
	  "ct helper h1 { type \"ftp\" protocol tcp; }\n"
	  "chain input { type filter hook input priority 0; tcp dport 21 ct helper set \"h1\"; }\n" },
	{ "ct timeout", false,
	  "ct timeout t1 { protocol tcp; l3proto ip; policy = { established: 100, close: 4 }; }\n"
	  "ct timeout t2 { protocol udp; l3proto ip6; policy = { unreplied: 7, replied: 9 }; }\n"
	  "chain output { type filter hook output priority 0; ct timeout set \"t1\"; udp dport 53 ct timeout set \"t2\"; }\n" },
	{ "ct expectation", false,
	  "ct expectation e1 { protocol tcp; dport 22; timeout 10m; size 8; l3proto ip; }\n"
	  "chain input { type filter hook input priority 0; ct expectation set \"e1\"; }\n" },
	{ "synproxy", false,
	  "synproxy s1 { mss 1460; wscale 7; timestamp sack-perm; }\n"
	  "chain input { type filter hook input priority 0; tcp dport 80 synproxy name s1; }\n" },
	{ "secmark", true,
	  "secmark sm1 { \"system_u:object_r:ssh_server_packet_t:s0\" }\n"
	  "chain input { type filter hook input priority 0; tcp dport 22 meta secmark set \"sm1\"; }\n" },
	{ "flowtable", true,
	  "flowtable f1 { hook ingress priority 0; devices = { lo }; }\n"
	  "chain forward { type filter hook forward priority 0; ip protocol tcp flow add @f1; }\n" },
	{ "maps of counters and quotas", false,
	  "counter c1 { packets 3 bytes 300 }\n"
	  "quota q1 { until 1 mbytes used 2000 bytes }\n"
	  "map cm { type ipv4_addr : counter; elements = { 10.0.0.1 : \"c1\" } }\n"
	  "map qm { type ipv4_addr : quota; elements = { 10.0.0.2 : \"q1\" } }\n"
	  "chain input { type filter hook input priority 0; counter name ip saddr map @cm; quota name ip saddr map @qm; }\n" },
	{ "a dormant table with a comment", false,
	  "comment \"before the apply\"\nflags dormant\n"
	  "counter c1 { packets 1 bytes 60 }\n"
	  "chain input { type filter hook input priority 0; counter name c1; }\n" },
};

/* Where a message goes in the restore: each after what it refers to. */
static int msg_rank(uint16_t type)
{
	switch (type) {
	case NFT_MSG_NEWTABLE:
		return 0;
	case NFT_MSG_NEWOBJ:
	case NFT_MSG_NEWFLOWTABLE:
		return 1;
	case NFT_MSG_NEWCHAIN:
		return 2;
	case NFT_MSG_NEWSET:
	case NFT_MSG_NEWSETELEM:
		return 3;
	default:
		return 4;
	}
}

/* The handle attribute of each kind of message (all are attribute 3 or
 * 4..; spelled out so that a renumbering would show). */
static uint16_t handle_attr(uint16_t type)
{
	switch (type) {
	case NFT_MSG_NEWTABLE:
		return NFTA_TABLE_HANDLE;
	case NFT_MSG_NEWOBJ:
		return NFTA_OBJ_HANDLE;
	case NFT_MSG_NEWFLOWTABLE:
		return NFTA_FLOWTABLE_HANDLE;
	case NFT_MSG_NEWCHAIN:
		return NFTA_CHAIN_HANDLE;
	case NFT_MSG_NEWSET:
		return NFTA_SET_HANDLE;
	case NFT_MSG_NEWRULE:
		return NFTA_RULE_HANDLE;
	default:
		return 0;
	}
}

/*
 * The snapshot's messages come table, objects and flowtables, chains, sets
 * with their elements, rules; none carries a handle or use count (the
 * kernel assigns them), the table no owner flag.  Returns how many
 * NEWOBJ + NEWFLOWTABLE messages there were.
 */
static size_t check_msgs(const struct fnft_snapshot *s, const char *kind)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)s->msgs.s;
	int left = (int)s->msgs.len, rank = 0;
	size_t objs = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		uint16_t t = NFNL_MSG_TYPE(nlh->nlmsg_type);
		const struct nlattr *a;

		ck_assert_msg(msg_rank(t) >= rank, "%s: message %u after rank %d", kind,
			      t, rank);
		rank = msg_rank(t);
		objs += rank == 1;
		mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
			uint16_t at = mnl_attr_get_type(a);

			ck_assert_msg(at != handle_attr(t), "%s: message %u has a handle",
				      kind, t);
			ck_assert_msg(!(t == NFT_MSG_NEWOBJ && at == NFTA_OBJ_USE) &&
				      !(t == NFT_MSG_NEWFLOWTABLE && at == NFTA_FLOWTABLE_USE) &&
				      !(t == NFT_MSG_NEWTABLE && at == NFTA_TABLE_USE) &&
				      !(t == NFT_MSG_NEWCHAIN && at == NFTA_CHAIN_USE),
				      "%s: message %u has a use count", kind, t);
			if (t == NFT_MSG_NEWTABLE && at == NFTA_TABLE_FLAGS)
				ck_assert(!(ntohl(mnl_attr_get_u32(a)) & NFT_TABLE_F_OWNER));
		}
	}
	ck_assert_int_eq(left, 0);
	return objs;
}

START_TEST(restore_objects)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary");
	struct fnft_kernel *k = kernel();
	struct fnft_snapshot *snap = NULL, *loaded = NULL;
	struct fnft_error err = { 0 };
	char path[256], cmd[320], *before, *applied, *after;
	FILE *f;

	ck_assert_int_eq(system("nft delete table inet finesse 2>/dev/null; true"), 0);
	snprintf(path, sizeof(path), "%s/objects.nft", state_dir);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fprintf(f, "table inet finesse {\n%s}\n", obj_cases[_i].nft);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "nft -f %s", path);
	if (system(cmd) != 0) {
		ck_assert_msg(obj_cases[_i].skippable, "nft cannot create the %s case",
			      obj_cases[_i].kind);
		fprintf(stderr, "SKIP %s: nft itself cannot create it in this namespace (no kernel support here)\n",
			obj_cases[_i].kind);
		fnft_ruleset_free(plan);
		fnft_kernel_free(k);
		return;
	}
	before = tl_list_table();
	ck_assert_int_eq(fnft_kernel_snapshot(k, &snap, &err), 0);
	ck_assert_uint_gt(check_msgs(snap, obj_cases[_i].kind), 0);
	snprintf(path, sizeof(path), "%s/snap-objects", state_dir);
	ck_assert_int_eq(fnft_snapshot_save(snap, path, &err), 0);
	ck_assert_msg(fnft_snapshot_load(path, &loaded, &err) == 0, "%s: load: %s",
		      obj_cases[_i].kind, err.message);

	/* our plan replaces it (whatever the apply leaves of the objects,
	 * the table is not what it was) */
	ck_assert_msg(fnft_kernel_apply(k, plan, NULL, &err) == 0, "%s: apply: %s",
		      obj_cases[_i].kind, err.message);
	applied = tl_list_table();
	ck_assert_str_ne(applied, before);
	ck_assert_msg(fnft_kernel_restore(k, loaded, NULL, &err) == 0, "%s: restore: %s",
		      obj_cases[_i].kind, err.message);
	after = tl_list_table();
	ck_assert_msg(strcmp(before, after) == 0, "%s: restored:\n%.2000s\nexpected:\n%.2000s",
		      obj_cases[_i].kind, after, before);
	free(before);
	free(applied);
	free(after);
	fnft_snapshot_free(snap);
	fnft_snapshot_free(loaded);
	fnft_ruleset_free(plan);
	fnft_kernel_free(k);
}
END_TEST

/* A refused object names itself: kind and name, as nft would write it.
 * Made refusable by retyping a counter as a ct helper, which has no name
 * of a helper to look for. */
START_TEST(refused_object_is_named)
{
	struct fnft_kernel *k = kernel();
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	struct nlmsghdr *nlh;
	int left, retyped = 0;

	ck_assert_int_eq(system("nft delete table inet finesse 2>/dev/null; true"), 0);
	ck_assert_int_eq(system("nft add table inet finesse && nft add counter inet finesse c1"), 0);
	ck_assert_int_eq(fnft_kernel_snapshot(k, &snap, &err), 0);
	nlh = (struct nlmsghdr *)snap->msgs.s;
	left = (int)snap->msgs.len;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nlattr *a;

		if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWOBJ)
			continue;
		mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg))
			if (mnl_attr_get_type(a) == NFTA_OBJ_TYPE) {
				*(uint32_t *)mnl_attr_get_payload(a) = htonl(NFT_OBJECT_CT_HELPER);
				retyped++;
			}
	}
	ck_assert_int_eq(retyped, 1);
	ck_assert_int_lt(fnft_kernel_restore(k, snap, NULL, &err), 0);
	ck_assert_msg(strstr(err.message, "the kernel refused ct helper c1: ") != NULL,
		      "%s", err.message);
	fnft_snapshot_free(snap);
	fnft_kernel_free(k);
}
END_TEST

/*
 * Table inet finesse owned by a socket of its own (NFT_TABLE_F_OWNER, as a
 * daemon would make it), holding counter c1: everything in one batch, since
 * no other socket may change an owned table.  Returns the socket.
 */
static struct mnl_socket *owned_table(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_obj *o = nftnl_obj_alloc();
	static char out[65536], buf[65536];
	struct mnl_nlmsg_batch *b = mnl_nlmsg_batch_start(out, sizeof(out));
	struct nlmsghdr *nlh;
	uint32_t seq = 1;
	ssize_t n;

	ck_assert(nl && t && o && b);
	ck_assert_int_eq(mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID), 0);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "finesse");
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, NFT_TABLE_F_OWNER);
	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, "finesse");
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, "c1");
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_PKTS, 3);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_BYTES, 180);
	nftnl_batch_begin(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWTABLE,
				    NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, seq++);
	nftnl_table_nlmsg_build_payload(nlh, t);
	mnl_nlmsg_batch_next(b);
	nlh = nftnl_nlmsg_build_hdr(mnl_nlmsg_batch_current(b), NFT_MSG_NEWOBJ,
				    NFPROTO_INET, NLM_F_CREATE | NLM_F_ACK, seq++);
	nftnl_obj_nlmsg_build_payload(nlh, o);
	mnl_nlmsg_batch_next(b);
	nftnl_batch_end(mnl_nlmsg_batch_current(b), seq++);
	mnl_nlmsg_batch_next(b);
	ck_assert_int_ge(mnl_socket_sendto(nl, mnl_nlmsg_batch_head(b),
					   mnl_nlmsg_batch_size(b)), 0);
	/* two acks, each error 0 */
	for (int acks = 0; acks < 2; acks++) {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		ck_assert_int_gt(n, 0);
		ck_assert_int_ge(mnl_cb_run(buf, (size_t)n, 0, mnl_socket_get_portid(nl),
					    NULL, NULL), 0);
	}
	mnl_nlmsg_batch_stop(b);
	nftnl_obj_free(o);
	nftnl_table_free(t);
	return nl;
}

/* A snapshot of a table some daemon owned: once the daemon is gone, the
 * restore must give a table of nobody's (else it would be ours and go
 * when we exit), with the rest as it was. */
START_TEST(restore_owned_table_unowned)
{
	struct fnft_kernel *k = kernel();
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	struct mnl_socket *daemon;
	char *before, *after;

	ck_assert_int_eq(system("nft delete table inet finesse 2>/dev/null; true"), 0);
	daemon = owned_table();
	before = tl_list_table();
	ck_assert_msg(strstr(before, "packets 3 bytes 180") != NULL, "%s", before);
	ck_assert_int_eq(fnft_kernel_snapshot(k, &snap, &err), 0);
	check_msgs(snap, "owned table");
	mnl_socket_close(daemon);
	after = tl_list_table();
	ck_assert_str_eq(after, "");	/* it went with its owner */
	free(after);
	ck_assert_msg(fnft_kernel_restore(k, snap, NULL, &err) == 0, "restore: %s",
		      err.message);
	fnft_kernel_free(k);		/* the restoring socket goes */
	after = tl_list_table();
	ck_assert_ptr_nonnull(strstr(after, "counter c1 {\n\t\tpackets 3 bytes 180\n"));
	ck_assert_ptr_null(strstr(after, "owner"));
	free(before);
	free(after);
	fnft_snapshot_free(snap);
}
END_TEST

/* Messages as a dump of table inet finesse brings them, appended to @buf
 * at *len: the table (dormant, owned), counter c1 and, with @ft, flowtable
 * f1 on lo and eth0; with @obj_type, one more object x of that type. */
static void dump_msgs(char *buf, size_t *len, bool ft, uint32_t obj_type)
{
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_obj *o = nftnl_obj_alloc();
	struct nftnl_flowtable *f = nftnl_flowtable_alloc();
	const char *devs[] = { "lo", "eth0", NULL };
	struct nlmsghdr *nlh;

	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "finesse");
	nftnl_table_set_u64(t, NFTNL_TABLE_HANDLE, 7);
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, NFT_TABLE_F_DORMANT | NFT_TABLE_F_OWNER);
	nlh = nftnl_nlmsg_build_hdr(buf + *len, NFT_MSG_NEWTABLE, NFPROTO_INET, 0, 1);
	nftnl_table_nlmsg_build_payload(nlh, t);
	mnl_attr_put_u32(nlh, NFTA_TABLE_USE, htonl(3));
	*len += NLMSG_ALIGN(nlh->nlmsg_len);

	nftnl_obj_set_str(o, NFTNL_OBJ_TABLE, "finesse");
	nftnl_obj_set_str(o, NFTNL_OBJ_NAME, "c1");
	nftnl_obj_set_u32(o, NFTNL_OBJ_TYPE, NFT_OBJECT_COUNTER);
	nftnl_obj_set_u64(o, NFTNL_OBJ_CTR_PKTS, 9);
	nftnl_obj_set_u64(o, NFTNL_OBJ_HANDLE, 8);
	nlh = nftnl_nlmsg_build_hdr(buf + *len, NFT_MSG_NEWOBJ, NFPROTO_INET, 0, 1);
	nftnl_obj_nlmsg_build_payload(nlh, o);
	mnl_attr_put_u32(nlh, NFTA_OBJ_USE, htonl(1));
	*len += NLMSG_ALIGN(nlh->nlmsg_len);

	if (ft) {
		nftnl_flowtable_set_str(f, NFTNL_FLOWTABLE_TABLE, "finesse");
		nftnl_flowtable_set_str(f, NFTNL_FLOWTABLE_NAME, "f1");
		nftnl_flowtable_set_u32(f, NFTNL_FLOWTABLE_HOOKNUM, NF_NETDEV_INGRESS);
		nftnl_flowtable_set_s32(f, NFTNL_FLOWTABLE_PRIO, -5);
		nftnl_flowtable_set_array(f, NFTNL_FLOWTABLE_DEVICES, devs);
		nftnl_flowtable_set_u32(f, NFTNL_FLOWTABLE_USE, 1);
		nftnl_flowtable_set_u64(f, NFTNL_FLOWTABLE_HANDLE, 9);
		nlh = nftnl_nlmsg_build_hdr(buf + *len, NFT_MSG_NEWFLOWTABLE,
					    NFPROTO_INET, 0, 1);
		nftnl_flowtable_nlmsg_build_payload(nlh, f);
		*len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	if (obj_type) {
		struct nlattr *nest;

		nlh = nftnl_nlmsg_build_hdr(buf + *len, NFT_MSG_NEWOBJ, NFPROTO_INET, 0, 1);
		mnl_attr_put_strz(nlh, NFTA_OBJ_TABLE, "finesse");
		mnl_attr_put_strz(nlh, NFTA_OBJ_NAME, "x");
		mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htonl(obj_type));
		nest = mnl_attr_nest_start(nlh, NFTA_OBJ_DATA);
		mnl_attr_put_u32(nlh, 1, htonl(10));
		mnl_attr_nest_end(nlh, nest);
		*len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	nftnl_flowtable_free(f);
	nftnl_obj_free(o);
	nftnl_table_free(t);
}

/* What this kernel cannot make (no CONFIG_NF_FLOW_TABLE here, objects of
 * kinds libnftnl does not know) still passes through the snapshot right:
 * a flowtable comes whole without its handle and use count, after the
 * table and objects; an object of an unknown kind refuses the snapshot. */
START_TEST(snapshot_of_parsed_dump)
{
	static char buf[8192];
	struct fnft_snapshot *snap = NULL;
	struct fnft_dump *d = NULL;
	struct fnft_error err = { 0 };
	const struct nlmsghdr *nlh;
	size_t len = 0;
	int left, flowtables = 0;

	memset(buf, 0, sizeof(buf));
	dump_msgs(buf, &len, true, 0);
	ck_assert_int_eq(fnft_dump_parse(buf, len, "finesse", &d), 0);
	ck_assert_int_eq(fnft_snapshot_from_dump(d, "finesse", &snap, &err), 0);
	ck_assert_uint_eq(check_msgs(snap, "parsed dump"), 2);
	nlh = (const struct nlmsghdr *)snap->msgs.s;
	left = (int)snap->msgs.len;
	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		struct nftnl_flowtable *f;
		const char *const *devs;

		if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWFLOWTABLE)
			continue;
		flowtables++;
		f = nftnl_flowtable_alloc();
		ck_assert_int_eq(nftnl_flowtable_nlmsg_parse(nlh, f), 0);
		ck_assert_str_eq(nftnl_flowtable_get_str(f, NFTNL_FLOWTABLE_NAME), "f1");
		ck_assert_str_eq(nftnl_flowtable_get_str(f, NFTNL_FLOWTABLE_TABLE), "finesse");
		ck_assert_uint_eq(nftnl_flowtable_get_u32(f, NFTNL_FLOWTABLE_HOOKNUM),
				  NF_NETDEV_INGRESS);
		ck_assert_int_eq(nftnl_flowtable_get_s32(f, NFTNL_FLOWTABLE_PRIO), -5);
		devs = nftnl_flowtable_get_array(f, NFTNL_FLOWTABLE_DEVICES);
		ck_assert(devs && devs[0] && devs[1] && !devs[2]);
		ck_assert_str_eq(devs[0], "lo");
		ck_assert_str_eq(devs[1], "eth0");
		ck_assert(!nftnl_flowtable_is_set(f, NFTNL_FLOWTABLE_HANDLE));
		ck_assert(!nftnl_flowtable_is_set(f, NFTNL_FLOWTABLE_USE));
		nftnl_flowtable_free(f);
	}
	ck_assert_int_eq(flowtables, 1);
	fnft_snapshot_free(snap);
	fnft_dump_free(d);

	/* connlimit: the kernel has named ones, libnftnl 1.2.4 cannot build them */
	len = 0;
	memset(buf, 0, sizeof(buf));
	dump_msgs(buf, &len, false, NFT_OBJECT_CONNLIMIT);
	ck_assert_int_eq(fnft_dump_parse(buf, len, "finesse", &d), 0);
	snap = NULL;
	ck_assert_int_eq(fnft_snapshot_from_dump(d, "finesse", &snap, &err), -EOPNOTSUPP);
	ck_assert_ptr_null(snap);
	ck_assert_str_eq(err.message, "cannot snapshot table inet finesse: its object x is of a kind this libnftnl cannot re-create");
	fnft_dump_free(d);
}
END_TEST

START_TEST(restore_absence_and_say_what_was_overwritten)
{
	struct fnft_ruleset *a = tl_plan_golden(golden_dir, "primary");
	struct fnft_kernel *k = kernel();
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	char *after, *over = NULL;

	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	ck_assert_int_eq(fnft_kernel_snapshot(k, &snap, &err), 0);
	ck_assert(fnft_snapshot_absent(snap));
	ck_assert_int_eq(fnft_kernel_apply(k, a, NULL, &err), 0);
	/* someone edits the table after our apply */
	ck_assert_int_eq(system("nft add rule inet finesse input tcp dport 9999 accept"), 0);
	ck_assert_int_eq(fnft_kernel_restore(k, snap, &over, &err), 0);
	ck_assert_ptr_nonnull(over);
	ck_assert_msg(strstr(over, "+\t\ttcp dport 9999 accept\n") != NULL, "%.1500s", over);
	after = tl_list_table();
	ck_assert_str_eq(after, "");
	/* restoring "no table" again is fine */
	free(over);
	ck_assert_int_eq(fnft_kernel_restore(k, snap, NULL, &err), 0);
	free(after);
	fnft_snapshot_free(snap);
	fnft_ruleset_free(a);
	fnft_kernel_free(k);
}
END_TEST

START_TEST(bad_snapshot_files)
{
	struct fnft_snapshot *s = NULL;
	struct fnft_error err = { 0 };
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/bad", state_dir);
	f = fopen(path, "w");
	fputs("finesse-nft snapshot 1\nfinesse 0 2 40\n0123456789012345678901234567890123456789", f);
	fclose(f);
	ck_assert_int_eq(fnft_snapshot_load(path, &s, &err), -EINVAL);
	ck_assert_ptr_null(s);
	ck_assert_str_eq(err.message, "not a finesse-nft snapshot, or damaged");
	ck_assert_int_eq(fnft_snapshot_load("/nonexistent/snap", &s, &err), -ENOENT);
}
END_TEST

/* Run @cmd through the shell in @dir (a fresh directory each time). */
static void sh(const char *dir, const char *cmd)
{
	char buf[1024];

	snprintf(buf, sizeof(buf), "cd %s && %s", dir, cmd);
	ck_assert_msg(system(buf) == 0, "%s", buf);
}

static int load_in(const char *dir, const char *name, struct fnft_error *err)
{
	struct fnft_snapshot *s = NULL;
	char path[256];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	rc = fnft_snapshot_load(path, &s, err);
	ck_assert(rc == 0 || s == NULL);
	fnft_snapshot_free(s);
	return rc;
}

/*
 * A snapshot is put back into the kernel by root: only a file no one else
 * could have written is loaded.  Every way of planting one is refused
 * (-EPERM, one message), without hanging on a FIFO or reading a huge
 * file; a symlink planted at the temporary name is not followed on save.
 */
START_TEST(untrusted_snapshot_files)
{
	static const struct {
		const char *plant, *name;
		int rc;
	} cases[] = {
		{ "ln -s good link", "link", -EPERM },
		{ "mkfifo fifo", "fifo", -EPERM },
		{ "cp good other && chown 65534 other", "other", -EPERM },
		{ "cp good gw && chmod 0664 gw", "gw", -EPERM },
		{ "cp good ow && chmod 0606 ow", "ow", -EPERM },
		{ "mkdir d && cp good d/s && chown 65534 d", "d/s", -EPERM },
		{ "mkdir e && cp good e/s && chmod 0777 e", "e/s", -EPERM },
		{ "ln -s . f && cp good f/s", "f/s", -EPERM },
		{ "mknod dev c 1 5", "dev", -EPERM },	/* /dev/zero */
		{ "cp good long && echo junk >> long", "long", -EINVAL },
		{ "head -c 100 good > short", "short", -EINVAL },
		{ "truncate -s 1G sparse", "sparse", -EFBIG },
		{ "printf 'finesse-nft snapshot 1\\nfinesse 0 1 268435457\\n' > huge", "huge", -EINVAL },
		{ "cp good ok", "ok", 0 },
	};
	struct fnft_kernel *k = kernel();
	struct fnft_snapshot *snap = NULL;
	struct fnft_error err = { 0 };
	char dir[256], path[300], victim[300], buf[16] = "";
	size_t i;
	FILE *f;

	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary");

	ck_assert_int_eq(fnft_kernel_apply(k, plan, NULL, &err), 0);
	fnft_ruleset_free(plan);
	ck_assert_int_eq(fnft_kernel_snapshot(k, &snap, &err), 0);
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		snprintf(dir, sizeof(dir), "%s/untrusted%zu", state_dir, i);
		ck_assert_int_eq(mkdir(dir, 0700), 0);
		snprintf(path, sizeof(path), "%s/good", dir);
		ck_assert_int_eq(fnft_snapshot_save(snap, path, &err), 0);
		sh(dir, cases[i].plant);
		memset(&err, 0, sizeof(err));
		ck_assert_msg(load_in(dir, cases[i].name, &err) == cases[i].rc,
			      "%s: %s", cases[i].plant, err.message);
		if (cases[i].rc == -EPERM)
			ck_assert_msg(strstr(err.message, "writable by it alone") != NULL,
				      "%s: %s", cases[i].plant, err.message);
	}

	/* save: a symlink at the temporary name is replaced, its target kept */
	snprintf(dir, sizeof(dir), "%s/plant-tmp", state_dir);
	ck_assert_int_eq(mkdir(dir, 0700), 0);
	sh(dir, "echo victim > victim && ln -s victim snap.tmp && mkfifo snap2.tmp");
	snprintf(path, sizeof(path), "%s/snap", dir);
	ck_assert_int_eq(fnft_snapshot_save(snap, path, &err), 0);
	ck_assert_int_eq(load_in(dir, "snap", &err), 0);
	snprintf(path, sizeof(path), "%s/snap2", dir);
	ck_assert_int_eq(fnft_snapshot_save(snap, path, &err), 0);	/* no hang */
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	ck_assert_ptr_nonnull(f = fopen(victim, "r"));
	ck_assert_ptr_nonnull(fgets(buf, sizeof(buf), f));
	fclose(f);
	ck_assert_str_eq(buf, "victim\n");
	/* save: into a directory another user could write, never */
	sh(dir, "mkdir shared && chmod 0777 shared");
	snprintf(path, sizeof(path), "%s/shared/snap", dir);
	ck_assert_int_eq(fnft_snapshot_save(snap, path, &err), -EPERM);
	sh(dir, "test ! -e shared/snap && test ! -e shared/snap.tmp");
	fnft_snapshot_free(snap);
	fnft_kernel_free(k);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("snapshot");
	int failed;

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	{
		int rc = tl_enter_netns();

		if (rc)
			return rc;
	}
	if (!mkdtemp(state_dir))
		return EXIT_FAILURE;
	tcase_add_test(tc, restore_exactly);
	tcase_add_test(tc, restore_absence_and_say_what_was_overwritten);
	tcase_add_test(tc, restore_big_elements);
	tcase_add_loop_test(tc, restore_objects, 0, (int)ARRAY_SIZE(obj_cases));
	tcase_add_test(tc, refused_object_is_named);
	tcase_add_test(tc, restore_owned_table_unowned);
	tcase_add_test(tc, snapshot_of_parsed_dump);
	tcase_add_test(tc, bad_snapshot_files);
	tcase_add_test(tc, untrusted_snapshot_files);
	tcase_set_timeout(tc, 60);
	failed = tl_run("snapshot", tc, true);
	{
		char cmd[64];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", state_dir);
		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", state_dir);
	}
	return failed;
}
