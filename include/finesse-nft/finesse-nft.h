/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_H
#define FINESSE_NFT_H

/**
 * libfinesse-nft: a product's port-usage table (the built-in one is Cisco
 * Finesse's) plus a site description, turned into the one nftables table
 * the library owns.
 *
 *   catalog + site + node role --fnft_plan()--> ruleset --> render / diff
 *
 * Conventions: objects are opaque and freed by their _free() function, which
 * accepts NULL; fallible calls return 0 or a negative errno and fill an
 * optional struct fnft_error; strings returned as `char **out` are malloc'd
 * and the caller frees them; nothing prints, nothing keeps global state.
 */

#include <finesse-nft/error.h>
#include <finesse-nft/catalog.h>
#include <finesse-nft/site.h>
#include <finesse-nft/ruleset.h>
#include <finesse-nft/kernel.h>

#ifdef __cplusplus
extern "C" {
#endif

/** fnft_version - the library's version string, e.g. "0.1.0" */
const char *fnft_version(void);

#ifdef __cplusplus
}
#endif

#endif
