/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The fake kernel: the session's apply, patch, read, snapshot, restore and
 * remove against nf_tables in memory, unprivileged.  The batches are the
 * real ones and the dump replies go through the real parser, so what
 * passes here is what the library does against Linux, less the kernel.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include <finesse-nft/finesse-nft.h>

#include "batch.h"
#include "decode.h"
#include "encode.h"
#include "netlink.h"
#include "testlib.h"

static const char *golden_dir;

static struct fnft_kernel *fake(void)
{
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };

	ck_assert_msg(fnft_kernel_open_fake(NULL, &k, &err) == 0, "%s", err.message);
	return k;
}

/* A test's world: the built-in catalog, golden site primary, a fake. */
struct env {
	struct fnft_catalog *cat;
	struct fnft_site *s;
	struct fnft_kernel *k;
};

static void env_open(struct env *e)
{
	struct fnft_error err = { 0 };
	char path[512];

	ck_assert_int_eq(fnft_catalog_new_builtin(&e->cat, NULL), 0);
	snprintf(path, sizeof(path), "%s/primary.conf", golden_dir);
	ck_assert_msg(fnft_site_load(path, e->cat, &e->s, &err) == 0, "%s", err.message);
	e->k = fake();
}

static void env_close(struct env *e)
{
	fnft_kernel_free(e->k);
	fnft_site_free(e->s);
	fnft_catalog_free(e->cat);
}

/* The plan of the site as it is now. */
static struct fnft_ruleset *site_plan(const struct env *e)
{
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err = { 0 };

	ck_assert_msg(fnft_site_check(e->s, &err) == 0, "%s", err.message);
	ck_assert_msg(fnft_plan(e->cat, e->s, FNFT_ROLE_SITE, NULL, &rs, &err) == 0, "%s",
		      err.message);
	return rs;
}

/* The fake table equals @plan, read by a full dump. */
static void expect_table(struct fnft_kernel *k, const struct fnft_ruleset *plan)
{
	struct fnft_ruleset *live = NULL;
	struct fnft_error err = { 0 };
	char *diff = NULL;

	ck_assert_msg(fnft_kernel_read(k, FNFT_READ_VERIFY, &live, &err) == 0, "%s",
		      err.message);
	if (!plan) {
		ck_assert_ptr_null(live);
		return;
	}
	ck_assert_ptr_nonnull(live);
	if (!fnft_ruleset_equal(live, plan)) {
		fnft_ruleset_diff(plan, live, "plan", "fake", &diff);
		fprintf(stderr, "read back differs:\n%.3000s\n", diff ? diff : "?");
	}
	ck_assert_msg(fnft_ruleset_equal(live, plan), "read back differs (above)");
	fnft_ruleset_free(live);
}

static unsigned commits(const struct fnft_kernel *k)
{
	unsigned n = 0;

	ck_assert_int_eq(fnft_fake_commit_count(k, &n), 0);
	return n;
}

static uint32_t generation(struct fnft_kernel *k)
{
	uint32_t g = 0;

	ck_assert_int_eq(fnft_kernel_generation(k, &g, NULL), 0);
	return g;
}

/* Every golden site: applied whole, read back as planned, then in sync. */
START_TEST(golden_sites_read_back)
{
	DIR *d = opendir(golden_dir);
	struct dirent *e;
	unsigned sites = 0;

	ck_assert_ptr_nonnull(d);
	while ((e = readdir(d))) {
		size_t n = strlen(e->d_name);
		struct fnft_kernel *k = fake();
		struct fnft_apply_stats st;
		struct fnft_error err = { 0 };
		struct fnft_ruleset *rs;
		char name[256];

		if (n < 6 || strcmp(e->d_name + n - 5, ".conf") != 0) {
			fnft_kernel_free(k);
			continue;
		}
		snprintf(name, sizeof(name), "%.*s", (int)(n - 5), e->d_name);
		rs = tl_plan_golden(golden_dir, name);
		ck_assert_uint_eq(generation(k), 1);
		ck_assert_msg(fnft_kernel_apply(k, rs, &st, &err) == 0, "%s: %s", name,
			      err.message);
		ck_assert(!st.in_sync && !st.incremental && !st.counters_reset);
		ck_assert_uint_eq(st.generation, 2);
		ck_assert_uint_eq(generation(k), 2);
		expect_table(k, rs);
		/* again: found equal, nothing sent */
		ck_assert_int_eq(fnft_kernel_apply(k, rs, &st, &err), 0);
		ck_assert_msg(st.in_sync, "%s not in sync after its apply", name);
		ck_assert_uint_eq(st.messages, 0);
		ck_assert_uint_eq(commits(k), 1);
		fnft_ruleset_free(rs);
		fnft_kernel_free(k);
		sites++;
	}
	closedir(d);
	ck_assert_uint_ge(sites, 10);
}
END_TEST

