/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef FINESSE_NFT_ERROR_H
#define FINESSE_NFT_ERROR_H

/**
 * Errors as values.
 *
 * Every fallible call returns 0 on success or a negative errno, and, when the
 * caller passed a struct fnft_error, fills it with what went wrong and where.
 * The library never prints and never exits.  The caller owns the struct; it
 * may live on the stack.  On success the struct is left untouched.
 */

#ifdef __cplusplus
extern "C" {
#endif

#define FNFT_ERROR_FILE_MAX	256
#define FNFT_ERROR_OBJECT_MAX	128
#define FNFT_ERROR_MESSAGE_MAX	512

struct fnft_error {
	/** Negative errno of the failure: -EINVAL for bad input, -ENOMEM, ... */
	int code;
	/** The file the problem is in ("<builtin>" for the built-in catalog), or "". */
	char file[FNFT_ERROR_FILE_MAX];
	/** 1-based line in @file, or 0 when the problem has no line. */
	unsigned line;
	/** The object concerned: a row id, set or chain name, or "". */
	char object[FNFT_ERROR_OBJECT_MAX];
	/** What is wrong, in words, without file or line. */
	char message[FNFT_ERROR_MESSAGE_MAX];
};

/**
 * fnft_error_format - render an error as one line of text
 * @err: the error
 * @buf: output buffer
 * @len: size of @buf
 *
 * Writes "FILE:LINE: MESSAGE" (or "FILE: MESSAGE", or just "MESSAGE" when
 * there is no file).  Returns what snprintf() returns.
 */
int fnft_error_format(const struct fnft_error *err, char *buf, unsigned long len);

#ifdef __cplusplus
}
#endif

#endif
