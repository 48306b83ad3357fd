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
#include <unistd.h>

#define PROG "allow-namespace-ingress"

static const char usage[] =
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
	"Config (ConfigMap key in brackets; every one optional):\n"
	"  --config FILE              an AllowNamespaceIngress or ConfigMap YAML file (at most\n"
	"                             16 MiB, as a plugin config file; a bigger one is refused)\n"
	"  --policy NAMESPACE/NAME    the NetworkPolicy to merge into [policyNamespace,\n"
	"                             policyName] (default flux-system/allow-egress)\n"
	"  --from-namespace NS[,NS]   namespaces to admit, repeatable [fromNamespaces]\n"
	"                             (default octopilot-system)\n"
	"  --pod-selector K=V[,K=V]   admit only these pods of each namespace [podSelector]\n"
	"  --namespace-label KEY      label key the rule selects namespaces by [namespaceLabel]\n"
	"                             (default name)\n"
	"  --port SPEC[,SPEC]         80, 9090/TCP, 8000-8080/UDP, http; repeatable [ports]\n"
	"                             (default 80/TCP,9090/TCP)\n"
	"  --no-label-namespace       do not add the label to the Namespace [labelNamespace]\n"
	"  --on-missing-policy MODE   warn (default) or error when the policy is absent\n"
	"                             [onMissingPolicy]\n"
	"  --mode MODE                merge (default): edit the policy; check: change nothing,\n"
	"                             fail unless every grant is in place; separate: add a\n"
	"                             dedicated NetworkPolicy per namespace instead [mode]\n"
	"  --check                    change nothing, fail unless every grant is in place;\n"
	"                             with separate mode, checks the dedicated policies\n"
	"  --separate-policy-name N   separate mode: the policy's name [separatePolicyName]\n"
	"                             (default allow-<namespace>-to-<first pod label value>)\n"
	"  --separate-pod-selector K=V[,K=V]  separate mode: the pods the policy protects\n"
	"                             [separatePolicyPodSelector] (default app=source-controller)\n"
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

/* Reads all of `fd`, stopping one byte past `limit` so an oversized input is refused early. */
static int read_all(int fd, size_t limit, bytes *out)
{
	/* One byte past the limit, without wrapping at SIZE_MAX. */
	size_t want = limit < SIZE_MAX ? limit + 1 : SIZE_MAX;
	struct stat st;
	size_t cap = 65536;
	if (!fstat(fd, &st) && S_ISREG(st.st_mode) && st.st_size > 0 &&
	    (uintmax_t)st.st_size < SIZE_MAX)
		cap = (size_t)st.st_size + 1;
	if (cap > want)
		cap = want;
	char *buf = malloc(cap);
	size_t len = 0;
	if (!buf)
		return -1;
	for (;;) {
		if (len == cap) {
			if (len > limit || cap == want)
				break;
			size_t ncap = cap > want / 2 ? want : cap * 2;
			char *nbuf = realloc(buf, ncap);
			if (!nbuf) {
				free(buf);
				errno = ENOMEM;
				return -1;
			}
			buf = nbuf;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			free(buf);
			errno = e;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	out->buf = buf;
	out->len = len;
	return 0;
}

static int read_file(const char *path, bytes *out)
{
	FILE *fp = fopen(path, "rb");
	if (!fp)
		return -1;
	int rc = read_all(fileno(fp), MAX_CONFIG_BYTES, out);
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

static int write_stdout(void *ctx, const char *p, size_t n)
{
	(void)ctx;
	return fwrite(p, 1, n, stdout) == n ? 0 : -1;
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

/* Repeated list flags accumulate into one comma list. */
static void set_setting(settings *s, const char *key, const char *value, int append)
{
	for (size_t i = 0; i < s->n; i++) {
		if (strcmp(s->v[i].key, key))
			continue;
		if (!append) {
			s->v[i].value = value;
			return;
		}
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
	s->v[s->n++] = (ani_setting){key, value};
}

int main(int argc, char **argv)
{
	ani_options o = {0};
	settings set = {0};
	const char *config_file = NULL, *plugin_config = NULL;
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
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--version")) {
			puts(PROG " " ANI_VERSION);
			return 0;
		} else if (!strcmp(a, "--check")) {
			o.check = 1;
			takes = 0;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			quiet = 1;
			takes = 0;
		} else if (!strcmp(a, "--stream")) {
			o.input_kind = ANI_INPUT_STREAM;
			takes = 0;
		} else if (!strcmp(a, "--resource-list")) {
			o.input_kind = ANI_INPUT_RESOURCE_LIST;
			takes = 0;
		} else if (!strcmp(a, "--no-label-namespace")) {
			set_setting(&set, "labelNamespace", "false", 0);
			takes = 0;
		} else if (a[0] == '-' && a[1] == '-' && a[2] && !v) {
			return die_usage("option %s needs a value", a);
		} else if (!strcmp(a, "--config")) {
			config_file = v;
		} else if (!strcmp(a, "--policy")) {
			const char *slash = strchr(v, '/');
			if (!slash || slash == v || !slash[1])
				return die_usage("--policy takes NAMESPACE/NAME, not \"%s\"", v);
			char *ns = strndup(v, (size_t)(slash - v));
			if (!ns)
				return 1;
			set_setting(&set, "policyNamespace", own(&set, ns), 0);
			set_setting(&set, "policyName", slash + 1, 0);
		} else if (!strcmp(a, "--from-namespace")) {
			set_setting(&set, "fromNamespaces", v, 1);
		} else if (!strcmp(a, "--pod-selector")) {
			set_setting(&set, "podSelector", v, 1);
		} else if (!strcmp(a, "--namespace-label")) {
			set_setting(&set, "namespaceLabel", v, 0);
		} else if (!strcmp(a, "--port")) {
			set_setting(&set, "ports", v, 1);
		} else if (!strcmp(a, "--on-missing-policy")) {
			set_setting(&set, "onMissingPolicy", v, 0);
		} else if (!strcmp(a, "--mode")) {
			set_setting(&set, "mode", v, 0);
		} else if (!strcmp(a, "--separate-policy-name")) {
			set_setting(&set, "separatePolicyName", v, 0);
		} else if (!strcmp(a, "--separate-pod-selector")) {
			set_setting(&set, "separatePolicyPodSelector", v, 1);
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
	if (read_all(STDIN_FILENO, limits.max_input_bytes, &in)) {
		fprintf(stderr, PROG ": error: cannot read stdin: %s\n", strerror(errno));
		return 1;
	}

	ani_run *run = NULL;
	int status = ani_transform(in.buf, in.len, &o, &run);
	int krm = ani_run_input_kind(run) == ANI_INPUT_RESOURCE_LIST;
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
	int write_failed = ani_run_write(run, write_stdout, NULL) || fflush(stdout) ||
			   ferror(stdout) || fclose(stdout);
	if (write_failed) {
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