/* One network more: sent as a patch of that set alone. */
START_TEST(one_network_is_a_patch)
{
	struct env e = { 0 };
	struct fnft_error err = { 0 };
	struct fnft_apply_stats st;
	struct fnft_ruleset *rs;
	const struct fnft_change *c;
	size_t before = 0, after = 0;
	char text[FNFT_NETSTRLEN];

	env_open(&e);
	rs = site_plan(&e);
	ck_assert_int_eq(fnft_kernel_apply(e.k, rs, &st, &err), 0);
	fnft_ruleset_free(rs);
	ck_assert_int_eq(fnft_fake_set_element_count(e.k, NULL, "browser_v4", &before), 0);
	ck_assert_uint_gt(before, 0);

	ck_assert_int_eq(fnft_site_add_group_address(e.s, "browser", "10.40.0.0/16", &err), 0);
	rs = site_plan(&e);
	ck_assert_msg(fnft_kernel_apply(e.k, rs, &st, &err) == 0, "%s", err.message);
	ck_assert(!st.in_sync && st.incremental && !st.counters_reset);
	/* begin, one NEWSETELEM, end */
	ck_assert_uint_eq(st.messages, 3);
	ck_assert_uint_eq(st.generation, 3);
	ck_assert_uint_eq(fnft_kernel_change_count(e.k), 1);
	c = fnft_kernel_change(e.k, 0);
	ck_assert_int_eq(c->kind, FNFT_CHANGE_ELEMENTS_ADDED);
	ck_assert_str_eq(c->name, "browser_v4");
	ck_assert_uint_eq(c->count, 1);
	ck_assert_int_eq(fnft_kernel_change_interval(e.k, 0, 0, text, sizeof(text)), 0);
	ck_assert_str_eq(text, "10.40.0.0/16");
	/* a start and an end element more, in the fake's own set */
	ck_assert_int_eq(fnft_fake_set_element_count(e.k, NULL, "browser_v4", &after), 0);
	ck_assert_uint_eq(after, before + 2);
	expect_table(e.k, rs);
	fnft_ruleset_free(rs);

	/* and out again */
	ck_assert_int_eq(fnft_site_remove_group_address(e.s, "browser", "10.40.0.0/16", &err), 0);
	rs = site_plan(&e);
	ck_assert_int_eq(fnft_kernel_apply(e.k, rs, &st, &err), 0);
	ck_assert(st.incremental);
	ck_assert_int_eq(fnft_kernel_change(e.k, 0)->kind, FNFT_CHANGE_ELEMENTS_REMOVED);
	ck_assert_int_eq(fnft_fake_set_element_count(e.k, NULL, "browser_v4", &after), 0);
	ck_assert_uint_eq(after, before);
	expect_table(e.k, rs);
	ck_assert_int_eq(fnft_fake_set_element_count(e.k, NULL, "no_such_set", &after), -ENOENT);
	ck_assert_int_eq(fnft_fake_set_element_count(e.k, "no_such_table", "browser_v4", &after),
			 -ENOENT);
	fnft_ruleset_free(rs);
	env_close(&e);
}
END_TEST

/* Rules back in the middle of a chain: a patch with positions, read back
 * in the planned order; the counters of the others kept. */
