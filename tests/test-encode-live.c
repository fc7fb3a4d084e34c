/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Namespace tests for lib/encode.c: the proof that the encoder's batch is
 * what nft sends for the script the renderer prints, and that the kernel
 * ends up holding the same table either way.
 *
 *  - rules:  each NEWRULE, printed by nftnl_rule_snprintf(), equals what
 *            `nft --debug=netlink -f SCRIPT` prints for that rule;
 *  - batch:  the whole batch, printed by libmnl's mnl_nlmsg_fprintf(),
 *            equals `nft --debug=mnl -f SCRIPT` (the same printer over the
 *            bytes nft sends): every message, attribute and byte but the
 *            attribute padding, which means nothing;
 *  - kernel: after sending our batch, `nft list ruleset` and
 *            `nft -j list ruleset` equal those after `nft -f SCRIPT` in
 *            another fresh namespace; replacing an existing table, removing
 *            it (twice) and the generation-id check work.
 *
 * Every kernel contact happens in a forked child inside a fresh network
 * namespace (a user + network namespace when not root): the host's ruleset
 * is never touched.  Without namespaces or nft the test is skipped (exit
 * 77), unless CI=true, where it fails.
 */
#include <check.h>
#include <errno.h>
#include <regex.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include <jansson.h>
#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <finesse-nft/finesse-nft.h>

#include "decode.h"
#include "encode.h"
#include "internal.h"
#include "ir.h"
#include "netlink.h"
#include "patch.h"
#include "udiff.h"

#ifndef FNFT_SOURCE_DIR
#define FNFT_SOURCE_DIR "."
#endif

/* examples/site.conf; the first argument overrides it */
static const char *site_path = FNFT_SOURCE_DIR "/examples/site.conf";

#define SEQ_START 1000	/* any value; not what nft uses, on purpose */

static char tmpdir[] = "/tmp/fnft-encode-XXXXXX";

/* ------------------------------------------------------------------ */
/* files and processes */

static char *path_in(const char *name)
{
	static char buf[4][512];
	static unsigned k;
	char *p = buf[k++ % 4];

	snprintf(p, sizeof(buf[0]), "%s/%s", tmpdir, name);
	return p;
}

static void save(const char *name, const char *text)
{
	FILE *f = fopen(path_in(name), "w");

	ck_assert_msg(f, "cannot write %s: %s", path_in(name), strerror(errno));
	fputs(text ? text : "", f);
	fclose(f);
}

static char *read_stream(FILE *f)
{
	char *s = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&s, &len);
	char buf[4096];
	size_t n;

	if (!m)
		return NULL;
	rewind(f);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		fwrite(buf, 1, n, m);
	fclose(m);
	return s;
}

/* The file's text, "" when it does not exist. */
static char *load(const char *name)
{
	FILE *f = fopen(path_in(name), "r");
	char *s;

	if (!f)
		return strdup("");
	s = read_stream(f);
	fclose(f);
	return s;
}

static void remove_tmpdir(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", tmpdir);
}

/* A child writes what went wrong into the file "report". */
static int report(const char *fmt, ...) FNFT_PRINTF(1, 2);

static int write_proc(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -errno;
	rc = fputs(text, f) < 0 ? -EIO : 0;
	if (fclose(f))
		rc = -errno;
	return rc;
}

/* Leave the host's network namespace for good (this process only). */
static int enter_netns(void)
{
	uid_t uid = getuid();
	gid_t gid = getgid();
	char map[64];

	if (unshare(CLONE_NEWNET) == 0)
		return 0;
	if (errno != EPERM)
		return -errno;
	/* not root: a user namespace makes us root over a new netns */
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		return -errno;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	if (write_proc("/proc/self/uid_map", map) ||
	    write_proc("/proc/self/setgroups", "deny"))
		return -EPERM;
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	return write_proc("/proc/self/gid_map", map) ? -EPERM : 0;
}

static const char *nft_bin(void)
{
	const char *s = getenv("FNFT_NFT");

	return s && *s ? s : "nft";
}

/*
 * Run nft with @args (NULL-terminated, without argv[0]) in the current
 * namespace; stdout into *out (may be NULL), stderr into *err (may be NULL).
 * Returns nft's exit status, 127 when it could not be started.
 */
