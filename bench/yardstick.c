/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * yardstick: the kernel floor of scripts/bench.
 *
 *   yardstick [-s N] [-t TABLE] [-v] FILE
 *   yardstick -p [-t TABLE] [-v] FILE
 *
 * Creates, in one nf_tables batch sent with one sendmsg(), table inet TABLE
 * (default "yardstick") with one interval set per family (ip4, ip6) holding
 * the addresses listed in FILE, and nothing else: no chains, no rules, no
 * userdata.  It is what any tool must at least pay to load those elements:
 * process start, reading a list, encoding the elements the way nft does
 * (lo, and hi+1 flagged INTERVAL_END; a leading INTERVAL_END at 0), and the
 * kernel's work on the batch.
 *
 * FILE: one element a line, as `finesse-nft export` prints them: an
 * address, a CIDR or a range lo-hi, IPv4 or IPv6; blank space, a trailing
 * comma and lines starting with # are ignored.  The elements of one family
 * must not overlap (they are sorted here; touching ones are merged).
 *
 * -s N (shards): the layout the team could choose for big groups, to see
 * what it would cost the kernel: each family's intervals, in order, go to
 * sets of at most N intervals each, v4, v4_1, v4_2, ... (and v6, ...).
 * A patch (-p) always goes to the first of them, v4 and v6, which is
 * where the benchmark's change lies.
 *
 * -p (patch): the floor of a small change instead.  The table and its sets
 * must exist (from a first run); the batch holds only DELSETELEM for the
 * lines of FILE that start with '-' and NEWSETELEM for the others, as
 * `nft delete element` / `nft add element` would send them.
 *
 * Exit 0 when the kernel committed the batch (the ruleset generation moved
 * on by one and no message was refused), 1 otherwise.  -v prints where the
 * time went on stderr.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/common.h>
#include <libnftnl/gen.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#define TYPE_IPADDR	7	/* nft's datatype ids */
#define TYPE_IP6ADDR	8
#define NEST_MAX	(UINT16_MAX - 256)	/* element nest: 16-bit length */
#define RECV_BUF	(65536 + 4096)

struct iv {
	uint8_t lo[16], hi[16];
};

struct ivs {
	struct iv *v;
	size_t n, cap;
	size_t w;		/* 4 or 16 */
};

static bool verbose;

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void die(const char *what)
{
	fprintf(stderr, "yardstick: %s\n", what);
	exit(1);
}

static void push(struct ivs *s, const struct iv *iv)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->v = realloc(s->v, s->cap * sizeof(*s->v));
		if (!s->v)
			die("out of memory");
	}
	s->v[s->n++] = *iv;
}

/* "addr", "addr/len" or "lo-hi" into @iv; returns the width, 0 if bad. */
static size_t parse(char *s, struct iv *iv)
{
	int af = strchr(s, ':') ? AF_INET6 : AF_INET;
	size_t w = af == AF_INET ? 4 : 16, i;
	char *dash = strchr(s, '-'), *slash = strchr(s, '/');

	memset(iv, 0, sizeof(*iv));
	if (dash) {
		*dash = '\0';
		if (inet_pton(af, s, iv->lo) != 1 || inet_pton(af, dash + 1, iv->hi) != 1)
			return 0;
		return w;
	}
	if (slash)
		*slash = '\0';
	if (inet_pton(af, s, iv->lo) != 1)
		return 0;
	memcpy(iv->hi, iv->lo, w);
	if (slash) {
		long len = strtol(slash + 1, NULL, 10);

		if (len < 0 || len > (long)(8 * w))
			return 0;
		for (i = 0; i < w; i++) {
			long bits = len - (long)(8 * i);
			uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 :
				       (uint8_t)(0xff << (8 - bits));

			iv->lo[i] &= mask;
			iv->hi[i] = iv->lo[i] | (uint8_t)~mask;
		}
	}
	return w;
}

static void read_list(const char *path, struct ivs *v4, struct ivs *v6,
		      struct ivs *d4, struct ivs *d6)
{
	FILE *f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	char line[256];

	if (!f) {
		perror(path);
		exit(1);
	}
	while (fgets(line, sizeof(line), f)) {
		char *s = line, *e;
		struct iv iv;
		bool del = false;
		size_t w;

		while (*s == ' ' || *s == '\t')
			s++;
		if (*s == '-') {
			del = true;
			s++;
		}
		e = s + strcspn(s, " \t,\r\n#");
		if (*s == '#' || e == s)
			continue;
		*e = '\0';
		if (!(w = parse(s, &iv))) {
			fprintf(stderr, "yardstick: %s: not an element: %s\n", path, s);
			exit(1);
		}
		if (del && !d4)
			die("'-' lines only with -p");
		push(del ? (w == 4 ? d4 : d6) : (w == 4 ? v4 : v6), &iv);
	}
	if (f != stdin)
		fclose(f);
}

