/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Console output multiplexer: one physical UART shared by the hypervisor's
 * messages and every domain's output, each domain line prefixed "[name] ".
 *
 * Nothing a domain does waits for the UART or for another domain's output:
 *  - a domain's bytes go into its own ring (struct domain con_in), under a
 *    lock only its own vCPUs take; bytes that find the ring full are counted
 *    and the loss is reported once the UART drains again;
 *  - whoever gets the console lock (domains only ever try it) composes lines
 *    from the rings into the TX ring, one line per domain in turn, then gives
 *    the UART what its FIFO takes right now, at most TX_BURST bytes;
 *  - what is left goes out on the next console activity of any domain, or
 *    from the UART's TX interrupt (drivers that have one).
 * The hypervisor's own messages wait for room, bounded: a UART that takes
 * nothing for STUCK_MS is "stuck" and then nobody waits for it any more.
 *
 * A domain's bytes are filtered (filter_locked) so it can never erase, move
 * over or forge another line; docs/console.md says what passes.
 */
#include "common/console.h"
#include "common/domain.h"
#include "common/lib.h"
#include "common/percpu.h"
#include "common/spinlock.h"

#define TX_SIZE		8192u /* composed bytes for the UART; power of 2 */
#define TX_BURST	64u   /* most bytes one domain's exit hands the UART */
#define COMPOSE_ROOM	2048u /* TX room one composed byte may need (every held line + a cut one) */
#define COMPOSE_BUDGET	256u  /* most domain bytes composed per pump */
#define STUCK_MS	50    /* the UART took nothing for this long: stuck */
#define ROOM_WAIT_MS	100   /* most a hypervisor message waits for room */
#define SYNC_MAX_MS	1000  /* most console_sync() waits, however busy the console */
#define REPORT_EVERY_MS 1000  /* loss reports per domain at most this often */
#define PUMP_TRIES	4

static const struct uart_ops *uart;
static uint64_t uart_base;
/* Covers everything below, the composing state of every domain (struct
 * domain con_in_tail onwards) and the UART's transmit side. Domains only
 * try it (console_pump); the hypervisor's messages wait for it, bounded. */
static struct spinlock console_lock;
static char tx[TX_SIZE];
static uint32_t tx_head, tx_tail;
static uint64_t tx_progress_at; /* counter when the UART last took a byte or had none */
static bool tx_stuck;		/* also read without the lock (vuart FR) */
static bool tx_irq_on;
static uint64_t hyp_lost, hyp_lost_reported; /* hyp_lost: atomic */
static unsigned rr;			     /* the domain composed first next time */
static struct domain *open_line;
static unsigned focus;
static uint32_t pump_pending;
/* Test hook (Ctrl-A u): the UART behaves as if it stopped draining. */
static volatile bool uart_stall_sim;

static void close_open_line_locked(void);

void console_init(enum uart_kind kind, uint64_t base)
{
	switch (kind) {
	case UART_PL011:
		uart = &uart_pl011_ops;
		break;
	case UART_NS16550:
		uart = &uart_ns16550_ops;
		break;
	case UART_CADENCE:
		uart = &uart_cadence_ops;
		break;
	case UART_IMX:
		uart = &uart_imx_ops;
		break;
	case UART_BCM2835AUX:
		uart = &uart_bcm2835aux_ops;
		break;
	default:
		uart = NULL;
		return;
	}
	uart_base = base;
	uart->init(base);
}

static uint64_t ms_to_ticks(unsigned ms)
{
	return arch_counter_freq() / 1000 * ms;
}

static uint32_t tx_used(void)
{
	return tx_head - tx_tail;
}

static uint32_t tx_free(void)
{
	return TX_SIZE - tx_used();
}

/* Into the TX ring only ('\n' as "\r\n"); callers made room. */
static void put_locked(const char *s, size_t n)
{
	if (!uart)
		return;
	uint32_t head = tx_head, end = tx_tail + TX_SIZE;
	for (size_t i = 0; i < n && end - head >= 2; i++) {
		if (s[i] == '\n')
			tx[head++ % TX_SIZE] = '\r';
		tx[head++ % TX_SIZE] = s[i];
	}
	tx_head = head;
}

