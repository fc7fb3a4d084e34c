/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * finesse-nft: the command line around libfinesse-nft.  Argument parsing and
 * printing only; every decision is the library's.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

#include "exit.h"
#include "guard.h"
#include "pending.h"
#include "review.h"
#include "say.h"

#define DEFAULT_SITE "/etc/finesse-nft/site.conf"

struct opts {
	const char *site;
	const char *table;
	const char *catalog;
	enum fnft_role role;
	bool json;
	bool summary;		/* diff, dry-run --summary */
	bool verify;
	const char *format;
	const char *state_dir;	/* NULL: the library's default */
	bool no_state;
	bool force;
	bool live;
	const char *from, *to;	/* explain */
	const char *proto;
	const char *port;
	unsigned confirm;	/* apply --confirm SECS; 0: none */
	int wait_ms;		/* --wait SECS for the table's lock; -1: no limit */
};

struct command {
	const char *name;
	int (*run)(struct opts *o, int argc, char **argv);
	const char *usage;
	const char *help;
	const struct option *longopts;
};

static int load_catalog(const struct opts *o, struct fnft_catalog **cat,
			struct fnft_error *err)
{
	if (o->catalog)
		return fnft_catalog_load(o->catalog, cat, err);
	return fnft_catalog_new_builtin(cat, err);
}

static void print_warnings(const struct fnft_site *site)
{
	size_t i;

	for (i = 0; i < fnft_site_warning_count(site); i++)
		say(0, "warning: %s", fnft_site_warning(site, i));
}

/* What a command works from: catalog, site and the plan for this node. */
struct loaded {
	struct fnft_catalog *cat;
	struct fnft_site *site;
	struct fnft_ruleset *plan;
};

static void loaded_free(struct loaded *l)
{
	fnft_ruleset_free(l->plan);
	fnft_site_free(l->site);
	fnft_catalog_free(l->cat);
}

/* load_all() without a word: on failure @err says why, and @l holds what
 * did load (the catalog, at least, unless it was the catalog). */
static int load_quiet(const struct opts *o, bool warnings, struct loaded *l,
		      struct fnft_error *err)
{
	int rc;

	memset(l, 0, sizeof(*l));
	rc = load_catalog(o, &l->cat, err);
	if (!rc)
		rc = fnft_site_load(o->site, l->cat, &l->site, err);
	if (!rc && warnings)
		print_warnings(l->site);
	if (!rc)
		rc = fnft_plan(l->cat, l->site, o->role, o->table, &l->plan, err);
	return rc;
}

static int load_all(const struct opts *o, bool warnings, struct loaded *l)
{
	struct fnft_error err = { 0 };
	int rc = load_quiet(o, warnings, l, &err);

	if (rc) {
		loaded_free(l);
		return exit_fail(PHASE_INPUT, rc, &err);
	}
	return EXIT_OK;
}

/*
 * For the commands that can answer from the live table alone: load what
 * loads, keep the catalog if it did, and when the site (or catalog) did
 * not, print why (the usual line) and describe it in @why ("" when all
 * loaded).  Returns the exit code of the failure, or EXIT_OK.
 */
static int load_for_live(const struct opts *o, struct loaded *l, char *why,
			 size_t len)
{
	struct fnft_error err = { 0 };
	char line[1024];
	int rc = load_quiet(o, false, l, &err);

	why[0] = '\0';
	if (!rc)
		return EXIT_OK;
	error_text(rc, &err, line, sizeof(line));
	snprintf(why, len, "%s %s cannot be loaded: %s", l->cat ? "site file" : "catalog",
		 l->cat ? o->site : o->catalog, line);
	fnft_ruleset_free(l->plan);
	fnft_site_free(l->site);
	l->plan = NULL;
	l->site = NULL;
	return exit_fail(PHASE_INPUT, rc, &err);
}

/* catalog + site + plan for @path; prints errors; returns an exit code. */
static int plan_site(const struct opts *o, const char *path, bool warnings,
		     struct fnft_ruleset **rs)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_site *site = NULL;
	struct fnft_error err = { 0 };
	int rc;

	rc = load_catalog(o, &cat, &err);
	if (!rc)
		rc = fnft_site_load(path, cat, &site, &err);
	if (!rc && warnings)
		print_warnings(site);
	if (!rc)
		rc = fnft_plan(cat, site, o->role, o->table, rs, &err);
	fnft_site_free(site);
	fnft_catalog_free(cat);
	return rc ? exit_fail(PHASE_INPUT, rc, &err) : EXIT_OK;
}

/* ---- commands ---- */

static void print_ports(const struct fnft_port_range *p, size_t n, char *buf,
			size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n && off < len; i++) {
		if (p[i].first == p[i].last)
			off += (size_t)snprintf(buf + off, len - off, "%s%u",
						i ? "," : "", p[i].first);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s%u-%u",
						i ? "," : "", p[i].first, p[i].last);
	}
	if (!n)
		snprintf(buf, len, "-");
}

