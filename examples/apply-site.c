/* SPDX-License-Identifier: CC0-1.0 */
/*
 * How a provisioning daemon applies a site with libfinesse-nft, no CLI:
 * the built-in catalog, a site composed in memory, a plan for the primary
 * node, one atomic apply.  Errors come back as values; the daemon decides
 * what to print.  Strict C99.
 *
 *   cc -std=c99 apply-site.c $(pkg-config --cflags --libs finesse-nft)
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <finesse-nft/finesse-nft.h>

static const char site_text[] =
	"[cluster]\n"
	"primary   = 192.0.2.11\n"
	"secondary = 192.0.2.12\n"
	"[group browser]\n"
	"address = 198.51.100.0/24\n"
	"address = 2001:db8:20::/48\n"
	"[group admin]\n"
	"address = 203.0.113.5\n"
	"[entry ssh]\n"
	"protocol    = tcp\n"
	"listen-port = 22\n"
	"remote      = admin\n"
	"direction   = inbound\n";

int main(void)
{
	struct fnft_catalog *cat = NULL;
	struct fnft_site *site = NULL;
	struct fnft_ruleset *rs = NULL;
	struct fnft_error err;
	char line[1024];
	int rc;

	memset(&err, 0, sizeof(err));
	rc = fnft_catalog_new_builtin(&cat, &err);
	if (rc == 0)
		rc = fnft_site_load_buffer("provisioning", site_text,
					   strlen(site_text), cat, &site, &err);
	if (rc == 0)
		rc = fnft_plan(cat, site, FNFT_ROLE_PRIMARY, NULL, &rs, &err);
	if (rc == 0)
		rc = fnft_apply(rs, &err);
	if (rc != 0) {
		fnft_error_format(&err, line, sizeof(line));
		fprintf(stderr, "apply-site: %s\n", line);
	}
	fnft_ruleset_free(rs);
	fnft_site_free(site);
	fnft_catalog_free(cat);
	/* a conflict is worth a retry; everything else is final */
	return rc == 0 ? 0 : rc == -EAGAIN ? 4 : 1;
}
