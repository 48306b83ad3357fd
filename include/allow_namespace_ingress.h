/* SPDX-License-Identifier: Apache-2.0 */
/* allow-namespace-ingress: merge a namespace-ingress grant into a NetworkPolicy and label the
 * source Namespace, editing the input bytes in place so that everything else stays as it was.
 *
 * The CLI, the tests and the fuzzer all go through this header. */
#ifndef ALLOW_NAMESPACE_INGRESS_H
#define ALLOW_NAMESPACE_INGRESS_H

#include <stddef.h>

#include "ani_version.h" /* ANI_VERSION, generated from the CMake project version */

/* How the input is framed. */
typedef enum {
	ANI_INPUT_AUTO = 0,	 /* a ResourceList if the input is one, else a stream */
	ANI_INPUT_RESOURCE_LIST, /* a KRM ResourceList (kustomize, kpt) */
	ANI_INPUT_STREAM	 /* a multi-document YAML stream (legacy plugin, plain filter) */
} ani_input_kind;

typedef enum { ANI_SEVERITY_INFO = 0, ANI_SEVERITY_WARNING, ANI_SEVERITY_ERROR } ani_severity;

/* One `key=value` setting: a key of the settings table below, a value as in the ConfigMap form. */
typedef struct {
	const char *key;
	const char *value;
} ani_setting;

/* One row of the settings table, the single description of every config setting: the
 * ConfigMap reader, the typed reader, the CLI flags, --help and the docs' tests all read it. */
typedef struct {
	const char *key;	  /* the ani_setting key; also the ConfigMap data key, unless */
	int configmap;		  /* ... this is 0 (a flag-only setting) */
	const char *typed_path;	  /* where the typed AllowNamespaceIngress form holds it, or NULL */
	const char *flag;	  /* CLI flag taking a value, or NULL */
	const char *metavar;	  /* what that value looks like */
	int repeatable;		  /* repeated flags add to one comma list */
	const char *switch_flag;  /* CLI flag without a value, or NULL ... */
	const char *switch_value; /* ... that sets this value */
	const char *switch_help;  /* what that flag does */
	int over_function_config; /* its flags may be given with a ResourceList's functionConfig */
	const char *default_value; /* in the ConfigMap form; NULL: none, or derived (see help) */
	const char *help;
} ani_setting_spec;

/* Row `i` of the settings table, NULL past its end. */
const ani_setting_spec *ani_setting_spec_at(size_t i);
/* The row whose flag (or, with *is_switch set, switch flag) is `arg`; NULL when none. */
const ani_setting_spec *ani_setting_for_flag(const char *arg, int *is_switch);

/* Resource limits; a zero field takes the documented default (see ani_limits_default). */
typedef struct {
	size_t max_input_bytes;
	size_t max_depth;
	size_t max_items;
	size_t max_scalar_bytes;
} ani_limits;

/* What the output is. */
typedef enum {
	ANI_OUTPUT_MANIFESTS = 0, /* the input with the changes made */
	ANI_OUTPUT_PATCHES /* a kustomize Component whose patches make them (--emit-patches) */
} ani_output;

typedef struct {
	ani_input_kind input_kind;
	ani_output output;
	const char *input_name; /* for messages, e.g. "<stdin>" */
	/* Config given outside the input (legacy plugin file, --config FILE): YAML text of an
	 * AllowNamespaceIngress or a ConfigMap. NULL when not given. */
	const char *config_text;
	size_t config_len;
	const char *config_name;
	/* Config given as settings (CLI flags), applied in order after config_text or the
	 * ResourceList's functionConfig (only settings marked over_function_config go with the
	 * latter). */
	const ani_setting *settings;
	size_t n_settings;
	ani_limits limits;
} ani_options;

/* One finding, as in a KRM `results` entry. Strings are NUL-terminated; optional ones may be NULL.
 */
typedef struct {
	ani_severity severity;
	const char *message;
	const char *api_version, *kind, *name, *namespace_; /* resourceRef */
	const char *field_path;				    /* e.g. spec.ingress[1].ports */
	const char *file_path;				    /* config.kubernetes.io/path */
	long file_index;     /* config.kubernetes.io/index, -1 if none */
	size_t line, column; /* 1-based position in the input, 0 if none */
} ani_result;

typedef struct ani_run ani_run;

/* Fills in the documented defaults for every zero field. */
ani_limits ani_limits_default(ani_limits given);

/* Reads all of `fd` into one malloc'd block (*buf, *len; free it with free()), stopping one byte
 * past `limit` so that an oversized input is refused without reading it all (*len > limit then).
 * The block's pages are mapped ahead of the reads, a MiB at a time, rather than faulted in one by
 * one, and a big block asks for huge pages. Returns 0, or -1 with errno set. */
int ani_read_all(int fd, size_t limit, char **buf, size_t *len);

/* Transforms `input` (not necessarily NUL-terminated; it must outlive the run). Returns the exit
 * status the CLI should use: 0 success (warnings included), 1 failure. `*run` receives the outcome
 * in both cases; free it with ani_run_free. When memory runs out the run returns 1 with `*run`
 * NULL, having freed all it had taken (the library never exits). */
int ani_transform(const char *input, size_t len, const ani_options *options, ani_run **run);

/* Writes the output through `write` (which returns 0 on success). On success it is the whole
 * transformed input (or, for ANI_OUTPUT_PATCHES, the Component's kustomization.yaml); on failure of
 * a ResourceList whose input could be read, it is the unchanged list with an error result;
 * otherwise nothing. Returns 0, or -1 when a write failed. The bytes handed to `write` stay valid
 * until ani_run_free, so it may keep pointers to them instead of copying. */
typedef int (*ani_write_fn)(void *ctx, const char *bytes, size_t len);
int ani_run_write(const ani_run *run, ani_write_fn write, void *ctx);

/* ANI_OUTPUT_PATCHES: the files that go beside the Component (separate mode's new policies),
 * by name relative to its directory. */
size_t ani_run_file_count(const ani_run *run);
const char *ani_run_file_name(const ani_run *run, size_t i);
const char *ani_run_file_text(const ani_run *run, size_t i, size_t *len);

/* 1 when the run has output to write (see ani_run_write). */
int ani_run_has_output(const ani_run *run);
/* The input framing actually used. */
ani_input_kind ani_run_input_kind(const ani_run *run);
size_t ani_run_result_count(const ani_run *run);
const ani_result *ani_run_result(const ani_run *run, size_t i);
/* One line per result for stderr, e.g. "<stdin>:17:3: warning: ...". Caller frees (free());
 * NULL when memory ran out. */
char *ani_result_format_line(const ani_run *run, const ani_result *result);
void ani_run_free(ani_run *run);

#endif
