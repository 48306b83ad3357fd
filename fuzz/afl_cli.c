/* SPDX-License-Identifier: Apache-2.0 */
/* AFL++ harness of the CLI: `afl_cli CASE_FILE` runs the CLI's own main() (function/main.c,
 * renamed ani_cli_main) on one fuzz case (fuzz_case.h): its words as argv (ANI_*=VALUE words as
 * environment), its config as a --config or plugin config file, its input as stdin. A crash is
 * AFL's finding; so is an exit status other than 0, 1, 2, and a success whose output the semantic
 * oracle (tests/oracle) refuses, which aborts. */
#include "fuzz_case.h"
#include "oracle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ani_cli_main(int argc, char **argv);

/* The whole of a stream opened for update, from its start. */
static char *contents(FILE *fp, size_t *len)
{
	long n;
	if (fflush(fp) || fseek(fp, 0, SEEK_END) || (n = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET))
		abort();
	char *buf = malloc((size_t)n + 1);
	if (!buf || fread(buf, 1, (size_t)n, fp) != (size_t)n)
		abort();
	*len = (size_t)n;
	return buf;
}

static FILE *file_with(const char *text, size_t len)
{
	FILE *fp = tmpfile();
	if (!fp || fwrite(text, 1, len, fp) != len || fflush(fp) || fseek(fp, 0, SEEK_SET))
		abort();
	return fp;
}

static void redirect(FILE *fp, int fd)
{
	if (dup2(fileno(fp), fd) < 0)
		abort();
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: afl_cli CASE_FILE\n");
		return 2;
	}
	FILE *in_file = fopen(argv[1], "rb");
	if (!in_file)
		return 2;
	size_t size;
	char *data = contents(in_file, &size);
	fclose(in_file);
	fuzz_case c;
	fuzz_case_decode((const uint8_t *)data, size, &c);

	char *args[FUZZ_CASE_MAX_WORDS + 4];
	int n = 0, results_shown = !c.plugin;
	args[n++] = "allow-namespace-ingress";
	for (size_t i = 0; i < c.n_words; i++) {
		char *eq = strchr(c.words[i], '=');
		/* --emit-patches DIR writes files where a fuzzed word says: never given. */
		if (!strcmp(c.words[i], "--emit-patches"))
			continue;
		if (!strncmp(c.words[i], "ANI_", 4) && eq) {
			*eq = '\0';
			setenv(c.words[i], eq + 1, 1);
			*eq = '=';
		} else
			args[n++] = c.words[i];
		if (!strcmp(c.words[i], "-q") || !strcmp(c.words[i], "--quiet"))
			results_shown = 0;
	}
	char config_path[] = "/tmp/afl-cli-config-XXXXXX";
	if (c.has_config) {
		int fd = mkstemp(config_path);
		if (fd < 0 || write(fd, c.config, c.config_len) != (ssize_t)c.config_len)
			abort();
		close(fd);
		if (!c.plugin)
			args[n++] = "--config";
		args[n++] = config_path;
	}
	args[n] = NULL;

	int report_fd = dup(STDERR_FILENO);
	FILE *in = file_with(c.input, c.input_len), *out = tmpfile(), *err = tmpfile();
	if (!out || !err)
		abort();
	redirect(in, STDIN_FILENO);
	redirect(out, STDOUT_FILENO);
	redirect(err, STDERR_FILENO);
	int status = ani_cli_main(n, args);
	if (c.has_config)
		unlink(config_path);
	if (status < 0 || status > 2) {
		dprintf(report_fd, "afl_cli: exit status %d\n", status);
		abort();
	}
	size_t out_len, err_len;
	char *output = contents(out, &out_len), *errors = contents(err, &err_len);
	if (status == 0) {
		oracle_claims claims = {0};
		int list = oracle_claims_from_list(&claims, output, out_len);
		if (results_shown)
			oracle_claims_from_stderr(&claims, errors, err_len);
		char why[1024];
		if (oracle_check(c.input, c.input_len, output, out_len, &claims,
				 list || results_shown, why, sizeof why) < 0) {
			dprintf(report_fd, "afl_cli: the semantic oracle refuses the output: %s\n",
				why);
			abort();
		}
		oracle_claims_free(&claims);
	}
	free(output);
	free(errors);
	fclose(in);
	fclose(out);
	fclose(err);
	fuzz_case_free(&c);
	free(data);
	return 0;
}
