/* SPDX-License-Identifier: GPL-2.0-or-later */
/* The state file: the IR survives JSON, and a file is trusted only for its key. */
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <finesse-nft/finesse-nft.h>

#include "testlib.h"

#include "ir-json.h"
#include "state.h"

static const char *golden_dir;

static const char *const sites[] = {
	"primary", "entries", "ping-any-log", "ipv6-only", "empty-group", "ping-none",
};

/* The body of the file (JSON line and keys) in memory: back equal, and
 * not a key missing or to spare. */
START_TEST(json_round_trip)
{
	struct fnft_ruleset *rs = tl_plan_golden(golden_dir, sites[_i]), *back = NULL;
	uint8_t *keys = NULL, *more;
	char *json = NULL;
	size_t n = 0;

	ck_assert_int_eq(fnft_ir_json_dump(rs, &json, &keys, &n), 0);
	ck_assert_int_eq(fnft_ir_json_load(json, keys, n, &back), 0);
	ck_assert(fnft_ruleset_equal(rs, back));
	ck_assert_uint_eq(fnft_ruleset_fingerprint(rs), fnft_ruleset_fingerprint(back));
	fnft_ruleset_free(back);
	more = calloc(1, n + 1);
	ck_assert_ptr_nonnull(more);
	memcpy(more, keys, n);
	ck_assert_int_eq(fnft_ir_json_load(json, more, n + 1, &back), -EINVAL);
	if (n)
		ck_assert_int_eq(fnft_ir_json_load(json, keys, n - 1, &back), -EINVAL);
	free(more);
	free(json);
	free(keys);
	fnft_ruleset_free(rs);
}
END_TEST

START_TEST(fingerprint_sees_changes)
{
	struct fnft_ruleset *a = tl_plan_golden(golden_dir, "primary"), *b = tl_plan_golden(golden_dir, "secondary");
	struct fnft_ruleset *c = tl_plan_golden(golden_dir, "primary");
	uint64_t fa = fnft_ruleset_fingerprint(a);

	ck_assert_uint_ne(fa, fnft_ruleset_fingerprint(b));
	ck_assert_uint_eq(fa, fnft_ruleset_fingerprint(c));
	/* one element, one port, one policy: each changes it */
	c->sets[0].elems.v[0].hi[3] ^= 1;
	ck_assert_uint_ne(fa, fnft_ruleset_fingerprint(c));
	c->sets[0].elems.v[0].hi[3] ^= 1;
	c->chains[1].policy = FNFT_VERDICT_DROP;
	ck_assert_uint_ne(fa, fnft_ruleset_fingerprint(c));
	c->chains[1].policy = FNFT_VERDICT_ACCEPT;
	ck_assert_uint_eq(fa, fnft_ruleset_fingerprint(c));
	/* live-only fields do not count */
	c->chains[0].rules[0].handle = 42;
	c->chains[0].rules[0].packets = 7;
	ck_assert_uint_eq(fa, fnft_ruleset_fingerprint(c));
	fnft_ruleset_free(a);
	fnft_ruleset_free(b);
	fnft_ruleset_free(c);
}
END_TEST

