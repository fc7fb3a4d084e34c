/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Unified diff of two texts.
 *
 * Every distinct line is first given a small integer (its equivalence
 * class), so all later work compares integers rather than bytes. Most of
 * the common prefix and suffix is set aside, lines that occur only on one
 * side are marked changed outright, and Myers' linear-space O(ND)
 * algorithm matches what remains. Runs of changes are then slid along
 * repeated lines, and finally the hunks are printed.
 *
 * Wherever several minimal edit scripts exist, the choice is made as GNU
 * diff makes it, so that its output is reproduced byte for byte. The one
 * exception is diff's heuristic for lines repeated very often, which can
 * give up minimality; it is not imitated.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "udiff.h"

struct line {
	const char *p;
	/* Includes the '\n' if there is one, so that a last line lacking
	 * it differs from the same line with it, as in diff. */
	size_t len;
};

struct text {
	struct line *lines;
	size_t n;
	size_t *eq;		/* equivalence class of each line */
	unsigned char *chg;	/* line deleted (first text) or inserted (second) */
};

static void text_free(struct text *t)
{
	free(t->lines);
	free(t->eq);
	free(t->chg);
}

static int text_split(struct text *t, const char *s)
{
	const char *nl;
	size_t n = 0, i;

	for (nl = s; (nl = strchr(nl, '\n')); nl++)
		n++;
	if (*s && s[strlen(s) - 1] != '\n')
		n++;

	/* One spare slot everywhere: malloc(0) may return NULL, and
	 * that must not read as a failure for an empty text. */
	t->n = n;
	t->lines = calloc(n + 1, sizeof(*t->lines));
	t->eq = calloc(n + 1, sizeof(*t->eq));
	t->chg = calloc(n + 1, 1);
	if (!t->lines || !t->eq || !t->chg)
		return -ENOMEM;

	for (i = 0; i < n; i++) {
		nl = strchr(s, '\n');
		t->lines[i].p = s;
		t->lines[i].len = nl ? (size_t)(nl - s) + 1 : strlen(s);
		s += t->lines[i].len;
	}
	return 0;
}

static bool line_eq(const struct line *x, const struct line *y)
{
	return x->len == y->len && memcmp(x->p, y->p, x->len) == 0;
}

/* FNV-1a: plenty for spreading lines over a hash table. */
static uint64_t line_hash(const struct line *l)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < l->len; i++) {
		h ^= (unsigned char)l->p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

struct classes {
	size_t *slot;		/* open addressing; class + 1, 0 when empty */
	size_t mask;
	const struct line **rep;	/* one line of each class */
	uint64_t *hash;
	size_t n;
};

static void classes_free(struct classes *c)
{
	free(c->slot);
	free(c->rep);
	free(c->hash);
}

static int classes_init(struct classes *c, size_t nlines)
{
	size_t size = 16;

	/* At most half full, so probe sequences stay short. */
	while (size / 2 < nlines)
		size *= 2;
	c->mask = size - 1;
	c->n = 0;
	c->slot = calloc(size, sizeof(*c->slot));
	c->rep = calloc(nlines + 1, sizeof(*c->rep));
	c->hash = calloc(nlines + 1, sizeof(*c->hash));
	if (!c->slot || !c->rep || !c->hash)
		return -ENOMEM;
	return 0;
}

static size_t classes_lookup(struct classes *c, const struct line *l)
{
	uint64_t h = line_hash(l);
	size_t i, k;

	for (i = h & c->mask; c->slot[i]; i = (i + 1) & c->mask) {
		k = c->slot[i] - 1;
		if (c->hash[k] == h && line_eq(c->rep[k], l))
			return k;
	}
	k = c->n++;
	c->rep[k] = l;
	c->hash[k] = h;
	c->slot[i] = k + 1;
	return k;
}

static void classes_assign(struct classes *c, struct text *t)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		t->eq[i] = classes_lookup(c, &t->lines[i]);
}

/*
 * Myers' algorithm on the lines that survived filtering. Coordinates are
 * indices into the filtered sequences a and b; amap/bmap lead back to the
 * real line numbers for marking changes.
 */
