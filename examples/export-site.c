/* SPDX-License-Identifier: CC0-1.0 */
/*
 * A minimal libfinesse-nft consumer, as a provisioning daemon would use the
 * library: the built-in catalog, a site built in memory, a plan for the
 * primary node, and the nft script printed.  Strict C99.
 *
 *   cc -std=c99 export-site.c $(pkg-config --cflags --libs finesse-nft)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

static const char site_text[] =
	"[cluster]\n"
	"primary   = 10.0.0.11\n"
	"secondary = 10.0.0.12\n"
	"[group browser]\n"
	"address = 10.20.0.0/16\n";

int main(void)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_site *site = NULL;
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err;
	char *text = NULL;
	char line[1024];
	int rc;

	memset(&err, 0, sizeof(err));
	rc = fnft_catalog_new_builtin(&cat, &err);
	if (rc == 0)
		rc = fnft_site_load_buffer("daemon", site_text, strlen(site_text),
					   cat, &site, &err);
	if (rc == 0)
		rc = fnft_plan(cat, site, FNFT_ROLE_PRIMARY, NULL, &rs, &err);
	if (rc == 0)
		rc = fnft_ruleset_render(rs, &text);
	if (rc == 0) {
		fputs(text, stdout);
	} else {
		fnft_error_format(&err, line, sizeof(line));
		fprintf(stderr, "export-site: %s\n", line);
	}
	free(text);
	fnft_ruleset_free(rs);
	fnft_site_free(site);
	fnft_catalog_free(cat);
	return rc == 0 ? 0 : 1;
}
