/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/common.h>
#include <libnftnl/chain.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/gen.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>

#include "batch.h"
#include "dump.h"
#include "fake-kernel.h"
#include "netlink.h"

/* A dump message can be 64 KiB; MNL_SOCKET_BUFFER_SIZE (8 KiB) truncates. */
#define RECV_BUF (65536 + 4096)
/* Receive queue: room for one error per message in the worst case. */
#define RCVBUF_MIN (4u << 20)

struct fnft_nl {
	struct mnl_socket *sock;	/* NULL with a fake kernel */
	struct fnft_fake *fake;		/* owned */
	uint32_t portid;
	uint32_t seq;
};

/*
 * The three socket calls below, or the fake kernel's ends of them: the
 * one place where the two kernels differ.  They return what the libc
 * calls return, errno included.
 */
static ssize_t nl_send(struct fnft_nl *nl, const void *buf, size_t len)
{
	int rc;

	if (!nl->fake)
		return mnl_socket_sendto(nl->sock, buf, len);
	if ((rc = fnft_fake_sendmsg(nl->fake, buf, len)) < 0) {
		errno = -rc;
		return -1;
	}
	return (ssize_t)len;
}

static ssize_t nl_recv(struct fnft_nl *nl, void *buf, size_t len, bool nowait)
{
	ssize_t n;

	if (!nl->fake)
		return nowait ? recv(mnl_socket_get_fd(nl->sock), buf, len, MSG_DONTWAIT)
			      : mnl_socket_recvfrom(nl->sock, buf, len);
	if ((n = fnft_fake_recv(nl->fake, buf, len)) < 0) {
		/* nothing queued: a socket would block for ever */
		errno = nowait ? EAGAIN : EIO;
		return -1;
	}
	return n;
}

int fnft_nl_open_fake(const struct fnft_nl *peer, struct fnft_nl **out,
		      struct fnft_error *err)
{
	struct fnft_nl *nl = calloc(1, sizeof(*nl));

	if (peer && !peer->fake) {
		free(nl);
		return fnft_err(err, -EINVAL, NULL, NULL, "not a fake kernel");
	}
	if (!nl || (peer ? fnft_fake_new_peer(peer->fake, &nl->fake)
			 : fnft_fake_new(&nl->fake)) < 0) {
		free(nl);
		return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
	}
	nl->portid = fnft_fake_portid(nl->fake);
	nl->seq = 1;
	*out = nl;
	return 0;
}

struct fnft_fake *fnft_nl_fake(const struct fnft_nl *nl)
{
	return nl ? nl->fake : NULL;
}

int fnft_nl_open(struct fnft_nl **out, struct fnft_error *err)
{
	struct fnft_nl *nl = calloc(1, sizeof(*nl));
	int one = 1;

	if (!nl)
		return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
	nl->sock = mnl_socket_open(NETLINK_NETFILTER);
	if (!nl->sock) {
		int e = errno;

		free(nl);
		if (e == EPROTONOSUPPORT || e == EAFNOSUPPORT)
			return fnft_err(err, -EPROTONOSUPPORT, NULL, NULL,
					"the kernel has no nfnetlink (nf_tables) support");
		return fnft_err(err, -e, NULL, NULL,
				"cannot open a netfilter netlink socket: %s",
				strerror(e));
	}
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		fnft_nl_close(nl);
		return fnft_err(err, -e, NULL, NULL,
				"cannot bind the netlink socket: %s", strerror(e));
	}
	/* Errors point at the attribute they hit, and do not echo our
	 * (possibly 64 KiB) message back. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = (uint32_t)time(NULL);
	*out = nl;
	return 0;
}

void fnft_nl_close(struct fnft_nl *nl)
{
	if (!nl)
		return;
	if (nl->sock)
		mnl_socket_close(nl->sock);
	fnft_fake_free(nl->fake);
	free(nl);
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71	/* Linux 5.14 */
#endif

int fnft_nl_netns_cookie(struct fnft_nl *nl, uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);

	if (nl->fake) {
		*cookie = fnft_fake_netns_cookie(nl->fake);
		return 0;
	}
	if (getsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_NETNS_COOKIE,
		       cookie, &len) < 0)
		return -errno;
	return 0;
}

uint32_t fnft_nl_next_seq(struct fnft_nl *nl)
{
	return ++nl->seq;
}

static int gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nftnl_gen *gen = nftnl_gen_alloc();
	uint32_t *genid = data;

	if (!gen)
		return MNL_CB_ERROR;
	if (nftnl_gen_nlmsg_parse(nlh, gen) < 0) {
		nftnl_gen_free(gen);
		return MNL_CB_ERROR;
	}
	*genid = nftnl_gen_get_u32(gen, NFTNL_GEN_ID);
	nftnl_gen_free(gen);
	return MNL_CB_OK;
}