struct myers {
	const size_t *a, *b;
	const size_t *amap, *bmap;
	unsigned char *achg, *bchg;
	/* Furthest x reached per diagonal k = x - y, forward and backward;
	 * both are offset so that any diagonal of the problem is a valid index. */
	ptrdiff_t *fd, *bd;
	/* Rounds of searching after which an inexact split is accepted. */
	ptrdiff_t too_expensive;
};

struct split {
	ptrdiff_t x, y;
	/* Whether the part before / after the point still deserves an exact
	 * search; the side that was given up on does not. */
	bool lo_exact, hi_exact;
};

#define FWD_NONE ((ptrdiff_t)-1)
#define BWD_NONE PTRDIFF_MAX

/* The diagonals reachable with exactly d edits from diagonal mid have the
 * parity of mid + d; clamp that set to the diagonals that cross the box. */
static void diag_range(ptrdiff_t mid, ptrdiff_t d, ptrdiff_t dmin, ptrdiff_t dmax,
		       ptrdiff_t *lo, ptrdiff_t *hi)
{
	*lo = mid - d;
	if (*lo < dmin)
		*lo = dmin + ((dmin - *lo) & 1);
	*hi = mid + d;
	if (*hi > dmax)
		*hi = dmax - ((*hi - dmax) & 1);
}

static bool in_range(ptrdiff_t k, ptrdiff_t lo, ptrdiff_t hi)
{
	return k >= lo && k <= hi;
}

/*
 * Giving up on an exact answer: split at whichever frontier point got
 * furthest from its own corner. The edit script stays valid, just maybe
 * not minimal; this only happens for texts that differ almost everywhere,
 * where exactness would cost time quadratic in their length.
 */
static void split_inexact(const struct myers *m, ptrdiff_t xoff, ptrdiff_t xlim,
			  ptrdiff_t yoff, ptrdiff_t ylim, ptrdiff_t flo, ptrdiff_t fhi,
			  ptrdiff_t blo, ptrdiff_t bhi, struct split *sp)
{
	ptrdiff_t fbest = -1, fx = xoff, bbest = PTRDIFF_MAX, bx = xlim, k;

	for (k = fhi; k >= flo; k -= 2)
		if (m->fd[k] != FWD_NONE && 2 * m->fd[k] - k > fbest) {
			fbest = 2 * m->fd[k] - k;
			fx = m->fd[k];
		}
	for (k = bhi; k >= blo; k -= 2)
		if (m->bd[k] != BWD_NONE && 2 * m->bd[k] - k < bbest) {
			bbest = 2 * m->bd[k] - k;
			bx = m->bd[k];
		}

	if (fbest - (xoff + yoff) > (xlim + ylim) - bbest) {
		*sp = (struct split) { fx, fbest - fx, true, false };
	} else {
		*sp = (struct split) { bx, bbest - bx, false, true };
	}
}

/*
 * Find a point on a shortest edit path through the box [xoff, xlim) x
 * [yoff, ylim), by searching from both corners at once until the two
 * frontiers meet. The caller guarantees that both sides are non-empty and
 * that the first and last lines differ, so the distance is at least 2 and
 * the point splits the problem into two cheaper ones.
 *
 * Ties, and which meeting point wins when several appear in the same
 * round (the highest diagonal), go the way GNU diff decides them, so that
 * its output is matched.
 */