static int run_nft(const char *const *args, char **out, char **err)
{
	const char *argv[16] = { nft_bin() };
	FILE *o = tmpfile(), *e = tmpfile();
	int status, i;
	pid_t pid;

	for (i = 0; args[i] && i < 14; i++)
		argv[i + 1] = args[i];
	if (!o || !e)
		return 127;
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		dup2(fileno(o), 1);
		dup2(fileno(e), 2);
		execvp(argv[0], (char **)argv);
		if (!strchr(argv[0], '/'))
			execv("/usr/sbin/nft", (char **)argv);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		status = 127 << 8;
	if (out)
		*out = read_stream(o);
	if (err)
		*err = read_stream(e);
	fclose(o);
	fclose(e);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Run @fn in a forked child inside a fresh network namespace.  Returns the
 * child's exit code: @fn's result, or 125 when there is no namespace. */
static int in_netns(int (*fn)(void *), void *arg)
{
	int status;
	pid_t pid;

	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		int rc = enter_netns();

		if (rc) {
			report("cannot create a network namespace: %s",
			       strerror(-rc));
			_exit(125);
		}
		_exit(fn(arg));
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 125;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 126;
}

static int report(const char *fmt, ...)
{
	FILE *f = fopen(path_in("report"), "a");
	va_list ap;

	if (f) {
		va_start(ap, fmt);
		vfprintf(f, fmt, ap);
		va_end(ap);
		fputc('\n', f);
		fclose(f);
	}
	return 1;
}

static void assert_no_report(int rc, const char *what)
{
	char *r = load("report");

	ck_assert_msg(rc == 0 && !r[0], "%s failed (child exit %d):\n%s", what,
		      rc, r);
	free(r);
}

/* ------------------------------------------------------------------ */
/* text helpers */

static char *replace_all(const char *s, const char *re, const char *with)
{
	struct fnft_buf b = { 0 };
	regmatch_t m;
	regex_t rx;
	char *out = NULL;

	ck_assert_int_eq(regcomp(&rx, re, REG_EXTENDED), 0);
	/* (the patterns used here never match the empty string) */
	while (*s && regexec(&rx, s, 1, &m, 0) == 0 && m.rm_eo > m.rm_so) {
		fnft_buf_printf(&b, "%.*s%s", (int)m.rm_so, s, with);
		s += m.rm_eo;
	}
	fnft_buf_puts(&b, s);
	regfree(&rx);
	ck_assert_int_eq(fnft_buf_steal(&b, &out), 0);
	return out;
}

/* Counter values are the only thing traffic may change. */
static char *strip_counters(const char *text)
{
	char *a = replace_all(text, "counter packets [0-9]+ bytes [0-9]+",
			      "counter packets 0 bytes 0");
	char *b = replace_all(a, "\"packets\": ?[0-9]+, ?\"bytes\": ?[0-9]+",
			      "\"packets\": 0, \"bytes\": 0");

	free(a);
	return b;
}

/* JSON pretty-printed with sorted keys, so that a diff shows lines. */
static char *json_pretty(const char *text)
{
	json_error_t jerr;
	json_t *j = json_loads(text, 0, &jerr);
	char *s;

	ck_assert_msg(j, "nft -j printed no JSON (%s): %s", jerr.text, text);
	s = json_dumps(j, JSON_INDENT(1) | JSON_SORT_KEYS);
	json_decref(j);
	return s;
}

static void assert_same_text(const char *want, const char *got,
			     const char *label_want, const char *label_got)
{
	char *diff = NULL;
	int rc = fnft_udiff(want, got, label_want, label_got, 3, &diff);

	ck_assert_msg(rc == 0, "%s and %s differ:\n%.3000s", label_want,
		      label_got, diff ? diff : "(out of memory)");
	free(diff);
}

/* ------------------------------------------------------------------ */
/* rulesets under test */

static void add_addrs(struct fnft_ir_set *set, const char *const *addrs)
{
	char why[128];
	size_t i;

	for (i = 0; addrs[i]; i++) {
		enum fnft_family fam;
		struct fnft_iv iv;

		ck_assert_msg(fnft_addr_parse(addrs[i], &fam, &iv, why,
					      sizeof(why)) == 0, "%s", why);
		ck_assert_int_eq(fam, set->family);
		ck_assert_int_eq(fnft_ivlist_add(&set->elems, &iv), 0);
	}
	fnft_ivlist_normalize(&set->elems, set->family);
}

static void add_set(struct fnft_ruleset *rs, const char *name,
		    enum fnft_family fam, const char *const *addrs)
{
	struct fnft_ir_set *set = fnft_ruleset_add_set(rs, name, fam);

	ck_assert_ptr_nonnull(set);
	add_addrs(set, addrs);
}

static void add_rule(struct fnft_ir_chain *c, const struct fnft_ir_rule *r,
		     const struct fnft_port_range *ports, size_t n_ports)
{
	struct fnft_ir_rule tmpl = *r;

	tmpl.dports.v = (struct fnft_port_range *)ports;
	tmpl.dports.n = tmpl.dports.cap = n_ports;
	ck_assert_int_eq(fnft_chain_add_rule(c, &tmpl), 0);
}

#define PORTS(...) (const struct fnft_port_range[]){ __VA_ARGS__ }, \
	ARRAY_SIZE(((const struct fnft_port_range[]){ __VA_ARGS__ }))
#define TYPES(...) .icmp_types = (uint8_t[]){ __VA_ARGS__ }, \
	.n_icmp_types = ARRAY_SIZE(((uint8_t[]){ __VA_ARGS__ }))

/* Everything the IR can say, including what the planner does not (yet). */
static struct fnft_ruleset *edge_ruleset(void)
{
	struct fnft_ruleset *rs = fnft_ruleset_new("edge", "encoder edge cases");
	struct fnft_ir_chain *in, *out;
	const enum fnft_verdict A = FNFT_VERDICT_ACCEPT, D = FNFT_VERDICT_DROP;
	const enum fnft_addr_match S = FNFT_MATCH_SADDR, DA = FNFT_MATCH_DADDR;

	ck_assert_ptr_nonnull(rs);
	add_set(rs, "low_v4", FNFT_V4, (const char *[]){ "0.0.0.0/8",
		"10.0.0.1", "10.20.0.0/15", "240.0.0.0/4", NULL });
	add_set(rs, "all_v6", FNFT_V6, (const char *[]){ "::/0", NULL });
	add_set(rs, "some_v6", FNFT_V6, (const char *[]){
		"2001:db8::1-2001:db8::5", "2001:db8:1::/48", "::1", NULL });
	add_set(rs, "empty_v4", FNFT_V4, (const char *[]){ NULL });
	fnft_ruleset_sort_sets(rs);
	in = fnft_ruleset_add_chain(rs, "input", FNFT_HOOK_INPUT, 0, D);
	out = fnft_ruleset_add_chain(rs, "output", FNFT_HOOK_OUTPUT, 0, A);
	ck_assert_ptr_nonnull(in);
	ck_assert_ptr_nonnull(out);

	add_rule(in, &(struct fnft_ir_rule){ .ct_state = FNFT_CT_ESTABLISHED |
		 FNFT_CT_RELATED, .verdict = A }, NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .ct_state = FNFT_CT_INVALID,
		 .verdict = D }, NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .ct_state = FNFT_CT_NEW,
		 .counter = true, .verdict = A }, NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .iifname = "lo", .verdict = A },
		 NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .iifname = "eth*", .counter = true,
		 .verdict = A }, NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .l4 = FNFT_L4_ICMP,
		 TYPES(3, 8, 11, 12), .verdict = A }, NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .l4 = FNFT_L4_ICMP, TYPES(8),
		 .verdict = A }, NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .l4 = FNFT_L4_ICMPV6,
		 TYPES(1, 2, 3, 4, 128, 133, 134, 135, 136), .verdict = A },
		 NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .addr = S, .family = FNFT_V4,
		 .set = "low_v4", .l4 = FNFT_L4_ICMP, TYPES(8), .verdict = A },
		 NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .addr = S, .family = FNFT_V6,
		 .set = "all_v6", .l4 = FNFT_L4_ICMPV6, TYPES(128, 200),
		 .verdict = A }, NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .addr = S, .family = FNFT_V4,
		 .set = "low_v4", .l4 = FNFT_L4_TCP, .counter = true,
		 .verdict = A, .comment = "tomcat.http" },
		 PORTS({ 80, 80 }, { 8082, 8082 }));
	add_rule(in, &(struct fnft_ir_rule){ .addr = S, .family = FNFT_V6,
		 .set = "some_v6", .l4 = FNFT_L4_TCP, .counter = true,
		 .verdict = A, .comment = "xmpp" }, PORTS({ 5222, 5222 }));
	add_rule(in, &(struct fnft_ir_rule){ .l4 = FNFT_L4_TCP, .counter = true,
		 .verdict = A, .comment = "one range" }, PORTS({ 6000, 6010 }));
	add_rule(in, &(struct fnft_ir_rule){ .l4 = FNFT_L4_UDP, .counter = true,
		 .verdict = A }, PORTS({ 53, 53 }, { 6000, 6010 }));
	add_rule(in, &(struct fnft_ir_rule){ .l4 = FNFT_L4_UDP, .verdict = A },
		 PORTS({ 123, 123 }));
	add_rule(in, &(struct fnft_ir_rule){ .addr = S, .family = FNFT_V6,
		 .set = "some_v6", .l4 = FNFT_L4_UDP, .verdict = A },
		 PORTS({ 1, 100 }, { 200, 200 }, { 60000, 65535 }));
	add_rule(in, &(struct fnft_ir_rule){ .l4 = FNFT_L4_TCP, .verdict = D },
		 PORTS({ 1, 65535 }));
	add_rule(in, &(struct fnft_ir_rule){ .addr = S, .family = FNFT_V4,
		 .set = "empty_v4", .l4 = FNFT_L4_TCP, .counter = true,
		 .verdict = A, .comment = "ssh" }, PORTS({ 22, 22 }));
	add_rule(in, &(struct fnft_ir_rule){ .ct_state = FNFT_CT_ESTABLISHED,
		 .iifname = "eth0", .addr = S, .family = FNFT_V4,
		 .set = "low_v4", .l4 = FNFT_L4_TCP, .counter = true,
		 .limit_per_minute = 10, .log_prefix = "all: ", .verdict = A,
		 .comment = "everything" }, PORTS({ 443, 443 }, { 8445, 8445 }));
	add_rule(in, &(struct fnft_ir_rule){ .iifname = "lo", .addr = S,
		 .family = FNFT_V4, .set = "low_v4", .l4 = FNFT_L4_TCP,
		 .counter = true }, PORTS({ 443, 443 }));
	add_rule(in, &(struct fnft_ir_rule){ .log_prefix = "plain ",
		 .verdict = D }, NULL, 0);
	add_rule(in, &(struct fnft_ir_rule){ .limit_per_minute = 5,
		 .log_prefix = "finesse-nft drop: " }, NULL, 0);

	add_rule(out, &(struct fnft_ir_rule){ .ct_state = FNFT_CT_ESTABLISHED |
		 FNFT_CT_RELATED, .verdict = A }, NULL, 0);
	add_rule(out, &(struct fnft_ir_rule){ .oifname = "lo", .verdict = A },
		 NULL, 0);
	add_rule(out, &(struct fnft_ir_rule){ .l4 = FNFT_L4_ICMPV6,
		 TYPES(1, 2, 3, 4, 133, 135, 136, 143), .verdict = A }, NULL, 0);
	add_rule(out, &(struct fnft_ir_rule){ .addr = DA, .family = FNFT_V4,
		 .set = "low_v4", .l4 = FNFT_L4_TCP, .counter = true,
		 .verdict = A, .comment = "ucce.awdb" }, PORTS({ 1433, 1433 }));
	add_rule(out, &(struct fnft_ir_rule){ .addr = DA, .family = FNFT_V6,
		 .set = "all_v6", .l4 = FNFT_L4_TCP, .counter = true,
		 .verdict = A, .comment = "gadget.https" },
		 PORTS({ 443, 443 }, { 8445, 8445 }));
	add_rule(out, &(struct fnft_ir_rule){ .counter = true }, NULL, 0);
	return rs;
}

