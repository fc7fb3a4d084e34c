/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Snapshots of our table, for confirm-or-rollback.  A snapshot is the
 * table exactly as the kernel held it — our rules, anyone's drift, counter
 * values — kept as the netlink messages that create it again: every dumped
 * object re-serialised with its kernel-assigned fields (handles, use
 * counts) removed.  Restoring is one batch: NEWTABLE + DELTABLE (so the
 * table goes whatever it holds now) and then those messages, or nothing
 * more when the table did not exist.  The messages come in the order in
 * which each object finds what it refers to: the table, its stateful
 * objects and flowtables, chains, sets each with its elements (maps of
 * counters or quotas name objects, verdict maps chains), then the rules:
 * those of binding chains first, as the jump to one binds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <libnftnl/chain.h>
#include <libnftnl/common.h>
#include <libnftnl/flowtable.h>
#include <libnftnl/object.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <libnftnl/table.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include <finesse-nft/kernel.h>

#include "batch.h"
#include "lock.h"
#include "snapshot.h"

/* public declarations of this file */
#include <finesse-nft/kernel.h>

#define SNAP_MAGIC "finesse-nft snapshot 1\n"

/*
 * A copy of a dumped element (libnftnl 1.2.4 declares but does not export
 * nftnl_set_elem_clone): the attributes a request can carry.
 */
static struct nftnl_set_elem *elem_copy(struct nftnl_set_elem *e)
{
	static const uint16_t attrs[] = {
		NFTNL_SET_ELEM_KEY, NFTNL_SET_ELEM_KEY_END, NFTNL_SET_ELEM_FLAGS,
		NFTNL_SET_ELEM_DATA, NFTNL_SET_ELEM_VERDICT, NFTNL_SET_ELEM_CHAIN,
		NFTNL_SET_ELEM_TIMEOUT, NFTNL_SET_ELEM_USERDATA,
		NFTNL_SET_ELEM_OBJREF,
	};
	struct nftnl_set_elem *c = nftnl_set_elem_alloc();
	size_t i;

	for (i = 0; c && i < ARRAY_SIZE(attrs); i++) {
		uint32_t len = 0;
		const void *v;

		if (!nftnl_set_elem_is_set(e, attrs[i]))
			continue;
		v = nftnl_set_elem_get(e, attrs[i], &len);
		if (v && nftnl_set_elem_set(c, attrs[i], v, len) < 0) {
			nftnl_set_elem_free(c);
			return NULL;
		}
	}
	return c;
}

/* The foreach callbacks of snapshot_from_dump(): each object, stripped of
 * what the kernel assigned (no place in a request), into the batch. */
struct snap_ctx {
	const struct fnft_dump *d;
	struct fnft_batch *b;
	bool bound_pass;	/* rules of binding chains, or the others */
	uint32_t set_id;
	const char *unknown;	/* an object libnftnl cannot re-create */
	struct fnft_elems w;	/* of the set being written */
};

/* Counters and quotas keep their values: the kernel takes them on
 * creation.  A limit's tokens are state no request can carry. */
static int obj_cb(struct nftnl_obj *o, void *data)
{
	struct snap_ctx *x = data;

	/* libnftnl left out the type (and data) of a kind it does not know:
	 * resent, it would be refused, or worse, made of nothing */
	if (!nftnl_obj_is_set(o, NFTNL_OBJ_TYPE)) {
		x->unknown = nftnl_obj_get_str(o, NFTNL_OBJ_NAME);
		return -EOPNOTSUPP;
	}
	/* a used-up quota dumps as DEPLETED, a flag a request may not carry
	 * (EINVAL); its consumed bytes (= its quota) make it used up again */
	if (nftnl_obj_get_u32(o, NFTNL_OBJ_TYPE) == NFT_OBJECT_QUOTA &&
	    nftnl_obj_is_set(o, NFTNL_OBJ_QUOTA_FLAGS))
		nftnl_obj_set_u32(o, NFTNL_OBJ_QUOTA_FLAGS,
				  nftnl_obj_get_u32(o, NFTNL_OBJ_QUOTA_FLAGS) &
				  ~(uint32_t)NFT_QUOTA_F_DEPLETED);
	return fnft_batch_obj_add(x->b, o);
}

static int flowtable_cb(struct nftnl_flowtable *f, void *data)
{
	nftnl_flowtable_unset(f, NFTNL_FLOWTABLE_HANDLE);
	nftnl_flowtable_unset(f, NFTNL_FLOWTABLE_USE);
	return fnft_batch_flowtable_add(((struct snap_ctx *)data)->b, f);
}

