/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * guard: what apply refuses before it touches the kernel.
 *
 * The role check.  The same site file copied to both nodes with
 * `node = primary` plans the primary's table on the secondary, whose peer
 * set then holds the secondary itself and not the real primary: cluster
 * traffic from the primary is dropped.  When none of this host's addresses
 * (getifaddrs(), in the network namespace the table goes to) is one of the
 * planned role's [cluster] addresses and one is the other role's, apply
 * refuses.  It asks with --node too: a wrong --node is the same danger as
 * a wrong `node =`.  A host holding addresses of both roles, or of neither
 * (a lab, a namespace without the cluster network), is not refused.
 *
 * The SSH lockout guard.  The sessions come from the kernel, not from the
 * environment, which sudo's env_reset, systemd units and Ansible's become
 * do not pass on: the established TCP connections of this network
 * namespace (sock_diag, IPv4 and IPv6) to port 22 or to a port on which an
 * sshd listener holds a listening socket (its /proc/PID/fd socket inodes
 * matched with the inodes of the same dump).  SSH_CONNECTION, when set, is
 * one more session.  A plan under which a new connection from one of those
 * clients to the port it used would be dropped is refused.
 *
 * Loopback.  fnft_explain() evaluates a packet that is not on lo, and does
 * not model `iifname "lo" accept`; but every plan accepts lo in rule 3 of
 * input, before any row, and a client address of this host (127.0.0.0/8,
 * ::1, or any address of its interfaces) reaches us over lo.  Such
 * sessions are left out instead of being asked: asking would refuse every
 * `ssh localhost` and every tunnel through this node.
 *
 * --force skips both.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "exit.h"
#include "guard.h"
#include "say.h"

#define SSH_PORT 22

/* ---- small containers ---- */

struct addr {
	int family;		/* AF_INET or AF_INET6 */
	uint8_t a[16];		/* network order; IPv4 in bytes 0..3 */
};

struct vec {
	void *v;
	size_t n, cap, sz;
};

#define VEC(type) { .sz = sizeof(type) }
#define AT(vec, type, i) (&((type *)(vec).v)[i])

/* A new zeroed element at the end, or NULL when out of memory. */
static void *vec_push(struct vec *x)
{
	void *p;

	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 16;

		if (!(p = realloc(x->v, cap * x->sz)))
			return NULL;
		x->v = p;
		x->cap = cap;
	}
	p = (char *)x->v + x->n++ * x->sz;
	memset(p, 0, x->sz);
	return p;
}

static void vec_free(struct vec *x)
{
	free(x->v);
	x->v = NULL;
	x->n = x->cap = 0;
}