START_TEST(rules_go_where_planned)
{
	struct env e = { 0 };
	struct fnft_error err = { 0 };
	struct fnft_apply_stats st;
	struct fnft_ruleset *full, *fewer;
	size_t i, added = 0;

	env_open(&e);
	full = site_plan(&e);
	ck_assert_int_eq(fnft_site_disable_row(e.s, "tomcat.https", &err), 0);
	ck_assert_int_eq(fnft_site_disable_row(e.s, "notification.xmpp", &err), 0);
	fewer = site_plan(&e);
	ck_assert_int_eq(fnft_kernel_apply(e.k, fewer, NULL, &err), 0);
	expect_table(e.k, fewer);
	ck_assert_msg(fnft_kernel_apply(e.k, full, &st, &err) == 0, "%s", err.message);
	ck_assert(st.incremental && !st.counters_reset);
	for (i = 0; i < fnft_kernel_change_count(e.k); i++) {
		ck_assert_int_eq(fnft_kernel_change(e.k, i)->kind, FNFT_CHANGE_RULE_ADDED);
		added++;
	}
	ck_assert_uint_ge(added, 4);
	expect_table(e.k, full);
	/* and out again: by handle */
	ck_assert_int_eq(fnft_kernel_apply(e.k, fewer, &st, &err), 0);
	ck_assert(st.incremental);
	expect_table(e.k, fewer);
	fnft_ruleset_free(full);
	fnft_ruleset_free(fewer);
	env_close(&e);
}
END_TEST

/* Someone else committed between our read and our batch: -EAGAIN, and
 * nothing of ours is in the table. */
START_TEST(generation_conflict)
{
	struct env e = { 0 };
	struct fnft_error err = { 0 };
	struct fnft_snapshot *snap = NULL;
	struct fnft_ruleset *first, *second;
	struct fnft_apply_stats st;

	env_open(&e);
	first = site_plan(&e);
	ck_assert_int_eq(fnft_kernel_apply(e.k, first, NULL, &err), 0);
	ck_assert_int_eq(fnft_site_add_group_address(e.s, "browser", "10.40.0.0/16", &err), 0);
	second = site_plan(&e);

	ck_assert_int_eq(fnft_fake_race_next_batch(e.k), 0);
	ck_assert_int_eq(fnft_kernel_apply(e.k, second, &st, &err), -EAGAIN);
	ck_assert_ptr_nonnull(strstr(err.message, "nothing was applied"));
	ck_assert_uint_eq(commits(e.k), 1);
	ck_assert_uint_eq(generation(e.k), 3);	/* the other writer's commit */
	expect_table(e.k, first);
	/* the race was for one batch: the retry goes through */
	ck_assert_int_eq(fnft_kernel_apply(e.k, second, &st, &err), 0);
	ck_assert(st.incremental);
	expect_table(e.k, second);

	/* apply over a snapshot someone committed after: refused before
	 * anything is sent */
	ck_assert_int_eq(fnft_kernel_snapshot(e.k, &snap, &err), 0);
	ck_assert_uint_eq(fnft_snapshot_generation(snap), generation(e.k));
	ck_assert_int_eq(fnft_fake_bump_generation(e.k), 0);
	ck_assert_int_eq(fnft_kernel_apply_over(e.k, snap, first, NULL, &err), -EAGAIN);
	expect_table(e.k, second);
	ck_assert_uint_eq(commits(e.k), 2);
	fnft_snapshot_free(snap);
	fnft_ruleset_free(first);
	fnft_ruleset_free(second);
	env_close(&e);
}
END_TEST

/* A refused message names its row, set or chain; nothing is applied. */
START_TEST(refusal_names_the_object)
{
	struct env e = { 0 };
	struct fnft_error err = { 0 };
	struct fnft_ruleset *rs;

	env_open(&e);
	rs = site_plan(&e);

	ck_assert_int_eq(fnft_fake_refuse(e.k, "tomcat.https", EINVAL), 0);
	ck_assert_int_eq(fnft_kernel_apply(e.k, rs, NULL, &err), -EINVAL);
	ck_assert_str_eq(err.object, "tomcat.https");
	ck_assert_msg(strstr(err.message, "rule 'tomcat.https' in chain input"), "%s",
		      err.message);
	ck_assert_uint_eq(commits(e.k), 0);
	expect_table(e.k, NULL);

	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(fnft_fake_refuse(e.k, "browser_v4", -ENOSPC), 0);
	ck_assert_int_eq(fnft_kernel_apply(e.k, rs, NULL, &err), -ENOSPC);
	ck_assert_str_eq(err.object, "browser_v4");
	ck_assert_msg(strstr(err.message, "set browser_v4"), "%s", err.message);
	expect_table(e.k, NULL);

	/* a commit that fails: the batch as a whole */
	memset(&err, 0, sizeof(err));
	ck_assert_int_eq(fnft_fake_fail_commit(e.k, ENOMEM), 0);
	ck_assert_int_eq(fnft_kernel_apply(e.k, rs, NULL, &err), -ENOMEM);
	ck_assert_ptr_nonnull(strstr(err.message, "refused"));
	expect_table(e.k, NULL);
	ck_assert_uint_eq(generation(e.k), 1);

	/* the faults were for one batch each */
	ck_assert_int_eq(fnft_kernel_apply(e.k, rs, NULL, &err), 0);
	expect_table(e.k, rs);
	ck_assert_uint_eq(generation(e.k), 2);
	fnft_ruleset_free(rs);
	env_close(&e);
}
END_TEST