static int chain_cb(struct nftnl_chain *c, void *data)
{
	nftnl_chain_unset(c, NFTNL_CHAIN_HANDLE);
	nftnl_chain_unset(c, NFTNL_CHAIN_USE);
	return fnft_batch_chain_obj(((struct snap_ctx *)data)->b, c);
}

static int elem_cb(struct nftnl_set_elem *e, void *data)
{
	struct snap_ctx *x = data;
	struct nftnl_set_elem *copy = elem_copy(e);
	int rc;

	if (!copy)
		return -ENOMEM;
	rc = fnft_elems_obj(&x->w, copy);
	nftnl_set_elem_free(copy);
	return rc;
}

static int set_cb(struct nftnl_set *set, void *data)
{
	struct fnft_msg_ref owner = { .rule_index = FNFT_NO_RULE };
	struct snap_ctx *x = data;
	int rc;

	nftnl_set_unset(set, NFTNL_SET_HANDLE);
	nftnl_set_set_u32(set, NFTNL_SET_ID, ++x->set_id);
	owner.name = nftnl_set_get_str(set, NFTNL_SET_NAME);
	if ((rc = fnft_batch_set_add(x->b, set, &owner)))
		return rc;
	fnft_elems_init(&x->w, x->b, NFT_MSG_NEWSETELEM,
			nftnl_set_get_str(set, NFTNL_SET_TABLE), owner.name,
			x->set_id, &owner);
	rc = nftnl_set_elem_foreach(set, elem_cb, x);
	if (rc)
		return rc < 0 ? rc : -ENOMEM;
	return fnft_elems_close(&x->w);
}

/*
 * The rules of a binding chain (nft's "jump { ... }") go first: the rule
 * that jumps there binds the chain, and a bound chain takes no more rules
 * (EOPNOTSUPP).
 */
static bool in_binding_chain(const struct fnft_dump *d, struct nftnl_rule *r)
{
	struct nftnl_chain *c = nftnl_chain_list_lookup_byname(
		d->chains, nftnl_rule_get_str(r, NFTNL_RULE_CHAIN));

	return c && nftnl_chain_is_set(c, NFTNL_CHAIN_FLAGS) &&
	       (nftnl_chain_get_u32(c, NFTNL_CHAIN_FLAGS) & NFT_CHAIN_BINDING);
}

static int rule_cb(struct nftnl_rule *r, void *data)
{
	struct snap_ctx *x = data;

	if (in_binding_chain(x->d, r) != x->bound_pass)
		return 0;
	nftnl_rule_unset(r, NFTNL_RULE_HANDLE);
	nftnl_rule_unset(r, NFTNL_RULE_POSITION);
	return fnft_batch_rule_obj(x->b, r);
}

#ifndef NFT_TABLE_F_PERSIST
#define NFT_TABLE_F_PERSIST 0x4		/* Linux 6.9 */
#endif

/*
 * The table with its flags (dormant) and userdata (comment) as the kernel
 * had them, but for ownership: an owner flag would bind the restored table
 * to our socket, and the table would vanish when we exit.
 */
static int table_put(struct fnft_batch *b, struct nftnl_table *t)
{
	nftnl_table_unset(t, NFTNL_TABLE_HANDLE);
	nftnl_table_unset(t, NFTNL_TABLE_USE);
	nftnl_table_unset(t, NFTNL_TABLE_OWNER);
	if (nftnl_table_is_set(t, NFTNL_TABLE_FLAGS))
		nftnl_table_set_u32(t, NFTNL_TABLE_FLAGS,
				    nftnl_table_get_u32(t, NFTNL_TABLE_FLAGS) &
				    ~(uint32_t)(NFT_TABLE_F_OWNER | NFT_TABLE_F_PERSIST));
	return fnft_batch_table_obj(b, t);
}

static int snapshot_msgs(const struct fnft_dump *d, struct fnft_batch *b,
			 const char **unknown)
{
	struct snap_ctx x = { .d = d, .b = b, .bound_pass = true };
	int rc;

	rc = table_put(b, d->table);
	/* before anything that names them: rules, and maps' elements */
	if (!rc)
		rc = nftnl_obj_list_foreach(d->objs, obj_cb, &x);
	if (!rc)
		rc = nftnl_flowtable_list_foreach(d->flowtables, flowtable_cb, &x);
	if (!rc)
		rc = nftnl_chain_list_foreach(d->chains, chain_cb, &x);
	/* every set, anonymous ones included, before the rules using them */
	if (!rc)
		rc = nftnl_set_list_foreach(d->sets, set_cb, &x);
	if (!rc)
		rc = nftnl_rule_list_foreach(d->rules, rule_cb, &x);
	x.bound_pass = false;
	if (!rc)
		rc = nftnl_rule_list_foreach(d->rules, rule_cb, &x);
	*unknown = x.unknown;
	return rc;
}