/* One set big enough to need several NEWSETELEM messages. */
static struct fnft_ruleset *big_ruleset(void)
{
	struct fnft_ruleset *rs = fnft_ruleset_new("big", NULL);
	struct fnft_ir_set *set;
	struct fnft_ir_chain *in;
	size_t i;

	ck_assert_ptr_nonnull(rs);
	set = fnft_ruleset_add_set(rs, "many_v6", FNFT_V6);
	ck_assert_ptr_nonnull(set);
	for (i = 0; i < 1500; i++) {
		struct fnft_iv iv = { .lo = { 0x20, 0x01, 0x0d, 0xb8 } };

		iv.lo[14] = (uint8_t)(i >> 7);
		iv.lo[15] = (uint8_t)(i << 1);	/* every other address */
		memcpy(iv.hi, iv.lo, sizeof(iv.hi));
		ck_assert_int_eq(fnft_ivlist_add(&set->elems, &iv), 0);
	}
	fnft_ivlist_normalize(&set->elems, FNFT_V6);
	in = fnft_ruleset_add_chain(rs, "input", FNFT_HOOK_INPUT, 0,
				    FNFT_VERDICT_ACCEPT);
	ck_assert_ptr_nonnull(in);
	add_rule(in, &(struct fnft_ir_rule){ .addr = FNFT_MATCH_SADDR,
		 .family = FNFT_V6, .set = "many_v6", .l4 = FNFT_L4_TCP,
		 .verdict = FNFT_VERDICT_DROP }, PORTS({ 22, 22 }));
	return rs;
}

static const char variant_site[] =
	"[cluster]\n"
	"primary = 10.0.0.11\n"
	"secondary = 10.0.0.12\n"
	"secondary = 2001:db8::12\n"
	"node = secondary\n"
	"[policy]\n"
	"input = drop\noutput = drop\ninsecure = deny\nlog = on\nping = any\n"
	"[group ntp]\n"
	"address = 192.0.2.0/24\naddress = 2001:db8:123::/48\n"
	"[group media]\n"
	"address = 198.51.100.7-198.51.100.9\n"
	"address = 2001:db8:7::1-2001:db8:7::9\n"
	"[port]\nucce.awdb = 1500\n"
	"[entry ntp]\nlistener = NTP\nprotocol = udp\nlisten-port = 123\n"
	"remote = ntp\ndirection = bidirectional\nremote-port = 123\n"
	"[entry rtp]\nlistener = media\nprotocol = udp\n"
	"listen-port = 16384-32767\nremote = any\ndirection = inbound\n"
	"[entry multi]\nlistener = multi\nprotocol = tcp\n"
	"listen-port = 6000-6010, 7000, 65000-65535\nremote = media\n"
	"direction = inbound\n";

/* Plan from a site file (@path) or site text (@text). */
static struct fnft_ruleset *planned(const char *path, const char *text,
				    enum fnft_role role)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_site *site = NULL;
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err = { 0 };

	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, &err), 0);
	if (path)
		ck_assert_msg(fnft_site_load(path, cat, &site, &err) == 0,
			      "%s: %s", path, err.message);
	else
		ck_assert_msg(fnft_site_load_buffer("variant", text, strlen(text),
						    cat, &site, &err) == 0,
			      "variant site: line %u: %s", err.line, err.message);
	ck_assert_msg(fnft_plan(cat, site, role, NULL, &rs, &err) == 0, "%s",
		      err.message);
	fnft_site_free(site);
	fnft_catalog_free(cat);
	return rs;
}

struct scenario {
	const char *label;
	struct fnft_ruleset *rs;
	bool big;
};

/* The golden sites too: the bytecode is checked for each of them. */
static const char *const golden[] = {
	"primary", "secondary", "insecure-deny", "moved-ports", "empty-group",
	"ipv6-only", "entries", "disable", "output-drop", "ping-any-log",
	"ping-none",
};
#define N_GOLDEN (sizeof(golden) / sizeof(golden[0]))
#define N_SCENARIOS (5 + N_GOLDEN)

static struct scenario scenarios[N_SCENARIOS];
static char golden_labels[N_GOLDEN][32];
static size_t n_scenarios;

static void scenarios_setup(void)
{
	const char *site = site_path;
	size_t i = 0;

	scenarios[i++] = (struct scenario){ "site-primary",
		planned(site, NULL, FNFT_ROLE_PRIMARY), false };
	scenarios[i++] = (struct scenario){ "site-secondary",
		planned(site, NULL, FNFT_ROLE_SECONDARY), false };
	scenarios[i++] = (struct scenario){ "variant",
		planned(NULL, variant_site, FNFT_ROLE_SITE), false };
	scenarios[i++] = (struct scenario){ "edge", edge_ruleset(), false };
	scenarios[i++] = (struct scenario){ "big", big_ruleset(), true };
	for (size_t g = 0; g < N_GOLDEN; g++) {
		char path[512];

		snprintf(path, sizeof(path), FNFT_SOURCE_DIR "/tests/golden/%s.conf",
			 golden[g]);
		snprintf(golden_labels[g], sizeof(golden_labels[g]), "golden-%s",
			 golden[g]);
		scenarios[i++] = (struct scenario){ golden_labels[g],
			planned(path, NULL, FNFT_ROLE_SITE), false };
	}
	n_scenarios = i;
}

static void scenarios_teardown(void)
{
	size_t i;

	for (i = 0; i < n_scenarios; i++)
		fnft_ruleset_free(scenarios[i].rs);
	n_scenarios = 0;
}

/* Render @sc to "<label>.nft" and return the file name. */
static const char *script_of(const struct scenario *sc)
{
	static char name[64];
	char *text = NULL;

	ck_assert_int_eq(fnft_ruleset_render(sc->rs, &text), 0);
	snprintf(name, sizeof(name), "%s.nft", sc->label);
	save(name, text);
	free(text);
	return name;
}

static struct fnft_batch *encode(const struct fnft_ruleset *rs, uint32_t genid,
				 uint32_t seq)
{
	struct fnft_batch *b = NULL;
	int rc = fnft_encode_replace(rs, genid, seq, &b);

	ck_assert_msg(rc == 0, "fnft_encode_replace: %s", strerror(-rc));
	return b;
}

/* ------------------------------------------------------------------ */
/* nft as reference: rule by rule */

