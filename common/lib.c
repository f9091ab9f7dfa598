/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Memory and string functions for freestanding builds. Byte-wise but for
 * 8-byte aligned runs (then 64 bytes a step, for boot-time copies):
 * they run before the MMU is on (Device memory forbids unaligned accesses)
 * and must stay within general-purpose registers.
 */
#include "common/lib.h"

/* Formatting and number parsing serve boot, reports and errors: optimised
 * for size (GCC's cold attribute), unlike the memory functions. */
#define COLD __attribute__((cold))

void *memcpy(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if ((((uintptr_t)d ^ (uintptr_t)s) & 7) == 0) {
		/* Same alignment: bytes up to an 8-byte boundary, then 64 bytes a
		 * step (load/store pairs: images are copied at every domain start),
		 * then words and the last bytes. */
		while (n && ((uintptr_t)d & 7)) {
			*d++ = *s++;
			n--;
		}
		uint64_t *d8 = (uint64_t *)(void *)d;
		const uint64_t *s8 = (const uint64_t *)(const void *)s;
		size_t w = n / 8, i = 0;
		for (; i + 8 <= w; i += 8) {
			uint64_t a = s8[i], b = s8[i + 1], c = s8[i + 2], e = s8[i + 3];
			uint64_t f = s8[i + 4], g = s8[i + 5], h = s8[i + 6], k = s8[i + 7];
			d8[i] = a, d8[i + 1] = b, d8[i + 2] = c, d8[i + 3] = e;
			d8[i + 4] = f, d8[i + 5] = g, d8[i + 6] = h, d8[i + 7] = k;
		}
		for (; i < w; i++)
			d8[i] = s8[i];
		d += w * 8;
		s += w * 8;
		n -= w * 8;
	}
	while (n--)
		*d++ = *s++;
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	unsigned char *d = dst;
	const unsigned char *s = src;

	if (d == s || n == 0)
		return dst;
	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	unsigned char *d = dst;

	if (c == 0 && (((uintptr_t)d | n) & 7) == 0) {
		uint64_t *d8 = dst, *e = d8 + n / 8;
		for (; e - d8 >= 16; d8 += 16) /* 128 bytes a step (store pairs) */
			d8[0] = d8[1] = d8[2] = d8[3] = d8[4] = d8[5] = d8[6] = d8[7] = d8[8] = d8[9] =
			    d8[10] = d8[11] = d8[12] = d8[13] = d8[14] = d8[15] = 0;
		while (d8 < e)
			*d8++ = 0;
		return dst;
	}
	while (n--)
		*d++ = (unsigned char)c;
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] - y[i];
	return 0;
}

void *memchr(const void *s, int c, size_t n)
{
	const unsigned char *p = s;

	for (size_t i = 0; i < n; i++)
		if (p[i] == (unsigned char)c)
			return (void *)(p + i);
	return NULL;
}

size_t strlen(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
}

size_t strnlen(const char *s, size_t max)
{
	size_t n = 0;

	while (n < max && s[n])
		n++;
	return n;
}

char *strchr(const char *s, int c)
{
	for (;; s++) {
		if (*s == (char)c)
			return (char *)s;
		if (!*s)
			return NULL;
	}
}

char *strrchr(const char *s, int c)
{
	const char *last = NULL;

	for (;; s++) {
		if (*s == (char)c)
			last = s;
		if (!*s)
			return (char *)last;
	}
}

int strcmp(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return (unsigned char)*a - (unsigned char)*b;
}

int strncmp(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (a[i] != b[i] || !a[i])
			return (unsigned char)a[i] - (unsigned char)b[i];
	}
	return 0;
}

COLD static int digit_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'Z')
		return c - 'A' + 10;
	return 99;
}

COLD unsigned long strtoul(const char *s, char **end, int base)
{
	unsigned long v = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if ((base == 0 || base == 16) && s[0] == '0' && (s[1] == 'x' || s[1] == 'X') &&
	    digit_value(s[2]) < 16) {
		s += 2;
		base = 16;
	} else if (base == 0) {
		base = (s[0] == '0' && s[1]) ? 8 : 10;
	}
	while (digit_value(*s) < base)
		v = v * (unsigned long)base + (unsigned long)digit_value(*s++);
	if (end)
		*end = (char *)s;
	return v;
}

/* --- vsnprintf: %[-0][width][.precision][l|ll|z](d|i|u|x|X|p|s|c|%); precision: %s only --- */

struct outbuf {
	char *buf;
	size_t size, len;
};