static void print_row(const struct fnft_row *row)
{
	const struct fnft_port_range *p;
	char listen[64], remote[64], groups[128] = "";
	size_t n, i, off = 0;
	unsigned flags = fnft_row_flags(row);

	p = fnft_row_listen_ports(row, &n);
	print_ports(p, n, listen, sizeof(listen));
	p = fnft_row_remote_ports(row, &n);
	print_ports(p, n, remote, sizeof(remote));
	for (i = 0; i < fnft_row_group_count(row) && off < sizeof(groups); i++)
		off += (size_t)snprintf(groups + off, sizeof(groups) - off, "%s%s",
					i ? "," : "", fnft_row_group(row, i));
	printf("%-26s %-4s %-10s %-10s %-26s %-13s %s%s\n", fnft_row_id(row),
	       fnft_protocol_name(fnft_row_protocol(row)), listen, remote, groups,
	       fnft_direction_name(fnft_row_direction(row)),
	       flags & FNFT_ROW_INSECURE ? "insecure " : "",
	       flags & FNFT_ROW_PORT_MOVABLE ? "port-movable" : "");
}

static int cmd_catalog(struct opts *o, int argc, char **argv)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_error err = { 0 };
	char *json = NULL;
	size_t i;
	int rc;

	(void)argv;
	if (argc > 0) {
		say(0, "catalog takes no arguments");
		return EXIT_USAGE;
	}
	rc = load_catalog(o, &cat, &err);
	if (rc)
		return exit_fail(PHASE_INPUT, rc, &err);
	if (o->json) {
		rc = fnft_catalog_json(cat, &json);
		if (!rc)
			printf("%s\n", json);
		free(json);
	} else {
		printf("%-26s %-4s %-10s %-10s %-26s %-13s %s\n", "ID", "PROT",
		       "LISTEN", "REMOTE", "GROUPS", "DIRECTION", "FLAGS");
		for (i = 0; i < fnft_catalog_count(cat); i++)
			print_row(fnft_catalog_row(cat, i));
	}
	fnft_catalog_free(cat);
	return rc ? exit_fail(PHASE_INPUT, rc, &err) : EXIT_OK;
}

static int check_role(struct opts *o, enum fnft_role role)
{
	struct fnft_ruleset *rs = NULL;
	enum fnft_role saved = o->role;
	int rc;

	o->role = role;
	rc = plan_site(o, o->site, false, &rs);
	o->role = saved;
	fnft_ruleset_free(rs);
	return rc;
}

static int cmd_check(struct opts *o, int argc, char **argv)
{
	char *json = NULL;
	struct fnft_catalog *cat = NULL;
	struct fnft_site *site = NULL;
	struct fnft_error err = { 0 };
	enum fnft_role role = o->role;
	int rc;

	(void)argv;
	if (argc > 0) {
		say(0, "check takes no arguments");
		return EXIT_USAGE;
	}
	rc = load_catalog(o, &cat, &err);
	if (!rc)
		rc = fnft_site_load(o->site, cat, &site, &err);
	if (rc) {
		fnft_catalog_free(cat);
		return exit_fail(PHASE_INPUT, rc, &err);
	}
	if (!o->json)
		print_warnings(site);
	if (role == FNFT_ROLE_SITE)
		role = fnft_site_role(site);
	if (o->json && fnft_site_json(site, &json) < 0)
		rc = say(EXIT_SYSTEM, "out of memory");
	fnft_site_free(site);
	fnft_catalog_free(cat);
	if (rc)
		return rc;
	/* with no role anywhere, both must plan */
	if (role != FNFT_ROLE_SITE)
		rc = check_role(o, role);
	else if (!(rc = check_role(o, FNFT_ROLE_PRIMARY)))
		rc = check_role(o, FNFT_ROLE_SECONDARY);
	if (!rc && json)
		printf("%s\n", json);
	else if (!rc)
		printf("%s: ok\n", o->site);
	free(json);
	return rc;
}

static int cmd_export(struct opts *o, int argc, char **argv)
{
	struct fnft_ruleset *rs = NULL;
	char *text = NULL;
	int rc;

	(void)argv;
	if (argc > 0) {
		say(0, "export takes no arguments");
		return EXIT_USAGE;
	}
	if (o->format && strcmp(o->format, "nft") != 0 && strcmp(o->format, "json") != 0) {
		say(0, "unsupported --format '%s' (nft or json)", o->format);
		return EXIT_USAGE;
	}
	rc = plan_site(o, o->site, true, &rs);
	if (rc)
		return rc;
	if ((o->format && !strcmp(o->format, "json") ?
	     fnft_ruleset_json(rs, &text) : fnft_ruleset_render(rs, &text)) < 0) {
		say(0, "out of memory");
		rc = EXIT_SYSTEM;
	} else {
		fputs(text, stdout);
		if (o->format && !strcmp(o->format, "json"))
			putchar('\n');
	}
	free(text);
	fnft_ruleset_free(rs);
	return rc;
}

