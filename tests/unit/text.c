#include "text.h"

#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

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
