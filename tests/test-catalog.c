/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The built-in catalog must be the Finesse port-usage table of
 * shared/spec/, row for row.  The expected table is written out here from
 * the spec, independently of lib/data/finesse.ini.
 */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <finesse-nft/finesse-nft.h>

struct seed_row {
	const char *id;
	const char *listen;	/* "80,8082" or "" */
	const char *remote;	/* remote ports */
	const char *groups;
	unsigned flags;
};

/* Tables 1-5 of the spec, in order; all TCP and bidirectional. */
static const struct seed_row seed[] = {
	{ "tomcat.http", "80,8082", "", "browser", FNFT_ROW_INSECURE },
	{ "tomcat.https", "443,8445", "", "browser", 0 },
	{ "notification.xmpp", "5222", "", "browser,agent-desktop", FNFT_ROW_INSECURE },
	{ "notification.xmpps", "5223", "", "browser,agent-desktop", 0 },
	{ "notification.bosh-http", "7071", "", "browser,agent-desktop", FNFT_ROW_INSECURE },
	{ "notification.bosh-https", "7443", "", "browser,agent-desktop", 0 },
	{ "cluster.xmpp", "5222", "5222", "peer", 0 },
	{ "gadget.http", "", "80,8082", "web-server", 0 },
	{ "gadget.https", "", "443,8445", "web-server", 0 },
	{ "ucce.awdb", "", "1433", "awdb", FNFT_ROW_PORT_MOVABLE },
	{ "ucce.cti-a", "", "42027", "cti-a", FNFT_ROW_PORT_MOVABLE },
	{ "ucce.cti-b", "", "43027", "cti-b", FNFT_ROW_PORT_MOVABLE },
};

static void ports_text(const struct fnft_port_range *p, size_t n, char *buf,
		       size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < n; i++) {
		ck_assert_uint_eq(p[i].first, p[i].last);
		off += (size_t)snprintf(buf + off, len - off, "%s%u", i ? "," : "",
					p[i].first);
	}
}

static void groups_text(const struct fnft_row *row, char *buf, size_t len)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = 0; i < fnft_row_group_count(row); i++)
		off += (size_t)snprintf(buf + off, len - off, "%s%s", i ? "," : "",
					fnft_row_group(row, i));
}

START_TEST(builtin_equals_seed)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_error err = { 0 };
	char text[128];
	size_t i, n;

	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, &err), 0);
	ck_assert_uint_eq(fnft_catalog_count(cat), sizeof(seed) / sizeof(seed[0]));
	for (i = 0; i < fnft_catalog_count(cat); i++) {
		const struct fnft_row *row = fnft_catalog_row(cat, i);
		const struct fnft_port_range *p;

		ck_assert_str_eq(fnft_row_id(row), seed[i].id);
		ck_assert_int_eq(fnft_row_protocol(row), FNFT_PROTO_TCP);
		ck_assert_int_eq(fnft_row_direction(row), FNFT_DIR_BIDIRECTIONAL);
		ck_assert_uint_eq(fnft_row_flags(row), seed[i].flags);
		p = fnft_row_listen_ports(row, &n);
		ports_text(p, n, text, sizeof(text));
		ck_assert_str_eq(text, seed[i].listen);
		p = fnft_row_remote_ports(row, &n);
		ports_text(p, n, text, sizeof(text));
		ck_assert_str_eq(text, seed[i].remote);
		groups_text(row, text, sizeof(text));
		ck_assert_str_eq(text, seed[i].groups);
		ck_assert(strlen(fnft_row_note(row)) > 10);
		ck_assert(strlen(fnft_row_listener(row)) > 0);
		ck_assert_ptr_eq(fnft_catalog_find(cat, seed[i].id), row);
	}
	ck_assert_ptr_null(fnft_catalog_row(cat, i));
	ck_assert_ptr_null(fnft_catalog_find(cat, "no.such.row"));
	fnft_catalog_free(cat);
}
END_TEST

START_TEST(listeners_follow_spec)
{
	static const char *const listeners[] = {
		"HTTP", "HTTPS", "XMPP", "XMPP", "BOSH (HTTP)", "BOSH (HTTPS)",
		"XMPP", "HTTP", "HTTPS", "JDBC (SQL)", "GED-188", "GED-188",
	};
	struct fnft_catalog *cat = NULL;
	size_t i;

	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, NULL), 0);
	for (i = 0; i < sizeof(listeners) / sizeof(listeners[0]); i++)
		ck_assert_str_eq(fnft_row_listener(fnft_catalog_row(cat, i)),
				 listeners[i]);
	fnft_catalog_free(cat);
}
END_TEST

