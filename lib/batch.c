/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The writer (batch.h): every nf_tables message, one function per object
 * and verb, into one batch whose messages each carry a ref; and the one
 * mapper from a kernel refusal back to what it hit.
 *
 * Facts of the bytes, read off `nft --debug=mnl` (tests/test-encode-live.c
 * keeps checking them against the installed nft):
 *  - nft puts the object names first with mnl_attr_put_strz() and lets
 *    libnftnl add the rest, so chain TYPE and POLICY come before the HOOK
 *    nest, and element lists lead with TABLE, SET, SET_ID;
 *  - a NEWRULE carries table, chain, the expressions, then POSITION and
 *    USERDATA (libnftnl alone would put the last two first);
 *  - no message asks for an ACK: a batch that succeeds gets no reply.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>

#include <libmnl/libmnl.h>
#include <libnftnl/batch.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/expr.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <libnftnl/udata.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "batch.h"

/*
 * Batch pages.  The overrun must hold the largest single message: a
 * NEWSETELEM whose element nest is at most UINT16_MAX bytes plus two names
 * and one element that did not fit, or a dumped rule (its expressions are
 * one nest with a 16-bit length too).
 */
#define BATCH_PAGE_SIZE		(2 * 1024 * 1024)	/* nft uses 2 MiB too */
#define BATCH_OVERRUN		(UINT16_MAX + 8192)
/* Bound of every message we compose: three names, a few hundred bytes of
 * expressions, a userdata of at most 256 bytes. */
#define MSG_SMALL_MAX		8192

struct fnft_batch {
	struct nftnl_batch *nb;
	struct fnft_msg_ref *refs;
	size_t n, cap;
	uint32_t seq;		/* of the next message */
	size_t bytes;
	char *scratch;		/* BATCH_OVERRUN zeroed bytes, for objects */
};

struct fnft_batch *fnft_batch_new(uint32_t seq_start)
{
	struct fnft_batch *b = calloc(1, sizeof(*b));

	if (!b)
		return NULL;
	b->nb = nftnl_batch_alloc(BATCH_PAGE_SIZE, BATCH_OVERRUN);
	if (!b->nb) {
		free(b);
		return NULL;
	}
	b->seq = seq_start;
	return b;
}

void fnft_batch_free(struct fnft_batch *b)
{
	if (!b)
		return;
	nftnl_batch_free(b->nb);
	free(b->refs);
	free(b->scratch);
	free(b);
}

/* ---- one message ---- */

/* Record what the next message is about; its seq. */
static int batch_ref(struct fnft_batch *b, const struct fnft_msg_ref *ref,
		     uint16_t msg_type, uint32_t *seq)
{
	if (fnft_grow(&b->refs, &b->cap, b->n + 1, sizeof(*b->refs)) < 0)
		return -ENOMEM;
	b->refs[b->n] = *ref;
	b->refs[b->n].msg_type = msg_type;
	b->refs[b->n].seq = *seq = b->seq++;
	b->n++;
	return 0;
}

/*
 * Where the next message goes, zeroed: libmnl 1.0.4 does not clear the
 * padding after an attribute, and the batch pages come from malloc(), so
 * without this the bytes sent (and compared in the tests) would carry
 * stale heap contents.  At least BATCH_OVERRUN bytes are free there.
 */
static char *msg_buf(struct fnft_batch *b, size_t room)
{
	char *buf = nftnl_batch_buffer(b->nb);

	memset(buf, 0, room);
	return buf;
}

/* Start a message of @type about @ref; NULL when out of memory. */
static struct nlmsghdr *msg_open(struct fnft_batch *b, uint16_t type,
				 uint16_t flags, const struct fnft_msg_ref *ref)
{
	size_t room = type == NFT_MSG_NEWSETELEM || type == NFT_MSG_DELSETELEM ?
		      BATCH_OVERRUN : MSG_SMALL_MAX;
	uint32_t seq;

	if (batch_ref(b, ref, type, &seq) < 0)
		return NULL;
	return nftnl_nlmsg_build_hdr(msg_buf(b, room), type, NFPROTO_INET,
				     flags, seq);
}

/* Close the message: libnftnl moves on, maybe to a new page. */
static int msg_close(struct fnft_batch *b, const struct nlmsghdr *nlh)
{
	b->bytes += nlh->nlmsg_len;
	return nftnl_batch_update(b->nb) < 0 ? -ENOMEM : 0;
}

/* The message closed last, wherever libnftnl moved it. */
static struct nlmsghdr *msg_last(struct fnft_batch *b, uint32_t len)
{
	return (struct nlmsghdr *)((char *)nftnl_batch_buffer(b->nb) - len);
}

