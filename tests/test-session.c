/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Kernel session options a daemon controls, in a network namespace of its
 * own: the lock directory (or none), and a state file that cannot be
 * written, reported as a warning while the apply stands.  With --fake
 * (after the golden directory), the same tests on the fake kernel,
 * unprivileged: the session's logic above the socket is the subject, not
 * the kernel.
 */
#include <check.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include <finesse-nft/finesse-nft.h>

#include "ir.h"
#include "state.h"
#include "testlib.h"

static const char *golden_dir;
static char dir[] = "/tmp/fnft-session-XXXXXX";
static bool on_fake;

/* A session on this namespace's kernel, or on a fake one. */
static int open_k(struct fnft_kernel **k, struct fnft_error *err)
{
	return on_fake ? fnft_kernel_open_fake(NULL, k, err) :
			 fnft_kernel_open(NULL, k, err);
}

/* How many entries of @path start with "lock.". */
static int locks_in(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += !strncmp(e->d_name, "lock.", 5);
	closedir(d);
	return n;
}

START_TEST(lock_dir_is_the_callers)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary");
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };
	char locks[300], none[300];

	snprintf(locks, sizeof(locks), "%s/locks", dir);
	snprintf(none, sizeof(none), "%s/none", dir);
	ck_assert_int_eq(mkdir(none, 0700), 0);
	ck_assert_int_eq(open_k(&k, &err), 0);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, NULL), 0);
	ck_assert_int_eq(fnft_kernel_set_lock_dir(k, locks), 0);
	ck_assert_int_eq(fnft_kernel_apply(k, plan, NULL, &err), 0);
	ck_assert_int_eq(locks_in(locks), 1);	/* made, and used */
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);

	/* no lock at all: nothing is made anywhere, the apply still works */
	ck_assert_int_eq(fnft_kernel_set_lock_dir(k, NULL), 0);
	ck_assert_int_eq(fnft_kernel_apply(k, plan, NULL, &err), 0);
	ck_assert_int_eq(locks_in(none), 0);
	ck_assert_int_eq(locks_in(locks), 1);
	ck_assert_int_eq(fnft_kernel_set_lock_dir(NULL, "x"), -EINVAL);
	fnft_kernel_free(k);
	fnft_ruleset_free(plan);
}
END_TEST

START_TEST(unwritable_state_is_a_warning)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary");
	struct fnft_apply_stats st;
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };
	char state[300];
	const char *why;

	ck_assert_int_eq(open_k(&k, &err), 0);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	/* a directory that cannot be made: under a regular file */
	snprintf(state, sizeof(state), "%s/file", dir);
	fclose(fopen(state, "w"));
	snprintf(state, sizeof(state), "%s/file/state", dir);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, state), 0);
	ck_assert_ptr_null(fnft_kernel_state_write_error(k));
	ck_assert_int_eq(fnft_kernel_apply(k, plan, &st, &err), 0);
	ck_assert(!st.in_sync);
	why = fnft_kernel_state_write_error(k);
	ck_assert_ptr_nonnull(why);
	ck_assert_msg(strstr(why, "cannot write the state file in") && strstr(why, "Not a directory"),
		      "%s", why);
	/* a good directory: the next apply clears the warning */
	snprintf(state, sizeof(state), "%s/state", dir);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, state), 0);
	ck_assert_int_eq(fnft_kernel_apply(k, plan, &st, &err), 0);
	ck_assert(st.in_sync);
	ck_assert_ptr_null(fnft_kernel_state_write_error(k));
	fnft_kernel_free(k);
	fnft_ruleset_free(plan);
}
END_TEST

/* The report as lines "KIND name row count [intervals]", for comparing. */
static char *report_text(const struct fnft_kernel *k)
{
	static const char *const kinds[] = {
		"replaced", "removed", "flags", "set", "chain", "+elements",
		"-elements", "+rule", "-rule",
	};
	size_t i, j, len = 0, cap = 65536;
	char *out = calloc(1, cap), buf[FNFT_NETSTRLEN];

	for (i = 0; i < fnft_kernel_change_count(k); i++) {
		const struct fnft_change *c = fnft_kernel_change(k, i);

		len += (size_t)snprintf(out + len, cap - len, "%s %s %s %zu", kinds[c->kind],
					c->name ? c->name : "-", c->row ? c->row : "-", c->count);
		for (j = 0; fnft_kernel_change_interval(k, i, j, buf, sizeof(buf)) == 0; j++)
			len += (size_t)snprintf(out + len, cap - len, " %s", buf);
		ck_assert_uint_eq(j, c->count);
		len += (size_t)snprintf(out + len, cap - len, "\n");
		ck_assert_uint_lt(len, cap - 256);
	}
	ck_assert_ptr_null(fnft_kernel_change(k, i));
	return out;
}