/* diff, dry-run: --format text (the default) or markdown, not with --json */
static int review_format(const char *cmd, const struct opts *o)
{
	if (o->format && strcmp(o->format, "text") && strcmp(o->format, "markdown"))
		return say(EXIT_USAGE, "unsupported --format '%s' (text or markdown)", o->format);
	if (o->format && !strcmp(o->format, "markdown") && o->json)
		return say(EXIT_USAGE, "%s: --format markdown and --json exclude each other", cmd);
	return EXIT_OK;
}

static int cmd_diff(struct opts *o, int argc, char **argv)
{
	struct review_opts ro = { .catalog = o->catalog, .table = o->table,
				  .role = o->role, .summary = o->summary,
				  .json = o->json,
				  .markdown = o->format && !strcmp(o->format, "markdown") };
	int rc;

	if ((rc = review_format("diff", o)))
		return rc;
	if (argc != 2) {
		say(0, "diff needs two site files or directories: diff [--node R] OLD NEW");
		return EXIT_USAGE;
	}
	return review_diff(&ro, argv[0], argv[1]);
}

static const char *table_name(const struct opts *o)
{
	return o->table ? o->table : FNFT_DEFAULT_TABLE;
}

static int open_kernel(const struct opts *o, struct fnft_kernel **k)
{
	struct fnft_error err = { 0 };
	int rc;

	rc = fnft_kernel_open(o->table, k, &err);
	if (rc)
		return exit_fail(PHASE_OPEN, rc, &err);
	if ((o->no_state || o->state_dir) &&
	    fnft_kernel_set_state_dir(*k, o->no_state ? NULL : o->state_dir) < 0) {
		say(0, "out of memory");
		fnft_kernel_free(*k);
		return EXIT_SYSTEM;
	}
	fnft_kernel_set_lock_wait(*k, o->wait_ms, pending_lock_waiting,
				  (void *)table_name(o));
	return EXIT_OK;
}

/* Done with @k: say once if a state file was there but not trusted (the
 * table was dumped instead, so the answer is right, only slower). */
static void close_kernel(struct fnft_kernel *k)
{
	const char *why = fnft_kernel_state_ignored(k);

	if (why)
		say(0, "warning: %s; read the kernel instead", why);
	if ((why = fnft_kernel_state_write_error(k)))
		say(0, "warning: %s; the next run reads the kernel instead", why);
	fnft_kernel_free(k);
}

static struct pending_opts pending_opts(const struct opts *o)
{
	return (struct pending_opts){
		.table = table_name(o), .watchdog = getenv("FNFT_WATCHDOG"),
		.secs = o->confirm,
		.wait_ms = o->wait_ms, .force = o->force,
	};
}

static int no_args(const char *cmd, int argc)
{
	if (argc > 0)
		say(0, "%s takes no arguments", cmd);
	return argc > 0 ? EXIT_USAGE : EXIT_OK;
}

/*
 * @json (pretty-printed, as the library gives it) on one line: every
 * space, tab and newline outside a string dropped, in place.
 */
static void json_one_line(char *json)
{
	bool in_string = false, escaped = false;
	char *w = json;

	for (; *json; json++) {
		if (escaped)
			escaped = false;
		else if (in_string && *json == '\\')
			escaped = true;
		else if (in_string)
			in_string = *json != '"';
		else if (strchr(" \t\n", *json))
			continue;
		else
			in_string = *json == '"';
		*w++ = *json;
	}
	*w = '\0';
}

/*
 * apply --json needs the change set as dry-run --json gives it: read the
 * live table just before the batch and diff it with @plan, on one line.
 * The apply then reads the table again under its lock; should someone
 * change it in between, the apply report ("changes") is what the kernel
 * committed, this what was seen before.
 */
static int diff_before(struct fnft_kernel *k, const struct fnft_ruleset *plan,
		       char **out)
{
	struct fnft_ruleset *live = NULL;
	struct fnft_error err = { 0 };
	int rc;

	rc = fnft_kernel_read(k, 0, &live, &err);
	if (rc)
		return exit_fail(PHASE_KERNEL, rc, &err);
	rc = fnft_ruleset_diff_json(live, plan, out);
	fnft_ruleset_free(live);
	if (rc < 0)
		return say(EXIT_SYSTEM, "out of memory");
	json_one_line(*out);
	return EXIT_OK;
}

/*
 * apply --json: what the apply did, one object on stdout, for fleet tools.
 * changes is the apply report of the batch committed (fnft_kernel_changes_json);
 * confirm_seconds is the rollback timer armed, null when none was: no
 * --confirm, or the table was in sync and nothing was applied; diff is
 * @diff, the change set of dry-run --json (see diff_before()).
 */
static int print_apply_json(const struct opts *o, const struct fnft_kernel *k,
			    const struct fnft_apply_stats *st, const char *diff)
{
	char *changes = NULL;

	if (fnft_kernel_changes_json(k, &changes) < 0)
		return say(EXIT_SYSTEM, "out of memory");
	printf("{\"table\":\"%s\",\"in_sync\":%s,\"incremental\":%s,"
	       "\"messages\":%u,\"changes\":%s,\"diff\":%s,\"confirm_seconds\":",
	       table_name(o), st->in_sync ? "true" : "false",
	       st->incremental ? "true" : "false", st->messages, changes, diff);
	free(changes);
	if (o->confirm && !st->in_sync)
		printf("%u", o->confirm);
	else
		printf("null");
	printf(",\"counters_reset\":%s}\n", st->counters_reset ? "true" : "false");
	fflush(stdout);
	return EXIT_OK;
}

