/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The decoder against the kernel, in a network namespace of its own: what
 * we apply reads back as the very plan; what others add is shown.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/object.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <finesse-nft/finesse-nft.h>

#include "testlib.h"

#include "decode.h"
#include "netlink.h"

static const char *golden_dir;

static const char *const sites[] = {
	"primary", "secondary", "insecure-deny", "moved-ports", "empty-group",
	"ipv6-only", "entries", "disable", "output-drop", "ping-any-log",
	"ping-none",
};

static struct fnft_ruleset *read_live(bool elements)
{
	struct fnft_error err = { 0 };
	struct fnft_dump *d = NULL;
	struct fnft_ruleset *live = NULL;
	struct fnft_nl *nl = NULL;

	ck_assert_int_eq(fnft_nl_open(&nl, &err), 0);
	ck_assert_msg(fnft_nl_dump(nl, "finesse", elements, &d, &err) == 0, "%s", err.message);
	if (d->table)
		ck_assert_msg(fnft_decode(d, &live, &err) == 0, "%s", err.message);
	fnft_dump_free(d);
	fnft_nl_close(nl);
	return live;
}

START_TEST(applied_reads_back_as_plan)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, sites[_i]), *live;
	struct fnft_error err = { 0 };
	char *diff = NULL;

	ck_assert_int_eq(fnft_apply(plan, &err), 0);
	live = read_live(true);
	ck_assert_ptr_nonnull(live);
	ck_assert_msg(fnft_ruleset_diff(plan, live, "plan", "live", &diff) == 0,
		      "%s reads back differently:\n%.3000s", sites[_i], diff);
	ck_assert(fnft_ruleset_equal(plan, live));
	ck_assert_uint_ne(live->chains[0].rules[0].handle, 0);
	fnft_ruleset_free(live);
	/* without named elements the sets come back empty, rules the same */
	live = read_live(false);
	ck_assert_uint_eq(live->chains[0].n_rules, plan->chains[0].n_rules);
	ck_assert_uint_eq(live->sets[0].elems.n, 0);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}
END_TEST

START_TEST(missing_table)
{
	ck_assert_int_eq(system("nft delete table inet finesse 2>/dev/null; true"), 0);
	ck_assert_ptr_null(read_live(true));
}
END_TEST

START_TEST(drift_is_shown)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary"), *live;
	struct fnft_error err = { 0 };
	char *diff = NULL;

	ck_assert_int_eq(fnft_apply(plan, &err), 0);
	ck_assert_int_eq(system("nft add rule inet finesse input tcp dport 9999 accept &&"
				"nft add rule inet finesse input meta mark 0x2a accept &&"
				"nft add element inet finesse browser_v4 '{ 192.0.2.0/24 }' &&"
				"nft add set inet finesse marks '{ type mark; }'"), 0);
	live = read_live(true);
	ck_assert(!fnft_ruleset_equal(plan, live));
	ck_assert_int_eq(fnft_ruleset_diff(live, plan, "live", "plan", &diff), 1);
	ck_assert_msg(strstr(diff, "\n-\t\ttcp dport 9999 accept\n") != NULL, "%.3000s", diff);
	ck_assert_msg(strstr(diff, "\n-\t\t# not understood: ") != NULL, "%.3000s", diff);
	ck_assert_msg(strstr(diff, "\n-\t\t\t192.0.2.0/24,\n") != NULL, "%.3000s", diff);
	ck_assert_msg(strstr(diff, "\n-\t# not understood: set marks { key type") != NULL, "%.3000s", diff);
	free(diff);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}
END_TEST

/* A set over many dump messages reads back whole (elements are read as
 * plain keys, in the kernel's descending order); an element with a comment
 * added by hand is read as its interval. */
START_TEST(big_set_reads_back)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary"), *live;
	struct fnft_error err = { 0 };
	struct fnft_ir_set *set = NULL;
	struct fnft_iv iv;
	size_t i;

	for (i = 0; i < plan->n_sets; i++)
		if (!strcmp(plan->sets[i].name, "browser_v4"))
			set = &plan->sets[i];
	ck_assert_ptr_nonnull(set);
	for (i = 0; i < 20000; i++) {	/* 10.64.0.0/26, 10.64.0.128/26, ... */
		memset(&iv, 0, sizeof(iv));
		iv.lo[0] = 10, iv.lo[1] = (uint8_t)(64 + i / 512);
		iv.lo[2] = (uint8_t)(i / 2 % 256), iv.lo[3] = (uint8_t)(i % 2 * 128);
		memcpy(iv.hi, iv.lo, 4);
		iv.hi[3] += 63;
		ck_assert_int_eq(fnft_ivlist_add(&set->elems, &iv), 0);
	}
	fnft_ivlist_normalize(&set->elems, FNFT_V4);
	ck_assert_uint_gt(set->elems.n, 20000);
	ck_assert_int_eq(fnft_apply(plan, &err), 0);
	live = read_live(true);
	ck_assert(fnft_ruleset_equal(plan, live));
	fnft_ruleset_free(live);

	ck_assert_int_eq(system("nft add element inet finesse browser_v4 "
				"'{ 198.51.100.0/24 comment \"by hand\" }'"), 0);
	live = read_live(true);
	memset(&iv, 0, sizeof(iv));
	iv.lo[0] = 198, iv.lo[1] = 51, iv.lo[2] = 100;
	memcpy(iv.hi, iv.lo, 4);
	iv.hi[3] = 255;
	ck_assert_int_eq(fnft_ivlist_add(&set->elems, &iv), 0);
	fnft_ivlist_normalize(&set->elems, FNFT_V4);
	ck_assert(fnft_ruleset_equal(plan, live));
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
}
END_TEST

