/* SPDX-License-Identifier: Apache-2.0 */
/*
 * common/lib.c's vsnprintf held to the host C library's snprintf: random
 * formats of the subset it documents (flags - and 0, a width or '*', a
 * precision for %s, sizes l, ll and z; d i u x X s c %), random arguments
 * and every buffer size from 0 past the output's length: the same bytes,
 * the same NUL, the same return value. lib.c is built here under other
 * names (its memcpy, strlen... would replace the host's).
 */
#include "common/lib.h"

#define memcpy	  bh_memcpy
#define memmove	  bh_memmove
#define memset	  bh_memset
#define memcmp	  bh_memcmp
#define memchr	  bh_memchr
#define strlen	  bh_strlen
#define strnlen	  bh_strnlen
#define strchr	  bh_strchr
#define strrchr	  bh_strrchr
#define strcmp	  bh_strcmp
#define strncmp	  bh_strncmp
#define strtoul	  bh_strtoul
#define vsnprintf bh_vsnprintf
#define snprintf  bh_snprintf
#include "common/lib.c"
#undef memcpy
#undef memmove
#undef memset
#undef memcmp
#undef memchr
#undef strlen
#undef strnlen
#undef strchr
#undef strrchr
#undef strcmp
#undef strncmp
#undef strtoul
#undef vsnprintf
#undef snprintf

#include "check.h"

static uint64_t rng = 0x9e3779b97f4a7c15ULL;
static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static char longstr[400];

/* One format: literal text around one conversion, and its argument. */
struct fmt_case {
	char fmt[64];
	int star_w, star_p; /* the '*' arguments, if the format has them */
	bool has_w, has_p;
	char conv; /* d i u x X s c % */
	int size;  /* 0, 1 (l), 2 (ll), 3 (z) */
	uint64_t num;
	const char *str;
};

static void make_case(struct fmt_case *c)
{
	static const char convs[] = "diuxXsc%";
	static const char *const strs[] = {"", "a", "hello", "0123456789abcdef", longstr};
	char *f = c->fmt;
	memset(c, 0, sizeof(*c));
	f = c->fmt;
	if (rnd() & 1)
		f += sprintf(f, "ab");
	*f++ = '%';
	c->conv = convs[rnd() % 8];
	bool num = strchr("diuxX", c->conv) != NULL;
	if (c->conv == '%') { /* no flags or width: "%%" whole */
		*f++ = '%';
		goto tail;
	}
	if (rnd() & 1)
		*f++ = '-';
	if (num && (rnd() & 1)) /* 0 with s or c is undefined */
		*f++ = '0';
	switch (rnd() % 3) {
	case 1:
		f += sprintf(f, "%u", (unsigned)(rnd() % 40));
		break;
	case 2:
		*f++ = '*';
		c->has_w = true;
		c->star_w = (int)(rnd() % 61) - 30;
		break;
	}
	if (c->conv == 's' && rnd() % 3) {
		*f++ = '.';
		if (rnd() & 1) {
			f += sprintf(f, "%u", (unsigned)(rnd() % 20));
		} else {
			*f++ = '*';
			c->has_p = true;
			c->star_p = (int)(rnd() % 31) - 10;
		}
	}
	if (num) {
		c->size = (int)(rnd() % 4);
		f += sprintf(f, "%s", (const char *[]){"", "l", "ll", "z"}[c->size]);
		int bits = (int)(rnd() % 65);
		c->num = bits == 64 ? rnd() : rnd() & ((1ULL << bits) - 1);
	} else if (c->conv == 'c') {
		c->num = rnd() % 127; /* NUL too: C writes it */
	} else if (c->conv == 's') {
		c->str = strs[rnd() % 5];
	}
	*f++ = c->conv;
tail:
	if (rnd() & 1)
		f += sprintf(f, "yz");
	*f = 0;
}

/* Format c into buf (size n) with the host's snprintf or lib.c's. */
#define FORMAT(fn, buf, n, c, ...)                                                                 \
	((c)->has_w && (c)->has_p ? fn(buf, n, (c)->fmt, (c)->star_w, (c)->star_p, __VA_ARGS__)    \
	 : (c)->has_w		  ? fn(buf, n, (c)->fmt, (c)->star_w, __VA_ARGS__)                 \
	 : (c)->has_p		  ? fn(buf, n, (c)->fmt, (c)->star_p, __VA_ARGS__)                 \
				  : fn(buf, n, (c)->fmt, __VA_ARGS__))

