/*
 * edit.c - `kustomize edit` commands (krender_edit.h).
 *
 * Arguments, flags, validation messages and results follow kustomize
 * v5.5.0's kustomize/commands/edit (set image, set replicas, set
 * nameprefix/namesuffix/namespace, add label/annotation, add resource,
 * add component, add patch).  Each command edits the kustomization's node
 * tree the way kustomize edits its Go struct; kfile.c writes the result
 * back, keeping the text of the fields left alone.
 *
 * Where kustomize's result depends on its struct round trip, the edit does
 * the same: `set image` folds the deprecated `imageTags` into `images` and
 * `add resource` folds `bases` into `resources` (FixKustomization), and the
 * images and replicas lists come out sorted by name.
 */
#define _GNU_SOURCE 1
#include "krender_edit.h"

#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ctx.h"
#include "edit_impl.h"
#include "fsutil.h"
#include "images.h"
#include "kfile.h"
#include "node.h"

typedef struct editor {
	kr_ctx *ctx;
	kr_kfile kf;
	const char *dir;
} editor;

/* ---- errors --------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
static int efail(editor *e, int code, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kr_fail(e->ctx, code, "%s: %s", e->kf.display, msg);
}

static kr_node *str_node(editor *e, const char *s)
{
	return kr_node_str(&e->ctx->arena, s);
}

static const char *scalar_text(const kr_node *n)
{
	if (!n || n->type != KR_SCALAR || n->tag == KR_TAG_NULL)
		return "";
	return n->u.s.str;
}

/* A list field: its items (NULL value: none); -1 when it is not a list. */
static int list_items(editor *e, const char *field, kr_node **out)
{
	kr_node *v = kr_kfile_get(&e->kf, field);
	*out = NULL;
	if (!v || (v->type == KR_SCALAR && v->tag == KR_TAG_NULL))
		return 0;
	if (v->type != KR_SEQ)
		return efail(e, KR_EINVALID, "field '%s' is not a list", field);
	*out = v;
	return 0;
}

/* A new list holding the items of `a` then `b` (either may be NULL). */
static kr_node *concat(editor *e, const kr_node *a, const kr_node *b, uint32_t extra)
{
	uint32_t n = (a ? a->u.q.len : 0) + (b ? b->u.q.len : 0) + extra;
	kr_node *s = kr_node_seq(&e->ctx->arena, n ? n : 1);
	if (!s)
		return NULL;
	for (int k = 0; k < 2; k++) {
		const kr_node *src = k ? b : a;
		for (uint32_t i = 0; src && i < src->u.q.len; i++)
			if (kr_seq_append(&e->ctx->arena, s, src->u.q.items[i]) < 0)
				return NULL;
	}
	return s;
}

/* ---- flags (cobra/pflag conventions) -------------------------------- */

enum { FLAG_BOOL, FLAG_STRING };

typedef struct flagspec {
	const char *name;
	char shorthand;
	int kind;
	void *dst;    /* int * or const char ** */
} flagspec;

static int parse_bool(const char *v, int *out)
{
	static const char *const t[] = { "1", "t", "T", "TRUE", "true", "True" };
	static const char *const f[] = { "0", "f", "F", "FALSE", "false", "False" };
	for (size_t i = 0; i < 6; i++) {
		if (!strcmp(v, t[i]))
			return *out = 1, 0;
		if (!strcmp(v, f[i]))
			return *out = 0, 0;
	}
	return -1;
}

static const flagspec *find_long(const flagspec *fs, const char *name, size_t len)
{
	for (; fs && fs->name; fs++)
		if (strlen(fs->name) == len && !strncmp(fs->name, name, len))
			return fs;
	return NULL;
}

static int set_flag(editor *e, const flagspec *f, const char *value, int has_value,
                    int argc, char *const *argv, int *i, const char *spelled)
{
	if (f->kind == FLAG_BOOL) {
		int b = 1;
		if (has_value && parse_bool(value, &b) < 0)
			return efail(e, KR_EUSAGE,
			             "invalid argument \"%s\" for \"%s\" flag: strconv.ParseBool: "
			             "parsing \"%s\": invalid syntax", value, spelled, value);
		*(int *)f->dst = b;
		return 0;
	}
	if (!has_value) {
		if (*i + 1 >= argc)
			return efail(e, KR_EUSAGE, "flag needs an argument: %s", spelled);
		value = argv[++*i];
	}
	*(const char **)f->dst = value;
	return 0;
}

/* Split argv into flags (set through `fs`) and positional arguments.
 * "--" ends the flags; flags may follow positional arguments. */