static void myers_split(const struct myers *m, ptrdiff_t xoff, ptrdiff_t xlim,
			ptrdiff_t yoff, ptrdiff_t ylim, bool exact, struct split *sp)
{
	const size_t *a = m->a, *b = m->b;
	ptrdiff_t *fd = m->fd, *bd = m->bd;
	const ptrdiff_t dmin = xoff - ylim, dmax = xlim - yoff;
	const ptrdiff_t fmid = xoff - yoff, bmid = xlim - ylim;
	/* Which search can see the meeting depends on the parity of the
	 * distance, which is that of the difference of the two diagonals. */
	const bool odd = (bmid - fmid) & 1;
	ptrdiff_t flo = fmid, fhi = fmid, blo = bmid, bhi = bmid;
	ptrdiff_t d, k, x, y, plo, phi;

	fd[fmid] = xoff;
	bd[bmid] = xlim;

	for (d = 1;; d++) {
		plo = flo;
		phi = fhi;
		diag_range(fmid, d, dmin, dmax, &flo, &fhi);
		for (k = fhi; k >= flo; k -= 2) {
			bool right = in_range(k - 1, plo, phi) && fd[k - 1] != FWD_NONE &&
				     fd[k - 1] < xlim;
			bool down = in_range(k + 1, plo, phi) && fd[k + 1] != FWD_NONE &&
				    fd[k + 1] - (k + 1) < ylim;

			if (right && (!down || fd[k - 1] >= fd[k + 1]))
				x = fd[k - 1] + 1;
			else if (down)
				x = fd[k + 1];
			else {
				fd[k] = FWD_NONE;
				continue;
			}
			for (y = x - k; x < xlim && y < ylim && a[x] == b[y]; x++, y++)
				;
			fd[k] = x;
			if (odd && in_range(k, blo, bhi) && bd[k] <= x) {
				*sp = (struct split) { x, y, true, true };
				return;
			}
		}

		plo = blo;
		phi = bhi;
		diag_range(bmid, d, dmin, dmax, &blo, &bhi);
		for (k = bhi; k >= blo; k -= 2) {
			bool left = in_range(k + 1, plo, phi) && bd[k + 1] != BWD_NONE &&
				    bd[k + 1] > xoff;
			bool up = in_range(k - 1, plo, phi) && bd[k - 1] != BWD_NONE &&
				  bd[k - 1] - (k - 1) > yoff;

			if (up && (!left || bd[k - 1] < bd[k + 1]))
				x = bd[k - 1];
			else if (left)
				x = bd[k + 1] - 1;
			else {
				bd[k] = BWD_NONE;
				continue;
			}
			for (y = x - k; x > xoff && y > yoff && a[x - 1] == b[y - 1]; x--, y--)
				;
			bd[k] = x;
			if (!odd && in_range(k, flo, fhi) && x <= fd[k]) {
				*sp = (struct split) { x, y, true, true };
				return;
			}
		}

		if (!exact && d >= m->too_expensive) {
			split_inexact(m, xoff, xlim, yoff, ylim, flo, fhi, blo, bhi, sp);
			return;
		}
	}
}

/* Recursion depth is logarithmic in the edit distance: each exact split
 * halves it, and inexact ones each take away at least too_expensive. */
static void myers_compare(const struct myers *m, ptrdiff_t xoff, ptrdiff_t xlim,
			  ptrdiff_t yoff, ptrdiff_t ylim, bool exact)
{
	struct split sp;

	while (xoff < xlim && yoff < ylim && m->a[xoff] == m->b[yoff]) {
		xoff++;
		yoff++;
	}
	while (xoff < xlim && yoff < ylim && m->a[xlim - 1] == m->b[ylim - 1]) {
		xlim--;
		ylim--;
	}

	if (xoff == xlim) {
		for (; yoff < ylim; yoff++)
			m->bchg[m->bmap[yoff]] = 1;
	} else if (yoff == ylim) {
		for (; xoff < xlim; xoff++)
			m->achg[m->amap[xoff]] = 1;
	} else {
		myers_split(m, xoff, xlim, yoff, ylim, exact, &sp);
		myers_compare(m, xoff, sp.x, yoff, sp.y, sp.lo_exact);
		myers_compare(m, sp.x, xlim, sp.y, ylim, sp.hi_exact);
	}
}

/* Beyond this many rounds a split stops being exact: about the square root
 * of the problem size, but never below 4096 (as in GNU diff), so that any
 * two texts differing in fewer than several thousand lines get a minimal
 * script, while texts differing everywhere still take near-linear time. */
static ptrdiff_t too_expensive(size_t size)
{
	ptrdiff_t limit = 1;

	for (; size; size >>= 2)
		limit <<= 1;
	return limit < 4096 ? 4096 : limit;
}

/*
 * Mark the changes between lines [lo, ahi) of a and [lo, bhi) of b. A line
 * whose class does not occur on the other side cannot be matched, so it is
 * marked at once; this keeps Myers' distance (and its running time) small
 * when many lines were replaced, and does not change how many lines end
 * up matched.
 */
