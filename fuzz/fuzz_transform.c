/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer target over the public API (include/allow_namespace_ingress.h).
 *
 * A fuzz input is a case (fuzz_case.h): optional command-line words (flags, limits, modes), an
 * optional config file, and the input, so options and config are fuzzed with the input.
 *
 * Besides "no crash, no hang, no leak, no undefined behaviour" (the sanitizers), it checks, for
 * every input the function accepts (ani_transform returns 0 and has output):
 *   P1  the output parses with libyaml's event parser;
 *   P2  it has the same number of items (ResourceList) or documents (stream) as the input,
 *       plus one per NetworkPolicy it says it created (separate mode);
 *   P3  running the function again, with the same options (limits at least the defaults: the
 *       output may be bigger and deeper than the input), on its output changes nothing: the
 *       second output is byte-identical to the first outside the top-level `results:` entry
 *       (ResourceList) or identical (stream), and the second run succeeds too;
 *   P4  a ResourceList output is one block-style document with exactly one top-level `results`;
 *   P6  the semantic oracle (tests/oracle): every change a result reports is in the object it
 *       names, and nothing else changed;
 * and for an input it refuses with output (a ResourceList whose config or target is bad):
 *   P5  the output (the unchanged list plus an error result) parses and keeps every item.
 * A broken property calls abort(), which libFuzzer reports as a crash.
 *
 * The same file builds without libFuzzer (ANI_FUZZ_REPLAY_MAIN) as a replay program that runs
 * the checks over files given on the command line: tests/hostile/fuzz-regressions.sh uses it. */
#include "allow_namespace_ingress.h"
#include "fuzz_case.h"
#include "oracle.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct {
	char *p;
	size_t len, cap;
} membuf;

static int mem_write(void *ctx, const char *bytes, size_t len)
{
	membuf *b = ctx;
	if (b->len + len + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + len + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			return -1;
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, bytes, len);
	b->len += len;
	b->p[b->len] = '\0';
	return 0;
}

static void fail(const char *property, const char *detail)
{
	fprintf(stderr, "fuzz_transform: property %s broken: %s\n", property, detail);
	abort();
}

/* libyaml marks count characters; this turns one into a byte offset (the BOM is not counted). */
static size_t char_to_byte(const char *buf, size_t len, size_t index)
{
	size_t b = 0;
	if (len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3))
		b = 3;
	for (size_t c = 0; c < index && b < len; c++) {
		unsigned char x = (unsigned char)buf[b];
		b += x < 0x80 ? 1 : x < 0xE0 ? 2 : x < 0xF0 ? 3 : 4;
	}
	return b < len ? b : len;
}

/* What an independent libyaml pass sees in a text. */
typedef struct {
	int ok;
	size_t documents;
	size_t items;			 /* entries of the top-level `items` (first document) */
	size_t n_results;		 /* top-level `results` keys (first document) */
	int root_block;			 /* the first document's root is a block mapping */
	size_t results_key, results_end; /* byte span of the last top-level results entry */
} shape;

static shape inspect(const char *buf, size_t len)
{
	shape s;
	memset(&s, 0, sizeof s);
	yaml_parser_t parser;
	yaml_event_t ev;
	yaml_parser_initialize(&parser);
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
	size_t depth = 0;
	int expect_key = 0; /* next depth-1 scalar in the first document's root mapping is a key */
	int in_items = 0, in_results = 0;
	size_t key_index = 0;
	for (;;) {
		if (!yaml_parser_parse(&parser, &ev))
			break;
		yaml_event_type_t t = ev.type;
		int done = t == YAML_STREAM_END_EVENT;
		int first_doc = s.documents == 1;
		if (t == YAML_DOCUMENT_START_EVENT)
			s.documents++;
		int starts_node = t == YAML_SCALAR_EVENT || t == YAML_ALIAS_EVENT ||
				  t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT;
		if (first_doc && starts_node) {
			if (depth == 0 && t == YAML_MAPPING_START_EVENT) {
				s.root_block =
					ev.data.mapping_start.style != YAML_FLOW_MAPPING_STYLE;
				expect_key = 1;
			} else if (depth == 1 && expect_key) {
				in_items = t == YAML_SCALAR_EVENT &&
					   !strcmp((char *)ev.data.scalar.value, "items");
				in_results = t == YAML_SCALAR_EVENT &&
					     !strcmp((char *)ev.data.scalar.value, "results");
				if (in_results) {
					s.n_results++;
					key_index = ev.start_mark.index;
				}
				expect_key = 0;
			} else if (depth == 1) {
				expect_key = 1;
				if (in_results && t != YAML_MAPPING_START_EVENT &&
				    t != YAML_SEQUENCE_START_EVENT) {
					s.results_key = char_to_byte(buf, len, key_index);
					s.results_end = char_to_byte(buf, len, ev.end_mark.index);
				}
			} else if (depth == 2 && in_items) {
				s.items++;
			}
		}
		if (t == YAML_MAPPING_START_EVENT || t == YAML_SEQUENCE_START_EVENT)
			depth++;
		if (t == YAML_MAPPING_END_EVENT || t == YAML_SEQUENCE_END_EVENT) {
			depth--;
			if (first_doc && depth == 1 && in_results) {
				s.results_key = char_to_byte(buf, len, key_index);
				s.results_end = char_to_byte(buf, len, ev.end_mark.index);
			}
		}
		yaml_event_delete(&ev);
		if (done) {
			s.ok = 1;
			break;
		}
	}
	yaml_parser_delete(&parser);
	return s;
}

