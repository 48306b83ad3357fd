/* SPDX-License-Identifier: Apache-2.0 */
#include "text.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* The rule text_scan_input implements, one byte at a time. */
static text_scan scan_bytewise(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	for (size_t i = 0; i < len; i++) {
		int lone_cr = s[i] == '\r' && (i + 1 == len || s[i + 1] != '\n');
		int nel = s[i] == 0xC2 && i + 1 < len && s[i + 1] == 0x85;
		int ls_ps = s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80 &&
			    (s[i + 2] == 0xA8 || s[i + 2] == 0xA9);
		if (lone_cr || nel || ls_ps)
			return (text_scan){0, i};
	}
	int ascii = 1;
	for (size_t i = text_bom_length(buf, len); i < len; i++)
		ascii &= s[i] < 0x80;
	return (text_scan){ascii, len};
}

Test(text, scan_finds_what_the_bytewise_rule_finds)
{
	/* Bytes around every case, at every offset of a block and across block ends. */
	static const unsigned char pieces[] = {'a',  ' ',  '\n', '\r', 0xC2, 0x85, 0xE2,
					       0x80, 0xA8, 0xA9, 0xEF, 0xBB, 0xBF};
	char buf[300];
	srand(12);
	for (int t = 0; t < 200000; t++) {
		size_t len = (size_t)rand() % sizeof buf;
		int sparse = rand() % 4; /* mostly text with a rare odd byte, or only odd bytes */
		for (size_t i = 0; i < len; i++)
			buf[i] = (char)(sparse && rand() % 60 ? "x\n"[rand() % 2]
							      : pieces[rand() % sizeof pieces]);
		if (len >= 3 && rand() % 8 == 0)
			memcpy(buf, "\xEF\xBB\xBF", 3);
		text_scan got = text_scan_input(buf, len), want = scan_bytewise(buf, len);
		cr_assert_eq(got.odd_break, want.odd_break, "case %d (%zu bytes)", t, len);
		if (want.odd_break == len)
			cr_assert_eq(got.ascii, want.ascii, "case %d (%zu bytes)", t, len);
	}
}

Test(text, scan_of_plain_crlf_and_utf8_text)
{
	const char *ok =
		"apiVersion: v1\r\nkind: ConfigMap\r\ndata: {a: \"\xC3\xA9\xE2\x80\x9C\"}\r\n";
	text_scan s = text_scan_input(ok, strlen(ok));
	cr_assert_eq(s.odd_break, strlen(ok));
	cr_assert_eq(s.ascii, 0);
	const char *bom = "\xEF\xBB\xBF"
			  "a: b\n";
	s = text_scan_input(bom, strlen(bom));
	cr_assert_eq(s.ascii, 1, "a byte order mark alone leaves the text ASCII");
	char big[200];
	memset(big, 'x', sizeof big);
	big[130] = '\r';
	s = text_scan_input(big, sizeof big);
	cr_assert_eq(s.odd_break, 130);
}

/* 1 when libyaml reads `doc` to its end. */
static int parses(const char *doc)
{
	yaml_parser_t p;
	yaml_parser_initialize(&p);
	yaml_parser_set_input_string(&p, (const unsigned char *)doc, strlen(doc));
	int ok = 1, end = 0;
	while (ok && !end) {
		yaml_event_t ev;
		ok = yaml_parser_parse(&p, &ev);
		end = ok && ev.type == YAML_STREAM_END_EVENT;
		if (ok)
			yaml_event_delete(&ev);
	}
	yaml_parser_delete(&p);
	return ok;
}

