/* SPDX-License-Identifier: Apache-2.0 */
/* ani-result-oracle INPUT OUTPUT [STDERR]: checks a successful run of the CLI with the semantic
 * oracle (oracle.h). The claims are the info results of a ResourceList output, and the info lines
 * of STDERR when given; without STDERR a stream's results are unknown (legacy plugin, --quiet),
 * so its changes are only checked to be of the kinds the function makes. Exit 0 when the output
 * holds (or cannot be judged: the input does not load), 1 (with the reason on stderr) when not,
 * 2 on a usage or read error. */
#include "oracle.h"

#include <stdio.h>
#include <stdlib.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		perror(path);
		exit(2);
	}
	size_t cap = 65536, n = 0, got;
	char *buf = malloc(cap);
	while (buf && (got = fread(buf + n, 1, cap - n, fp)) > 0) {
		n += got;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf || ferror(fp)) {
		fprintf(stderr, "ani-result-oracle: cannot read %s\n", path);
		exit(2);
	}
	fclose(fp);
	*len = n;
	return buf;
}

int main(int argc, char **argv)
{
	if (argc != 3 && argc != 4) {
		fprintf(stderr, "usage: ani-result-oracle INPUT OUTPUT [STDERR]\n");
		return 2;
	}
	size_t in_len, out_len, err_len = 0;
	char *in = slurp(argv[1], &in_len), *out = slurp(argv[2], &out_len);
	char *err = argc == 4 ? slurp(argv[3], &err_len) : NULL;
	oracle_claims claims = {0};
	int list = oracle_claims_from_list(&claims, out, out_len);
	if (err)
		oracle_claims_from_stderr(&claims, err, err_len);
	/* A ResourceList carries all its results; a stream's are on stderr. */
	int complete = list || err;
	char why[1024];
	int rc = oracle_check(in, in_len, out, out_len, &claims, complete, why, sizeof why);
	if (rc)
		fprintf(stderr, "ani-result-oracle: %s\n", why);
	oracle_claims_free(&claims);
	free(in);
	free(out);
	free(err);
	return rc < 0 ? 1 : 0;
}
