/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * decode-print TABLE CHAIN: the rules of chain CHAIN of table inet TABLE
 * as the kernel holds them, read and rendered by finesse-nft, one a line:
 * "HANDLE<tab>TEXT".  For tests/decode-corpus.sh, which compares TEXT with
 * what nft lists for the same handle.  Exit 0, 1 when the table or the
 * chain is missing, 2 on an error.
 */
#include <stdio.h>
#include <string.h>

#include "decode.h"
#include "netlink.h"

static int print_chain(const struct fnft_ruleset *rs, const char *chain)
{
	struct fnft_buf b = { 0 };
	size_t c, i;
	int rc;

	for (c = 0; c < rs->n_chains; c++) {
		const struct fnft_ir_chain *ch = &rs->chains[c];

		if (strcmp(ch->name, chain))
			continue;
		for (i = 0; i < ch->n_rules; i++) {
			b.len = 0;
			if (b.s)
				b.s[0] = '\0';
			fnft_render_rule(&ch->rules[i], &b);
			if (b.oom)
				break;
			printf("%llu\t%s\n", (unsigned long long)ch->rules[i].handle,
			       b.s ? b.s : "");
		}
		rc = b.oom ? 2 : 0;
		fnft_buf_free(&b);
		return rc;
	}
	return 1;
}

int main(int argc, char **argv)
{
	struct fnft_error err = { 0 };
	struct fnft_ruleset *rs = NULL;
	struct fnft_dump *d = NULL;
	struct fnft_nl *nl = NULL;
	int rc = 2;

	if (argc != 3) {
		fprintf(stderr, "usage: decode-print TABLE CHAIN\n");
		return 2;
	}
	if (fnft_nl_open(&nl, &err) < 0 ||
	    fnft_nl_dump(nl, argv[1], true, &d, &err) < 0) {
		fprintf(stderr, "decode-print: %s\n", err.message);
		goto out;
	}
	if (!d->table) {
		rc = 1;
		goto out;
	}
	if (fnft_decode(d, &rs, &err) < 0) {
		fprintf(stderr, "decode-print: %s\n", err.message);
		goto out;
	}
	rc = print_chain(rs, argv[2]);
out:
	fnft_ruleset_free(rs);
	fnft_dump_free(d);
	fnft_nl_close(nl);
	return rc;
}
