/*
 * diff.c - a line-based unified diff (kr_diff_unified in krender.h), for
 * `krender diff` and anyone reviewing two renderings.
 *
 * The edit script comes from Myers' O(ND) greedy algorithm after trimming
 * the common head and tail (two renderings of a GitOps change mostly agree,
 * so D is small).  For the backtrack only the diagonals a step can reach
 * are kept per step, O(D^2) integers in all.  The hunks follow GNU diff -u:
 * `context` lines around each change, hunks closer than 2*context merged,
 * "@@ -start,count +start,count @@" with ",1" left out and an empty range
 * numbered by the line before it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "krender.h"

typedef struct line {
	const char *p;
	size_t n;      /* without the newline */
	int nl;        /* ends with a newline */
} line;

/* One step of the edit script: '=' (both), '-' (a only), '+' (b only),
 * with the line indexes in a and b. */
typedef struct op {
	char kind;
	size_t ia, ib;
} op;

static line *split_lines(const char *s, size_t len, size_t *count)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n')
			n++;
	if (len && s[len - 1] != '\n')
		n++;
	line *v = malloc((n ? n : 1) * sizeof(*v));
	if (!v)
		return NULL;
	size_t k = 0, start = 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '\n') {
			v[k++] = (line){ s + start, i - start, 1 };
			start = i + 1;
		}
	if (start < len)
		v[k++] = (line){ s + start, len - start, 0 };
	*count = n;
	return v;
}

static int same(const line *x, const line *y)
{
	return x->n == y->n && x->nl == y->nl && !memcmp(x->p, y->p, x->n);
}

/* Myers over a[0..n) and b[0..m); appends the script (in order) to ops,
 * which has room for n + m entries.  Returns the number of ops or -1. */
static long myers(const line *a, long n, const line *b, long m, op *ops,
                  size_t base_a, size_t base_b)
{
	long max = n + m;
	long *v = calloc((size_t)(2 * max + 3), sizeof(long));
	long **trace = calloc((size_t)(max + 1), sizeof(long *));
	long steps = -1;
	if (!v || !trace)
		goto out;
	long off = max + 1;
	for (long d = 0; d <= max; d++) {
		/* the diagonals -(d+1)..d+1 as they were before step d */
		trace[d] = malloc((size_t)(2 * d + 3) * sizeof(long));
		if (!trace[d])
			goto out;
		memcpy(trace[d], v + off - d - 1, (size_t)(2 * d + 3) * sizeof(long));
		for (long k = -d; k <= d; k += 2) {
			long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1]))
			         ? v[off + k + 1] : v[off + k - 1] + 1;
			long y = x - k;
			while (x < n && y < m && same(&a[x], &b[y]))
				x++, y++;
			v[off + k] = x;
			if (x >= n && y >= m) {
				steps = d;
				goto found;
			}
		}
	}
found:;
	/* backtrack from (n, m), collecting the script in reverse */
	long count = 0, x = n, y = m;
	for (long d = steps; d >= 0; d--) {
		const long *t = trace[d] + d + 1; /* t[k] for k in -(d+1)..d+1 */
		long k = x - y, pk, px, py;
		if (d == 0) {
			pk = 0, px = 0, py = 0;
		} else {
			pk = (k == -d || (k != d && t[k - 1] < t[k + 1])) ? k + 1 : k - 1;
			px = t[pk];
			py = px - pk;
		}
		while (x > px && y > py) {
			x--, y--;
			ops[count++] = (op){ '=', base_a + (size_t)x, base_b + (size_t)y };
		}
		if (d > 0) {
			if (x == px)
				ops[count++] = (op){ '+', base_a + (size_t)x, base_b + (size_t)py };
			else
				ops[count++] = (op){ '-', base_a + (size_t)px, base_b + (size_t)y };
		}
		x = px, y = py;
	}
	for (long i = 0, j = count - 1; i < j; i++, j--) {
		op tmp = ops[i];
		ops[i] = ops[j];
		ops[j] = tmp;
	}
	steps = count;
out:
	if (trace)
		for (long d = 0; d <= max; d++)
			free(trace[d]);
	free(trace);
	free(v);
	return steps;
}