/* Snapshot, change, restore: the table as it was; of no table: none. */
START_TEST(snapshot_restore_round_trip)
{
	struct env e = { 0 };
	struct fnft_error err = { 0 };
	struct fnft_snapshot *none = NULL, *snap = NULL;
	struct fnft_ruleset *first, *second;
	char *overwritten = NULL;

	env_open(&e);
	ck_assert_int_eq(fnft_kernel_snapshot(e.k, &none, &err), 0);
	ck_assert(fnft_snapshot_absent(none));

	first = site_plan(&e);
	ck_assert_int_eq(fnft_kernel_apply(e.k, first, NULL, &err), 0);
	ck_assert_int_eq(fnft_kernel_snapshot(e.k, &snap, &err), 0);
	ck_assert(!fnft_snapshot_absent(snap));

	ck_assert_int_eq(fnft_site_add_group_address(e.s, "browser", "10.40.0.0/16", &err), 0);
	ck_assert_int_eq(fnft_site_disable_row(e.s, "tomcat.https", &err), 0);
	second = site_plan(&e);
	ck_assert_int_eq(fnft_kernel_apply_over(e.k, snap, second, NULL, &err), 0);
	expect_table(e.k, second);

	/* a restore retries a race by someone else */
	ck_assert_int_eq(fnft_fake_race_next_batch(e.k), 0);
	ck_assert_msg(fnft_kernel_restore(e.k, snap, &overwritten, &err) == 0, "%s",
		      err.message);
	/* no state file: what was overwritten is told as the whole table */
	ck_assert_ptr_nonnull(overwritten);
	free(overwritten);
	expect_table(e.k, first);

	/* the restored table takes a patch as the applied one did */
	{
		struct fnft_apply_stats st;

		ck_assert_int_eq(fnft_kernel_apply(e.k, second, &st, &err), 0);
		ck_assert(st.incremental);
		expect_table(e.k, second);
	}
	ck_assert_int_eq(fnft_kernel_restore(e.k, none, NULL, &err), 0);
	expect_table(e.k, NULL);
	fnft_snapshot_free(none);
	fnft_snapshot_free(snap);
	fnft_ruleset_free(first);
	fnft_ruleset_free(second);
	env_close(&e);
}
END_TEST

START_TEST(remove_table)
{
	struct fnft_kernel *k = fake();
	struct fnft_error err = { 0 };
	struct fnft_ruleset *rs = tl_plan_golden(golden_dir, "primary");

	/* a missing table is not an error */
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	ck_assert_int_eq(fnft_kernel_apply(k, rs, NULL, &err), 0);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	ck_assert_uint_eq(fnft_kernel_change_count(k), 1);
	ck_assert_int_eq(fnft_kernel_change(k, 0)->kind, FNFT_CHANGE_TABLE_REMOVED);
	expect_table(k, NULL);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	ck_assert_uint_eq(commits(k), 4);
	fnft_ruleset_free(rs);
	fnft_kernel_free(k);
}
END_TEST

/* Two fakes are two rulesets; the controls want a fake. */
START_TEST(fakes_are_apart)
{
	struct fnft_kernel *a = fake(), *b = fake(), *other = NULL;
	struct fnft_ruleset *rs = tl_plan_golden(golden_dir, "primary");
	struct fnft_error err = { 0 };
	unsigned n;
	size_t count;

	ck_assert_int_eq(fnft_kernel_apply(a, rs, NULL, &err), 0);
	expect_table(b, NULL);
	ck_assert_str_ne(fnft_kernel_id(a), fnft_kernel_id(b));
	ck_assert_int_eq(fnft_kernel_open_fake("bad name!", &other, &err), -EINVAL);
	ck_assert_ptr_null(other);
	ck_assert_int_eq(fnft_fake_commit_count(NULL, &n), -EINVAL);
	ck_assert_int_eq(fnft_fake_bump_generation(NULL), -EINVAL);
	ck_assert_int_eq(fnft_fake_race_next_batch(NULL), -EINVAL);
	ck_assert_int_eq(fnft_fake_fail_commit(a, 0), -EINVAL);
	ck_assert_int_eq(fnft_fake_refuse(a, NULL, EINVAL), -EINVAL);
	ck_assert_int_eq(fnft_fake_set_element_count(a, NULL, NULL, &count), -EINVAL);
	/* a real session is no fake (opening its socket needs no privilege) */
	if (fnft_kernel_open(NULL, &other, NULL) == 0) {
		ck_assert_int_eq(fnft_fake_bump_generation(other), -EINVAL);
		ck_assert_int_eq(fnft_fake_commit_count(other, &n), -EINVAL);
		fnft_kernel_free(other);
	}
	fnft_ruleset_free(rs);
	fnft_kernel_free(a);
	fnft_kernel_free(b);
}
END_TEST