static size_t width;

static int cmp_lo(const void *a, const void *b)
{
	return memcmp(((const struct iv *)a)->lo, ((const struct iv *)b)->lo, width);
}

static bool is_max(const uint8_t *b, size_t w)
{
	size_t i;

	for (i = 0; i < w; i++)
		if (b[i] != 0xff)
			return false;
	return true;
}

static void inc(uint8_t *b, size_t w)
{
	while (w-- > 0 && ++b[w] == 0)
		;
}

/* Sorted, and touching or overlapping neighbours merged. */
static void normalize(struct ivs *s)
{
	size_t i, k = 0;
	uint8_t next[16];

	width = s->w;
	/* a list from `finesse-nft export` is sorted already: check, O(n) */
	for (i = 1; i < s->n; i++)
		if (memcmp(s->v[i - 1].lo, s->v[i].lo, s->w) > 0)
			break;
	if (i < s->n)
		qsort(s->v, s->n, sizeof(*s->v), cmp_lo);
	for (i = 0; i < s->n; i++) {
		if (k) {
			memcpy(next, s->v[k - 1].hi, s->w);
			if (!is_max(next, s->w))
				inc(next, s->w);
			if (memcmp(s->v[i].lo, next, s->w) <= 0) {
				if (memcmp(s->v[i].hi, s->v[k - 1].hi, s->w) > 0)
					memcpy(s->v[k - 1].hi, s->v[i].hi, s->w);
				continue;
			}
		}
		s->v[k++] = s->v[i];
	}
	s->n = k;
}

/* ---- the batch, in one flat buffer ---- */

struct out {
	char *buf;
	size_t len, cap;
	uint32_t seq;
	unsigned msgs;
};

static struct nlmsghdr *msg_start(struct out *o, uint16_t type, uint16_t flags)
{
	if (o->cap - o->len < 65536 + 4096)
		die("batch buffer too small");
	o->msgs++;
	return nftnl_nlmsg_build_hdr(o->buf + o->len, type, NFPROTO_INET, flags,
				     o->seq++);
}

static void msg_end(struct out *o, struct nlmsghdr *nlh)
{
	o->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void put_elem(struct nlmsghdr *nlh, const uint8_t *key, size_t w,
		     uint32_t flags)
{
	struct nlattr *e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	struct nlattr *k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, w, key);
	mnl_attr_nest_end(nlh, k);
	if (flags)
		mnl_attr_put_u32(nlh, NFTA_SET_ELEM_FLAGS, htonl(flags));
	mnl_attr_nest_end(nlh, e);
}

struct elems {
	struct out *o;
	const char *table, *set;
	uint16_t type;		/* NFT_MSG_NEWSETELEM or NFT_MSG_DELSETELEM */
	uint32_t set_id;	/* 0: the set exists, name it only */
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned count;
};

static void elems_close(struct elems *x)
{
	if (!x->nlh)
		return;
	mnl_attr_nest_end(x->nlh, x->nest);
	msg_end(x->o, x->nlh);
	x->nlh = NULL;
}

