/* SPDX-License-Identifier: Apache-2.0 */
/* allow-namespace-ingress: flags, mode selection, I/O and exit codes; the work is in the library
 * (include/allow_namespace_ingress.h). */
#include "allow_namespace_ingress.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

#define PROG "allow-namespace-ingress"

static const char usage_head[] =
	"Usage: " PROG " [OPTIONS] [PLUGIN_CONFIG_FILE] < INPUT > OUTPUT\n"
	"\n"
	"Merges an ingress rule admitting other namespaces into a NetworkPolicy and labels the\n"
	"source Namespace so the rule matches. Reads stdin, writes stdout.\n"
	"\n"
	"Modes (chosen from the input and arguments):\n"
	"  KRM function     stdin is a ResourceList (kustomize --enable-exec, kpt fn "
	"eval/render):\n"
	"                   config from its functionConfig; results in the output list.\n"
	"  legacy plugin    PLUGIN_CONFIG_FILE given (kubectl kustomize --enable-alpha-plugins):\n"
	"                   config from that file; stdin and stdout are YAML streams.\n"
	"  filter           stdin is a multi-document YAML stream: config from the flags below\n"
	"                   or --config; results on stderr, one line each.\n"
	"\n"
	"Config (ConfigMap key in brackets; every one optional; flags apply after the config file\n"
	"or functionConfig, in the order given):\n"
	"  --config FILE              an AllowNamespaceIngress or ConfigMap YAML file (at most\n"
	"                             16 MiB)\n";

static const char usage_tail[] =
	"\n"
	"Output:\n"
	"  --emit-patches [DIR]       instead of the manifests, write a kustomize Component whose\n"
	"                             JSON 6902 patches make the same changes, for builds that\n"
	"                             run no functions (Flux, kubectl apply with -k): its\n"
	"                             kustomization.yaml on stdout, or DIR/kustomization.yaml\n"
	"                             and, in separate mode, the new policies beside it\n"
	"\n"
	"Input:\n"
	"  --resource-list            the input must be a ResourceList\n"
	"  --stream                   the input is a YAML stream, even if it is a ResourceList\n"
	"  --max-input-bytes N        default 1073741824 (env ANI_MAX_INPUT_BYTES)\n"
	"  --max-depth N              nesting levels, default 200 (env ANI_MAX_DEPTH)\n"
	"  --max-items N              default 1000000 (env ANI_MAX_ITEMS)\n"
	"  --max-scalar-bytes N       default 67108864 (env ANI_MAX_SCALAR_BYTES)\n"
	"\n"
	"Other:\n"
	"  -q, --quiet                filter mode: print only warnings and errors\n"
	"  -h, --help                 this text\n"
	"      --version              the version\n"
	"\n"
	"Exit status: 0 success (warnings included), 1 failure (nothing usable written),\n"
	"2 bad command line.\n";

#define HELP_TEXT_COL 29
#define HELP_WIDTH    92

/* One option's help: its name in the left column, `text` wrapped on the right. */
static void print_option(const char *left, const char *text)
{
	int col = printf("  %s", left);
	const char *p = text;
	while (*p) {
		if (col >= HELP_TEXT_COL - 1) {
			putchar('\n');
			col = 0;
		}
		col += printf("%*s", HELP_TEXT_COL - col, "");
		size_t n = strlen(p);
		if (n > (size_t)(HELP_WIDTH - HELP_TEXT_COL)) {
			n = HELP_WIDTH - HELP_TEXT_COL;
			while (n && p[n] != ' ')
				n--;
		}
		col += printf("%.*s", (int)n, p);
		p += n;
		while (*p == ' ')
			p++;
		col = HELP_TEXT_COL; /* a continuation line starts in the right column */
	}
	putchar('\n');
}

