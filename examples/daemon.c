/* SPDX-License-Identifier: CC0-1.0 */
/*
 * A provisioning daemon's use of libfinesse-nft, through the public API
 * alone (pkg-config finesse-nft), in the order a daemon does it:
 *
 *   1. build the site from data it holds (no INI text): cluster, policy,
 *      groups and their networks, one row of its own;
 *   2. apply it with a confirm deadline, check that the node is still
 *      reachable (here: that the table is what was planned), confirm;
 *   3. add one network to a group and apply again (a patch of one set);
 *   4. print the apply report and the per-row counters, as data;
 *   5. retry an apply that lost a race with another writer (-EAGAIN);
 *   6. free everything.
 *
 *   daemon [--table NAME] [--state-dir DIR] [--run-dir DIR] [--watchdog PATH]
 *
 * --state-dir: where the kernel session keeps its state file (default
 * /var/lib/finesse-nft); --run-dir: the pending files (default
 * /run/finesse-nft); --watchdog: the confirm watchdog program (default:
 * the one installed with the library; a build tree passes its own).
 *
 * Exit codes: 0 done, 1 an error (printed), 4 a conflict that retries did
 * not resolve.  Strict C99.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

/* What the daemon's inventory says; in real life, from its database. */
struct net { const char *group, *address; };

static const struct net inventory[] = {
	{ "browser", "10.20.0.0/16" },
	{ "browser", "2001:db8:20::/48" },
	{ "agent-desktop", "10.20.0.0/16" },
	{ "awdb", "10.0.1.21" },
	{ "cti-a", "10.0.2.31" },
	{ "cti-b", "10.0.2.32" },
	{ "web-server", "192.0.2.80" },
	{ "admin", "10.0.9.0/28" },
};

static int fail(const char *what, int rc, const struct fnft_error *err)
{
	char line[1024];

	fnft_error_format(err, line, sizeof(line));
	fprintf(stderr, "daemon: %s: %s\n", what, line);
	return rc == -EAGAIN ? 4 : 1;
}

/* Step 1: the site, from data. */
static int build_site(const struct fnft_catalog *cat, struct fnft_site **out,
		      struct fnft_error *err)
{
	static const char *const admin[] = { "admin", NULL };
	const struct fnft_row_spec ssh = {
		.id = "ssh", .listener = "SSH", .protocol = FNFT_PROTO_TCP,
		.listen_ports = "22", .remote = admin,
		.direction = FNFT_DIR_INBOUND, .note = "platform administration",
	};
	struct fnft_site *site = NULL;
	size_t i;
	int rc;

	rc = fnft_site_new(cat, "inventory", &site, err);
	if (!rc)
		rc = fnft_site_add_node_address(site, FNFT_ROLE_PRIMARY, "10.0.0.11", err);
	if (!rc)
		rc = fnft_site_add_node_address(site, FNFT_ROLE_SECONDARY, "10.0.0.12", err);
	if (!rc)
		rc = fnft_site_set_role(site, FNFT_ROLE_PRIMARY, err);
	if (!rc)
		rc = fnft_site_set_policy(site, FNFT_POLICY_INPUT, "drop", err);
	for (i = 0; !rc && i < sizeof(inventory) / sizeof(inventory[0]); i++) {
		rc = fnft_site_add_group(site, inventory[i].group, err);
		if (rc == -EEXIST)
			rc = 0;		/* a second network of the group */
		if (!rc)
			rc = fnft_site_add_group_address(site, inventory[i].group,
							 inventory[i].address, err);
	}
	if (!rc)
		rc = fnft_site_add_row(site, &ssh, err);
	if (!rc)
		rc = fnft_site_check(site, err);
	if (rc) {
		fnft_site_free(site);
		return rc;
	}
	*out = site;
	return 0;
}

static void print_report(const struct fnft_kernel *k)
{
	static const char *const kinds[] = {
		"table replaced", "table removed", "table flags", "set added",
		"chain added", "elements added", "elements removed",
		"rule added", "rule removed",
	};
	char iv[FNFT_NETSTRLEN];
	size_t i, j;

	for (i = 0; i < fnft_kernel_change_count(k); i++) {
		const struct fnft_change *c = fnft_kernel_change(k, i);

		printf("  %s %s", kinds[c->kind], c->name);
		if (c->row)
			printf(" (row %s)", c->row);
		for (j = 0; fnft_kernel_change_interval(k, i, j, iv, sizeof(iv)) == 0; j++)
			printf(" %s", iv);
		printf("\n");
	}
}

static int print_counters(struct fnft_kernel *k, struct fnft_error *err)
{
	struct fnft_counter *v = NULL;
	size_t i, n = 0;
	int rc = fnft_kernel_counters(k, &v, &n, err);

	if (rc)
		return rc;
	for (i = 0; i < n; i++)
		printf("  %-24s %-14s %s IPv%d: %" PRIu64 " packets, %" PRIu64 " bytes\n",
		       v[i].row, v[i].group,
		       v[i].direction == FNFT_DIR_INBOUND ? "in " : "out",
		       v[i].family == FNFT_FAMILY_ANY ? 0 : (int)v[i].family,
		       v[i].packets, v[i].bytes);
	free(v);
	return 0;
}