START_TEST(file_is_trusted_only_for_its_key)
{
	struct fnft_ruleset *rs = tl_plan_golden(golden_dir, "entries"), *back = NULL;
	struct fnft_state_key key = { .netns = 4242 }, other;
	char dir[] = "/tmp/fnft-state-XXXXXX", path[600], legacy[600];
	uint64_t fp = 0;
	FILE *f;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	ck_assert_int_eq(fnft_state_key_boot(&key), 0);
	ck_assert_uint_gt(strlen(key.boot_id), 30);
	snprintf(key.table, sizeof(key.table), "finesse");
	ck_assert_int_eq(fnft_state_peek(dir, &key, 7, &fp), -ENOENT);
	ck_assert_int_eq(fnft_state_save(dir, &key, 7, rs), 0);
	ck_assert_int_eq(fnft_state_peek(dir, &key, 7, &fp), 0);
	ck_assert_uint_eq(fp, fnft_ruleset_fingerprint(rs));
	ck_assert_int_eq(fnft_state_load(dir, &key, 7, &back), 0);
	ck_assert(fnft_ruleset_equal(rs, back));
	fnft_ruleset_free(back);

	/* another generation, namespace or boot: not ours */
	ck_assert_int_eq(fnft_state_peek(dir, &key, 8, &fp), -ENOENT);
	other = key;
	other.boot_id[0] = other.boot_id[0] == 'a' ? 'b' : 'a';
	ck_assert_int_eq(fnft_state_peek(dir, &other, 7, &fp), -ENOENT);
	other = key;
	other.netns = 4243;
	ck_assert_int_eq(fnft_state_load(dir, &other, 7, &back), -ENOENT);

	/* a damaged body does not hash to its header */
	snprintf(path, sizeof(path), "%s/4242.finesse.state", dir);
	f = fopen(path, "r+");
	ck_assert_ptr_nonnull(f);
	fseek(f, -40, SEEK_END);
	fputs("9", f);
	fclose(f);
	ck_assert_int_eq(fnft_state_load(dir, &key, 7, &back), -ENOENT);

	/* a format-2 file of the key goes with the next save, or with forget */
	snprintf(legacy, sizeof(legacy), "%s/4242.finesse.json", dir);
	f = fopen(legacy, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(fnft_state_save(dir, &key, 7, rs), 0);
	ck_assert_int_eq(access(legacy, F_OK), -1);
	f = fopen(legacy, "w");
	ck_assert_ptr_nonnull(f);
	fclose(f);

	fnft_state_forget(dir, &key);
	ck_assert_int_eq(access(path, F_OK), -1);
	ck_assert_int_eq(access(legacy, F_OK), -1);
	rmdir(dir);
	fnft_ruleset_free(rs);
}
END_TEST

/* A fresh directory @dir (a mkdtemp() template) with @key for @netns, and
 * @path the file of that key there. */
static void state_setup(char *dir, struct fnft_state_key *key, uint64_t netns,
			char *path, size_t len)
{
	ck_assert_ptr_nonnull(mkdtemp(dir));
	key->netns = netns;
	ck_assert_int_eq(fnft_state_key_boot(key), 0);
	snprintf(key->table, sizeof(key->table), "finesse");
	snprintf(path, len, "%s/%llu.finesse.state", dir, (unsigned long long)netns);
}

/* Every site through the file: back equal; keys cut short, keys to spare
 * or the JSON line gone, and the file is not trusted. */
START_TEST(file_round_trip_and_damage)
{
	struct fnft_ruleset *rs = tl_plan_golden(golden_dir, sites[_i]), *back = NULL;
	struct fnft_state_key key = { .netns = 77 };
	char dir[] = "/tmp/fnft-state-XXXXXX", path[600];
	long size;
	FILE *f;

	state_setup(dir, &key, 77, path, sizeof(path));
	ck_assert_int_eq(fnft_state_save(dir, &key, 3, rs), 0);
	ck_assert_int_eq(fnft_state_load(dir, &key, 3, &back), 0);
	ck_assert(fnft_ruleset_equal(rs, back));
	ck_assert_uint_eq(fnft_ruleset_fingerprint(rs), fnft_ruleset_fingerprint(back));
	fnft_ruleset_free(back);

	f = fopen(path, "a");		/* one byte no set claims */
	ck_assert_ptr_nonnull(f);
	fputc(0, f);
	size = ftell(f);
	fclose(f);
	ck_assert_int_eq(fnft_state_load(dir, &key, 3, &back), -ENOENT);
	ck_assert_int_eq(truncate(path, size - 2), 0);	/* one byte short */
	ck_assert_int_eq(fnft_state_load(dir, &key, 3, &back), -ENOENT);
	f = fopen(path, "r+");		/* the header line alone */
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fscanf(f, "%*[^\n]"), 0);
	size = ftell(f);
	fclose(f);
	ck_assert_int_eq(truncate(path, size + 1), 0);
	ck_assert_int_eq(fnft_state_load(dir, &key, 3, &back), -ENOENT);

	fnft_state_forget(dir, &key);
	rmdir(dir);
	fnft_ruleset_free(rs);
}
END_TEST