static int diff_region(struct text *a, struct text *b, size_t nclasses, size_t lo,
		       size_t ahi, size_t bhi)
{
	unsigned char *in_a = NULL, *in_b = NULL;
	size_t *ra = NULL, *rb = NULL, *amap = NULL, *bmap = NULL;
	ptrdiff_t *fd = NULL, *bd = NULL;
	size_t rn = 0, rm = 0, i;
	int r = -ENOMEM;

	in_a = calloc(nclasses + 1, 1);
	in_b = calloc(nclasses + 1, 1);
	ra = calloc(ahi - lo + 1, sizeof(*ra));
	amap = calloc(ahi - lo + 1, sizeof(*amap));
	rb = calloc(bhi - lo + 1, sizeof(*rb));
	bmap = calloc(bhi - lo + 1, sizeof(*bmap));
	if (!in_a || !in_b || !ra || !amap || !rb || !bmap)
		goto out;

	for (i = lo; i < ahi; i++)
		in_a[a->eq[i]] = 1;
	for (i = lo; i < bhi; i++)
		in_b[b->eq[i]] = 1;

	for (i = lo; i < ahi; i++) {
		if (!in_b[a->eq[i]]) {
			a->chg[i] = 1;
			continue;
		}
		ra[rn] = a->eq[i];
		amap[rn++] = i;
	}
	for (i = lo; i < bhi; i++) {
		if (!in_a[b->eq[i]]) {
			b->chg[i] = 1;
			continue;
		}
		rb[rm] = b->eq[i];
		bmap[rm++] = i;
	}

	fd = calloc(rn + rm + 3, sizeof(*fd));
	bd = calloc(rn + rm + 3, sizeof(*bd));
	if (!fd || !bd)
		goto out;

	myers_compare(&(struct myers) {
			      .a = ra, .b = rb, .amap = amap, .bmap = bmap,
			      .achg = a->chg, .bchg = b->chg,
			      .fd = fd + rm + 1, .bd = bd + rm + 1,
			      .too_expensive = too_expensive(rn + rm + 3),
		      },
		      0, (ptrdiff_t)rn, 0, (ptrdiff_t)rm, false);
	r = 0;
out:
	free(in_a);
	free(in_b);
	free(ra);
	free(rb);
	free(amap);
	free(bmap);
	free(fd);
	free(bd);
	return r;
}

/* First unchanged line after k, or n when there is none. */
static ptrdiff_t next_kept(const unsigned char *chg, ptrdiff_t n, ptrdiff_t k)
{
	for (k++; k < n && chg[k]; k++)
		;
	return k;
}

/* Last unchanged line before k, or -1 when there is none. */
static ptrdiff_t prev_kept(const unsigned char *chg, ptrdiff_t k)
{
	for (k--; k >= 0 && chg[k]; k--)
		;
	return k;
}

/*
 * A run of changed lines whose first line equals the unchanged line after
 * it can move one line down without changing the edit's cost (and likewise
 * up); where it sits is arbitrary, but diff -u picks a definite place and
 * we want identical output. So, for every run in t: merge it with whatever
 * runs it can reach by sliding, leave it as low as it goes, except that a
 * position facing changes in the other text o is preferred, because there
 * the two print as one block of '-' and '+' lines.
 *
 * Only lines [lo, hi) of t and [lo, ohi) of o take part, the same region as
 * diff's, whose borders runs cannot cross.
 *
 * p and q track the lines of o matched to the unchanged lines just before
 * and after the run; changes in o sit between them exactly when q > p + 1.
 */
static void shift_runs(struct text *t, const struct text *o, size_t lo, size_t hi, size_t ohi)
{
	const size_t *eq = t->eq + lo;
	unsigned char *chg = t->chg + lo;
	const unsigned char *ochg = o->chg + lo;
	const ptrdiff_t n = (ptrdiff_t)(hi - lo), on = (ptrdiff_t)(ohi - lo);
	ptrdiff_t i = 0, p = -1;

	for (;;) {
		ptrdiff_t s, e, q, len, facing;

		for (; i < n && !chg[i]; i++)
			p = next_kept(ochg, on, p);
		if (i == n)
			break;

		s = i;
		for (e = s; e < n && chg[e]; e++)
			;
		q = next_kept(ochg, on, p);

		/* Every merge may open up new slides, so go on until the
		 * run stops growing. */
		do {
			len = e - s;

			while (s > 0 && eq[s - 1] == eq[e - 1]) {
				chg[--s] = 1;
				chg[--e] = 0;
				while (s > 0 && chg[s - 1])
					s--;
				q = p;
				p = prev_kept(ochg, p);
			}

			facing = q > p + 1 ? e : -1;
			while (e < n && eq[s] == eq[e]) {
				chg[s++] = 0;
				chg[e++] = 1;
				while (e < n && chg[e])
					e++;
				p = q;
				q = next_kept(ochg, on, q);
				if (q > p + 1)
					facing = e;
			}
		} while (len != e - s);

		/* The last pass did not merge, so stepping back up retraces it. */
		while (facing >= 0 && e > facing) {
			chg[--s] = 1;
			chg[--e] = 0;
			q = p;
			p = prev_kept(ochg, p);
		}
		i = e;
	}
}

