/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The daemon's one-network change (issue 17): what a provisioning daemon
 * that holds its site and its kernel handle pays to add a network to a big
 * group and apply it, through the public API alone.
 *
 *   daemon-change [--state-dir DIR] [--rest SECONDS] SITE GROUP [-]NET...
 *
 * Untimed setup: load SITE (the CLI's parser), plan it for its node, open
 * table inet finesse, apply (the cold apply), then wait SECONDS (default
 * 0) so that the table is at rest, as scripts/bench's other change rows.
 * Timed: for each NET, fnft_site_add_group_address() (or, for -NET,
 * fnft_site_remove_group_address()); then fnft_site_check(), fnft_plan()
 * and fnft_kernel_apply() once.  Prints the timed part as one JSON object,
 * {"wall": s, "user": s, "sys": s, "messages": n, "incremental": bool},
 * for bench.py.  Exits 1 on any error, with the library's message.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <finesse-nft/finesse-nft.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double tv(const struct timeval *t)
{
	return t->tv_sec + t->tv_usec / 1e6;
}

static int fail(const char *what, const struct fnft_error *err)
{
	char line[1024];

	fnft_error_format(err, line, sizeof(line));
	fprintf(stderr, "daemon-change: %s: %s\n", what, line);
	return 1;
}

int main(int argc, char **argv)
{
	const char *state = NULL, *site_path, *group;
	struct fnft_catalog *cat = NULL;
	struct fnft_site *site = NULL;
	struct fnft_ruleset *rs = NULL;
	struct fnft_kernel *k = NULL;
	struct fnft_apply_stats st;
	struct fnft_error err;
	struct rusage r0, r1;
	double rest = 0, t0, t1;
	int i = 1, rc = 1;

	memset(&err, 0, sizeof(err));
	for (; i < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
		if (i + 1 >= argc)
			break;
		if (strcmp(argv[i], "--state-dir") == 0)
			state = argv[i + 1];
		else if (strcmp(argv[i], "--rest") == 0)
			rest = atof(argv[i + 1]);
		else
			break;
	}
	if (argc - i < 3) {
		fprintf(stderr, "usage: daemon-change [--state-dir DIR] [--rest S] SITE GROUP [-]NET...\n");
		return 2;
	}
	site_path = argv[i++];
	group = argv[i++];

	if (fnft_catalog_new_builtin(&cat, &err) < 0 ||
	    fnft_site_load(site_path, cat, &site, &err) < 0 ||
	    fnft_plan(cat, site, FNFT_ROLE_SITE, NULL, &rs, &err) < 0) {
		rc = fail("setup", &err);
		goto out;
	}
	if (fnft_kernel_open(NULL, &k, &err) < 0 ||
	    fnft_kernel_set_state_dir(k, state) < 0 ||
	    fnft_kernel_apply(k, rs, NULL, &err) < 0) {
		rc = fail("cold apply", &err);
		goto out;
	}
	fnft_ruleset_free(rs);
	rs = NULL;
	if (rest > 0) {
		struct timespec ts = { (time_t)rest, (long)((rest - (time_t)rest) * 1e9) };

		nanosleep(&ts, NULL);
	}

	getrusage(RUSAGE_SELF, &r0);
	t0 = now();
	for (; i < argc; i++) {
		const char *net = argv[i];
		int e = net[0] == '-' ?
			fnft_site_remove_group_address(site, group, net + 1, &err) :
			fnft_site_add_group_address(site, group, net, &err);

		if (e < 0) {
			rc = fail(net, &err);
			goto out;
		}
	}
	if (fnft_site_check(site, &err) < 0 ||
	    fnft_plan(cat, site, FNFT_ROLE_SITE, NULL, &rs, &err) < 0) {
		rc = fail("plan", &err);
		goto out;
	}
	if (fnft_kernel_apply(k, rs, &st, &err) < 0) {
		rc = fail("apply", &err);
		goto out;
	}
	t1 = now();
	getrusage(RUSAGE_SELF, &r1);
	printf("{\"wall\": %.6f, \"user\": %.6f, \"sys\": %.6f, \"messages\": %u, \"incremental\": %s}\n",
	       t1 - t0, tv(&r1.ru_utime) - tv(&r0.ru_utime),
	       tv(&r1.ru_stime) - tv(&r0.ru_stime), st.messages,
	       st.incremental ? "true" : "false");
	rc = 0;
out:
	fnft_ruleset_free(rs);
	fnft_kernel_free(k);
	fnft_site_free(site);
	fnft_catalog_free(cat);
	return rc;
}