struct nft_job {
	const char *const *args;
	const char *out_name;
};

static int nft_job(void *arg)
{
	const struct nft_job *job = arg;
	char *out = NULL, *err = NULL;
	int rc = run_nft(job->args, &out, &err);

	save(job->out_name, out);
	if (rc)
		report("nft %s ... exited %d: %s", job->args[0], rc, err);
	free(out);
	free(err);
	return rc ? 1 : 0;
}

/* The rule blocks of `nft --debug=netlink` output, in order: a line
 * "inet TABLE CHAIN" and the indented lines after it. */
static char **netlink_rule_blocks(char *text, size_t *n)
{
	char **blocks = NULL, *line, *save_ptr = NULL;
	size_t cap = 0;
	struct fnft_buf cur = { 0 };
	bool in_block = false;

	*n = 0;
	for (line = strtok_r(text, "\n", &save_ptr); line;
	     line = strtok_r(NULL, "\n", &save_ptr)) {
		bool indented = !strncmp(line, "  ", 2);

		if (in_block && indented) {
			fnft_buf_printf(&cur, "\n%s", line);
			continue;
		}
		if (in_block) {
			ck_assert_int_eq(fnft_grow(&blocks, &cap, *n + 1,
						   sizeof(*blocks)), 0);
			ck_assert_int_eq(fnft_buf_steal(&cur, &blocks[(*n)++]), 0);
			in_block = false;
		}
		/* a rule starts "inet t c"; chains print "inet (null) ..." */
		if (!strncmp(line, "inet ", 5) && !strstr(line, "(null)")) {
			fnft_buf_puts(&cur, line);
			in_block = true;
		}
	}
	if (in_block) {
		ck_assert_int_eq(fnft_grow(&blocks, &cap, *n + 1, sizeof(*blocks)), 0);
		ck_assert_int_eq(fnft_buf_steal(&cur, &blocks[(*n)++]), 0);
	}
	return blocks;
}

static char *rule_text(const struct fnft_ir_rule *r)
{
	struct fnft_buf b = { 0 };
	char *s = NULL;

	fnft_render_rule(r, &b);
	ck_assert_int_eq(fnft_buf_steal(&b, &s), 0);
	return s;
}

/* Our rule as nftnl prints it, without the trailing newline. */
static char *our_rule_dump(const struct fnft_ruleset *rs,
			   const struct fnft_ir_chain *c,
			   const struct fnft_ir_rule *r, uint32_t *set_id)
{
	struct nftnl_rule *nr = NULL;
	char buf[16384];
	size_t len;
	int rc = fnft_encode_rule(rs->table, c->name, r, rs, set_id, &nr, NULL);

	ck_assert_msg(rc == 0, "fnft_encode_rule: %s", strerror(-rc));
	nftnl_rule_snprintf(buf, sizeof(buf), nr, NFTNL_OUTPUT_DEFAULT, 0);
	nftnl_rule_free(nr);
	len = strlen(buf);
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
	return strdup(buf);
}

static void check_rules_of(const struct scenario *sc)
{
	const char *args[] = { "--debug=netlink", "-f", NULL, NULL };
	struct nft_job job = { args, "netlink.out" };
	uint32_t set_id = sc->rs->n_sets;
	char *text, **blocks;
	size_t n, k = 0, i, c;

	args[2] = path_in(script_of(sc));
	assert_no_report(in_netns(nft_job, &job), "nft --debug=netlink");
	text = load(job.out_name);
	blocks = netlink_rule_blocks(text, &n);
	for (c = 0; c < sc->rs->n_chains; c++) {
		const struct fnft_ir_chain *ch = &sc->rs->chains[c];

		for (i = 0; i < ch->n_rules; i++, k++) {
			char *ours = our_rule_dump(sc->rs, ch, &ch->rules[i],
						   &set_id);
			char *rt = rule_text(&ch->rules[i]);

			ck_assert_msg(k < n, "%s: nft printed %zu rules, we have more",
				      sc->label, n);
			ck_assert_msg(streq(ours, blocks[k]),
				      "%s: chain %s rule %zu\n  %s\nnft:\n%s\nours:\n%s",
				      sc->label, ch->name, i, rt, blocks[k], ours);
			free(ours);
			free(rt);
		}
	}
	ck_assert_msg(k == n, "%s: nft printed %zu rules, we have %zu",
		      sc->label, n, k);
	for (i = 0; i < n; i++)
		free(blocks[i]);
	free(blocks);
	free(text);
}

