/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The site builder: a site made from data plans exactly as the same site
 * read from its INI file, and every call refuses what the parser refuses,
 * with the parser's message and the group or row as its object.
 *
 * The round trip reads each golden site back through the getters only,
 * builds a second site from what they return, and compares the plans of
 * both roles and the warnings (without their file:line).
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

static struct fnft_catalog *cat;
static const char *golden_dir = "tests/golden";

static void setup(void)
{
	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, NULL), 0);
}

static void teardown(void)
{
	fnft_catalog_free(cat);
}

/* "443, 8000-8010" from a row's or a move's ranges */
static const char *ports_text(const struct fnft_port_range *v, size_t n,
			      char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		if (v[i].first == v[i].last)
			off += (size_t)snprintf(buf + off, len - off, "%s%u",
						i ? ", " : "", v[i].first);
		else
			off += (size_t)snprintf(buf + off, len - off, "%s%u-%u",
						i ? ", " : "", v[i].first, v[i].last);
	}
	return n ? buf : NULL;
}

static void copy_row(struct fnft_site *to, const struct fnft_row *row)
{
	const char *groups[16] = { 0 };
	char lp[256], rp[256];
	struct fnft_error err = { 0 };
	const struct fnft_port_range *v;
	size_t i, n;
	struct fnft_row_spec spec = {
		.id = fnft_row_id(row),
		.listener = *fnft_row_listener(row) ? fnft_row_listener(row) : NULL,
		.protocol = fnft_row_protocol(row),
		.direction = fnft_row_direction(row),
		.note = *fnft_row_note(row) ? fnft_row_note(row) : NULL,
		.remote = groups,
	};

	ck_assert_uint_lt(fnft_row_group_count(row), 16);
	for (i = 0; i < fnft_row_group_count(row); i++)
		groups[i] = fnft_row_group(row, i);
	v = fnft_row_listen_ports(row, &n);
	spec.listen_ports = ports_text(v, n, lp, sizeof(lp));
	v = fnft_row_remote_ports(row, &n);
	spec.remote_ports = ports_text(v, n, rp, sizeof(rp));
	ck_assert_msg(fnft_site_add_row(to, &spec, &err) == 0, "%s: %s",
		      spec.id, err.message);
}

/* A second site from the getters of @from alone. */
static struct fnft_site *transcribe(const struct fnft_site *from)
{
	static const enum fnft_role roles[] = { FNFT_ROLE_PRIMARY, FNFT_ROLE_SECONDARY };
	struct fnft_error err = { 0 };
	const struct fnft_catalog *rows = fnft_site_rows(from);
	struct fnft_site *to = NULL;
	char buf[FNFT_NETSTRLEN], ports[256];
	const struct fnft_port_range *v;
	size_t i, k, n;
	int knob;

	ck_assert_int_eq(fnft_site_new(cat, "built", &to, &err), 0);
	ck_assert_int_eq(fnft_site_set_role(to, fnft_site_role(from), &err), 0);
	for (i = 0; i < 2; i++)
		for (k = 0; k < fnft_site_cluster_address_count(from, roles[i]); k++) {
			ck_assert_int_eq(fnft_site_cluster_address(from, roles[i], k, buf, sizeof(buf)), 0);
			ck_assert_int_eq(fnft_site_add_node_address(to, roles[i], buf, &err), 0);
		}
	for (knob = FNFT_POLICY_INPUT; knob <= FNFT_POLICY_PING; knob++)
		ck_assert_int_eq(fnft_site_set_policy(to, (enum fnft_policy_knob)knob,
						      fnft_site_policy(from, (enum fnft_policy_knob)knob),
						      &err), 0);
	for (i = 0; i < fnft_site_group_count(from); i++) {
		const char *g = fnft_site_group_name(from, i);

		ck_assert_int_eq(fnft_site_add_group(to, g, &err), 0);
		for (k = 0; k < fnft_site_group_address_count(from, g); k++) {
			ck_assert_int_eq(fnft_site_group_address(from, g, k, buf, sizeof(buf)), 0);
			ck_assert_msg(fnft_site_add_group_address(to, g, buf, &err) == 0,
				      "%s %s: %s", g, buf, err.message);
		}
	}
	for (i = 0; i < fnft_catalog_count(rows); i++)
		copy_row(to, fnft_catalog_row(rows, i));
	for (i = 0; i < fnft_catalog_count(cat); i++) {
		const char *id = fnft_row_id(fnft_catalog_row(cat, i));

		if ((v = fnft_site_moved_ports(from, id, &n)))
			ck_assert_int_eq(fnft_site_move_port(to, id, ports_text(v, n, ports, sizeof(ports)), &err), 0);
	}
	for (i = 0; i < fnft_site_disabled_count(from); i++)
		ck_assert_int_eq(fnft_site_disable_row(to, fnft_site_disabled_row(from, i), &err), 0);
	ck_assert_msg(fnft_site_check(to, &err) == 0, "%s", err.message);
	return to;
}