/* A complete message @src into the batch with the next seq. */
static struct nlmsghdr *msg_copy(struct fnft_batch *b, const struct nlmsghdr *src,
				 const struct fnft_msg_ref *ref)
{
	struct nlmsghdr *nlh = nftnl_batch_buffer(b->nb);
	uint32_t len = NLMSG_ALIGN(src->nlmsg_len);
	uint32_t seq;

	if (len > BATCH_OVERRUN || batch_ref(b, ref, src->nlmsg_type & 0xff, &seq) < 0)
		return NULL;
	memset((char *)nlh + src->nlmsg_len, 0, len - src->nlmsg_len);
	memcpy(nlh, src, src->nlmsg_len);
	nlh->nlmsg_len = len;
	nlh->nlmsg_seq = seq;
	if (msg_close(b, nlh) < 0)
		return NULL;
	return msg_last(b, len);
}

/*
 * A message whose size we cannot bound beforehand (a dumped object sent
 * back): built by @build in the zeroed scratch buffer, then copied.
 */
typedef void (*obj_builder)(struct nlmsghdr *nlh, const void *obj);

/* Take the top-level attribute @type out of @nlh, wherever it is. */
static void strip_attr(struct nlmsghdr *nlh, uint16_t type)
{
	struct nlattr *a;

	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		char *end = (char *)nlh + nlh->nlmsg_len;
		size_t n = NLA_ALIGN(a->nla_len);

		if (mnl_attr_get_type(a) != type)
			continue;
		if (n > (size_t)(end - (char *)a))
			n = (size_t)(end - (char *)a);
		memmove(a, (char *)a + n, (size_t)(end - (char *)a) - n);
		nlh->nlmsg_len -= (uint32_t)n;
		return;
	}
}

/* ... without its attribute @strip (0: none) */
static int msg_of_obj(struct fnft_batch *b, uint16_t type, uint16_t flags,
		      obj_builder build, const void *obj, uint16_t strip)
{
	struct nlmsghdr *nlh;
	uint32_t used;
	int rc;

	if (!b->scratch && !(b->scratch = calloc(1, 2 * BATCH_OVERRUN)))
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(b->scratch, type, NFPROTO_INET, flags, 0);
	build(nlh, obj);
	used = nlh->nlmsg_len;
	if (strip)
		strip_attr(nlh, strip);
	rc = fnft_batch_put_msg(b, nlh);
	memset(b->scratch, 0, used);
	return rc;
}

/* ---- batch begin and end ---- */

static const struct fnft_msg_ref batch_ref_of = {
	.kind = FNFT_OBJ_BATCH, .rule_index = FNFT_NO_RULE,
};

int fnft_batch_begin(struct fnft_batch *b, uint32_t genid)
{
	struct nlmsghdr *nlh;
	uint32_t seq;

	if (batch_ref(b, &batch_ref_of, NFNL_MSG_BATCH_BEGIN, &seq) < 0)
		return -ENOMEM;
	nlh = nftnl_batch_begin(msg_buf(b, MSG_SMALL_MAX), seq);
	/* libnftnl has no setter: the generation check is a plain attribute */
	if (genid)
		mnl_attr_put_u32(nlh, NFNL_BATCH_GENID, htonl(genid));
	return msg_close(b, nlh);
}

int fnft_batch_end(struct fnft_batch *b)
{
	uint32_t seq;

	if (batch_ref(b, &batch_ref_of, NFNL_MSG_BATCH_END, &seq) < 0)
		return -ENOMEM;
	return msg_close(b, nftnl_batch_end(msg_buf(b, MSG_SMALL_MAX), seq));
}

/* ---- tables ---- */

static struct fnft_msg_ref table_ref(const char *name)
{
	return (struct fnft_msg_ref){ .kind = FNFT_OBJ_TABLE, .name = name,
				      .rule_index = FNFT_NO_RULE };
}

int fnft_comment_udata(const char *comment, uint8_t type,
		       struct nftnl_udata_buf **out)
{
	struct nftnl_udata_buf *ub;

	if (strlen(comment) > NFTNL_UDATA_COMMENT_MAXLEN ||
	    strpbrk(comment, "\"\\"))
		return -EINVAL;
	ub = nftnl_udata_buf_alloc(NFT_USERDATA_MAXLEN);
	if (!ub)
		return -ENOMEM;
	if (!nftnl_udata_put_strz(ub, type, comment)) {
		nftnl_udata_buf_free(ub);
		return -ENOMEM;
	}
	*out = ub;
	return 0;
}

