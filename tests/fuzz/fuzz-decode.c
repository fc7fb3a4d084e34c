/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Fuzz target: the decoder, fed raw netlink messages as the kernel sends
 * them in the dumps of GETTABLE, GETCHAIN, GETSET, GETRULE and GETSETELEM
 * (NEWTABLE, NEWCHAIN, NEWSET, NEWRULE, NEWSETELEM; see capture-dump.c for
 * how the seeds were taken from a real kernel).
 *
 * fnft_dump_parse() -> fnft_decode() -> what the CLI does with a live
 * table: render it, diff it against a plan (dry-run), the JSON changes
 * (dry-run --json), explain --live, status, the incremental patch apply
 * would send, and the IR's JSON (the state file).
 *
 * Oracles besides the sanitizers: a decoded table equals itself and diffs
 * empty against itself; dry-run --json lists exactly the lines dry-run
 * shows.
 *
 * libnftnl trusts the kernel: an attribute of the wrong size makes it
 * exit() ("nf_tables kernel ABI is broken, contact your vendor"), an
 * expression without a name makes it crash (docs/hardening.md, finding
 * D1).  Those are libnftnl's, not ours to fix here, and they would stop
 * every fuzzing run within seconds.  So the harness first lets a child
 * process parse each message with libnftnl alone; an input that kills the
 * child is dropped, as if fnft_dump_parse() had refused it.  Inputs that
 * pass are parsed for real in this process, with every sanitizer on:
 * libnftnl parses the same bytes the same way, so what fails from here on
 * is ours.  Set elements are not screened: the dump reads them itself.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <finesse-nft/finesse-nft.h>

#include "decode.h"
#include "dump.h"
#include "patch.h"
#include "ir-json.h"
#include "fuzz.h"

/* A plan to compare live tables with: the one tests/golden/primary.conf gives. */
static const char site_text[] =
	"[cluster]\n"
	"primary   = 10.0.0.11\n"
	"primary   = 2001:db8:0:1::11\n"
	"secondary = 10.0.0.12\n"
	"secondary = 2001:db8:0:1::12\n"
	"node = primary\n"
	"[group browser]\n"
	"address = 10.20.0.0/16\n"
	"address = 2001:db8:20::/48\n"
	"[group agent-desktop]\n"
	"address = 10.20.0.0/16\n"
	"address = 10.30.1.0-10.30.1.63\n"
	"[group web-server]\n"
	"address = 192.0.2.80\n"
	"[group awdb]\n"
	"address = 10.0.1.21\n"
	"[group cti-a]\n"
	"address = 10.0.2.31\n"
	"[group cti-b]\n"
	"address = 10.0.2.32\n";

/* ---- the libnftnl probe ---- */

/* libFuzzer's crash report hook; the child must not write a crash file */
void __sanitizer_set_death_callback(void (*callback)(void)) __attribute__((weak));

static bool in_child;

/*
 * libnftnl's exit(): in the child, leave at once -- exit() would run
 * libFuzzer's exit handler, which writes the input out as a crash.  This
 * definition takes the place of libc's for the whole program.
 */
void exit(int status);
void exit(int status)
{
	static void (*real_exit)(int);

	if (in_child)
		_exit(status ? status : 1);
	if (!real_exit)
		real_exit = (void (*)(int))dlsym(RTLD_NEXT, "exit");
	if (real_exit)
		real_exit(status);
	_exit(status);
}

/* Parse one message with libnftnl as fnft_dump_parse() would. */
static void probe_one(const struct nlmsghdr *nlh)
{
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE: {
		struct nftnl_table *t = nftnl_table_alloc();

		nftnl_table_nlmsg_parse(nlh, t);
		nftnl_table_free(t);
		break;
	}
	case NFT_MSG_NEWCHAIN: {
		struct nftnl_chain *c = nftnl_chain_alloc();

		nftnl_chain_nlmsg_parse(nlh, c);
		nftnl_chain_free(c);
		break;
	}
	case NFT_MSG_NEWRULE: {
		struct nftnl_rule *r = nftnl_rule_alloc();

		nftnl_rule_nlmsg_parse(nlh, r);
		nftnl_rule_free(r);
		break;
	}
	case NFT_MSG_NEWSET: {
		struct nftnl_set *st = nftnl_set_alloc();

		nftnl_set_nlmsg_parse(nlh, st);
		nftnl_set_free(st);
		break;
	}
	/* NEWSETELEM: read by our own parser (lib/netlink.c keys_parse),
	 * libnftnl never sees it, so nothing to screen */
	}
}

