/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <arpa/inet.h>
#include <time.h>

#include <libmnl/libmnl.h>
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

#include "netlink.h"

/* A dump message can be 64 KiB; MNL_SOCKET_BUFFER_SIZE (8 KiB) truncates. */
#define RECV_BUF (65536 + 4096)
/* Receive queue: room for one error per message in the worst case. */
#define RCVBUF_MIN (4u << 20)

struct fnft_nl {
	struct mnl_socket *sock;
	uint32_t portid;
	uint32_t seq;
};

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
	free(nl);
}

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71	/* Linux 5.14 */
#endif

int fnft_nl_netns_cookie(struct fnft_nl *nl, uint64_t *cookie)
{
	socklen_t len = sizeof(*cookie);

	if (getsockopt(mnl_socket_get_fd(nl->sock), SOL_SOCKET, SO_NETNS_COOKIE,
		       cookie, &len) < 0)
		return -errno;
	return 0;
}

uint32_t fnft_nl_next_seq(struct fnft_nl *nl)
{
	return ++nl->seq;
}

static int privilege_error(struct fnft_error *err)
{
	return fnft_err(err, -EPERM, NULL, NULL,
			"permission denied: changing the firewall needs CAP_NET_ADMIN in this network namespace (run as root)");
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
	char buf[RECV_BUF];
	struct nlmsghdr *nlh;
	uint32_t seq = fnft_nl_next_seq(nl);
	ssize_t n;
	int rc;

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, NLM_F_ACK, seq);
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0)
		return fnft_err(err, -errno, NULL, NULL,
				"cannot ask the kernel for the ruleset generation: %s",
				strerror(errno));
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, sizeof(buf));
		if (n < 0)
			break;
		rc = mnl_cb_run(buf, (size_t)n, seq, nl->portid, gen_cb, genid);
	} while (rc > 0);
	if (n < 0 || rc < 0) {
		int e = errno;

		if (e == EPERM)
			return privilege_error(err);
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
	int fd = mnl_socket_get_fd(nl->sock);
	unsigned snd = (unsigned)(batch_bytes + 65536);
	unsigned rcv = RCVBUF_MIN;

	/* the FORCE variants ignore the sysctl limits; CAP_NET_ADMIN has them */
	if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &snd, sizeof(snd)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &snd, sizeof(snd));
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcv, sizeof(rcv)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcv, sizeof(rcv));
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
	sent = sendmsg(mnl_socket_get_fd(nl->sock), &msg, 0);
	free(iov);
	return sent < 0 ? -errno : 0;
}

static int send_iov(struct fnft_nl *nl, struct fnft_batch *b)
{
	return send_nb(nl, fnft_batch_nftnl(b));
}

/* The bytes of the batch message with @seq, to read an ext-ack offset. */
static const struct nlmsghdr *find_msg(struct fnft_batch *b, uint32_t seq)
{
	struct nftnl_batch *nb = fnft_batch_nftnl(b);
	int n = nftnl_batch_iovec_len(nb), i;
	struct iovec iov[n > 0 ? n : 1];
	const struct nlmsghdr *nlh;

	nftnl_batch_iovec(nb, iov, (uint32_t)n);
	for (i = 0; i < n; i++) {
		size_t len = iov[i].iov_len;

		for (nlh = iov[i].iov_base; mnl_nlmsg_ok(nlh, (int)len);
		     nlh = mnl_nlmsg_next(nlh, (int *)&len))
			if (nlh->nlmsg_seq == seq)
				return nlh;
	}
	return NULL;
}

static const char *attr_name(uint16_t msg_type, uint16_t attr)
{
	static const char *const rule[] = {
		[NFTA_RULE_TABLE] = "table", [NFTA_RULE_CHAIN] = "chain",
		[NFTA_RULE_EXPRESSIONS] = "expressions",
		[NFTA_RULE_USERDATA] = "comment",
	};
	static const char *const set[] = {
		[NFTA_SET_TABLE] = "table", [NFTA_SET_NAME] = "name",
		[NFTA_SET_FLAGS] = "flags", [NFTA_SET_KEY_TYPE] = "key type",
		[NFTA_SET_KEY_LEN] = "key length", [NFTA_SET_DESC] = "size",
		[NFTA_SET_ID] = "set id", [NFTA_SET_USERDATA] = "userdata",
	};
	static const char *const elems[] = {
		[NFTA_SET_ELEM_LIST_TABLE] = "table",
		[NFTA_SET_ELEM_LIST_SET] = "set",
		[NFTA_SET_ELEM_LIST_ELEMENTS] = "elements",
		[NFTA_SET_ELEM_LIST_SET_ID] = "set id",
	};
	static const char *const chain[] = {
		[NFTA_CHAIN_TABLE] = "table", [NFTA_CHAIN_NAME] = "name",
		[NFTA_CHAIN_HOOK] = "hook", [NFTA_CHAIN_POLICY] = "policy",
		[NFTA_CHAIN_TYPE] = "type",
	};
	const char *const *t = NULL;
	size_t n = 0;

	switch (msg_type & 0xff) {
	case NFT_MSG_NEWRULE:
		t = rule, n = ARRAY_SIZE(rule);
		break;
	case NFT_MSG_NEWSET:
		t = set, n = ARRAY_SIZE(set);
		break;
	case NFT_MSG_NEWSETELEM:
		t = elems, n = ARRAY_SIZE(elems);
		break;
	case NFT_MSG_NEWCHAIN:
		t = chain, n = ARRAY_SIZE(chain);
		break;
	}
	return t && attr < n ? t[attr] : NULL;
}