START_TEST(rules_match_nft_debug_netlink)
{
	check_rules_of(&scenarios[_i]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* nft as reference: the whole batch, byte for byte */

/* libmnl colours its dump: drop the "ESC [ ... m" sequences */
static char *strip_ansi(const char *s)
{
	char *out = malloc(strlen(s) + 1), *o = out;

	ck_assert_ptr_nonnull(out);
	while (*s) {
		if (s[0] == '\x1b' && s[1] == '[') {
			s += 2 + strspn(s + 2, "0123456789;");
			if (*s == 'm')
				s++;
			continue;
		}
		*o++ = *s++;
	}
	*o = '\0';
	return out;
}

/*
 * Blank the padding after each attribute in a mnl_nlmsg_fprintf() dump.
 * Padding carries no meaning and libmnl 1.0.4 leaves it uninitialised:
 * nft's shows heap garbage under MALLOC_PERTURB_ (which meson sets).
 * An attribute line is "|LLLLL|FF|TTTTT|"; a leaf's payload follows in
 * rows "| b0 b1 b2 b3  |\t|      data      |\t c0 c1 c2 c3", the last of
 * which ends in 4 - L % 4 padding bytes.
 */
static void blank_padding(char *text)
{
	unsigned len = 0, rows = 0, pad = 0;
	char *line, *next;

	for (line = text; *line; line = next) {
		char flags[3];

		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		if (sscanf(line, "|%5u|%2c|", &len, flags) == 2 && len >= 4) {
			bool leaf = flags[0] != 'N';

			rows = leaf ? (len - 4 + 3) / 4 : 0;
			pad = len % 4 ? 4 - len % 4 : 0;
			continue;
		}
		if (!rows || strncmp(line, "| ", 2) || !strstr(line, "|      data      |"))
			continue;
		if (--rows == 0 && pad) {
			char *chars = memrchr(line, '\t', next - line);
			unsigned k;

			for (k = 4 - pad; k < 4; k++) {
				memcpy(line + 2 + 3 * k, "00", 2);
				if (chars && chars + 2 + 2 * k < next)
					chars[2 + 2 * k] = ' ';
			}
		}
	}
}

/* From the batch begin message on; NULL when there is none. */
static const char *batch_part(const char *dump)
{
	const char *p = strstr(dump, "| 00016 |");

	if (!p)
		return NULL;
	while (p > dump && p[-1] != '\n')
		p--;
	return p;
}

/*
 * For sets split over several NEWSETELEM messages: nft gives all of them
 * the same seq and numbers the element nests on across messages; we give
 * each message its own seq and number the elements from 1 in each.  Only
 * those lines may differ, so drop seqs and nest types (the small scenarios
 * compare them exactly).
 */
static char *split_set_normalized(const char *text)
{
	char *a = replace_all(text, "[^\n]*\\| sequence number\\|\n", "");
	char *b = replace_all(a, "\\|N-\\|[0-9]{5}\\|", "|N-|?????|");

	free(a);
	return b;
}

static char *our_mnl_dump(struct fnft_batch *b)
{
	struct nftnl_batch *nb = fnft_batch_nftnl(b);
	int i, n = nftnl_batch_iovec_len(nb);
	struct iovec iov[n > 0 ? n : 1];
	size_t len = 0;
	char *s = NULL;
	FILE *f = open_memstream(&s, &len);

	ck_assert_ptr_nonnull(f);
	nftnl_batch_iovec(nb, iov, n);
	for (i = 0; i < n; i++)
		mnl_nlmsg_fprintf(f, iov[i].iov_base, iov[i].iov_len,
				  sizeof(struct nfgenmsg));
	fclose(f);
	return s;
}

static void check_batch_of(const struct scenario *sc)
{
	const char *args[] = { "--debug=mnl", "-f", NULL, NULL };
	struct nft_job job = { args, "mnl.out" };
	char *raw, *nft_text, *ours_raw, *ours_text, *a, *b;
	const char *nft_batch, *our_batch;
	unsigned seq = 0;
	struct fnft_batch *batch;

	args[2] = path_in(script_of(sc));
	assert_no_report(in_netns(nft_job, &job), "nft --debug=mnl");
	raw = load(job.out_name);
	nft_text = strip_ansi(raw);
	blank_padding(nft_text);
	nft_batch = batch_part(nft_text);
	ck_assert_msg(nft_batch, "%s: no batch in nft --debug=mnl output",
		      sc->label);
	/* encode with nft's own seq numbers so that those lines compare too */
	ck_assert_int_eq(sscanf(strchr(nft_batch, '\n') + 1, "| %u", &seq), 1);
	batch = encode(sc->rs, 0, seq);
	ours_raw = our_mnl_dump(batch);
	ours_text = strip_ansi(ours_raw);
	blank_padding(ours_text);
	our_batch = batch_part(ours_text);
	ck_assert_ptr_nonnull(our_batch);
	a = sc->big ? split_set_normalized(nft_batch) : strdup(nft_batch);
	b = sc->big ? split_set_normalized(our_batch) : strdup(our_batch);
	assert_same_text(a, b, "nft --debug=mnl", "fnft_encode_replace");
	free(a);
	free(b);
	fnft_batch_free(batch);
	free(ours_text);
	free(ours_raw);
	free(nft_text);
	free(raw);
}

START_TEST(batch_matches_nft_debug_mnl)
{
	check_batch_of(&scenarios[_i]);
}
END_TEST

/* ------------------------------------------------------------------ */
/* patches: what `nft delete element` / `nft add element` send */

/*
 * The live table and the plan of the patch test: the variant site, then
 * the same with an IPv4 network narrowed and one reaching the top of the
 * address space (an open interval), an IPv6 range swapped for an open
 * network, and a group that had no address given two (its set was empty:
 * nft then adds the leading interval end at 0 as well).
 */
static const char patch_site_edits[] =
	"[group ntp]\n"
	"address = 192.0.2.0/25\naddress = 255.255.255.0/24\n"
	"address = 2001:db8:123::/48\n"
	"[group media]\n"
	"address = 198.51.100.7-198.51.100.9\naddress = ffff::/16\n"
	"[group browser]\n"
	"address = 10.1.0.0/16\naddress = 2001:db8:b::/48\n";

/* The variant site with its [group ntp] and [group media] replaced. */
static char *patched_site(void)
{
	const char *cut = strstr(variant_site, "[group ntp]");
	const char *rest = strstr(variant_site, "[port]");
	struct fnft_buf b = { 0 };
	char *text = NULL;

	ck_assert(cut && rest);
	fnft_buf_printf(&b, "%.*s%s%s", (int)(cut - variant_site), variant_site,
			patch_site_edits, rest);
	ck_assert_int_eq(fnft_buf_steal(&b, &text), 0);
	return text;
}

/* The nft script for @p: its deletes, then its adds, set by set. */
static char *patch_script(const struct fnft_patch *p)
{
	struct fnft_buf b = { 0 };
	char iv[128], *text = NULL;

	for (int add = 0; add < 2; add++) {
		for (size_t i = 0; i < p->n_sets; i++) {
			const struct fnft_patch_set *ps = &p->sets[i];
			const struct fnft_ivlist *l = add ? &ps->add : &ps->del;

			if (!l->n)
				continue;
			fnft_buf_printf(&b, "%s element inet finesse %s { ",
					add ? "add" : "delete", ps->set->name);
			for (size_t k = 0; k < l->n; k++) {
				fnft_iv_format(&l->v[k], ps->set->family, iv, sizeof(iv));
				fnft_buf_printf(&b, "%s%s", k ? ", " : "", iv);
			}
			fnft_buf_puts(&b, " }\n");
		}
	}
	ck_assert_int_eq(fnft_buf_steal(&b, &text), 0);
	return text;
}

struct patch_job {
	const char *table_script, *patch_script, *out_name;
};

/* Load the live table with nft, then print what nft sends for the patch. */
static int nft_patch_job(void *arg)
{
	const struct patch_job *job = arg;
	const char *load_args[] = { "-f", job->table_script, NULL };
	const char *patch_args[] = { "--debug=mnl", "-f", job->patch_script, NULL };
	char *out = NULL, *err = NULL;
	int rc = run_nft(load_args, &out, &err);

	if (rc)
		report("nft -f %s exited %d: %s", job->table_script, rc, err);
	free(out);
	free(err);
	out = err = NULL;
	if (!rc && (rc = run_nft(patch_args, &out, &err)))
		report("nft --debug=mnl -f %s exited %d: %s", job->patch_script, rc, err);
	save(job->out_name, out);
	free(out);
	free(err);
	return rc ? 1 : 0;
}

/*
 * The messages of a libmnl dump without the batch begin and end (the
 * patch is sent inside ours) and without sequence numbers (ours are
 * given at sending).
 */
static char *patch_messages_only(const char *dump)
{
	const char *p = batch_part(dump) ? batch_part(dump) : dump;
	struct fnft_buf b = { 0 }, msg = { 0 };
	char *text = NULL, *out;
	bool drop = true;	/* what comes before the first message */

	/* a message starts at the rule line just before its length line */
	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *next = eol ? eol + 1 : p + strlen(p);
		const char *after = next;
		const char *eol2 = strchr(after, '\n');

		if (!strncmp(p, "----------------\t", 17) && eol2 &&
		    memmem(after, (size_t)(eol2 - after), "| message length |", 18)) {
			if (!drop && msg.s)
				fnft_buf_puts(&b, msg.s);
			msg.len = 0;
			if (msg.s)
				msg.s[0] = '\0';
			/* the type line follows the length line */
			drop = !strncmp(eol2 + 1, "| 00016 |", 9) ||
			       !strncmp(eol2 + 1, "| 00017 |", 9);
		}
		fnft_buf_printf(&msg, "%.*s", (int)(next - p), p);
		p = next;
	}
	if (!drop && msg.s)
		fnft_buf_puts(&b, msg.s);
	free(msg.s);
	ck_assert_int_eq(fnft_buf_steal(&b, &text), 0);
	out = replace_all(text ? text : "", "[^\n]*\\| sequence number\\|\n", "");
	free(text);
	return out;
}

/*
 * The messages of two libmnl dumps, batch begin and end and seqs left
 * out, compared; nft's must hold messages of types @t1 and @t2 ("02572").
 */
static void assert_same_patch(const char *nft_raw, const char *ours_raw,
			      const char *t1, const char *t2, const char *what)
{
	char *nft_text = strip_ansi(nft_raw), *ours_text = strip_ansi(ours_raw);
	char m1[16], m2[16], *a, *b;

	blank_padding(nft_text);
	blank_padding(ours_text);
	a = patch_messages_only(nft_text);
	b = patch_messages_only(ours_text);
	snprintf(m1, sizeof(m1), "| %s |", t1);
	snprintf(m2, sizeof(m2), "| %s |", t2);
	ck_assert_msg(strstr(a, m1) && strstr(a, m2),
		      "%s: not the messages expected from nft:\n%s", what, nft_text);
	assert_same_text(a, b, what, "fnft_patch_encode");
	free(a);
	free(b);
	free(ours_text);
	free(nft_text);
}

START_TEST(patch_matches_nft_debug_mnl)
{
	struct fnft_ruleset *live = planned(NULL, variant_site, FNFT_ROLE_SITE);
	char *site = patched_site();
	struct fnft_ruleset *plan = planned(NULL, site, FNFT_ROLE_SITE);
	struct patch_job job = { NULL, "patch.nft", "patch-mnl.out" };
	struct fnft_patch p = { 0 };
	struct fnft_batch *batch = NULL;
	char *script, *raw, *ours_raw = NULL;

	/* as if read back: rules have handles */
	for (size_t c = 0; c < live->n_chains; c++)
		for (size_t r = 0; r < live->chains[c].n_rules; r++)
			live->chains[c].rules[r].handle = 100 * (c + 1) + r;
	ck_assert_int_eq(fnft_patch_compute(live, plan, &p), 0);
	ck_assert_uint_eq(p.n_del + p.n_ins, 0);	/* elements only */
	script = patch_script(&p);
	save("patch.nft", script);
	job.table_script = path_in(script_of(&(struct scenario){ "patch-live", live, false }));
	job.patch_script = path_in("patch.nft");
	assert_no_report(in_netns(nft_patch_job, &job), "nft --debug=mnl (patch)");
	raw = load(job.out_name);
	ck_assert_int_eq(fnft_patch_encode(&p, live->table, 0, 1, &batch), 0);
	ours_raw = our_mnl_dump(batch);
	fnft_batch_free(batch);
	/* element deletes and adds */
	assert_same_patch(raw, ours_raw, "02572", "02574", "nft --debug=mnl (patch)");
	free(ours_raw);
	free(raw);
	free(script);
	fnft_patch_free(&p);
	fnft_ruleset_free(plan);
	fnft_ruleset_free(live);
	free(site);
}
END_TEST

/*
 * Patches with rule changes: a port moved (the rule goes and comes back in
 * place, with a position), a row removed, a port added to a range rule.
 * The live table is the one nft loaded, read back by our decoder, so that
 * the handles are the kernel's.
 */
static char *rules_changed_site(void)
{
	char *t = replace_all(variant_site, "ucce.awdb = 1500", "ucce.awdb = 1501");
	char *u = replace_all(t, "\\[entry rtp\\][^[]*", "");
	char *v = replace_all(u, "6000-6010, 7000,", "6000-6010, 7000, 7100,");

	free(t);
	free(u);
	return v;
}

/* The nft script of @p's rule changes, in the order of our batch. */
static char *rule_patch_script(const struct fnft_patch *p, const char *table)
{
	struct fnft_buf b = { 0 };
	char *text = NULL;
	size_t i;

	for (i = 0; i < p->n_del; i++)
		fnft_buf_printf(&b, "delete rule inet %s %s handle %llu\n", table,
				p->del[i].chain,
				(unsigned long long)p->del[i].rule->handle);
	for (i = 0; i < p->n_ins; i++) {
		const struct fnft_patch_rule *r = &p->ins[i];

		if (r->after)
			fnft_buf_printf(&b, "add rule inet %s %s position %llu ", table,
					r->chain, (unsigned long long)r->after);
		else if (r->before)
			fnft_buf_printf(&b, "insert rule inet %s %s position %llu ", table,
					r->chain, (unsigned long long)r->before);
		else
			fnft_buf_printf(&b, "add rule inet %s %s ", table, r->chain);
		fnft_render_rule(r->rule, &b);
		fnft_buf_puts(&b, "\n");
	}
	ck_assert_int_eq(fnft_buf_steal(&b, &text), 0);
	return text;
}

struct rule_patch_job {
	const char *table_script;
	const struct fnft_ruleset *plan;
};

/* nft loads the live table; we read it back, patch it as apply would, and
 * nft prints what it sends for the same changes. */
static int rule_patch_job(void *arg)
{
	struct rule_patch_job *job = arg;
	const char *load_args[] = { "-f", job->table_script, NULL };
	const char *patch_args[] = { "--debug=mnl", "-f", NULL, NULL };
	struct fnft_error err = { 0 };
	struct fnft_ruleset *live = NULL;
	struct fnft_batch *batch = NULL;
	struct fnft_patch p = { 0 };
	struct fnft_dump *d = NULL;
	struct fnft_nl *nl = NULL;
	char *out = NULL, *nerr = NULL, *script, *ours;
	int rc = run_nft(load_args, &out, &nerr);

	free(out);
	free(nerr);
	if (rc)
		return report("nft -f %s exited %d", job->table_script, rc), 1;
	if (fnft_nl_open(&nl, &err) || fnft_nl_dump(nl, "finesse", true, &d, &err) ||
	    fnft_decode(d, &live, &err))
		return report("reading the table back: %s", err.message), 1;
	rc = fnft_patch_compute(live, job->plan, &p);
	if (rc)
		return report("fnft_patch_compute: %d", rc), 1;
	{
		char counts[64];

		/* we are a child: the counts go back through a file */
		snprintf(counts, sizeof(counts), "%zu %zu\n", p.n_del, p.n_ins);
		save("rule-patch-counts", counts);
	}
	script = rule_patch_script(&p, "finesse");
	save("rule-patch.nft", script);
	if (fnft_patch_encode(&p, "finesse", 0, 1, &batch))
		return report("fnft_patch_encode failed"), 1;
	ours = our_mnl_dump(batch);
	save("rule-patch-ours.out", ours);
	patch_args[2] = path_in("rule-patch.nft");
	out = nerr = NULL;
	rc = run_nft(patch_args, &out, &nerr);
	if (rc)
		report("nft --debug=mnl -f rule-patch.nft exited %d: %s\n%s", rc, nerr,
		       script);
	save("rule-patch-mnl.out", out);
	free(out);
	free(nerr);
	free(ours);
	free(script);
	fnft_batch_free(batch);
	fnft_patch_free(&p);
	fnft_ruleset_free(live);
	fnft_dump_free(d);
	fnft_nl_close(nl);
	return rc ? 1 : 0;
}

START_TEST(rule_patch_matches_nft_debug_mnl)
{
	struct fnft_ruleset *live = planned(NULL, variant_site, FNFT_ROLE_SITE);
	char *site = rules_changed_site();
	struct fnft_ruleset *plan = planned(NULL, site, FNFT_ROLE_SITE);
	struct rule_patch_job job = { NULL, plan };
	char *raw, *ours_raw, *counts;
	size_t n_del = 0, n_ins = 0;

	job.table_script = path_in(script_of(&(struct scenario){ "rule-patch-live",
								 live, false }));
	assert_no_report(in_netns(rule_patch_job, &job), "nft --debug=mnl (rule patch)");
	/* the patch moves, removes and adds rules */
	counts = load("rule-patch-counts");
	ck_assert_int_eq(sscanf(counts, "%zu %zu", &n_del, &n_ins), 2);
	free(counts);
	ck_assert_uint_ge(n_del, 3);
	ck_assert_uint_ge(n_ins, 2);
	raw = load("rule-patch-mnl.out");
	ours_raw = load("rule-patch-ours.out");
	/* rule adds and deletes */
	assert_same_patch(raw, ours_raw, "02566", "02568", "nft --debug=mnl (rule patch)");
	free(ours_raw);
	free(raw);
	fnft_ruleset_free(plan);
	fnft_ruleset_free(live);
	free(site);
}
END_TEST

/* ------------------------------------------------------------------ */
/* the kernel */

struct nl_result {
	int send_errno;		/* sendmsg() failure, 0 if sent */
	size_t n;
	uint32_t seq[8];
	int code[8];		/* negative errno */
};

static struct mnl_socket *nl_open(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	int size = 8 << 20;

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		mnl_socket_close(nl);
		return NULL;
	}
	/* batches larger than the default socket buffer (needs
	 * CAP_NET_ADMIN; the big test batch fits the default anyway) */
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &size,
		   sizeof(size));
	return nl;
}

