/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The host unit tests' harness: CHECK macros that count checks and failures
 * and say where a failure is (file:line, the test it is in, expected and
 * actual), and KNOWN_BUG blocks that mark checks written against a bug found
 * in the code under test (they fail until the bug is fixed, and say so).
 * Header-only: each test binary is one .c file plus the sources it tests.
 */
#ifndef TESTS_UNIT_CHECK_H
#define TESTS_UNIT_CHECK_H

#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static unsigned check_count, check_failures, check_bug_failures;
static const char *check_test = "?"; /* the test function running */
static const char *check_bug;	     /* set inside a KNOWN_BUG block */

static inline void check_report(const char *file, int line)
{
	check_failures++;
	if (check_bug)
		check_bug_failures++;
	fprintf(stderr, "%s:%d: FAIL in %s%s%s%s\n", file, line, check_test,
		check_bug ? " [KNOWN BUG: " : "", check_bug ? check_bug : "", check_bug ? "]" : "");
}

static inline bool check_true(bool ok, const char *expr, const char *file, int line)
{
	check_count++;
	if (!ok) {
		check_report(file, line);
		fprintf(stderr, "    expected true: %s\n", expr);
	}
	return ok;
}

static inline bool check_eq(uint64_t actual, uint64_t expected, const char *aexpr,
			    const char *eexpr, const char *file, int line)
{
	check_count++;
	if (actual == expected)
		return true;
	check_report(file, line);
	/* Both hex and signed decimal: addresses read best in hex, error codes in decimal. */
	fprintf(stderr,
		"    %s\n      expected %s = 0x%" PRIx64 " (%" PRId64 ")\n"
		"      actual            0x%" PRIx64 " (%" PRId64 ")\n",
		aexpr, eexpr, expected, (int64_t)expected, actual, (int64_t)actual);
	return false;
}

static inline bool check_str(const char *actual, const char *expected, bool substring,
			     const char *aexpr, const char *file, int line)
{
	check_count++;
	bool ok = actual && expected &&
		  (substring ? strstr(actual, expected) != NULL : strcmp(actual, expected) == 0);
	if (!ok) {
		check_report(file, line);
		fprintf(stderr, "    %s\n      expected %s\"%s\"\n      actual   \"%s\"\n", aexpr,
			substring ? "to contain " : "", expected ? expected : "(null)",
			actual ? actual : "(null)");
	}
	return ok;
}

#define CHECK(cond) check_true((cond), #cond, __FILE__, __LINE__)
#define CHECK_EQ(actual, expected)                                                                 \
	check_eq((uint64_t)(actual), (uint64_t)(expected), #actual, #expected, __FILE__, __LINE__)
#define CHECK_STR(actual, expected)                                                                \
	check_str((actual), (expected), false, #actual, __FILE__, __LINE__)
#define CHECK_CONTAINS(actual, needle)                                                             \
	check_str((actual), (needle), true, #actual, __FILE__, __LINE__)
/* A message for a failure the macros above cannot describe well. */
#define CHECK_FAIL(...)                                                                            \
	do {                                                                                       \
		check_count++;                                                                     \
		check_report(__FILE__, __LINE__);                                                  \
		fprintf(stderr, "    ");                                                           \
		fprintf(stderr, __VA_ARGS__);                                                      \
		fprintf(stderr, "\n");                                                             \
	} while (0)

/*
 * KNOWN_BUG("file:line what is wrong") { CHECK...; }
 * The checks inside state the correct behaviour; while the bug is there they
 * fail, and the failure names the bug so nobody mistakes it for a regression.
 */
#define KNOWN_BUG(desc) for (check_bug = (desc); check_bug; check_bug = NULL)

#define RUN(fn)                                                                                    \
	do {                                                                                       \
		check_test = #fn;                                                                  \
		if (getenv("BH_UNIT_VERBOSE"))                                                     \
			fprintf(stderr, "-- %s\n", #fn);                                           \
		fn();                                                                              \
	} while (0)

/*
 * RUN_ISOLATED(fn): fn in a child process, for code under test whose
 * static state has no reset (the console multiplexer, passthrough's
 * tables): each test starts from the state of a fresh boot. The child's
 * counts are added to the parent's; a child that dies (a sanitizer report,
 * an abort) is a failure.
 */
static inline void check_run_isolated(void (*fn)(void), const char *name)
{
	int fd[2];
	fflush(stdout);
	fflush(stderr);
	if (pipe(fd)) {
		perror("pipe");
		exit(2);
	}
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(2);
	}
	if (pid == 0) {
		close(fd[0]);
		check_count = check_failures = check_bug_failures = 0;
		check_test = name;
		if (getenv("BH_UNIT_VERBOSE"))
			fprintf(stderr, "-- %s\n", name);
		fn();
		unsigned counts[3] = {check_count, check_failures, check_bug_failures};
		fflush(stdout);
		fflush(stderr);
		_exit(write(fd[1], counts, sizeof(counts)) == sizeof(counts) ? 0 : 3);
	}
	close(fd[1]);
	unsigned counts[3];
	bool got = read(fd[0], counts, sizeof(counts)) == sizeof(counts);
	close(fd[0]);
	int status;
	waitpid(pid, &status, 0);
	check_test = name;
	if (!got || !WIFEXITED(status) || WEXITSTATUS(status)) {
		check_count++;
		check_report(__FILE__, __LINE__);
		fprintf(stderr, "    %s did not finish (%s %d)\n", name,
			WIFSIGNALED(status) ? "signal" : "exit status",
			WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
		return;
	}
	check_count += counts[0];
	check_failures += counts[1];
	check_bug_failures += counts[2];
}
#define RUN_ISOLATED(fn) check_run_isolated(fn, #fn)

/* The one summary line (tests/host/unit.sh shows it) and the exit status. */
static inline int check_summary(const char *name)
{
	printf("%s: %u checks, %u failed", name, check_count, check_failures);
	if (check_bug_failures)
		printf(" (%u of them known bugs in the code under test, marked KNOWN BUG)",
		       check_bug_failures);
	printf("\n");
	fflush(stdout);
	return check_failures ? 1 : 0;
}

/* Read a whole file (a DTB); exits on error since no test can go on without it. */
static inline void *load_file(const char *path, size_t *size)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		fprintf(stderr, "cannot open %s\n", path);
		exit(2);
	}
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	void *buf = malloc(n > 0 ? (size_t)n : 1);
	if (!buf || n < 0 || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	if (size)
		*size = (size_t)n;
	return buf;
}

#endif