int fnft_batch_table_add(struct fnft_batch *b, const char *name,
			 const char *comment)
{
	struct fnft_msg_ref ref = table_ref(name);
	struct nftnl_udata_buf *ub = NULL;
	struct nlmsghdr *nlh;
	int rc;

	if (comment && (rc = fnft_comment_udata(comment, NFTNL_UDATA_TABLE_COMMENT,
						&ub)))
		return rc;
	rc = -ENOMEM;
	nlh = msg_open(b, NFT_MSG_NEWTABLE, 0, &ref);
	if (nlh) {
		/* nft's order: the name, then libnftnl's flags and userdata */
		mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, name);
		mnl_attr_put_u32(nlh, NFTA_TABLE_FLAGS, 0);
		if (ub)
			mnl_attr_put(nlh, NFTA_TABLE_USERDATA,
				     nftnl_udata_buf_len(ub), nftnl_udata_buf_data(ub));
		rc = msg_close(b, nlh);
	}
	nftnl_udata_buf_free(ub);
	return rc;
}

int fnft_batch_table_set_flags(struct fnft_batch *b, const char *name,
			       uint32_t flags)
{
	struct fnft_msg_ref ref = table_ref(name);
	struct nlmsghdr *nlh = msg_open(b, NFT_MSG_NEWTABLE, 0, &ref);

	if (!nlh)
		return -ENOMEM;
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, name);
	mnl_attr_put_u32(nlh, NFTA_TABLE_FLAGS, htonl(flags));
	return msg_close(b, nlh);
}

int fnft_batch_table_del(struct fnft_batch *b, const char *name)
{
	struct fnft_msg_ref ref = table_ref(name);
	struct nlmsghdr *nlh = msg_open(b, NFT_MSG_DELTABLE, 0, &ref);

	if (!nlh)
		return -ENOMEM;
	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, name);
	return msg_close(b, nlh);
}

/* ---- chains ---- */

int fnft_batch_chain_add(struct fnft_batch *b, const char *table,
			 const struct fnft_ir_chain *c)
{
	struct fnft_msg_ref ref = { .kind = FNFT_OBJ_CHAIN, .name = c->name,
				    .rule_index = FNFT_NO_RULE };
	struct nftnl_chain *nc = nftnl_chain_alloc();
	struct nlmsghdr *nlh;
	int rc = -ENOMEM;

	if (!nc)
		return rc;
	nftnl_chain_set_u32(nc, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	nftnl_chain_set_u32(nc, NFTNL_CHAIN_HOOKNUM, c->hook);
	nftnl_chain_set_s32(nc, NFTNL_CHAIN_PRIO, c->priority);
	nlh = msg_open(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, &ref);
	if (nlh) {
		/* nft's order: names, type and policy by hand, then the hook */
		mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, table);
		mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, c->name);
		mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, "filter");
		mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY,
				 htonl(c->policy == FNFT_VERDICT_ACCEPT ? NF_ACCEPT
									: NF_DROP));
		nftnl_chain_nlmsg_build_payload(nlh, nc);
		rc = msg_close(b, nlh);
	}
	nftnl_chain_free(nc);
	return rc;
}

/* ---- sets and elements ---- */

int fnft_batch_set_add(struct fnft_batch *b, const struct nftnl_set *s,
		       const struct fnft_msg_ref *owner)
{
	struct fnft_msg_ref ref = *owner;
	struct nlmsghdr *nlh;

	ref.kind = FNFT_OBJ_SET;
	nlh = msg_open(b, NFT_MSG_NEWSET, NLM_F_CREATE, &ref);
	if (!nlh)
		return -ENOMEM;
	nftnl_set_nlmsg_build_payload(nlh, (struct nftnl_set *)s);
	return msg_close(b, nlh);
}

void fnft_elems_init(struct fnft_elems *w, struct fnft_batch *b, uint16_t type,
		     const char *table, const char *set, uint32_t set_id,
		     const struct fnft_msg_ref *owner)
{
	*w = (struct fnft_elems){ .b = b, .type = type, .table = table,
				  .set = set, .set_id = set_id, .ref = *owner };
	w->ref.kind = FNFT_OBJ_ELEMS;
}