/* The test's own sender: one sendmsg(), then drain the error replies. */
static void send_batch(struct fnft_batch *b, struct nl_result *res)
{
	struct nftnl_batch *nb = fnft_batch_nftnl(b);
	int n = nftnl_batch_iovec_len(nb);
	struct iovec iov[n > 0 ? n : 1];
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa),
			      .msg_iov = iov, .msg_iovlen = n };
	struct mnl_socket *nl = nl_open();
	static char buf[256 * 1024];
	ssize_t len;

	memset(res, 0, sizeof(*res));
	if (!nl) {
		res->send_errno = errno;
		return;
	}
	nftnl_batch_iovec(nb, iov, n);
	if (sendmsg(mnl_socket_get_fd(nl), &msg, 0) < 0)
		res->send_errno = errno;
	/* the kernel handles the batch inside sendmsg(): replies are queued */
	while (!res->send_errno &&
	       (len = recv(mnl_socket_get_fd(nl), buf, sizeof(buf),
			   MSG_DONTWAIT)) > 0) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int left = (int)len;

		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type != NLMSG_ERROR || !e->error ||
			    res->n >= ARRAY_SIZE(res->seq))
				continue;
			res->seq[res->n] = nlh->nlmsg_seq;
			res->code[res->n++] = e->error;
		}
	}
	mnl_socket_close(nl);
}