/* Which expression of a rule's list holds byte @off of the message? */
static void describe_expr(const struct nlattr *list, size_t base, uint32_t off,
			  struct fnft_buf *out)
{
	const struct nlattr *e, *a;
	unsigned i = 0;

	mnl_attr_for_each_nested(e, list) {
		size_t start = base + (size_t)((const char *)e - (const char *)list);

		i++;
		if (off < start || off >= start + e->nla_len)
			continue;
		mnl_attr_for_each_nested(a, e)
			if (mnl_attr_get_type(a) == NFTA_EXPR_NAME) {
				fnft_buf_printf(out, ", expression %u (%s)", i,
						mnl_attr_get_str(a));
				return;
			}
		fnft_buf_printf(out, ", expression %u", i);
		return;
	}
}

/* ", in attribute X" for an extended-ack offset into our message. */
static void describe_offset(const struct nlmsghdr *nlh, uint32_t off,
			    struct fnft_buf *out)
{
	const struct nlattr *a;
	const char *name;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		size_t start = (size_t)((const char *)a - (const char *)nlh);

		if (off < start || off >= start + a->nla_len)
			continue;
		name = attr_name(nlh->nlmsg_type, mnl_attr_get_type(a));
		if (name)
			fnft_buf_printf(out, ", in its %s", name);
		if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWRULE &&
		    mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS)
			describe_expr(a, start, off, out);
		return;
	}
}

static const struct fnft_ir_rule *ref_rule(const struct fnft_ruleset *rs,
					   const struct fnft_msg_ref *ref)
{
	size_t i;

	if (!rs || !ref->chain || ref->rule_index == FNFT_NO_RULE)
		return NULL;
	for (i = 0; i < rs->n_chains; i++)
		if (streq(rs->chains[i].name, ref->chain) &&
		    ref->rule_index < rs->chains[i].n_rules)
			return &rs->chains[i].rules[ref->rule_index];
	return NULL;
}

/* "rule 'tomcat.https' in chain input" and the like. */
static void describe_ref(const struct fnft_msg_ref *ref,
			 const struct fnft_ruleset *rs, struct fnft_buf *out)
{
	const struct fnft_ir_rule *rule = ref_rule(rs, ref);

	switch (ref->kind) {
	case FNFT_OBJ_TABLE:
		fnft_buf_printf(out, "table inet %s", ref->name);
		return;
	case FNFT_OBJ_CHAIN:
		fnft_buf_printf(out, "chain %s", ref->name);
		return;
	case FNFT_OBJ_SET:
	case FNFT_OBJ_ELEMS:
		if (!ref->anonymous) {
			fnft_buf_printf(out, "%sset %s",
					ref->kind == FNFT_OBJ_ELEMS ? "the elements of " : "",
					ref->name);
			return;
		}
		fnft_buf_puts(out, "the anonymous set of ");
		/* fall through */
	case FNFT_OBJ_RULE:
		if (ref->name)
			fnft_buf_printf(out, "rule '%s' in chain %s", ref->name,
					ref->chain);
		else
			fnft_buf_printf(out, "rule %zu of chain %s", ref->rule_index + 1,
					ref->chain);
		if (rule && !rule->comment) {
			fnft_buf_puts(out, " (");
			fnft_render_rule(rule, out);
			fnft_buf_puts(out, ")");
		}
		return;
	default:
		fnft_buf_puts(out, "the batch");
	}
}

struct reply {
	uint32_t seq;
	int error;		/* negative errno */
	const char *ext_msg;	/* kernel's extended-ack text, or NULL */
	uint32_t ext_off;	/* 0: none */
};