/* What a whole replace of an existing table costs the status counters. */
static const char *reset_note(const struct fnft_apply_stats *st)
{
	return st->counters_reset ? "; per-row counters restart from 0" : "";
}

static int cmd_apply(struct opts *o, int argc, char **argv)
{
	struct pending_opts po;
	struct fnft_apply_stats st = { 0 };
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };
	char *diff = NULL;
	struct loaded l;
	int rc;

	(void)argv;
	if ((rc = no_args("apply", argc)) || (rc = load_all(o, true, &l)))
		return rc;
	if ((rc = guard_apply(l.site, o->role, l.plan, o->force))) {
		loaded_free(&l);
		return rc;
	}
	rc = open_kernel(o, &k);
	po = pending_opts(o);
	if (!rc && o->json)
		rc = diff_before(k, l.plan, &diff);
	if (!rc && o->confirm) {
		rc = pending_apply(k, l.plan, &po, &st);
		if (!rc && st.in_sync)
			say(0, "table inet %s is in sync; nothing to do, nothing to confirm",
			    table_name(o));
		else if (!rc)
			say(0, "applied table inet %s%s; run 'finesse-nft confirm' within %u s, "
			    "or the previous table comes back", table_name(o),
			    st.counters_reset ? " (replaced whole; per-row counters restart from 0)" : "",
			    o->confirm);
	} else if (!rc && !(rc = pending_check(k, &po, "apply"))) {
		rc = fnft_kernel_apply(k, l.plan, &st, &err);
		if (rc)
			rc = exit_fail(PHASE_KERNEL, rc, &err);
		else if (st.in_sync)
			say(0, "table inet %s is in sync; nothing to do",
			    o->table ? o->table : FNFT_DEFAULT_TABLE);
		else
			say(0, "applied table inet %s (%s, %u messages%s)",
			    o->table ? o->table : FNFT_DEFAULT_TABLE,
			    st.incremental ? "changes only" : "replaced whole",
			    st.messages, reset_note(&st));
	}
	if (!rc && o->json)
		rc = print_apply_json(o, k, &st, diff);
	free(diff);
	close_kernel(k);
	loaded_free(&l);
	return rc;
}

static int read_kernel(const struct opts *o, unsigned flags,
		       struct fnft_ruleset **live)
{
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };
	int rc = open_kernel(o, &k);

	if (rc)
		return rc;
	rc = fnft_kernel_read(k, flags | (o->verify ? FNFT_READ_VERIFY : 0), live,
			      &err);
	close_kernel(k);
	return rc ? exit_fail(PHASE_KERNEL, rc, &err) : EXIT_OK;
}

static int cmd_dry_run(struct opts *o, int argc, char **argv)
{
	struct fnft_ruleset *live = NULL;
	char label_a[128], label_b[1024];
	char *text = NULL;
	struct loaded l;
	int rc;

	(void)argv;
	if ((rc = no_args("dry-run", argc)) || (rc = review_format("dry-run", o)) ||
	    (rc = load_all(o, !o->json, &l)))
		return rc;
	rc = read_kernel(o, 0, &live);
	if (rc) {
		loaded_free(&l);
		return rc;
	}
	snprintf(label_a, sizeof(label_a), "live table inet %s%s",
		 o->table ? o->table : FNFT_DEFAULT_TABLE, live ? "" : " (absent)");
	snprintf(label_b, sizeof(label_b), "plan %s", o->site);
	if (o->summary || (o->format && !strcmp(o->format, "markdown"))) {
		struct review_opts ro = { .summary = o->summary, .json = o->json,
					  .markdown = o->format && !strcmp(o->format, "markdown") };

		rc = review_live(&ro, live, l.plan, l.site, o->role != FNFT_ROLE_SITE ?
				 o->role : fnft_site_role(l.site), label_a, label_b);
		rc = rc < 0 ? EXIT_SYSTEM :
		     live && fnft_ruleset_equal(live, l.plan) ? EXIT_OK : EXIT_DIFFERENT;
	} else if (o->json) {
		rc = fnft_ruleset_diff_json(live, l.plan, &text);
		if (!rc)
			printf("%s\n", text);
		rc = rc < 0 ? EXIT_SYSTEM :
		     live && fnft_ruleset_equal(live, l.plan) ? EXIT_OK : EXIT_DIFFERENT;
	} else {
		rc = fnft_ruleset_diff(live, l.plan, label_a, label_b, &text);
		if (rc == 1)
			fputs(text, stdout);
		rc = rc < 0 ? EXIT_SYSTEM : rc == 1 ? EXIT_DIFFERENT : EXIT_OK;
	}
	if (rc == EXIT_SYSTEM)
		say(0, "out of memory");
	free(text);
	fnft_ruleset_free(live);
	loaded_free(&l);
	return rc;
}

