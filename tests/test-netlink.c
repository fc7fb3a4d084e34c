/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The netlink module against the kernel, in a network namespace of its own:
 * the generation guard refuses a stale batch whole, and a refused message
 * is reported against the row it came from, leaving the old table intact.
 */
#include <check.h>
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

#include "testlib.h"

#include "encode.h"
#include "ir.h"
#include "netlink.h"

static struct fnft_catalog *cat;
static struct fnft_site *site;

static struct fnft_ruleset *plan(enum fnft_role role)
{
	struct fnft_ruleset *rs = NULL;

	ck_assert_int_eq(fnft_plan(cat, site, role, NULL, &rs, NULL), 0);
	return rs;
}

/* Send @b; a refusal described as the library describes it. */
static int commit_batch(struct fnft_nl *nl, struct fnft_batch *b, struct fnft_error *err)
{
	struct fnft_ack ack;
	int rc = fnft_nl_send(nl, b, &ack);

	if (rc)
		return rc;
	return ack.error ? fnft_batch_refusal(b, &ack, err) : 0;
}

/* `nft list table inet finesse`, or "" when it is missing. */
static int run(const char *cmd)
{
	return system(cmd);
}

START_TEST(stale_generation_is_refused_whole)
{
	struct fnft_ruleset *rs = plan(FNFT_ROLE_PRIMARY);
	struct fnft_error err = { 0 };
	struct fnft_batch *b = NULL;
	struct fnft_nl *nl = NULL;
	uint32_t genid;
	char *after;

	run("nft delete table inet finesse 2>/dev/null");
	ck_assert_int_eq(fnft_nl_open(&nl, &err), 0);
	ck_assert_int_eq(fnft_nl_genid(nl, &genid, &err), 0);
	/* someone else changes the ruleset between our read and our batch */
	ck_assert_int_eq(run("nft add table ip intruder"), 0);
	ck_assert_int_eq(fnft_encode_replace(rs, genid, fnft_nl_next_seq(nl), &b), 0);
	ck_assert_int_eq(commit_batch(nl, b, &err), -EAGAIN);
	ck_assert_str_eq(err.message,
			 "the ruleset changed while we were working; nothing was applied; run again");
	after = tl_list_table();
	ck_assert_str_eq(after, "");
	free(after);
	/* with the current generation it goes through */
	fnft_batch_free(b);
	ck_assert_int_eq(fnft_nl_genid(nl, &genid, &err), 0);
	ck_assert_int_eq(fnft_encode_replace(rs, genid, fnft_nl_next_seq(nl), &b), 0);
	ck_assert_int_eq(commit_batch(nl, b, &err), 0);
	after = tl_list_table();
	ck_assert_ptr_nonnull(strstr(after, "comment \"tomcat.https\""));
	free(after);
	fnft_batch_free(b);
	fnft_nl_close(nl);
	fnft_ruleset_free(rs);
	run("nft delete table ip intruder");
}
END_TEST

/* Rename set @from to @to, with every rule that looks it up. */
static void rename_set(struct fnft_ruleset *rs, const char *from, const char *to)
{
	size_t i, c;

	for (i = 0; i < rs->n_sets; i++)
		if (strcmp(rs->sets[i].name, from) == 0) {
			free(rs->sets[i].name);
			rs->sets[i].name = strdup(to);
		}
	for (c = 0; c < rs->n_chains; c++)
		for (i = 0; i < rs->chains[c].n_rules; i++) {
			struct fnft_ir_rule *r = &rs->chains[c].rules[i];

			if (r->set && strcmp(r->set, from) == 0) {
				free(r->set);
				r->set = strdup(to);
			}
		}
}

START_TEST(refused_object_is_named_and_old_table_stays)
{
	struct fnft_ruleset *good = plan(FNFT_ROLE_PRIMARY);
	struct fnft_ruleset *bad = plan(FNFT_ROLE_SECONDARY);
	struct fnft_error err = { 0 };
	char name[301], want[512];
	char *before, *after;

	ck_assert_int_eq(fnft_apply(good, &err), 0);
	before = tl_list_table();
	ck_assert_ptr_nonnull(strstr(before, "finesse-nft primary"));

	/* a set name past the kernel's 255 bytes: the kernel refuses it */
	memset(name, 'b', 300);
	name[300] = '\0';
	rename_set(bad, "browser_v6", name);
	ck_assert_int_lt(fnft_apply(bad, &err), 0);
	ck_assert_int_ne(err.code, -EAGAIN);
	ck_assert_int_eq(strncmp(err.object, name, sizeof(err.object) - 1), 0);
	snprintf(want, sizeof(want), "the kernel refused set %s, in its name: ", name);
	ck_assert_msg(strncmp(err.message, want, strlen(want)) == 0, "message: %s",
		      err.message);
	ck_assert_msg(strstr(err.message, "(Attribute failed policy validation)") != NULL,
		      "the kernel's own words are missing: %s", err.message);

	after = tl_list_table();
	ck_assert_str_eq(after, before);
	free(before);
	free(after);
	fnft_ruleset_free(good);
	fnft_ruleset_free(bad);
}
END_TEST

START_TEST(remove_only_ours)
{
	struct fnft_ruleset *rs = plan(FNFT_ROLE_PRIMARY);
	struct fnft_error err = { 0 };
	char *after;

	ck_assert_int_eq(run("nft add table ip6 finesse"), 0);
	ck_assert_int_eq(fnft_apply(rs, &err), 0);
	ck_assert_int_eq(fnft_remove(NULL, &err), 0);
	ck_assert_int_eq(fnft_remove(NULL, &err), 0);	/* missing: fine */
	after = tl_list_table();
	ck_assert_str_eq(after, "");
	free(after);
	ck_assert_int_eq(run("nft list table ip6 finesse >/dev/null"), 0);
	ck_assert_int_eq(fnft_remove("bad name", &err), -EINVAL);
	fnft_ruleset_free(rs);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("netlink");
	const char *site_path = argc > 1 ? argv[1] : "examples/site.conf";
	int failed;

	{
		int rc = tl_enter_netns();

		if (rc)
			return rc;
	}
	if (fnft_catalog_new_builtin(&cat, NULL) < 0 ||
	    fnft_site_load(site_path, cat, &site, NULL) < 0) {
		fprintf(stderr, "cannot load %s\n", site_path);
		return EXIT_FAILURE;
	}
	tcase_add_test(tc, stale_generation_is_refused_whole);
	tcase_add_test(tc, refused_object_is_named_and_old_table_stays);
	tcase_add_test(tc, remove_only_ours);
	tcase_set_timeout(tc, 30);
	failed = tl_run("netlink", tc, true);
	fnft_site_free(site);
	fnft_catalog_free(cat);
	return failed;
}