/* A warning without its "file:line: " or "file: " */
static const char *bare(const char *w)
{
	const char *p = strstr(w, ": ");

	return p ? p + 2 : w;
}

static const char *const golden[] = {
	"primary", "secondary", "entries", "disable", "empty-group",
	"insecure-deny", "ipv6-only", "moved-ports", "output-drop",
	"ping-any-log", "ping-none",
};

START_TEST(round_trip_plans_the_same)
{
	static const enum fnft_role roles[] = { FNFT_ROLE_PRIMARY, FNFT_ROLE_SECONDARY };
	struct fnft_site *read = NULL, *built;
	struct fnft_error err = { 0 };
	char path[512];
	size_t r, w;

	snprintf(path, sizeof(path), "%s/%s.conf", golden_dir, golden[_i]);
	ck_assert_msg(fnft_site_load(path, cat, &read, &err) == 0, "%s: %s", path, err.message);
	built = transcribe(read);
	for (r = 0; r < 2; r++) {
		struct fnft_ruleset *a = NULL, *b = NULL;
		char *diff = NULL;

		ck_assert_int_eq(fnft_plan(cat, read, roles[r], NULL, &a, &err), 0);
		ck_assert_msg(fnft_plan(cat, built, roles[r], NULL, &b, &err) == 0, "%s", err.message);
		ck_assert_int_ge(fnft_ruleset_diff(a, b, "read", "built", &diff), 0);
		ck_assert_msg(fnft_ruleset_equal(a, b), "%s, %s:\n%s", golden[_i],
			      fnft_role_name(roles[r]), diff);
		free(diff);
		fnft_ruleset_free(a);
		fnft_ruleset_free(b);
	}
	ck_assert_uint_eq(fnft_site_warning_count(read), fnft_site_warning_count(built));
	for (w = 0; w < fnft_site_warning_count(read); w++) {
		const struct fnft_warning *a = fnft_site_warning_item(read, w);
		const struct fnft_warning *b = fnft_site_warning_item(built, w);

		ck_assert_str_eq(bare(fnft_site_warning(read, w)),
				 bare(fnft_site_warning(built, w)));
		/* as data: the same kind, object and text; no line when built */
		ck_assert_int_eq(a->kind, b->kind);
		ck_assert_str_eq(a->object, b->object);
		ck_assert_str_eq(a->text, b->text);
		ck_assert_str_eq(a->text, bare(a->string));
		ck_assert_uint_eq(b->line, 0);
	}
	fnft_site_free(read);
	fnft_site_free(built);
}
END_TEST

/* ---- every call refuses what the parser refuses, in its words ---- */

static struct fnft_site *empty_site(void)
{
	struct fnft_site *s = NULL;

	ck_assert_int_eq(fnft_site_new(cat, NULL, &s, NULL), 0);
	return s;
}

/* The parser's message for @ini, without "s.conf:N: " */
static char *parser_says(const char *ini)
{
	struct fnft_site *s = NULL;
	struct fnft_error err = { 0 };

	ck_assert_int_eq(fnft_site_load_buffer("s.conf", ini, strlen(ini), cat, &s, &err), -EINVAL);
	return strdup(err.message);
}

static void same_refusal(int rc, const struct fnft_error *err, const char *object,
			 const char *ini)
{
	char *want = parser_says(ini);

	ck_assert_int_eq(rc, -EINVAL);
	ck_assert_str_eq(err->message, want);
	ck_assert_str_eq(err->object, object);
	ck_assert_str_eq(err->file, "");
	free(want);
}