static int parse_args(editor *e, const flagspec *fs, int argc, char *const *argv,
                      const char **pos, int *npos)
{
	int rc;
	*npos = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "--")) {
			while (++i < argc)
				pos[(*npos)++] = argv[i];
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			pos[(*npos)++] = a;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			char norm[64];
			if (len >= sizeof(norm))
				return efail(e, KR_EUSAGE, "unknown flag: --%.*s", (int)len, name);
			memcpy(norm, name, len);
			norm[len] = '\0';
			const flagspec *f = find_long(fs, norm, len);
			if (!f && memchr(norm, '_', len)) {
				/* Older spellings (--without_selector): kubectl's
				 * word-separator normalisation, with its warning. */
				for (char *p = norm; *p; p++)
					if (*p == '_')
						*p = '-';
				f = find_long(fs, norm, len);
				if (f)
					kr_warn(e->ctx, "Warning: using an underscore in a flag name is not "
					        "supported. --%.*s has been converted to --%s.",
					        (int)len, name, norm);
			}
			if (!f)
				return efail(e, KR_EUSAGE, "unknown flag: --%.*s", (int)len, name);
			char spelled[80];
			snprintf(spelled, sizeof(spelled), "--%s", f->name);
			if ((rc = set_flag(e, f, eq ? eq + 1 : NULL, eq != NULL, argc, argv, &i,
			                   spelled)) < 0)
				return rc;
			continue;
		}
		/* A cluster of shorthand flags: -f, -fv... */
		for (const char *p = a + 1; *p; p++) {
			const flagspec *f = fs;
			while (f && f->name && f->shorthand != *p)
				f++;
			if (!f || !f->name)
				return efail(e, KR_EUSAGE, "unknown shorthand flag: '%c' in %s", *p, a);
			char spelled[8];
			snprintf(spelled, sizeof(spelled), "-%c", *p);
			const char *v = p[1] == '=' ? p + 2 : (f->kind == FLAG_STRING && p[1] ? p + 1 : NULL);
			if ((rc = set_flag(e, f, v, v != NULL, argc, argv, &i, spelled)) < 0)
				return rc;
			if (v)
				break;
		}
	}
	return 0;
}

/* ---- set nameprefix / namesuffix / namespace ------------------------ */

static int set_scalar_field(editor *e, const char *field, const char *what,
                            int n, const char **args)
{
	if (n != 1)
		return efail(e, KR_EUSAGE, "must specify exactly one %s value", what);
	/* An empty value leaves the field out, as kustomize's omitempty
	 * marshalling does. */
	kr_node *v = NULL;
	if (args[0][0] && !(v = str_node(e, args[0])))
		return kr_nomem(e->ctx);
	int rc = kr_kfile_set(&e->kf, field, v);
	return rc < 0 ? rc : kr_kfile_write(&e->kf);
}

/* ---- set image ------------------------------------------------------ */

int kr_edit_parse_image(const char *arg, kr_edit_image *img, char *buf, size_t bufsize)
{
	size_t alen = strlen(arg);
	if (alen + 4 > bufsize)
		return -1;
	const char *eq = strchr(arg, '=');
	const char *value = eq ? eq + 1 : arg;
	size_t part[6];
	kr_image_split(value, strlen(value), part);
	size_t nlen = part[1] - part[0];
	if (nlen == alen && !strncmp(value + part[0], arg, alen))
		return -1; /* no new name, tag or digest */
	/* Four NUL-terminated strings packed into buf. */
	char *p = buf;
	const char *name = p;
	memcpy(p, value + part[0], nlen);
	p += nlen;
	*p++ = '\0';
	const char *tag = p;
	memcpy(p, value + part[2], part[3] - part[2]);
	p += part[3] - part[2];
	*p++ = '\0';
	const char *digest = p;
	memcpy(p, value + part[4], part[5] - part[4]);
	p += part[5] - part[4];
	*p++ = '\0';
	img->new_tag = tag;
	img->digest = digest;
	if (!eq || eq == arg) {
		img->name = name;
		img->new_name = "";
	} else {
		memcpy(p, arg, (size_t)(eq - arg));
		p[eq - arg] = '\0';
		img->name = p;
		img->new_name = name;
	}
	return 0;
}

typedef struct image_ent {
	const char *name;
	kr_node *node;        /* an existing entry kept as it is, or NULL */
	kr_node *new_name, *new_tag, *digest;  /* an argument's fields */
	int is_arg;
} image_ent;

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const image_ent *)a)->name, ((const image_ent *)b)->name);
}

static kr_node *star_or(editor *e, const char *s)
{
	return s[0] ? str_node(e, s) : NULL;
}

static int is_star(const kr_node *n)
{
	return n && n->type == KR_SCALAR && n->u.s.len == 1 && n->u.s.str[0] == '*';
}