COLD static void out_c(struct outbuf *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

/* n bytes at s, as far as they fit (one loop, not a call per byte: the
 * boot's lines are most of its formatting). */
COLD static void put_n(struct outbuf *o, const char *s, size_t n)
{
	size_t room = o->len + 1 < o->size ? o->size - 1 - o->len : 0;
	if (room > n)
		room = n;
	if (room) {
		char *d = o->buf + o->len;
		for (const char *e = s + room; s < e;)
			*d++ = *s++;
	}
	o->len += n;
}

COLD static void out_num(struct outbuf *o, unsigned long long v, unsigned base, bool neg, int width,
			 bool zero, bool left, bool upper)
{
	char tmp[24];
	int n = 0;
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";

	do { /* from the end: written out at once */
		tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
		v /= base;
	} while (v);
	int len = n + (neg ? 1 : 0);
	if (neg && zero)
		out_c(o, '-');
	if (!left)
		for (; width > len; width--)
			out_c(o, zero ? '0' : ' ');
	if (neg && !zero)
		out_c(o, '-');
	put_n(o, tmp + sizeof(tmp) - n, (size_t)n);
	if (left)
		for (; width > len; width--)
			out_c(o, ' ');
}

enum arg_size { ARG_INT, ARG_LONG, ARG_LLONG, ARG_SIZE };

struct spec {
	bool zero, left;
	int width, prec; /* prec: a string's maximum length, -1 if none */
	enum arg_size arg;
};

/* Flags, width, precision and size of one conversion; *fmt ends on its letter. */
COLD static void parse_spec(const char **fmt, va_list *ap, struct spec *sp)
{
	const char *f = *fmt;
	*sp = (struct spec){false, false, 0, -1, ARG_INT};
	for (;; f++) {
		if (*f == '0')
			sp->zero = true;
		else if (*f == '-')
			sp->left = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) { /* C: a negative width is '-' and its size */
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		sp->prec = 0;
		if (*++f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	/* Sizes as the target's C ABI has them: long is 32 bits on AArch32. */
	if (*f == 'z') {
		sp->arg = ARG_SIZE;
		f++;
	}
	for (; *f == 'l'; f++)
		sp->arg = sp->arg == ARG_INT ? ARG_LONG : ARG_LLONG;
	*fmt = f;
}

COLD static void out_int(struct outbuf *o, char conv, const struct spec *sp, va_list *ap)
{
	if (conv == 'd' || conv == 'i') {
		long long s = sp->arg == ARG_LLONG  ? va_arg(*ap, long long)
			      : sp->arg == ARG_LONG ? va_arg(*ap, long)
			      : sp->arg == ARG_SIZE ? (long long)va_arg(*ap, size_t)
						    : va_arg(*ap, int);
		out_num(o, s < 0 ? 0ULL - (unsigned long long)s : (unsigned long long)s, 10, s < 0,
			sp->width, sp->zero, sp->left, false);
		return;
	}
	unsigned long long u = sp->arg == ARG_LLONG  ? va_arg(*ap, unsigned long long)
			       : sp->arg == ARG_LONG ? va_arg(*ap, unsigned long)
			       : sp->arg == ARG_SIZE ? va_arg(*ap, size_t)
						     : va_arg(*ap, unsigned int);
	out_num(o, u, conv == 'u' ? 10 : 16, false, sp->width, sp->zero, sp->left, conv == 'X');
}

/* len bytes at str in a field of sp->width (%s, %c): right-aligned unless '-'.
 * Inline: a function of its own would land before the vectors' 2 KiB
 * alignment and cost 2 KiB of padding. */
#define INLINE inline __attribute__((always_inline))
COLD static INLINE void out_field(struct outbuf *o, const char *str, int len, const struct spec *sp)
{
	int width = sp->width;
	if (!sp->left)
		for (; width > len; width--)
			out_c(o, ' ');
	put_n(o, str, (size_t)len);
	for (; width > len; width--)
		out_c(o, ' ');
}

COLD static void out_str(struct outbuf *o, const char *str, const struct spec *sp)
{
	if (!str)
		str = "(null)";
	out_field(o, str, sp->prec >= 0 ? (int)strnlen(str, (size_t)sp->prec) : (int)strlen(str),
		  sp);
}

COLD int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
{
	struct outbuf o = {buf, size, 0};
	va_list args; /* a local: its address is a va_list * on every ABI */
	va_copy(args, ap);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			const char *lit = fmt; /* the run of plain characters, at once */
			while (*fmt && *fmt != '%')
				fmt++;
			put_n(&o, lit, (size_t)(fmt - lit));
			fmt--;
			continue;
		}
		fmt++;
		struct spec sp;
		parse_spec(&fmt, &args, &sp);
		switch (*fmt) {
		case 'd':
		case 'i':
		case 'u':
		case 'x':
		case 'X':
			out_int(&o, *fmt, &sp, &args);
			break;
		case 'p':
			out_c(&o, '0');
			out_c(&o, 'x');
			out_num(&o, (uintptr_t)va_arg(args, void *), 16, false, sp.width, sp.zero,
				sp.left, false);
			break;
		case 'c': {
			char c = (char)va_arg(args, int);
			out_field(&o, &c, 1, &sp);
			break;
		}
		case 's':
			out_str(&o, va_arg(args, const char *), &sp);
			break;
		case '%':
			out_c(&o, '%');
			break;
		default:
			out_c(&o, '%');
			if (*fmt)
				out_c(&o, *fmt);
			else
				fmt--;
			break;
		}
	}
	va_end(args);
	if (o.size)
		o.buf[o.len < o.size ? o.len : o.size - 1] = '\0';
	return (int)o.len;
}

COLD int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