START_TEST(refusals_match_the_parser)
{
	struct fnft_site *s = empty_site();
	struct fnft_error err = { 0 };
	const char *none[] = { NULL }, *nosuch[] = { "nosuch", NULL };
	struct fnft_row_spec spec = {
		.id = "x", .protocol = FNFT_PROTO_TCP, .listen_ports = "0",
		.remote = (const char *[]){ "admin", NULL },
		.direction = FNFT_DIR_INBOUND,
	};

	same_refusal(fnft_site_add_group(s, "Browser", &err), &err, "Browser",
		     "[group Browser]\n");
	same_refusal(fnft_site_add_group(s, "peer", &err), &err, "peer", "[group peer]\n");
	ck_assert_int_eq(fnft_site_add_group(s, "browser", &err), 0);
	ck_assert_int_eq(fnft_site_add_group(s, "browser", &err), -EEXIST);
	same_refusal(fnft_site_add_group_address(s, "browser", "10.20.1.0/16", &err), &err,
		     "browser", "[group browser]\naddress = 10.20.1.0/16\n");
	same_refusal(fnft_site_add_group_address(s, "browser", "10.0.0.9-10.0.0.1", &err), &err,
		     "browser", "[group browser]\naddress = 10.0.0.9-10.0.0.1\n");
	ck_assert_int_eq(fnft_site_add_group_address(s, "nosuch", "10.0.0.1", &err), -ENOENT);
	ck_assert_str_eq(err.object, "nosuch");
	same_refusal(fnft_site_add_node_address(s, FNFT_ROLE_PRIMARY, "10.0.0.0/24", &err), &err,
		     "primary", "[cluster]\nprimary = 10.0.0.0/24\n");
	same_refusal(fnft_site_set_policy(s, FNFT_POLICY_INPUT, "reject", &err), &err, "input",
		     "[policy]\ninput = reject\n");
	same_refusal(fnft_site_set_policy(s, FNFT_POLICY_PING, "some", &err), &err, "ping",
		     "[policy]\nping = some\n");
	same_refusal(fnft_site_move_port(s, "tomcat.https", "8443", &err), &err, "tomcat.https",
		     "[port]\ntomcat.https = 8443\n");
	same_refusal(fnft_site_move_port(s, "ucce.awdb", "0", &err), &err, "ucce.awdb",
		     "[port]\nucce.awdb = 0\n");
	same_refusal(fnft_site_add_row(s, &spec, &err), &err, "x",
		     "[group admin]\naddress = 10.0.9.1\n[entry x]\nprotocol = tcp\nlisten-port = 0\nremote = admin\ndirection = inbound\n");
	spec.listen_ports = "22";
	spec.remote = none;
	ck_assert_int_eq(fnft_site_add_row(s, &spec, &err), -EINVAL);
	ck_assert_str_eq(err.object, "x");
	spec.remote = nosuch;
	spec.id = "Bad id";
	same_refusal(fnft_site_add_row(s, &spec, &err), &err, "Bad id", "[entry Bad id]\n");
	spec.id = "tomcat.https";
	ck_assert_int_eq(fnft_site_add_row(s, &spec, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "duplicate entry id 'tomcat.https'"));
	ck_assert_int_eq(fnft_site_disable_row(s, "nosuch.row", &err), -EINVAL);
	ck_assert_str_eq(err.object, "nosuch.row");
	ck_assert_int_eq(fnft_site_disable_row(s, "tomcat.https", &err), 0);
	same_refusal(fnft_site_disable_row(s, "tomcat.https", &err), &err, "tomcat.https",
		     "[disable]\nentry = tomcat.https\nentry = tomcat.https\n");

	/* a row naming a group no one defined: refused when checked */
	spec.id = "y";
	ck_assert_int_eq(fnft_site_add_row(s, &spec, &err), 0);
	ck_assert_int_eq(fnft_site_check(s, &err), -EINVAL);
	ck_assert_str_eq(err.message, "unknown group 'nosuch' (define it with [group nosuch])");
	ck_assert_str_eq(err.object, "y");
	fnft_site_free(s);
}
END_TEST

/* A change leaves the site unplannable until it is checked again. */
START_TEST(plan_needs_a_check)
{
	struct fnft_site *s = empty_site();
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err = { 0 };

	ck_assert_int_eq(fnft_site_add_node_address(s, FNFT_ROLE_PRIMARY, "10.0.0.11", &err), 0);
	ck_assert_int_eq(fnft_plan(cat, s, FNFT_ROLE_PRIMARY, NULL, &rs, &err), -EINVAL);
	ck_assert_ptr_nonnull(strstr(err.message, "fnft_site_check"));
	ck_assert_int_eq(fnft_site_check(s, &err), 0);
	ck_assert_int_eq(fnft_plan(cat, s, FNFT_ROLE_PRIMARY, NULL, &rs, &err), 0);
	fnft_ruleset_free(rs);
	/* a group no row uses: the parser's refusal, at the check */
	ck_assert_int_eq(fnft_site_add_group(s, "lonely", &err), 0);
	ck_assert_int_eq(fnft_site_check(s, &err), -EINVAL);
	ck_assert_str_eq(err.message, "group 'lonely' is not used by any row");
	fnft_site_free(s);
}
END_TEST

