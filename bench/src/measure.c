/* Run a command N times and print, per run, its wall time and peak RSS as the kernel reports them.
 *
 *   measure [-n RUNS] [-w WARMUP] [-i STDIN] [-o STDOUT] [-e STDERR] [-t TIMEOUT_S] -- CMD [ARG...]
 *
 * Every run starts the command with posix_spawnp (no shell), standard input opened from STDIN
 * (default /dev/null), standard output and error truncated and written to STDOUT and STDERR
 * (default /dev/null). The output file is removed before the clock starts, so truncating a big
 * previous output is not timed. Prints one line per measured run (warm-up runs are not printed):
 *
 *   WALL_SECONDS MAXRSS_KIB STATUS CPU_SECONDS
 *
 * WALL_SECONDS is CLOCK_MONOTONIC from just before the spawn to the return of wait4; MAXRSS_KIB is
 * ru_maxrss from wait4 (the same number /usr/bin/time prints as %M: the largest RSS of the
 * command or of any descendant it waited for); STATUS is the exit status, 128+N when killed by
 * signal N, 124 on timeout (the command's process group is then killed); CPU_SECONDS is the
 * command's user + system time from the same wait4 (less disturbed than the wall time when other
 * work shares the CPUs). Stops after the first run
 * whose STATUS is not 0. On SIGINT, SIGTERM or SIGHUP it kills the command's process group and dies
 * of the same signal. Exit status: 0 when every run exited 0, 1 otherwise, 2 on a usage error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void usage(void)
{
	fprintf(stderr, "usage: measure [-n RUNS] [-w WARMUP] [-i STDIN] [-o STDOUT] [-e STDERR] "
			"[-t TIMEOUT_S] -- CMD [ARG...]\n");
	exit(2);
}

/* One run. Returns the status as described above; fills *wall and *rss. */
static int run_once(char **cmd, const char *in, const char *out, const char *err, double timeout,
		    double *wall, long *rss, double *cpu)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t chld, none;

	if (strcmp(out, "/dev/null") != 0 && unlink(out) != 0 && errno != ENOENT) {
		perror(out);
		exit(2);
	}
	if (strcmp(err, "/dev/null") != 0 && unlink(err) != 0 && errno != ENOENT) {
		perror(err);
		exit(2);
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, in, O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawn_file_actions_addopen(&fa, 2, err, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETPGROUP);

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigaddset(&chld, SIGINT);
	sigaddset(&chld, SIGTERM);
	sigaddset(&chld, SIGHUP);

	pid_t pid;
	double t0 = now();
	int e = posix_spawnp(&pid, cmd[0], &fa, &attr, cmd, environ);
	if (e) {
		fprintf(stderr, "measure: cannot run %s: %s\n", cmd[0], strerror(e));
		exit(2);
	}
	int timed_out = 0;
	for (;;) {
		struct rusage ru;
		int st;
		pid_t w = wait4(pid, &st, WNOHANG, &ru);
		if (w == pid) {
			*wall = now() - t0;
			*rss = ru.ru_maxrss;
			*cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
			       (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
			posix_spawn_file_actions_destroy(&fa);
			posix_spawnattr_destroy(&attr);
			if (timed_out)
				return 124;
			if (WIFEXITED(st))
				return WEXITSTATUS(st);
			return 128 + WTERMSIG(st);
		}
		if (w < 0 && errno != EINTR) {
			perror("measure: wait4");
			exit(2);
		}
		double left = timeout - (now() - t0);
		if (left <= 0 && !timed_out) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			timed_out = 1;
			left = 1;
		}
		if (left > 0.5)
			left = 0.5; /* also wake up now and then in case a SIGCHLD was missed */
		struct timespec ts = {(time_t)left, (long)((left - (double)(time_t)left) * 1e9)};
		int sig = sigtimedwait(&chld, NULL, &ts);
		if (sig == SIGINT || sig == SIGTERM || sig == SIGHUP) {
			/* The command runs in its own process group: take it down with us. */
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			signal(sig, SIG_DFL);
			sigset_t one;
			sigemptyset(&one);
			sigaddset(&one, sig);
			sigprocmask(SIG_UNBLOCK, &one, NULL);
			raise(sig);
			exit(128 + sig);
		}
	}
}

int main(int argc, char **argv)
{
	long runs = 1, warmup = 0;
	double timeout = 600;
	const char *in = "/dev/null", *out = "/dev/null", *err = "/dev/null";
	int opt;
	while ((opt = getopt(argc, argv, "+n:w:i:o:e:t:")) != -1) {
		switch (opt) {
		case 'n':
			runs = strtol(optarg, NULL, 10);
			break;
		case 'w':
			warmup = strtol(optarg, NULL, 10);
			break;
		case 'i':
			in = optarg;
			break;
		case 'o':
			out = optarg;
			break;
		case 'e':
			err = optarg;
			break;
		case 't':
			timeout = strtod(optarg, NULL);
			break;
		default:
			usage();
		}
	}
	if (optind >= argc || runs < 1 || warmup < 0 || timeout <= 0)
		usage();
	char **cmd = argv + optind;
	if (access(in, R_OK) != 0) {
		perror(in);
		return 2;
	}

	/* SIGCHLD, SIGINT, SIGTERM and SIGHUP stay blocked in this process so that sigtimedwait can
	 * take them (the command gets an empty signal mask). */
	sigset_t blocked;
	sigemptyset(&blocked);
	sigaddset(&blocked, SIGCHLD);
	sigaddset(&blocked, SIGINT);
	sigaddset(&blocked, SIGTERM);
	sigaddset(&blocked, SIGHUP);
	sigprocmask(SIG_BLOCK, &blocked, NULL);

	for (long i = 0; i < warmup + runs; i++) {
		double wall, cpu;
		long rss;
		int st = run_once(cmd, in, out, err, timeout, &wall, &rss, &cpu);
		if (i >= warmup || st != 0) {
			printf("%.9f %ld %d %.6f\n", wall, rss, st, cpu);
			fflush(stdout);
		}
		if (st != 0)
			return 1;
	}
	return 0;
}
