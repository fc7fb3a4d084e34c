/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What every fuzz target shares: the libFuzzer entry point (also called by
 * replay-main.c, which replays the corpus in the test suite) and CHECK(),
 * an assertion that survives NDEBUG and aborts, so that both libFuzzer and
 * the replay see a failure; CHECK_ENCODES() for targets that include
 * encode.h.
 */
#ifndef FNFT_FUZZ_H
#define FNFT_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)							\
	do {								\
		if (!(cond)) {						\
			fprintf(stderr, "%s:%d: check failed: %s\n",	\
				__FILE__, __LINE__, #cond);		\
			abort();					\
		}							\
	} while (0)

/* A plan that was made must encode: anything else is a bug of ours. */
#define CHECK_ENCODES(rs)						\
	do {								\
		struct fnft_batch *b_ = NULL;				\
		int rc_ = fnft_encode_replace((rs), 1, 1, &b_);		\
									\
		if (rc_)						\
			fprintf(stderr, "encode of a valid plan failed: %d\n", rc_); \
		CHECK(rc_ == 0);					\
		fnft_batch_free(b_);					\
	} while (0)

#endif