int fnft_nl_genid(struct fnft_nl *nl, uint32_t *genid, struct fnft_error *err)
{
	char buf[RECV_BUF];	/* >= MNL_SOCKET_BUFFER_SIZE */
	struct nlmsghdr *nlh;
	uint32_t seq = fnft_nl_next_seq(nl);
	ssize_t n;
	int rc;

	nlh = fnft_msg_request(buf, NFT_MSG_GETGEN, NULL, NULL, seq);
	if (nl_send(nl, nlh, nlh->nlmsg_len) < 0)
		return fnft_err(err, -errno, NULL, NULL,
				"cannot ask the kernel for the ruleset generation: %s",
				strerror(errno));
	do {
		n = nl_recv(nl, buf, sizeof(buf), false);
		if (n < 0)
			break;
		rc = mnl_cb_run(buf, (size_t)n, seq, nl->portid, gen_cb, genid);
	} while (rc > 0);
	if (n < 0 || rc < 0) {
		int e = errno;

		if (e == EPERM)
			return fnft_privilege_error(err);
		if (e == EOPNOTSUPP || e == ENOENT || e == EPROTONOSUPPORT)
			return fnft_err(err, -EPROTONOSUPPORT, NULL, NULL,
					"the kernel has no nf_tables support (is the nf_tables module available?)");
		return fnft_err(err, -e, NULL, NULL,
				"cannot read the ruleset generation: %s", strerror(e));
	}
	return 0;
}

/* ---- sending a batch ---- */

static void size_buffers(struct fnft_nl *nl, size_t batch_bytes)
{
	int fd;
	unsigned snd = (unsigned)(batch_bytes + 65536);
	unsigned rcv = RCVBUF_MIN;

	if (nl->fake)
		return;
	fd = mnl_socket_get_fd(nl->sock);
	/* the FORCE variants ignore the sysctl limits; CAP_NET_ADMIN has them */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
}

/* The fake takes the batch as the one datagram sendmsg() would make. */
static ssize_t send_fake(struct fnft_nl *nl, const struct iovec *iov, size_t n)
{
	size_t i, len = 0;
	ssize_t sent;
	char *buf, *p;

	for (i = 0; i < n; i++)
		len += iov[i].iov_len;
	if (!(buf = p = malloc(len ? len : 1))) {
		errno = ENOMEM;
		return -1;
	}
	for (i = 0; i < n; i++) {
		memcpy(p, iov[i].iov_base, iov[i].iov_len);
		p += iov[i].iov_len;
	}
	sent = nl_send(nl, buf, len);
	free(buf);
	return sent;
}

static int send_nb(struct fnft_nl *nl, struct nftnl_batch *nb)
{
	int n = nftnl_batch_iovec_len(nb);
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct iovec *iov = calloc((size_t)n, sizeof(*iov));
	struct msghdr msg = {
		.msg_name = &sa, .msg_namelen = sizeof(sa),
		.msg_iov = iov, .msg_iovlen = (size_t)n,
	};
	ssize_t sent;

	if (!iov)
		return -ENOMEM;
	nftnl_batch_iovec(nb, iov, (uint32_t)n);
	if (nl->fake)
		sent = send_fake(nl, iov, (size_t)n);
	else
		sent = sendmsg(mnl_socket_get_fd(nl->sock), &msg, 0);
	free(iov);
	return sent < 0 ? -errno : 0;
}

/* The first error among the replies: the one that caused the rest. */
static void keep_first(const struct nlmsghdr *nlh, struct fnft_ack *first)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	size_t off;

	if (!e->error || first->error)
		return;
	first->seq = nlh->nlmsg_seq;
	first->error = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			snprintf(first->text, sizeof(first->text), "%s",
				 mnl_attr_get_str(a));
		else if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS &&
			 mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			first->offset = mnl_attr_get_u32(a);
	}
}

/*
 * Read every queued reply; keep the first error.  Returns 0, or a negative
 * errno when the replies cannot be read (ENOBUFS: some were lost, so
 * something failed).
 */
static int drain_replies(struct fnft_nl *nl, struct fnft_ack *first)
{
	char *buf = malloc(RECV_BUF);
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n = nl_recv(nl, buf, RECV_BUF, true);
		int len;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n < 0) {
			rc = -errno;
			break;
		}
		len = (int)n;
		for (nlh = (struct nlmsghdr *)buf; mnl_nlmsg_ok(nlh, len);
		     nlh = mnl_nlmsg_next(nlh, &len))
			if (nlh->nlmsg_type == NLMSG_ERROR &&
			    nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nlmsgerr))
				keep_first(nlh, first);
	}
	free(buf);
	return rc;
}