static void expect_report(const struct fnft_kernel *k, const char *want)
{
	char *got = report_text(k);

	ck_assert_msg(strcmp(got, want) == 0, "report:\n%s\nwanted:\n%s", got, want);
	free(got);
}

static struct fnft_ruleset *plan_of(struct fnft_catalog *cat, struct fnft_site *s)
{
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err = { 0 };

	ck_assert_msg(fnft_site_check(s, &err) == 0, "%s", err.message);
	ck_assert_int_eq(fnft_plan(cat, s, FNFT_ROLE_SITE, NULL, &rs, &err), 0);
	return rs;
}

static void apply_ok(struct fnft_kernel *k, struct fnft_ruleset *rs, bool incremental)
{
	struct fnft_apply_stats st;
	struct fnft_error err = { 0 };

	ck_assert_msg(fnft_kernel_apply(k, rs, &st, &err) == 0, "%s", err.message);
	ck_assert(!st.in_sync);
	ck_assert_int_eq(st.incremental, incremental);
	fnft_ruleset_free(rs);
}

/* fnft_kernel_changes_json() is @want. */
static void expect_json(const struct fnft_kernel *k, const char *want)
{
	char *json = NULL;

	ck_assert_int_eq(fnft_kernel_changes_json(k, &json), 0);
	ck_assert_str_eq(json, want);
	free(json);
}

/* What apply sent, as data, from the batch it committed. */
START_TEST(apply_reports_what_it_sent)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_site *s = NULL;
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };
	struct fnft_apply_stats st;
	char path[512], *whole;
	struct fnft_ruleset *rs;

	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, NULL), 0);
	snprintf(path, sizeof(path), "%s/primary.conf", golden_dir);
	ck_assert_int_eq(fnft_site_load(path, cat, &s, &err), 0);
	ck_assert_int_eq(open_k(&k, &err), 0);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, NULL), 0);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);

	/* whole: the table, then everything in it */
	apply_ok(k, plan_of(cat, s), false);
	whole = report_text(k);
	ck_assert_msg(strncmp(whole, "replaced finesse - 0\n", 21) == 0, "%s", whole);
	ck_assert_ptr_nonnull(strstr(whole, "\nset browser_v4 - 0\n"));
	ck_assert_ptr_nonnull(strstr(whole, "\n+elements browser_v4 - 1 10.20.0.0/16\n"));
	ck_assert_ptr_nonnull(strstr(whole, "\n+elements agent-desktop_v4 - 2 10.20.0.0/16 10.30.1.0/26\n"));
	ck_assert_ptr_nonnull(strstr(whole, "\nchain input - 0\n"));
	ck_assert_ptr_nonnull(strstr(whole, "\n+rule input tomcat.https 0\n"));
	free(whole);
	ck_assert_int_eq(fnft_kernel_changes_json(k, &whole), 0);
	ck_assert_msg(!strncmp(whole, "[{\"change\":\"table_replaced\",\"table\":\"finesse\"},", 47),
		      "%.200s", whole);
	ck_assert_ptr_nonnull(strstr(whole, "{\"change\":\"set_added\",\"set\":\"browser_v4\"}"));
	ck_assert_ptr_nonnull(strstr(whole, "{\"change\":\"chain_added\",\"chain\":\"input\"}"));
	ck_assert_ptr_nonnull(strstr(whole, "{\"change\":\"rule_added\",\"chain\":\"input\",\"row\":null}"));
	ck_assert_ptr_nonnull(strstr(whole, "{\"change\":\"elements_added\",\"set\":\"agent-desktop_v4\","
					    "\"elements\":[\"10.20.0.0/16\",\"10.30.1.0/26\"]}"));
	free(whole);

	/* in sync: nothing sent, nothing reported */
	rs = plan_of(cat, s);
	ck_assert_int_eq(fnft_kernel_apply(k, rs, &st, &err), 0);
	ck_assert(st.in_sync);
	fnft_ruleset_free(rs);
	expect_report(k, "");
	expect_json(k, "[]");

	/* one network: exactly that, in the one set */
	ck_assert_int_eq(fnft_site_add_group_address(s, "browser", "10.40.0.0/16", &err), 0);
	apply_ok(k, plan_of(cat, s), true);
	expect_report(k, "+elements browser_v4 - 1 10.40.0.0/16\n");
	expect_json(k, "[{\"change\":\"elements_added\",\"set\":\"browser_v4\","
		       "\"elements\":[\"10.40.0.0/16\"]}]");
	ck_assert_int_eq(fnft_site_remove_group_address(s, "browser", "10.40.0.0/16", &err), 0);
	apply_ok(k, plan_of(cat, s), true);
	expect_report(k, "-elements browser_v4 - 1 10.40.0.0/16\n");
	/* an adjacent network merges: the kernel's interval is replaced */
	ck_assert_int_eq(fnft_site_add_group_address(s, "browser", "10.21.0.0/16", &err), 0);
	apply_ok(k, plan_of(cat, s), true);
	expect_report(k, "-elements browser_v4 - 1 10.20.0.0/16\n+elements browser_v4 - 1 10.20.0.0/15\n");
	expect_json(k, "[{\"change\":\"elements_removed\",\"set\":\"browser_v4\","
		       "\"elements\":[\"10.20.0.0/16\"]},"
		       "{\"change\":\"elements_added\",\"set\":\"browser_v4\","
		       "\"elements\":[\"10.20.0.0/15\"]}]");
	/* a row disabled: its rules go, by row id */
	ck_assert_int_eq(fnft_site_disable_row(s, "tomcat.https", &err), 0);
	apply_ok(k, plan_of(cat, s), true);
	whole = report_text(k);
	ck_assert_msg(strstr(whole, "-rule input tomcat.https 0\n") && !strstr(whole, "+"),
		      "%s", whole);
	free(whole);
	ck_assert_int_eq(fnft_kernel_changes_json(k, &whole), 0);
	ck_assert_msg(strstr(whole, "{\"change\":\"rule_removed\",\"chain\":\"input\","
				    "\"row\":\"tomcat.https\"}"), "%.200s", whole);
	ck_assert_ptr_null(strstr(whole, "added"));
	free(whole);
	/* removed */
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	expect_report(k, "removed finesse - 0\n");
	expect_json(k, "[{\"change\":\"table_removed\",\"table\":\"finesse\"}]");
	ck_assert_int_eq(fnft_kernel_changes_json(NULL, &whole), -EINVAL);
	fnft_kernel_free(k);
	fnft_site_free(s);
	fnft_catalog_free(cat);
}
END_TEST