static int elems_open(struct fnft_elems *w)
{
	w->nlh = msg_open(w->b, w->type,
			  w->type == NFT_MSG_NEWSETELEM ? NLM_F_CREATE : 0, &w->ref);
	if (!w->nlh)
		return -ENOMEM;
	mnl_attr_put_strz(w->nlh, NFTA_SET_ELEM_LIST_TABLE, w->table);
	mnl_attr_put_strz(w->nlh, NFTA_SET_ELEM_LIST_SET, w->set);
	if (w->set_id)
		mnl_attr_put_u32(w->nlh, NFTA_SET_ELEM_LIST_SET_ID, htonl(w->set_id));
	w->nest = mnl_attr_nest_start(w->nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	/*
	 * Nest types count from 1 in each message (nft goes on counting
	 * across messages), so that the number never grows into the nla_type
	 * flag bits (16384 and up) on sets of tens of thousands of elements.
	 */
	w->index = 0;
	return 0;
}

int fnft_elems_close(struct fnft_elems *w)
{
	struct nlmsghdr *nlh = w->nlh;

	if (!nlh)
		return 0;
	mnl_attr_nest_end(nlh, w->nest);
	w->nlh = NULL;
	return msg_close(w->b, nlh);
}

/* Appends one element's nest, numbered @index, to @nlh. */
typedef struct nlattr *(*elem_builder)(struct nlmsghdr *nlh, int index,
				       const void *elem);

/*
 * One element into the open message (opened first if need be).  An element
 * that pushes the list past UINT16_MAX is taken back and written again into
 * a new message (the buffer has BATCH_OVERRUN bytes, room for the
 * overshoot).
 */
static int elem_append(struct fnft_elems *w, elem_builder build, const void *elem)
{
	struct nlattr *a;
	int rc;

	if (!w->nlh && (rc = elems_open(w)))
		return rc;
	a = build(w->nlh, ++w->index, elem);
	if ((char *)a + a->nla_len - (char *)w->nest <= UINT16_MAX)
		return 0;
	w->nlh->nlmsg_len = (uint32_t)((char *)a - (char *)w->nlh);
	if ((rc = fnft_elems_close(w)) || (rc = elems_open(w)))
		return rc;
	build(w->nlh, ++w->index, elem);
	return 0;
}

struct key_elem {
	const uint8_t *key;
	size_t w;
	uint32_t flags;
	bool open;
};

/* The INTERVAL_OPEN flag as element userdata: one u32 TLV, host order. */
static const struct {
	uint8_t type, len;
	uint32_t value;
} __attribute__((packed)) open_udata = {
	NFTNL_UDATA_SET_ELEM_FLAGS, 4, NFTNL_SET_ELEM_F_INTERVAL_OPEN,
};

static struct nlattr *build_key(struct nlmsghdr *nlh, int index, const void *elem)
{
	const struct key_elem *k = elem;
	struct nlattr *e = mnl_attr_nest_start(nlh, (uint16_t)index);
	struct nlattr *key;

	if (k->flags)
		mnl_attr_put_u32(nlh, NFTA_SET_ELEM_FLAGS, htonl(k->flags));
	key = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, k->w, k->key);
	mnl_attr_nest_end(nlh, key);
	if (k->open)
		mnl_attr_put(nlh, NFTA_SET_ELEM_USERDATA, sizeof(open_udata),
			     &open_udata);
	mnl_attr_nest_end(nlh, e);
	return e;
}

static struct nlattr *build_obj_elem(struct nlmsghdr *nlh, int index,
				     const void *elem)
{
	return nftnl_set_elem_nlmsg_build(nlh, (struct nftnl_set_elem *)elem,
					  index);
}

int fnft_elems_key(void *ctx, const uint8_t *key, size_t w, uint32_t flags,
		   bool open)
{
	struct key_elem k = { key, w, flags, open };

	return elem_append(ctx, build_key, &k);
}

int fnft_elems_obj(struct fnft_elems *w, struct nftnl_set_elem *e)
{
	return elem_append(w, build_obj_elem, e);
}

/* nftnl_set_elem_foreach() callback */
static int elem_obj_cb(struct nftnl_set_elem *e, void *ctx)
{
	return fnft_elems_obj(ctx, e);
}

int fnft_batch_set_add_with_elems(struct fnft_batch *b, struct nftnl_set *s,
				  const struct fnft_msg_ref *owner)
{
	struct fnft_elems w;
	int rc;

	if ((rc = fnft_batch_set_add(b, s, owner)))
		return rc;
	fnft_elems_init(&w, b, NFT_MSG_NEWSETELEM, nftnl_set_get_str(s, NFTNL_SET_TABLE),
			nftnl_set_get_str(s, NFTNL_SET_NAME),
			nftnl_set_get_u32(s, NFTNL_SET_ID), owner);
	rc = nftnl_set_elem_foreach(s, elem_obj_cb, &w);
	if (rc)
		return rc < 0 ? rc : -ENOMEM;
	return fnft_elems_close(&w);
}

/* ---- rules ---- */

static int put_expr_cb(struct nftnl_expr *e, void *data)
{
	struct nlmsghdr *nlh = data;
	struct nlattr *nest = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);

	nftnl_expr_build_payload(nlh, e);
	mnl_attr_nest_end(nlh, nest);
	return 0;
}