/* "" when the batch went through, else what went wrong, per IR object. */
static const char *describe(const struct fnft_batch *b,
			    const struct nl_result *res)
{
	static char text[2048];
	size_t i, off = 0;

	text[0] = '\0';
	if (res->send_errno)
		snprintf(text, sizeof(text), "sendmsg: %s",
			 strerror(res->send_errno));
	for (i = 0; i < res->n && off < sizeof(text); i++) {
		const struct fnft_msg_ref *ref = fnft_batch_lookup(b, res->seq[i]);

		off += snprintf(text + off, sizeof(text) - off,
				"seq %u (kind %d, %s%s%s #%zd): %s\n",
				res->seq[i], ref ? (int)ref->kind : -1,
				ref && ref->chain ? ref->chain : "",
				ref && ref->chain ? "/" : "",
				ref && ref->name ? ref->name : "",
				ref ? (ssize_t)ref->rule_index : -1,
				strerror(-res->code[i]));
	}
	return text;
}

static int get_genid(uint32_t *genid)
{
	struct mnl_socket *nl = nl_open();
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_gen *gen = nftnl_gen_alloc();
	struct nlmsghdr *nlh;
	ssize_t len;
	int rc = -EIO;

	if (!nl || !gen)
		goto out;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, 1);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		goto out;
	len = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	nlh = (struct nlmsghdr *)buf;
	if (len > 0 && nlh->nlmsg_type == ((NFNL_SUBSYS_NFTABLES << 8) |
					   NFT_MSG_NEWGEN) &&
	    nftnl_gen_nlmsg_parse(nlh, gen) == 0) {
		*genid = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
		rc = 0;
	}
out:
	if (gen)
		nftnl_gen_free(gen);
	if (nl)
		mnl_socket_close(nl);
	return rc;
}

/* `nft list ruleset` and `nft -j list ruleset` into PREFIX.txt/.json */
static int list_into(const char *prefix)
{
	static const char *const text_args[] = { "list", "ruleset", NULL };
	static const char *const json_args[] = { "-j", "list", "ruleset", NULL };
	char name[64], *out = NULL, *err = NULL;
	int rc;

	rc = run_nft(text_args, &out, &err);
	snprintf(name, sizeof(name), "%s.txt", prefix);
	save(name, out);
	if (rc)
		report("nft list ruleset: %d %s", rc, err);
	free(out);
	free(err);
	if (rc)
		return 1;
	rc = run_nft(json_args, &out, &err);
	snprintf(name, sizeof(name), "%s.json", prefix);
	save(name, out);
	if (rc)
		report("nft -j list ruleset: %d %s", rc, err);
	free(out);
	free(err);
	return rc ? 1 : 0;
}

static int nft_load_job(void *arg)
{
	const char *args[] = { "-f", arg, NULL };
	char *err = NULL;
	int rc = run_nft(args, NULL, &err);

	if (rc)
		report("nft -f %s: %d %s", (const char *)arg, rc, err);
	free(err);
	return rc ? 1 : list_into("ref");
}

static int send_expect_ok(struct fnft_batch *b, const char *what)
{
	struct nl_result res;
	const char *why;

	send_batch(b, &res);
	why = describe(b, &res);
	return why[0] ? report("%s: %s", what, why) : 0;
}

static int our_load_job(void *arg)
{
	const struct scenario *sc = arg;
	struct fnft_batch *b = encode(sc->rs, 0, SEQ_START), *rm = NULL;
	int rc;

	rc = send_expect_ok(b, "first replace (no table yet)") ||
	     list_into("ours") ||
	     send_expect_ok(b, "second replace (table exists)") ||
	     list_into("again");
	if (!rc && fnft_encode_remove(sc->rs->table, 0, 1, &rm) == 0)
		rc = send_expect_ok(rm, "remove") || list_into("removed") ||
		     send_expect_ok(rm, "remove of a missing table");
	fnft_batch_free(rm);
	fnft_batch_free(b);
	return rc;
}

static void check_kernel_of(const struct scenario *sc)
{
	char *want, *got, *a, *b;
	const char *script = script_of(sc);

	assert_no_report(in_netns(nft_load_job, path_in(script)), "nft -f");
	assert_no_report(in_netns(our_load_job, (void *)sc), "our batch");

	want = load("ref.txt");
	got = load("ours.txt");
	a = strip_counters(want);
	b = strip_counters(got);
	ck_assert_msg(strstr(want, "table inet"), "%s: nft listed no table",
		      sc->label);
	assert_same_text(a, b, "after nft -f", "after our batch");
	free(b);
	free(got);
	got = load("again.txt");
	b = strip_counters(got);
	assert_same_text(a, b, "after nft -f", "after our batch, twice");
	free(a);
	free(b);
	free(want);
	free(got);

	/* counters out of nft's compact JSON, then one key a line */
	want = load("ref.json");
	got = load("ours.json");
	a = strip_counters(want);
	b = strip_counters(got);
	free(want);
	free(got);
	want = json_pretty(a);
	got = json_pretty(b);
	assert_same_text(want, got, "nft -j after nft -f",
			 "nft -j after our batch");
	free(a);
	free(b);
	free(want);
	free(got);

	got = load("removed.txt");
	ck_assert_msg(!strstr(got, "table"), "%s: table left after remove:\n%s",
		      sc->label, got);
	free(got);
}

START_TEST(kernel_holds_what_nft_loads)
{
	check_kernel_of(&scenarios[_i]);
}
END_TEST

/* A stale generation id: the kernel refuses the whole batch on the begin
 * message with ERESTART; the current one goes through. */