/* Add and take back networks: the merged intervals follow; the written
 * ones are kept as written. */
START_TEST(add_and_remove_networks)
{
	struct fnft_site *s = empty_site();
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err = { 0 };
	char buf[FNFT_NETSTRLEN], *text = NULL;

	ck_assert_int_eq(fnft_site_add_group(s, "browser", &err), 0);
	ck_assert_int_eq(fnft_site_add_group_address(s, "browser", "10.20.0.0/16", &err), 0);
	ck_assert_int_eq(fnft_site_add_group_address(s, "browser", "10.21.0.0/16", &err), 0);
	ck_assert_int_eq(fnft_site_add_group_address(s, "browser", "2001:db8::1", &err), 0);
	ck_assert_uint_eq(fnft_site_group_address_count(s, "browser"), 3);
	ck_assert_int_eq(fnft_site_group_address(s, "browser", 1, buf, sizeof(buf)), 0);
	ck_assert_str_eq(buf, "10.21.0.0/16");
	ck_assert_int_eq(fnft_site_group_address(s, "browser", 3, buf, sizeof(buf)), -EINVAL);
	ck_assert_int_eq(fnft_site_group_address(s, "browser", 0, buf, 4), -ENOSPC);
	ck_assert_int_eq(fnft_site_check(s, &err), 0);
	ck_assert_int_eq(fnft_plan(cat, s, FNFT_ROLE_PRIMARY, NULL, &rs, &err), 0);
	ck_assert_int_eq(fnft_ruleset_render(rs, &text), 0);
	ck_assert_msg(strstr(text, "elements = {\n\t\t\t10.20.0.0/15,\n\t\t}") != NULL, "%.300s", strstr(text, "set browser_v4") ? strstr(text, "set browser_v4") : text);
	free(text);
	fnft_ruleset_free(rs);

	ck_assert_int_eq(fnft_site_remove_group_address(s, "browser", "10.21.0.0/16", &err), 0);
	ck_assert_int_eq(fnft_site_remove_group_address(s, "browser", "10.21.0.0/16", &err), -ENOENT);
	ck_assert_int_eq(fnft_site_remove_group_address(s, "browser", "10.20.0.0/15", &err), -ENOENT);
	ck_assert_int_eq(fnft_site_check(s, &err), 0);
	ck_assert_int_eq(fnft_plan(cat, s, FNFT_ROLE_PRIMARY, NULL, &rs, &err), 0);
	ck_assert_int_eq(fnft_ruleset_render(rs, &text), 0);
	ck_assert_msg(strstr(text, "elements = {\n\t\t\t10.20.0.0/16,\n\t\t}") != NULL, "%.300s", strstr(text, "set browser_v4") ? strstr(text, "set browser_v4") : text);
	free(text);
	fnft_ruleset_free(rs);
	ck_assert_uint_eq(fnft_site_group_address_count(s, "browser"), 2);
	fnft_site_free(s);
}
END_TEST

/* The library's diff names the set of each hunk in its header. */
START_TEST(diff_hunks_name_their_set)
{
	struct fnft_site *s = empty_site();
	struct fnft_ruleset *a = NULL, *b = NULL;
	struct fnft_error err = { 0 };
	char *diff = NULL, *h;

	ck_assert_int_eq(fnft_site_add_group(s, "browser", &err), 0);
	ck_assert_int_eq(fnft_site_add_group_address(s, "browser", "10.20.0.0/16", &err), 0);
	ck_assert_int_eq(fnft_site_check(s, &err), 0);
	ck_assert_int_eq(fnft_plan(cat, s, FNFT_ROLE_PRIMARY, NULL, &a, &err), 0);
	ck_assert_int_eq(fnft_site_add_group_address(s, "browser", "10.40.0.0/16", &err), 0);
	ck_assert_int_eq(fnft_site_check(s, &err), 0);
	ck_assert_int_eq(fnft_plan(cat, s, FNFT_ROLE_PRIMARY, NULL, &b, &err), 0);
	ck_assert_int_eq(fnft_ruleset_diff(a, b, "a", "b", &diff), 1);
	h = strstr(diff, "\n@@ ");
	ck_assert_msg(h && strstr(h, " @@ set browser_v4 {\n") &&
		      strchr(h + 1, '\n') == strstr(h, " @@ set browser_v4 {\n") + 20,
		      "%s", diff);
	ck_assert_ptr_null(strstr(h + 1, "\n@@ "));	/* one hunk */
	free(diff);
	fnft_ruleset_free(a);
	fnft_ruleset_free(b);
	fnft_site_free(s);
}
END_TEST