int fnft_batch_rule_add(struct fnft_batch *b, const struct nftnl_rule *r,
			bool append, const struct fnft_msg_ref *owner)
{
	struct nftnl_rule *rule = (struct nftnl_rule *)r;
	struct fnft_msg_ref ref = *owner;
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	uint32_t len;

	ref.kind = FNFT_OBJ_RULE;
	nlh = msg_open(b, NFT_MSG_NEWRULE,
		       NLM_F_CREATE | (append ? NLM_F_APPEND : 0), &ref);
	if (!nlh)
		return -ENOMEM;
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE,
			  nftnl_rule_get_str(rule, NFTNL_RULE_TABLE));
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN,
			  nftnl_rule_get_str(rule, NFTNL_RULE_CHAIN));
	nest = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	nftnl_expr_foreach(rule, put_expr_cb, nlh);
	mnl_attr_nest_end(nlh, nest);
	if (nftnl_rule_is_set(rule, NFTNL_RULE_POSITION))
		mnl_attr_put_u64(nlh, NFTA_RULE_POSITION,
				 htobe64(nftnl_rule_get_u64(rule, NFTNL_RULE_POSITION)));
	if (nftnl_rule_is_set(rule, NFTNL_RULE_USERDATA)) {
		const void *ud = nftnl_rule_get_data(rule, NFTNL_RULE_USERDATA, &len);

		mnl_attr_put(nlh, NFTA_RULE_USERDATA, len, ud);
	}
	return msg_close(b, nlh);
}

int fnft_batch_rule_del(struct fnft_batch *b, const char *table,
			const char *chain, uint64_t handle,
			const struct fnft_msg_ref *owner)
{
	struct fnft_msg_ref ref = *owner;
	struct nlmsghdr *nlh;

	ref.kind = FNFT_OBJ_RULE;
	nlh = msg_open(b, NFT_MSG_DELRULE, 0, &ref);
	if (!nlh)
		return -ENOMEM;
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, chain);
	mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, htobe64(handle));
	return msg_close(b, nlh);
}

/* ---- dumped objects, sent back ---- */

static void build_table(struct nlmsghdr *nlh, const void *o)
{
	nftnl_table_nlmsg_build_payload(nlh, (struct nftnl_table *)o);
}

static void build_obj(struct nlmsghdr *nlh, const void *o)
{
	nftnl_obj_nlmsg_build_payload(nlh, (struct nftnl_obj *)o);
}

static void build_flowtable(struct nlmsghdr *nlh, const void *o)
{
	nftnl_flowtable_nlmsg_build_payload(nlh, (struct nftnl_flowtable *)o);
}

static void build_chain(struct nlmsghdr *nlh, const void *o)
{
	nftnl_chain_nlmsg_build_payload(nlh, (struct nftnl_chain *)o);
}

static void build_rule(struct nlmsghdr *nlh, const void *o)
{
	nftnl_rule_nlmsg_build_payload(nlh, (struct nftnl_rule *)o);
}

int fnft_batch_table_obj(struct fnft_batch *b, const struct nftnl_table *t)
{
	return msg_of_obj(b, NFT_MSG_NEWTABLE, NLM_F_CREATE, build_table, t, 0);
}

int fnft_batch_obj_add(struct fnft_batch *b, const struct nftnl_obj *o)
{
	/* libnftnl 1.2.4 has no nftnl_obj_unset(): the handle the kernel
	 * gave it goes here (it sends no use count) */
	return msg_of_obj(b, NFT_MSG_NEWOBJ, NLM_F_CREATE, build_obj, o,
			  NFTA_OBJ_HANDLE);
}

int fnft_batch_flowtable_add(struct fnft_batch *b,
			     const struct nftnl_flowtable *f)
{
	return msg_of_obj(b, NFT_MSG_NEWFLOWTABLE, NLM_F_CREATE, build_flowtable, f, 0);
}

int fnft_batch_chain_obj(struct fnft_batch *b, const struct nftnl_chain *c)
{
	return msg_of_obj(b, NFT_MSG_NEWCHAIN, NLM_F_CREATE, build_chain, c, 0);
}

int fnft_batch_rule_obj(struct fnft_batch *b, const struct nftnl_rule *r)
{
	return msg_of_obj(b, NFT_MSG_NEWRULE, NLM_F_CREATE | NLM_F_APPEND,
			  build_rule, r, 0);
}

/* ---- prepared messages ---- */

static int comment_of(const struct nftnl_udata *attr, void *data)
{
	if (nftnl_udata_type(attr) == 0 && nftnl_udata_len(attr) &&
	    ((const char *)nftnl_udata_get(attr))[nftnl_udata_len(attr) - 1] == '\0')
		*(const char **)data = nftnl_udata_get(attr);
	return 0;
}

/* The kind of object an nf_tables message of @type is about. */
static enum fnft_obj_kind kind_of(uint16_t type)
{
	switch (type) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
		return FNFT_OBJ_TABLE;
	case NFT_MSG_NEWCHAIN:
		return FNFT_OBJ_CHAIN;
	case NFT_MSG_NEWSET:
		return FNFT_OBJ_SET;
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM:
		return FNFT_OBJ_ELEMS;
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		return FNFT_OBJ_RULE;
	case NFT_MSG_NEWOBJ:
		return FNFT_OBJ_OBJECT;
	case NFT_MSG_NEWFLOWTABLE:
		return FNFT_OBJ_FLOWTABLE;
	default:
		return FNFT_OBJ_BATCH;
	}
}