/* Hands the UART what it takes now, at most `budget` bytes. Never waits. */
static void drain_locked(uint32_t budget)
{
	if (!uart) {
		tx_tail = tx_head;
		return;
	}
	uint64_t now = arch_counter(), base = uart_base;
	uint32_t tail = tx_tail, n = uart_stall_sim ? 0 : MIN(tx_head - tail, budget);
	/* In locals: the driver's calls could change any global. */
	unsigned (*tx_room)(uint64_t) = uart->tx_room;
	void (*tx_put)(uint64_t, char) = uart->tx_put;
	bool wrote = false;
	while (n) {
		unsigned room = tx_room(base);
		if (!room)
			break;
		for (room = MIN(room, n); room; room--, n--)
			tx_put(base, tx[tail++ % TX_SIZE]);
		wrote = true;
	}
	tx_tail = tail;
	if (wrote || tail == tx_head) {
		tx_progress_at = now;
		__atomic_store_n(&tx_stuck, false, __ATOMIC_RELAXED);
	} else if (budget && now - tx_progress_at > ms_to_ticks(STUCK_MS)) {
		__atomic_store_n(&tx_stuck, true, __ATOMIC_RELAXED);
	}
}

/* Bounded wait for `n` bytes of room; false if the UART is stuck or too slow. */
static bool make_room_locked(uint32_t n)
{
	uint64_t start = arch_counter();
	while (tx_free() < n) {
		if (!uart || __atomic_load_n(&tx_stuck, __ATOMIC_RELAXED) ||
		    arch_counter() - start > ms_to_ticks(ROOM_WAIT_MS))
			return false;
		drain_locked(TX_SIZE);
	}
	return true;
}

/* Bounded wait for the console lock (the hypervisor's messages). */
static bool lock_bounded(void)
{
	uint64_t start = 0;
	while (!spin_trylock(&console_lock)) {
		if (!start)
			start = arch_counter();
		else if (arch_counter() - start > ms_to_ticks(ROOM_WAIT_MS))
			return false;
	}
	return true;
}

/* A hypervisor line of `n` bytes into the TX ring, or counted as lost. */
static void hyp_put_locked(const char *s, size_t n)
{
	close_open_line_locked();
	if (make_room_locked((uint32_t)(2 * n + 2)))
		put_locked(s, n);
	else
		__atomic_fetch_add(&hyp_lost, n, __ATOMIC_RELAXED);
}

/* ---- what a domain prints: lines, held lines, the focused domain ---- */

/*
 * Lines on screen never mix: the focused domain's output goes straight out
 * (an interactive prompt has no newline), every other domain's is collected
 * per line. `open_line` is the domain whose line is on screen, unfinished.
 * A line another domain finishes while the focused one is mid-line is held
 * (one per domain) until the focused line ends, or that domain finishes a
 * second line: only then does it cut into the focused line, which is
 * repeated whole, under a new prefix, when it goes on.
 */
static void close_open_line_locked(void)
{
	if (open_line) {
		put_locked("\n", 1);
		open_line = NULL;
	}
}

static void prefix_locked(struct domain *d)
{
	put_locked("[", 1);
	put_locked(d->name, strlen(d->name));
	put_locked("] ", 2);
}

/* Columns a terminal surely moves right for s: printable ASCII and tabs. */
static unsigned sure_columns(const char *s, unsigned n)
{
	unsigned cols = 0;
	for (unsigned i = 0; i < n; i++)
		if ((s[i] >= 0x20 && s[i] < 0x7f) || s[i] == '\t')
			cols++;
	return cols;
}

static void flush_line_locked(struct domain *d, bool newline)
{
	if (open_line != d) {
		close_open_line_locked();
		prefix_locked(d);
		put_locked(d->con_open, d->con_open_len); /* what was cut, again */
		d->con_vis = sure_columns(d->con_open, d->con_open_len);
	}
	put_locked(d->con_line, d->con_len);
	if (newline) {
		put_locked("\n", 1);
		open_line = NULL;
		d->con_open_len = 0;
		d->con_vis = 0;
	} else {
		open_line = d;
		d->con_vis += sure_columns(d->con_line, d->con_len);
		unsigned n = MIN(d->con_len, (unsigned)sizeof(d->con_open) - d->con_open_len);
		memcpy(d->con_open + d->con_open_len, d->con_line, n);
		d->con_open_len += n;
	}
	d->con_len = 0;
}