/* The options a case's words stand for, as the API takes them: flags and switches through the
 * settings table (the CLI's own), limits, and the framing; other words are ignored. */
typedef struct {
	ani_options o;
	ani_setting settings[FUZZ_CASE_MAX_WORDS];
} case_options;

static void options_for(const fuzz_case *c, case_options *co)
{
	static const struct {
		const char *flag, *env;
		size_t offset;
	} limits[] = {
		{"--max-input-bytes",
		 "ANI_MAX_INPUT_BYTES=", offsetof(ani_limits, max_input_bytes)},
		{"--max-depth", "ANI_MAX_DEPTH=", offsetof(ani_limits, max_depth)},
		{"--max-items", "ANI_MAX_ITEMS=", offsetof(ani_limits, max_items)},
		{"--max-scalar-bytes",
		 "ANI_MAX_SCALAR_BYTES=", offsetof(ani_limits, max_scalar_bytes)},
	};
	memset(co, 0, sizeof *co);
	ani_options *o = &co->o;
	o->input_kind = ANI_INPUT_AUTO;
	o->input_name = "<fuzz>";
	o->settings = co->settings;
	for (size_t i = 0; i < c->n_words; i++) {
		const char *w = c->words[i], *v = i + 1 < c->n_words ? c->words[i + 1] : NULL;
		if (!strcmp(w, "--stream"))
			o->input_kind = ANI_INPUT_STREAM;
		else if (!strcmp(w, "--resource-list"))
			o->input_kind = ANI_INPUT_RESOURCE_LIST;
		for (size_t l = 0; l < sizeof limits / sizeof *limits; l++) {
			size_t env_len = strlen(limits[l].env);
			const char *n = !strcmp(w, limits[l].flag)	      ? v
					: !strncmp(w, limits[l].env, env_len) ? w + env_len
									      : NULL;
			if (n)
				*(size_t *)((char *)&o->limits + limits[l].offset) =
					(size_t)strtoull(n, NULL, 10);
		}
		int is_switch;
		const ani_setting_spec *s = ani_setting_for_flag(w, &is_switch);
		if (s && (is_switch || v))
			co->settings[o->n_settings++] =
				(ani_setting){s->key, is_switch ? s->switch_value : v};
	}
	if (c->has_config) {
		o->config_text = c->config;
		o->config_len = c->config_len;
		o->config_name = "<fuzz config>";
		if (c->plugin && o->input_kind == ANI_INPUT_AUTO)
			o->input_kind = ANI_INPUT_STREAM;
	}
}

/* Runs the function; returns its status and the output in *out (empty when none), the input
 * framing in *kind, in *created the number of NetworkPolicies it says it created, and in
 * `claims` (when not NULL) its info results. */
static int transform(const ani_options *o, const char *in, size_t len, membuf *out,
		     ani_input_kind *kind, size_t *created, oracle_claims *claims)
{
	ani_run *run = NULL;
	int rc = ani_transform(in, len, o, &run);
	if (!run)
		fail("run", "ani_transform gave no run");
	if (rc != 0 && rc != 1)
		fail("status", "ani_transform returned neither 0 nor 1");
	memset(out, 0, sizeof *out);
	if (ani_run_has_output(run) && ani_run_write(run, mem_write, out))
		fail("write", "writing to memory failed");
	/* Every result formats to a line (exercises the stderr path). */
	for (size_t i = 0; i < ani_run_result_count(run); i++) {
		char *line = ani_result_format_line(run, ani_run_result(run, i));
		if (!line || !*line || strchr(line, '\n'))
			fail("result", "a result does not format to one line");
		free(line);
	}
	*created = 0;
	for (size_t i = 0; i < ani_run_result_count(run); i++) {
		const ani_result *r = ani_run_result(run, i);
		*created += !strncmp(r->message, "created, admitting ", 19);
		if (claims && r->severity == ANI_SEVERITY_INFO)
			oracle_claims_add(claims, r->kind, r->name, r->namespace_, r->message,
					  r->field_path);
	}
	if (rc == 1) {
		int has_error = 0;
		for (size_t i = 0; i < ani_run_result_count(run); i++)
			has_error |= ani_run_result(run, i)->severity == ANI_SEVERITY_ERROR;
		if (!has_error)
			fail("status", "failed without an error result");
	}
	*kind = ani_run_input_kind(run);
	ani_run_free(run);
	return rc;
}