/* An existing entry's field, NULL when empty (omitempty). */
static kr_node *entry_field(const kr_node *entry, const char *key)
{
	kr_node *v = kr_map_get(entry, key);
	return scalar_text(v)[0] || (v && v->type != KR_SCALAR) ? v : NULL;
}

static int map_put(editor *e, kr_node *m, const char *key, kr_node *v)
{
	if (!v)
		return 0;
	kr_node *k = str_node(e, key);
	return k && kr_map_append(&e->ctx->arena, m, k, v) == 0 ? 0 : -1;
}

static int cmd_set_image(editor *e, int n, const char **args)
{
	kr_arena *a = &e->ctx->arena;
	if (n == 0)
		return efail(e, KR_EUSAGE, "no image specified");
	image_ent *ents = kr_arena_zalloc(a, sizeof(*ents) * (size_t)n);
	if (!ents)
		return kr_nomem(e->ctx);
	size_t nargs = 0;
	for (int i = 0; i < n; i++) {
		size_t sz = strlen(args[i]) * 2 + 8;
		char *buf = kr_arena_alloc(a, sz);
		kr_edit_image img;
		if (!buf)
			return kr_nomem(e->ctx);
		if (kr_edit_parse_image(args[i], &img, buf, sz) < 0)
			return efail(e, KR_EUSAGE, "invalid format of image '%s', use one of the "
			             "following options:\n- <image>=<newimage>:<newtag>\n"
			             "- <image>=<newimage>@<digest>\n"
			             "- <image>=<newimage>:<newtag>@<digest>\n"
			             "- <image>=<newimage>\n- <image>:<newtag>\n"
			             "- <image>:<newtag>@<digest>\n- <image>@<digest>", args[i]);
		size_t j = 0;
		while (j < nargs && strcmp(ents[j].name, img.name))
			j++;
		if (j == nargs)
			nargs++;
		image_ent *x = &ents[j];
		x->name = img.name;
		x->is_arg = 1;
		x->new_name = star_or(e, img.new_name);
		x->new_tag = star_or(e, img.new_tag);
		x->digest = star_or(e, img.digest);
	}

	kr_node *images, *tags;
	int rc;
	if ((rc = list_items(e, "images", &images)) < 0 ||
	    (rc = list_items(e, "imageTags", &tags)) < 0)
		return rc;
	kr_node *existing = concat(e, images, tags, 0);
	if (!existing)
		return kr_nomem(e->ctx);
	image_ent *all = kr_arena_zalloc(a, sizeof(*all) * (nargs + existing->u.q.len + 1));
	if (!all)
		return kr_nomem(e->ctx);
	memcpy(all, ents, nargs * sizeof(*all));
	size_t nall = nargs;
	for (uint32_t i = 0; i < existing->u.q.len; i++) {
		kr_node *im = existing->u.q.items[i];
		if (im->type != KR_MAP)
			return efail(e, KR_EINVALID, "an entry of 'images' is not a mapping");
		const char *name = scalar_text(kr_map_get(im, "name"));
		size_t j = 0;
		while (j < nall && strcmp(all[j].name, name))
			j++;
		if (j < nargs) {
			/* "*" keeps what the kustomization had. */
			if (is_star(all[j].new_name))
				all[j].new_name = entry_field(im, "newName");
			if (is_star(all[j].new_tag))
				all[j].new_tag = entry_field(im, "newTag");
			if (is_star(all[j].digest))
				all[j].digest = entry_field(im, "digest");
			continue;
		}
		if (j == nall)
			nall++;
		all[j].name = name;
		all[j].node = im;
	}
	qsort(all, nall, sizeof(*all), ent_cmp);

	kr_node *seq = kr_node_seq(a, (uint32_t)nall);
	if (!seq)
		return kr_nomem(e->ctx);
	for (size_t i = 0; i < nall; i++) {
		kr_node *entry = all[i].node;
		if (all[i].is_arg) {
			entry = kr_node_map(a, 4);
			if (!entry || map_put(e, entry, "name", str_node(e, all[i].name)) < 0 ||
			    map_put(e, entry, "newName", is_star(all[i].new_name) ? NULL : all[i].new_name) < 0 ||
			    map_put(e, entry, "newTag", is_star(all[i].new_tag) ? NULL : all[i].new_tag) < 0 ||
			    map_put(e, entry, "digest", is_star(all[i].digest) ? NULL : all[i].digest) < 0)
				return kr_nomem(e->ctx);
		}
		if (kr_seq_append(a, seq, entry) < 0)
			return kr_nomem(e->ctx);
	}
	if ((rc = kr_kfile_set(&e->kf, "images", seq)) < 0)
		return rc;
	if (tags && (rc = kr_kfile_set(&e->kf, "imageTags", NULL)) < 0)
		return rc;
	return kr_kfile_write(&e->kf);
}