static void flush_held_locked(struct domain *d)
{
	if (!d->con_holding)
		return;
	close_open_line_locked();
	prefix_locked(d);
	put_locked(d->con_held, d->con_held_len);
	put_locked("\n", 1);
	d->con_holding = false;
}

static void flush_all_held_locked(void)
{
	for (unsigned i = 0; i < ndomains; i++)
		flush_held_locked(&domains[i]);
}

static bool focused(const struct domain *d)
{
	return ndomains && &domains[focus] == d;
}

/* One byte that passed the filter: printable text, '\t', '\n', UTF-8. */
static void line_char_locked(struct domain *d, char c)
{
	bool foc = focused(d);
	d->con_hist[d->con_hist_pos++ % CON_HIST_SIZE] = c;
	if (c == '\n') {
		if (!foc && open_line && open_line == &domains[focus]) {
			/* The focused domain is mid-line: hold this line, if we can. */
			flush_held_locked(d);
			if (open_line == &domains[focus]) {
				memcpy(d->con_held, d->con_line, d->con_len);
				d->con_held_len = d->con_len;
				d->con_holding = true;
				d->con_len = 0;
				return;
			}
		}
		flush_line_locked(d, true);
		if (foc)
			flush_all_held_locked();
	} else {
		/* The focused domain's text goes out at the end of its compose. */
		d->con_line[d->con_len++] = c;
		if (d->con_len == sizeof(d->con_line))
			flush_line_locked(d, !foc);
	}
}

/* The end of a domain's output (power-off, restart, fault): its lines end,
 * and a restarted domain starts with a fresh filter. */
static void flush_domain_locked(struct domain *d)
{
	flush_held_locked(d);
	if (d->con_len || open_line == d)
		flush_line_locked(d, true);
	if (focused(d))
		flush_all_held_locked();
	d->con_esc = 0;
	d->con_u8_len = d->con_u8_need = 0;
	d->con_open_len = 0;
	d->con_vis = 0;
}

/* ---- the filter: a domain's bytes never move over another's text ---- */

enum { ESC_NONE, ESC_ESC, ESC_CSI, ESC_STRING, ESC_STRING_ESC };

/* Removes the last character (all bytes of a UTF-8 one) of buf. */
static void pop_char(char *buf, unsigned *len)
{
	while (*len && ((uint8_t)buf[*len - 1] & 0xc0) == 0x80)
		(*len)--;
	if (*len)
		(*len)--;
}

/* A cursor control the focused domain may send: only on its own line on
 * screen, never further left than its own text (`back` columns). */
static void focused_control_locked(struct domain *d, const char *seq, unsigned len, unsigned back)
{
	if (!focused(d))
		return;
	if (d->con_len || (open_line != d && d->con_open_len))
		flush_line_locked(d, false); /* its text first; if cut, shown again */
	if (open_line != d || back > d->con_vis)
		return;
	put_locked(seq, len);
	d->con_vis -= back;
	for (unsigned i = 0; i < back; i++)
		pop_char(d->con_open, &d->con_open_len);
}

static void backspace_locked(struct domain *d)
{
	if (focused(d) && d->con_len)
		flush_line_locked(d, false); /* erased on screen, as it was typed */
	if (d->con_len)
		pop_char(d->con_line, &d->con_len); /* edits the text not yet shown */
	else if (focused(d) && open_line != d)
		pop_char(d->con_open, &d->con_open_len); /* cut: edit what is shown again */
	else if (focused(d))
		focused_control_locked(d, "\b", 1, 1);
}

/* A complete CSI sequence (ESC [ params final): erase to the right of the
 * cursor, and cursor left/right within its own text, for the focused domain
 * (what shells' line editing uses); everything else is dropped. */