static void probe_all(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int n = (int)len;

	for (; mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
			break;	/* fnft_dump_parse() stops here */
		/* mnl_nlmsg_ok() compares (int)nlmsg_len: a length of 2 GiB
		 * or more passes it (finding D6).  Leave such input to the
		 * real parse, whose bug it is. */
		if (nlh->nlmsg_len > len)
			break;
		probe_one(nlh);
	}
}

static bool full_io(int fd, void *buf, size_t len, bool writing)
{
	char *p = buf;

	while (len) {
		ssize_t n = writing ? send(fd, p, len, MSG_NOSIGNAL) : read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/*
 * The probe runs in a helper process, forked once and again only after an
 * input killed it (a fork per input costs more than the decoding itself).
 * Protocol on a socket pair: the size (size_t) and the bytes of an input;
 * the helper answers one byte once libnftnl has parsed them all.
 */
static pid_t helper = -1;
static int helper_fd = -1;

static void helper_main(int fd, pid_t parent)
{
	int null = open("/dev/null", O_WRONLY);

	in_child = true;
	/* never outlive the fuzzer, whatever happens to it */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(0);
	/* libFuzzer's handlers (its -timeout alarm among them) are not ours */
	signal(SIGALRM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	if (__sanitizer_set_death_callback)
		__sanitizer_set_death_callback(NULL);
	if (null >= 0)
		dup2(null, 2);
	for (;;) {
		size_t len;
		char *buf;

		if (!full_io(fd, &len, sizeof(len), false))
			_exit(0);
		buf = malloc(len ? len : 1);
		if (!buf || !full_io(fd, buf, len, false))
			_exit(0);
		/* a libnftnl that hangs counts as one that dies */
		alarm(10);
		probe_all(buf, len);
		alarm(0);
		free(buf);
		if (!full_io(fd, "k", 1, true))
			_exit(0);
	}
}

static void helper_stop(void)
{
	int status;

	if (helper_fd >= 0)
		close(helper_fd);
	if (helper > 0)
		kill(helper, SIGKILL);	/* dead already, as a rule */
	if (helper > 0)
		while (waitpid(helper, &status, 0) < 0 && errno == EINTR)
			;
	helper = -1;
	helper_fd = -1;
}

static bool helper_start(void)
{
	pid_t parent = getpid();
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return false;
	fflush(NULL);
	helper = fork();
	if (helper < 0) {
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	if (helper == 0) {
		close(sv[0]);
		helper_main(sv[1], parent);
	}
	close(sv[1]);
	helper_fd = sv[0];
	return true;
}

/* Whether libnftnl parses every message fnft_dump_parse() would hand it
 * without dying.  No helper (fork failed): assume it does. */
static bool libnftnl_survives(const void *buf, size_t len)
{
	char ok;

	if (helper_fd < 0 && !helper_start())
		return true;
	if (full_io(helper_fd, &len, sizeof(len), true) &&
	    full_io(helper_fd, (void *)buf, len, true) &&
	    full_io(helper_fd, &ok, 1, false))
		return true;
	helper_stop();	/* it died on this input; a new one next time */
	return false;
}

/* ---- the target ---- */

static struct fnft_catalog *cat;
static struct fnft_site *site;
static struct fnft_ruleset *plan;

static void setup(void)
{
	if (plan)
		return;
	CHECK(fnft_catalog_new_builtin(&cat, NULL) == 0);
	CHECK(fnft_site_load_buffer("primary.conf", site_text, sizeof(site_text) - 1,
				    cat, &site, NULL) == 0);
	CHECK(fnft_plan(cat, site, FNFT_ROLE_SITE, NULL, &plan, NULL) == 0);
}

/*
 * dry-run and dry-run --json tell the same story: one JSON change per
 * added or removed diff line, and "in_sync" exactly when there is no diff
 * (finding D5: a line that is not valid UTF-8 went missing).
 */
static void check_changes(const struct fnft_ruleset *live)
{
	char *diff = NULL, *js = NULL, *p;
	size_t lines = 0;
	json_t *o, *in_sync;
	int rc;

	rc = fnft_ruleset_diff(live, plan, "live", "plan", &diff);
	CHECK(rc == 0 || rc == 1);
	for (p = diff; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if ((*p == '+' && strncmp(p, "+++ ", 4)) || (*p == '-' && strncmp(p, "--- ", 4)))
			lines++;
	CHECK(fnft_ruleset_changes_json(live, plan, &js) == 0);
	o = json_loads(js, 0, NULL);
	CHECK(o != NULL);
	in_sync = json_object_get(o, "in_sync");
	if (json_array_size(json_object_get(o, "changes")) != lines)
		fprintf(stderr, "dry-run shows %zu changed lines, --json %zu\n", lines,
			json_array_size(json_object_get(o, "changes")));
	CHECK(json_array_size(json_object_get(o, "changes")) == lines);
	CHECK(json_is_boolean(in_sync) && json_is_true(in_sync) == (rc == 0));
	json_decref(o);
	free(js);
	free(diff);
}

static void use_live(struct fnft_ruleset *live)
{
	static const char *const addrs[] = { "10.20.1.5", "2001:db8:20::5", "10.0.0.12" };
	static const unsigned ports[] = { 22, 443, 5222 };
	struct fnft_ruleset *back = NULL;
	struct fnft_patch patch;
	char *text = NULL, *json = NULL;
	uint8_t *keys = NULL;
	size_t a, p, n_keys = 0;
	int rc, dir;

	CHECK(fnft_ruleset_render(live, &text) == 0);
	free(text);
	text = NULL;

	CHECK(fnft_ruleset_equal(live, live));
	rc = fnft_ruleset_diff(live, live, "live", "live", &text);
	CHECK(rc == 0 && text == NULL);
	check_changes(live);

	for (dir = 0; dir < 2; dir++)
		for (a = 0; a < sizeof(addrs) / sizeof(addrs[0]); a++)
			for (p = 0; p < sizeof(ports) / sizeof(ports[0]); p++) {
				struct fnft_explanation ex;

				fnft_explain(live, dir, addrs[a], FNFT_PROTO_TCP,
					     ports[p], &ex);
			}
	if (fnft_ruleset_rows_for_port(live, false, FNFT_PROTO_TCP, 443, &text) == 0)
		free(text);
	text = NULL;
	CHECK(fnft_status_render(cat, site, plan, live, false, &text) == 0);
	free(text);
	text = NULL;
	CHECK(fnft_status_render(cat, site, plan, live, true, &text) == 0);
	free(text);
	/* status of the live table, with the plan and without a site */
	for (a = 0; a < 4; a++) {
		text = NULL;
		CHECK(fnft_status_render_live(cat, a & 1 ? NULL : site,
					      a & 1 ? NULL : plan, live, NULL,
					      a & 1 ? "site file x cannot be loaded" : NULL,
					      a & 2 ? FNFT_STATUS_JSON : 0, &text) == 0);
		free(text);
	}

	/* apply: the patch's messages when it can (kernel.c, send_patch) */
	rc = fnft_patch_compute(live, plan, &patch);
	if (rc == 0) {
		struct fnft_batch *b = NULL;

		rc = fnft_patch_encode(&patch, plan->table, 0, 1, &b);
		CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
		fnft_batch_free(b);
		fnft_patch_free(&patch);
	} else {
		CHECK(rc == -EOPNOTSUPP || rc == -ENOMEM);
	}
	(void)fnft_ruleset_fingerprint(live);

	/*
	 * The state file's IR JSON: only a table equal to a plan is ever
	 * saved, and fuzz-site checks that plans read back equal.  A live
	 * table may hold what JSON does not carry as is (finding D4: bytes
	 * that are not UTF-8, an empty comment): run it through for crashes
	 * and leaks only.
	 */
	if (fnft_ir_json_dump(live, &json, &keys, &n_keys) == 0) {
		if (fnft_ir_json_load(json, keys, n_keys, &back) == 0) {
			(void)fnft_ruleset_equal(back, live);
			fnft_ruleset_free(back);
		}
		free(json);
		free(keys);
	}
}

/* FUZZ_DECODE_PROBE=0: no probe (to see libnftnl's own failures, or to
 * measure what the probe costs) */
static bool probe = true;

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *p = getenv("FUZZ_DECODE_PROBE");

	(void)argc;
	(void)argv;
	probe = !p || strcmp(p, "0") != 0;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fnft_dump *dump = NULL;
	struct fnft_ruleset *live = NULL;
	struct fnft_error err = { 0 };
	int rc;

	setup();
	if (probe && !libnftnl_survives(data, size))
		return 0;
	rc = fnft_dump_parse(data, size, "finesse", &dump);
	if (rc) {
		CHECK(rc == -EINVAL || rc == -ENOMEM);
		CHECK(dump == NULL);
		return 0;
	}
	if (dump->table) {
		rc = fnft_decode(dump, &live, &err);
		CHECK(rc == 0 || rc == -EINVAL || rc == -ENOMEM);
		if (rc == 0)
			use_live(live);
		fnft_ruleset_free(live);
	}
	fnft_dump_free(dump);
	return 0;
}