static size_t addr_width(const struct addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

static bool addr_eq(const struct addr *a, const struct addr *b)
{
	return a->family == b->family && !memcmp(a->a, b->a, addr_width(a));
}

/* ::ffff:10.0.0.1, as a dual-stack socket holds an IPv4 peer, is 10.0.0.1 */
static void addr_unmap(struct addr *a)
{
	static const uint8_t mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (a->family != AF_INET6 || memcmp(a->a, mapped, sizeof(mapped)))
		return;
	memmove(a->a, a->a + 12, 4);
	memset(a->a + 4, 0, 12);
	a->family = AF_INET;
}

static bool addr_parse(const char *s, struct addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = strchr(s, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(a->family, s, a->a) != 1)
		return false;
	addr_unmap(a);
	return true;
}

static void addr_format(const struct addr *a, char *buf, size_t len)
{
	if (!inet_ntop(a->family, a->a, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static bool addr_in(const struct addr *a, const struct vec *list)
{
	size_t i;

	for (i = 0; i < list->n; i++)
		if (addr_eq(a, AT(*list, struct addr, i)))
			return true;
	return false;
}

/* ---- this host's addresses ---- */

static int local_addrs(struct vec *out)
{
	struct ifaddrs *ifa, *i;
	struct addr *a;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i; i = i->ifa_next) {
		int fam = i->ifa_addr ? i->ifa_addr->sa_family : AF_UNSPEC;

		if (fam != AF_INET && fam != AF_INET6)
			continue;
		if (!(a = vec_push(out))) {
			freeifaddrs(ifa);
			return -ENOMEM;
		}
		a->family = fam;
		if (fam == AF_INET)
			memcpy(a->a, &((struct sockaddr_in *)(void *)i->ifa_addr)->sin_addr, 4);
		else
			memcpy(a->a, &((struct sockaddr_in6 *)(void *)i->ifa_addr)->sin6_addr, 16);
	}
	freeifaddrs(ifa);
	return 0;
}

/* Would a connection from @a come in over lo? */
static bool addr_is_local(const struct addr *a, const struct vec *local)
{
	static const uint8_t one[16] = { [15] = 1 };

	if (a->family == AF_INET && a->a[0] == 127)
		return true;
	if (a->family == AF_INET6 && !memcmp(a->a, one, 16))
		return true;
	return addr_in(a, local);
}

/* ---- the role check ---- */

/* The [cluster] addresses of @role; with @text, also "a, b" for messages. */
static int cluster_addrs(const struct fnft_site *site, enum fnft_role role,
			 struct vec *out, char *text, size_t len)
{
	size_t i, n = fnft_site_cluster_address_count(site, role), off = 0;
	char buf[FNFT_ADDRSTRLEN];
	struct addr *a;

	if (text && len)
		text[0] = '\0';
	for (i = 0; i < n; i++) {
		if (fnft_site_cluster_address(site, role, i, buf, sizeof(buf)) < 0)
			continue;
		if (!(a = vec_push(out)))
			return -ENOMEM;
		if (!addr_parse(buf, a))
			out->n--;
		else if (text && off < len)
			off += (size_t)snprintf(text + off, len - off, "%s%s",
						off ? ", " : "", buf);
	}
	return 0;
}

/* The first of @local that is in @list, as text, or false. */
static bool held(const struct vec *local, const struct vec *list, char *buf,
		 size_t len)
{
	size_t i;

	for (i = 0; i < local->n; i++)
		if (addr_in(AT(*local, struct addr, i), list)) {
			addr_format(AT(*local, struct addr, i), buf, len);
			return true;
		}
	return false;
}

static int role_guard(const struct fnft_site *site, enum fnft_role given,
		      const struct vec *local)
{
	enum fnft_role role = given != FNFT_ROLE_SITE ? given : fnft_site_role(site);
	enum fnft_role other = role == FNFT_ROLE_PRIMARY ? FNFT_ROLE_SECONDARY
							 : FNFT_ROLE_PRIMARY;
	struct vec mine = VEC(struct addr), theirs = VEC(struct addr);
	char own[512] = "", addr[INET6_ADDRSTRLEN], ignored[INET6_ADDRSTRLEN];
	int rc = 0;

	if (role == FNFT_ROLE_SITE)
		return 0;	/* the plan would not have been made */
	if (cluster_addrs(site, role, &mine, own, sizeof(own)) < 0 ||
	    cluster_addrs(site, other, &theirs, NULL, 0) < 0) {
		rc = say(EXIT_SYSTEM, "out of memory");
	} else if (!held(local, &mine, ignored, sizeof(ignored)) &&
		   held(local, &theirs, addr, sizeof(addr))) {
		say(0, "refusing to apply: planned as the %s (%s %s), but this host holds %s, "
		    "the %s's [cluster] address, and none of the %s's (%s)",
		    fnft_role_name(role), given != FNFT_ROLE_SITE ? "--node" : "node =",
		    fnft_role_name(role), addr, fnft_role_name(other),
		    fnft_role_name(role), own[0] ? own : "none given");
		rc = say(EXIT_REFUSED, "pass --node %s or fix node = in [cluster], or pass --force",
			 fnft_role_name(other));
	}
	vec_free(&mine);
	vec_free(&theirs);
	return rc;
}

/* ---- TCP sockets of this network namespace, from sock_diag ---- */

struct sock {
	struct addr remote;
	uint16_t lport;
	uint8_t state;
	unsigned long inode;
};

static int diag_row(const struct nlmsghdr *nlh, void *data)
{
	const struct inet_diag_msg *m = mnl_nlmsg_get_payload(nlh);
	struct sock *s;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*m) ||
	    (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	if (!(s = vec_push(data))) {
		errno = ENOMEM;
		return MNL_CB_ERROR;
	}
	s->state = m->idiag_state;
	s->inode = m->idiag_inode;
	s->lport = ntohs(m->id.idiag_sport);
	s->remote.family = m->idiag_family;
	memcpy(s->remote.a, m->id.idiag_dst, addr_width(&s->remote));
	addr_unmap(&s->remote);
	return MNL_CB_OK;
}

static int diag_dump(struct mnl_socket *nl, int family, unsigned seq,
		     struct vec *socks)
{
	char buf[32768];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *req;
	ssize_t n;
	int rc;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	req = mnl_nlmsg_put_extra_header(nlh, sizeof(*req));
	req->sdiag_family = (uint8_t)family;
	req->sdiag_protocol = IPPROTO_TCP;
	req->idiag_states = 1u << TCP_ESTABLISHED | 1u << TCP_LISTEN;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	do {
		n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (n < 0)
			return -errno;
		rc = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(nl),
				diag_row, socks);
	} while (rc == MNL_CB_OK);
	return rc < 0 ? (errno ? -errno : -EIO) : 0;
}

/*
 * Whether this network namespace may have a TCP socket: "TCP: inuse N" of
 * /proc/net/sockstat and "TCP6: inuse N" of sockstat6 count this
 * namespace's hashed sockets, listeners included.  A dump walks every
 * bucket of the host's established hash (at 24 GiB of memory, ~5 ms for
 * nothing); with both counts 0 it could only come back empty.  True when
 * unknown.
 */
static bool tcp_in_use(void)
{
	static const char *const files[][2] = {
		{ "/proc/net/sockstat", "TCP: inuse " },
		{ "/proc/net/sockstat6", "TCP6: inuse " },
	};
	char line[256], *end;
	size_t i;

	for (i = 0; i < 2; i++) {
		FILE *f = fopen(files[i][0], "re");
		size_t len = strlen(files[i][1]);
		unsigned long n = 1;
		bool seen = false;

		if (!f)
			return true;
		while (!seen && fgets(line, sizeof(line), f))
			if (strncmp(line, files[i][1], len) == 0) {
				n = strtoul(line + len, &end, 10);
				seen = end != line + len;
			}
		fclose(f);
		if (!seen || n)
			return true;
	}
	return false;
}

/* The established and listening TCP sockets, IPv4 and IPv6. */
static int tcp_sockets(struct vec *socks)
{
	struct mnl_socket *nl;
	int rc;

	if (!tcp_in_use())
		return 0;
	nl = mnl_socket_open(NETLINK_SOCK_DIAG);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		rc = -errno;
	else if (!(rc = diag_dump(nl, AF_INET, 1, socks)))
		rc = diag_dump(nl, AF_INET6, 2, socks);
	mnl_socket_close(nl);
	return rc;
}

/* ---- sshd's listening sockets, from /proc ---- */

/* The first line of /proc/@pid/@file, without its newline. */
static bool proc_line(const char *pid, const char *file, char *buf, size_t len)
{
	char path[320];
	bool ok;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%s/%s", pid, file);
	if (!(f = fopen(path, "re")))
		return false;
	ok = fgets(buf, (int)len, f) != NULL;
	fclose(f);
	if (ok)
		buf[strcspn(buf, "\n")] = '\0';
	return ok;
}

static bool proc_is_sshd(const char *pid)
{
	char comm[32];

	return proc_line(pid, "comm", comm, sizeof(comm)) && !strcmp(comm, "sshd");
}

/*
 * The listener, not a session: up to OpenSSH 9.7 each session runs in
 * processes named sshd too, children of the listener, and they hold the
 * listening sockets of remote port forwards (ssh -R), which are no SSH port.
 */
static bool proc_is_sshd_listener(const char *pid)
{
	char stat[512], ppid[24];
	const char *p;
	int parent;

	if (!proc_is_sshd(pid))
		return false;
	if (!proc_line(pid, "stat", stat, sizeof(stat)) || !(p = strrchr(stat, ')')) ||
	    sscanf(p + 1, " %*c %d", &parent) != 1)
		return true;
	snprintf(ppid, sizeof(ppid), "%d", parent);
	return !proc_is_sshd(ppid);
}

/* The inodes of the sockets /proc/@pid/fd holds, appended to @inodes. */
static int proc_sockets(const char *pid, struct vec *inodes)
{
	char path[320], link[64];
	unsigned long ino, *v;
	struct dirent *e;
	ssize_t n;
	DIR *d;
	int rc = 0;

	snprintf(path, sizeof(path), "/proc/%s/fd", pid);
	if (!(d = opendir(path)))
		return 0;	/* gone, or not ours to read: port 22 still counts */
	while (!rc && (e = readdir(d))) {
		n = readlinkat(dirfd(d), e->d_name, link, sizeof(link) - 1);
		if (n < 0)
			continue;
		link[n] = '\0';
		if (sscanf(link, "socket:[%lu]", &ino) != 1)
			continue;
		if (!(v = vec_push(inodes)))
			rc = -ENOMEM;
		else
			*v = ino;
	}
	closedir(d);
	return rc;
}

static int sshd_sockets(struct vec *inodes)
{
	struct dirent *e;
	DIR *d = opendir("/proc");
	int rc = 0;

	if (!d)
		return 0;
	while (!rc && (e = readdir(d)))
		if (isdigit((unsigned char)e->d_name[0]) && proc_is_sshd_listener(e->d_name))
			rc = proc_sockets(e->d_name, inodes);
	closedir(d);
	return rc;
}

/* ---- SSH sessions ---- */

struct session {
	struct addr client;
	unsigned port;		/* the SSH port it came in on */
	bool yours;		/* SSH_CONNECTION's: the caller's own */
};

static bool port_in(unsigned port, const struct vec *ports)
{
	size_t i;

	for (i = 0; i < ports->n; i++)
		if (*AT(*ports, unsigned, i) == port)
			return true;
	return false;
}

static bool inode_in(unsigned long ino, const struct vec *inodes)
{
	size_t i;

	for (i = 0; i < inodes->n; i++)
		if (*AT(*inodes, unsigned long, i) == ino)
			return true;
	return false;
}

/* The SSH ports: 22 and each port an sshd listener listens on. */
static int ssh_ports(const struct vec *socks, struct vec *ports)
{
	struct vec inodes = VEC(unsigned long);
	unsigned *p;
	size_t i;
	int rc;

	if (!(p = vec_push(ports)))
		return -ENOMEM;
	*p = SSH_PORT;
	rc = sshd_sockets(&inodes);
	for (i = 0; !rc && i < socks->n; i++) {
		const struct sock *s = AT(*socks, struct sock, i);

		if (s->state != TCP_LISTEN || port_in(s->lport, ports) ||
		    !inode_in(s->inode, &inodes))
			continue;
		if (!(p = vec_push(ports)))
			rc = -ENOMEM;
		else
			*p = s->lport;
	}
	vec_free(&inodes);
	return rc;
}

static int add_session(struct vec *sessions, const struct addr *client,
		       unsigned port, bool yours)
{
	struct session *s = vec_push(sessions);

	if (!s)
		return -ENOMEM;
	s->client = *client;
	s->port = port;
	s->yours = yours;
	return 0;
}

/* Sessions of the kernel; -errno when they cannot be read. */
static int kernel_sessions(struct vec *sessions)
{
	struct vec socks = VEC(struct sock), ports = VEC(unsigned);
	size_t i;
	int rc;

	rc = tcp_sockets(&socks);
	if (!rc)
		rc = ssh_ports(&socks, &ports);
	for (i = 0; !rc && i < socks.n; i++) {
		const struct sock *s = AT(socks, struct sock, i);

		if (s->state == TCP_ESTABLISHED && port_in(s->lport, &ports))
			rc = add_session(sessions, &s->remote, s->lport, false);
	}
	vec_free(&socks);
	vec_free(&ports);
	return rc;
}

/* "client-address client-port server-address server-port"; -EINVAL if not */
static int env_session(const char *conn, struct vec *sessions)
{
	char client[64];
	unsigned cport, sport;
	struct addr a;

	if (sscanf(conn, "%63s %u %*s %u", client, &cport, &sport) != 3 ||
	    !addr_parse(client, &a) || sport < 1 || sport > 65535)
		return -EINVAL;
	return add_session(sessions, &a, sport, true);
}

static int session_cmp(const void *pa, const void *pb)
{
	const struct session *a = pa, *b = pb;

	if (a->port != b->port)
		return a->port < b->port ? -1 : 1;
	if (a->client.family != b->client.family)
		return a->client.family == AF_INET ? -1 : 1;
	return memcmp(a->client.a, b->client.a, sizeof(a->client.a));
}

/* Sort by port and client; one entry per pair, yours if any was. */
static void sessions_dedup(struct vec *sessions)
{
	size_t i, w = 0;

	if (!sessions->n)
		return;
	qsort(sessions->v, sessions->n, sizeof(struct session), session_cmp);
	for (i = 1; i < sessions->n; i++) {
		struct session *cur = AT(*sessions, struct session, w);
		struct session *s = AT(*sessions, struct session, i);

		if (!session_cmp(cur, s))
			cur->yours |= s->yours;
		else
			*AT(*sessions, struct session, ++w) = *s;
	}
	sessions->n = w + 1;
}

/* ---- the SSH lockout guard ---- */

void explanation_describe(const struct fnft_explanation *ex, char *buf, size_t len)
{
	if (ex->by_policy)
		snprintf(buf, len, "%s by the policy of chain %s",
			 ex->accepted ? "accept" : "drop", ex->chain);
	else if (ex->row[0])
		snprintf(buf, len, "%s by row %s (chain %s, rule %u)",
			 ex->accepted ? "accept" : "drop", ex->row, ex->chain, ex->rule);
	else
		snprintf(buf, len, "%s by rule %u of chain %s",
			 ex->accepted ? "accept" : "drop", ex->rule, ex->chain);
}

/* Ask the plan about one session; true (and say why) when it refuses it. */
static bool refused(const struct fnft_ruleset *plan, const struct session *s)
{
	struct fnft_explanation ex;
	char client[INET6_ADDRSTRLEN], how[256];

	addr_format(&s->client, client, sizeof(client));
	if (fnft_explain(plan, false, client, FNFT_PROTO_TCP, s->port, &ex) < 0 ||
	    ex.accepted)
		return false;
	explanation_describe(&ex, how, sizeof(how));
	say(0, "refusing to apply: the plan would refuse a new SSH connection from %s to port %u (%s): %s",
	    client, s->port, s->yours ? "your next login" : "a session from it is open now", how);
	return true;
}

/* The rows that would admit port @port, and the refused clients to add. */
static void suggest(const struct fnft_ruleset *plan, const struct vec *sessions,
		    const bool *refusal, unsigned port)
{
	char clients[1024] = "", client[INET6_ADDRSTRLEN], *rows = NULL;
	size_t i, off = 0;

	for (i = 0; i < sessions->n && off < sizeof(clients); i++) {
		const struct session *s = AT(*sessions, struct session, i);

		if (s->port != port || !refusal[i])
			continue;
		addr_format(&s->client, client, sizeof(client));
		off += (size_t)snprintf(clients + off, sizeof(clients) - off, "%s%s",
					off ? ", " : "", client);
	}
	fnft_ruleset_rows_for_port(plan, false, FNFT_PROTO_TCP, port, &rows);
	if (rows && *rows)
		say(0, "rows admitting tcp/%u: %s; add %s to one of their groups, or pass --force",
		    port, rows, clients);
	else
		say(0, "no row admits tcp/%u: add an [entry] with listen-port = %u whose group holds %s, or pass --force",
		    port, port, clients);
	free(rows);
}

static int ssh_guard(const struct fnft_ruleset *plan, const struct vec *local)
{
	struct vec sessions = VEC(struct session);
	const char *conn = getenv("SSH_CONNECTION");
	bool *refusal = NULL, any = false;
	unsigned port;
	size_t i;
	int rc;

	if ((rc = kernel_sessions(&sessions)) == -ENOMEM)
		goto out;
	if (rc)
		say(0, "cannot read this network namespace's TCP connections (%s); "
		    "the SSH lockout guard goes by SSH_CONNECTION alone", strerror(-rc));
	if (conn && *conn && (rc = env_session(conn, &sessions)) == -EINVAL) {
		rc = say(EXIT_REFUSED, "cannot read SSH_CONNECTION '%s'; refusing to apply (--force overrides)",
			 conn);
		goto out;
	}
	if (rc == -ENOMEM)
		goto out;
	sessions_dedup(&sessions);
	if (sessions.n && !(refusal = calloc(sessions.n, sizeof(*refusal)))) {
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < sessions.n; i++) {
		const struct session *s = AT(sessions, struct session, i);

		if (!addr_is_local(&s->client, local))
			any |= refusal[i] = refused(plan, s);
	}
	/* sorted by port: one suggestion per port, naming all its refused clients */
	for (i = 0, port = 0; i < sessions.n; i++)
		if (refusal[i] && AT(sessions, struct session, i)->port != port) {
			port = AT(sessions, struct session, i)->port;
			suggest(plan, &sessions, refusal, port);
		}
	rc = any ? EXIT_REFUSED : 0;
out:
	if (rc == -ENOMEM)
		rc = say(EXIT_SYSTEM, "out of memory");
	free(refusal);
	vec_free(&sessions);
	return rc;
}

int guard_apply(const struct fnft_site *site, enum fnft_role role,
		const struct fnft_ruleset *plan, bool force)
{
	struct vec local = VEC(struct addr);
	int rc;

	if (force)
		return 0;
	if ((rc = local_addrs(&local)) == -ENOMEM) {
		vec_free(&local);
		return say(EXIT_SYSTEM, "out of memory");
	}
	if (rc)
		say(0, "cannot read this host's addresses (%s); the role check is skipped",
		    strerror(-rc));
	rc = rc ? 0 : role_guard(site, role, &local);
	if (!rc)
		rc = ssh_guard(plan, &local);
	vec_free(&local);
	return rc;
}