/* The config part of --help comes from the settings table. */
static void print_usage(void)
{
	fputs(usage_head, stdout);
	const ani_setting_spec *s;
	for (size_t i = 0; (s = ani_setting_spec_at(i)); i++) {
		char left[64], text[512];
		const char *key = s->configmap ? s->key : NULL;
		if (s->flag) {
			snprintf(left, sizeof left, "%s %s", s->flag, s->metavar);
			snprintf(text, sizeof text, "%s%s%s%s%s%s%s", s->help,
				 s->repeatable ? "; repeatable" : "", key ? " [" : "",
				 key ? key : "", key ? "]" : "",
				 s->default_value ? " (default " : "",
				 s->default_value ? s->default_value : "");
			if (s->default_value)
				strncat(text, ")", sizeof text - strlen(text) - 1);
			print_option(left, text);
		}
		if (s->switch_flag) {
			snprintf(text, sizeof text, "%s [%s: %s]", s->switch_help, s->key,
				 s->switch_value);
			print_option(s->switch_flag, text);
		}
	}
	fputs("Config without a flag (in a config file or functionConfig):\n", stdout);
	for (size_t i = 0; (s = ani_setting_spec_at(i)); i++) {
		if (s->flag || s->switch_flag)
			continue;
		char text[512];
		snprintf(text, sizeof text, "%s%s%s%s", s->help,
			 s->default_value ? " (default " : "",
			 s->default_value ? s->default_value : "", s->default_value ? ")" : "");
		print_option(s->key, text);
	}
	fputs(usage_tail, stdout);
}

typedef struct {
	char *buf;
	size_t len;
} bytes;

static int die_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int die_usage(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	fprintf(stderr, PROG ": ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\nTry '" PROG " --help'.\n");
	va_end(ap);
	return 2;
}

/* A config file is small; a bigger one is refused whole, never used in part. */
#define MAX_CONFIG_BYTES ((size_t)16 << 20)

static int read_file(const char *path, bytes *out)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	int rc = ani_read_all(fileno(fp), MAX_CONFIG_BYTES, &out->buf, &out->len);
	int e = errno;
	fclose(fp);
	if (!rc && out->len > MAX_CONFIG_BYTES) {
		free(out->buf);
		e = EFBIG;
		rc = -1;
	}
	errno = e;
	return rc;
}

static int write_file(void *ctx, const char *p, size_t n)
{
	return fwrite(p, 1, n, ctx) == n ? 0 : -1;
}

