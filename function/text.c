/* SPDX-License-Identifier: Apache-2.0 */
#include "text.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

static void tb_reserve(tbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < b->len + extra + 1)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void tb_put(tbuf *b, const char *s, size_t n)
{
	tb_reserve(b, n);
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void tb_puts(tbuf *b, const char *s)
{
	tb_put(b, s, strlen(s));
}

void tb_putc(tbuf *b, char c)
{
	tb_put(b, &c, 1);
}

void tb_spaces(tbuf *b, size_t n)
{
	tb_reserve(b, n);
	memset(b->p + b->len, ' ', n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Output of text_vformat: what fits in out[0..size-1], and the length it would have had. */
typedef struct {
	char *out;
	size_t size, len;
} format_out;

static void format_put(format_out *o, const char *s, size_t n)
{
	if (o->len + 1 < o->size)
		memcpy(o->out + o->len, s, o->size - o->len - 1 < n ? o->size - o->len - 1 : n);
	o->len += n;
}

static void format_pad(format_out *o, char c, size_t n)
{
	for (; n; n--)
		format_put(o, &c, 1);
}

/* Reads a width or precision: digits, or `*` from the arguments (negative: none). */
static long format_number(const char **p, va_list *ap)
{
	if (**p == '*') {
		(*p)++;
		return va_arg(*ap, int);
	}
	long n = 0;
	for (; **p >= '0' && **p <= '9'; (*p)++)
		n = n * 10 + (**p - '0');
	return n;
}

int text_vformat(char *out, size_t size, const char *fmt, va_list ap_in)
{
	format_out o = {out, size, 0};
	va_list ap;
	va_copy(ap, ap_in);
	for (const char *p = fmt; *p; p++) {
		const char *pct = strchr(p, '%');
		size_t plain = pct ? (size_t)(pct - p) : strlen(p);
		format_put(&o, p, plain);
		if (!pct)
			break;
		p = pct + 1;
		int left = 0, zero = 0;
		for (;; p++) {
			if (*p == '-')
				left = 1;
			else if (*p == '0')
				zero = 1;
			else
				break;
		}
		long width = format_number(&p, &ap), precision = -1;
		if (width < 0) {
			left = 1;
			width = -width;
		}
		if (*p == '.') {
			p++;
			precision = format_number(&p, &ap);
		}
		int longs = 0, size_arg = *p == 'z';
		p += size_arg;
		for (; *p == 'l'; p++)
			longs++;
		char digits[24], *end = digits + sizeof digits, *s = end;
		const char *text = s;
		size_t n = 0;
		int negative = 0, number = 1;
		unsigned long long v = 0;
		switch (*p) {
		case 'd':
		case 'i': {
			long long x = size_arg	   ? (long long)va_arg(ap, ptrdiff_t)
				      : longs >= 2 ? va_arg(ap, long long)
				      : longs	   ? va_arg(ap, long)
						   : va_arg(ap, int);
			negative = x < 0;
			v = negative ? 0ull - (unsigned long long)x : (unsigned long long)x;
			break;
		}
		case 'u':
		case 'x':
			v = size_arg	 ? va_arg(ap, size_t)
			    : longs >= 2 ? va_arg(ap, unsigned long long)
			    : longs	 ? va_arg(ap, unsigned long)
					 : va_arg(ap, unsigned);
			break;
		case 's':
			text = va_arg(ap, const char *);
			if (!text)
				text = "(null)"; /* as glibc writes it */
			while ((precision < 0 || n < (size_t)precision) && text[n])
				n++;
			number = 0;
			break;
		case 'c':
			digits[0] = (char)va_arg(ap, int);
			text = digits;
			n = 1;
			number = 0;
			break;
		default: /* `%%`, and a conversion this code does not use, written as it is */
			text = *p ? p : p - 1;
			n = 1;
			number = 0;
			break;
		}
		if (number) {
			unsigned base = *p == 'x' ? 16 : 10;
			do {
				*--s = "0123456789abcdef"[v % base];
				v /= base;
			} while (v);
			text = s;
			n = (size_t)(end - s);
		}
		size_t total = n + (size_t)negative,
		       pad = (size_t)width > total ? (size_t)width - total : 0;
		if (!left && !(zero && number))
			format_pad(&o, ' ', pad);
		if (negative)
			format_put(&o, "-", 1);
		if (!left && zero && number)
			format_pad(&o, '0', pad);
		format_put(&o, text, n);
		if (left)
			format_pad(&o, ' ', pad);
		if (!*p)
			break;
	}
	va_end(ap);
	if (size)
		out[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int text_format(char *out, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = text_vformat(out, size, fmt, ap);
	va_end(ap);
	return n;
}

static void tb_vprintf(tbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void tb_vprintf(tbuf *b, const char *fmt, va_list ap)
{
	int n = text_vformat(NULL, 0, fmt, ap);
	tb_reserve(b, (size_t)n);
	text_vformat(b->p + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void tb_printf(tbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	tb_vprintf(b, fmt, ap);
	va_end(ap);
}

char *xvasprintf(const char *fmt, va_list ap)
{
	tbuf b = {0};
	tb_vprintf(&b, fmt, ap);
	return tb_take(&b);
}

char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = xvasprintf(fmt, ap);
	va_end(ap);
	return s;
}

char *tb_take(tbuf *b)
{
	char *p = b->p ? b->p : xstrdup("");
	b->p = NULL;
	b->len = b->cap = 0;
	return p;
}

void tb_free(tbuf *b)
{
	xfree(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

int text_plain_reads_as_string(const char *s)
{
	static const char *const special[] = {"y",     "n",	"yes",	"no", "on",   "off",
					      "true",  "false", "null", "~",  ".inf", "-.inf",
					      "+.inf", ".nan",	"<<",	"=",  NULL};
	if (!*s)
		return 0;
	for (size_t i = 0; special[i]; i++)
		if (!strcasecmp(s, special[i]))
			return 0;
	/* Anything that starts like a number may resolve to one under some resolver. */
	const char *d = s;
	if (*d == '-' || *d == '+' || *d == '.')
		d++;
	return !(*d >= '0' && *d <= '9');
}

/* The length of the well-formed UTF-8 sequence at p (lead byte >= 0x80), or 0: a truncated or
 * overlong sequence, a surrogate or a code point past U+10FFFF, all of which libyaml refuses. */
static size_t utf8_sequence_length(const unsigned char *p)
{
	size_t n = p[0] >= 0xC2 && p[0] <= 0xDF	  ? 2
		   : p[0] >= 0xE0 && p[0] <= 0xEF ? 3
		   : p[0] >= 0xF0 && p[0] <= 0xF4 ? 4
						  : 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xC0) != 0x80)
			return 0;
	if ((p[0] == 0xE0 && p[1] < 0xA0) || (p[0] == 0xED && p[1] >= 0xA0) ||
	    (p[0] == 0xF0 && p[1] < 0x90) || (p[0] == 0xF4 && p[1] >= 0x90))
		return 0;
	return n;
}

/* The escape of a character at p that a YAML scalar cannot hold raw: NEL, LS and PS (libyaml reads
 * line breaks there), the other C1 controls, U+FFFE and U+FFFF (not printable), and a byte that
 * is not well-formed UTF-8 (text from the command line, or cut by a message's width), written
 * as U+FFFD; NULL for any other. `out` holds an escape made here; *n is the length of the
 * character (or of the bad byte) either way. */
static const char *unicode_escape(const unsigned char *p, size_t *n, char out[8])
{
	*n = p[0] < 0x80 ? 1 : utf8_sequence_length(p);
	if (!*n) {
		*n = 1;
		return "\\uFFFD";
	}
	if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F) {
		*n = 2;
		if (p[1] == 0x85)
			return "\\N";
		text_format(out, 8, "\\x%02x", p[1]);
		return out;
	}
	if (p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9)) {
		*n = 3;
		return p[2] == 0xA8 ? "\\L" : "\\P";
	}
	if (p[0] == 0xEF && p[1] == 0xBF && (p[2] == 0xBE || p[2] == 0xBF)) {
		*n = 3;
		return p[2] == 0xBE ? "\\uFFFE" : "\\uFFFF";
	}
	return NULL;
}

static int has_unicode_escape(const char *s)
{
	size_t n;
	char out[8];
	for (const unsigned char *p = (const unsigned char *)s; *p; p += n)
		if (unicode_escape(p, &n, out))
			return 1;
	return 0;
}

int text_plain_string_ok(const char *s)
{
	if (!text_plain_reads_as_string(s) || strchr("-?:,[]{}#&*!|>'\"%@` \t", s[0]))
		return 0;
	for (const char *p = s; *p; p++) {
		unsigned char c = (unsigned char)*p;
		if (c < 0x20 || c == 0x7f || c == '#' || c == ',' || c == '[' || c == ']' ||
		    c == '{' || c == '}' || c == '"' || c == '\'')
			return 0;
		if (c == ':' && (p[1] == ' ' || p[1] == '\0'))
			return 0;
	}
	size_t n = strlen(s);
	return s[n - 1] != ' ' && s[n - 1] != ':' && !has_unicode_escape(s);
}

void tb_put_yaml_double_quoted(tbuf *b, const char *s)
{
	tb_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			tb_puts(b, "\\\"");
			break;
		case '\\':
			tb_puts(b, "\\\\");
			break;
		case '\n':
			tb_puts(b, "\\n");
			break;
		case '\t':
			tb_puts(b, "\\t");
			break;
		case '\r':
			tb_puts(b, "\\r");
			break;
		default: {
			size_t n;
			char made[8];
			const char *escape = unicode_escape(p, &n, made);
			if (escape)
				tb_puts(b, escape);
			else if (*p < 0x20 || *p == 0x7f)
				tb_printf(b, "\\x%02x", *p);
			else
				tb_put(b, (const char *)p, n);
			p += n - 1;
		}
		}
	}
	tb_putc(b, '"');
}

void tb_put_yaml_string(tbuf *b, const char *s)
{
	if (text_plain_string_ok(s)) {
		tb_puts(b, s);
		return;
	}
	int escapes = has_unicode_escape(s) || strpbrk(s, "'\\");
	for (const char *p = s; *p && !escapes; p++)
		escapes = (unsigned char)*p < 0x20 || *p == 0x7f;
	if (escapes) {
		tb_put_yaml_double_quoted(b, s);
		return;
	}
	tb_putc(b, '\'');
	tb_puts(b, s);
	tb_putc(b, '\'');
}

size_t text_line_after(const char *buf, size_t len, size_t pos, int *need_newline)
{
	*need_newline = 0;
	if (pos > len)
		pos = len;
	if (pos > 0 && buf[pos - 1] == '\n')
		return pos;
	const char *nl = memchr(buf + pos, '\n', len - pos);
	if (nl)
		return (size_t)(nl - buf) + 1;
	*need_newline = 1;
	return len;
}

size_t text_bom_length(const char *buf, size_t len)
{
	return len >= 3 && !memcmp(buf, "\xEF\xBB\xBF", 3) ? 3 : 0;
}

/* A line break other than LF and CRLF at s[i]: a lone CR, NEL (C2 85), LS or PS (E2 80 A8/A9). */
static int is_odd_break(const unsigned char *s, size_t len, size_t i)
{
	if (s[i] == '\r')
		return i + 1 == len || s[i + 1] != '\n';
	if (s[i] == 0xC2)
		return i + 1 < len && s[i + 1] == 0x85;
	return s[i] == 0xE2 && i + 2 < len && s[i + 1] == 0x80 &&
	       (s[i + 2] == 0xA8 || s[i + 2] == 0xA9);
}

static size_t odd_break_in(const unsigned char *s, size_t len, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if ((s[i] == '\r' || s[i] == 0xC2 || s[i] == 0xE2) && is_odd_break(s, len, i))
			return i;
	return len;
}

/* 16 bytes that GCC and Clang add, compare and OR as one vector (SSE2, NEON, or plain words). */
typedef unsigned char bytes16 __attribute__((vector_size(16)));

text_scan text_scan_input(const char *buf, size_t len)
{
	const unsigned char *s = (const unsigned char *)buf;
	size_t i = text_bom_length(buf, len), at;
	bytes16 high = {0};
	/* 64 bytes at a time: only a block holding a CR or a byte >= 0x80 is read byte by byte.
	 * Written out: GCC -O2 does not unroll a loop of four. */
	for (; i + 64 <= len; i += 64) {
		bytes16 v0, v1, v2, v3;
		memcpy(&v0, s + i, 16);
		memcpy(&v1, s + i + 16, 16);
		memcpy(&v2, s + i + 32, 16);
		memcpy(&v3, s + i + 48, 16);
		bytes16 block = (v0 | v1) | (v2 | v3);
		bytes16 cr = (bytes16)((v0 == '\r') | (v1 == '\r')) |
			     (bytes16)((v2 == '\r') | (v3 == '\r'));
		high |= block;
		bytes16 flags = (block & 0x80) | cr;
		uint64_t words[2];
		memcpy(words, &flags, 16);
		if ((words[0] | words[1]) && (at = odd_break_in(s, len, i, i + 64)) < len)
			return (text_scan){0, at};
	}
	if ((at = odd_break_in(s, len, i, len)) < len)
		return (text_scan){0, at};
	int ascii = 1;
	for (size_t k = 0; k < 16; k++)
		ascii &= !(high[k] & 0x80);
	for (; i < len; i++)
		ascii &= !(s[i] & 0x80);
	return (text_scan){ascii, len};
}

const char *text_newline(const char *buf, size_t len)
{
	const char *nl = memchr(buf, '\n', len);
	return nl && nl > buf && nl[-1] == '\r' ? "\r\n" : "\n";
}
