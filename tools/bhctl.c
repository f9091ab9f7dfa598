// SPDX-License-Identifier: Apache-2.0
/*
 * bhctl: run the partitioned board from the control domain's shell. It talks
 * to the hypervisor over the control device, a virtio-console that Linux's
 * stock virtio_console driver shows as /dev/hvc0 (docs/control.md): one
 * command line out; reply lines (". text") and one status line ("ok" or
 * "error: why") back. Static aarch64 Linux program, carried in dom0's
 * initramfs (Makefile: the initramfs overlay).
 *
 *   bhctl list | stats | audit
 *   bhctl stop|start|restart|console NAME
 *
 * Exit status: 0 ok, 1 the hypervisor refused (the reason on stderr), 2 no
 * control device or no answer, 64 usage.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <termios.h>
#include <unistd.h>

#define LINE_MAX_ 512
#define ANSWER_MS 10000 /* a reply is never slower than this, even under TCG */

static int usage(void)
{
	fprintf(stderr, "usage: bhctl list | stats | audit\n"
			"       bhctl stop|start|restart|console NAME\n");
	return 64;
}

/* A name goes on the command line as is: letters, digits, '-', '_' only. */
static int valid_name(const char *s)
{
	if (!*s || strlen(s) > 64)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
			return 0;
	return 1;
}

static int open_device(const char *dev)
{
	int fd = open(dev, O_RDWR | O_NOCTTY);
	if (fd < 0) {
		fprintf(stderr, "bhctl: %s: %s (no control device: is virtio_console loaded?)\n",
			dev, strerror(errno));
		return -1;
	}
	struct termios t;
	if (flock(fd, LOCK_EX) || tcgetattr(fd, &t)) {
		fprintf(stderr, "bhctl: %s: %s\n", dev, strerror(errno));
		close(fd);
		return -1;
	}
	cfmakeraw(&t); /* no echo (it would send replies back as commands), no CR/LF games */
	tcsetattr(fd, TCSANOW, &t);
	tcflush(fd, TCIOFLUSH); /* what an interrupted bhctl left unread */
	return fd;
}

/* Read replies until the status line. */
static int read_reply(int fd, const char *what)
{
	char line[LINE_MAX_];
	size_t n = 0;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, ANSWER_MS);
		char c;
		if (r <= 0 || read(fd, &c, 1) != 1) {
			fprintf(stderr, "bhctl: %s: no answer from the hypervisor\n", what);
			return 2;
		}
		if (c != '\n') {
			if (n < sizeof(line) - 1)
				line[n++] = c;
			continue;
		}
		line[n] = 0;
		n = 0;
		if (!strncmp(line, ". ", 2))
			printf("%s\n", line + 2);
		else if (!strcmp(line, "ok"))
			return 0;
		else if (!strncmp(line, "error: ", 7)) {
			fflush(stdout);
			fprintf(stderr, "bhctl: %s: %s\n", what, line + 7);
			return 1;
		}
	}
}

int main(int argc, char **argv)
{
	static const char *const one[] = {"list", "stats", "audit"};
	static const char *const two[] = {"stop", "start", "restart", "console"};
	int ok = 0;
	for (unsigned i = 0; argc == 2 && i < 3; i++)
		ok |= !strcmp(argv[1], one[i]);
	for (unsigned i = 0; argc == 3 && i < 4; i++)
		ok |= !strcmp(argv[1], two[i]) && valid_name(argv[2]);
	if (!ok)
		return usage();
	const char *dev = getenv("BHCTL_DEVICE");
	int fd = open_device(dev ? dev : "/dev/hvc0");
	if (fd < 0)
		return 2;
	char cmd[128], what[96];
	snprintf(cmd, sizeof(cmd), "%s%s%s\n", argv[1], argc == 3 ? " " : "",
		 argc == 3 ? argv[2] : "");
	snprintf(what, sizeof(what), "%s%s%s", argv[1], argc == 3 ? " " : "",
		 argc == 3 ? argv[2] : "");
	if (write(fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd)) {
		fprintf(stderr, "bhctl: %s: cannot send: %s\n", what, strerror(errno));
		return 2;
	}
	int rc = read_reply(fd, what);
	close(fd);
	return rc;
}