/* The one state file in @sd, as a path. */
static void state_file(const char *sd, char *out, size_t len)
{
	DIR *d = opendir(sd);
	struct dirent *e;

	ck_assert_ptr_nonnull(d);
	out[0] = '\0';
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".state") && !strstr(e->d_name, ".tmp"))
			snprintf(out, len, "%s/%s", sd, e->d_name);
	closedir(d);
	ck_assert_msg(out[0], "no state file in %s", sd);
}

/*
 * What the next run relies on: the state file a patch leaves holds the
 * plan, under the plan's fingerprint (hashed once per apply, when the old
 * file was checked, and handed to the save).  Loaded as the CLI's next run
 * loads it, by the key and generation its header names.
 */
START_TEST(state_after_a_patch_is_the_plan)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_site *s = NULL;
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };
	struct fnft_ruleset *rs, *saved = NULL;
	struct fnft_state_key key = { 0 };
	char path[512], sd[300], sf[600], fps[24];
	json_error_t jerr;
	json_t *h;
	FILE *f;
	char line[1024];
	int round;

	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, NULL), 0);
	snprintf(path, sizeof(path), "%s/primary.conf", golden_dir);
	ck_assert_int_eq(fnft_site_load(path, cat, &s, &err), 0);
	snprintf(sd, sizeof(sd), "%s/after-patch", dir);
	ck_assert_int_eq(mkdir(sd, 0700), 0);
	for (round = 0; round < 3; round++) {
		/* a fresh handle each time, as each run of the CLI */
		ck_assert_int_eq(fnft_kernel_open(NULL, &k, &err), 0);
		ck_assert_int_eq(fnft_kernel_set_state_dir(k, sd), 0);
		if (round == 0)
			ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
		else
			ck_assert_int_eq(fnft_site_add_group_address(s, "browser",
					 round == 1 ? "10.41.0.0/16" : "10.43.0.0/16", &err), 0);
		rs = plan_of(cat, s);
		ck_assert_msg(fnft_kernel_apply(k, rs, NULL, &err) == 0, "%s", err.message);
		ck_assert_ptr_null(fnft_kernel_state_ignored(k));
		fnft_kernel_free(k);

		state_file(sd, sf, sizeof(sf));
		f = fopen(sf, "r");
		ck_assert_ptr_nonnull(f);
		ck_assert_ptr_nonnull(fgets(line, sizeof(line), f));
		fclose(f);
		h = json_loads(line, 0, &jerr);
		ck_assert_ptr_nonnull(h);
		snprintf(fps, sizeof(fps), "%016" PRIx64, fnft_ruleset_fingerprint(rs));
		ck_assert_str_eq(json_string_value(json_object_get(h, "fingerprint")), fps);
		snprintf(key.boot_id, sizeof(key.boot_id), "%s",
			 json_string_value(json_object_get(h, "boot_id")));
		snprintf(key.table, sizeof(key.table), "%s",
			 json_string_value(json_object_get(h, "table")));
		key.netns = (uint64_t)json_integer_value(json_object_get(h, "netns"));
		ck_assert_int_eq(fnft_state_load(sd, &key,
			(uint32_t)json_integer_value(json_object_get(h, "genid")), &saved), 0);
		json_decref(h);
		ck_assert(fnft_ruleset_equal(saved, rs));
		fnft_ruleset_free(saved);
		fnft_ruleset_free(rs);
	}
	fnft_site_free(s);
	fnft_catalog_free(cat);
}
END_TEST