Test(text, any_bytes_render_as_a_scalar_libyaml_reads)
{
	/* Text from the command line is any bytes: stray continuation bytes, truncated, overlong
	 * and surrogate sequences, C1 controls, non-characters. */
	static const unsigned char pieces[] = {'a',  ' ',  ':',	 '#',  '\'', '"',  '\\', '\n',
					       '\t', 0x1b, 0x7f, 0x80, 0x8d, 0xBF, 0xC0, 0xC2,
					       0x85, 0xE0, 0xED, 0xA0, 0xE2, 0xA8, 0xEF, 0xBF,
					       0xF0, 0xF4, 0x90, 0xF8, 0xFF};
	char s[24];
	srand(7);
	for (int t = 0; t < 50000; t++) {
		size_t len = 1 + (size_t)rand() % (sizeof s - 1);
		for (size_t i = 0; i < len; i++)
			s[i] = (char)pieces[rand() % sizeof pieces];
		s[len] = 0;
		for (int quoted = 0; quoted < 2; quoted++) {
			tbuf b = {0};
			tb_puts(&b, "k: ");
			if (quoted)
				tb_put_yaml_double_quoted(&b, s);
			else
				tb_put_yaml_string(&b, s);
			tb_putc(&b, '\n');
			char *doc = tb_take(&b);
			cr_assert(parses(doc), "case %d: %s does not parse", t, doc);
			xfree(doc);
		}
	}
	tbuf b = {0};
	tb_put_yaml_double_quoted(&b, "a\x8d\xC3\xA9\xED\xA0\x80");
	char *got = tb_take(&b);
	cr_assert_str_eq(got, "\"a\\uFFFD\xC3\xA9\\uFFFD\\uFFFD\\uFFFD\"");
	xfree(got);
}

/* text_format writes what snprintf writes, and returns the same length, for every conversion the
 * code uses, at every buffer size from none to more than enough. */
#define SAME_AS_SNPRINTF(...)                                                                      \
	do {                                                                                       \
		char want[128], got[128];                                                          \
		int want_n = snprintf(want, sizeof want, __VA_ARGS__);                             \
		for (size_t size = 0; size <= (size_t)want_n + 2; size++) {                        \
			memset(got, 'Z', sizeof got);                                              \
			int got_n = text_format(size ? got : NULL, size, __VA_ARGS__);             \
			cr_assert_eq(got_n, want_n, "%s: length %d, not %d", #__VA_ARGS__, got_n,  \
				     want_n);                                                      \
			if (size) {                                                                \
				cr_assert_eq(memcmp(got, want, size - 1), 0, "%s at size %zu",     \
					     #__VA_ARGS__, size);                                  \
				cr_assert_eq(got[size - 1 < (size_t)want_n ? size - 1              \
									   : (size_t)want_n],      \
					     '\0', "%s at size %zu", #__VA_ARGS__, size);          \
			}                                                                          \
			cr_assert_eq(got[size], 'Z', "%s wrote past size %zu", #__VA_ARGS__,       \
				     size);                                                        \
		}                                                                                  \
	} while (0)

Test(text, format_writes_what_snprintf_writes)
{
	SAME_AS_SNPRINTF("plain text");
	SAME_AS_SNPRINTF("%s", "");
	SAME_AS_SNPRINTF("a %s b %s c", "x", "yz");
	SAME_AS_SNPRINTF("%.3s|%.0s|%.10s", "abcdef", "abc", "ab");
	SAME_AS_SNPRINTF("%.*s|%.*s", 2, "abcdef", 0, "abc");
	SAME_AS_SNPRINTF("[%*s][%*s][%-6s]", 5, "ab", -4, "cd", "ef");
	SAME_AS_SNPRINTF("%zu %zu %zu", (size_t)0, (size_t)42, (size_t)-1);
	SAME_AS_SNPRINTF("%ld %ld %ld %ld", 0L, 7L, -7L, (long)(-0x7fffffffffffffffL - 1));
	SAME_AS_SNPRINTF("%lld %lld %lld", 0LL, 65535LL, -9223372036854775807LL - 1);
	SAME_AS_SNPRINTF("%d %d %i %u %u", 0, -12, 34, 0u, 4294967295u);
	SAME_AS_SNPRINTF("%lu %llu", 18446744073709551615UL, 18446744073709551615ULL);
	SAME_AS_SNPRINTF("\\x%02x \\x%02x %x %5d|%-5d|%05d|%05ld", 0x7, 0xff, 0xbeef, 42, 42, -42,
			 7L);
	SAME_AS_SNPRINTF("%c%c %% 100%%", 'o', 'k');
	const char *volatile none = NULL; /* unknown to the compiler, which refuses a known NULL */
	SAME_AS_SNPRINTF("[%s]", none);
	SAME_AS_SNPRINTF("config %.150s:%zu:%zu: %.400s", "kustomization.yaml", (size_t)3,
			 (size_t)14, "a message");
}