/* ---- set replicas --------------------------------------------------- */

int kr_edit_parse_replica(const char *arg, char *name, size_t namesize, long long *count)
{
	const char *eq = strchr(arg, '=');
	if (!eq || strchr(eq + 1, '='))
		return -1;
	/* strconv.ParseInt(s, 10, 64): an optional sign, then digits. */
	const char *s = eq + 1;
	int neg = 0;
	if (*s == '+' || *s == '-')
		neg = *s++ == '-';
	if (!*s)
		return -1;
	unsigned long long v = 0;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned d = (unsigned)(*s - '0');
		if (v > (9223372036854775808ULL - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (!neg && v > (unsigned long long)LLONG_MAX)
		return -1;
	size_t nl = (size_t)(eq - arg);
	if (nl + 1 > namesize)
		return -1;
	memcpy(name, arg, nl);
	name[nl] = '\0';
	*count = neg ? (long long)(0 - v) : (long long)v;
	return 0;
}

static int cmd_set_replicas(editor *e, int n, const char **args)
{
	kr_arena *a = &e->ctx->arena;
	if (n == 0)
		return efail(e, KR_EUSAGE, "no replicas specified");
	kr_node *existing;
	int rc = list_items(e, "replicas", &existing);
	if (rc < 0)
		return rc;
	size_t cap = (size_t)n + (existing ? existing->u.q.len : 0);
	image_ent *all = kr_arena_zalloc(a, sizeof(*all) * (cap + 1));
	if (!all)
		return kr_nomem(e->ctx);
	size_t nall = 0;
	for (int i = 0; i < n; i++) {
		size_t sz = strlen(args[i]) + 1;
		char *name = kr_arena_alloc(a, sz);
		long long count;
		if (!name)
			return kr_nomem(e->ctx);
		if (kr_edit_parse_replica(args[i], name, sz, &count) < 0)
			return efail(e, KR_EUSAGE, "invalid format of replica '%s', use the "
			             "following format: <name>=<count>", args[i]);
		char *num = kr_arena_printf(a, "%lld", count);
		kr_node *m = kr_node_map(a, 2);
		if (!num || !m || map_put(e, m, "name", str_node(e, name)) < 0 ||
		    map_put(e, m, "count", kr_node_scalar(a, KR_TAG_INT, num, strlen(num))) < 0)
			return kr_nomem(e->ctx);
		size_t j = 0;
		while (j < nall && strcmp(all[j].name, name))
			j++;
		if (j == nall)
			nall++;
		all[j].name = name;
		all[j].node = m;
	}
	size_t nargs = nall;
	for (uint32_t i = 0; existing && i < existing->u.q.len; i++) {
		kr_node *r = existing->u.q.items[i];
		if (r->type != KR_MAP)
			return efail(e, KR_EINVALID, "an entry of 'replicas' is not a mapping");
		const char *name = scalar_text(kr_map_get(r, "name"));
		size_t j = 0;
		while (j < nall && strcmp(all[j].name, name))
			j++;
		if (j < nall)
			continue; /* set by an argument, or an earlier entry */
		all[nall].name = name;
		all[nall++].node = r;
	}
	(void)nargs;
	qsort(all, nall, sizeof(*all), ent_cmp);
	kr_node *seq = kr_node_seq(a, (uint32_t)nall);
	if (!seq)
		return kr_nomem(e->ctx);
	for (size_t i = 0; i < nall; i++)
		if (kr_seq_append(a, seq, all[i].node) < 0)
			return kr_nomem(e->ctx);
	if ((rc = kr_kfile_set(&e->kf, "replicas", seq)) < 0)
		return rc;
	return kr_kfile_write(&e->kf);
}

/* ---- add label / annotation ----------------------------------------- */

/* util.ConvertSliceToMap: "k:v" ("v" may be double-quoted), "k" alone
 * means an empty value; a later key wins.  Pairs go to `m`. */
static int convert_pairs(editor *e, const char *kind, int n, const char **args, kr_node *m)
{
	kr_arena *a = &e->ctx->arena;
	for (int i = 0; i < n; i++) {
		const char *s = args[i], *c = strchr(s, ':');
		if (c == s)
			return efail(e, KR_EUSAGE, "invalid %s: '%s' (need k:v pair where v may be quoted)",
			             kind, s);
		const char *key = c ? kr_arena_strndup(a, s, (size_t)(c - s)) : s;
		const char *v = c ? c + 1 : "";
		size_t vl = strlen(v);
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"')
			v++, vl -= 2;
		kr_node *vn = kr_node_scalar(a, KR_TAG_STR, v, vl);
		if (!key || !vn)
			return kr_nomem(e->ctx);
		kr_pair *p = kr_map_find(m, key, strlen(key));
		if (p)
			p->value = vn;
		else if (map_put(e, m, key, vn) < 0)
			return kr_nomem(e->ctx);
	}
	return 0;
}

static int cmd_add_metadata(editor *e, int is_label, int force, int without_selector,
                            int include_templates, int n, const char **args)
{
	kr_arena *a = &e->ctx->arena;
	const char *kind = is_label ? "label" : "annotation";
	int rc;
	if (n < 1)
		return efail(e, KR_EUSAGE, "must specify %s", kind);
	if (!without_selector && include_templates)
		return efail(e, KR_EUSAGE, "--without-selector flag must be specified for "
		             "--include-templates to work");
	kr_node *pairs = kr_node_map(a, (uint32_t)n);
	if (!pairs)
		return kr_nomem(e->ctx);
	if ((rc = convert_pairs(e, kind, n, args, pairs)) < 0)
		return rc;

	if (is_label && without_selector) {
		/* A new `labels` entry every time. */
		kr_node *labels;
		if ((rc = list_items(e, "labels", &labels)) < 0)
			return rc;
		kr_node *seq = concat(e, labels, NULL, 1);
		kr_node *entry = kr_node_map(a, 2);
		if (!seq || !entry || map_put(e, entry, "pairs", pairs) < 0 ||
		    (include_templates &&
		     map_put(e, entry, "includeTemplates",
		             kr_node_scalar(a, KR_TAG_BOOL, "true", 4)) < 0) ||
		    kr_seq_append(a, seq, entry) < 0)
			return kr_nomem(e->ctx);
		if ((rc = kr_kfile_append(&e->kf, "labels", seq, seq->u.q.len - 1)) < 0)
			return rc;
		return kr_kfile_write(&e->kf);
	}

	const char *field = is_label ? "commonLabels" : "commonAnnotations";
	kr_node *old = kr_kfile_get(&e->kf, field);
	if (old && old->type == KR_SCALAR && old->tag == KR_TAG_NULL)
		old = NULL;
	if (old && old->type != KR_MAP)
		return efail(e, KR_EINVALID, "field '%s' is not a mapping", field);
	uint32_t oldn = old ? old->u.m.len : 0;
	kr_node *m = kr_node_map(a, oldn + pairs->u.m.len);
	if (!m)
		return kr_nomem(e->ctx);
	for (uint32_t i = 0; i < oldn; i++)
		if (kr_map_append(a, m, old->u.m.items[i].key, old->u.m.items[i].value) < 0)
			return kr_nomem(e->ctx);
	int replaced = 0;
	for (uint32_t i = 0; i < pairs->u.m.len; i++) {
		kr_pair *np = &pairs->u.m.items[i];
		kr_pair *p = kr_map_find(m, np->key->u.s.str, np->key->u.s.len);
		if (p && !force)
			return efail(e, KR_EINVALID, "%s %s already in kustomization file",
			             kind, np->key->u.s.str);
		if (p) {
			p->value = np->value;
			replaced = 1;
		} else if (kr_map_append(a, m, np->key, np->value) < 0) {
			return kr_nomem(e->ctx);
		}
	}
	/* Only new keys: they are written after the old ones. */
	rc = old && !replaced ? kr_kfile_append(&e->kf, field, m, oldn)
	                      : kr_kfile_set(&e->kf, field, m);
	if (rc < 0)
		return rc;
	return kr_kfile_write(&e->kf);
}

/* ---- add resource / component --------------------------------------- */

static int has_meta(const char *s)
{
	return strpbrk(s, "*?[\\") != NULL;
}

typedef struct strlist {
	const char **v;
	size_t len, cap;
} strlist;

static int sl_push(kr_arena *a, strlist *l, const char *s)
{
	if (l->len == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 16;
		const char **v = kr_arena_grow(a, l->v, l->len * sizeof(*v), cap * sizeof(*v));
		if (!v)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	l->v[l->len++] = s;
	return 0;
}

static int str_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Go's filepath.glob: the names in `dir` matching `pattern`, sorted. */
static int glob_dir(kr_arena *a, const char *dir, const char *pattern, strlist *out)
{
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return 0;
	strlist names = { 0 };
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) && rc == 0) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fnmatch(pattern, de->d_name, 0) == 0) {
			char *s = kr_arena_strdup(a, de->d_name);
			rc = s ? sl_push(a, &names, s) : -1;
		}
	}
	closedir(d);
	if (rc < 0)
		return rc;
	if (names.len)
		qsort(names.v, names.len, sizeof(*names.v), str_cmp);
	for (size_t i = 0; i < names.len; i++) {
		char *p = kr_path_join(a, dir, names.v[i]);
		if (!p || sl_push(a, out, p) < 0)
			return -1;
	}
	return 0;
}