#pragma GCC diagnostic ignored "-Wformat-nonliteral"
#pragma GCC diagnostic ignored "-Wformat-extra-args"
static int run(bool host, char *buf, size_t n, const struct fmt_case *c)
{
#define ONE(arg) (host ? FORMAT(snprintf, buf, n, c, arg) : FORMAT(bh_snprintf, buf, n, c, arg))
	bool sgn = c->conv == 'd' || c->conv == 'i';
	switch (c->conv) {
	case 's':
		return ONE(c->str);
	case 'c':
		return ONE((int)c->num);
	case '%':
		return ONE(0);
	}
	switch (c->size) {
	case 0:
		return sgn ? ONE((int)c->num) : ONE((unsigned)c->num);
	case 1:
		return sgn ? ONE((long)c->num) : ONE((unsigned long)c->num);
	case 2:
		return sgn ? ONE((long long)c->num) : ONE((unsigned long long)c->num);
	default:
		return sgn ? ONE((ssize_t)c->num) : ONE((size_t)c->num);
	}
#undef ONE
}

static void test_random_formats(void)
{
	memset(longstr, 'L', sizeof(longstr) - 1);
	unsigned bad = 0;
	for (unsigned i = 0; i < 40000 && bad < 10; i++) {
		struct fmt_case c;
		make_case(&c);
		char want[512], got[512];
		int wn = run(true, want, sizeof(want), &c);
		if (!CHECK(wn >= 0 && wn < (int)sizeof(want))) {
			fprintf(stderr, "    host snprintf of \"%s\": %d\n", c.fmt, wn);
			bad++;
			continue;
		}
		/* Every size up to the length, then one past it and the whole buffer. */
		size_t sizes[4] = {0, 1, (size_t)wn + 1, sizeof(got)};
		sizes[1] = rnd() % ((size_t)wn + 1);
		for (unsigned k = 0; k < 4; k++) {
			size_t n = sizes[k];
			char hw[512];
			memset(got, 'Z', sizeof(got));
			memset(hw, 'Z', sizeof(hw));
			int hn = run(true, n ? hw : NULL, n, &c);
			int gn = run(false, n ? got : NULL, n, &c);
			bool same = gn == hn && (n == 0 || !memcmp(got, hw, n)) &&
				    (n == sizeof(got) || got[n] == 'Z');
			if (!CHECK(same)) {
				fprintf(stderr,
					"    format \"%s\" (w %d p %d) size %zu: host %d \"%s\", "
					"lib %d \"%.*s\"\n",
					c.fmt, c.star_w, c.star_p, n, hn, n ? hw : "", gn,
					(int)(n ? n : 0), got);
				bad++;
			}
		}
	}
}

/* NULL for %s prints "(null)", as glibc does without a precision. */
static void test_null_string(void)
{
	char buf[32];
	CHECK_EQ(bh_snprintf(buf, sizeof(buf), "<%s>", (const char *)NULL), 8);
	CHECK_STR(buf, "<(null)>");
	CHECK_EQ(bh_snprintf(buf, 4, "%s", "abcdef"), 6);
	CHECK_STR(buf, "abc");
}

/* memset: every length to 300 bytes at every offset of a word and a bit
 * more, zero (its store-pairs path when aligned) and not: exactly those
 * bytes written, those on either side untouched. */
static void test_memset(void)
{
	static uint64_t words[64];
	unsigned char *buf = (unsigned char *)words;
	unsigned bad = 0;
	for (int c = 0; c < 2; c++)
		for (size_t off = 0; off < 24; off++)
			for (size_t n = 0; n + off < 320 && n <= 300; n++) {
				memset(buf, 0xaa, sizeof(words));
				CHECK(bh_memset(buf + off, c ? 0x5c : 0, n) == buf + off);
				for (size_t i = 0; i < sizeof(words); i++)
					bad += buf[i] != (i >= off && i < off + n ? (c ? 0x5c : 0) : 0xaa);
			}
	CHECK_EQ(bad, 0);
}

int main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	RUN(test_random_formats);
	RUN(test_null_string);
	RUN(test_memset);
	return check_summary("test_lib");
}