static void csi_locked(struct domain *d, char final)
{
	unsigned n = 0;
	for (unsigned i = 0; i < d->con_csi_len; i++) {
		if (d->con_csi[i] < '0' || d->con_csi[i] > '9' || n > 999)
			return; /* private or several parameters: none we pass */
		n = n * 10 + (unsigned)(d->con_csi[i] - '0');
	}
	char seq[12];
	switch (final) {
	case 'K': /* erase in line, J: in display; 0 = from the cursor on */
	case 'J':
		if (n == 0) {
			seq[0] = 0x1b, seq[1] = '[', seq[2] = final;
			focused_control_locked(d, seq, 3, 0);
		}
		break;
	case 'D': /* cursor left */
	case 'C': /* cursor right */ {
		n = n ? n : 1;
		int len = snprintf(seq, sizeof(seq), "\x1b[%u%c", n, final);
		focused_control_locked(d, seq, (unsigned)len, final == 'D' ? n : 0);
		break;
	}
	default:
		break;
	}
}

/* Whether c may follow the UTF-8 sequence in d->con_u8 (no overlong forms,
 * surrogates, code points past U+10FFFF, or C1 controls U+0080-U+009F). */
static bool utf8_next_ok(const struct domain *d, uint8_t c)
{
	if ((c & 0xc0) != 0x80)
		return false;
	if (d->con_u8_len != 1)
		return true;
	switch ((uint8_t)d->con_u8[0]) {
	case 0xc2:
		return c >= 0xa0;
	case 0xe0:
		return c >= 0xa0;
	case 0xed:
		return c < 0xa0;
	case 0xf0:
		return c >= 0x90;
	case 0xf4:
		return c < 0x90;
	default:
		return true;
	}
}

/* Inside an escape sequence or string: true if c was taken by it. A
 * sequence is dropped whole (a CSI the focused domain may use is applied by
 * csi_locked); a control byte cancels it and is filtered as any other. */
static bool escape_locked(struct domain *d, uint8_t c)
{
	switch (d->con_esc) {
	case ESC_ESC:
		if (c == '[') {
			d->con_esc = ESC_CSI;
			d->con_csi_len = 0;
		} else if (c == ']' || c == 'P' || c == 'X' || c == '^' || c == '_') {
			d->con_esc = ESC_STRING; /* OSC, DCS, SOS, PM, APC: up to BEL or ST */
		} else if (c < 0x20 || c > 0x2f) {
			d->con_esc = ESC_NONE; /* ESC + final byte (ESC c, ESC 7...): dropped */
		}
		return true;
	case ESC_CSI:
		if (c >= 0x40 && c <= 0x7e) {
			d->con_esc = ESC_NONE;
			if (d->con_csi_len <= sizeof(d->con_csi))
				csi_locked(d, (char)c);
			return true;
		}
		if (c >= 0x20 && c <= 0x3f) {
			if (d->con_csi_len < sizeof(d->con_csi))
				d->con_csi[d->con_csi_len] = (char)c;
			if (d->con_csi_len <= sizeof(d->con_csi))
				d->con_csi_len++;
			return true;
		}
		d->con_esc = ESC_NONE; /* a control byte cancels the sequence */
		return false;
	case ESC_STRING:
	case ESC_STRING_ESC:
		if (c == '\n') { /* a string never swallows more than its line */
			d->con_esc = ESC_NONE;
			return false;
		}
		if (c == 0x07 || (d->con_esc == ESC_STRING_ESC && c == '\\'))
			d->con_esc = ESC_NONE;
		else
			d->con_esc = c == 0x1b ? ESC_STRING_ESC : ESC_STRING;
		return true;
	default:
		return false;
	}
}

/* UTF-8: true if c was taken (a lead byte, a continuation, or shown as '?').
 * Only well-formed sequences pass; C1 controls and broken ones become '?'. */
static bool utf8_locked(struct domain *d, uint8_t c)
{
	if (d->con_u8_need) {
		if (utf8_next_ok(d, c)) {
			d->con_u8[d->con_u8_len++] = (char)c;
			if (d->con_u8_len == d->con_u8_need + 1) {
				for (unsigned i = 0; i < d->con_u8_len; i++)
					line_char_locked(d, d->con_u8[i]);
				d->con_u8_len = d->con_u8_need = 0;
			}
			return true;
		}
		d->con_u8_len = d->con_u8_need = 0;
		line_char_locked(d, '?'); /* a broken sequence, then c on its own */
	}
	if (c < 0x80)
		return false;
	unsigned need = c >= 0xc2 && c <= 0xdf	 ? 1
			: c >= 0xe0 && c <= 0xef ? 2
			: c >= 0xf0 && c <= 0xf4 ? 3
						 : 0;
	if (!need) {
		line_char_locked(d, '?'); /* C1 control or not UTF-8 */
		return true;
	}
	d->con_u8[0] = (char)c;
	d->con_u8_len = 1;
	d->con_u8_need = (uint8_t)need;
	return true;
}