/* ---- the kernel's rules, message by message ---- */

/* A NEWTABLE of table inet @name with netlink @flags into @b. */
static void put_table(struct fnft_batch *b, const char *name, uint16_t flags)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;

	memset(buf, 0, sizeof(buf));
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, name);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, NFPROTO_INET, flags, 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	ck_assert_int_eq(fnft_batch_put_msg(b, nlh), 0);
}

/* Send @b through a fake socket: 0, or the refusal's errno into @err. */
static int send_batch(struct fnft_nl *nl, struct fnft_batch *b, struct fnft_error *err)
{
	struct fnft_ack ack;

	ck_assert_int_eq(fnft_batch_end(b), 0);
	ck_assert_int_eq(fnft_nl_send(nl, b, &ack), 0);
	return ack.error ? fnft_batch_refusal(b, &ack, err) : 0;
}

START_TEST(kernel_rules)
{
	struct fnft_nl *nl = NULL;
	struct fnft_batch *b;
	struct fnft_error err = { 0 };
	struct fnft_dump *d = NULL;
	uint32_t g = 0;

	ck_assert_int_eq(fnft_nl_open_fake(NULL, &nl, NULL), 0);
	ck_assert_ptr_nonnull(fnft_nl_fake(nl));

	/* an exclusive create of an existing table: EEXIST on it */
	b = fnft_batch_new(fnft_nl_next_seq(nl));
	ck_assert_int_eq(fnft_batch_begin(b, 0), 0);
	put_table(b, "t", NLM_F_CREATE);
	put_table(b, "t", NLM_F_CREATE | NLM_F_EXCL);
	ck_assert_int_eq(send_batch(nl, b, &err), -EEXIST);
	ck_assert_str_eq(err.object, "t");
	ck_assert_ptr_nonnull(strstr(err.message, "table inet t"));
	fnft_batch_free(b);

	/* ...and nothing of that batch stayed */
	ck_assert_int_eq(fnft_nl_dump(nl, "t", true, &d, NULL), 0);
	ck_assert_ptr_null(d->table);
	fnft_dump_free(d);

	/* a delete of a missing table: ENOENT */
	b = fnft_batch_new(fnft_nl_next_seq(nl));
	ck_assert_int_eq(fnft_batch_begin(b, 0), 0);
	ck_assert_int_eq(fnft_batch_table_del(b, "t"), 0);
	ck_assert_int_eq(send_batch(nl, b, &err), -ENOENT);
	fnft_batch_free(b);

	/* the generation guard */
	ck_assert_int_eq(fnft_nl_genid(nl, &g, NULL), 0);
	ck_assert_uint_eq(g, 1);
	b = fnft_batch_new(fnft_nl_next_seq(nl));
	ck_assert_int_eq(fnft_batch_begin(b, g + 7), 0);
	put_table(b, "t", NLM_F_CREATE);
	ck_assert_int_eq(send_batch(nl, b, &err), -EAGAIN);
	fnft_batch_free(b);
	b = fnft_batch_new(fnft_nl_next_seq(nl));
	ck_assert_int_eq(fnft_batch_begin(b, g), 0);
	put_table(b, "t", NLM_F_CREATE);
	put_table(b, "t", 0);	/* an existing table, no EXCL: left be */
	ck_assert_int_eq(send_batch(nl, b, &err), 0);
	fnft_batch_free(b);
	ck_assert_int_eq(fnft_nl_genid(nl, &g, NULL), 0);
	ck_assert_uint_eq(g, 2);
	ck_assert_int_eq(fnft_nl_dump(nl, "t", true, &d, NULL), 0);
	ck_assert_ptr_nonnull(d->table);
	ck_assert_uint_eq(d->genid, 2);
	ck_assert_str_eq(nftnl_table_get_str(d->table, NFTNL_TABLE_NAME), "t");
	ck_assert(nftnl_table_is_set(d->table, NFTNL_TABLE_HANDLE));
	fnft_dump_free(d);

	/* what the fake does not model, it says so, in the kernel's
	 * extended-ack text */
	{
		char buf[MNL_SOCKET_BUFFER_SIZE];
		struct nlmsghdr *nlh;

		memset(buf, 0, sizeof(buf));
		nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_DELCHAIN, NFPROTO_INET, 0, 0);
		mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "t");
		mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "c");
		b = fnft_batch_new(fnft_nl_next_seq(nl));
		ck_assert_int_eq(fnft_batch_begin(b, 0), 0);
		ck_assert_int_eq(fnft_batch_put_msg(b, nlh), 0);
		ck_assert_int_eq(send_batch(nl, b, &err), -EOPNOTSUPP);
		ck_assert_msg(strstr(err.message, "(the fake kernel does not model this message)"),
			      "%s", err.message);
		fnft_batch_free(b);
	}
	fnft_nl_close(nl);
}
END_TEST