struct buf {
	char *p;
	size_t len, cap;
};

static int buf_put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p)
			return -ENOMEM;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return 0;
}

static int buf_puts(struct buf *b, const char *s)
{
	return buf_put(b, s, strlen(s));
}

static int put_line(struct buf *b, char prefix, const struct line *l)
{
	static const char no_nl[] = "\n\\ No newline at end of file\n";
	int r;

	r = buf_put(b, &prefix, 1);
	if (r < 0)
		return r;
	r = buf_put(b, l->p, l->len);
	if (r < 0)
		return r;
	if (l->len == 0 || l->p[l->len - 1] != '\n')
		return buf_put(b, no_nl, sizeof(no_nl) - 1);
	return 0;
}

/* A hunk side in diff -u notation: an empty range names the line before it. */
static void fmt_range(char *s, size_t size, size_t start, size_t count)
{
	if (count == 0)
		snprintf(s, size, "%zu,0", start);
	else if (count == 1)
		snprintf(s, size, "%zu", start + 1);
	else
		snprintf(s, size, "%zu,%zu", start + 1, count);
}

struct block {
	size_t a, b;		/* first changed line on each side */
	size_t a_end, b_end;
};

/* The next group of adjacent changes at or after lines (i, j), which must
 * be aligned (equally many unchanged lines before them). */
static bool next_block(const struct text *a, const struct text *b, size_t i, size_t j,
		       struct block *blk)
{
	while (i < a->n && j < b->n && !a->chg[i] && !b->chg[j]) {
		i++;
		j++;
	}
	if (!(i < a->n && a->chg[i]) && !(j < b->n && b->chg[j]))
		return false;

	blk->a = i;
	blk->b = j;
	while (i < a->n && a->chg[i])
		i++;
	while (j < b->n && b->chg[j])
		j++;
	blk->a_end = i;
	blk->b_end = j;
	return true;
}

static size_t min_size(size_t x, size_t y)
{
	return x < y ? x : y;
}

#define HEADING_MAX 80

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' ||
	       c == '\v';
}

/* " HEADING" for a hunk whose first change is at line @alo of a, or ""
 * (see udiff.h). */
static void find_heading(const struct text *a, size_t alo,
			 fnft_udiff_heading_fn *heading, char *s, size_t size)
{
	size_t i = alo, len, k, n;
	const char *p;

	s[0] = '\0';
	while (heading && i-- > 0) {
		p = a->lines[i].p;
		len = a->lines[i].len;
		if (len && p[len - 1] == '\n')
			len--;
		if (!heading(p, len))
			continue;
		for (k = 0; k < len && is_blank(p[k]); k++)
			;
		n = min_size(len - k, min_size(HEADING_MAX, size - 2));
		while (n && is_blank(p[k + n - 1]))
			n--;
		s[0] = ' ';
		memcpy(s + 1, p + k, n);
		s[n + 1] = '\0';
		return;
	}
}

static int put_hunk(struct buf *out, const struct text *a, const struct text *b,
		    size_t alo, size_t ahi, size_t blo, size_t bhi,
		    size_t achange, fnft_udiff_heading_fn *heading)
{
	char ra[48], rb[48], head[128], fn[HEADING_MAX + 2];
	size_t i = alo, j = blo;
	int r;

	fmt_range(ra, sizeof(ra), alo, ahi - alo);
	fmt_range(rb, sizeof(rb), blo, bhi - blo);
	find_heading(a, achange, heading, fn, sizeof(fn));
	snprintf(head, sizeof(head), "@@ -%s +%s @@", ra, rb);
	r = buf_puts(out, head);
	if (r >= 0)
		r = buf_puts(out, fn);
	if (r >= 0)
		r = buf_puts(out, "\n");

	/* Deletions before insertions within each block, as diff -u prints. */
	while (r >= 0 && (i < ahi || j < bhi)) {
		if ((i < ahi && a->chg[i]) || (j < bhi && b->chg[j])) {
			for (; r >= 0 && i < ahi && a->chg[i]; i++)
				r = put_line(out, '-', &a->lines[i]);
			for (; r >= 0 && j < bhi && b->chg[j]; j++)
				r = put_line(out, '+', &b->lines[j]);
		} else {
			r = put_line(out, ' ', &a->lines[i]);
			i++;
			j++;
		}
	}
	return r;
}