static int snapshot_from_dump(const struct fnft_dump *d, struct fnft_snapshot *s,
			      struct fnft_error *err)
{
	struct fnft_batch *b = fnft_batch_new(0);
	const char *unknown = NULL;
	int rc = b ? snapshot_msgs(d, b, &unknown) : -ENOMEM;

	if (!rc)
		rc = fnft_batch_copy_msgs(b, 0, &s->msgs, &s->n_msgs);
	fnft_batch_free(b);
	if (rc == -EOPNOTSUPP && unknown)
		return fnft_err(err, rc, NULL, s->table,
				"cannot snapshot table inet %s: its object %s is of a kind this libnftnl cannot re-create",
				s->table, unknown);
	if (rc)
		return fnft_err(err, rc, NULL, s->table, "cannot snapshot table inet %s: %s",
				s->table, strerror(-rc));
	return 0;
}

int fnft_snapshot_from_dump(const struct fnft_dump *d, const char *table,
			    struct fnft_snapshot **out, struct fnft_error *err)
{
	struct fnft_snapshot *s = calloc(1, sizeof(*s));
	int rc = 0;

	if (!s)
		return fnft_err(err, -ENOMEM, NULL, NULL, "out of memory");
	snprintf(s->table, sizeof(s->table), "%s", table);
	s->absent = !d->table;
	s->genid = d->genid;
	if (d->table)
		rc = snapshot_from_dump(d, s, err);
	if (rc) {
		fnft_snapshot_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int fnft_snapshot_encode(const struct fnft_snapshot *s, uint32_t genid,
			 uint32_t seq_start, struct fnft_batch **out)
{
	struct fnft_batch *b = fnft_batch_new(seq_start);
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)s->msgs.s;
	int left = (int)s->msgs.len, rc;
	size_t i;

	if (!b)
		return -ENOMEM;
	/* the first NEWTABLE makes the DELTABLE safe on a missing table */
	rc = fnft_batch_begin(b, genid);
	if (!rc)
		rc = fnft_batch_table_add(b, s->table, NULL);
	if (!rc)
		rc = fnft_batch_table_del(b, s->table);
	for (i = 0; !rc && i < s->n_msgs && mnl_nlmsg_ok(nlh, left);
	     i++, nlh = mnl_nlmsg_next(nlh, &left))
		rc = fnft_batch_put_msg(b, nlh);
	if (!rc)
		rc = fnft_batch_end(b);
	if (rc) {
		fnft_batch_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

FNFT_EXPORT void fnft_snapshot_free(struct fnft_snapshot *s)
{
	if (!s)
		return;
	fnft_buf_free(&s->msgs);
	free(s);
}

FNFT_EXPORT bool fnft_snapshot_absent(const struct fnft_snapshot *s)
{
	return s->absent;
}

FNFT_EXPORT uint32_t fnft_snapshot_generation(const struct fnft_snapshot *s)
{
	return s->genid;
}

/* ---- files ---- */

/*
 * A snapshot is put back into the kernel by root: a file anyone else
 * could have written would decide what the kernel gets.  Both ends keep to
 * the state file's rule: the file and its directory ours alone, never a
 * symlink or a FIFO, and no bigger than this.
 */
#define SNAP_MAX (256u << 20)

static int snap_fail(struct fnft_error *err, const char *path, int rc,
		     const char *what)
{
	struct fnft_loc loc = { path, 0 };

	if (rc == -EPERM)
		return fnft_err(err, rc, &loc, NULL,
				"not %s: it or its directory is not a regular file or directory of uid %u writable by it alone",
				what, (unsigned)geteuid());
	if (rc == -EFBIG)
		return fnft_err(err, rc, &loc, NULL, "not %s: bigger than %u MiB",
				what, SNAP_MAX >> 20);
	if (rc == -EINVAL)
		return fnft_err(err, rc, &loc, NULL,
				"not a finesse-nft snapshot, or damaged");
	return fnft_err(err, rc, &loc, NULL, "cannot %s: %s",
			streq(what, "loaded") ? "read" : "write", strerror(-rc));
}

static int write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	for (; len; buf += n, len -= (size_t)n) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0)
			return -errno;
	}
	return 0;
}

FNFT_EXPORT int fnft_snapshot_save(const struct fnft_snapshot *s, const char *path,
				   struct fnft_error *err)
{
	char head[128], tmp[NAME_MAX + 1];
	const char *name;
	int dfd, fd, rc, n;