/* Go's filepath.Glob, which kustomize's file system uses. */
int kr_edit_glob(kr_arena *a, const char *pattern, const char ***matches, size_t *n)
{
	strlist out = { 0 };
	*matches = NULL;
	*n = 0;
	if (!has_meta(pattern)) {
		struct stat st;
		if (lstat(pattern, &st) == 0) {
			if (sl_push(a, &out, pattern) < 0)
				return -1;
		}
	} else {
		const char *slash = strrchr(pattern, '/');
		const char *file = slash ? slash + 1 : pattern;
		char *dir;
		if (!slash)
			dir = kr_arena_strdup(a, ".");
		else if (slash == pattern)
			dir = kr_arena_strdup(a, "/");
		else
			dir = kr_arena_strndup(a, pattern, (size_t)(slash - pattern));
		if (!dir)
			return -1;
		if (!has_meta(dir)) {
			if (glob_dir(a, dir, file, &out) < 0)
				return -1;
		} else if (strcmp(dir, pattern)) {
			const char **dirs;
			size_t nd;
			if (kr_edit_glob(a, dir, &dirs, &nd) < 0)
				return -1;
			for (size_t i = 0; i < nd; i++)
				if (glob_dir(a, dirs[i], file, &out) < 0)
					return -1;
		}
	}
	*matches = out.v;
	*n = out.len;
	return 0;
}