static void parse_error(const struct nlmsghdr *nlh, struct reply *r)
{
	const struct nlmsgerr *e = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *a;
	size_t off;

	r->seq = nlh->nlmsg_seq;
	r->error = e->error;
	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
		off += e->msg.nlmsg_len - sizeof(e->msg);
	mnl_attr_for_each(a, nlh, off) {
		if (mnl_attr_get_type(a) == NLMSGERR_ATTR_MSG)
			r->ext_msg = mnl_attr_get_str(a);
		else if (mnl_attr_get_type(a) == NLMSGERR_ATTR_OFFS)
			r->ext_off = mnl_attr_get_u32(a);
	}
}

static int report(struct fnft_batch *b, const struct fnft_ruleset *rs,
		  const struct reply *r, struct fnft_error *err)
{
	const struct fnft_msg_ref *ref = fnft_batch_lookup(b, r->seq);
	struct fnft_buf what = { 0 };
	const struct nlmsghdr *nlh;
	char object[FNFT_ERROR_OBJECT_MAX] = "";
	int rc;

	if (r->error == -ERESTART && ref && ref->kind == FNFT_OBJ_BATCH)
		return fnft_err(err, -EAGAIN, NULL, NULL,
				"the ruleset changed while we were working; nothing was applied; run again");
	if (r->error == -EPERM)
		return privilege_error(err);
	if (!ref)
		return fnft_err(err, r->error, NULL, NULL,
				"the kernel refused the batch: %s",
				strerror(-r->error));
	describe_ref(ref, rs, &what);
	if (r->ext_off && (nlh = find_msg(b, r->seq)))
		describe_offset(nlh, r->ext_off, &what);
	if (ref->name)
		snprintf(object, sizeof(object), "%s", ref->name);
	else if (ref->chain)
		snprintf(object, sizeof(object), "%s", ref->chain);
	rc = fnft_err(err, r->error, NULL, object[0] ? object : NULL,
		      "the kernel refused %s: %s%s%s%s",
		      what.oom ? "a message" : what.s, strerror(-r->error),
		      r->ext_msg ? " (" : "", r->ext_msg ? r->ext_msg : "",
		      r->ext_msg ? ")" : "");
	fnft_buf_free(&what);
	return rc;
}

/*
 * Read every queued reply; keep the first error, which caused the rest,
 * with the kernel's extended-ack text copied into @first->text.  Returns
 * 0, or a negative errno when the replies cannot be read (ENOBUFS: some
 * were lost, so something failed).
 */
struct first_error {
	struct reply r;
	char text[256];
};

static int drain_replies(struct fnft_nl *nl, struct first_error *first)
{
	char *buf = malloc(RECV_BUF);
	int rc = 0;

	memset(first, 0, sizeof(*first));
	if (!buf)
		return -ENOMEM;
	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n = recv(mnl_socket_get_fd(nl->sock), buf, RECV_BUF,
				 MSG_DONTWAIT);
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
		     nlh = mnl_nlmsg_next(nlh, &len)) {
			struct reply r = { 0 };

			if (nlh->nlmsg_type != NLMSG_ERROR)
				continue;
			parse_error(nlh, &r);
			if (!r.error || first->r.error)
				continue;
			first->r = r;
			/* the text points into buf: keep a copy */
			if (r.ext_msg) {
				snprintf(first->text, sizeof(first->text), "%s", r.ext_msg);
				first->r.ext_msg = first->text;
			}
		}
	}
	free(buf);
	return rc;
}

static int drain(struct fnft_nl *nl, struct fnft_batch *b,
		 const struct fnft_ruleset *rs, struct fnft_error *err)
{
	struct first_error first;
	int rc = drain_replies(nl, &first);

	if (rc)
		return fnft_err(err, rc, NULL, NULL,
				"cannot read the kernel's replies: %s", strerror(-rc));
	return first.r.error ? report(b, rs, &first.r, err) : 0;
}

int fnft_nl_send_batch(struct fnft_nl *nl, struct fnft_batch *b,
		       const struct fnft_ruleset *rs, struct fnft_error *err)
{
	int rc;

	size_buffers(nl, fnft_batch_size(b));
	rc = send_iov(nl, b);
	if (nl->seq <= fnft_batch_seq_last(b))
		nl->seq = fnft_batch_seq_last(b) + 1;
	if (rc == -EPERM)
		return privilege_error(err);
	if (rc < 0)
		return fnft_err(err, rc, NULL, NULL,
				"cannot send the batch to the kernel: %s",
				strerror(-rc));
	/* the kernel handled the whole batch inside sendmsg(): no wait */
	return drain(nl, b, rs, err);
}