	if (!s || !path)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	if (s->msgs.len > SNAP_MAX)
		return snap_fail(err, path, -EFBIG, "saved");
	dfd = fnft_path_dir_ours(path, false, &name);
	if (dfd < 0)
		return snap_fail(err, path, dfd, "saved");
	n = snprintf(tmp, sizeof(tmp), "%s.tmp", name);
	fd = n < (int)sizeof(tmp) ? fnft_tmp_create(dfd, tmp) : -ENAMETOOLONG;
	if (fd < 0) {
		close(dfd);
		return snap_fail(err, path, fd, "saved");
	}
	n = snprintf(head, sizeof(head), SNAP_MAGIC "%s %d %zu %zu\n", s->table,
		     s->absent, s->n_msgs, s->msgs.len);
	rc = write_all(fd, head, (size_t)n);
	if (!rc)
		rc = write_all(fd, s->msgs.s, s->msgs.len);
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && renameat(dfd, tmp, dfd, name) < 0)
		rc = -errno;
	if (rc)
		unlinkat(dfd, tmp, 0);
	close(dfd);
	return rc ? snap_fail(err, path, rc, "saved") : 0;
}

/* Every message must be one of ours, well framed, filling the buffer. */
static bool msgs_valid(const char *buf, size_t len, size_t n)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int left = (int)len;
	size_t count = 0;

	for (; mnl_nlmsg_ok(nlh, left); nlh = mnl_nlmsg_next(nlh, &left)) {
		uint16_t t = NFNL_MSG_TYPE(nlh->nlmsg_type);

		if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_NFTABLES ||
		    (t != NFT_MSG_NEWTABLE && t != NFT_MSG_NEWCHAIN &&
		     t != NFT_MSG_NEWSET && t != NFT_MSG_NEWSETELEM &&
		     t != NFT_MSG_NEWRULE && t != NFT_MSG_NEWOBJ &&
		     t != NFT_MSG_NEWFLOWTABLE))
			return false;
		count++;
	}
	return left == 0 && count == n;
}

/* @path opened for reading if it is to be trusted; *size its size. */
static int snap_open(const char *path, size_t *size)
{
	const char *name;
	struct stat st;
	int dfd, fd;

	dfd = fnft_path_dir_ours(path, false, &name);
	if (dfd < 0)
		return dfd;
	fd = fnft_openat_ours(dfd, name, O_RDONLY, 0);
	close(dfd);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || st.st_size > (off_t)SNAP_MAX + 4096) {
		close(fd);
		return -EFBIG;
	}
	*size = (size_t)st.st_size;
	return fd;
}

FNFT_EXPORT int fnft_snapshot_load(const char *path, struct fnft_snapshot **out,
				   struct fnft_error *err)
{
	struct fnft_snapshot *s = NULL;
	char magic[sizeof(SNAP_MAGIC)];
	int absent = 0, fd, rc = -EINVAL;
	size_t n = 0, len = 0, size = 0;
	long head = 0;
	FILE *f = NULL;

	if (!path || !out)
		return fnft_err(err, -EINVAL, NULL, NULL, "invalid argument");
	fd = snap_open(path, &size);
	if (fd < 0)
		return snap_fail(err, path, fd, "loaded");
	s = calloc(1, sizeof(*s));
	f = s ? fdopen(fd, "re") : NULL;
	if (!f) {
		rc = -ENOMEM;
		close(fd);
		goto out;
	}
	/* the header says how much follows; the file must hold exactly that */
	if (!fgets(magic, sizeof(magic), f) || strcmp(magic, SNAP_MAGIC) ||
	    fscanf(f, "%71s %d %zu %zu", s->table, &absent, &n, &len) != 4 ||
	    fgetc(f) != '\n' || (head = ftell(f)) < 0 || len > SNAP_MAX ||
	    (size_t)head + len != size)
		goto out;
	if (len && fnft_grow(&s->msgs.s, &s->msgs.cap, len + 1, 1) < 0) {
		rc = -ENOMEM;
		goto out;
	}
	if (len && fread(s->msgs.s, 1, len, f) != len)
		goto out;
	s->msgs.len = len;
	s->n_msgs = n;
	s->absent = absent != 0;
	if (!fnft_table_name_valid(s->table) || !msgs_valid(s->msgs.s, len, n) ||
	    (s->absent && n))
		goto out;
	rc = 0;
out:
	if (f)
		fclose(f);
	if (rc) {
		fnft_snapshot_free(s);
		return snap_fail(err, path, rc, "loaded");
	}
	*out = s;
	return 0;
}