/* The attribute holding the name of what a message of @type is about:
 * NAME of a table, chain, set, object or flowtable, SET of an element list,
 * CHAIN of a rule (whose name is then its comment). */
static uint16_t name_attr(uint16_t type)
{
	switch (type) {
	case NFT_MSG_NEWTABLE:
	case NFT_MSG_DELTABLE:
		return NFTA_TABLE_NAME;
	case NFT_MSG_NEWCHAIN:
		return NFTA_CHAIN_NAME;
	case NFT_MSG_NEWSET:
		return NFTA_SET_NAME;
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM:
		return NFTA_SET_ELEM_LIST_SET;
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		return NFTA_RULE_CHAIN;
	case NFT_MSG_NEWOBJ:
		return NFTA_OBJ_NAME;
	case NFT_MSG_NEWFLOWTABLE:
		return NFTA_FLOWTABLE_NAME;
	default:
		return 0;
	}
}

/* What message @nlh (in the batch) is about, read from its attributes. */
static void ref_of_msg(const struct nlmsghdr *nlh, struct fnft_msg_ref *ref)
{
	uint16_t t = NFNL_MSG_TYPE(nlh->nlmsg_type);
	const struct nlattr *a;
	const char *name = NULL, *comment = NULL;

	*ref = (struct fnft_msg_ref){ .kind = kind_of(t), .msg_type = t,
				      .rule_index = FNFT_NO_RULE };
	mnl_attr_for_each(a, nlh, sizeof(struct nfgenmsg)) {
		uint16_t at = mnl_attr_get_type(a);

		if (at && at == name_attr(t) &&
		    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0)
			name = mnl_attr_get_str(a);
		if (ref->kind == FNFT_OBJ_RULE && at == NFTA_RULE_USERDATA)
			nftnl_udata_parse(mnl_attr_get_payload(a),
					  mnl_attr_get_payload_len(a), comment_of,
					  &comment);
		if (t == NFT_MSG_NEWOBJ && at == NFTA_OBJ_TYPE &&
		    mnl_attr_validate(a, MNL_TYPE_U32) == 0)
			ref->obj_type = ntohl(mnl_attr_get_u32(a));
	}
	if (ref->kind == FNFT_OBJ_RULE) {
		ref->chain = name;
		ref->name = comment;
	} else {
		ref->name = name;
	}
}