/* ---- a batch of prepared messages (snapshot restore) ---- */

#define RAW_PAGE (256 * 1024)

static void raw_put(struct nftnl_batch *b, const struct nlmsghdr *src,
		    uint32_t seq)
{
	struct nlmsghdr *nlh = nftnl_batch_buffer(b);

	memcpy(nlh, src, src->nlmsg_len);
	nlh->nlmsg_seq = seq;
	nftnl_batch_update(b);
}

static int comment_of(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == 0 && nftnl_udata_len(attr) &&
	    ((const char *)nftnl_udata_get(attr))[nftnl_udata_len(attr) - 1] == '\0')
		*(const char **)data = nftnl_udata_get(attr);
	return 0;
}

/* A stateful object's kind as nft names it: "counter", "ct helper"... */
static const char *obj_kind(uint32_t type)
{
	static const char *const kinds[] = {
		[NFT_OBJECT_COUNTER] = "counter", [NFT_OBJECT_QUOTA] = "quota",
		[NFT_OBJECT_CT_HELPER] = "ct helper", [NFT_OBJECT_LIMIT] = "limit",
		[NFT_OBJECT_CONNLIMIT] = "connlimit", [NFT_OBJECT_TUNNEL] = "tunnel",
		[NFT_OBJECT_CT_TIMEOUT] = "ct timeout",
		[NFT_OBJECT_SECMARK] = "secmark",
		[NFT_OBJECT_CT_EXPECT] = "ct expectation",
		[NFT_OBJECT_SYNPROXY] = "synproxy",
	};

	return type < ARRAY_SIZE(kinds) && kinds[type] ? kinds[type] : "object";
}

/* "rule 'tomcat.https' in chain input", "set browser_v4", "counter c1"... */
static void raw_describe(const struct nlmsghdr *nlh, char *buf, size_t len)
{
	static const char *const kinds[] = {
		[NFT_MSG_NEWTABLE] = "table", [NFT_MSG_NEWCHAIN] = "chain",
		[NFT_MSG_NEWSET] = "set", [NFT_MSG_NEWSETELEM] = "new elements of set",
		[NFT_MSG_DELSETELEM] = "removed elements of set",
		[NFT_MSG_NEWRULE] = "rule in chain",
		[NFT_MSG_DELRULE] = "the removal of a rule in chain",
		[NFT_MSG_NEWOBJ] = "object",
		[NFT_MSG_NEWFLOWTABLE] = "flowtable",
	};
	uint16_t t = NFNL_MSG_TYPE(nlh->nlmsg_type);
	bool rule = t == NFT_MSG_NEWRULE || t == NFT_MSG_DELRULE;
	/* the object's name: attribute 2 (CHAIN of a rule, NAME/SET else) */
	const struct nlattr *a;
	const char *name = "?", *comment = NULL, *kind;

	kind = t < ARRAY_SIZE(kinds) && kinds[t] ? kinds[t] : "message";
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) == (t == NFT_MSG_NEWTABLE ? 1 : 2) &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		if (rule && mnl_attr_get_type(a) == NFTA_RULE_USERDATA)
			nftnl_udata_parse(mnl_attr_get_payload(a),
					  mnl_attr_get_payload_len(a), comment_of, &comment);
		if (t == NFT_MSG_NEWOBJ && mnl_attr_get_type(a) == NFTA_OBJ_TYPE &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			kind = obj_kind(ntohl(mnl_attr_get_u32(a)));
	}
	if (rule && comment)
		snprintf(buf, len, "rule '%s' in chain %s", comment, name);
	else
		snprintf(buf, len, "%s %s", kind, name);
}

int fnft_nl_send_raw(struct fnft_nl *nl, const char *table, uint32_t genid,
		     bool replace, const void *msgs, size_t len, size_t n,
		     struct fnft_error *err)
{
	uint32_t lead = replace ? 3 : 1;	/* messages before the prepared */
	struct nftnl_batch *b = nftnl_batch_alloc(RAW_PAGE, RAW_PAGE);
	struct nftnl_table *t = nftnl_table_alloc();
	const struct nlmsghdr *m = msgs;
	uint32_t first = fnft_nl_next_seq(nl), seq = first, bad = 0;
	struct nlmsghdr *nlh;
	int left = (int)len, rc;
	size_t i;
	char what[160];