static void filter_locked(struct domain *d, char ch)
{
	uint8_t c = (uint8_t)ch;
	if (escape_locked(d, c) || utf8_locked(d, c))
		return;
	if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f))
		line_char_locked(d, (char)c);
	else if (c == '\b')
		backspace_locked(d);
	else if (c == 0x1b)
		d->con_esc = ESC_ESC;
	/* '\r' (Linux ends lines "\r\n"), other C0 controls and DEL: dropped. */
}

/* ---- composing and pumping ---- */

/* Plain text inside a line (most bytes) from d's ring, up to `end`:
 * line_char_locked's work without its cases. The new tail. */
static uint32_t plain_run_locked(struct domain *d, uint32_t tail, uint32_t end)
{
	unsigned len = d->con_len;
	uint32_t pos = d->con_hist_pos;
	for (char c; tail != end && len < sizeof(d->con_line) - 1; tail++) {
		c = d->con_in[tail % CON_IN_SIZE];
		if (c < 0x20 || c >= 0x7f)
			break;
		d->con_line[len++] = c;
		d->con_hist[pos++ % CON_HIST_SIZE] = c;
	}
	d->con_len = len;
	d->con_hist_pos = pos;
	return tail;
}

/* Composes up to one line of d's ring (and its flush request); bytes used. */
static unsigned compose_domain_locked(struct domain *d, unsigned budget)
{
	unsigned n = 0;
	uint32_t tail = d->con_in_tail, head = __atomic_load_n(&d->con_in_head, __ATOMIC_ACQUIRE);
	while (TX_SIZE - (tx_head - tx_tail) >= COMPOSE_ROOM) {
		uint64_t fl = __atomic_load_n(&d->con_flush, __ATOMIC_ACQUIRE);
		if (fl && (uint32_t)fl == tail) {
			flush_domain_locked(d);
			__atomic_compare_exchange_n(&d->con_flush, &fl, 0, false, __ATOMIC_RELAXED,
						    __ATOMIC_RELAXED);
			continue;
		}
		if (n >= budget || tail == head)
			break;
		if (!d->con_esc && !d->con_u8_need) {
			/* Never past the budget or a flush request's position. */
			uint32_t end = tail + MIN(head - tail, budget - n);
			if (fl && (uint32_t)fl - tail < end - tail)
				end = (uint32_t)fl;
			uint32_t t = plain_run_locked(d, tail, end);
			n += t - tail;
			if (t != tail) {
				tail = t;
				continue;
			}
		}
		char c = d->con_in[tail++ % CON_IN_SIZE];
		n++;
		filter_locked(d, c);
		if (c == '\n')
			break;
	}
	__atomic_store_n(&d->con_in_tail, tail, __ATOMIC_RELEASE);
	if (d->con_len && focused(d))
		flush_line_locked(d, false); /* the focused domain's text, as it comes */
	return n;
}

/* Whether the last compose stopped with bytes perhaps left in a ring (its
 * budget spent, or no room): the TX interrupt must bring the next one. */
static bool compose_left;

/* Domains' rings into the TX ring, a line per domain in turn. */
static void compose_locked(unsigned budget)
{
	bool more = ndomains > 0;
	while (more && budget && tx_free() >= COMPOSE_ROOM) {
		more = false;
		for (unsigned k = 0; k < ndomains && budget; k++) {
			struct domain *d = &domains[(rr + k) % ndomains];
			unsigned n =
			    compose_domain_locked(d, MIN(budget, (unsigned)sizeof(d->con_line)));
			more |= n != 0;
			budget -= n;
		}
		rr = (rr + 1) % ndomains;
	}
	compose_left = more;
}