int fnft_batch_put_msg(struct fnft_batch *b, const struct nlmsghdr *src)
{
	struct fnft_msg_ref ref = { .rule_index = FNFT_NO_RULE };
	struct nlmsghdr *nlh;

	if (src->nlmsg_len < NLMSG_HDRLEN + sizeof(struct nfgenmsg) ||
	    (src->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES)
		return -EINVAL;
	nlh = msg_copy(b, src, &ref);
	if (!nlh)
		return -ENOMEM;
	/* the names point into the batch's copy, which lives as long */
	ref_of_msg(nlh, &ref);
	ref.seq = b->refs[b->n - 1].seq;
	b->refs[b->n - 1] = ref;
	return 0;
}

/* ---- reading the batch ---- */

size_t fnft_batch_msg_count(const struct fnft_batch *b)
{
	return b ? b->n : 0;
}

const struct fnft_msg_ref *fnft_batch_msg(const struct fnft_batch *b, size_t i)
{
	return b && i < b->n ? &b->refs[i] : NULL;
}

const struct fnft_msg_ref *fnft_batch_lookup(const struct fnft_batch *b,
					     uint32_t seq)
{
	uint32_t i;

	if (!b || !b->n)
		return NULL;
	/* seqs are consecutive from the first; unsigned wrap-around works */
	i = seq - b->refs[0].seq;
	return i < b->n ? &b->refs[i] : NULL;
}

uint32_t fnft_batch_seq_first(const struct fnft_batch *b)
{
	return b && b->n ? b->refs[0].seq : 0;
}

uint32_t fnft_batch_seq_last(const struct fnft_batch *b)
{
	return b && b->n ? b->refs[b->n - 1].seq : 0;
}

struct nftnl_batch *fnft_batch_nftnl(struct fnft_batch *b)
{
	return b ? b->nb : NULL;
}

size_t fnft_batch_size(const struct fnft_batch *b)
{
	return b ? b->bytes : 0;
}

/* Call @fn for every message of @b in order, until it returns non-zero. */
static int for_each_msg(const struct fnft_batch *b,
			int (*fn)(const struct nlmsghdr *nlh, void *ctx), void *ctx)
{
	struct nftnl_batch *nb = b->nb;
	int n = nftnl_batch_iovec_len(nb), i, rc;
	struct iovec iov[n > 0 ? n : 1];

	nftnl_batch_iovec(nb, iov, (uint32_t)n);
	for (i = 0; i < n; i++) {
		const struct nlmsghdr *nlh = iov[i].iov_base;
		int len = (int)iov[i].iov_len;

		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
			if ((rc = fn(nlh, ctx)))
				return rc;
	}
	return 0;
}

struct each_ctx {
	const struct fnft_batch *b;
	int (*fn)(const struct nlmsghdr *nlh, const struct fnft_msg_ref *ref,
		  void *ctx);
	void *ctx;
};

static int each_one(const struct nlmsghdr *nlh, void *ctx)
{
	struct each_ctx *e = ctx;

	return e->fn(nlh, fnft_batch_lookup(e->b, nlh->nlmsg_seq), e->ctx);
}

int fnft_batch_each_msg(const struct fnft_batch *b,
			int (*fn)(const struct nlmsghdr *nlh,
				  const struct fnft_msg_ref *ref, void *ctx),
			void *ctx)
{
	struct each_ctx e = { b, fn, ctx };

	return for_each_msg(b, each_one, &e);
}

struct copy_ctx {
	uint32_t from_seq;
	struct fnft_buf *out;
	size_t n;
};

static int copy_one(const struct nlmsghdr *nlh, void *ctx)
{
	struct copy_ctx *c = ctx;
	struct fnft_buf *o = c->out;
	struct nlmsghdr *copy;

	if (nlh->nlmsg_seq - c->from_seq > UINT32_MAX / 2)
		return 0;	/* before @from */
	if (fnft_grow(&o->s, &o->cap, o->len + nlh->nlmsg_len + 1, 1) < 0)
		return -ENOMEM;
	copy = (struct nlmsghdr *)(o->s + o->len);
	memcpy(copy, nlh, nlh->nlmsg_len);
	copy->nlmsg_seq = 0;
	o->len += nlh->nlmsg_len;
	c->n++;
	return 0;
}

int fnft_batch_copy_msgs(const struct fnft_batch *b, size_t from,
			 struct fnft_buf *out, size_t *n)
{
	struct copy_ctx c = { .out = out };
	int rc = 0;

	if (from < b->n) {
		c.from_seq = b->refs[from].seq;
		rc = for_each_msg(b, copy_one, &c);
	}
	*n = c.n;
	return rc;
}

struct find_ctx {
	uint32_t seq;
	const struct nlmsghdr *found;
};

static int find_one(const struct nlmsghdr *nlh, void *ctx)
{
	struct find_ctx *f = ctx;

	if (nlh->nlmsg_seq != f->seq)
		return 0;
	f->found = nlh;
	return 1;
}

/* The bytes of the batch message with @seq, to read an ext-ack offset. */
static const struct nlmsghdr *find_msg(const struct fnft_batch *b, uint32_t seq)
{
	struct find_ctx f = { seq, NULL };

	for_each_msg(b, find_one, &f);
	return f.found;
}

/* ---- requests ---- */

struct nlmsghdr *fnft_msg_request(char *buf, uint16_t type, const char *table,
				  const char *set, uint32_t seq)
{
	struct nlmsghdr *nlh;

	/* the header leaves its alignment padding alone: start from zeros */
	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	switch (type) {
	case NFT_MSG_GETGEN:
		return nftnl_nlmsg_build_hdr(buf, type, AF_UNSPEC, NLM_F_ACK, seq);
	case NFT_MSG_GETTABLE:
		nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, NLM_F_ACK, seq);
		mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, table);
		return nlh;
	case NFT_MSG_GETSETELEM:
		/* the set by table and name only: a dumped set carries fields
		 * that have no place in a request */
		nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, NLM_F_DUMP, seq);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, table);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
		return nlh;
	default:
		/* the table is attribute 1 of chains, rules, sets, objects
		 * and flowtables alike */
		nlh = nftnl_nlmsg_build_hdr(buf, type, NFPROTO_INET, NLM_F_DUMP, seq);
		mnl_attr_put_strz(nlh, 1, table);
		return nlh;
	}
}

/* ---- refusals ---- */

int fnft_privilege_error(struct fnft_error *err)
{
	return fnft_err(err, -EPERM, NULL, NULL,
			"permission denied: changing the firewall needs CAP_NET_ADMIN in this network namespace (run as root)");
}