	if (!b || !t) {
		rc = fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
		goto out;
	}
	nlh = nftnl_batch_begin(nftnl_batch_buffer(b), seq++);
	if (genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	nftnl_batch_update(b);
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, table);
	if (replace) {
		nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b), NFT_MSG_NEWTABLE,
					    NFPROTO_INET, NLM_F_CREATE, seq++);
		nftnl_table_nlmsg_build_payload(nlh, t);
		nftnl_batch_update(b);
		nlh = nftnl_nlmsg_build_hdr(nftnl_batch_buffer(b), NFT_MSG_DELTABLE,
					    NFPROTO_INET, 0, seq++);
		nftnl_table_nlmsg_build_payload(nlh, t);
		nftnl_batch_update(b);
	}
	for (i = 0; i < n && mnl_nlmsg_ok(m, left); i++, m = mnl_nlmsg_next(m, &left))
		raw_put(b, m, seq++);
	nftnl_batch_end(nftnl_batch_buffer(b), seq);
	nftnl_batch_update(b);
	nl->seq = seq + 1;

	size_buffers(nl, len + 65536);
	rc = send_nb(nl, b);
	if (rc == -EPERM) {
		rc = privilege_error(err);
		goto out;
	}
	if (rc < 0) {
		rc = fnft_err(err, rc, NULL, table, "cannot send the batch: %s", strerror(-rc));
		goto out;
	}
	{
		struct first_error fe;

		rc = drain_replies(nl, &fe);
		if (!rc) {
			rc = fe.r.error;
			bad = fe.r.seq;
		}
	}
	if (rc == -ERESTART && bad == first) {
		rc = fnft_err(err, -EAGAIN, NULL, table,
			      "the ruleset changed while we were working; nothing was restored; run again");
	} else if (rc == -EPERM) {
		rc = privilege_error(err);
	} else if (rc) {
		/* messages first + lead .. are the prepared ones */
		snprintf(what, sizeof(what), "table inet %s", table);
		if (bad >= first + lead) {
			const struct nlmsghdr *x = msgs;
			int l2 = (int)len;

			for (i = 0; i < bad - first - lead && mnl_nlmsg_ok(x, l2); i++)
				x = mnl_nlmsg_next(x, &l2);
			if (mnl_nlmsg_ok(x, l2))
				raw_describe(x, what, sizeof(what));
		}
		rc = fnft_err(err, rc, NULL, table, "the kernel refused %s: %s", what,
			      strerror(-rc));
	}
out:
	if (t)
		nftnl_table_free(t);
	if (b)
		nftnl_batch_free(b);
	return rc;
}

/* ---- dumping our table ---- */

#define DUMP_TRIES 8

struct dump_ctx {
	const char *table;
	struct fnft_dump *d;
	struct nftnl_set *set;		/* GETSETELEM: the set being filled */
	struct nftnl_table *t;		/* GETTABLE */
};

/* Send one request and run @cb over every reply until the kernel is done. */
static int request(struct fnft_nl *nl, struct nlmsghdr *nlh, mnl_cb_t cb,
		   void *data)
{
	char *buf = malloc(RECV_BUF);
	ssize_t n;
	int rc = 0;

	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(nl->sock, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out;
	}
	do {
		n = mnl_socket_recvfrom(nl->sock, buf, RECV_BUF);
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

static int table_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;

	return nftnl_table_nlmsg_parse(nlh, c->t) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

static bool ours(const char *table, const char *of)
{
	return of && streq(table, of);
}

static int chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct nftnl_chain *ch = nftnl_chain_alloc();

	/* a chain without a name: no kernel sends it, libnftnl would crash */
	if (!ch || nftnl_chain_nlmsg_parse(nlh, ch) < 0 ||
	    !nftnl_chain_is_set(ch, NFTNL_CHAIN_NAME)) {
		if (ch)
			nftnl_chain_free(ch);
		return MNL_CB_ERROR;
	}
	/* chain dumps are not filtered by table in the kernel */
	if (ours(c->table, nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE)))
		nftnl_chain_list_add_tail(ch, c->d->chains);
	else
		nftnl_chain_free(ch);
	return MNL_CB_OK;
}

static int rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct nftnl_rule *r = nftnl_rule_alloc();

	if (!r || nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		if (r)
			nftnl_rule_free(r);
		return MNL_CB_ERROR;
	}
	if (ours(c->table, nftnl_rule_get_str(r, NFTNL_RULE_TABLE)))
		nftnl_rule_list_add_tail(r, c->d->rules);
	else
		nftnl_rule_free(r);
	return MNL_CB_OK;
}

