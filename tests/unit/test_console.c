// SPDX-License-Identifier: Apache-2.0
/*
 * The console multiplexer (common/console.c) against a fake UART
 * (tests/fake/fake_uart.c) and three domains: dom0 (the control domain,
 * focused first), rt and lin. What reaches the UART is compared byte for
 * byte with what docs/console.md promises: prefixes, whole lines from the
 * domains without the focus, the focused domain's output as it comes, held
 * lines (one per domain, cutting in on a second line, the focused line
 * repeated whole under a new prefix), the filter (no forged line start, no
 * escape sequence, C1 or broken UTF-8), focus switching and keys, and the
 * loss of bytes when a domain's buffer is full, reported once the UART
 * drains. console.c keeps static state with no reset: each test runs in a
 * fresh process (RUN_ISOLATED).
 */
#include "check.h"
#include "common/console.h"
#include "common/domain.h"
#include "tests/fake/fake_uart.h"
#include "tests/fake/harness.h"

/* What console.c needs of the rest of the hypervisor. */
uint64_t fake_counter; /* tests/fake/arch_inline.h: arch_counter() */
static struct domain the_domains[BH_MAX_DOMAINS];
struct domain *domains = the_domains;
unsigned ndomains;
static struct dom_cfg cfgs[BH_MAX_DOMAINS];

/* Keys the console handed to a domain's emulated UART. */
static char typed[BH_MAX_DOMAINS][64];
static unsigned ntyped[BH_MAX_DOMAINS];

void vuart_input(struct domain *d, char c)
{
	unsigned i = (unsigned)(d - domains);
	if (i < BH_MAX_DOMAINS && ntyped[i] < sizeof(typed[i]))
		typed[i][ntyped[i]++] = c;
}

static unsigned stats_prints;
void stats_print(void)
{
	stats_prints++;
}

void arch_halt_system(void)
{
	printf("arch_halt_system\n");
	exit(4); /* no test powers the machine off */
}

static struct domain *const dom0 = &the_domains[0], *const rt = &the_domains[1],
			    *const lin = &the_domains[2];

/* Three running domains; dom0 has the focus; the greeting taken. */
static void boot(void)
{
	fake_uart_reset();
	h_console_domain(dom0, &cfgs[0], "dom0", true);
	h_console_domain(rt, &cfgs[1], "rt", false);
	h_console_domain(lin, &cfgs[2], "lin", false);
	ndomains = 3;
	console_init(UART_PL011, 0x9000000);
	CHECK_EQ(fake_uart_init_base, 0x9000000);
	console_enable_input();
	CHECK(fake_uart_rx_irq_on);
	CHECK_STR(fake_uart_out, "bulkhead: console input goes to domain dom0; press Ctrl-A three "
				 "times to switch\r\n");
	fake_uart_len = 0;
	fake_uart_out[0] = 0;
}

static void put(struct domain *d, const char *s)
{
	console_domain_write(d, s, strlen(s));
}

/* Everything sent since the last call (the console drained first). */
static const char *shown(void)
{
	static char buf[FAKE_UART_OUT_MAX + 1];
	console_sync();
	memcpy(buf, fake_uart_out, fake_uart_len + 1);
	fake_uart_len = 0;
	fake_uart_out[0] = 0;
	return buf;
}

static void test_lines_and_prefixes(void)
{
	boot();
	put(rt, "hel");
	CHECK_STR(shown(), ""); /* a line at a time */
	put(rt, "lo\nworld\n");
	CHECK_STR(shown(), "[rt] hello\r\n[rt] world\r\n");
	/* The focused domain: as it comes (a prompt has no newline). */
	put(dom0, "$ ");
	CHECK_STR(shown(), "[dom0] $ ");
	put(dom0, "ls\n");
	CHECK_STR(shown(), "ls\r\n");
	/* Longer than 160 bytes: cut into lines of 160. */
	char line[172];
	memset(line, 'a', 170);
	line[170] = '\n';
	line[171] = 0;
	put(lin, line);
	char want[200];
	snprintf(want, sizeof(want), "[lin] %.160s\r\n[lin] %.10s\r\n", line, line);
	CHECK_STR(shown(), want);
	/* The end of a domain's output (power-off, restart) ends its line. */
	put(rt, "bye");
	CHECK_STR(shown(), "");
	console_domain_flush(rt);
	CHECK_STR(shown(), "[rt] bye\r\n");
	/* A hypervisor message ends the focused domain's open line; the line is
	 * shown again whole, under its prefix, when the domain goes on. */
	put(dom0, "$ ");
	bh_log("note %d", 1);
	put(dom0, "x\n");
	CHECK_STR(shown(), "[dom0] $ \r\nbulkhead: note 1\r\n[dom0] $ x\r\n");
}