/* Once the UART drains again: what was lost, per domain, at most once per
 * REPORT_EVERY_MS each. */
static void report_losses_locked(void)
{
	if (__atomic_load_n(&tx_stuck, __ATOMIC_RELAXED) || tx_used() > TX_SIZE / 2)
		return;
	char buf[128];
	uint64_t now = arch_counter();
	for (unsigned i = 0; i < ndomains; i++) {
		struct domain *d = &domains[i];
		uint64_t lost = __atomic_load_n(&d->con_lost, __ATOMIC_RELAXED);
		if (lost == d->con_lost_reported ||
		    (d->con_report_at && now - d->con_report_at < ms_to_ticks(REPORT_EVERY_MS)))
			continue;
		int n = snprintf(buf, sizeof(buf),
				 "bulkhead: domain %s: %llu bytes of console output lost\n",
				 d->name, (unsigned long long)(lost - d->con_lost_reported));
		hyp_put_locked(buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
		d->con_lost_reported = lost;
		d->con_report_at = now;
	}
	uint64_t lost = __atomic_load_n(&hyp_lost, __ATOMIC_RELAXED);
	if (lost != hyp_lost_reported) {
		int n =
		    snprintf(buf, sizeof(buf), "bulkhead: %llu bytes of hypervisor messages lost\n",
			     (unsigned long long)(lost - hyp_lost_reported));
		hyp_lost_reported = lost;
		hyp_put_locked(buf, (size_t)MIN(n, (int)sizeof(buf) - 1));
	}
}

/* The TX interrupt is on while there is something to send and it can go:
 * composed bytes, or ring bytes the last compose left. Not for bytes a
 * domain puts in its ring meanwhile on another CPU: that CPU pumps for
 * them itself (at the burst's end, by its deadline, or through
 * pump_pending), and an interrupt wanted for them would fire again at every
 * byte they are written (seen: 68,000 interrupts in one Linux boot). */
static void tx_irq_update_locked(void)
{
	if (!uart || !uart->tx_irq)
		return;
	bool want = !uart_stall_sim && !__atomic_load_n(&tx_stuck, __ATOMIC_RELAXED) &&
		    (tx_used() || compose_left);
	if (want != tx_irq_on) {
		uart->tx_irq(uart_base, want);
		tx_irq_on = want;
	}
}

static void pump_locked(void)
{
	if (!tx_used())
		tx_progress_at = arch_counter();
	compose_locked(COMPOSE_BUDGET);
	report_losses_locked();
	drain_locked(TX_BURST);
	tx_irq_update_locked();
}

void console_pump(void)
{
	for (unsigned i = 0; i < PUMP_TRIES; i++) {
		__atomic_store_n(&pump_pending, 1, __ATOMIC_SEQ_CST);
		if (!spin_trylock(&console_lock))
			return; /* its holder sees pump_pending and pumps again */
		__atomic_store_n(&pump_pending, 0, __ATOMIC_SEQ_CST);
		pump_locked();
		spin_unlock(&console_lock);
		if (!__atomic_load_n(&pump_pending, __ATOMIC_SEQ_CST))
			return;
	}
	/* Given up with a pump still asked for: its bytes must not wait for
	 * the next console activity (which may never come). */
	arch_console_later();
}

/* Lets the console lock go, taken by other than console_pump(): a pump
 * asked for meanwhile gave way to this holder (pump_pending), and is run. */
static void unlock_and_pump(void)
{
	spin_unlock(&console_lock);
	if (__atomic_load_n(&pump_pending, __ATOMIC_SEQ_CST))
		console_pump();
}

void console_domain_write(struct domain *d, const char *s, size_t n)
{
	spin_lock(&d->con_in_lock);
	uint32_t tail = __atomic_load_n(&d->con_in_tail, __ATOMIC_ACQUIRE);
	size_t i = 0;
	for (; i < n && d->con_in_head - tail < CON_IN_SIZE; i++) {
		d->con_in[d->con_in_head % CON_IN_SIZE] = s[i];
		__atomic_store_n(&d->con_in_head, d->con_in_head + 1, __ATOMIC_RELEASE);
	}
	if (i < n)
		__atomic_fetch_add(&d->con_lost, n - i, __ATOMIC_RELAXED);
	spin_unlock(&d->con_in_lock);
	console_pump();
}

/* A character at a time (the emulated UART): composing, accounting and
 * draining cost far more than keeping the byte, so they run once a line:
 * at its newline, once a line's worth waits, or at the guest's next other
 * use of its UART (vuart.c). */
void console_domain_putc(struct domain *d, char c)
{
	uint32_t used = domain_con_put(d, c);
	if (!domain_con_held(d, c, used))
		console_domain_burst_end(d);
}

void console_domain_burst_end(struct domain *d)
{
	console_pump();
	/* All of it composed: the deadline would only pump again, an
	 * interrupt on this (maybe real-time) CPU for nothing. */
	if (__atomic_load_n(&d->con_in_tail, __ATOMIC_ACQUIRE) ==
	    __atomic_load_n(&d->con_in_head, __ATOMIC_ACQUIRE))
		arch_console_later_off();
}

void console_domain_flush(struct domain *d)
{
	spin_lock(&d->con_in_lock);
	__atomic_store_n(&d->con_flush, (1ULL << 32) | d->con_in_head, __ATOMIC_RELEASE);
	spin_unlock(&d->con_in_lock);
	console_pump();
}

enum con_tx console_domain_tx(struct domain *d)
{
	uint32_t used = __atomic_load_n(&d->con_in_head, __ATOMIC_ACQUIRE) -
			__atomic_load_n(&d->con_in_tail, __ATOMIC_ACQUIRE);
	if (!used)
		return CON_TX_EMPTY;
	console_pump();
	if (used > CON_IN_SIZE - CON_TX_ROOM && !__atomic_load_n(&tx_stuck, __ATOMIC_RELAXED))
		return CON_TX_FULL;
	return CON_TX_SOME;
}

/* ---- the hypervisor's own messages ---- */

static void hyp_write(const char *s, size_t n)
{
	if (!lock_bounded()) {
		__atomic_fetch_add(&hyp_lost, n, __ATOMIC_RELAXED);
		return;
	}
	if (!tx_used())
		tx_progress_at = arch_counter();
	compose_locked(COMPOSE_BUDGET); /* what domains printed before, first */
	drain_locked(TX_SIZE);		/* and whether the UART still takes anything */
	hyp_put_locked(s, n);
	drain_locked(TX_SIZE);
	tx_irq_update_locked();
	unlock_and_pump();
}

void console_write_raw(const char *s)
{
	hyp_write(s, strlen(s));
}

/* A message into the console: as formatted, or (log) as one
 * "bulkhead: ...\n" line, "bulkhead: domain NAME: ...\n" if dom names one;
 * what does not fit in the buffer is cut. */
static void hyp_vprint(bool log, const char *dom, const char *fmt, va_list ap)
{
	char buf[512];
	int n = log ? snprintf(buf, sizeof(buf), dom ? "bulkhead: domain %s: " : "bulkhead: ", dom) : 0;
	n += vsnprintf(buf + n, sizeof(buf) - (size_t)n - log, fmt, ap);
	if (n > (int)sizeof(buf) - 1 - log)
		n = (int)sizeof(buf) - 1 - log;
	if (log)
		buf[n++] = '\n';
	hyp_write(buf, (size_t)n);
}

void bh_printf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hyp_vprint(false, NULL, fmt, ap);
	va_end(ap);
}