/* Send @b: refused with @error, naming @object, its message holding @text. */
static void expect_refused(struct fnft_batch *b, struct fnft_nl *nl, int error,
			   const char *object, const char *text)
{
	struct fnft_error err = { 0 };

	ck_assert_int_eq(send_batch(nl, b, &err), error);
	ck_assert_str_eq(err.object, object);
	ck_assert_msg(strstr(err.message, text), "%s", err.message);
	fnft_batch_free(b);
}

static struct fnft_batch *batch_at(struct fnft_nl *nl)
{
	struct fnft_batch *b = fnft_batch_new(fnft_nl_next_seq(nl));
	uint32_t g = 0;

	ck_assert_int_eq(fnft_nl_genid(nl, &g, NULL), 0);
	ck_assert_int_eq(fnft_batch_begin(b, g), 0);
	return b;
}

/* Missing sets, elements and rules: ENOENT; overlapping intervals:
 * EEXIST; each on the message about them. */
START_TEST(missing_objects)
{
	struct fnft_ruleset *rs = tl_plan_golden(golden_dir, "primary");
	struct fnft_msg_ref set = { .kind = FNFT_OBJ_ELEMS, .name = "browser_v4",
				    .rule_index = FNFT_NO_RULE };
	struct fnft_msg_ref rule = { .kind = FNFT_OBJ_RULE, .name = "tomcat.https",
				     .chain = "input", .rule_index = FNFT_NO_RULE };
	static const uint8_t key[4] = { 192, 0, 2, 0 };
	struct fnft_nl *nl = NULL;
	struct fnft_batch *b = NULL;
	struct fnft_elems w;
	struct fnft_ack ack;

	ck_assert_int_eq(fnft_nl_open_fake(NULL, &nl, NULL), 0);
	ck_assert_int_eq(fnft_encode_replace(rs, 1, fnft_nl_next_seq(nl), &b), 0);
	ck_assert_int_eq(fnft_nl_send(nl, b, &ack), 0);
	ck_assert_int_eq(ack.error, 0);
	fnft_batch_free(b);

	/* an element the set does not hold */
	b = batch_at(nl);
	fnft_elems_init(&w, b, NFT_MSG_DELSETELEM, "finesse", "browser_v4", 0, &set);
	ck_assert_int_eq(fnft_elems_key(&w, key, sizeof(key), 0, false), 0);
	ck_assert_int_eq(fnft_elems_close(&w), 0);
	expect_refused(b, nl, -ENOENT, "browser_v4", "the removed elements of set browser_v4");

	/* elements of a set the table does not have */
	set.name = "nosuch_v4";
	b = batch_at(nl);
	fnft_elems_init(&w, b, NFT_MSG_NEWSETELEM, "finesse", "nosuch_v4", 0, &set);
	ck_assert_int_eq(fnft_elems_key(&w, key, sizeof(key), 0, false), 0);
	ck_assert_int_eq(fnft_elems_close(&w), 0);
	expect_refused(b, nl, -ENOENT, "nosuch_v4", "the elements of set nosuch_v4");

	/* an interval inside one the set holds (10.20.0.0/16): EEXIST */
	{
		static const uint8_t lo[4] = { 10, 20, 128, 0 }, hi[4] = { 10, 20, 129, 0 };

		set.name = "browser_v4";
		b = batch_at(nl);
		fnft_elems_init(&w, b, NFT_MSG_NEWSETELEM, "finesse", "browser_v4", 0, &set);
		ck_assert_int_eq(fnft_elems_key(&w, lo, sizeof(lo), 0, false), 0);
		ck_assert_int_eq(fnft_elems_key(&w, hi, sizeof(hi), NFT_SET_ELEM_INTERVAL_END,
						false), 0);
		ck_assert_int_eq(fnft_elems_close(&w), 0);
		expect_refused(b, nl, -EEXIST, "browser_v4", "the elements of set browser_v4");
	}

	/* a rule by a handle no rule has */
	b = batch_at(nl);
	ck_assert_int_eq(fnft_batch_rule_del(b, "finesse", "input", 999999, &rule), 0);
	expect_refused(b, nl, -ENOENT, "tomcat.https",
		       "the removal of rule 'tomcat.https' in chain input");

	/* the refused batches left the table and its generation */
	{
		struct fnft_dump *d = NULL;
		struct fnft_ruleset *live = NULL;

		ck_assert_int_eq(fnft_nl_dump(nl, "finesse", true, &d, NULL), 0);
		ck_assert_uint_eq(d->genid, 2);
		ck_assert_int_eq(fnft_decode(d, &live, NULL), 0);
		ck_assert(fnft_ruleset_equal(live, rs));
		fnft_ruleset_free(live);
		fnft_dump_free(d);
	}
	fnft_ruleset_free(rs);
	fnft_nl_close(nl);
}
END_TEST