/*
 * Exit 0 when the table is the plan, 1 when it differs or does not exist
 * (as dry-run), 2 when the site could not be loaded (the live table is
 * shown alone), 3 when the kernel could not be read (nothing is shown);
 * the same for every --format, so that a timer writing the metrics sees
 * exit 1 and 2 as "written, and worth a look", 3 as "nothing to write".
 */
static int cmd_status(struct opts *o, int argc, char **argv)
{
	struct fnft_ruleset *live = NULL;
	char why[1400], *text = NULL;
	struct loaded l;
	int rc, site_rc;
	bool prom;

	(void)argv;
	if ((rc = no_args("status", argc)))
		return rc;
	if (o->format && strcmp(o->format, "text") && strcmp(o->format, "prometheus"))
		return say(EXIT_USAGE, "unsupported --format '%s' (text or prometheus)", o->format);
	prom = o->format && !strcmp(o->format, "prometheus");
	if (prom && o->json)
		return say(EXIT_USAGE, "status: --format prometheus and --json exclude each other");
	site_rc = load_for_live(o, &l, why, sizeof(why));
	/* a dump, not the state file: counters are in the rules, and the
	 * drift needs the elements */
	rc = read_kernel(o, FNFT_READ_VERIFY, &live);
	if (!rc && fnft_status_render_live(l.cat, l.site, l.plan, live, table_name(o),
					   why[0] ? why : NULL,
					   o->json ? FNFT_STATUS_JSON :
					   prom ? FNFT_STATUS_PROMETHEUS : 0, &text) < 0)
		rc = say(EXIT_SYSTEM, "out of memory");
	if (!rc) {
		fputs(text, stdout);
		if (o->json)
			putchar('\n');
		rc = site_rc ? site_rc :
		     live && fnft_ruleset_equal(live, l.plan) ? EXIT_OK : EXIT_DIFFERENT;
	}
	free(text);
	fnft_ruleset_free(live);
	loaded_free(&l);
	return rc;
}

static int cmd_explain(struct opts *o, int argc, char **argv)
{
	struct fnft_explanation ex;
	struct fnft_ruleset *live = NULL;
	enum fnft_protocol proto = FNFT_PROTO_TCP;
	const char *addr = o->from ? o->from : o->to;
	char how[256], why[1400], *end;
	unsigned long port;
	struct loaded l;
	int rc;

	(void)argv;
	if ((rc = no_args("explain", argc)))
		return rc;
	if (!addr || (o->from && o->to) || !o->port) {
		say(0, "explain needs --from ADDR (inbound) or --to ADDR (outbound), and --port PORT");
		return EXIT_USAGE;
	}
	port = strtoul(o->port, &end, 10);
	if (*end || !*o->port || port < 1 || port > 65535) {
		say(0, "bad --port '%s' (1-65535)", o->port);
		return EXIT_USAGE;
	}
	if (o->proto && strcmp(o->proto, "tcp") && strcmp(o->proto, "udp")) {
		say(0, "bad --proto '%s' (tcp or udp)", o->proto);
		return EXIT_USAGE;
	}
	if (o->proto && !strcmp(o->proto, "udp"))
		proto = FNFT_PROTO_UDP;
	/* the live table answers without a site: a broken one is only said */
	if (o->live && load_for_live(o, &l, why, sizeof(why)))
		say(0, "warning: explain --live answers from the live table alone");
	else if (!o->live && (rc = load_all(o, false, &l)))
		return rc;
	if (o->live && (rc = read_kernel(o, 0, &live))) {
		loaded_free(&l);
		return rc;
	}
	if (o->live && !live) {
		say(0, "table inet %s does not exist: nothing of ours stops it",
		    o->table ? o->table : FNFT_DEFAULT_TABLE);
		loaded_free(&l);
		return EXIT_OK;
	}
	if (fnft_explain(live ? live : l.plan, o->to != NULL, addr, proto,
			 (unsigned)port, &ex) < 0) {
		say(0, "'%s' is not an IPv4 or IPv6 address", addr);
		rc = EXIT_USAGE;
	} else {
		explanation_describe(&ex, how, sizeof(how));
		printf("%s%s\n", how, ex.uncertain ?
		       " (uncertain: a rule came first that finesse-nft cannot read or judge)" : "");
		rc = ex.accepted ? EXIT_OK : EXIT_DIFFERENT;
	}
	fnft_ruleset_free(live);
	loaded_free(&l);
	return rc;
}

static int cmd_confirm_or_rollback(struct opts *o, int argc, bool confirm)
{
	struct pending_opts po;
	struct fnft_kernel *k = NULL;
	int rc;

	if ((rc = no_args(confirm ? "confirm" : "rollback", argc)) ||
	    (rc = open_kernel(o, &k)))
		return rc;
	po = pending_opts(o);
	rc = confirm ? pending_confirm(k, &po) : pending_rollback(k, &po);
	close_kernel(k);
	return rc;
}

