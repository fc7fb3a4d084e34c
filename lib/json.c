/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The JSON outputs under one name scheme (since 0.3): fnft_<object>_json(),
 * returning 0 or a negative errno and a malloc'd string in *out.  They are
 * the documented names; the older spellings they stand for stay exported
 * and keep working, each implemented once, where it always was.
 */
#include <errno.h>

#include <finesse-nft/finesse-nft.h>

#include "internal.h"

FNFT_EXPORT int fnft_catalog_json(const struct fnft_catalog *cat, char **out)
{
	return fnft_catalog_to_json(cat, out);
}

FNFT_EXPORT int fnft_site_json(const struct fnft_site *site, char **out)
{
	return fnft_site_check_json(site, out);
}

FNFT_EXPORT int fnft_ruleset_json(const struct fnft_ruleset *rs, char **out)
{
	return fnft_ruleset_render_json(rs, out);
}

FNFT_EXPORT int fnft_ruleset_diff_json(const struct fnft_ruleset *a,
				       const struct fnft_ruleset *b, char **out)
{
	return fnft_ruleset_changes_json(a, b, out);
}

FNFT_EXPORT int fnft_status_json(const struct fnft_catalog *cat,
				 const struct fnft_site *site,
				 const struct fnft_ruleset *plan,
				 const struct fnft_ruleset *live,
				 const char *table, const char *site_error,
				 char **out)
{
	return fnft_status_render_live(cat, site, plan, live, table, site_error,
				       FNFT_STATUS_JSON, out);
}