/*
 * A daemon's handle remembers its own last commit: its next apply needs no
 * state file and no dump.  Proved by planting a state file no one may
 * trust: another handle refuses it, ours never looks.  And the memory is
 * void as soon as anyone else commits.
 */
START_TEST(handle_remembers_its_last_commit)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_site *s = NULL;
	struct fnft_kernel *k = NULL, *other = NULL;
	struct fnft_error err = { 0 };
	struct fnft_ruleset *rs, *live = NULL;
	struct fnft_apply_stats st;
	char path[512], sd[300], sf[600];

	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, NULL), 0);
	snprintf(path, sizeof(path), "%s/primary.conf", golden_dir);
	ck_assert_int_eq(fnft_site_load(path, cat, &s, &err), 0);
	snprintf(sd, sizeof(sd), "%s/remember", dir);
	ck_assert_int_eq(mkdir(sd, 0700), 0);
	ck_assert_int_eq(fnft_kernel_open(NULL, &k, &err), 0);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, sd), 0);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	apply_ok(k, plan_of(cat, s), false);

	/* writable by others: never to be trusted, as another handle says */
	state_file(sd, sf, sizeof(sf));
	ck_assert_int_eq(chmod(sf, 0666), 0);
	ck_assert_int_eq(fnft_kernel_open(NULL, &other, &err), 0);
	ck_assert_int_eq(fnft_kernel_set_state_dir(other, sd), 0);
	ck_assert_int_eq(fnft_kernel_read(other, 0, &live, &err), 0);
	ck_assert_ptr_nonnull(fnft_kernel_state_ignored(other));
	fnft_ruleset_free(live);
	fnft_kernel_free(other);

	/* ours: in sync, and then one network, without reading it */
	rs = plan_of(cat, s);
	ck_assert_int_eq(fnft_kernel_apply(k, rs, &st, &err), 0);
	ck_assert(st.in_sync);
	fnft_ruleset_free(rs);
	ck_assert_int_eq(fnft_site_add_group_address(s, "browser", "10.40.0.0/16", &err), 0);
	apply_ok(k, plan_of(cat, s), true);
	expect_report(k, "+elements browser_v4 - 1 10.40.0.0/16\n");
	ck_assert_ptr_null(fnft_kernel_state_ignored(k));

	/* someone else adds an element: the memory is void, the apply
	 * finds the stranger and takes it out */
	ck_assert_int_eq(system("nft add element inet finesse browser_v4 '{ 10.99.0.0/16 }'"), 0);
	rs = plan_of(cat, s);
	ck_assert_int_eq(fnft_kernel_apply(k, rs, &st, &err), 0);
	ck_assert(!st.in_sync);
	ck_assert(st.incremental);
	expect_report(k, "-elements browser_v4 - 1 10.99.0.0/16\n");
	ck_assert_int_eq(fnft_kernel_read(k, FNFT_READ_VERIFY, &live, &err), 0);
	ck_assert(fnft_ruleset_equal(live, rs));
	fnft_ruleset_free(live);
	fnft_ruleset_free(rs);

	/* and a table removed behind its back is made again, whole */
	ck_assert_int_eq(system("nft delete table inet finesse"), 0);
	apply_ok(k, plan_of(cat, s), false);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	fnft_kernel_free(k);
	fnft_site_free(s);
	fnft_catalog_free(cat);
}
END_TEST