static int contains_str(const kr_node *seq, const char *s)
{
	for (uint32_t i = 0; seq && i < seq->u.q.len; i++) {
		const kr_node *it = seq->u.q.items[i];
		if (it->type == KR_SCALAR && !strcmp(scalar_text(it), s))
			return 1;
	}
	return 0;
}

static int cmd_add_paths(editor *e, const char *field, const char *deprecated,
                         const char *what, int no_verify, int n, const char **args)
{
	kr_arena *a = &e->ctx->arena;
	int rc;
	if (n == 0)
		return efail(e, KR_EUSAGE, "must specify a %s file", what);
	strlist paths = { 0 };
	for (int i = 0; i < n; i++) {
		if (no_verify) {
			if (sl_push(a, &paths, args[i]) < 0)
				return kr_nomem(e->ctx);
			continue;
		}
		const char **m;
		size_t nm;
		if (kr_edit_glob(a, args[i], &m, &nm) < 0)
			return kr_nomem(e->ctx);
		if (nm == 0 && kr_path_looks_remote(args[i]))
			return efail(e, KR_EINVALID, "%s: fetching a remote %s to verify it is not "
			             "supported by this version of krender yet%s", args[i], what,
			             strcmp(what, "resource") ? "" : " (use --no-verify)");
		if (nm == 0)
			return efail(e, KR_ENOTFOUND, "%s has no match: no such file or directory",
			             args[i]);
		for (size_t j = 0; j < nm; j++)
			if (sl_push(a, &paths, m[j]) < 0)
				return kr_nomem(e->ctx);
	}

	kr_node *cur, *old = NULL;
	if ((rc = list_items(e, field, &cur)) < 0 ||
	    (deprecated && (rc = list_items(e, deprecated, &old)) < 0))
		return rc;
	kr_node *seq = concat(e, cur, old, (uint32_t)paths.len);
	if (!seq)
		return kr_nomem(e->ctx);
	int changed = old != NULL;
	for (size_t i = 0; i < paths.len; i++) {
		if (!strcmp(paths.v[i], e->kf.name))
			continue;
		if (contains_str(seq, paths.v[i])) {
			kr_warn(e->ctx, "%s %s already in kustomization file", what, paths.v[i]);
			continue;
		}
		kr_node *s = str_node(e, paths.v[i]);
		if (!s || kr_seq_append(a, seq, s) < 0)
			return kr_nomem(e->ctx);
		changed = 1;
	}
	if (!changed)
		return 0; /* the same kustomization: leave the file alone */
	if (old) {
		if ((rc = kr_kfile_set(&e->kf, field, seq)) < 0 ||
		    (rc = kr_kfile_set(&e->kf, deprecated, NULL)) < 0)
			return rc;
	} else if ((rc = kr_kfile_append(&e->kf, field, seq, cur ? cur->u.q.len : 0)) < 0) {
		return rc;
	}
	return kr_kfile_write(&e->kf);
}

/* ---- add patch ------------------------------------------------------ */