static int cmd_confirm(struct opts *o, int argc, char **argv)
{
	(void)argv;
	return cmd_confirm_or_rollback(o, argc, true);
}

static int cmd_rollback(struct opts *o, int argc, char **argv)
{
	(void)argv;
	return cmd_confirm_or_rollback(o, argc, false);
}

static int cmd_remove(struct opts *o, int argc, char **argv)
{
	struct fnft_kernel *k = NULL;
	struct fnft_error err = { 0 };
	int rc;

	struct pending_opts po = pending_opts(o);

	(void)argv;
	if ((rc = no_args("remove", argc)) || (rc = open_kernel(o, &k)))
		return rc;
	if ((rc = pending_check(k, &po, "remove"))) {
		close_kernel(k);
		return rc;
	}
	rc = fnft_kernel_remove(k, &err);
	close_kernel(k);
	return rc ? exit_fail(PHASE_KERNEL, rc, &err) : EXIT_OK;
}

/* ---- option tables ---- */

enum { OPT_TABLE = 256, OPT_CATALOG, OPT_NODE, OPT_JSON, OPT_FORMAT,
       OPT_VERSION, OPT_VERIFY, OPT_STATE_DIR, OPT_NO_STATE, OPT_FORCE,
       OPT_LIVE, OPT_FROM, OPT_TO, OPT_PROTO, OPT_PORT, OPT_CONFIRM,
       OPT_WAIT, OPT_SUMMARY };

#define GLOBAL_OPTS                                                      \
	{ "config", required_argument, NULL, 'c' },                      \
	{ "table", required_argument, NULL, OPT_TABLE },                 \
	{ "catalog", required_argument, NULL, OPT_CATALOG },             \
	{ "state-dir", required_argument, NULL, OPT_STATE_DIR },         \
	{ "no-state", no_argument, NULL, OPT_NO_STATE },                 \
	{ "help", no_argument, NULL, 'h' }

static const struct option global_opts[] = {
	GLOBAL_OPTS,
	{ "version", no_argument, NULL, OPT_VERSION },
	{ 0 },
};
static const struct option writer_opts[] = {
	GLOBAL_OPTS, { "wait", required_argument, NULL, OPT_WAIT }, { 0 },
};
static const struct option remove_opts[] = {
	GLOBAL_OPTS,
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ 0 },
};
static const struct option json_opts[] = {
	GLOBAL_OPTS, { "json", no_argument, NULL, OPT_JSON }, { 0 },
};
static const struct option apply_opts[] = {
	GLOBAL_OPTS,
	{ "node", required_argument, NULL, OPT_NODE },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "confirm", required_argument, NULL, OPT_CONFIRM },
	{ "wait", required_argument, NULL, OPT_WAIT },
	{ "json", no_argument, NULL, OPT_JSON },
	{ 0 },
};
static const struct option explain_opts[] = {
	GLOBAL_OPTS,
	{ "node", required_argument, NULL, OPT_NODE },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "to", required_argument, NULL, OPT_TO },
	{ "port", required_argument, NULL, OPT_PORT },
	{ "proto", required_argument, NULL, OPT_PROTO },
	{ "live", no_argument, NULL, OPT_LIVE },
	{ 0 },
};
static const struct option dry_run_opts[] = {
	GLOBAL_OPTS,
	{ "node", required_argument, NULL, OPT_NODE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "verify", no_argument, NULL, OPT_VERIFY },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ 0 },
};
static const struct option diff_opts[] = {
	GLOBAL_OPTS,
	{ "node", required_argument, NULL, OPT_NODE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "summary", no_argument, NULL, OPT_SUMMARY },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ 0 },
};
static const struct option status_opts[] = {
	GLOBAL_OPTS,
	{ "node", required_argument, NULL, OPT_NODE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ 0 },
};
static const struct option status_cmd_opts[] = {
	GLOBAL_OPTS,
	{ "node", required_argument, NULL, OPT_NODE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ 0 },
};
static const struct option export_opts[] = {
	GLOBAL_OPTS,
	{ "node", required_argument, NULL, OPT_NODE },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ 0 },
};