static void test_held_lines(void)
{
	boot();
	put(dom0, "$ ");
	CHECK_STR(shown(), "[dom0] $ ");
	/* Others finish lines while dom0 is mid-line: held, one per domain. */
	put(rt, "one\n");
	put(lin, "two\n");
	put(rt, "thr"); /* unfinished: not held, not shown */
	CHECK_STR(shown(), "");
	put(dom0, "ls\n");
	CHECK_STR(shown(), "ls\r\n[rt] one\r\n[lin] two\r\n");
	put(rt, "ee\n");
	CHECK_STR(shown(), "[rt] three\r\n");

	/* A second line cuts in: the held one, then the new one; dom0's line
	 * repeated whole when it goes on. */
	put(dom0, "$ ec");
	put(rt, "four\n");
	CHECK_STR(shown(), "[dom0] $ ec");
	put(rt, "five\n");
	CHECK_STR(shown(), "\r\n[rt] four\r\n[rt] five\r\n");
	put(lin, "six\n"); /* dom0 is no longer on screen: nothing to wait for */
	CHECK_STR(shown(), "[lin] six\r\n");
	put(dom0, "ho\n");
	CHECK_STR(shown(), "[dom0] $ echo\r\n");

	/* A held line comes out when its domain's output ends, too. */
	put(dom0, "> ");
	put(lin, "held\n");
	CHECK_STR(shown(), "[dom0] > ");
	console_domain_flush(lin);
	CHECK_STR(shown(), "\r\n[lin] held\r\n");
	/* ... and when the focus moves (Ctrl-A three times). */
	put(dom0, "$ ");
	put(rt, "seven\n");
	CHECK_STR(shown(), "[dom0] > $ "); /* its line goes on: shown whole */
	fake_uart_type("\x01\x01\x01", 3);
	console_interrupt();
	CHECK_STR(shown(), "\r\n[rt] seven\r\nbulkhead: console input now goes to domain rt\r\n");
}

/* Nothing a domain prints starts a line under another prefix, moves the
 * cursor over another's text or styles the console. */
static void test_filter(void)
{
	boot();
	static const struct {
		const char *in, *out;
	} cases[] = {
	    {"\r[dom0] # rm -rf /\n", "[rt] [dom0] # rm -rf /\r\n"}, /* \r dropped */
	    {"ok\r\n", "[rt] ok\r\n"},				     /* Linux's line end */
	    {"\x1b[2K\x1b[1G[dom0] x\n", "[rt] [dom0] x\r\n"},	     /* erase, column 1 */
	    {"\x1b[1A\x1b[3;1Hup\n", "[rt] up\r\n"},		     /* cursor moves */
	    {"\x1b[31mred\x1b[0m\n", "[rt] red\r\n"},		     /* colours */
	    {"\x1b]0;title\x07t\n", "[rt] t\r\n"},		     /* OSC, BEL */
	    {"\x1b]2;x\x1b\\u\n", "[rt] u\r\n"},		     /* OSC, ST */
	    {"\x1bPdcs\x1b\\v\n", "[rt] v\r\n"},		     /* DCS */
	    {"\x1b"
	     "c"
	     "w\n",
	     "[rt] w\r\n"}, /* ESC c: reset */
	    {"\x9b"
	     "2Kx\n",
	     "[rt] ?2Kx\r\n"}, /* C1 CSI byte */
	    {"a\x85"
	     "b\n",
	     "[rt] a?b\r\n"}, /* C1 NEL */
	    {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82\n",
	     "[rt] caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x99\x82\r\n"}, /* UTF-8 */
	    {"\xc2\x9b"
	     "1\n",
	     "[rt] ??1\r\n"},			/* U+009B: C1 */
	    {"\xc0\xaf\n", "[rt] ??\r\n"},	/* overlong '/' */
	    {"\xed\xa0\x80\n", "[rt] ???\r\n"}, /* a surrogate */
	    {"\xe2\x82\n", "[rt] ?\r\n"},	/* cut short */
	    {"ab\bc\n", "[rt] ac\r\n"},		/* its own line only */
	    {"\b\b\bd\n", "[rt] d\r\n"},	/* nothing left to erase */
	    {"t\tu\n", "[rt] t\tu\r\n"},
	    /* A string swallows no more than its line. */
	    {"\x1b]0;unterminated\nnext\n", "[rt] \r\n[rt] next\r\n"},
	};
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		put(rt, cases[i].in);
		if (!CHECK_STR(shown(), cases[i].out))
			fprintf(stderr, "    case %u\n", i);
	}
	console_domain_write(rt,
			     "a\x07\x00\x7f"
			     "b\n",
			     6); /* BEL, NUL, DEL */
	CHECK_STR(shown(), "[rt] ab\r\n");
}