void bh_vlog(const char *fmt, va_list ap)
{
	hyp_vprint(true, NULL, fmt, ap);
}

void bh_log(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bh_vlog(fmt, ap);
	va_end(ap);
}

void bh_dlog(const char *name, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	hyp_vprint(true, name, fmt, ap);
	va_end(ap);
}

void console_sync(void)
{
	if (!lock_bounded())
		return;
	uint64_t start = arch_counter();
	if (!tx_used())
		tx_progress_at = start;
	/* Bounded even while domains go on printing faster than the UART drains. */
	while (arch_counter() - start < ms_to_ticks(SYNC_MAX_MS)) {
		compose_locked(~0u);
		report_losses_locked();
		if (!tx_used() || __atomic_load_n(&tx_stuck, __ATOMIC_RELAXED) || !uart)
			break;
		drain_locked(TX_SIZE);
	}
	unlock_and_pump();
}

/* ---- input ---- */

int console_getc(void)
{
	return uart && uart->getc ? uart->getc(uart_base) : -1;
}

#define CTRL_A	       0x01
#define SWITCH_PRESSES 3

static unsigned ctrl_a_run;

void console_enable_input(void)
{
	if (uart && uart->enable_rx_irq) {
		spin_lock(&console_lock);
		uart->enable_rx_irq(uart_base);
		unlock_and_pump();
	}
	for (unsigned i = 0; i < ndomains; i++)
		if (domains[i].cfg->control)
			focus = i;
	if (ndomains > 1)
		bh_log("console input goes to domain %s; press Ctrl-A three times to switch",
		       domains[focus].name);
}