/* A snapshot saved to a file recreates the table in another fake. */
START_TEST(snapshot_moves_between_fakes)
{
	struct fnft_kernel *a = fake(), *b = fake();
	struct fnft_ruleset *rs = tl_plan_golden(golden_dir, "primary");
	struct fnft_snapshot *snap = NULL, *loaded = NULL;
	struct fnft_error err = { 0 };
	char dir[] = "/tmp/fnft-fake-XXXXXX", path[64];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/snap", dir);
	ck_assert_int_eq(fnft_kernel_apply(a, rs, NULL, &err), 0);
	ck_assert_int_eq(fnft_kernel_snapshot(a, &snap, &err), 0);
	ck_assert_msg(fnft_snapshot_save(snap, path, &err) == 0, "%s", err.message);
	ck_assert_msg(fnft_snapshot_load(path, &loaded, &err) == 0, "%s", err.message);
	ck_assert_int_eq(fnft_kernel_restore(b, loaded, NULL, &err), 0);
	expect_table(b, rs);
	unlink(path);
	rmdir(dir);
	fnft_snapshot_free(snap);
	fnft_snapshot_free(loaded);
	fnft_ruleset_free(rs);
	fnft_kernel_free(a);
	fnft_kernel_free(b);
}
END_TEST

/* Two sessions on one fake: one ruleset, one generation, two sockets. */
START_TEST(peers_share_the_kernel)
{
	struct env e = { 0 };
	struct fnft_kernel *other = NULL;
	struct fnft_error err = { 0 };
	struct fnft_apply_stats st;
	struct fnft_snapshot *snap = NULL;
	struct fnft_ruleset *mine, *theirs;
	char *overwritten = NULL;

	env_open(&e);
	ck_assert_int_eq(fnft_kernel_open_fake_peer(e.k, NULL, &other, &err), 0);
	ck_assert_str_eq(fnft_kernel_id(other), fnft_kernel_id(e.k));
	mine = site_plan(&e);
	ck_assert_int_eq(fnft_site_add_group_address(e.s, "browser", "10.40.0.0/16", &err), 0);
	theirs = site_plan(&e);

	ck_assert_int_eq(fnft_kernel_apply(e.k, mine, NULL, &err), 0);
	expect_table(other, mine);
	ck_assert_int_eq(fnft_kernel_snapshot(e.k, &snap, &err), 0);
	/* the other writer commits: our snapshot's generation is gone */
	ck_assert_int_eq(fnft_kernel_apply(other, theirs, &st, &err), 0);
	ck_assert(st.incremental);
	ck_assert_uint_eq(generation(e.k), 3);
	ck_assert_int_eq(fnft_kernel_apply_over(e.k, snap, mine, NULL, &err), -EAGAIN);
	expect_table(e.k, theirs);
	/* a restore puts ours back, and says what it overwrote */
	ck_assert_int_eq(fnft_kernel_restore(e.k, snap, &overwritten, &err), 0);
	ck_assert_ptr_nonnull(overwritten);
	ck_assert_msg(strstr(overwritten, "10.40.0.0/16"), "%s", overwritten);
	free(overwritten);
	expect_table(other, mine);
	/* faults are the kernel's: set on one, met by the other */
	ck_assert_int_eq(fnft_fake_fail_commit(e.k, EIO), 0);
	ck_assert_int_eq(fnft_kernel_apply(other, theirs, NULL, &err), -EIO);
	ck_assert_int_eq(fnft_kernel_remove(other, &err), 0);
	expect_table(e.k, NULL);
	ck_assert_int_eq(fnft_kernel_open_fake_peer(NULL, NULL, &other, NULL), -EINVAL);
	fnft_snapshot_free(snap);
	fnft_ruleset_free(mine);
	fnft_ruleset_free(theirs);
	/* the fake lives on with the peer */
	fnft_kernel_free(other);
	ck_assert_uint_eq(commits(e.k), 4);
	env_close(&e);
}
END_TEST