static int set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct nftnl_set *s = nftnl_set_alloc();

	/* a set without a name: no kernel sends it, libnftnl would crash */
	if (!s || nftnl_set_nlmsg_parse(nlh, s) < 0 ||
	    !nftnl_set_is_set(s, NFTNL_SET_NAME)) {
		if (s)
			nftnl_set_free(s);
		return MNL_CB_ERROR;
	}
	if (ours(c->table, nftnl_set_get_str(s, NFTNL_SET_TABLE)))
		nftnl_set_list_add_tail(s, c->d->sets);
	else
		nftnl_set_free(s);
	return MNL_CB_OK;
}

/* An object of a type libnftnl does not know parses without its type and
 * data: kept, so that the snapshot can refuse it by name. */
static int obj_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct nftnl_obj *o = nftnl_obj_alloc();

	if (!o || nftnl_obj_nlmsg_parse(nlh, o) < 0 ||
	    !nftnl_obj_is_set(o, NFTNL_OBJ_NAME)) {
		if (o)
			nftnl_obj_free(o);
		return MNL_CB_ERROR;
	}
	if (ours(c->table, nftnl_obj_get_str(o, NFTNL_OBJ_TABLE)))
		nftnl_obj_list_add_tail(o, c->d->objs);
	else
		nftnl_obj_free(o);
	return MNL_CB_OK;
}

static int flowtable_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct nftnl_flowtable *f = nftnl_flowtable_alloc();

	if (!f || nftnl_flowtable_nlmsg_parse(nlh, f) < 0 ||
	    !nftnl_flowtable_is_set(f, NFTNL_FLOWTABLE_NAME)) {
		if (f)
			nftnl_flowtable_free(f);
		return MNL_CB_ERROR;
	}
	if (ours(c->table, nftnl_flowtable_get_str(f, NFTNL_FLOWTABLE_TABLE)))
		nftnl_flowtable_list_add_tail(f, c->d->flowtables);
	else
		nftnl_flowtable_free(f);
	return MNL_CB_OK;
}

const struct fnft_dump_keys *fnft_dump_keys(const struct fnft_dump *d,
					    const struct nftnl_set *s)
{
	size_t i;

	for (i = 0; i < d->n_keys; i++)
		if (d->keys[i].set == s)
			return &d->keys[i];
	return NULL;
}

static struct fnft_dump_keys *keys_of(struct fnft_dump *d,
				      const struct nftnl_set *s)
{
	struct fnft_dump_keys *k = (struct fnft_dump_keys *)fnft_dump_keys(d, s);

	if (k)
		return k;
	if (fnft_grow(&d->keys, &d->cap_keys, d->n_keys + 1, sizeof(*d->keys)) < 0)
		return NULL;
	k = &d->keys[d->n_keys++];
	*k = (struct fnft_dump_keys){ .set = s };
	return k;
}

/* The key and interval-end flag of one NFTA_LIST_ELEM nest. */
static int key_parse(const struct nlattr *elem, struct fnft_dump_key *out)
{
	const struct nlattr *a, *v;

	memset(out, 0, sizeof(*out));
	if (mnl_attr_validate(elem, MNL_TYPE_NESTED) < 0)
		return -EINVAL;
	mnl_attr_for_each_nested(a, elem) {
		switch (mnl_attr_get_type(a)) {
		case NFTA_SET_ELEM_FLAGS:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EINVAL;
			out->end = ntohl(mnl_attr_get_u32(a)) &
				   NFT_SET_ELEM_INTERVAL_END;
			break;
		case NFTA_SET_ELEM_KEY:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				return -EINVAL;
			mnl_attr_for_each_nested(v, a) {
				uint16_t len = mnl_attr_get_payload_len(v);

				if (mnl_attr_get_type(v) != NFTA_DATA_VALUE ||
				    !len || len > sizeof(out->key))
					continue;	/* len 0: unreadable */
				memcpy(out->key, mnl_attr_get_payload(v), len);
				out->len = (uint8_t)len;
			}
			break;
		default:
			break;	/* userdata, expressions...: not ours to read */
		}
	}
	return 0;
}

/* A NEWSETELEM message's elements, as keys of set @set. */
static int keys_parse(const struct nlmsghdr *nlh, struct fnft_dump *d,
		      const struct nftnl_set *set)
{
	struct fnft_dump_keys *k = keys_of(d, set);
	const struct nlattr *a, *e;

	if (!k)
		return -ENOMEM;
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return -EINVAL;
		mnl_attr_for_each_nested(e, a) {
			if (fnft_grow(&k->v, &k->cap, k->n + 1, sizeof(*k->v)) < 0)
				return -ENOMEM;
			if (key_parse(e, &k->v[k->n]) < 0)
				return -EINVAL;
			k->n++;
		}
	}
	return 0;
}