/* The counter of the first (row, group, family, direction) match, or NULL. */
static const struct fnft_counter *counter_of(const struct fnft_counter *v,
					     size_t n, const char *row,
					     const char *group,
					     enum fnft_ip_family fam)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].row, row) && !strcmp(v[i].group, group) &&
		    v[i].family == fam)
			return &v[i];
	return NULL;
}

/*
 * Counters from the live table alone, and never silent zeros: a read the
 * state file stood in for has none (-ENODATA), fnft_kernel_counters()
 * dumps them itself.  nft loads the golden table with one counter set.
 */
START_TEST(counters_are_the_kernels)
{
	struct fnft_ruleset *plan = tl_plan_golden(golden_dir, "primary");
	struct fnft_counter *v = NULL;
	const struct fnft_counter *c;
	struct fnft_ruleset *live = NULL;
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };
	char state[300], cmd[1024];
	size_t n = 99;

	snprintf(state, sizeof(state), "%s/counters", dir);
	ck_assert_int_eq(fnft_kernel_open(NULL, &k, &err), 0);
	ck_assert_int_eq(fnft_kernel_set_state_dir(k, state), 0);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	ck_assert_int_eq(fnft_kernel_counters(k, &v, &n, &err), -ENOENT);
	ck_assert_str_eq(err.object, "finesse");

	/* ours, from the state file: no counters to be had from it */
	ck_assert_int_eq(fnft_kernel_apply(k, plan, NULL, &err), 0);
	ck_assert_int_eq(fnft_kernel_read(k, 0, &live, &err), 0);
	ck_assert(!fnft_ruleset_has_counters(live));
	ck_assert_int_eq(fnft_ruleset_counters(live, &v, &n, &err), -ENODATA);
	ck_assert_ptr_nonnull(strstr(err.message, "FNFT_READ_NO_ELEMENTS"));
	fnft_ruleset_free(live);

	/* the same table with one counter at 7 packets, 420 bytes */
	snprintf(cmd, sizeof(cmd),
		 "sed '0,/ip6 saddr @browser_v6 tcp dport { 443, 8445 } counter accept/"
		 "s//ip6 saddr @browser_v6 tcp dport { 443, 8445 } counter packets 7 bytes 420 accept/' "
		 "%s/primary.nft | nft -f -", golden_dir);
	ck_assert_int_eq(system(cmd), 0);
	ck_assert_int_eq(fnft_kernel_counters(k, &v, &n, &err), 0);
	ck_assert_uint_gt(n, 10);
	c = counter_of(v, n, "tomcat.https", "browser", FNFT_FAMILY_IPV6);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->packets, 7);
	ck_assert_uint_eq(c->bytes, 420);
	ck_assert_int_eq(c->direction, FNFT_DIR_INBOUND);
	c = counter_of(v, n, "tomcat.https", "browser", FNFT_FAMILY_IPV4);
	ck_assert_ptr_nonnull(c);
	ck_assert_uint_eq(c->packets, 0);
	free(v);

	/* a read that dumps has them too */
	ck_assert_int_eq(fnft_kernel_read(k, FNFT_READ_NO_ELEMENTS, &live, &err), 0);
	ck_assert(fnft_ruleset_has_counters(live));
	ck_assert_int_eq(fnft_ruleset_counters(live, &v, &n, &err), 0);
	ck_assert_uint_eq(counter_of(v, n, "tomcat.https", "browser",
				     FNFT_FAMILY_IPV6)->bytes, 420);
	free(v);
	fnft_ruleset_free(live);
	ck_assert_int_eq(fnft_kernel_remove(k, &err), 0);
	fnft_kernel_free(k);
	fnft_ruleset_free(plan);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("session");
	int failed, rc;
	char cmd[64];

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	on_fake = argc > 2 && strcmp(argv[2], "--fake") == 0;
	if (!on_fake && (rc = tl_enter_netns()))
		return rc;
	if (!mkdtemp(dir))
		return EXIT_FAILURE;
	tcase_add_test(tc, lock_dir_is_the_callers);
	tcase_add_test(tc, unwritable_state_is_a_warning);
	tcase_add_test(tc, apply_reports_what_it_sent);
	tcase_add_test(tc, state_after_a_patch_is_the_plan);
	if (!on_fake) {
		/* the state file and nft: the real kernel's */
		tcase_add_test(tc, handle_remembers_its_last_commit);
		tcase_add_test(tc, counters_are_the_kernels);
	}
	failed = tl_run(on_fake ? "session on the fake kernel" : "session", tc, true);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return failed;
}