static const struct command commands[] = {
	{ "catalog", cmd_catalog, "catalog [--json]",
	  "Print the port-usage rows of the catalog (built in, or --catalog FILE).\n"
	  "  --json    a JSON array, one object per row\n",
	  json_opts },
	{ "check", cmd_check, "check [--node R] [--json]",
	  "Validate the site file and plan it; print warnings (empty groups...).\n"
	  "Without a role (no --node, no node =) both roles are planned.\n"
	  "  --json     the result and the warnings as a JSON object\n",
	  status_opts },
	{ "export", cmd_export, "export [--node R] [--format nft|json]",
	  "Print the planned table as an `nft -f` script that replaces only\n"
	  "our table.\n"
	  "  --node R      primary or secondary (overrides node = in [cluster])\n"
	  "  --format F    nft (default): an nft -f script; json: the same for\n"
	  "                nft -j -f (libnftables JSON)\n",
	  export_opts },
	{ "apply", cmd_apply, "apply [--node R] [--confirm SECS] [--force] [--wait SECS] [--json]",
	  "Make the kernel's table equal the plan, in one transaction that\n"
	  "touches only our table; nothing is sent when it already does.  Exit 4\n"
	  "when the ruleset changed while we worked (nothing was applied; run\n"
	  "again).  It refuses (exit 2) a plan that would refuse a new login from\n"
	  "the client of an open SSH session (read from the kernel, and from\n"
	  "SSH_CONNECTION), and a plan for the other node's role (this host holds\n"
	  "the other role's [cluster] address and none of its own).  Refused\n"
	  "(exit 2) while an 'apply --confirm' is pending.\n"
	  "  --node R      primary or secondary (overrides node = in [cluster])\n"
	  "  --confirm S   unless 'finesse-nft confirm' runs within S seconds of\n"
	  "                this apply's return, a detached watchdog, armed before\n"
	  "                the commit, puts the previous table back (or none, if\n"
	  "                there was none); one pending confirm at a time\n"
	  "  --force       apply all the same (an open SSH session's client\n"
	  "                refused, the other node's role, a pending confirm,\n"
	  "                whose rollback then stays armed)\n"
	  "  --wait S      give up after S seconds if another finesse-nft holds\n"
	  "                the table's lock (exit 4); default: wait\n"
	  "  --json        on success, print what was done as one JSON object:\n"
	  "                {\"table\", \"in_sync\", \"incremental\", \"messages\",\n"
	  "                \"changes\": what the batch changed, item by item\n"
	  "                (see finesse-nft(8)),\n"
	  "                \"diff\": the change set, as dry-run --json gives\n"
	  "                it, of the table read just before the batch,\n"
	  "                \"confirm_seconds\": the timer armed, or null,\n"
	  "                \"counters_reset\": an existing table was replaced\n"
	  "                whole, so the per-row counters restart from 0}\n",
	  apply_opts },
	{ "confirm", cmd_confirm, "confirm [--wait SECS]",
	  "Keep the table of the pending 'apply --confirm', and say what the\n"
	  "kernel holds: exit 2 if the rollback already ran, 4 if the table was\n"
	  "changed since by someone else.\n", writer_opts },
	{ "rollback", cmd_rollback, "rollback [--wait SECS]",
	  "Put back, now, the table from before the pending 'apply --confirm'.\n",
	  writer_opts },
	{ "explain", cmd_explain,
	  "explain (--from ADDR | --to ADDR) --port PORT [--proto tcp|udp] [--node R] [--live]",
	  "Would a new connection pass our table, and which row or policy decides?\n"
	  "Exit 0 when accepted, 1 when dropped.\n"
	  "  --from ADDR   inbound: from ADDR to this node's PORT\n"
	  "  --to ADDR     outbound: from this node to ADDR:PORT\n"
	  "  --proto P     tcp (default) or udp\n"
	  "  --live        ask the live table instead of the plan\n",
	  explain_opts },
	{ "dry-run", cmd_dry_run, "dry-run [--node R] [--verify] [--summary] [--json] [--format text|markdown]",
	  "Unified diff, live table -> plan, in the syntax of export.  Writes\n"
	  "nothing.  Exit 0 and no output when in sync, 1 with changes.\n"
	  "  --node R   primary or secondary (overrides node = in [cluster])\n"
	  "  --verify   read the whole live table, set elements included, even\n"
	  "             when the state file could stand in for it\n"
	  "  --summary  the change by group and row instead of the diff\n"
	  "  --json     the same change set as data (with --summary: the\n"
	  "             summary, in an array of one object)\n"
	  "  --format F text (default), or markdown for a ticket: the summary\n"
	  "             as a table and the diff in a fenced block\n",
	  dry_run_opts },
	{ "status", cmd_status, "status [--node R] [--json] [--format text|prometheus]",
	  "The live table, read from the kernel: whether it exists, whether it\n"
	  "is the plan (and what drifts), its policies, and per row the packets\n"
	  "and bytes of new connections with its ports, groups and direction.\n"
	  "Without a loadable site, the rows of the live rules' comments.  Exit\n"
	  "0 in sync, 1 when it differs or is missing, 2 when the site could\n"
	  "not be loaded.\n"
	  "  --json     as one JSON object\n"
	  "  --format F text (default), or prometheus: metrics for the textfile\n"
	  "             collector of node_exporter (the exit code as for text)\n",
	  status_cmd_opts },
	{ "remove", cmd_remove, "remove [--force] [--wait SECS]",
	  "Delete our table, and only it.  A missing table is not an error.\n"
	  "Refused (exit 2) while an 'apply --confirm' is pending, unless --force.\n",
	  remove_opts },
	{ "diff", cmd_diff, "diff [--node R] [--summary] [--json] [--format text|markdown] OLD NEW",
	  "Unified diff, in nft syntax, between the tables two site files plan.\n"
	  "Without --node, and unless both files say node =, both roles are\n"
	  "diffed, labelled OLD (primary), OLD (secondary).  Exit 0 when equal,\n"
	  "1 when they differ.  OLD and NEW are read with their drop-ins: a\n"
	  "directory as DIR/site.conf + DIR/site.conf.d/, a file with FILE.d/,\n"
	  "or, having none, with the other side's.\n"
	  "  --node R   plan both files for this role\n"
	  "  --summary  the change by group and row instead of the diff\n"
	  "  --json     as JSON: an array of one object per role, the change\n"
	  "             set as dry-run --json gives it, or the summary\n"
	  "  --format F text (default), or markdown for a ticket: the summary\n"
	  "             as a table and the diff in a fenced block\n",
	  diff_opts },
};

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "Usage: finesse-nft [-c FILE] [--table NAME] [--catalog FILE] COMMAND [options]\n\n"
		   "Commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].usage);
	fprintf(f, "\nOptions:\n"
		   "  -c, --config FILE  site file (default " DEFAULT_SITE ")\n"
		   "  --table NAME       managed table, family inet (default finesse)\n"
		   "  --catalog FILE     load this catalog instead of the built-in one\n"
		   "  --state-dir DIR    state file directory (default " FNFT_STATE_DIR ";\n"
		   "                     also $FNFT_STATE_DIR); --no-state: keep none\n"
		   "  -h, --help         this help; COMMAND --help for a command's\n"
		   "  --version          print the version\n\n"
		   "Exit: 0 ok, 1 differences, 2 bad usage or input, 3 system or kernel\n"
		   "failure, 4 conflict (ruleset changed underneath; retry).\n");
}

