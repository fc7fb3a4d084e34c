/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: a catalog file (`--catalog FILE`), its JSON, and a minimal
 * site planned against it.
 *
 * Oracles besides the sanitizers:
 * - the JSON parses back (jansson) as an array of one object per row, in
 *   order, with the row's id;
 * - every row is found by its id, and the accessors agree with the counts;
 * - a catalog that loads plans with a two-node site and the plan renders
 *   and encodes (a catalog `check` accepts must be one `apply` can send).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include <finesse-nft/finesse-nft.h>

#include "encode.h"
#include "fuzz.h"

static const char site_text[] =
	"[cluster]\n"
	"primary = 10.0.0.11\n"
	"primary = 2001:db8::11\n"
	"secondary = 10.0.0.12\n";

static void check_json(const struct fnft_catalog *cat)
{
	char *text = NULL;
	json_error_t jerr;
	json_t *a;
	size_t i;

	CHECK(fnft_catalog_to_json(cat, &text) == 0);
	a = json_loads(text, 0, &jerr);
	if (!a)
		fprintf(stderr, "catalog JSON does not parse: %s\n", jerr.text);
	CHECK(a && json_is_array(a));
	CHECK(json_array_size(a) == fnft_catalog_count(cat));
	for (i = 0; i < json_array_size(a); i++) {
		const struct fnft_row *row = fnft_catalog_row(cat, i);
		json_t *id = json_object_get(json_array_get(a, i), "id");

		CHECK(id && json_is_string(id));
		CHECK(strcmp(json_string_value(id), fnft_row_id(row)) == 0);
	}
	json_decref(a);
	free(text);
}

static void check_rows(const struct fnft_catalog *cat)
{
	size_t i, g, n;

	CHECK(fnft_catalog_row(cat, fnft_catalog_count(cat)) == NULL);
	for (i = 0; i < fnft_catalog_count(cat); i++) {
		const struct fnft_row *row = fnft_catalog_row(cat, i);
		const struct fnft_port_range *pr;

		CHECK(row != NULL);
		CHECK(fnft_catalog_find(cat, fnft_row_id(row)) == row);
		CHECK(fnft_row_listener(row) && fnft_row_note(row));
		CHECK(fnft_protocol_name(fnft_row_protocol(row)) != NULL);
		CHECK(fnft_direction_name(fnft_row_direction(row)) != NULL);
		pr = fnft_row_listen_ports(row, &n);
		for (g = 0; g < n; g++)
			CHECK(pr[g].first >= 1 && pr[g].first <= pr[g].last);
		pr = fnft_row_remote_ports(row, &n);
		for (g = 0; g < n; g++)
			CHECK(pr[g].first >= 1 && pr[g].first <= pr[g].last);
		n = fnft_row_group_count(row);
		for (g = 0; g < n; g++)
			CHECK(fnft_row_group(row, g) != NULL);
		CHECK(fnft_row_group(row, n) == NULL);
	}
}

static void check_plan(const struct fnft_catalog *cat)
{
	struct fnft_site *site = NULL;
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err = { 0 };
	char *text = NULL;
	int rc;

	rc = fnft_site_load_buffer("site.conf", site_text, sizeof(site_text) - 1,
				   cat, &site, &err);
	if (rc)
		return;	/* e.g. a catalog row naming a group "peer" may not use */
	rc = fnft_plan(cat, site, FNFT_ROLE_PRIMARY, NULL, &rs, &err);
	CHECK(rc == 0 || rc == -ENOMEM);
	if (rs) {
		CHECK(fnft_ruleset_render(rs, &text) == 0);
		free(text);
		text = NULL;
		CHECK(fnft_status_render(cat, site, rs, NULL, true, &text) == 0);
		free(text);
		CHECK_ENCODES(rs);
	}
	fnft_ruleset_free(rs);
	fnft_site_free(site);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_error err = { 0 };

	if (fnft_catalog_load_buffer("fuzz.ini", (const char *)data, size,
				     &cat, &err) != 0) {
		CHECK(err.code < 0 && err.message[0] != '\0');
		CHECK(cat == NULL);
		return 0;
	}
	check_rows(cat);
	check_json(cat);
	check_plan(cat);
	fnft_catalog_free(cat);
	return 0;
}
