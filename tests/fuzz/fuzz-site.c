/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: a site file against the built-in catalog, and, when it
 * loads, everything a loaded site feeds: the plan for both roles (and for
 * the site's own `node =`), its nft text, the diff and JSON changes between
 * the roles, explain, status and the netlink batch apply would send.
 *
 * Oracles besides the sanitizers (each a bug when it fires):
 * - a site that loads plans for an explicit role (only -ENOMEM may fail);
 * - a plan equals itself, its diff with itself is empty, and two plans
 *   diff empty exactly when they are equal;
 * - a plan's IR JSON (the state file) reads back as an equal plan with the
 *   same fingerprint;
 * - a plan encodes into a batch: `check` accepting a site that `apply`
 *   cannot send is a bug.
 *
 * The input goes in as is: no NUL terminator, so reads past @size are
 * caught by ASan.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include <finesse-nft/finesse-nft.h>

#include "encode.h"
#include "ir-json.h"
#include "fuzz.h"

static struct fnft_catalog *catalog(void)
{
	static struct fnft_catalog *cat;

	/* parsed once; it is read-only from here on */
	if (!cat)
		CHECK(fnft_catalog_new_builtin(&cat, NULL) == 0);
	return cat;
}

static void use_plan(const struct fnft_catalog *cat,
		     const struct fnft_site *site, struct fnft_ruleset *rs)
{
	static const char *const addrs[] = { "10.20.1.5", "2001:db8:20::5", "192.0.2.80" };
	static const unsigned ports[] = { 22, 443, 5222, 1433 };
	struct fnft_ruleset *back = NULL;
	char *text = NULL, *json = NULL;
	uint8_t *keys = NULL;
	size_t a, p, n_keys = 0;
	int dir, rc;

	CHECK(fnft_ruleset_render(rs, &text) == 0);
	CHECK(text != NULL);
	free(text);
	text = NULL;

	CHECK(fnft_ruleset_equal(rs, rs));
	rc = fnft_ruleset_diff(rs, rs, "a", "a", &text);
	CHECK(rc == 0 && text == NULL);
	rc = fnft_ruleset_diff(NULL, rs, "none", "plan", &text);
	CHECK(rc == 1 && text != NULL);
	free(text);
	text = NULL;

	for (dir = 0; dir < 2; dir++)
		for (a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++)
			for (p = 0; p < sizeof(ports) / sizeof(ports[0]); p++) {
				struct fnft_explanation ex;

				CHECK(fnft_explain(rs, dir, addrs[a], FNFT_PROTO_TCP,
						   ports[p], &ex) == 0);
				CHECK(fnft_explain(rs, dir, addrs[a], FNFT_PROTO_UDP,
						   ports[p], &ex) == 0);
			}
	CHECK(fnft_ruleset_rows_for_port(rs, false, FNFT_PROTO_TCP, 443, &text) == 0);
	free(text);
	text = NULL;
	CHECK(fnft_status_render(cat, site, rs, NULL, false, &text) == 0);
	free(text);
	text = NULL;
	CHECK(fnft_status_render(cat, site, rs, NULL, true, &text) == 0);
	free(text);

	/* the state file holds plans: their IR JSON reads back equal */
	CHECK(fnft_ir_json_dump(rs, &json, &keys, &n_keys) == 0);
	rc = fnft_ir_json_load(json, keys, n_keys, &back);
	if (rc)
		fprintf(stderr, "IR JSON of a plan does not read back (%d)\n", rc);
	CHECK(rc == 0);
	CHECK(fnft_ruleset_equal(back, rs));
	CHECK(fnft_ruleset_fingerprint(back) == fnft_ruleset_fingerprint(rs));
	fnft_ruleset_free(back);
	free(json);
	free(keys);

	CHECK_ENCODES(rs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fnft_catalog *cat = catalog();
	struct fnft_ruleset *primary = NULL, *secondary = NULL, *own = NULL;
	struct fnft_site *site = NULL;
	struct fnft_error err = { 0 };
	char *text = NULL;
	size_t i;
	int rc;

	if (fnft_site_load_buffer("fuzz.conf", (const char *)data, size, cat,
				  &site, &err) != 0) {
		/* an error always says what is wrong */
		CHECK(err.code < 0 && err.message[0] != '\0');
		return 0;
	}
	for (i = 0; i < fnft_site_warning_count(site); i++)
		CHECK(fnft_site_warning(site, i) != NULL);

	rc = fnft_plan(cat, site, FNFT_ROLE_PRIMARY, NULL, &primary, &err);
	CHECK(rc == 0 || rc == -ENOMEM);
	rc = fnft_plan(cat, site, FNFT_ROLE_SECONDARY, NULL, &secondary, &err);
	CHECK(rc == 0 || rc == -ENOMEM);
	if (fnft_site_role(site) != FNFT_ROLE_SITE) {
		rc = fnft_plan(cat, site, FNFT_ROLE_SITE, NULL, &own, &err);
		CHECK(rc == 0 || rc == -ENOMEM);
	}

	if (primary)
		use_plan(cat, site, primary);
	if (secondary)
		use_plan(cat, site, secondary);
	if (primary && secondary) {
		rc = fnft_ruleset_diff(primary, secondary, "primary", "secondary", &text);
		CHECK(rc == 0 || rc == 1);
		CHECK((rc == 0) == fnft_ruleset_equal(primary, secondary));
		CHECK((rc == 1) == (text != NULL));
		free(text);
		text = NULL;
		CHECK(fnft_ruleset_changes_json(primary, secondary, &text) == 0);
		free(text);
	}
	if (own) {
		const struct fnft_ruleset *same =
			fnft_site_role(site) == FNFT_ROLE_PRIMARY ? primary : secondary;

		CHECK(!same || fnft_ruleset_equal(own, same));
	}

	fnft_ruleset_free(own);
	fnft_ruleset_free(secondary);
	fnft_ruleset_free(primary);
	fnft_site_free(site);
	return 0;
}