static void elem(struct elems *x, const uint8_t *key, size_t w, uint32_t flags)
{
	if (x->nlh && (char *)mnl_nlmsg_get_payload_tail(x->nlh) -
		      (char *)x->nest > NEST_MAX)
		elems_close(x);
	if (!x->nlh) {
		x->nlh = msg_start(x->o, x->type, x->type == NFT_MSG_NEWSETELEM ?
				   NLM_F_CREATE : 0);
		mnl_attr_put_strz(x->nlh, NFTA_SET_ELEM_LIST_TABLE, x->table);
		mnl_attr_put_strz(x->nlh, NFTA_SET_ELEM_LIST_SET, x->set);
		if (x->set_id)
			mnl_attr_put_u32(x->nlh, NFTA_SET_ELEM_LIST_SET_ID,
					 htonl(x->set_id));
		x->nest = mnl_attr_nest_start(x->nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	}
	put_elem(x->nlh, key, w, flags);
	x->count++;
}

static unsigned put_set(struct out *o, const char *table, const char *name,
			uint32_t id, const struct ivs *s)
{
	static const uint8_t zero[16];
	struct nftnl_set *ns = nftnl_set_alloc();
	struct elems x = { .o = o, .table = table, .set = name,
			   .type = NFT_MSG_NEWSETELEM, .set_id = id };
	struct nlmsghdr *nlh;
	uint8_t end[16];
	size_t i;

	if (!ns)
		die("out of memory");
	nftnl_set_set_u32(ns, NFTNL_SET_FAMILY, NFPROTO_INET);
	nftnl_set_set_str(ns, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(ns, NFTNL_SET_NAME, name);
	nftnl_set_set_u32(ns, NFTNL_SET_FLAGS, NFT_SET_INTERVAL);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_TYPE, s->w == 4 ? TYPE_IPADDR : TYPE_IP6ADDR);
	nftnl_set_set_u32(ns, NFTNL_SET_KEY_LEN, (uint32_t)s->w);
	nftnl_set_set_u32(ns, NFTNL_SET_ID, id);
	nlh = msg_start(o, NFT_MSG_NEWSET, NLM_F_CREATE);
	nftnl_set_nlmsg_build_payload(nlh, ns);
	msg_end(o, nlh);
	nftnl_set_free(ns);

	if (s->n && memcmp(s->v[0].lo, zero, s->w))
		elem(&x, zero, s->w, NFT_SET_ELEM_INTERVAL_END);
	for (i = 0; i < s->n; i++) {
		elem(&x, s->v[i].lo, s->w, 0);
		if (is_max(s->v[i].hi, s->w))
			continue;	/* open to the end of the key space */
		memcpy(end, s->v[i].hi, s->w);
		inc(end, s->w);
		elem(&x, end, s->w, NFT_SET_ELEM_INTERVAL_END);
	}
	elems_close(&x);
	return x.count;
}

/* @s as sets of at most @shard intervals (all in one when 0): @name,
 * @name_1, ...; *n_sets counts the set ids used. */
static unsigned put_shards(struct out *o, const char *table, const char *name,
			   const struct ivs *s, unsigned long shard, uint32_t *n_sets)
{
	unsigned n = 0;
	size_t off = 0, k = 0;

	do {
		struct ivs part = { .v = s->v + off, .n = s->n - off, .w = s->w };
		char set[64];

		if (shard && part.n > shard)
			part.n = shard;
		if (k)
			snprintf(set, sizeof(set), "%s_%zu", name, k);
		else
			snprintf(set, sizeof(set), "%s", name);
		n += put_set(o, table, set, ++*n_sets, &part);
		off += part.n;
		k++;
	} while (off < s->n);
	return n;
}

/* The intervals of @s as elements of an existing set, in one message type:
 * lo, and hi+1 flagged INTERVAL_END (no leading element: the set has it). */
static unsigned put_patch(struct out *o, const char *table, const char *name,
			  uint16_t type, const struct ivs *s)
{
	struct elems x = { .o = o, .table = table, .set = name, .type = type };
	uint8_t end[16];
	size_t i;

	for (i = 0; i < s->n; i++) {
		elem(&x, s->v[i].lo, s->w, 0);
		if (is_max(s->v[i].hi, s->w))
			continue;
		memcpy(end, s->v[i].hi, s->w);
		inc(end, s->w);
		elem(&x, end, s->w, NFT_SET_ELEM_INTERVAL_END);
	}
	elems_close(&x);
	return x.count;
}

/* ---- netlink ---- */

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *gen = nftnl_gen_alloc();

	if (!gen || nftnl_gen_nlmsg_parse(nlh, gen) < 0)
		return MNL_CB_ERROR;
	*(uint32_t *)data = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return MNL_CB_OK;
}

static uint32_t genid(struct mnl_socket *nl, uint32_t seq)
{
	char buf[RECV_BUF];
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN,
						     AF_UNSPEC, NLM_F_ACK, seq);
	uint32_t id = 0;
	ssize_t n;
	int rc;

	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("cannot ask for the ruleset generation (CAP_NET_ADMIN?)");
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			die("cannot read the ruleset generation (CAP_NET_ADMIN?)");
		rc = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl),
				gen_cb, &id);
	} while (rc > 0);
	if (rc < 0)
		die("cannot read the ruleset generation");
	return id;
}

/* Every reply queued after the batch: the kernel acks nothing that
 * worked, so any NLMSG_ERROR with an error code is a refusal. */
static int drain(struct mnl_socket *nl)
{
	char *buf = malloc(RECV_BUF);
	int first = 0;

	if (!buf)
		die("out of memory");
	for (;;) {
		ssize_t n = recv(mnl_socket_get_fd(nl), buf, RECV_BUF, MSG_DONTWAIT);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len = (int)n;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			first = first ? first : -errno;
			break;
		}
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);

			if (nlh->nlmsg_type == NLMSG_ERROR && e->error && !first)
				first = e->error;
		}
	}
	free(buf);
	return first;
}

