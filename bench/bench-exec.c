/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-exec.c — runs one command and reports its wall time, CPU time and peak RSS, for bench/run.
 *
 *   bench-exec OUTPUT-FILE [--stdin FILE] [--timeout SECONDS] -- COMMAND [ARGUMENT…]
 *
 * Why not Python's os.wait4(): Linux carries a process's peak RSS across execve(), so a child
 * forked from the 25 MB Python driver would report at least 25 MB whatever it runs. This launcher
 * is small (libc only), so a measured client starts from about 1 MB. The child is killed after
 * --timeout seconds (default 300). OUTPUT-FILE gets one line:
 *
 *   wall_us=… user_us=… sys_us=… maxrss_kb=… status=…      (status: exit code, or 128 + signal)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t child_pid;

static void
on_alarm (int signum)
{
  (void) signum;
  if (child_pid > 0)
    kill (child_pid, SIGKILL);
}

static long long
now_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (long long) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static long long
timeval_us (struct timeval tv)
{
  return (long long) tv.tv_sec * 1000000 + tv.tv_usec;
}

int
main (int argc, char **argv)
{
  const char *output, *stdin_path = NULL;
  unsigned timeout = 300;
  struct rusage usage;
  struct sigaction action;
  long long start, end;
  int status, i, code;
  pid_t pid;
  FILE *out;

  if (argc < 4)
    goto usage;
  output = argv[1];
  for (i = 2; i < argc && strcmp (argv[i], "--") != 0; i++)
    {
      if (strcmp (argv[i], "--stdin") == 0 && i + 1 < argc)
        stdin_path = argv[++i];
      else if (strcmp (argv[i], "--timeout") == 0 && i + 1 < argc)
        timeout = (unsigned) strtoul (argv[++i], NULL, 10);
      else
        goto usage;
    }
  if (i + 1 >= argc || timeout == 0)
    goto usage;

  memset (&action, 0, sizeof action);
  action.sa_handler = on_alarm;
  sigaction (SIGALRM, &action, NULL);

  start = now_us ();
  pid = fork ();
  if (pid < 0)
    {
      perror ("bench-exec: fork");
      return 71;
    }
  if (pid == 0)
    {
      if (stdin_path != NULL)
        {
          int fd = open (stdin_path, O_RDONLY | O_CLOEXEC);

          if (fd < 0 || dup2 (fd, STDIN_FILENO) < 0)
            {
              perror ("bench-exec: stdin");
              _exit (127);
            }
        }
      execvp (argv[i + 1], argv + i + 1);
      perror ("bench-exec: exec");
      _exit (127);
    }
  child_pid = pid;
  alarm (timeout);
  /* Bounded: the alarm kills the child, and then wait4 returns. */
  while (wait4 (pid, &status, 0, &usage) < 0)
    {
      if (errno != EINTR)
        {
          perror ("bench-exec: wait4");
          return 71;
        }
    }
  end = now_us ();
  alarm (0);

  code = WIFEXITED (status) ? WEXITSTATUS (status) : 128 + WTERMSIG (status);
  out = fopen (output, "w");
  if (out == NULL)
    {
      perror ("bench-exec: output");
      return 73;
    }
  fprintf (out, "wall_us=%lld user_us=%lld sys_us=%lld maxrss_kb=%ld status=%d\n", end - start,
           timeval_us (usage.ru_utime), timeval_us (usage.ru_stime), usage.ru_maxrss, code);
  fclose (out);
  return 0;

usage:
  fprintf (stderr, "usage: bench-exec OUTPUT-FILE [--stdin FILE] [--timeout SECONDS] -- COMMAND [ARGUMENT…]\n");
  return 64;
}