static struct fnft_site *site_of(const char *name, const char *ini)
{
	struct fnft_site *s = NULL;
	struct fnft_error err = { 0 };

	ck_assert_msg(fnft_site_load_buffer(name, ini, strlen(ini), cat, &s, &err) == 0,
		      "%s", err.message);
	return s;
}

static struct fnft_ruleset *plan_of(const struct fnft_site *s)
{
	struct fnft_ruleset *rs = NULL;

	ck_assert_int_eq(fnft_plan(cat, s, FNFT_ROLE_SITE, NULL, &rs, NULL), 0);
	return rs;
}

#define SUMMARY_BASE "[cluster]\nprimary = 10.0.0.1\nsecondary = 10.0.0.2\n" \
	"node = primary\n[group browser]\naddress = 10.20.0.0/16\n"

/* The summary by group and row: networks as written with file:line, the
 * kernel's merged intervals, the rows opened, rows and policy changed. */
START_TEST(summary_by_group_and_row)
{
	struct fnft_site *sa = site_of("a.conf", SUMMARY_BASE);
	struct fnft_site *sb = site_of("b.conf", SUMMARY_BASE "address = 10.21.0.0/16\n"
				       "[disable]\nentry = tomcat.http\n[policy]\noutput = drop\n");
	struct fnft_site *sc = site_of("c.conf", SUMMARY_BASE "address = 10.20.1.0/24\n");
	struct fnft_ruleset *a = plan_of(sa), *b = plan_of(sb), *c = plan_of(sc);
	char *text = NULL;

	ck_assert_int_eq(fnft_ruleset_summary(a, b, sa, sb, "primary", 0, &text), 0);
	ck_assert_str_eq(text,
		"group browser: +10.21.0.0/16 (b.conf:7)\n"
		"group browser: kernel browser_v4 -10.20.0.0/16 +10.20.0.0/15\n"
		"browser +10.21.0.0/16: opens tomcat.https, notification.xmpp, "
		"notification.xmpps, notification.bosh-http, notification.bosh-https "
		"inbound from 10.21.0.0/16\n"
		"row tomcat.http: disabled (was inbound tcp 80,8082 from browser)\n"
		"policy output: accept -> drop\n");
	free(text);

	/* the same as JSON */
	ck_assert_int_eq(fnft_ruleset_summary(a, b, sa, sb, "primary", FNFT_SUMMARY_JSON,
					      &text), 0);
	ck_assert_msg(strstr(text, "\"role\": \"primary\",\n  \"in_sync\": false") &&
		      strstr(text, "\"network\": \"10.21.0.0/16\",\n          \"file\": \"b.conf\",\n"
			     "          \"line\": 7,\n          \"effect\": \"opens\"") &&
		      strstr(text, "\"change\": \"disabled\"") &&
		      strstr(text, "\"knob\": \"output\",\n      \"old\": \"accept\",\n"
			     "      \"new\": \"drop\""), "%.3000s", text);
	free(text);

	/* a network inside one there already changes nothing in the kernel */
	ck_assert_int_eq(fnft_ruleset_summary(a, c, sa, sc, NULL, 0, &text), 0);
	ck_assert_str_eq(text, "group browser: +10.20.1.0/24 (c.conf:7), covered already: "
			 "no change in the kernel\n");
	free(text);

	/* equal: nothing; without the old table, all is new; bad calls */
	ck_assert_int_eq(fnft_ruleset_summary(a, a, sa, sa, NULL, 0, &text), 0);
	ck_assert_str_eq(text, "");
	free(text);
	ck_assert_int_eq(fnft_ruleset_summary(NULL, a, NULL, sa, NULL, 0, &text), 0);
	ck_assert_msg(strstr(text, "group browser: +10.20.0.0/16 (a.conf:6)\n"
			     "group browser: kernel browser_v4 +10.20.0.0/16\n") &&
		      strstr(text, "row tomcat.https: enabled (now inbound tcp 443,8445 from browser)\n") &&
		      strstr(text, "policy input: none -> drop\n"), "%s", text);
	free(text);
	ck_assert_int_eq(fnft_ruleset_summary(a, NULL, sa, sb, NULL, 0, &text), -EINVAL);
	ck_assert_int_eq(fnft_ruleset_summary(a, b, sa, sb, NULL, 0x80, &text), -EINVAL);

	fnft_ruleset_free(a);
	fnft_ruleset_free(b);
	fnft_ruleset_free(c);
	fnft_site_free(sa);
	fnft_site_free(sb);
	fnft_site_free(sc);
}
END_TEST

