/* SPDX-License-Identifier: Apache-2.0 */
/* The semantic oracle: does a successful output hold what the run's results say, and nothing
 * else? Independent of function/: it reads input and output with libyaml's document loader and
 * compares the parsed objects, so a change written into the wrong object shows even when the
 * bytes parse. Used by the libFuzzer target (fuzz/fuzz_transform.c), the AFL++ harness
 * (fuzz/afl_cli.c) and the data-driven runners (through ani-result-oracle). */
#ifndef ANI_ORACLE_H
#define ANI_ORACLE_H

#include <stddef.h>

/* One change a result reports: its resourceRef, message and field path (NULL when absent). */
typedef struct {
	const char *kind, *name, *namespace_;
	const char *message;
	const char *field;
} oracle_claim;

typedef struct {
	oracle_claim *v;
	size_t n;
	char **owned; /* strings read from a text, freed with the claims */
	size_t n_owned;
} oracle_claims;

/* Adds a claim, copying its strings. */
void oracle_claims_add(oracle_claims *c, const char *kind, const char *name, const char *namespace_,
		       const char *message, const char *field);
/* The info results of a ResourceList output (its top-level `results`); returns 1 when the text
 * is a ResourceList, 0 when not. */
int oracle_claims_from_list(oracle_claims *c, const char *out, size_t out_len);
/* The info lines the CLI wrote to stderr ("PROG: NAME[:L:C]: info: KIND [NS/]NAME: MESSAGE
 * [(FIELD)]"). */
void oracle_claims_from_stderr(oracle_claims *c, const char *err, size_t err_len);
void oracle_claims_free(oracle_claims *c);

/* Checks a successful run: every claim holds in the object it names (the label in that
 * Namespace's metadata.labels, the rule or ports in that policy's spec.ingress, a created policy
 * with that name), every object that changed is one a claim names, changed only in the way
 * claimed, and every other item equals its input after parsing. With `complete` 0 the claims
 * may be missing (results not shown): changes need no claim, but must still be of those kinds.
 * Returns 0; 1 when the input itself does not load (an undefined alias, which the function passes
 * through), so nothing can be judged; or -1 with the reason in `why`. */
int oracle_check(const char *in, size_t in_len, const char *out, size_t out_len,
		 const oracle_claims *claims, int complete, char *why, size_t why_size);

#endif