/*
 * Plan and apply, retried while another writer wins the race: -EAGAIN
 * means nothing was applied and the plan is still right, so try again.
 * With @deadline_ms, the apply is pending (*pending) until confirmed.
 */
static int apply(struct fnft_kernel *k, const char *table,
		 const struct fnft_catalog *cat,
		 const struct fnft_site *site, unsigned deadline_ms,
		 const struct fnft_pending_opts *opts,
		 struct fnft_pending **pending, struct fnft_error *err)
{
	struct fnft_apply_stats st;
	int rc = -EAGAIN, tries;

	for (tries = 0; rc == -EAGAIN && tries < 5; tries++) {
		struct fnft_ruleset *plan = NULL;

		rc = fnft_plan(cat, site, FNFT_ROLE_FROM_SITE, table, &plan, err);
		if (!rc && deadline_ms)
			rc = fnft_kernel_apply_pending(k, plan, deadline_ms, opts,
						       pending, &st, err);
		else if (!rc)
			rc = fnft_kernel_apply(k, plan, &st, err);
		fnft_ruleset_free(plan);
		if (rc == -EAGAIN)
			fprintf(stderr, "daemon: the ruleset changed under us; again\n");
	}
	if (rc)
		return rc;
	printf("applied: %s, %u messages, generation %" PRIu32 "\n",
	       st.in_sync ? "in sync" : st.incremental ? "changes only" : "replaced whole",
	       st.messages, st.generation);
	print_report(k);
	return 0;
}

int main(int argc, char **argv)
{
	struct fnft_pending_opts opts;
	struct fnft_catalog *cat = NULL;
	struct fnft_site *site = NULL;
	struct fnft_kernel *k = NULL;
	struct fnft_pending *pending = NULL;
	struct fnft_error err;
	const char *table = NULL, *state_dir = FNFT_STATE_DIR;
	int i, rc, code = 0;

	memset(&err, 0, sizeof(err));
	memset(&opts, 0, sizeof(opts));
	for (i = 1; i + 1 < argc; i += 2) {
		if (strcmp(argv[i], "--table") == 0)
			table = argv[i + 1];
		else if (strcmp(argv[i], "--state-dir") == 0)
			state_dir = argv[i + 1];
		else if (strcmp(argv[i], "--run-dir") == 0)
			opts.run_dir = argv[i + 1];
		else if (strcmp(argv[i], "--watchdog") == 0)
			opts.watchdog = argv[i + 1];
		else
			break;
	}
	if (i != argc) {
		fprintf(stderr, "usage: daemon [--table NAME] [--state-dir DIR] [--run-dir DIR] [--watchdog PATH]\n");
		return 2;
	}

	if ((rc = fnft_catalog_new_builtin(&cat, &err)) ||
	    (rc = build_site(cat, &site, &err))) {
		code = fail("site", rc, &err);
		goto out;
	}
	for (i = 0; (size_t)i < fnft_site_warning_count(site); i++)
		printf("warning: %s\n", fnft_site_warning(site, (size_t)i));
	setvbuf(stdout, NULL, _IOLBF, 0);	/* a log, line by line */
	if ((rc = fnft_kernel_open(table, &k, &err)) ||
	    (rc = fnft_kernel_set_state_dir(k, state_dir))) {
		code = fail("kernel", rc, &err);
		goto out;
	}

	/* step 2: with a deadline of a minute, then confirmed */
	if ((rc = apply(k, table, cat, site, 60000, &opts, &pending, &err))) {
		code = fail("apply --confirm", rc, &err);
		goto out;
	}
	if (pending) {
		enum fnft_pending_outcome outcome;

		rc = fnft_pending_confirm(pending, &outcome, &err);
		if (rc) {
			code = fail("confirm", rc, &err);
			goto out;
		}
		if (outcome != FNFT_PENDING_CONFIRMED &&
		    outcome != FNFT_PENDING_CONFIRMED_CHANGED_ELSEWHERE) {
			/* rolled back meanwhile, or changed by someone else */
			fprintf(stderr, "daemon: not confirmed (outcome %d)\n", (int)outcome);
			code = 1;
			goto out;
		}
		printf("confirmed\n");
		fnft_pending_free(pending);
		pending = NULL;
	}

	/* step 3: one more browser network */
	if ((rc = fnft_site_add_group_address(site, "browser", "10.40.0.0/16", &err)) ||
	    (rc = fnft_site_check(site, &err)) ||
	    (rc = apply(k, table, cat, site, 0, NULL, NULL, &err))) {
		code = fail("add a network", rc, &err);
		goto out;
	}

	/* step 4: the counters, as data */
	printf("counters:\n");
	if ((rc = print_counters(k, &err)))
		code = fail("counters", rc, &err);
out:
	fnft_pending_free(pending);
	fnft_kernel_free(k);
	fnft_site_free(site);
	fnft_catalog_free(cat);
	return code;
}