/* One NEW* message of table inet finesse's @o into @buf at *off. */
#define PUT_MSG(buf, off, type, build, o)					\
	do {								\
		struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr((char *)(buf) + *(off), \
							     (type), NFPROTO_INET, 0, 1); \
		build(nlh, (o));					\
		*(off) += nlh->nlmsg_len;				\
	} while (0)

/*
 * What this test kernel cannot build (no NF_FLOW_TABLE, no LSM for a
 * secmark context), read from a dump as the kernel would send it: a
 * flowtable and a secmark are foreign objects, described in full, and a
 * table holding them is not the plan.
 */
START_TEST(flowtable_and_secmark_from_a_dump)
{
	static const char *devs[] = { "eth0", "eth1", NULL };
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary"), *live;
	struct nftnl_table *t = nftnl_table_alloc();
	struct nftnl_flowtable *f = nftnl_flowtable_alloc();
	struct fnft_error err = { 0 };
	struct fnft_dump *d = NULL;
	char *buf = calloc(1, 3 * MNL_SOCKET_BUFFER_SIZE), *diff = NULL;
	size_t off = 0;

	ck_assert(t && f && buf);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "finesse");
	nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	nftnl_flowtable_set_str(f, NFTNL_FLOWTABLE_TABLE, "finesse");
	nftnl_flowtable_set_str(f, NFTNL_FLOWTABLE_NAME, "ft");
	nftnl_flowtable_set_u32(f, NFTNL_FLOWTABLE_HOOKNUM, NF_NETDEV_INGRESS);
	nftnl_flowtable_set_s32(f, NFTNL_FLOWTABLE_PRIO, -5);
	nftnl_flowtable_set_array(f, NFTNL_FLOWTABLE_DEVICES, devs);
	nftnl_flowtable_set_u32(f, NFTNL_FLOWTABLE_FLAGS, NFT_FLOWTABLE_COUNTER);
	PUT_MSG(buf, &off, NFT_MSG_NEWTABLE, nftnl_table_nlmsg_build_payload, t);
	/* by hand: libnftnl 1.2.4 writes the context without its NUL, as
	 * the kernel does not */
	{
		struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf + off, NFT_MSG_NEWOBJ,
							     NFPROTO_INET, 0, 1);
		struct nlattr *nest;

		mnl_attr_put_strz(nlh, NFTA_OBJ_TABLE, "finesse");
		mnl_attr_put_strz(nlh, NFTA_OBJ_NAME, "sm");
		mnl_attr_put_u32(nlh, NFTA_OBJ_TYPE, htonl(NFT_OBJECT_SECMARK));
		nest = mnl_attr_nest_start(nlh, NFTA_OBJ_DATA);
		mnl_attr_put_strz(nlh, NFTA_SECMARK_CTX, "system_u:object_r:x_t:s0");
		mnl_attr_nest_end(nlh, nest);
		off += nlh->nlmsg_len;
	}
	PUT_MSG(buf, &off, NFT_MSG_NEWFLOWTABLE, nftnl_flowtable_nlmsg_build_payload, f);
	ck_assert_int_eq(fnft_dump_parse(buf, off, "finesse", &d), 0);
	ck_assert_msg(fnft_decode(d, &live, &err) == 0, "%s", err.message);
	ck_assert_uint_eq(live->n_objects, 2);
	ck_assert_int_eq(live->objects[0].kind, FNFT_IR_SECMARK);
	ck_assert_str_eq(live->objects[0].desc, "{ \"system_u:object_r:x_t:s0\" }");
	ck_assert_int_eq(live->objects[1].kind, FNFT_IR_FLOWTABLE);
	ck_assert_str_eq(live->objects[1].desc,
			 "{ hook ingress priority -5; devices = { \"eth0\", \"eth1\" }; flags counter; }");
	ck_assert(!fnft_ruleset_equal(live, plan));
	ck_assert_int_eq(fnft_ruleset_diff(live, plan, "live", "plan", &diff), 1);
	ck_assert_msg(strstr(diff, "\n-\tsecmark sm { \"system_u:object_r:x_t:s0\" }\n") &&
		      strstr(diff, "\n-\tflowtable ft { hook ingress"), "%.3000s", diff);
	free(diff);
	fnft_ruleset_free(live);
	fnft_ruleset_free(plan);
	fnft_dump_free(d);
	nftnl_table_free(t);
	nftnl_flowtable_free(f);
	free(buf);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("decode");
	int failed;

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	{
		int rc = tl_enter_netns();

		if (rc)
			return rc;
	}
	tcase_add_loop_test(tc, applied_reads_back_as_plan, 0, sizeof(sites) / sizeof(sites[0]));
	tcase_add_test(tc, missing_table);
	tcase_add_test(tc, drift_is_shown);
	tcase_add_test(tc, big_set_reads_back);
	tcase_add_test(tc, flowtable_and_secmark_from_a_dump);
	tcase_set_timeout(tc, 60);
	failed = tl_run("decode", tc, true);
	return failed;
}
