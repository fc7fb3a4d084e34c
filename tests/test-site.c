/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The site parser: every class of bad input gets one "FILE:LINE: message"
 * and -EINVAL; good files with every key load and plan.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

#include "inifile.h"

static struct fnft_catalog *cat;

static void setup(void)
{
	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, NULL), 0);
}

static void teardown(void)
{
	fnft_catalog_free(cat);
}

struct bad {
	const char *text;
	const char *want;	/* exact "file:line: message" */
};

/* One case per class of bad input named by the foundation issue. */
static const struct bad bad_cases[] = {
	/* addresses, prefixes, ranges */
	{ "[group browser]\naddress = 10.0.0.300\n",
	  "s.conf:2: bad address: '10.0.0.300' is not an IPv4 or IPv6 address" },
	{ "[group browser]\naddress = 10.0.0.0/33\n",
	  "s.conf:2: bad address: prefix /33 is longer than 32" },
	{ "[group browser]\naddress = 2001:db8::/129\n",
	  "s.conf:2: bad address: prefix /129 is longer than 128" },
	{ "[group browser]\n\naddress = 10.20.1.0/16\n",
	  "s.conf:3: bad address: 10.20.1.0/16 has host bits set; did you mean 10.20.0.0/16?" },
	{ "[group browser]\naddress = 10.0.0.9-10.0.0.1\n",
	  "s.conf:2: bad address: range 10.0.0.9-10.0.0.1 is reversed" },
	{ "[group browser]\naddress = 10.0.0.1-2001:db8::1\n",
	  "s.conf:2: bad address: range 10.0.0.1-2001:db8::1 mixes IPv4 and IPv6" },
	/* ports */
	{ "[entry x]\nprotocol = tcp\nlisten-port = 0\n",
	  "s.conf:3: listen-port: port 0 is not a valid port" },
	{ "[entry x]\nprotocol = tcp\nremote-port = 70000\n",
	  "s.conf:3: remote-port: port 70000 is out of range (1-65535)" },
	{ "[entry x]\nlisten-port = 9000-8000\n",
	  "s.conf:2: listen-port: port range 9000-8000 is reversed" },
	{ "[port]\nucce.awdb = 0\n", "s.conf:2: ucce.awdb: port 0 is not a valid port" },
	{ "[port]\ntomcat.https = 8443\n",
	  "s.conf:2: the port of row 'tomcat.https' is fixed; only port-movable rows can be moved" },
	/* unknown section, key, group, row id */
	{ "[cluster]\n[groups browser]\n",
	  "s.conf:2: unknown section [groups browser] (expected cluster, policy, group NAME, port, entry ID or disable)" },
	{ "[cluster]\nbackup = 10.0.0.1\n",
	  "s.conf:2: unknown key 'backup' in [cluster] (expected primary, secondary or node)" },
	{ "[policy]\nforward = drop\n",
	  "s.conf:2: unknown key 'forward' in [policy] (expected input, output, insecure, log or ping)" },
	{ "[group browser]\nnetwork = 10.0.0.0/8\n",
	  "s.conf:2: unknown key 'network' in [group browser] (expected address)" },
	{ "[entry x]\nport = 22\n", "s.conf:2: unknown key 'port' in [entry x]" },
	{ "[entry x]\ninsecure = yes\n", "s.conf:2: unknown key 'insecure' in [entry x]" },
	{ "[disable]\nrow = tomcat.http\n",
	  "s.conf:2: unknown key 'row' in [disable] (expected entry)" },
	{ "[group admin]\naddress = 10.0.0.1\n[entry ssh]\nprotocol = tcp\nlisten-port = 22\n"
	  "remote = admn\ndirection = inbound\n",
	  "s.conf:6: unknown group 'admn' (define it with [group admn])" },
	{ "[group brwoser]\naddress = 10.0.0.1\n",
	  "s.conf:1: group 'brwoser' is not used by any row" },
	{ "[group peer]\n", "s.conf:1: group 'peer' is implicit: it is the other node of [cluster]" },
	{ "[port]\nucce.awbd = 1433\n", "s.conf:2: unknown row id 'ucce.awbd' in [port]" },
	{ "\n[disable]\nentry = tomcat.htp\n",
	  "s.conf:3: unknown row id 'tomcat.htp' in [disable]" },
	/* bad values */
	{ "[policy]\ninput = reject\n",
	  "s.conf:2: bad input policy 'reject' (expected drop or accept)" },
	{ "[policy]\noutput = maybe\n",
	  "s.conf:2: bad output policy 'maybe' (expected accept or drop)" },
	{ "[policy]\ninsecure = yes\n",
	  "s.conf:2: bad insecure policy 'yes' (expected allow or deny)" },
	{ "[policy]\nlog = verbose\n", "s.conf:2: bad log policy 'verbose' (expected on or off)" },
	{ "[policy]\nping = sometimes\n",
	  "s.conf:2: bad ping policy 'sometimes' (expected groups, any or none)" },
	{ "[policy]\ninput = drop\ninput = accept\n", "s.conf:3: 'input' is given twice" },
	{ "[entry x]\nprotocol = sctp\n", "s.conf:2: bad protocol 'sctp' (expected tcp or udp)" },
	{ "[entry x]\ndirection = sideways\n",
	  "s.conf:2: bad direction 'sideways' (expected inbound, outbound or bidirectional)" },
	/* duplicate ids */
	{ "[entry tomcat.https]\n",
	  "s.conf:1: duplicate entry id 'tomcat.https' (already defined at <builtin>:19)" },
	{ "[group admin]\n[entry a]\nprotocol = tcp\nlisten-port = 1\nremote = admin\n"
	  "direction = inbound\n[entry a]\n",
	  "s.conf:7: duplicate entry id 'a' (already defined at s.conf:2)" },
	{ "[group admin]\n[group admin]\n",
	  "s.conf:2: group 'admin' is defined twice (first at line 1)" },
	/* incomplete or contradictory rows */
	{ "[group admin]\n[entry a]\nprotocol = tcp\nremote = admin\ndirection = inbound\n",
	  "s.conf:2: [entry a] has no ports (listen-port or remote-port)" },
	{ "[entry a]\nprotocol = tcp\nlisten-port = 22\ndirection = inbound\n",
	  "s.conf:1: [entry a] names no group (remote = ...)" },
	{ "[group admin]\n[entry a]\nprotocol = tcp\nremote-port = 22\nremote = admin\n"
	  "direction = inbound\n",
	  "s.conf:2: [entry a] is inbound but has a remote-port (the node would connect out)" },
	{ "[group admin]\n[entry a]\nprotocol = tcp\nlisten-port = 22\nremote = admin\n"
	  "direction = outbound\n",
	  "s.conf:2: [entry a] is outbound but has a listen-port (remotes would connect in)" },
	{ "[entry a]\nlisten-port = 22\nremote = any\ndirection = inbound\n",
	  "s.conf:1: [entry a] has no protocol (tcp or udp)" },
	{ "[group admin]\n[entry a]\nprotocol = tcp\nlisten-port = 22\nremote = any, admin\n"
	  "direction = inbound\n",
	  "s.conf:5: 'any' already means every address; list no other group beside it" },
	/* cluster */
	{ "[cluster]\nprimary = 10.0.0.0/24\n",
	  "s.conf:2: primary: '10.0.0.0/24' is not an address (a cluster node is one IPv4 or IPv6 host)" },
	{ "[cluster]\nsecondary = finesse-b\n",
	  "s.conf:2: secondary: 'finesse-b' is not an address (a cluster node is one IPv4 or IPv6 host)" },
	{ "[cluster]\nnode = tertiary\n",
	  "s.conf:2: bad node 'tertiary' (expected primary or secondary)" },
	/* grammar */
	{ "[cluster]\nprimary 10.0.0.1\n",
	  "s.conf:2: expected 'key = value' or a [section] header" },
	{ "[cluster\n", "s.conf:1: section header must be '[name]' alone on its line" },
	{ "node = primary\n", "s.conf:1: 'node' outside of a section" },
	{ "[cluster]\nprimary =\n", "s.conf:2: 'primary' has no value" },
};