static const char *attr_name(uint16_t msg_type, uint16_t attr)
{
	static const char *const rule[] = {
		[NFTA_RULE_TABLE] = "table", [NFTA_RULE_CHAIN] = "chain",
		[NFTA_RULE_HANDLE] = "handle",
		[NFTA_RULE_EXPRESSIONS] = "expressions",
		[NFTA_RULE_POSITION] = "position",
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
	static const char *const table[] = {
		[NFTA_TABLE_NAME] = "name", [NFTA_TABLE_FLAGS] = "flags",
		[NFTA_TABLE_USERDATA] = "comment",
	};
	const char *const *t = NULL;
	size_t n = 0;

	switch (msg_type & 0xff) {
	case NFT_MSG_NEWRULE:
	case NFT_MSG_DELRULE:
		t = rule, n = ARRAY_SIZE(rule);
		break;
	case NFT_MSG_NEWSET:
		t = set, n = ARRAY_SIZE(set);
		break;
	case NFT_MSG_NEWSETELEM:
	case NFT_MSG_DELSETELEM:
		t = elems, n = ARRAY_SIZE(elems);
		break;
	case NFT_MSG_NEWCHAIN:
		t = chain, n = ARRAY_SIZE(chain);
		break;
	case NFT_MSG_NEWTABLE:
		t = table, n = ARRAY_SIZE(table);
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

/* ", in its X" for an extended-ack offset into our message. */
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

static void describe_rule(const struct fnft_msg_ref *ref, struct fnft_buf *out)
{
	if (ref->msg_type == NFT_MSG_DELRULE)
		fnft_buf_puts(out, "the removal of ");
	if (ref->name)
		fnft_buf_printf(out, "rule '%s' in chain %s", ref->name,
				ref->chain ? ref->chain : "?");
	else if (ref->rule_index != FNFT_NO_RULE)
		fnft_buf_printf(out, "rule %zu of chain %s", ref->rule_index + 1,
				ref->chain ? ref->chain : "?");
	else
		fnft_buf_printf(out, "a rule in chain %s", ref->chain ? ref->chain : "?");
	if (ref->rule && !ref->rule->comment) {
		fnft_buf_puts(out, " (");
		fnft_render_rule(ref->rule, out);
		fnft_buf_puts(out, ")");
	}
}

/* "rule 'tomcat.https' in chain input", "set browser_v4", "counter c1"... */
static void describe_ref(const struct fnft_msg_ref *ref, struct fnft_buf *out)
{
	const char *name = ref->name ? ref->name : "?";

	switch (ref->kind) {
	case FNFT_OBJ_TABLE:
		fnft_buf_printf(out, "table inet %s", name);
		return;
	case FNFT_OBJ_CHAIN:
		fnft_buf_printf(out, "chain %s", name);
		return;
	case FNFT_OBJ_OBJECT:
		fnft_buf_printf(out, "%s %s", obj_kind(ref->obj_type), name);
		return;
	case FNFT_OBJ_FLOWTABLE:
		fnft_buf_printf(out, "flowtable %s", name);
		return;
	case FNFT_OBJ_SET:
	case FNFT_OBJ_ELEMS:
		if (!ref->anonymous) {
			fnft_buf_printf(out, "%sset %s",
					ref->kind == FNFT_OBJ_SET ? "" :
					ref->msg_type == NFT_MSG_DELSETELEM ?
					"the removed elements of " : "the elements of ",
					name);
			return;
		}
		fnft_buf_puts(out, "the anonymous set of ");
		describe_rule(ref, out);
		return;
	case FNFT_OBJ_RULE:
		describe_rule(ref, out);
		return;
	default:
		fnft_buf_puts(out, "the batch");
	}
}

int fnft_batch_refusal(struct fnft_batch *b, const struct fnft_ack *a,
		       struct fnft_error *err)
{
	const struct fnft_msg_ref *ref = fnft_batch_lookup(b, a->seq);
	char object[FNFT_ERROR_OBJECT_MAX] = "";
	struct fnft_buf what = { 0 };
	const struct nlmsghdr *nlh;
	int rc;

	if (a->error == -ERESTART && ref && ref->kind == FNFT_OBJ_BATCH)
		return fnft_err(err, -EAGAIN, NULL, NULL,
				"the ruleset changed while we were working; nothing was applied; run again");
	if (a->error == -EPERM)
		return fnft_privilege_error(err);
	if (!ref)
		return fnft_err(err, a->error, NULL, NULL,
				"the kernel refused the batch: %s", strerror(-a->error));
	describe_ref(ref, &what);
	if (a->offset && (nlh = find_msg(b, a->seq)))
		describe_offset(nlh, a->offset, &what);
	if (ref->name)
		snprintf(object, sizeof(object), "%s", ref->name);
	else if (ref->chain)
		snprintf(object, sizeof(object), "%s", ref->chain);
	rc = fnft_err(err, a->error, NULL, object[0] ? object : NULL,
		      "the kernel refused %s: %s%s%s%s",
		      what.oom ? "a message" : what.s, strerror(-a->error),
		      a->text[0] ? " (" : "", a->text, a->text[0] ? ")" : "");
	fnft_buf_free(&what);
	return rc;
}
