/* SPDX-License-Identifier: GPL-2.0-or-later */
#ifndef FNFT_TOOL_SAY_H
#define FNFT_TOOL_SAY_H

/*
 * One message line on stderr, prefixed "finesse-nft: " as every message
 * of the CLI is (data goes to stdout).  Returns @code, so that a command
 * can end with `return say(2, "...")`.
 */
int say(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