static const char *const target_keys[] = {
	"group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"
};

/* types.Patch.Equals against an existing entry (new patches have no
 * options). */
static int patch_equals(const kr_node *p, const char *path, const char *patch,
                        const char *const target[7], int has_target)
{
	if (p->type != KR_MAP)
		return 0;
	if (strcmp(scalar_text(kr_map_get(p, "path")), path) ||
	    strcmp(scalar_text(kr_map_get(p, "patch")), patch))
		return 0;
	const kr_node *opt = kr_map_get(p, "options");
	if (opt && !(opt->type == KR_SCALAR && opt->tag == KR_TAG_NULL))
		return 0;
	const kr_node *t = kr_map_get(p, "target");
	if (t && t->type == KR_SCALAR && t->tag == KR_TAG_NULL)
		t = NULL;
	if (!t || !has_target)
		return !t && !has_target;
	if (t->type != KR_MAP)
		return 0;
	for (int i = 0; i < 7; i++)
		if (strcmp(scalar_text(kr_map_get(t, target_keys[i])), target[i]))
			return 0;
	return 1;
}

static int cmd_add_patch(editor *e, const char *path, const char *patch,
                         const char *const target[7])
{
	kr_arena *a = &e->ctx->arena;
	int rc;
	if (patch[0] && path[0])
		return efail(e, KR_EUSAGE, "patch and path can't be set at the same time");
	if (!patch[0] && !path[0])
		return efail(e, KR_EUSAGE, "must provide either patch or path");
	int has_target = 0;
	for (int i = 0; i < 7; i++)
		has_target |= target[i][0] != '\0';
	kr_node *patches;
	if ((rc = list_items(e, "patches", &patches)) < 0)
		return rc;
	for (uint32_t i = 0; patches && i < patches->u.q.len; i++)
		if (patch_equals(patches->u.q.items[i], path, patch, target, has_target)) {
			kr_warn(e->ctx, "patch %s already in kustomization file",
			        path[0] ? path : "(inline)");
			return 0;
		}
	kr_node *entry = kr_node_map(a, 3);
	if (!entry)
		return kr_nomem(e->ctx);
	if ((path[0] && map_put(e, entry, "path", str_node(e, path)) < 0) ||
	    (patch[0] && map_put(e, entry, "patch", str_node(e, patch)) < 0))
		return kr_nomem(e->ctx);
	if (has_target) {
		kr_node *t = kr_node_map(a, 7);
		if (!t || map_put(e, entry, "target", t) < 0)
			return kr_nomem(e->ctx);
		for (int i = 0; i < 7; i++)
			if (target[i][0] && map_put(e, t, target_keys[i], str_node(e, target[i])) < 0)
				return kr_nomem(e->ctx);
	}
	kr_node *seq = concat(e, patches, NULL, 1);
	if (!seq || kr_seq_append(a, seq, entry) < 0)
		return kr_nomem(e->ctx);
	if ((rc = kr_kfile_append(&e->kf, "patches", seq, seq->u.q.len - 1)) < 0)
		return rc;
	return kr_kfile_write(&e->kf);
}

/* ---- dispatch ------------------------------------------------------- */

/* kustomize edit commands krender does not implement yet. */
static const char *const unsupported[] = {
	"add base", "add buildmetadata", "add configmap", "add generator", "add secret",
	"add transformer", "set annotation", "set buildmetadata", "set configmap",
	"set label", "set secret", NULL
};