/* The focused domain erases while its line is cut (another domain's lines
 * shown under it): the line, shown again, must be what the guest has. */
static void test_erase_while_cut(void)
{
	boot();
	put(dom0, "$ cd");
	put(rt, "1\n");
	put(rt, "2\n");
	CHECK_STR(shown(), "[dom0] $ cd\r\n[rt] 1\r\n[rt] 2\r\n");
	put(dom0, "\b\bX\n");
	CHECK_STR(shown(), "[dom0] $ X\r\n");
	/* A cursor move while cut shows the line again first, then moves
	 * within it. */
	put(dom0, "$ ab");
	put(rt, "3\n");
	put(rt, "4\n");
	CHECK_STR(shown(), "[dom0] $ ab\r\n[rt] 3\r\n[rt] 4\r\n");
	put(dom0, "\x1b[D");
	CHECK_STR(shown(), "[dom0] $ ab\x1b[1D");
}

/* Text a domain printed while it had not the focus is not shown yet; the
 * backspace that comes once it has the focus again erases that, not what is
 * on screen. */
static void test_erase_after_focus_round(void)
{
	boot();
	put(dom0, "$ ab");
	put(rt, "1\n");
	put(rt, "2\n");
	shown();
	fake_uart_type("\x01\x01\x01", 3); /* focus -> rt */
	console_interrupt();
	put(dom0, "xy"); /* without the focus: not shown yet */
	fake_uart_type("\x01\x01\x01\x01\x01\x01", 6); /* -> lin -> dom0 */
	console_interrupt();
	shown();
	put(dom0, "\bZ\n"); /* the guest's line is "$ abxZ" */
	CHECK_STR(shown(), "[dom0] $ abxZ\r\n");
}

/* The focused domain's line editing: backspace and cursor moves only over
 * its own text, erase from the cursor on. */
static void test_focused_editing(void)
{
	boot();
	put(dom0, "$ ab");
	CHECK_STR(shown(), "[dom0] $ ab");
	put(dom0, "\x1b[1D\x1b[K");
	CHECK_STR(shown(), "\x1b[1D\x1b[K");
	put(dom0, "\x1b[9D"); /* further left than its 3 columns: dropped */
	CHECK_STR(shown(), "");
	put(dom0, "\b\b\b\b\b");
	CHECK_STR(shown(), "\b\b\b");		       /* 3 columns: the prefix is out of reach */
	put(dom0, "\x1b[2J\x1b[1K\x1b[?25l\x1b[1;1H"); /* other erases, private, moves */
	CHECK_STR(shown(), "");
	put(dom0, "x\x1b[C\n");
	CHECK_STR(shown(), "x\x1b[1C\r\n");
	/* Not on its own line (nothing since the prefix): nothing passes. */
	put(dom0, "\b\x1b[K");
	CHECK_STR(shown(), "");
	/* After a cut, the repeat counts: "$ " and "cd" are its own again. */
	put(dom0, "$ cd");
	put(rt, "1\n");
	put(rt, "2\n");
	put(dom0, "X\b\b\b\b\b\b");
	CHECK_STR(shown(), "[dom0] $ cd\r\n[rt] 1\r\n[rt] 2\r\n[dom0] $ cdX\b\b\b\b\b");
	/* Another domain's escapes never pass, even those dom0 may use. */
	put(dom0, "\n");
	put(rt, "\x1b[K\x1b[1Dz\n");
	CHECK_STR(shown(), "\r\n[rt] z\r\n");
}