START_TEST(json_matches_seed)
{
	struct fnft_catalog *cat = NULL;
	json_error_t jerr;
	json_t *a, *o, *v;
	char *text = NULL;
	size_t i;

	ck_assert_int_eq(fnft_catalog_new_builtin(&cat, NULL), 0);
	ck_assert_int_eq(fnft_catalog_to_json(cat, &text), 0);
	a = json_loads(text, 0, &jerr);
	ck_assert_ptr_nonnull(a);
	ck_assert(json_is_array(a));
	ck_assert_uint_eq(json_array_size(a), 12);
	json_array_foreach(a, i, o) {
		ck_assert_uint_eq(json_object_size(o), 8);
		ck_assert_str_eq(json_string_value(json_object_get(o, "id")), seed[i].id);
		ck_assert_str_eq(json_string_value(json_object_get(o, "protocol")), "tcp");
		ck_assert_str_eq(json_string_value(json_object_get(o, "direction")),
				 "bidirectional");
		ck_assert(json_is_string(json_object_get(o, "listener")));
		ck_assert(json_is_string(json_object_get(o, "note")));
		ck_assert(json_is_array(json_object_get(o, "remote")));
		v = json_object_get(o, "listen_ports");
		ck_assert(json_is_array(v));
		ck_assert(json_is_array(json_object_get(o, "remote_ports")));
	}
	/* ports are integers */
	v = json_array_get(json_object_get(json_array_get(a, 1), "listen_ports"), 1);
	ck_assert(json_is_integer(v));
	ck_assert_int_eq(json_integer_value(v), 8445);
	json_decref(a);
	free(text);
	fnft_catalog_free(cat);
}
END_TEST

START_TEST(json_port_range_is_string)
{
	static const char text[] =
		"[entry x]\nprotocol = udp\nlisten-port = 161-162, 10\n"
		"remote = g\ndirection = inbound\n";
	struct fnft_catalog *cat = NULL;
	struct fnft_error err = { 0 };
	char *json = NULL;

	ck_assert_int_eq(fnft_catalog_load_buffer("c.ini", text, strlen(text),
						  &cat, &err), 0);
	ck_assert_int_eq(fnft_catalog_to_json(cat, &json), 0);
	ck_assert_ptr_nonnull(strstr(json, "\"listen_ports\": [\n      10,\n      \"161-162\"\n    ]"));
	ck_assert_ptr_nonnull(strstr(json, "\"protocol\": \"udp\""));
	free(json);
	fnft_catalog_free(cat);
}
END_TEST

static void expect_catalog_error(const char *text, const char *want)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_error err = { 0 };
	char line[1024];

	ck_assert_int_eq(fnft_catalog_load_buffer("cat.ini", text, strlen(text),
						  &cat, &err), -EINVAL);
	ck_assert_ptr_null(cat);
	fnft_error_format(&err, line, sizeof(line));
	ck_assert_str_eq(line, want);
}

START_TEST(catalog_errors)
{
	expect_catalog_error("[group x]\n",
			     "cat.ini:1: unknown section [group x] (a catalog holds only [entry ID] sections)");
	expect_catalog_error("[entry a]\nprotocol = tcp\nlisten-port = 1\nremote = g\n"
			     "direction = inbound\n[entry a]\n",
			     "cat.ini:6: duplicate entry id 'a'");
	expect_catalog_error("[entry a]\nprotocol = tcp\nlisten-port = 1\nremote = g\n"
			     "direction = inbound\ninsecure = maybe\n",
			     "cat.ini:6: bad insecure value 'maybe' (expected yes or no)");
	expect_catalog_error("\n# nothing\n", "cat.ini: the catalog has no rows");
}
END_TEST

START_TEST(catalog_file_missing)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_error err = { 0 };

	ck_assert_int_eq(fnft_catalog_load("/nonexistent/cat.ini", &cat, &err),
			 -ENOENT);
	ck_assert_str_eq(err.file, "/nonexistent/cat.ini");
	ck_assert_ptr_nonnull(strstr(err.message, "cannot open"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("catalog");
	TCase *tc = tcase_create("catalog");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, builtin_equals_seed);
	tcase_add_test(tc, listeners_follow_spec);
	tcase_add_test(tc, json_matches_seed);
	tcase_add_test(tc, json_port_range_is_string);
	tcase_add_test(tc, catalog_errors);
	tcase_add_test(tc, catalog_file_missing);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