static int run(editor *e, int argc, char *const *argv)
{
	int rc;
	if (argc < 1)
		return kr_fail(e->ctx, KR_EUSAGE, "edit needs a command: add or set");
	const char *group = argv[0];
	if (!strcmp(group, "fix") || !strcmp(group, "remove") || !strcmp(group, "list-builtin"))
		return kr_fail(e->ctx, KR_EUSAGE, "kustomize edit %s is not supported by this "
		               "version of krender yet", group);
	if (strcmp(group, "add") && strcmp(group, "set"))
		return kr_fail(e->ctx, KR_EUSAGE, "unknown command \"%s\" for \"kustomize edit\"",
		               group);
	if (argc < 2)
		return kr_fail(e->ctx, KR_EUSAGE, "kustomize edit %s needs a command", group);
	const char *sub = argv[1];
	char both[64];
	snprintf(both, sizeof(both), "%s %s", group, sub);
	for (int i = 0; unsupported[i]; i++)
		if (!strcmp(both, unsupported[i]))
			return kr_fail(e->ctx, KR_EUSAGE, "kustomize edit %s is not supported by this "
			               "version of krender yet", both);
	static const char *const known[] = {
		"set image", "set replicas", "set nameprefix", "set namesuffix", "set namespace",
		"add label", "add annotation", "add resource", "add component", "add patch", NULL
	};
	int found = 0;
	for (int i = 0; known[i] && !found; i++)
		found = !strcmp(both, known[i]);
	if (!found)
		return kr_fail(e->ctx, KR_EUSAGE, "unknown command \"%s\" for \"kustomize edit %s\"",
		               sub, group);

	if ((rc = kr_kfile_open(e->ctx, e->dir, &e->kf)) < 0)
		return rc;

	int nargs = argc - 2;
	char *const *rest = argv + 2;
	const char **pos = kr_arena_alloc(&e->ctx->arena, sizeof(*pos) * ((size_t)nargs + 1));
	if (!pos)
		return kr_nomem(e->ctx);
	int npos = 0;
	int force = 0, without_selector = 0, include_templates = 0, no_verify = 0;
	const char *path = "", *patch = "";
	const char *target[7] = { "", "", "", "", "", "", "" };
	flagspec none[] = { { NULL, 0, 0, NULL } };
	flagspec label_flags[] = {
		{ "force", 'f', FLAG_BOOL, &force },
		{ "without-selector", 0, FLAG_BOOL, &without_selector },
		{ "include-templates", 0, FLAG_BOOL, &include_templates },
		{ NULL, 0, 0, NULL }
	};
	flagspec annotation_flags[] = {
		{ "force", 'f', FLAG_BOOL, &force }, { NULL, 0, 0, NULL }
	};
	flagspec resource_flags[] = {
		{ "no-verify", 0, FLAG_BOOL, &no_verify }, { NULL, 0, 0, NULL }
	};
	flagspec patch_flags[] = {
		{ "path", 0, FLAG_STRING, &path },
		{ "patch", 0, FLAG_STRING, &patch },
		{ "group", 0, FLAG_STRING, &target[0] },
		{ "version", 0, FLAG_STRING, &target[1] },
		{ "kind", 0, FLAG_STRING, &target[2] },
		{ "name", 0, FLAG_STRING, &target[3] },
		{ "namespace", 0, FLAG_STRING, &target[4] },
		{ "label-selector", 0, FLAG_STRING, &target[5] },
		{ "annotation-selector", 0, FLAG_STRING, &target[6] },
		{ NULL, 0, 0, NULL }
	};
	const flagspec *fs = none;
	if (!strcmp(both, "add label"))
		fs = label_flags;
	else if (!strcmp(both, "add annotation"))
		fs = annotation_flags;
	else if (!strcmp(both, "add resource"))
		fs = resource_flags;
	else if (!strcmp(both, "add patch"))
		fs = patch_flags;
	if ((rc = parse_args(e, fs, nargs, rest, pos, &npos)) < 0)
		return rc;

	if (!strcmp(both, "set image"))
		return cmd_set_image(e, npos, pos);
	if (!strcmp(both, "set replicas"))
		return cmd_set_replicas(e, npos, pos);
	if (!strcmp(both, "set nameprefix"))
		return set_scalar_field(e, "namePrefix", "prefix", npos, pos);
	if (!strcmp(both, "set namesuffix"))
		return set_scalar_field(e, "nameSuffix", "suffix", npos, pos);
	if (!strcmp(both, "set namespace"))
		return set_scalar_field(e, "namespace", "namespace", npos, pos);
	if (!strcmp(both, "add label"))
		return cmd_add_metadata(e, 1, force, without_selector, include_templates, npos, pos);
	if (!strcmp(both, "add annotation"))
		return cmd_add_metadata(e, 0, force, 0, 0, npos, pos);
	if (!strcmp(both, "add resource"))
		return cmd_add_paths(e, "resources", "bases", "resource", no_verify, npos, pos);
	if (!strcmp(both, "add component"))
		return cmd_add_paths(e, "components", NULL, "component", 0, npos, pos);
	return cmd_add_patch(e, path, patch, target);
}

int kr_edit(const char *dir, int argc, char *const *argv, const kr_build_options *opts,
            char **message)
{
	kr_ctx ctx;
	kr_ctx_init(&ctx, opts);
	editor e;
	memset(&e, 0, sizeof(e));
	e.ctx = &ctx;
	e.dir = dir ? dir : ".";
	e.kf.display = "kustomization.yaml";
	int rc = run(&e, argc, argv);
	if (message)
		*message = NULL;
	if (rc < 0 && message) {
		const char *m = ctx.err.data && ctx.err.len ? ctx.err.data
		                : rc == KR_ENOMEM ? "out of memory" : "edit failed";
		*message = strdup(m);
	}
	kr_ctx_free(&ctx);
	return rc < 0 ? rc : 0;
}
