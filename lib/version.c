/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <finesse-nft/finesse-nft.h>

#include "internal.h"
#include "config.h"

FNFT_EXPORT const char *fnft_version(void)
{
	return FNFT_VERSION;
}