static int elem_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;

	if (c->d->objects)
		return nftnl_set_elems_nlmsg_parse(nlh, c->set) < 0 ? MNL_CB_ERROR
								    : MNL_CB_OK;
	return keys_parse(nlh, c->d, c->set) < 0 ? MNL_CB_ERROR : MNL_CB_OK;
}

void fnft_dump_free(struct fnft_dump *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n_keys; i++)
		free(d->keys[i].v);
	free(d->keys);
	/* libnftnl's destructors do not take NULL */
	if (d->table)
		nftnl_table_free(d->table);
	if (d->chains)
		nftnl_chain_list_free(d->chains);
	if (d->rules)
		nftnl_rule_list_free(d->rules);
	if (d->sets)
		nftnl_set_list_free(d->sets);
	if (d->objs)
		nftnl_obj_list_free(d->objs);
	if (d->flowtables)
		nftnl_flowtable_list_free(d->flowtables);
	free(d);
}

static struct nlmsghdr *dump_hdr(struct fnft_nl *nl, char *buf, uint16_t type,
				 uint16_t flags)
{
	/* the header leaves its alignment padding alone: start from zeros */
	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	return nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, flags,
				     fnft_nl_next_seq(nl));
}

static int dump_table(struct fnft_nl *nl, struct dump_ctx *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nftnl_table *t = nftnl_table_alloc();
	struct nlmsghdr *nlh;
	int rc;

	if (!t)
		return -ENOMEM;
	nftnl_table_set_str(t, NFTNL_TABLE_NAME, c->table);
	nlh = dump_hdr(nl, buf, NFT_MSG_GETTABLE, NLM_F_ACK);
	nftnl_table_nlmsg_build_payload(nlh, t);
	c->t = t;
	rc = request(nl, nlh, table_cb, c);
	if (rc == 0)
		c->d->table = t;
	else
		nftnl_table_free(t);
	return rc == -ENOENT ? 0 : rc;
}

/* One dump request for the objects of our table. */
static int dump_objects(struct fnft_nl *nl, struct dump_ctx *c, uint16_t type,
			mnl_cb_t cb)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = dump_hdr(nl, buf, type, NLM_F_DUMP);

	mnl_attr_put_strz(nlh, type == NFT_MSG_GETCHAIN ? NFTA_CHAIN_TABLE :
			       type == NFT_MSG_GETRULE ? NFTA_RULE_TABLE :
			       type == NFT_MSG_GETOBJ ? NFTA_OBJ_TABLE :
			       type == NFT_MSG_GETFLOWTABLE ? NFTA_FLOWTABLE_TABLE :
			       NFTA_SET_TABLE, c->table);
	return request(nl, nlh, cb, c);
}

struct elems_ctx {
	struct fnft_nl *nl;
	struct dump_ctx *c;
	bool named;
};

/* nftnl_set_list_foreach() callback: the elements of one set */
static int dump_set_elements(struct nftnl_set *s, void *data)
{
	struct elems_ctx *x = data;
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	bool anon = nftnl_set_get_u32(s, NFTNL_SET_FLAGS) & NFT_SET_ANONYMOUS;

	/* anonymous sets are small and hold a rule's ports: always */
	if (!anon && !x->named)
		return 0;
	/* name the set by table and name only: a dumped set carries fields
	 * that have no place in a request */
	nlh = dump_hdr(x->nl, buf, NFT_MSG_GETSETELEM, NLM_F_DUMP);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, x->c->table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET,
			  nftnl_set_get_str(s, NFTNL_SET_NAME));
	x->c->set = s;
	return request(x->nl, nlh, elem_cb, x->c);
}

static int dump_elements(struct fnft_nl *nl, struct dump_ctx *c, bool named)
{
	struct elems_ctx x = { nl, c, named };

	return nftnl_set_list_foreach(c->d->sets, dump_set_elements, &x);
}