START_TEST(bad_input)
{
	const struct bad *c = &bad_cases[_i];
	struct fnft_site *site = NULL;
	struct fnft_error err = { 0 };
	char line[1024];

	ck_assert_int_eq(fnft_site_load_buffer("s.conf", c->text, strlen(c->text),
					       cat, &site, &err), -EINVAL);
	ck_assert_ptr_null(site);
	fnft_error_format(&err, line, sizeof(line));
	ck_assert_msg(strcmp(line, c->want) == 0, "case %d:\n got: %s\nwant: %s",
		      _i, line, c->want);
}
END_TEST

static void expect_bytes_error(const char *text, size_t len, const char *want)
{
	struct fnft_site *site = NULL;
	struct fnft_error err = { 0 };
	char line[1024];

	ck_assert_int_eq(fnft_site_load_buffer("s.conf", text, len, cat, &site, &err),
			 -EINVAL);
	fnft_error_format(&err, line, sizeof(line));
	ck_assert_str_eq(line, want);
}

START_TEST(non_text_bytes)
{
	expect_bytes_error("[cluster]\nnode = pri\0mary\n", 25,
			   "s.conf:2: NUL byte in the file (is it a text file?)");
	expect_bytes_error("[cluster]\n\nnode = \x01primary\n", 26,
			   "s.conf:3: non-text byte 0x01");
	expect_bytes_error("[cluster]\nnode = \xffprimary\n", 24,
			   "s.conf:2: byte 0xff is not valid UTF-8");
}
END_TEST

START_TEST(overlong_line)
{
	char text[1200];
	int n;

	n = snprintf(text, sizeof(text), "[group admin]\naddress = 10.0.0.1 # %01000d\n", 0);
	expect_bytes_error(text, (size_t)n,
			   "s.conf:2: line is 1021 characters long; the limit is 198");
}
END_TEST

/*
 * The INI reader checks runs of plain bytes eight at a time.  Compare it,
 * on seeded random lines rich in the bytes that matter (blanks, comment
 * characters, control bytes, DEL, UTF-8 leads and trails), with a
 * byte-by-byte model of the rule: the first non-text byte is the error,
 * else the value is the text before the first '#' or ';' that starts the
 * line or follows a blank, trimmed.
 */
struct kv_seen {
	char value[256];
	int calls;
};