static void test_focus_and_keys(void)
{
	boot();
	fake_uart_type("a\x01"
		       "b\x01\x01"
		       "c",
		       6);
	console_interrupt();
	CHECK_EQ(ntyped[0], 6);
	CHECK(!memcmp(typed[0],
		      "a\x01"
		      "b\x01\x01"
		      "c",
		      6)); /* fewer than three: theirs */
	CHECK_STR(shown(), "");
	/* Three: the next running domain; a stopped or off one is skipped. */
	h_set_state(rt, DOM_STOPPED);
	fake_uart_type("\x01\x01\x01"
		       "d",
		       4);
	console_interrupt();
	CHECK_STR(shown(), "bulkhead: console input now goes to domain lin\r\n");
	CHECK_EQ(ntyped[2], 1);
	CHECK_EQ(typed[2][0], 'd');
	h_set_state(rt, DOM_RESTARTING);
	h_set_state(dom0, DOM_OFF);
	fake_uart_type("\x01\x01\x01"
		       "e",
		       4);
	console_interrupt();
	CHECK_STR(shown(), "bulkhead: console input now goes to domain rt\r\n");
	CHECK_EQ(ntyped[1], 1);
	CHECK_EQ(typed[1][0], 'e');
	/* Now rt's output comes as it comes, lin's a line at a time. */
	put(rt, "# ");
	put(lin, "l\n");
	CHECK_STR(shown(), "[rt] # ");
	/* Ctrl-A s: the statistics, not a key. */
	fake_uart_type("\x01s", 2);
	console_interrupt();
	CHECK_EQ(stats_prints, 1);
	CHECK_EQ(ntyped[1], 1);
	CHECK_EQ(ntyped[0], 6);
}

/* A domain whose buffer is full loses bytes, never waits; every byte it
 * wrote is shown or counted, and the count reported once the UART drains,
 * at most once a second. */
static void test_loss(void)
{
	boot();
	char line[101];
	memset(line, 'x', 99);
	line[99] = '\n';
	line[100] = 0;
	fake_uart_room = 0; /* the UART stops draining */
	enum { LINES = 200 };
	for (unsigned i = 0; i < LINES; i++)
		put(rt, line);
	/* Its emulated UART says "full" so a polite guest waits... */
	CHECK_EQ(console_domain_tx(rt), CON_TX_FULL);
	CHECK_EQ(console_domain_tx(dom0), CON_TX_EMPTY);
	/* ... but not for a UART that has taken nothing for 50 ms. */
	fake_counter += 62500000; /* a second */
	console_pump();
	CHECK_EQ(console_domain_tx(rt), CON_TX_SOME);
	CHECK(!fake_uart_tx_irq_on); /* no TX interrupt for a stuck UART */
	CHECK_EQ(fake_uart_len, 0);
	fake_uart_room = 64;
	console_domain_flush(rt);
	const char *out = shown();
	/* Every line whole, the loss reported once, and all of it adds up. */
	uint64_t bytes = 0, lost = 0;
	unsigned reports = 0, lines = 0;
	for (const char *p = out; *p;) {
		const char *end = strstr(p, "\r\n");
		if (!CHECK(end != NULL))
			break;
		unsigned long long n;
		int len = (int)(end - p);
		if (sscanf(p, "bulkhead: domain rt: %llu bytes of console output lost\r", &n) ==
		    1) {
			reports++;
			lost += n;
		} else if (len > 5 && !strncmp(p, "[rt] ", 5) &&
			   strspn(p + 5, "x") == (size_t)len - 5) {
			lines++;
			/* Its bytes, and its '\n' if it was the domain's (a
			 * whole line) rather than the flush's. */
			bytes += (uint64_t)len - 5 + (len - 5 == 99);
		} else {
			CHECK_FAIL("unexpected line \"%.*s\"", len, p);
		}
		p = end + 2;
	}
	CHECK_EQ(reports, 1);
	CHECK(lost > 0);
	CHECK(lines < LINES);
	CHECK_EQ(bytes + lost, (uint64_t)LINES * 100);
	/* More lost within the second: counted, reported only after it. */
	fake_uart_room = 0;
	for (unsigned i = 0; i < LINES; i++)
		put(rt, line);
	fake_uart_room = 64;
	out = shown();
	CHECK(strstr(out, "lost") == NULL);
	fake_counter += 62500000;
	console_pump();
	out = shown();
	unsigned long long n = 0;
	const char *rep = strstr(out, "bulkhead: domain rt: ");
	CHECK(rep &&
	      sscanf(rep, "bulkhead: domain rt: %llu bytes of console output lost\r", &n) == 1);
	CHECK(n > 0);
	/* dom0 lost nothing and is never named. */
	CHECK(strstr(out, "domain dom0") == NULL);
}