int main(int argc, char **argv)
{
	struct ivs v4 = { .w = 4 }, v6 = { .w = 16 }, d4 = { .w = 4 }, d6 = { .w = 16 };
	bool patch = false;
	const char *table = "yardstick";
	unsigned long shard = 0;	/* -s: intervals a set, 0: no limit */
	char *end;
	struct mnl_socket *nl;
	struct nftnl_table *t;
	struct nlmsghdr *nlh;
	struct out o = { 0 };
	double t0, t1, t2, t3;
	unsigned n_elems;
	uint32_t n_sets = 0, gen0, gen1;
	int opt, one = 1, snd, rcv = 4 << 20, err;
	struct iovec iov;
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct msghdr msg = { .msg_name = &sa, .msg_namelen = sizeof(sa),
			      .msg_iov = &iov, .msg_iovlen = 1 };

	while ((opt = getopt(argc, argv, "ps:t:v")) != -1) {
		if (opt == 'p')
			patch = true;
		else if (opt == 's' && (shard = strtoul(optarg, &end, 10)) && !*end)
			;
		else if (opt == 't')
			table = optarg;
		else if (opt == 'v')
			verbose = true;
		else
			return 2;
	}
	if (optind != argc - 1) {
		fprintf(stderr, "usage: yardstick [-p | -s N] [-t TABLE] [-v] FILE\n");
		return 2;
	}
	t0 = now_ms();
	read_list(argv[optind], &v4, &v6, patch ? &d4 : NULL, patch ? &d6 : NULL);
	normalize(&v4);
	normalize(&v6);
	normalize(&d4);
	normalize(&d6);

	nl = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("cannot open a netfilter netlink socket");
	mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one));
	o.seq = (uint32_t)time(NULL);
	gen0 = genid(nl, o.seq++);

	t1 = now_ms();
	/* at most 36 bytes an element (v6 with flags), 2 elements an interval,
	 * plus the headers of one message per 64 KiB and some room */
	o.cap = (2 * (v4.n + v6.n + d4.n + d6.n) + 2) * 40 +
		((v4.n + v6.n + d4.n + d6.n) / 800 + 16) * 256 + 2 * (65536 + 4096);
	o.buf = calloc(1, o.cap);
	if (!o.buf)
		die("out of memory");
	o.msgs++;
	msg_end(&o, nftnl_batch_begin(o.buf, o.seq++));
	if (patch) {
		n_elems = put_patch(&o, table, "v4", NFT_MSG_DELSETELEM, &d4);
		n_elems += put_patch(&o, table, "v6", NFT_MSG_DELSETELEM, &d6);
		n_elems += put_patch(&o, table, "v4", NFT_MSG_NEWSETELEM, &v4);
		n_elems += put_patch(&o, table, "v6", NFT_MSG_NEWSETELEM, &v6);
	} else {
		t = nftnl_table_alloc();
		nftnl_table_set_u32(t, NFTNL_TABLE_FAMILY, NFPROTO_INET);
		nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
		nlh = msg_start(&o, NFT_MSG_NEWTABLE, NLM_F_CREATE);
		nftnl_table_nlmsg_build_payload(nlh, t);
		msg_end(&o, nlh);
		nftnl_table_free(t);
		n_elems = put_shards(&o, table, "v4", &v4, shard, &n_sets);
		n_elems += put_shards(&o, table, "v6", &v6, shard, &n_sets);
	}
	o.msgs++;
	msg_end(&o, nftnl_batch_end(o.buf + o.len, o.seq++));

	t2 = now_ms();
	snd = (int)(o.len + 65536);
	if (setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_SNDBUFFORCE, &snd,
		       sizeof(snd)) < 0)
		die("SO_SNDBUFFORCE refused (CAP_NET_ADMIN?)");
	setsockopt(mnl_socket_get_fd(nl), SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv));
	iov.iov_base = o.buf;
	iov.iov_len = o.len;
	if (sendmsg(mnl_socket_get_fd(nl), &msg, 0) < 0) {
		perror("yardstick: sendmsg");
		return 1;
	}
	t3 = now_ms();
	err = drain(nl);
	gen1 = genid(nl, o.seq++);
	mnl_socket_close(nl);
	if (err || gen1 != gen0 + 1) {
		fprintf(stderr, "yardstick: the kernel refused the batch: %s\n",
			err ? strerror(-err) : "no commit");
		return 1;
	}
	if (verbose)
		fprintf(stderr,
			"yardstick: table inet %s: %s%zu+%zu intervals, %u elements, %u messages, %zu bytes; "
			"read %.1f ms, encode %.1f ms, sendmsg %.1f ms\n",
			table, patch ? "patch, " : "", v4.n + d4.n, v6.n + d6.n,
			n_elems, o.msgs, o.len, t1 - t0, t2 - t1, t3 - t2);
	free(o.buf);
	free(v4.v);
	free(v6.v);
	free(d4.v);
	free(d6.v);
	return 0;
}