/* Writes `dir/name` whole or not at all: a temporary file renamed over it. */
static int write_whole_file(const char *dir, const char *name, const ani_run *run, size_t file)
{
	char path[4096], tmp[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	snprintf(tmp, sizeof tmp, "%s/.%s.tmp", dir, name);
	FILE *fp = fopen(tmp, "wb");
	if (!fp)
		return -1;
	size_t len = 0;
	const char *text = file != (size_t)-1 ? ani_run_file_text(run, file, &len) : NULL;
	int failed = text ? write_file(fp, text, len) : ani_run_write(run, write_file, fp);
	failed |= fflush(fp) || ferror(fp);
	failed |= fclose(fp);
	if (failed || rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}

/* --emit-patches DIR: the Component's kustomization.yaml and the files beside it. */
static int write_component_dir(const char *dir, const ani_run *run)
{
	if (mkdir(dir, 0777) && errno != EEXIST)
		return -1;
	for (size_t i = 0; i < ani_run_file_count(run); i++)
		if (write_whole_file(dir, ani_run_file_name(run, i), run, i))
			return -1;
	return write_whole_file(dir, "kustomization.yaml", run, (size_t)-1);
}

/* The output goes to stdout with writev, straight from the run's buffers (valid until
 * ani_run_free): no copy into a stdio buffer, and one system call for up to OUT_PIECES pieces. */
enum { OUT_PIECES = 64 };
typedef struct {
	struct iovec v[OUT_PIECES];
	int n;
} out_pieces;

static int write_out_pieces(out_pieces *o)
{
	struct iovec *v = o->v;
	int n = o->n;
	o->n = 0;
	while (n > 0) {
		ssize_t done = writev(STDOUT_FILENO, v, n);
		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -1;
		for (; n > 0 && (size_t)done >= v->iov_len; v++, n--)
			done -= (ssize_t)v->iov_len;
		if (n > 0) {
			v->iov_base = (char *)v->iov_base + done;
			v->iov_len -= (size_t)done;
		}
	}
	return 0;
}

static int add_out_piece(void *ctx, const char *p, size_t n)
{
	out_pieces *o = ctx;
	if (o->n == OUT_PIECES && write_out_pieces(o))
		return -1;
	if (n)
		o->v[o->n++] = (struct iovec){(void *)p, n};
	return 0;
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s || *end || v == 0 || s[0] == '-')
		return -1;
	*out = (size_t)v;
	return 0;
}

typedef struct {
	ani_setting *v;
	size_t n;
	char **owned; /* strings made here, freed at the end */
	size_t n_owned;
} settings;

static char *own(settings *s, char *p)
{
	char **owned = realloc(s->owned, (s->n_owned + 1) * sizeof *owned);
	if (!p || !owned)
		exit(1);
	s->owned = owned;
	s->owned[s->n_owned++] = p;
	return p;
}

/* Settings apply in the order given; a repeatable flag's values join its first setting. */
static void add_setting(settings *s, const ani_setting_spec *spec, const char *value)
{
	for (size_t i = 0; spec->repeatable && i < s->n; i++) {
		if (strcmp(s->v[i].key, spec->key))
			continue;
		size_t n = strlen(s->v[i].value) + strlen(value) + 2;
		char *joined = malloc(n);
		if (!joined)
			exit(1);
		snprintf(joined, n, "%s,%s", s->v[i].value, value);
		s->v[i].value = own(s, joined);
		return;
	}
	s->v = realloc(s->v, (s->n + 1) * sizeof *s->v);
	if (!s->v)
		exit(1);
	s->v[s->n++] = (ani_setting){spec->key, value};
}

int main(int argc, char **argv)
{
	ani_options o = {0};
	settings set = {0};
	const char *config_file = NULL, *plugin_config = NULL, *patch_dir = NULL;
	int quiet = 0;
	static const struct {
		const char *flag, *env;
		size_t offset;
	} limit_flags[] = {
		{"--max-input-bytes", "ANI_MAX_INPUT_BYTES", offsetof(ani_limits, max_input_bytes)},
		{"--max-depth", "ANI_MAX_DEPTH", offsetof(ani_limits, max_depth)},
		{"--max-items", "ANI_MAX_ITEMS", offsetof(ani_limits, max_items)},
		{"--max-scalar-bytes", "ANI_MAX_SCALAR_BYTES",
		 offsetof(ani_limits, max_scalar_bytes)},
	};
	for (size_t i = 0; i < sizeof limit_flags / sizeof *limit_flags; i++) {
		const char *env = getenv(limit_flags[i].env);
		if (env && parse_size(env, (size_t *)((char *)&o.limits + limit_flags[i].offset)))
			return die_usage("%s must be a positive whole number", limit_flags[i].env);
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;
		int takes = 1;
		int is_switch = 0;
		const ani_setting_spec *spec = ani_setting_for_flag(a, &is_switch);
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			print_usage();
			return 0;
		} else if (!strcmp(a, "--version")) {
			puts(PROG " " ANI_VERSION);
			return 0;
		} else if (spec && is_switch) {
			add_setting(&set, spec, spec->switch_value);
			takes = 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = 1;
			takes = 0;
		} else if (!strcmp(a, "--stream")) {
			o.input_kind = ANI_INPUT_STREAM;
			takes = 0;
		} else if (!strcmp(a, "--emit-patches")) {
			o.output = ANI_OUTPUT_PATCHES;
			takes = v && v[0] != '-';
			patch_dir = takes ? v : NULL;
		} else if (!strcmp(a, "--resource-list")) {
			o.input_kind = ANI_INPUT_RESOURCE_LIST;
			takes = 0;
		} else if (a[0] == '-' && a[1] == '-' && a[2] && !v) {
			return die_usage("option %s needs a value", a);
		} else if (!strcmp(a, "--config")) {
			config_file = v;
		} else if (spec) {
			add_setting(&set, spec, v);
		} else {
			size_t l;
			for (l = 0; l < sizeof limit_flags / sizeof *limit_flags; l++)
				if (!strcmp(a, limit_flags[l].flag))
					break;
			if (l < sizeof limit_flags / sizeof *limit_flags) {
				if (parse_size(v, (size_t *)((char *)&o.limits +
							     limit_flags[l].offset)))
					return die_usage("%s must be a positive whole number", a);
			} else if (a[0] == '-' && a[1]) {
				return die_usage("unknown option %s", a);
			} else if (plugin_config) {
				return die_usage("unexpected argument %s", a);
			} else {
				plugin_config = a;
				takes = 0;
			}
		}
		i += takes;
	}
	if (config_file && plugin_config)
		return die_usage("--config and a plugin config file (%s) both given",
				 plugin_config);

	bytes cfg = {0};
	if (config_file || plugin_config) {
		const char *path = config_file ? config_file : plugin_config;
		if (read_file(path, &cfg)) {
			if (errno == EFBIG)
				fprintf(stderr,
					PROG ": error: config %s is more than %zu bytes (16 MiB, "
					     "the limit for a config file): refusing it\n",
					path, MAX_CONFIG_BYTES);
			else
				fprintf(stderr, PROG ": error: cannot read config %s: %s\n", path,
					strerror(errno));
			return 1;
		}
		o.config_text = cfg.buf;
		o.config_len = cfg.len;
		o.config_name = path;
	}
	if (plugin_config && o.input_kind == ANI_INPUT_AUTO)
		o.input_kind = ANI_INPUT_STREAM;
	o.settings = set.v;
	o.n_settings = set.n;
	o.input_name = "<stdin>";

	ani_limits limits = ani_limits_default(o.limits);
	bytes in = {0};
	if (ani_read_all(STDIN_FILENO, limits.max_input_bytes, &in.buf, &in.len)) {
		fprintf(stderr, PROG ": error: cannot read stdin: %s\n", strerror(errno));
		return 1;
	}

	ani_run *run = NULL;
	int status = ani_transform(in.buf, in.len, &o, &run);
	int krm = ani_run_input_kind(run) == ANI_INPUT_RESOURCE_LIST && !o.output;
	for (size_t i = 0; i < ani_run_result_count(run); i++) {
		const ani_result *r = ani_run_result(run, i);
		/* kpt shows results itself; kustomize shows only stderr, so errors go there too. */
		int show = r->severity == ANI_SEVERITY_ERROR ||
			   (!krm && r->severity == ANI_SEVERITY_WARNING) ||
			   (!krm && !plugin_config && !quiet);
		if (!show)
			continue;
		char *line = ani_result_format_line(run, r);
		fprintf(stderr, PROG ": %s\n", line);
		free(line);
	}

	signal(SIGPIPE, SIG_IGN);
	out_pieces out = {.n = 0};
	if (status == 0 && patch_dir) {
		if (write_component_dir(patch_dir, run)) {
			fprintf(stderr, PROG ": error: cannot write the Component in %s: %s\n",
				patch_dir, strerror(errno));
			status = 1;
		}
	} else if (status == 0 && ani_run_file_count(run)) {
		fprintf(stderr,
			PROG ": error: the Component has resources besides its kustomization.yaml "
			     "(separate mode's new policies): give --emit-patches DIR\n");
		status = 1;
	} else if (ani_run_write(run, add_out_piece, &out) || write_out_pieces(&out) ||
		   close(STDOUT_FILENO)) {
		fprintf(stderr, PROG ": error: cannot write the output: %s\n", strerror(errno));
		status = 1;
	}
	ani_run_free(run);
	free(in.buf);
	free(cfg.buf);
	free(set.v);
	for (size_t i = 0; i < set.n_owned; i++)
		free(set.owned[i]);
	free(set.owned);
	return status;
}