static int put_diff(struct buf *out, const struct text *a, const struct text *b,
		    const char *label_a, const char *label_b, size_t context,
		    fnft_udiff_heading_fn *heading)
{
	struct block first, last, next;
	bool more;
	int r;

	if ((r = buf_puts(out, "--- ")) < 0 || (r = buf_puts(out, label_a)) < 0 ||
	    (r = buf_puts(out, "\n+++ ")) < 0 || (r = buf_puts(out, label_b)) < 0 ||
	    (r = buf_puts(out, "\n")) < 0)
		return r;

	more = next_block(a, b, 0, 0, &first);
	while (more) {
		size_t lead, trail;

		/* Blocks closer than twice the context share their context
		 * lines, so they go into one hunk. */
		last = first;
		while ((more = next_block(a, b, last.a_end, last.b_end, &next)) &&
		       next.a - last.a_end <= 2 * context)
			last = next;

		/* Hunks are more than 2 * context apart, so only the ends of
		 * the texts can cut the context short. */
		lead = min_size(context, first.a);
		trail = min_size(context, a->n - last.a_end);
		r = put_hunk(out, a, b, first.a - lead, last.a_end + trail,
			     first.b - lead, last.b_end + trail, first.a, heading);
		if (r < 0)
			return r;
		if (more)
			first = next;
	}
	return 0;
}

int fnft_udiff(const char *a, const char *b, const char *label_a, const char *label_b,
	       unsigned context, char **out)
{
	return fnft_udiff_headed(a, b, label_a, label_b, context, NULL, out);
}

int fnft_udiff_headed(const char *a, const char *b, const char *label_a,
		      const char *label_b, unsigned context,
		      fnft_udiff_heading_fn *heading, char **out)
{
	struct text ta = { 0 }, tb = { 0 };
	struct classes cls = { 0 };
	struct buf buf = { 0 };
	size_t pre = 0, suf = 0, lo, ahi, bhi;
	int r;

	r = text_split(&ta, a ? a : "");
	if (r < 0)
		goto out;
	r = text_split(&tb, b ? b : "");
	if (r < 0)
		goto out;

	r = classes_init(&cls, ta.n + tb.n);
	if (r < 0)
		goto out;
	classes_assign(&cls, &ta);
	classes_assign(&cls, &tb);

	while (pre < ta.n && pre < tb.n && ta.eq[pre] == tb.eq[pre])
		pre++;
	if (pre == ta.n && pre == tb.n) {
		*out = NULL;
		r = 0;
		goto out;
	}

	/* Like diff, analyse the differing middle plus up to `context`
	 * lines of the common prefix and suffix. Those extra lines count when
	 * deciding which lines have a partner on the other side and let runs
	 * of changes slide a little, and diff's choices depend on both. */
	lo = pre - min_size(pre, context);
	while (suf < min_size(ta.n, tb.n) - lo &&
	       ta.eq[ta.n - 1 - suf] == tb.eq[tb.n - 1 - suf])
		suf++;
	ahi = ta.n - suf + min_size(suf, context);
	bhi = tb.n - suf + min_size(suf, context);

	r = diff_region(&ta, &tb, cls.n, lo, ahi, bhi);
	if (r < 0)
		goto out;
	shift_runs(&ta, &tb, lo, ahi, bhi);
	shift_runs(&tb, &ta, lo, bhi, ahi);

	r = put_diff(&buf, &ta, &tb, label_a ? label_a : "", label_b ? label_b : "", context,
		     heading);
	if (r < 0)
		goto out;
	*out = buf.p;
	buf.p = NULL;
	r = 1;
out:
	free(buf.p);
	classes_free(&cls);
	text_free(&ta);
	text_free(&tb);
	return r;
}