static int genid_job(void *arg)
{
	const struct fnft_ruleset *rs = arg;
	struct fnft_batch *b = NULL;
	const struct fnft_msg_ref *ref;
	struct nl_result res;
	uint32_t genid;

	if (get_genid(&genid))
		return report("NFT_MSG_GETGEN failed");
	if (fnft_encode_replace(rs, genid + 7, SEQ_START, &b))
		return report("encode failed");
	send_batch(b, &res);
	ref = res.n ? fnft_batch_lookup(b, res.seq[0]) : NULL;
	if (res.send_errno || res.n != 1 || res.code[0] != -ERESTART || !ref ||
	    ref->kind != FNFT_OBJ_BATCH || ref->seq != SEQ_START)
		report("stale genid: want one ERESTART on seq %u, got: %s",
		       SEQ_START, describe(b, &res));
	fnft_batch_free(b);
	if (list_into("stale"))
		return 1;
	if (fnft_encode_replace(rs, genid, SEQ_START, &b))
		return report("encode failed");
	send_expect_ok(b, "current genid");
	fnft_batch_free(b);
	return list_into("current");
}

START_TEST(genid_is_checked)
{
	char *stale, *current;

	assert_no_report(in_netns(genid_job, scenarios[0].rs), "genid");
	stale = load("stale.txt");
	current = load("current.txt");
	ck_assert_msg(!strstr(stale, "table"), "stale batch applied:\n%s", stale);
	ck_assert_msg(strstr(current, "table inet finesse"),
		      "current genid refused:\n%s", current);
	free(stale);
	free(current);
}
END_TEST

/* Our batch as the kernel gets it: the message with sequence number @seq. */
static struct nlmsghdr *find_msg(struct fnft_batch *b, uint32_t seq)
{
	struct nftnl_batch *nb = fnft_batch_nftnl(b);
	int i, n = nftnl_batch_iovec_len(nb);
	struct iovec iov[n > 0 ? n : 1];

	nftnl_batch_iovec(nb, iov, n);
	for (i = 0; i < n; i++) {
		struct nlmsghdr *nlh = iov[i].iov_base;
		int left = (int)iov[i].iov_len;

		for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left))
			if (nlh->nlmsg_seq == seq)
				return nlh;
	}
	return NULL;
}

/*
 * A kernel error comes back on the seq of the message that caused it, and
 * the batch's table maps it to the IR rule.  To provoke one, the test
 * breaks the chain name inside one NEWRULE after encoding.
 */
static int error_map_job(void *arg)
{
	const struct fnft_ruleset *rs = arg;
	struct fnft_batch *b = encode(rs, 0, SEQ_START);
	const struct fnft_msg_ref *ref = NULL, *got;
	struct nlmsghdr *nlh;
	struct nlattr *attr;
	struct nl_result res;
	size_t i;
	int rc = 0;

	for (i = 0; i < fnft_batch_msg_count(b); i++) {
		ref = fnft_batch_msg(b, i);
		if (ref->kind == FNFT_OBJ_RULE && ref->name &&
		    streq(ref->name, "notification.xmpp"))
			break;
	}
	nlh = ref ? find_msg(b, ref->seq) : NULL;
	if (!nlh || nlh->nlmsg_type != ((NFNL_SUBSYS_NFTABLES << 8) |
					NFT_MSG_NEWRULE))
		return report("no NEWRULE for notification.xmpp");
	mnl_attr_for_each(attr, nlh, sizeof(struct nfgenmsg))
		if (mnl_attr_get_type(attr) == NFTA_RULE_CHAIN)
			((char *)mnl_attr_get_payload(attr))[0] = 'X';
	send_batch(b, &res);
	got = res.n ? fnft_batch_lookup(b, res.seq[0]) : NULL;
	if (res.send_errno || !res.n || res.code[0] != -ENOENT || got != ref ||
	    got->kind != FNFT_OBJ_RULE || !got->chain ||
	    !streq(got->chain, "input") || got->rule_index == FNFT_NO_RULE ||
	    !streq(rs->chains[0].rules[got->rule_index].comment,
		   "notification.xmpp"))
		rc = report("want ENOENT on seq %u (input/notification.xmpp), got: %s",
			    ref->seq, describe(b, &res));
	fnft_batch_free(b);
	return rc ? rc : list_into("refused");
}

START_TEST(errors_map_back)
{
	char *after;

	assert_no_report(in_netns(error_map_job, scenarios[0].rs), "error map");
	after = load("refused.txt");
	ck_assert_msg(!strstr(after, "table"), "refused batch applied:\n%s",
		      after);
	free(after);
}
END_TEST

/* ------------------------------------------------------------------ */

static void per_test_setup(void)
{
	unlink(path_in("report"));
	scenarios_setup();
}

static void per_test_teardown(void)
{
	scenarios_teardown();
}

/* An empty namespace where nft runs: "" if we have one, else why not. */
static int probe_job(void *arg)
{
	static const char *const args[] = { "list", "ruleset", NULL };
	char *out = NULL, *err = NULL;
	int rc = run_nft(args, &out, &err);

	(void)arg;
	if (rc)
		report("`%s list ruleset` in a new network namespace: exit %d%s%s",
		       nft_bin(), rc, rc == 127 ? " (nft not found)" : "",
		       err ? err : "");
	else if (out && out[0])
		report("a new network namespace is not empty: %s", out);
	free(out);
	free(err);
	return rc ? 1 : 0;
}

static char *probe(void)
{
	char *why;
	int rc;

	unlink(path_in("report"));
	rc = in_netns(probe_job, NULL);
	why = load("report");
	if (rc && !why[0]) {
		free(why);
		why = strdup("the namespace probe failed");
	}
	unlink(path_in("report"));
	return why;
}

static char *skip_reason;

START_TEST(namespace_available)
{
	ck_abort_msg("CI=true but no nft namespace test is possible: %s",
		     skip_reason);
}
END_TEST

static Suite *live_suite(void)
{
	Suite *s = suite_create("encode-live");
	TCase *tc = tcase_create("nft");

	if (skip_reason) {
		tcase_add_test(tc, namespace_available);
		suite_add_tcase(s, tc);
		return s;
	}
	tcase_add_checked_fixture(tc, per_test_setup, per_test_teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, rules_match_nft_debug_netlink, 0, N_SCENARIOS);
	tcase_add_loop_test(tc, batch_matches_nft_debug_mnl, 0, N_SCENARIOS);
	tcase_add_loop_test(tc, kernel_holds_what_nft_loads, 0, N_SCENARIOS);
	tcase_add_test(tc, genid_is_checked);
	tcase_add_test(tc, errors_map_back);
	tcase_add_test(tc, patch_matches_nft_debug_mnl);
	tcase_add_test(tc, rule_patch_matches_nft_debug_mnl);
	suite_add_tcase(s, tc);
	return s;
}

int main(int argc, char **argv)
{
	const char *ci = getenv("CI");
	SRunner *sr;
	int failed;

	if (argc > 1)
		site_path = argv[1];
	if (!mkdtemp(tmpdir)) {
		perror("mkdtemp");
		return 99;
	}
	skip_reason = probe();
	if (!skip_reason[0]) {
		free(skip_reason);
		skip_reason = NULL;
	} else if (!ci || strcmp(ci, "true")) {
		printf("SKIP: %s\n", skip_reason);
		free(skip_reason);
		remove_tmpdir();
		return 77;	/* meson's "skipped" */
	}
	sr = srunner_create(live_suite());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	free(skip_reason);
	remove_tmpdir();
	return failed ? 1 : 0;
}