/* A file anyone but us could have written is not read, and never blocks:
 * -EPERM (or -EFBIG) rather than -ENOENT, so the caller can say so. */
START_TEST(file_is_trusted_only_when_ours_alone)
{
	struct fnft_ruleset *rs = tl_plan_golden(golden_dir, "primary"), *back = NULL;
	struct fnft_state_key key = { .netns = 99 };
	char dir[] = "/tmp/fnft-state-XXXXXX", path[600], tmp[620], target[600];
	uint64_t fp;
	FILE *f;

	state_setup(dir, &key, 99, path, sizeof(path));
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	snprintf(target, sizeof(target), "%s/target", dir);

	/* a symlink at the temporary name is replaced, not written through */
	f = fopen(target, "w");
	ck_assert_ptr_nonnull(f);
	fputs("precious", f);
	fclose(f);
	ck_assert_int_eq(symlink(target, tmp), 0);
	ck_assert_int_eq(fnft_state_save(dir, &key, 5, rs), 0);
	f = fopen(target, "r");
	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(fgetc(f), 'p');
	fclose(f);
	ck_assert_int_eq(fnft_state_peek(dir, &key, 5, &fp), 0);

	ck_assert_int_eq(chmod(path, 0620), 0);		/* group-writable */
	ck_assert_int_eq(fnft_state_peek(dir, &key, 5, &fp), -EPERM);
	ck_assert_int_eq(fnft_state_load(dir, &key, 5, &back), -EPERM);
	ck_assert_int_eq(chmod(path, 0600), 0);
	ck_assert_int_eq(chmod(dir, 0757), 0);		/* the directory too */
	ck_assert_int_eq(fnft_state_peek(dir, &key, 5, &fp), -EPERM);
	ck_assert_int_eq(fnft_state_save(dir, &key, 5, rs), -EPERM);
	fnft_state_forget(dir, &key);			/* not ours: left */
	ck_assert_int_eq(access(path, F_OK), 0);
	ck_assert_int_eq(chmod(dir, 0700), 0);
	if (geteuid() == 0) {
		ck_assert_int_eq(chown(path, 65534, 65534), 0);
		ck_assert_int_eq(fnft_state_load(dir, &key, 5, &back), -EPERM);
	}

	ck_assert_int_eq(unlink(path), 0);		/* a FIFO: at once */
	ck_assert_int_eq(mkfifo(path, 0600), 0);
	ck_assert_int_eq(fnft_state_peek(dir, &key, 5, &fp), -EPERM);
	ck_assert_int_eq(fnft_state_load(dir, &key, 5, &back), -EPERM);
	ck_assert_int_eq(unlink(path), 0);
	ck_assert_int_eq(symlink("/dev/zero", path), 0);	/* a symlink */
	ck_assert_int_eq(fnft_state_load(dir, &key, 5, &back), -EPERM);
	ck_assert_int_eq(unlink(path), 0);
	f = fopen(path, "w");				/* too big to read */
	ck_assert_ptr_nonnull(f);
	fclose(f);
	ck_assert_int_eq(truncate(path, (off_t)FNFT_STATE_MAX + 1), 0);
	ck_assert_int_eq(fnft_state_load(dir, &key, 5, &back), -EFBIG);

	fnft_state_forget(dir, &key);
	ck_assert_int_eq(access(path, F_OK), -1);
	unlink(target);
	rmdir(dir);
	fnft_ruleset_free(rs);
}
END_TEST

int main(int argc, char **argv)
{
	TCase *tc = tcase_create("state");
	int failed;

	golden_dir = argc > 1 ? argv[1] : "tests/golden";
	tcase_add_loop_test(tc, json_round_trip, 0, sizeof(sites) / sizeof(sites[0]));
	tcase_add_test(tc, fingerprint_sees_changes);
	tcase_add_test(tc, file_is_trusted_only_for_its_key);
	tcase_add_test(tc, file_is_trusted_only_when_ours_alone);
	tcase_add_loop_test(tc, file_round_trip_and_damage, 0, sizeof(sites) / sizeof(sites[0]));
	failed = tl_run("state", tc, false);
	return failed;
}