int fnft_nl_send(struct fnft_nl *nl, struct fnft_batch *b, struct fnft_ack *first)
{
	int rc;

	memset(first, 0, sizeof(*first));
	size_buffers(nl, fnft_batch_size(b));
	rc = send_nb(nl, fnft_batch_nftnl(b));
	if (nl->seq <= fnft_batch_seq_last(b))
		nl->seq = fnft_batch_seq_last(b) + 1;
	/* the kernel handled the whole batch inside sendmsg(): no wait */
	return rc ? rc : drain_replies(nl, first);
}

/* ---- dumping our table ---- */

#define DUMP_TRIES 8

/* Send one request and run @cb over every reply until the kernel is done. */
static int request(struct fnft_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	char *buf = malloc(RECV_BUF);
	ssize_t n;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	if (nl_send(nl, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	do {
		n = nl_recv(nl, buf, RECV_BUF, false);
		if (n < 0) {
			rc = -errno;
			break;
		}
		rc = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, nl->portid, cb, data);
		if (rc < 0)
			rc = -errno;
	} while (rc > 0);
out:
	free(buf);
	return rc < 0 ? rc : 0;
}

static int add_cb(const struct nlmsghdr *nlh, void *data)
{
	int rc = fnft_dump_add(data, nlh);

	if (!rc)
		return MNL_CB_OK;
	/* request() reads the reason from errno: a stale 0 there would end
	 * the dump as if it were complete */
	errno = -rc;
	return MNL_CB_ERROR;
}

/* One request of @type about table @d->name (and set @set) into @d. */
static int ask(struct fnft_nl *nl, struct fnft_dump *d, uint16_t type,
	       const char *set)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return request(nl, fnft_msg_request(buf, type, d->name, set,
					    fnft_nl_next_seq(nl)), add_cb, d);
}

struct elems_ctx {
	struct fnft_nl *nl;
	struct fnft_dump *d;
};

static int ask_elements(const char *set, void *data)
{
	struct elems_ctx *x = data;

	return ask(x->nl, x->d, NFT_MSG_GETSETELEM, set);
}

static int dump_once(struct fnft_nl *nl, struct fnft_dump *d)
{
	struct elems_ctx x = { nl, d };
	int rc = ask(nl, d, NFT_MSG_GETTABLE, NULL);

	if (rc == -ENOENT)
		return 0;	/* no table: d->table stays NULL */
	if (rc || !d->table)
		return rc;
	/* few and small: every dump reads them, so that the live view and
	 * a snapshot both see everything in the table */
	if ((rc = ask(nl, d, NFT_MSG_GETOBJ, NULL)) ||
	    (rc = ask(nl, d, NFT_MSG_GETFLOWTABLE, NULL)) ||
	    (rc = ask(nl, d, NFT_MSG_GETCHAIN, NULL)) ||
	    (rc = ask(nl, d, NFT_MSG_GETSET, NULL)) ||
	    (rc = ask(nl, d, NFT_MSG_GETRULE, NULL)))
		return rc;
	return fnft_dump_each_set(d, d->elements, ask_elements, &x);
}

static int dump(struct fnft_nl *nl, const char *table, bool elements,
		bool objects, struct fnft_dump **out, struct fnft_error *err)
{
	uint32_t before, after;
	int tries, rc, drc;

	for (tries = 0; tries < DUMP_TRIES; tries++) {
		struct fnft_dump *d;

		if (fnft_dump_new(table, elements, objects, &d))
			return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
		if ((rc = fnft_nl_genid(nl, &before, err))) {
			fnft_dump_free(d);
			return rc;
		}
		drc = dump_once(nl, d);
		/* EINTR: the ruleset changed during one dump; start over */
		if (drc && drc != -EINTR) {
			fnft_dump_free(d);
			if (drc == -EPERM)
				return fnft_privilege_error(err);
			return fnft_err(err, drc, NULL, table,
					"cannot read table inet %s: %s", table,
					strerror(-drc));
		}
		if ((rc = fnft_nl_genid(nl, &after, err))) {
			fnft_dump_free(d);
			return rc;
		}
		if (before == after && drc == 0) {
			d->genid = before;
			*out = d;
			return 0;
		}
		fnft_dump_free(d);
	}
	return fnft_err(err, -EAGAIN, NULL, table,
			"the ruleset kept changing while we read table inet %s; nothing was applied; run again",
			table);
}

int fnft_nl_dump(struct fnft_nl *nl, const char *table, bool elements,
		 struct fnft_dump **out, struct fnft_error *err)
{
	return dump(nl, table, elements, false, out, err);
}

int fnft_nl_dump_objects(struct fnft_nl *nl, const char *table,
			 struct fnft_dump **out, struct fnft_error *err)
{
	return dump(nl, table, true, true, out, err);
}