static void check_case(const ani_options *o, const char *in, size_t size)
{
	membuf out1, out2;
	ani_input_kind kind, kind2;
	size_t created, created2;
	oracle_claims claims = {0};
	int rc = transform(o, in, size, &out1, &kind, &created, &claims);
	int list = kind == ANI_INPUT_RESOURCE_LIST;
	if (rc == 1 && !out1.len) {
		free(out1.p);
		oracle_claims_free(&claims);
		return;
	}
	if (rc == 1 && !list)
		fail("P5", "a failed stream run wrote output");
	shape si = inspect(in, size), s1 = inspect(out1.p ? out1.p : "", out1.len);
	if (!si.ok)
		fail("input", "the function accepted (read through) an input libyaml rejects");
	if (!s1.ok)
		fail(rc ? "P5" : "P1", "the output does not parse");
	/* A failed run changes nothing, though its results may still say "created". */
	if (rc)
		created = 0;
	if (list && (s1.items != si.items + created || s1.documents != 1))
		fail(rc ? "P5" : "P2", "a ResourceList output has other items than the input");
	if (!list && s1.documents != si.documents + created)
		fail("P2", "a stream output has another number of documents than the input");
	if (list && (s1.n_results != 1 || !s1.root_block))
		fail("P4", "a ResourceList output is not block style with exactly one results");
	if (rc) {
		free(out1.p);
		oracle_claims_free(&claims);
		return;
	}
	char why[1024];
	if (oracle_check(in, size, out1.p ? out1.p : "", out1.len, &claims, 1, why, sizeof why) < 0)
		fail("P6", why);
	oracle_claims_free(&claims);
	/* The output may be bigger and deeper than the limits that let the input in: the second run
	 * has at least the default limits. */
	ani_options again = *o;
	ani_limits given = ani_limits_default(o->limits),
		   dflt = ani_limits_default((ani_limits){0});
	again.limits = (ani_limits){
		given.max_input_bytes > dflt.max_input_bytes ? given.max_input_bytes
							     : dflt.max_input_bytes,
		given.max_depth > dflt.max_depth ? given.max_depth : dflt.max_depth,
		given.max_items > dflt.max_items ? given.max_items : dflt.max_items,
		given.max_scalar_bytes > dflt.max_scalar_bytes ? given.max_scalar_bytes
							       : dflt.max_scalar_bytes,
	};
	int rc2 = transform(&again, out1.p ? out1.p : "", out1.len, &out2, &kind2, &created2, NULL);
	if (rc2 != 0 || kind2 != kind || created2)
		fail("P3", "the function refuses (or reads otherwise) its own output");
	if (!list) {
		if (out2.len != out1.len || memcmp(out1.p, out2.p, out1.len))
			fail("P3", "a second run changed the stream");
	} else {
		shape s2 = inspect(out2.p, out2.len);
		if (!s2.ok || s2.n_results != 1)
			fail("P3", "the second output does not parse");
		size_t tail1 = out1.len - s1.results_end, tail2 = out2.len - s2.results_end;
		if (s1.results_key != s2.results_key || memcmp(out1.p, out2.p, s1.results_key) ||
		    tail1 != tail2 ||
		    memcmp(out1.p + s1.results_end, out2.p + s2.results_end, tail1))
			fail("P3", "a second run changed the list outside its results");
	}
	free(out1.p);
	free(out2.p);
}

static void check(const uint8_t *data, size_t size)
{
	fuzz_case c;
	case_options co;
	fuzz_case_decode(data, size, &c);
	options_for(&c, &co);
	check_case(&co.o, c.input, c.input_len);
	fuzz_case_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check(data, size);
	return 0;
}

#ifdef ANI_FUZZ_REPLAY_MAIN
/* Replays files through the same checks: `fuzz-replay FILE...`; exit 0 when all pass. */
int main(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		FILE *fp = fopen(argv[i], "rb");
		if (!fp) {
			perror(argv[i]);
			return 2;
		}
		membuf b;
		memset(&b, 0, sizeof b);
		char chunk[65536];
		size_t n;
		while ((n = fread(chunk, 1, sizeof chunk, fp)) > 0)
			if (mem_write(&b, chunk, n))
				return 2;
		fclose(fp);
		fprintf(stderr, "replay %s (%zu bytes)\n", argv[i], b.len);
		check((const uint8_t *)(b.p ? b.p : ""), b.len);
		free(b.p);
	}
	return 0;
}
#endif
