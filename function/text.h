/* SPDX-License-Identifier: Apache-2.0 */
/* Growable byte buffers, strings in checked memory (mem.h) and the few string rules YAML output
 * needs. */
#ifndef ANI_TEXT_H
#define ANI_TEXT_H

#include "mem.h"

#include <stdarg.h>
#include <stddef.h>

typedef struct {
	char *p;
	size_t len, cap;
} tbuf;

void tb_put(tbuf *b, const char *s, size_t n);
void tb_puts(tbuf *b, const char *s);
void tb_putc(tbuf *b, char c);
void tb_spaces(tbuf *b, size_t n);
void tb_printf(tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Returns the NUL-terminated contents and resets the buffer. */
char *tb_take(tbuf *b);
void tb_free(tbuf *b);

/* vsnprintf and snprintf for the conversions this code uses (%s, %c, %d, %u, %x with the flags `-`
 * and `0`, a width or precision that may be `*`, and the lengths z, l, ll), so that a run touches
 * none of libc's printf and stdio code. Returns the length the whole text has. */
int text_vformat(char *out, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int text_format(char *out, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xvasprintf(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 1 when the plain scalar `s` reads as a string, not null, bool or number, under both YAML 1.1
 * and 1.2 resolvers (so `true`, `no`, `080`, `1e3`, `~` do not). */
int text_plain_reads_as_string(const char *s);
/* 1 when `s` can be written as a plain YAML scalar and still read back as the same string under
 * both YAML 1.1 and 1.2 resolvers (so `true`, `no`, `080`, `1e3`, `~` are not). */
int text_plain_string_ok(const char *s);
/* Appends `s` as a scalar: plain when safe, else single-quoted. */
void tb_put_yaml_string(tbuf *b, const char *s);
/* Appends `s` double-quoted with YAML escapes. */
void tb_put_yaml_double_quoted(tbuf *b, const char *s);

/* What one pass over the whole input finds, a word at a time. */
typedef struct {
	int ascii;	  /* every byte after a UTF-8 byte order mark is < 0x80 */
	size_t odd_break; /* offset of the first lone CR, NEL, LS or PS; the length when none */
} text_scan;
text_scan text_scan_input(const char *buf, size_t len);
/* Length of the UTF-8 byte order mark that starts `buf`: 3 or 0. */
size_t text_bom_length(const char *buf, size_t len);

/* Byte offset of the start of the line after the one holding offset `pos` (pos itself when it
 * starts a line); *need_newline is set when the input ends without one. */
size_t text_line_after(const char *buf, size_t len, size_t pos, int *need_newline);
/* The input's line end, "\n" or "\r\n", judged by its first line. */
const char *text_newline(const char *buf, size_t len);

#endif