/* A NEWTABLE of table "owned" with the owner flag from the fake socket
 * @nl: taken (0) or refused with @want. */
static void put_owned_table(struct fnft_nl *nl, int want)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	struct fnft_batch *b = batch_at(nl);
	struct fnft_error err = { 0 };

	memset(buf, 0, sizeof(buf));
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, "owned");
	nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS, NFT_TABLE_F_OWNER);
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_NEWTABLE, NFPROTO_INET, NLM_F_CREATE, 0);
	nftnl_table_nlmsg_build_payload(nlh, t);
	nftnl_table_free(t);
	ck_assert_int_eq(fnft_batch_put_msg(b, nlh), 0);
	ck_assert_int_eq(send_batch(nl, b, &err), want);
	fnft_batch_free(b);
}

/* The owner flag: the creator's socket alone changes it, and takes it along. */
START_TEST(owner_flag)
{
	struct fnft_nl *a = NULL, *b = NULL;
	struct fnft_dump *d = NULL;
	struct fnft_batch *del;
	struct fnft_error err = { 0 };

	ck_assert_int_eq(fnft_nl_open_fake(NULL, &a, NULL), 0);
	ck_assert_int_eq(fnft_nl_open_fake(a, &b, NULL), 0);
	put_owned_table(a, 0);
	put_owned_table(a, 0);	/* its owner may */
	put_owned_table(b, -EPERM);
	del = batch_at(b);
	ck_assert_int_eq(fnft_batch_table_del(del, "owned"), 0);
	ck_assert_int_eq(send_batch(b, del, &err), -EPERM);
	fnft_batch_free(del);
	ck_assert_int_eq(fnft_nl_dump(b, "owned", false, &d, NULL), 0);
	ck_assert_ptr_nonnull(d->table);
	ck_assert(nftnl_table_get_u32(d->table, NFTNL_TABLE_FLAGS) & NFT_TABLE_F_OWNER);
	fnft_dump_free(d);
	/* the owner goes: the table too, and the generation moves */
	fnft_nl_close(a);
	ck_assert_int_eq(fnft_nl_dump(b, "owned", false, &d, NULL), 0);
	ck_assert_ptr_null(d->table);
	ck_assert_uint_eq(d->genid, 4);
	fnft_dump_free(d);
	fnft_nl_close(b);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("fake");

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, golden_sites_read_back);
	tcase_add_test(tc, one_network_is_a_patch);
	tcase_add_test(tc, rules_go_where_planned);
	tcase_add_test(tc, generation_conflict);
	tcase_add_test(tc, refusal_names_the_object);
	tcase_add_test(tc, snapshot_restore_round_trip);
	tcase_add_test(tc, remove_table);
	tcase_add_test(tc, fakes_are_apart);
	tcase_add_test(tc, kernel_rules);
	tcase_add_test(tc, missing_objects);
	tcase_add_test(tc, snapshot_moves_between_fakes);
	tcase_add_test(tc, peers_share_the_kernel);
	tcase_add_test(tc, owner_flag);
	return tl_run("fake", tc, false);
}