/* The change set as data: elements without their comma, each change
 * with its block, group and row. */
START_TEST(changes_as_data)
{
	struct fnft_site *sa = site_of("a.conf", SUMMARY_BASE);
	struct fnft_site *sb = site_of("b.conf", SUMMARY_BASE "address = 10.40.0.0/16\n"
				       "[disable]\nentry = tomcat.http\n");
	struct fnft_ruleset *a = plan_of(sa), *b = plan_of(sb);
	char *text = NULL;

	ck_assert_int_eq(fnft_ruleset_changes_json(a, b, &text), 0);
	ck_assert_msg(strstr(text, "\"op\": \"add\",\n      \"in\": \"set browser_v4\",\n"
			     "      \"line\": \"10.40.0.0/16\",\n      \"group\": \"browser\",\n"
			     "      \"row\": null") &&
		      strstr(text, "\"op\": \"remove\",\n      \"in\": \"chain input\",\n"
			     "      \"line\": \"ip saddr @browser_v4 tcp dport { 80, 8082 } counter "
			     "accept comment \\\"tomcat.http\\\"\",\n      \"group\": \"browser\",\n"
			     "      \"row\": \"tomcat.http\"") &&
		      strstr(text, "\"in_sync\": false") && !strstr(text, "/16,"), "%.3000s", text);
	free(text);
	ck_assert_int_eq(fnft_ruleset_changes_json(a, a, &text), 0);
	ck_assert_msg(strstr(text, "\"in_sync\": true") && strstr(text, "\"changes\": []"),
		      "%s", text);
	free(text);
	fnft_ruleset_free(a);
	fnft_ruleset_free(b);
	fnft_site_free(sa);
	fnft_site_free(sb);
}
END_TEST

START_TEST(getters_of_a_loaded_site)
{
	struct fnft_site *s = NULL;
	struct fnft_error err = { 0 };
	char path[512];
	const struct fnft_port_range *v;
	size_t n;

	snprintf(path, sizeof(path), "%s/moved-ports.conf", golden_dir);
	ck_assert_int_eq(fnft_site_load(path, cat, &s, &err), 0);
	ck_assert_ptr_null(fnft_site_moved_ports(s, "tomcat.https", &n));
	ck_assert_uint_eq(n, 0);
	ck_assert_uint_gt(fnft_site_group_count(s), 0);
	ck_assert_ptr_null(fnft_site_group_name(s, fnft_site_group_count(s)));
	ck_assert_str_eq(fnft_site_policy(s, FNFT_POLICY_INPUT), "drop");
	ck_assert_ptr_null(fnft_site_policy(s, (enum fnft_policy_knob)99));
	for (n = 0, v = NULL; n < fnft_catalog_count(cat) && !v; n++)
		v = fnft_site_moved_ports(s, fnft_row_id(fnft_catalog_row(cat, n)), NULL);
	ck_assert_msg(v != NULL, "moved-ports.conf moves no port");
	fnft_site_free(s);
}
END_TEST

int main(int argc, char **argv)
{
	Suite *su = suite_create("builder");
	TCase *tc = tcase_create("builder");
	SRunner *sr;
	int failed;

	if (argc > 1)
		golden_dir = argv[1];
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_loop_test(tc, round_trip_plans_the_same, 0,
			    (int)(sizeof(golden) / sizeof(golden[0])));
	tcase_add_test(tc, refusals_match_the_parser);
	tcase_add_test(tc, plan_needs_a_check);
	tcase_add_test(tc, add_and_remove_networks);
	tcase_add_test(tc, diff_hunks_name_their_set);
	tcase_add_test(tc, summary_by_group_and_row);
	tcase_add_test(tc, changes_as_data);
	tcase_add_test(tc, getters_of_a_loaded_site);
	suite_add_tcase(su, tc);
	sr = srunner_create(su);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