/* One message of a saved dump: route it to the right parser. */
static int parse_one(const struct nlmsghdr *nlh, struct dump_ctx *c)
{
	switch (NFNL_MSG_TYPE(nlh->nlmsg_type)) {
	case NFT_MSG_NEWTABLE: {
		struct nftnl_table *t = nftnl_table_alloc();

		if (!t || nftnl_table_nlmsg_parse(nlh, t) < 0) {
			if (t)
				nftnl_table_free(t);
			return MNL_CB_ERROR;
		}
		if (!c->d->table && ours(c->table, nftnl_table_get_str(t, NFTNL_TABLE_NAME)))
			c->d->table = t;
		else
			nftnl_table_free(t);
		return MNL_CB_OK;
	}
	case NFT_MSG_NEWCHAIN:
		return chain_cb(nlh, c);
	case NFT_MSG_NEWSET:
		return set_cb(nlh, c);
	case NFT_MSG_NEWRULE:
		return rule_cb(nlh, c);
	case NFT_MSG_NEWOBJ:
		return obj_cb(nlh, c);
	case NFT_MSG_NEWFLOWTABLE:
		return flowtable_cb(nlh, c);
	case NFT_MSG_NEWSETELEM: {
		const struct nlattr *a;
		const char *name = NULL;

		/* the set the elements belong to, by name */
		mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
			if (mnl_attr_get_type(a) != NFTA_SET_ELEM_LIST_SET)
				continue;
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
				return MNL_CB_ERROR;
			name = mnl_attr_get_str(a);
		}
		if (!name)
			return MNL_CB_ERROR;
		c->set = nftnl_set_list_lookup_byname(c->d->sets, name);
		return c->set ? elem_cb(nlh, c) : MNL_CB_OK;
	}
	default:
		return MNL_CB_OK;
	}
}

/* The dump's (empty) lists; -ENOMEM when one cannot be had. */
static int dump_lists(struct fnft_dump *d)
{
	d->chains = nftnl_chain_list_alloc();
	d->rules = nftnl_rule_list_alloc();
	d->sets = nftnl_set_list_alloc();
	d->objs = nftnl_obj_list_alloc();
	d->flowtables = nftnl_flowtable_list_alloc();
	return d->chains && d->rules && d->sets && d->objs && d->flowtables ?
	       0 : -ENOMEM;
}

int fnft_dump_parse(const void *buf, size_t len, const char *table,
		    struct fnft_dump **out)
{
	struct fnft_dump *d = calloc(1, sizeof(*d));
	struct dump_ctx c = { .table = table, .d = d };
	const struct nlmsghdr *nlh = buf;
	int n = (int)len, rc = 0;

	if (!d)
		return -ENOMEM;
	d->elements = true;
	rc = dump_lists(d);
	/* mnl_nlmsg_ok() compares as int: a length past 2 GiB would pass */
	for (; !rc && mnl_nlmsg_ok(nlh, n); nlh = mnl_nlmsg_next(nlh, &n)) {
		if (nlh->nlmsg_len > (uint32_t)n ||
		    nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg))
			rc = -EINVAL;
		else if (parse_one(nlh, &c) != MNL_CB_OK)
			rc = -EINVAL;
	}
	if (rc) {
		fnft_dump_free(d);
		return rc;
	}
	*out = d;
	return 0;
}

static int dump_once(struct fnft_nl *nl, const char *table, bool elements,
		     bool objects, struct fnft_dump *d)
{
	struct dump_ctx c = { .table = table, .d = d };
	int rc;

	d->elements = elements;
	d->objects = objects;
	if ((rc = dump_lists(d)))
		return rc;
	rc = dump_table(nl, &c);
	if (rc || !d->table)
		return rc;
	/* the decoder has no use for them; a snapshot must have them all */
	if (objects &&
	    ((rc = dump_objects(nl, &c, NFT_MSG_GETOBJ, obj_cb)) ||
	     (rc = dump_objects(nl, &c, NFT_MSG_GETFLOWTABLE, flowtable_cb))))
		return rc;
	if ((rc = dump_objects(nl, &c, NFT_MSG_GETCHAIN, chain_cb)) ||
	    (rc = dump_objects(nl, &c, NFT_MSG_GETSET, set_cb)) ||
	    (rc = dump_objects(nl, &c, NFT_MSG_GETRULE, rule_cb)))
		return rc;
	return dump_elements(nl, &c, elements);
}

static int dump(struct fnft_nl *nl, const char *table, bool elements,
		bool objects, struct fnft_dump **out, struct fnft_error *err)
{
	uint32_t before, after;
	int tries, rc, drc;

	for (tries = 0; tries < DUMP_TRIES; tries++) {
		struct fnft_dump *d = calloc(1, sizeof(*d));

		if (!d)
			return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
		if ((rc = fnft_nl_genid(nl, &before, err))) {
			fnft_dump_free(d);
			return rc;
		}
		drc = dump_once(nl, table, elements, objects, d);
		/* EINTR: the ruleset changed during one dump; start over */
		if (drc && drc != -EINTR) {
			fnft_dump_free(d);
			if (drc == -EPERM)
				return privilege_error(err);
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
			"the ruleset kept changing while we read table inet %s; run again",
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