static int kv_section(void *user, const char *name, const struct fnft_loc *loc,
		      struct fnft_error *err)
{
	(void)user, (void)name, (void)loc, (void)err;
	return 0;
}

static int kv_key(void *user, const char *key, const char *value,
		  const struct fnft_loc *loc, struct fnft_error *err)
{
	struct kv_seen *seen = user;

	(void)loc, (void)err;
	ck_assert_str_eq(key, "k");
	snprintf(seen->value, sizeof(seen->value), "%s", value);
	seen->calls++;
	return 0;
}

/* The model: 0 and the expected value, or -1 and the expected error. */
static int scan_model(const unsigned char *s, size_t n, char *out, size_t outlen)
{
	size_t i = 0, comment = n, a, b;

	while (i < n) {
		unsigned char c = s[i];
		size_t k;

		if (c == 0) {
			snprintf(out, outlen, "t.conf:1: NUL byte in the file (is it a text file?)");
			return -1;
		}
		if ((c < 0x20 && c != '\t' && c != '\r') || c == 0x7f) {
			snprintf(out, outlen, "t.conf:1: non-text byte 0x%02x", c);
			return -1;
		}
		if (c < 0x80) {
			if ((c == '#' || c == ';') && comment == n &&
			    (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t'))
				comment = i;
			i++;
			continue;
		}
		k = fnft_utf8_len(s + i, n - i);
		if (!k) {
			snprintf(out, outlen, "t.conf:1: byte 0x%02x is not valid UTF-8", c);
			return -1;
		}
		i += k;
	}
	/* the line is "k=" + payload: the value is what follows, trimmed */
	for (a = 2; a < comment && (s[a] == ' ' || s[a] == '\t' || s[a] == '\r'); a++)
		;
	for (b = comment; b > a && (s[b - 1] == ' ' || s[b - 1] == '\t' || s[b - 1] == '\r'); b--)
		;
	snprintf(out, outlen, "%.*s", (int)(b - a), (const char *)s + a);
	return 0;
}

START_TEST(scan_differential)
{
	static const unsigned char special[] = {
		' ', '\t', '\r', '#', ';', 0x00, 0x01, 0x1f, 0x7f, 0x80, 0xbf,
		0xc3, 0xa9, 0xe2, 0x82, 0xac, 0xf0, 0x9f, 0xff, '~', '!',
	};
	const struct fnft_ini_ops ops = { .section = kv_section, .key = kv_key };
	unsigned long seed = 20261129;
	unsigned char line[80];
	char want[256], got[256];

	for (int t = 0; t < 200000; t++) {
		struct fnft_error err = { 0 };
		struct kv_seen seen = { .calls = 0 };
		size_t n = 2, len;
		int rc, model;

		seed = seed * 6364136223846793005ul + 1442695040888963407ul;
		len = 2 + (seed >> 33) % 70;
		line[0] = 'k', line[1] = '=';
		while (n < len) {
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
			unsigned r = (unsigned)(seed >> 35);

			/* long plain runs, so both paths and their seams are hit */
			line[n++] = r % 8 ? (unsigned char)('a' + r / 8 % 26)
					  : special[r / 8 % sizeof(special)];
		}
		model = scan_model(line, len, want, sizeof(want));
		rc = fnft_ini_parse("t.conf", (const char *)line, len, &ops, &seen, &err);
		if (model < 0) {
			ck_assert_int_eq(rc, -EINVAL);
			fnft_error_format(&err, got, sizeof(got));
			ck_assert_str_eq(got, want);
		} else {
			ck_assert_msg(rc == 0, "case %d refused", t);
			ck_assert_int_eq(seen.calls, 1);
			ck_assert_str_eq(seen.value, want);
		}
	}
}
END_TEST

static struct fnft_site *load_ok(const char *text)
{
	struct fnft_site *site = NULL;
	struct fnft_error err = { 0 };
	char line[1024];
	int rc;

	rc = fnft_site_load_buffer("ok.conf", text, strlen(text), cat, &site, &err);
	fnft_error_format(&err, line, sizeof(line));
	ck_assert_msg(rc == 0, "load failed: %s", line);
	return site;
}

static char *export(const struct fnft_site *site, enum fnft_role role)
{
	struct fnft_ruleset *rs = NULL;
	char *text = NULL;

	ck_assert_int_eq(fnft_plan(cat, site, role, NULL, &rs, NULL), 0);
	ck_assert_int_eq(fnft_ruleset_render(rs, &text), 0);
	fnft_ruleset_free(rs);
	return text;
}

/*
 * The INI grammar (inih's, which we parse ourselves): a byte order mark on
 * line 1, CRLF line ends, `key: value` as well as `key=value`, the first
 * '=' or ':' splits, and a line of exactly 198 characters is the longest.
 */
START_TEST(grammar_forms)
{
	char text[1024], pad[200];
	struct fnft_site *site;
	char *out;
	int n;

	memset(pad, 'x', sizeof(pad));
	/* "address = 10.9.0.0/16 #" is 23 characters: pad to 198 */
	n = snprintf(text, sizeof(text),
		     "\xef\xbb\xbf[cluster]\r\nprimary: 10.0.0.1\r\n"
		     "secondary=2001:db8::2\r\nnode =primary ; a comment\r\n"
		     "[group browser]\naddress = 10.9.0.0/16 #%.*s\n",
		     198 - 23, pad);
	ck_assert_int_lt(n, (int)sizeof(text));
	site = load_ok(text);
	ck_assert_int_eq(fnft_site_role(site), FNFT_ROLE_PRIMARY);
	out = export(site, FNFT_ROLE_SITE);
	ck_assert_ptr_nonnull(strstr(out, "set peer_v6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n"
					  "\t\telements = {\n\t\t\t2001:db8::2,\n"));
	ck_assert_ptr_nonnull(strstr(out, "\t\t\t10.9.0.0/16,\n"));
	free(out);
	fnft_site_free(site);

	/* a comment right after the byte order mark is a comment */
	site = load_ok("\xef\xbb\xbf# site\n[cluster]\nprimary = 10.0.0.1\nnode = primary\n");
	ck_assert_int_eq(fnft_site_role(site), FNFT_ROLE_PRIMARY);
	fnft_site_free(site);

	/* one character more is refused */
	n = snprintf(text, sizeof(text), "[group browser]\naddress = 10.9.0.0/16 #%.*s\n",
		     198 - 23 + 1, pad);
	expect_bytes_error(text, (size_t)n,
			   "s.conf:2: line is 199 characters long; the limit is 198");
}
END_TEST

static const char every_key[] =
	"# a comment\n"
	"; another comment\n"
	"[cluster]\n"
	"primary   = 10.0.0.11            # inline comment\n"
	"primary   = 2001:db8::11\n"
	"secondary = 10.0.0.12 ; inline comment too\n"
	"   node      = secondary\n"
	"[policy]\n"
	"input    = accept\n"
	"output   = drop\n"
	"insecure = deny\n"
	"log      = on\n"
	"ping     = none\n"
	"[group browser]\n"
	"address = 10.20.0.0/16\n"
	"address = 10.21.0.0/16\n"
	"address = 10.20.5.0-10.20.9.255\n"
	"address = 2001:db8:20::/48\n"
	"[group agent-desktop]\n"
	"[group awdb]\n"
	"address = 10.0.1.21\n"
	"[port]\n"
	"ucce.awdb  = 1533\n"
	"ucce.cti-a = 42127\n"
	"ucce.cti-b = 43127\n"
	"[group admin]\n"
	"address = 10.0.9.0/28\n"
	"[entry ssh]\n"
	"listener    = SSH\n"
	"protocol    = tcp\n"
	"listen-port = 22, 2222\n"
	"remote      = admin\n"
	"direction   = inbound\n"
	"note        = platform administration\n"
	"[entry syslog]\n"
	"protocol    = udp\n"
	"remote-port = 514\n"
	"remote      = admin\n"
	"direction   = outbound\n"
	"[disable]\n"
	"entry = gadget.http\n";

START_TEST(good_every_key)
{
	struct fnft_site *site = load_ok(every_key);
	char *text;

	ck_assert_int_eq(fnft_site_role(site), FNFT_ROLE_SECONDARY);
	text = export(site, FNFT_ROLE_SITE);
	/* secondary: peer is the primary, both families */
	ck_assert_ptr_nonnull(strstr(text, "comment \"finesse-nft secondary\""));
	ck_assert_ptr_nonnull(strstr(text, "set peer_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n"
					   "\t\telements = {\n\t\t\t10.0.0.11,\n"));
	ck_assert_ptr_nonnull(strstr(text, "\t\t\t2001:db8::11,\n"));
	/* adjacent and contained networks merged */
	ck_assert_ptr_nonnull(strstr(text, "\t\t\t10.20.0.0/15,\n\t\t}"));
	/* policies */
	ck_assert_ptr_nonnull(strstr(text, "hook input priority filter; policy accept;"));
	ck_assert_ptr_nonnull(strstr(text, "hook output priority filter; policy drop;"));
	ck_assert_ptr_null(strstr(text, "tomcat.http\""));
	ck_assert_ptr_null(strstr(text, "notification.xmpp\""));
	ck_assert_ptr_null(strstr(text, "notification.bosh-http\""));
	ck_assert_ptr_nonnull(strstr(text, "comment \"tomcat.https\""));
	ck_assert_ptr_null(strstr(text, "gadget.http\""));
	ck_assert_ptr_null(strstr(text, "echo-request"));
	/* log only on the drop chain */
	ck_assert_ptr_nonnull(strstr(text, "\t\tlimit rate 5/minute log prefix \"finesse-nft drop: \"\n\t}\n}\n"));
	ck_assert_ptr_eq(strstr(text, "limit rate"),
			 strstr(strstr(text, "chain output"), "limit rate"));
	/* moved ports and site rows */
	ck_assert_ptr_nonnull(strstr(text, "ip daddr @awdb_v4 tcp dport 1533 counter accept comment \"ucce.awdb\""));
	ck_assert_ptr_nonnull(strstr(text, "tcp dport 42127 counter accept comment \"ucce.cti-a\""));
	ck_assert_ptr_nonnull(strstr(text, "ip saddr @admin_v4 tcp dport { 22, 2222 } counter accept comment \"ssh\""));
	ck_assert_ptr_nonnull(strstr(text, "ip daddr @admin_v4 udp dport 514 counter accept comment \"syslog\""));
	free(text);

	/* --node overrides node = */
	text = export(site, FNFT_ROLE_PRIMARY);
	ck_assert_ptr_nonnull(strstr(text, "set peer_v4 {\n\t\ttype ipv4_addr\n\t\tflags interval\n"
					   "\t\telements = {\n\t\t\t10.0.0.12,\n"));
	ck_assert_ptr_nonnull(strstr(text, "set peer_v6 {\n\t\ttype ipv6_addr\n\t\tflags interval\n\t}\n"));
	free(text);
	fnft_site_free(site);
}
END_TEST

START_TEST(empty_groups_warn)
{
	struct fnft_site *site = load_ok("[cluster]\nprimary = 10.0.0.1\nnode = primary\n"
					 "[group browser]\naddress = 10.0.0.0/8\n"
					 "[group agent-desktop]\n");

	ck_assert_uint_eq(fnft_site_warning_count(site), 11);
	ck_assert_str_eq(fnft_site_warning(site, 0),
			 "ok.conf: [cluster] has no secondary address: on the primary node, rows naming 'peer' allow no one");
	ck_assert_str_eq(fnft_site_warning(site, 1),
			 "ok.conf:6: group 'agent-desktop' is empty: notification.xmpp, notification.xmpps, "
			 "notification.bosh-http, notification.bosh-https allow no one from it");
	ck_assert_str_eq(fnft_site_warning(site, 2),
			 "ok.conf: group 'web-server' is not defined: gadget.http, gadget.https allow no one from it");
	ck_assert_str_eq(fnft_site_warning(site, 3),
			 "ok.conf: group 'awdb' is not defined: ucce.awdb allows no one from it");
	ck_assert_str_eq(fnft_site_warning(site, 6),
			 "ok.conf: row gadget.http allows no one: none of its groups holds an address");
	ck_assert_ptr_null(fnft_site_warning(site, 11));
	fnft_site_free(site);
}
END_TEST

static void expect_item(const struct fnft_site *site, size_t i,
			enum fnft_warning_kind kind, const char *object,
			const char *file, unsigned line, const char *text)
{
	const struct fnft_warning *w = fnft_site_warning_item(site, i);

	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(w->kind, kind);
	ck_assert_str_eq(w->object, object);
	ck_assert_str_eq(w->file, file);
	ck_assert_uint_eq(w->line, line);
	ck_assert_str_eq(w->text, text);
	/* the string is the old call's, and made of the same parts */
	ck_assert_str_eq(w->string, fnft_site_warning(site, i));
	ck_assert_ptr_nonnull(strstr(w->string, text));
}

/* The warnings as data: kind, object, where, text; the strings unchanged. */
START_TEST(warnings_as_data)
{
	struct fnft_site *site = load_ok("[cluster]\nprimary = 10.0.0.1\nnode = primary\n"
					 "[group browser]\naddress = 0.0.0.0/0\n"
					 "[group agent-desktop]\n"
					 "[entry ntp]\nprotocol = udp\nremote-port = 123\n"
					 "remote = any\ndirection = outbound\n");
	size_t i, n = fnft_site_warning_count(site);
	bool open = false, row_open = false;

	expect_item(site, 0, FNFT_WARN_NODE_NO_ADDRESS, "secondary", "ok.conf", 0,
		    "[cluster] has no secondary address: on the primary node, rows naming 'peer' allow no one");
	expect_item(site, 2, FNFT_WARN_GROUP_EMPTY, "agent-desktop", "ok.conf", 6,
		    "group 'agent-desktop' is empty: notification.xmpp, notification.xmpps, "
		    "notification.bosh-http, notification.bosh-https allow no one from it");
	expect_item(site, 3, FNFT_WARN_GROUP_UNDEFINED, "web-server", "ok.conf", 0,
		    "group 'web-server' is not defined: gadget.http, gadget.https allow no one from it");
	for (i = 0; i < n; i++) {
		const struct fnft_warning *w = fnft_site_warning_item(site, i);

		ck_assert_ptr_nonnull(w);
		ck_assert_str_eq(w->string, fnft_site_warning(site, i));
		if (w->kind == FNFT_WARN_GROUP_OPEN) {
			ck_assert_str_eq(w->object, "browser");
			ck_assert_uint_eq(w->line, 4);
			open = true;
		}
		if (w->kind == FNFT_WARN_ROW_OPEN && !strcmp(w->object, "ntp")) {
			ck_assert_uint_eq(w->line, 7);
			row_open = true;
		}
		if (w->kind == FNFT_WARN_ROW_NO_ONE)
			ck_assert_str_ne(w->object, "");
	}
	ck_assert(open && row_open);
	ck_assert_ptr_null(fnft_site_warning_item(site, n));
	ck_assert_ptr_null(fnft_site_warning_item(NULL, 0));
	fnft_site_free(site);

	site = load_ok("[group browser]\n[policy]\ninput = drop\n");
	n = fnft_site_warning_count(site);
	expect_item(site, n - 1, FNFT_WARN_NO_MANAGEMENT, "", "ok.conf", 0,
		    "input = drop, and nothing admits management access: no [entry] row, "
		    "and no group on 443/8445 holds an address; the node may lock you out");
	fnft_site_free(site);
}
END_TEST

START_TEST(fail_closed_warnings)
{
	struct fnft_site *site = load_ok("[cluster]\nprimary = 10.0.0.1\nsecondary = 10.0.0.2\n"
					 "[entry ntp]\nprotocol = udp\nremote-port = 123\n"
					 "remote = any\ndirection = outbound\n");
	size_t i, n = fnft_site_warning_count(site);
	bool any = false, lockout = false;

	for (i = 0; i < n; i++) {
		any |= !strcmp(fnft_site_warning(site, i),
			       "ok.conf:4: row ntp is open to every address (remote = any)");
		lockout |= !strncmp(fnft_site_warning(site, i), "ok.conf: input = drop", 21);
	}
	ck_assert(any);
	/* a site row counts as management access: no lockout warning */
	ck_assert(!lockout);
	fnft_site_free(site);

	site = load_ok("[group browser]\n[policy]\ninput = drop\n");
	n = fnft_site_warning_count(site);
	ck_assert_str_eq(fnft_site_warning(site, n - 1),
			 "ok.conf: input = drop, and nothing admits management access: no [entry] row, "
			 "and no group on 443/8445 holds an address; the node may lock you out");
	fnft_site_free(site);
	site = load_ok("[group browser]\n[policy]\ninput = accept\n");
	n = fnft_site_warning_count(site);
	for (i = 0; i < n; i++)
		ck_assert_ptr_null(strstr(fnft_site_warning(site, i), "lock you out"));
	fnft_site_free(site);
}
END_TEST

/* Addresses that merge into a whole family are remote = any by another name. */
static const struct {
	const char *addresses;
	const char *all;	/* NULL: no warning */
} everyone_cases[] = {
	{ "address = 0.0.0.0/0\n", "all of IPv4" },
	{ "address = ::/0\n", "all of IPv6" },
	{ "address = 0.0.0.0-255.255.255.255\n", "all of IPv4" },
	{ "address = 128.0.0.0/1\naddress = 0.0.0.0/1\n", "all of IPv4" },
	{ "address = 0.0.0.0/2\naddress = 64.0.0.0-255.255.255.255\naddress = ::/1\n"
	  "address = 8000::/1\n", "all of IPv4 and IPv6" },
	{ "address = 0.0.0.0/1\n", NULL },
	{ "address = 0.0.0.1-255.255.255.255\n", NULL },
	{ "address = 0.0.0.0/1\naddress = 128.0.0.0/2\naddress = 224.0.0.0/3\n", NULL },
	{ "address = ::/1\naddress = 8000::-ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe\n", NULL },
};

START_TEST(everyone_warns)
{
	char text[512], want[512];
	struct fnft_site *site;
	size_t i, n, hits = 0;

	snprintf(text, sizeof(text), "[cluster]\nprimary = 10.0.0.1\nsecondary = 10.0.0.2\n"
		 "[group agent-desktop]\naddress = 10.0.0.0/8\n"
		 "[group browser]\n%s", everyone_cases[_i].addresses);
	snprintf(want, sizeof(want), "ok.conf:6: group 'browser' is open to every address "
		 "(%s, as remote = any): tomcat.http, tomcat.https, notification.xmpp, "
		 "notification.xmpps, notification.bosh-http, notification.bosh-https admit everyone",
		 everyone_cases[_i].all ? everyone_cases[_i].all : "");
	site = load_ok(text);
	n = fnft_site_warning_count(site);
	for (i = 0; i < n; i++) {
		const char *w = fnft_site_warning(site, i);

		if (strstr(w, "open to every address")) {
			ck_assert_str_eq(w, want);
			hits++;
		}
	}
	ck_assert_uint_eq(hits, everyone_cases[_i].all ? 1 : 0);
	fnft_site_free(site);
}
END_TEST

/* The group's warning names only the rows still enabled, and none when none is. */
START_TEST(everyone_disabled_rows)
{
	struct fnft_site *site = load_ok("[group agent-desktop]\naddress = ::/0\n"
					 "[disable]\nentry = notification.xmpp\n"
					 "entry = notification.bosh-http\nentry = notification.xmpps\n");
	size_t i, hits = 0;

	for (i = 0; i < fnft_site_warning_count(site); i++)
		if (strstr(fnft_site_warning(site, i), "open to every address")) {
			ck_assert_str_eq(fnft_site_warning(site, i),
					 "ok.conf:1: group 'agent-desktop' is open to every address "
					 "(all of IPv6, as remote = any): notification.bosh-https admits everyone");
			hits++;
		}
	ck_assert_uint_eq(hits, 1);
	fnft_site_free(site);
}
END_TEST

START_TEST(cluster_addresses)
{
	struct fnft_site *site = load_ok("[cluster]\nprimary = 2001:db8::11\nprimary = 10.0.0.12\n"
					 "primary = 10.0.0.11\nprimary = 10.0.0.11\n"
					 "secondary = 10.0.0.13\n");
	char buf[FNFT_ADDRSTRLEN] = "x";

	ck_assert_uint_eq(fnft_site_cluster_address_count(site, FNFT_ROLE_PRIMARY), 3);
	ck_assert_uint_eq(fnft_site_cluster_address_count(site, FNFT_ROLE_SECONDARY), 1);
	ck_assert_uint_eq(fnft_site_cluster_address_count(site, FNFT_ROLE_SITE), 0);
	/* IPv4 first, ascending; the two adjacent hosts stay two addresses */
	ck_assert_int_eq(fnft_site_cluster_address(site, FNFT_ROLE_PRIMARY, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "10.0.0.11");
	ck_assert_int_eq(fnft_site_cluster_address(site, FNFT_ROLE_PRIMARY, 1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "10.0.0.12");
	ck_assert_int_eq(fnft_site_cluster_address(site, FNFT_ROLE_PRIMARY, 2, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "2001:db8::11");
	ck_assert_int_eq(fnft_site_cluster_address(site, FNFT_ROLE_SECONDARY, 0, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "10.0.0.13");
	/* out of range, bad role, short buffer: -errno, buf untouched */
	ck_assert_int_eq(fnft_site_cluster_address(site, FNFT_ROLE_PRIMARY, 3, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(fnft_site_cluster_address(site, FNFT_ROLE_SITE, 0, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(fnft_site_cluster_address(site, FNFT_ROLE_SECONDARY, 0, buf, 9), -ENOSPC);
	ck_assert_str_eq(buf, "10.0.0.13");
	ck_assert_int_eq(fnft_site_cluster_address(site, FNFT_ROLE_SECONDARY, 0, buf, 10), 0);
	fnft_site_free(site);

	site = load_ok("[group browser]\n");
	ck_assert_uint_eq(fnft_site_cluster_address_count(site, FNFT_ROLE_PRIMARY), 0);
	ck_assert_int_eq(fnft_site_cluster_address(site, FNFT_ROLE_PRIMARY, 0, buf, sizeof(buf)), -EINVAL);
	fnft_site_free(site);
}
END_TEST

START_TEST(no_role)
{
	struct fnft_site *site = load_ok("[group browser]\naddress = 10.0.0.0/8\n");
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err = { 0 };

	ck_assert_int_eq(fnft_plan(cat, site, FNFT_ROLE_SITE, NULL, &rs, &err), -EINVAL);
	ck_assert_ptr_null(rs);
	ck_assert_str_eq(err.message,
			 "no node role: set 'node = primary|secondary' in [cluster] or pass --node");
	ck_assert_int_eq(fnft_plan(cat, site, FNFT_ROLE_PRIMARY, "bad name!", &rs, &err), -EINVAL);
	ck_assert_str_eq(err.object, "bad name!");
	fnft_site_free(site);
}
END_TEST

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	ck_assert_ptr_nonnull(f);
	fputs(text, f);
	fclose(f);
}

/* A temporary directory DIR with DIR/NAME holding @text and an empty
 * DIR/DNAME; @dir is the mkdtemp() template. */
static void tmp_site(char *dir, char *main_conf, size_t mlen, char *d, size_t dlen,
		     const char *name, const char *dname, const char *text)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(main_conf, mlen, "%s/%s", dir, name);
	snprintf(d, dlen, "%s/%s", dir, dname);
	ck_assert_int_eq(mkdir(d, 0700), 0);
	write_file(main_conf, text);
}

START_TEST(drop_ins)
{
	char dir[] = "/tmp/fnft-dropin-XXXXXX", main_conf[128], d[160], path[400];
	struct fnft_site *site = NULL;
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err = { 0 };
	char line[1024], *text = NULL;

	tmp_site(dir, main_conf, sizeof(main_conf), d, sizeof(d), "site.conf",
		 "site.conf.d", "[cluster]\nprimary = 10.0.0.1\nnode = primary\n"
		 "[policy]\ninput = drop\n[group browser]\naddress = 10.20.0.0/16\n");
	/* lexical order: 10 before 20; later scalars win, groups grow */
	snprintf(path, sizeof(path), "%s/20-late.conf", d);
	write_file(path, "[policy]\ninput = accept\n");
	snprintf(path, sizeof(path), "%s/10-early.conf", d);
	write_file(path, "[policy]\ninput = drop\n[group browser]\naddress = 10.30.0.0/16\n"
			 "[group admin]\naddress = 10.0.9.0/28\n"
			 "[entry ssh]\nprotocol = tcp\nlisten-port = 22\nremote = admin\ndirection = inbound\n");
	snprintf(path, sizeof(path), "%s/ignored.txt", d);
	write_file(path, "not a fragment\n");
	ck_assert_int_eq(fnft_site_load(main_conf, cat, &site, &err), 0);
	ck_assert_int_eq(fnft_plan(cat, site, FNFT_ROLE_SITE, NULL, &rs, &err), 0);
	ck_assert_int_eq(fnft_ruleset_render(rs, &text), 0);
	ck_assert_ptr_nonnull(strstr(text, "\t\t\t10.20.0.0/16,\n\t\t\t10.30.0.0/16,\n"));
	ck_assert_ptr_nonnull(strstr(text, "hook input priority filter; policy accept;"));
	ck_assert_ptr_nonnull(strstr(text, "comment \"ssh\""));
	free(text);
	fnft_ruleset_free(rs);
	fnft_site_free(site);

	/* an error names the fragment and its line */
	snprintf(path, sizeof(path), "%s/30-bad.conf", d);
	write_file(path, "\n[group browser]\naddress = 10.40.1.0/16\n");
	ck_assert_int_eq(fnft_site_load(main_conf, cat, &site, &err), -EINVAL);
	fnft_error_format(&err, line, sizeof(line));
	snprintf(path, sizeof(path), "%s/30-bad.conf:3: bad address: 10.40.1.0/16 has host bits set; did you mean 10.40.0.0/16?", d);
	ck_assert_str_eq(line, path);
	/* a group twice in one file is still an error */
	snprintf(path, sizeof(path), "%s/30-bad.conf", d);
	write_file(path, "[group browser]\n[group browser]\n");
	ck_assert_int_eq(fnft_site_load(main_conf, cat, &site, &err), -EINVAL);
	ck_assert_str_eq(err.message, "group 'browser' is defined twice (first at line 1)");
	snprintf(line, sizeof(line), "rm -rf %s", dir);
	ck_assert_int_eq(system(line), 0);
}
END_TEST

/* How many networks browser has when @main is read with @dropins. */
static size_t browser_networks(const char *main_conf, const char *dropins)
{
	struct fnft_site *site = NULL;
	struct fnft_error err = { 0 };
	size_t n;

	ck_assert_msg(fnft_site_load_dropins(main_conf, dropins, cat, &site, &err) == 0,
		      "%s", err.message);
	n = fnft_site_group_address_count(site, "browser");
	fnft_site_free(site);
	return n;
}

/* A main file with the drop-ins of another directory, or with none. */
START_TEST(drop_ins_elsewhere)
{
	char dir[] = "/tmp/fnft-dropin-XXXXXX", main_conf[128], d[160], path[400];
	struct fnft_site *site = NULL;
	struct fnft_error err = { 0 };
	char line[1024];

	tmp_site(dir, main_conf, sizeof(main_conf), d, sizeof(d), "new.conf", "node.d",
		 "[cluster]\nprimary = 10.0.0.1\nnode = primary\n"
		 "[group browser]\naddress = 10.20.0.0/16\n");
	snprintf(path, sizeof(path), "%s/50-agents.conf", d);
	write_file(path, "[group browser]\naddress = 10.40.0.0/16\n");

	ck_assert_uint_eq(browser_networks(main_conf, d), 2);
	/* NULL: none; a missing directory: none; its own new.conf.d is not read */
	snprintf(path, sizeof(path), "%s.d", main_conf);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s.d/bad.conf", main_conf);
	write_file(path, "[nonsense]\n");
	ck_assert_uint_eq(browser_networks(main_conf, NULL), 1);
	snprintf(path, sizeof(path), "%s/missing.d", dir);
	ck_assert_uint_eq(browser_networks(main_conf, path), 1);
	/* fnft_site_load() reads new.conf.d, and its error names the file */
	ck_assert_int_eq(fnft_site_load(main_conf, cat, &site, &err), -EINVAL);
	fnft_error_format(&err, line, sizeof(line));
	snprintf(path, sizeof(path), "%s.d/bad.conf:1:", main_conf);
	ck_assert_msg(!strncmp(line, path, strlen(path)), "%s", line);
	/* a bad drop-in elsewhere is named as well */
	snprintf(path, sizeof(path), "%s/60-bad.conf", d);
	write_file(path, "\n[group browser]\naddress = 10.40.1.0/16\n");
	ck_assert_int_eq(fnft_site_load_dropins(main_conf, d, cat, &site, &err), -EINVAL);
	ck_assert_str_eq(err.file, path);
	ck_assert_uint_eq(err.line, 3);
	ck_assert_int_eq(fnft_site_load_dropins(NULL, d, cat, &site, &err), -EINVAL);
	snprintf(line, sizeof(line), "rm -rf %s", dir);
	ck_assert_int_eq(system(line), 0);
}
END_TEST

START_TEST(file_errors)
{
	struct fnft_site *site = NULL;
	struct fnft_error err = { 0 };

	ck_assert_int_eq(fnft_site_load("/nonexistent.conf", cat, &site, &err), -ENOENT);
	ck_assert_str_eq(err.file, "/nonexistent.conf");
	ck_assert_int_eq(err.code, -ENOENT);
	ck_assert_int_eq(fnft_site_load(NULL, cat, &site, &err), -EINVAL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("site");
	TCase *tc = tcase_create("site");
	SRunner *sr;
	int failed;

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, bad_input, 0, sizeof(bad_cases) / sizeof(bad_cases[0]));
	tcase_add_test(tc, non_text_bytes);
	tcase_add_test(tc, scan_differential);
	tcase_add_test(tc, overlong_line);
	tcase_add_test(tc, grammar_forms);
	tcase_add_test(tc, good_every_key);
	tcase_add_test(tc, empty_groups_warn);
	tcase_add_test(tc, no_role);
	tcase_add_test(tc, fail_closed_warnings);
	tcase_add_test(tc, file_errors);
	tcase_add_test(tc, drop_ins);
	tcase_add_test(tc, drop_ins_elsewhere);
	tcase_add_loop_test(tc, everyone_warns, 0, sizeof(everyone_cases) / sizeof(everyone_cases[0]));
	tcase_add_test(tc, everyone_disabled_rows);
	tcase_add_test(tc, cluster_addresses);
	tcase_add_test(tc, warnings_as_data);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