/* Ctrl-A u: the UART as if it stopped draining (a test hook: see docs/console.md). */
static void toggle_stall_sim(void)
{
	if (!uart_stall_sim) {
		bh_log("console UART stalled on purpose (Ctrl-A u: test); Ctrl-A u again ends it");
		console_sync();
		uart_stall_sim = true;
	} else {
		uart_stall_sim = false;
		bh_log("console UART drains again (Ctrl-A u)");
	}
}

void console_interrupt(void)
{
	int c;
	while ((c = console_getc()) >= 0) {
		if (ctrl_a_run == 1 && c == 's') { /* Ctrl-A s: exit statistics */
			ctrl_a_run = 0;
			stats_print();
			continue;
		}
		if (ctrl_a_run == 1 && c == 'u') {
			ctrl_a_run = 0;
			toggle_stall_sim();
			continue;
		}
		if (ctrl_a_run == 1 && c == 'q') { /* Ctrl-A q: power the machine off */
			bh_log("powering off at the console's request (Ctrl-A q)");
			arch_halt_system();
		}
		if (c == CTRL_A) {
			if (++ctrl_a_run == SWITCH_PRESSES) {
				ctrl_a_run = 0;
				if (lock_bounded()) {
					make_room_locked(COMPOSE_ROOM);
					flush_all_held_locked();
					/* The next domain that still runs (or restarts): typing
					 * into one that is off or stopped reaches no one. */
					for (unsigned k = 1; k <= ndomains; k++) {
						unsigned n = (focus + k) % ndomains;
						enum dom_state s = __atomic_load_n(
						    &domains[n].state, __ATOMIC_ACQUIRE);
						if (s == DOM_RUNNING || s == DOM_RESTARTING) {
							focus = n;
							break;
						}
					}
					spin_unlock(&console_lock);
				}
				bh_log("console input now goes to domain %s", domains[focus].name);
			}
			continue;
		}
		/* Ctrl-A pressed fewer than three times: it was meant for the domain. */
		for (; ctrl_a_run; ctrl_a_run--)
			vuart_input(&domains[focus], CTRL_A);
		if (ndomains)
			vuart_input(&domains[focus], (char)c);
	}
	/* The same interrupt line says the TX FIFO has room. */
	console_pump();
}

void console_domain_history(struct domain *d, void (*emit)(const char *line, void *arg),
			    void *arg)
{
	static char copy[CON_HIST_SIZE]; /* callers are serialised (common/control.c) */
	char line[CON_HIST_LINE];
	if (!lock_bounded()) { /* as for the hypervisor's lines: never a long wait */
		emit("(console busy: try again)", arg);
		return;
	}
	uint32_t pos = d->con_hist_pos, n = MIN(pos, CON_HIST_SIZE);
	for (uint32_t i = 0; i < n; i++)
		copy[i] = d->con_hist[(pos - n + i) % CON_HIST_SIZE];
	unlock_and_pump();
	/* Whole lines only: a full ring's first line was cut. */
	uint32_t i = 0, len = 0;
	if (pos > CON_HIST_SIZE)
		while (i < n && copy[i++] != '\n')
			;
	for (; i < n; i++) {
		if (copy[i] == '\n' || len == sizeof(line) - 1) {
			line[len] = 0;
			emit(line, arg);
			len = 0;
		}
		if (copy[i] != '\n')
			line[len++] = copy[i];
	}
}