static void put_range(kr_buf *o, size_t start, size_t count)
{
	/* GNU: an empty range is numbered by the line before it */
	if (count == 0)
		kr_buf_printf(o, "%zu,0", start);
	else if (count == 1)
		kr_buf_printf(o, "%zu", start + 1);
	else
		kr_buf_printf(o, "%zu,%zu", start + 1, count);
}

static void put_line(kr_buf *o, char mark, const line *l)
{
	kr_buf_putc(o, mark);
	kr_buf_put(o, l->p, l->n);
	kr_buf_putc(o, '\n');
	if (!l->nl)
		kr_buf_puts(o, "\\ No newline at end of file\n");
}

/* Print ops[from..to) as one hunk. */
static void put_hunk(kr_buf *o, const op *ops, size_t from, size_t to,
                     const line *a, const line *b)
{
	size_t na = 0, nb = 0;
	for (size_t i = from; i < to; i++) {
		na += ops[i].kind != '+';
		nb += ops[i].kind != '-';
	}
	kr_buf_puts(o, "@@ -");
	put_range(o, ops[from].ia, na);
	kr_buf_puts(o, " +");
	put_range(o, ops[from].ib, nb);
	kr_buf_puts(o, " @@\n");
	for (size_t i = from; i < to; i++) {
		if (ops[i].kind == '+')
			put_line(o, '+', &b[ops[i].ib]);
		else if (ops[i].kind == '-')
			put_line(o, '-', &a[ops[i].ia]);
		else
			put_line(o, ' ', &a[ops[i].ia]);
	}
}

int kr_diff_unified(const char *a, size_t alen, const char *b, size_t blen,
                    const char *a_label, const char *b_label,
                    unsigned context, char **out, size_t *outlen)
{
	if (!out || (!a && alen) || (!b && blen))
		return KR_EUSAGE;
	*out = NULL;
	if (outlen)
		*outlen = 0;
	size_t na, nb;
	line *la = split_lines(a ? a : "", alen, &na);
	line *lb = split_lines(b ? b : "", blen, &nb);
	op *ops = malloc((na + nb + 1) * sizeof(*ops));
	int rc = KR_ENOMEM;
	if (!la || !lb || !ops)
		goto done;
	/* the common head and tail need no search */
	size_t head = 0, tail = 0, nops = 0;
	while (head < na && head < nb && same(&la[head], &lb[head]))
		head++;
	while (tail < na - head && tail < nb - head &&
	       same(&la[na - 1 - tail], &lb[nb - 1 - tail]))
		tail++;
	if (head == na && head == nb) {
		rc = 0;
		goto done;
	}
	for (size_t i = 0; i < head; i++)
		ops[nops++] = (op){ '=', i, i };
	long mid = myers(la + head, (long)(na - head - tail), lb + head,
	                 (long)(nb - head - tail), ops + nops, head, head);
	if (mid < 0)
		goto done;
	nops += (size_t)mid;
	for (size_t i = 0; i < tail; i++)
		ops[nops++] = (op){ '=', na - tail + i, nb - tail + i };

	kr_buf o = KR_BUF_INIT;
	kr_buf_printf(&o, "--- %s\n+++ %s\n", a_label ? a_label : "a",
	              b_label ? b_label : "b");
	size_t i = 0;
	while (i < nops) {
		while (i < nops && ops[i].kind == '=')
			i++;
		if (i == nops)
			break;
		size_t from = i > context ? i - context : 0;
		/* extend while the next change is within 2*context equal lines */
		size_t end = i;
		for (;;) {
			while (end < nops && ops[end].kind != '=')
				end++;
			size_t eq = end;
			while (eq < nops && ops[eq].kind == '=')
				eq++;
			if (eq < nops && eq - end <= 2 * (size_t)context) {
				end = eq;
				continue;
			}
			size_t keep = eq - end < context ? eq - end : context;
			end += keep;
			break;
		}
		put_hunk(&o, ops, from, end, la, lb);
		i = end;
	}
	if (o.failed) {
		kr_buf_free(&o);
		goto done;
	}
	size_t len;
	*out = kr_buf_detach(&o, &len);
	if (outlen)
		*outlen = len;
	rc = 1;
done:
	free(la);
	free(lb);
	free(ops);
	return rc;
}

void kr_free(void *p)
{
	free(p);
}