/* One option, global or the command's; returns -1 on a usage error. */
static int take_option(struct opts *o, int c, const char *arg)
{
	switch (c) {
	case 'c':
		o->site = arg;
		return 0;
	case OPT_TABLE:
		o->table = arg;
		return 0;
	case OPT_CATALOG:
		o->catalog = arg;
		return 0;
	case OPT_NODE:
		if (fnft_role_parse(arg, &o->role) < 0) {
			say(0, "bad --node '%s' (expected primary or secondary)", arg);
			return -1;
		}
		return 0;
	case OPT_JSON:
		o->json = true;
		return 0;
	case OPT_FORMAT:
		o->format = arg;
		return 0;
	case OPT_VERIFY:
		o->verify = true;
		return 0;
	case OPT_SUMMARY:
		o->summary = true;
		return 0;
	case OPT_STATE_DIR:
		o->state_dir = arg;
		return 0;
	case OPT_NO_STATE:
		o->no_state = true;
		return 0;
	case OPT_FORCE:
		o->force = true;
		return 0;
	case OPT_LIVE:
		o->live = true;
		return 0;
	case OPT_FROM:
		o->from = arg;
		return 0;
	case OPT_TO:
		o->to = arg;
		return 0;
	case OPT_PROTO:
		o->proto = arg;
		return 0;
	case OPT_PORT:
		o->port = arg;
		return 0;
	case OPT_CONFIRM: {
		char *end;
		unsigned long v = strtoul(arg, &end, 10);

		if (!*arg || *end || v < 1 || v > 86400) {
			say(0, "bad --confirm '%s' (seconds, 1-86400)", arg);
			return -1;
		}
		o->confirm = (unsigned)v;
		return 0;
	}
	case OPT_WAIT: {
		char *end;
		double v = strtod(arg, &end);

		if (!*arg || *end || !(v >= 0 && v <= 86400)) {
			say(0, "bad --wait '%s' (seconds, 0-86400)", arg);
			return -1;
		}
		o->wait_ms = (int)(v * 1000 + 0.5);
		return 0;
	}
	default:
		return -1;
	}
}

static int run_command(const struct command *cmd, struct opts *o, int argc,
		       char **argv)
{
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:h", cmd->longopts,
				NULL)) != -1) {
		if (c == 'h') {
			printf("Usage: finesse-nft %s\n\n%s", cmd->usage, cmd->help);
			return EXIT_OK;
		}
		if (take_option(o, c, optarg) < 0) {
			fprintf(stderr, "Usage: finesse-nft %s\n", cmd->usage);
			return EXIT_USAGE;
		}
	}
	return cmd->run(o, argc - optind, argv + optind);
}

int main(int argc, char **argv)
{
	struct opts o = { .site = DEFAULT_SITE, .state_dir = getenv("FNFT_STATE_DIR"),
			  .wait_ms = -1 };
	size_t i;
	int c;

	while ((c = getopt_long(argc, argv, "+c:h", global_opts, NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			return EXIT_OK;
		}
		if (c == OPT_VERSION) {
			printf("finesse-nft %s\n", fnft_version());
			return EXIT_OK;
		}
		if (take_option(&o, c, optarg) < 0) {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[optind], commands[i].name) == 0)
			return run_command(&commands[i], &o, argc - optind,
					   argv + optind);
	say(0, "unknown command '%s' (try --help)", argv[optind]);
	return EXIT_USAGE;
}