/* The TX interrupt is on only while something waits to go. */
static void test_tx_irq(void)
{
	boot();
	CHECK(!fake_uart_tx_irq_on);
	put(rt, "a long enough line to take more than one burst of 64 bytes .....\n");
	CHECK(fake_uart_tx_irq_on);
	CHECK_EQ(fake_uart_len, 64); /* a domain's exit hands the UART one burst */
	console_interrupt();	     /* the TX interrupt: the rest */
	CHECK(!fake_uart_tx_irq_on);
	CHECK_STR(shown(),
		  "[rt] a long enough line to take more than one burst of 64 bytes .....\r\n");
}

/* A character at a time (the emulated UART's DR): kept until its line ends,
 * a line's worth waits, or the console is pumped (the guest's next other
 * use of its UART); then the same bytes as if written at once. */
static void test_putc_per_line(void)
{
	boot();
	for (const char *s = "$ "; *s; s++)
		console_domain_putc(dom0, *s);
	CHECK_EQ(fake_uart_len, 0); /* not composed per character */
	console_pump();
	CHECK_STR(fake_uart_out, "[dom0] $ "); /* a prompt goes out at the next pump */
	fake_uart_len = 0;
	for (const char *s = "ls\n"; *s; s++)
		console_domain_putc(dom0, *s);
	CHECK_STR(fake_uart_out, "ls\r\n"); /* a newline: out at once, no pump needed */
	fake_uart_len = 0;
	for (const char *s = "on"; *s; s++)
		console_domain_putc(rt, *s);
	CHECK_EQ(fake_uart_len, 0);
	console_domain_putc(rt, '\n');
	CHECK_STR(fake_uart_out, "[rt] on\r\n");
	fake_uart_len = 0;
	fake_uart_out[0] = 0;
	/* No newline for long: moved on once a line's worth (160 bytes) waits. */
	for (unsigned i = 0; i < 159; i++)
		console_domain_putc(lin, 'x');
	CHECK_EQ(fake_uart_len, 0);
	console_domain_putc(lin, 'x');
	CHECK(fake_uart_len > 0 && strncmp(fake_uart_out, "[lin] xxx", 9) == 0);
}

/* Output held for its line's end also has a deadline (arch_console_later:
 * EL2's timer, whose interrupt pumps): a prompt a guest then waits at shows
 * without a keystroke. A port with no such timer composes at once. */
static void test_held_deadline(void)
{
	boot();
	console_domain_putc(dom0, '>');
	CHECK_EQ(fake_uart_len, 0);
	CHECK(fake_console_later_calls > 0); /* the deadline was asked for */
	console_pump(); /* what the deadline's interrupt does */
	CHECK_STR(fake_uart_out, "[dom0] >");
	unsigned offs = fake_console_later_offs;
	console_domain_putc(dom0, '\n'); /* all of it out: the deadline is off */
	CHECK_EQ(fake_console_later_offs, offs + 1);
	fake_uart_len = 0;
	fake_uart_out[0] = 0;
	fake_console_later = false;
	console_domain_putc(dom0, '?');
	CHECK_STR(fake_uart_out, "[dom0] ?"); /* no deadline to be had: out at once */
}

int main(void)
{
	RUN_ISOLATED(test_lines_and_prefixes);
	RUN_ISOLATED(test_held_lines);
	RUN_ISOLATED(test_filter);
	RUN_ISOLATED(test_focused_editing);
	RUN_ISOLATED(test_focus_and_keys);
	RUN_ISOLATED(test_loss);
	RUN_ISOLATED(test_tx_irq);
	RUN_ISOLATED(test_erase_while_cut);
	RUN_ISOLATED(test_erase_after_focus_round);
	RUN_ISOLATED(test_putc_per_line);
	RUN_ISOLATED(test_held_deadline);
	return check_summary("test_console");
}
