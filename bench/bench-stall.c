/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-stall.c — the main-loop stall probe: in one process, a 1 ms GLib timeout ticks while the
 * engine (O365Transport, as a host uses it) submits a message to a local server; the longest gap
 * between ticks is how long the engine kept a host's main loop from running (docs/design.md, "Async model": a GTK
 * host must never stall more than 10 ms).
 *
 *   bench-stall --port N --ca FILE --user ADDRESS --password-file FILE --message FILE
 *               [--baseline-ms MS] [--timeout SECONDS]
 *   bench-stall --witness MS
 *
 * The password is read from a file, never from the command line. Before the send, the same timer
 * runs for --baseline-ms with nothing else to do. A gap has three possible owners, and the probe
 * records what it needs to tell them apart: the main thread's own CPU time during the gap (the
 * engine was working), the time the kernel kept it runnable but off a CPU (the machine was busy;
 * /proc/thread-self/schedstat), or neither (the thread slept past its deadline: the whole
 * machine paused). --witness runs only the timer, in a process of its own beside the probe: its
 * gaps at the same moments (CLOCK_MONOTONIC end_ms, shared by all processes) are the machine's.
 * Output lines are KEY=VALUE for bench/run. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "o365-transport.h"

typedef struct
{
  gint64 last;       /* µs, previous tick */
  gint64 max_gap;
  gint64 max_gap_at; /* µs since the phase began, at the end of the longest gap */
  guint64 max_gap_bytes;
  guint64 ticks;
  guint64 over_5ms;
  guint64 over_10ms;
  guint64 busy_over_10ms; /* of those, the ones where this thread was running most of the gap */
  gint64 last_cpu;        /* µs of this thread's CPU time at the previous tick */
  long last_nivcsw;       /* involuntary context switches of this thread so far */
  gint64 max_gap_cpu;     /* this thread's CPU time during the longest gap */
  long max_gap_nivcsw;    /* times it was preempted during the longest gap */
  gint64 last_wait;       /* µs this thread has waited, runnable, for a CPU so far */
  gint64 max_gap_wait;    /* … during the longest gap */
  guint64 queued_over_10ms; /* gaps over 10 ms spent mostly waiting for a CPU */
  gint64 max_busy;        /* the most CPU this thread used between two ticks: the longest piece
                           * of work the main loop ran, whatever the machine did meanwhile */
  guint64 max_busy_bytes;
  GArray *gaps;      /* gint64 µs, for percentiles */
  gint64 phase_start;
  const char *report_gaps; /* prefix for one line per gap over 5 ms */
} Probe;

typedef struct
{
  GMainLoop *loop;
  Probe probe;
  guint64 bytes_sent;
  gint64 body_start; /* µs, first progress report */
  GPtrArray *submissions;
  GError *error;
  gboolean done;
} State;

/* Where a gap went: the CPU time this (main) thread used during it (the engine's work), and how
 * often the kernel preempted it. */
static gint64
thread_cpu_us (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_THREAD_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000;
}

static long
thread_preemptions (void)
{
  struct rusage usage;

  return getrusage (RUSAGE_THREAD, &usage) == 0 ? usage.ru_nivcsw : 0;
}

/* Time this thread spent runnable but waiting for a CPU (the second field of schedstat, ns):
 * the kernel's share of a gap. -1 when the kernel does not keep it. */
static int schedstat_fd = -1;

static gint64
thread_run_delay_us (void)
{
  char buffer[128];
  ssize_t n;
  unsigned long long on_cpu, waited;

  if (schedstat_fd < 0)
    return -1;
  n = pread (schedstat_fd, buffer, sizeof buffer - 1, 0);
  if (n <= 0)
    return -1;
  buffer[n] = '\0';
  if (sscanf (buffer, "%llu %llu", &on_cpu, &waited) != 2)
    return -1;
  return (gint64) (waited / 1000);
}

static void
probe_reset (Probe *probe)
{
  if (probe->gaps != NULL)
    g_array_unref (probe->gaps);
  memset (probe, 0, sizeof *probe);
  probe->gaps = g_array_new (FALSE, FALSE, sizeof (gint64));
  probe->phase_start = probe->last = g_get_monotonic_time ();
  probe->last_cpu = thread_cpu_us ();
  probe->last_nivcsw = thread_preemptions ();
  probe->last_wait = thread_run_delay_us ();
}

static gboolean
on_tick (gpointer user_data)
{
  State *state = user_data;
  Probe *probe = &state->probe;
  gint64 now = g_get_monotonic_time ();
  gint64 gap = now - probe->last;
  gint64 cpu = thread_cpu_us ();
  long nivcsw = thread_preemptions ();
  gint64 gap_cpu = cpu - probe->last_cpu;
  long gap_nivcsw = nivcsw - probe->last_nivcsw;
  gint64 wait = thread_run_delay_us ();
  gint64 gap_wait = wait >= 0 && probe->last_wait >= 0 ? wait - probe->last_wait : -1;

  probe->last = now;
  probe->last_cpu = cpu;
  probe->last_nivcsw = nivcsw;
  probe->last_wait = wait;
  probe->ticks++;
  g_array_append_val (probe->gaps, gap);
  if (gap > 5000)
    probe->over_5ms++;
  if (gap > 10000)
    probe->over_10ms++;
  if (gap > 10000 && gap_cpu * 2 > gap)
    probe->busy_over_10ms++;
  if (gap > 10000 && gap_wait * 2 > gap)
    probe->queued_over_10ms++;
  if (gap_cpu > probe->max_busy)
    {
      probe->max_busy = gap_cpu;
      probe->max_busy_bytes = state->bytes_sent;
    }
  /* Every gap over 5 ms, for the report (bounded). */
  if (gap > 5000 && probe->over_5ms <= 100 && probe->report_gaps)
    {
      /* end_ms is CLOCK_MONOTONIC, the same in every process: a witness's gaps line up. */
      printf ("%s_GAP=at_ms:%.1f end_ms:%.1f gap_ms:%.2f cpu_ms:%.2f waited_for_cpu_ms:%.2f preempted:%ld "
              "sent_mb:%.1f\n",
              probe->report_gaps, (now - probe->phase_start) / 1000.0, now / 1000.0, gap / 1000.0,
              gap_cpu / 1000.0, gap_wait / 1000.0, gap_nivcsw, state->bytes_sent / 1e6);
      fflush (stdout);
    }
  if (gap > probe->max_gap)
    {
      probe->max_gap = gap;
      probe->max_gap_cpu = gap_cpu;
      probe->max_gap_wait = gap_wait;
      probe->max_gap_nivcsw = gap_nivcsw;
      probe->max_gap_at = now - probe->phase_start;
      probe->max_gap_bytes = state->bytes_sent;
    }
  return G_SOURCE_CONTINUE;
}

static int
compare_gint64 (const void *a, const void *b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
print_probe (const char *prefix, Probe *probe)
{
  double p99 = 0, p999 = 0;

  if (probe->gaps->len > 0)
    {
      g_array_sort (probe->gaps, compare_gint64);
      p99 = g_array_index (probe->gaps, gint64, (probe->gaps->len - 1) * 99 / 100) / 1000.0;
      p999 = g_array_index (probe->gaps, gint64, (probe->gaps->len - 1) * 999 / 1000) / 1000.0;
    }
  printf ("%s_TICKS=%" G_GUINT64_FORMAT "\n", prefix, probe->ticks);
  printf ("%s_MAX_MS=%.2f\n", prefix, probe->max_gap / 1000.0);
  printf ("%s_P99_MS=%.2f\n", prefix, p99);
  printf ("%s_P999_MS=%.2f\n", prefix, p999);
  printf ("%s_OVER_5MS=%" G_GUINT64_FORMAT "\n", prefix, probe->over_5ms);
  printf ("%s_OVER_10MS=%" G_GUINT64_FORMAT "\n", prefix, probe->over_10ms);
  printf ("%s_MAX_AT_MS=%.1f\n", prefix, probe->max_gap_at / 1000.0);
  printf ("%s_BUSY_OVER_10MS=%" G_GUINT64_FORMAT "\n", prefix, probe->busy_over_10ms);
  printf ("%s_MAX_CPU_MS=%.2f\n", prefix, probe->max_gap_cpu / 1000.0);
  printf ("%s_MAX_PREEMPTIONS=%ld\n", prefix, probe->max_gap_nivcsw);
  printf ("%s_MAX_WAITED_FOR_CPU_MS=%.2f\n", prefix, probe->max_gap_wait / 1000.0);
  printf ("%s_QUEUED_OVER_10MS=%" G_GUINT64_FORMAT "\n", prefix, probe->queued_over_10ms);
  printf ("%s_MAX_BUSY_MS=%.2f\n", prefix, probe->max_busy / 1000.0);
  printf ("%s_MAX_BUSY_AT_BYTES=%" G_GUINT64_FORMAT "\n", prefix, probe->max_busy_bytes);
}

static gboolean
on_baseline_done (gpointer user_data)
{
  g_main_loop_quit (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_progress (MailTransport *transport, MailOutgoing *message, guint64 bytes_sent, gint64 total,
             gpointer user_data)
{
  State *state = user_data;

  if (state->body_start == 0)
    state->body_start = g_get_monotonic_time ();
  state->bytes_sent = bytes_sent;
}

static void
on_submitted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  State *state = user_data;

  state->submissions = mail_transport_submit_finish (MAIL_TRANSPORT (source), result, &state->error);
  state->done = TRUE;
  g_main_loop_quit (state->loop);
}

static gboolean
on_deadline (gpointer user_data)
{
  State *state = user_data;

  g_printerr ("bench-stall: the send did not finish in time\n");
  g_main_loop_quit (state->loop);
  return G_SOURCE_REMOVE;
}

static char *
read_secret (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  gsize length;
  char *secret;

  if (!g_file_get_contents (path, &contents, &length, error))
    return NULL;
  secret = g_strndup (contents, strcspn (contents, "\r\n"));
  explicit_bzero (contents, length);
  return secret;
}

int
main (int argc, char **argv)
{
  int port = 0, baseline_ms = 1000, timeout_s = 300, witness_ms = 0;
  g_autofree char *ca = NULL, *user = NULL, *password_file = NULL, *message_path = NULL;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "Server port on localhost (127.0.0.1)", "N" },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, "CA certificate to trust", "FILE" },
    { "user", 0, 0, G_OPTION_ARG_STRING, &user, "User name and sender address", "ADDRESS" },
    { "password-file", 0, 0, G_OPTION_ARG_FILENAME, &password_file, "Password, first line of FILE", "FILE" },
    { "message", 0, 0, G_OPTION_ARG_FILENAME, &message_path, "The message to send", "FILE" },
    { "baseline-ms", 0, 0, G_OPTION_ARG_INT, &baseline_ms, "Idle probe before the send (default 1000)", "MS" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "Give up after this long (default 300)", "SECONDS" },
    { "witness", 0, 0, G_OPTION_ARG_INT, &witness_ms, "Only run the timer for MS, in a process of its own", "MS" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— main-loop gaps while the engine sends");
  g_autoptr (GError) error = NULL;
  g_autoptr (O365SmtpConfig) config = o365_smtp_config_new ();
  g_autoptr (O365Transport) transport = NULL;
  g_autoptr (GFile) file = NULL;
  g_autoptr (GFileInputStream) content = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (MailOutgoing) message = NULL;
  g_autoptr (GPtrArray) messages = g_ptr_array_new ();
  const char *recipients[] = { "rcpt@example.test", NULL };
  State state = { 0 };
  struct rusage usage;
  gint64 start, end;
  guint tick, deadline;
  int status = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-stall: %s\n", error->message);
      return 64;
    }
  if (witness_ms > 0 && witness_ms <= 600000)
    {
      /* The witness: the same 1 ms timer in another process with nothing else to do. A gap it
       * sees at the same moment as the engine's process is the machine's, not the engine's. */
      state.loop = g_main_loop_new (NULL, FALSE);
      schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
      tick = g_timeout_add (1, on_tick, &state);
      probe_reset (&state.probe);
      state.probe.report_gaps = "WITNESS";
      g_timeout_add (witness_ms, on_baseline_done, state.loop);
      g_main_loop_run (state.loop);
      g_source_remove (tick);
      print_probe ("WITNESS", &state.probe);
      g_array_unref (state.probe.gaps);
      g_main_loop_unref (state.loop);
      return 0;
    }
  if (port <= 0 || port > G_MAXUINT16 || ca == NULL || user == NULL || password_file == NULL
      || message_path == NULL || baseline_ms < 0 || baseline_ms > 60000 || timeout_s <= 0)
    {
      g_printerr ("bench-stall: needs --port, --ca, --user, --password-file and --message\n");
      return 64;
    }

  config->host = g_strdup ("localhost");
  config->port = port;
  config->ehlo_name = g_strdup ("client.example.test");
  config->ca_file = g_strdup (ca);
  config->username = g_strdup (user);
  config->secret = read_secret (password_file, &error);
  if (config->secret == NULL)
    {
      g_printerr ("bench-stall: %s\n", error->message);
      return 66;
    }
  file = g_file_new_for_path (message_path);
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, &error);
  content = info != NULL ? g_file_read (file, NULL, &error) : NULL;
  if (content == NULL)
    {
      g_printerr ("bench-stall: %s\n", error->message);
      return 66;
    }
  message = mail_outgoing_new (user, recipients, G_INPUT_STREAM (content), g_file_info_get_size (info),
                               MAIL_OUTGOING_NONE);
  g_ptr_array_add (messages, message);

  schedstat_fd = open ("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
  state.loop = g_main_loop_new (NULL, FALSE);
  /* The probe: what a host's 1 ms animation or input handler would see. */
  tick = g_timeout_add (1, on_tick, &state);

  probe_reset (&state.probe);
  state.probe.report_gaps = "BASELINE";
  g_timeout_add (baseline_ms, on_baseline_done, state.loop);
  g_main_loop_run (state.loop);
  print_probe ("BASELINE", &state.probe);

  transport = o365_transport_new ("bench-stall", config);
  g_signal_connect (transport, "progress", G_CALLBACK (on_progress), &state);
  probe_reset (&state.probe);
  state.probe.report_gaps = "STALL";
  start = g_get_monotonic_time ();
  mail_transport_submit_async (MAIL_TRANSPORT (transport), messages, NULL, on_submitted, &state);
  deadline = g_timeout_add_seconds (timeout_s, on_deadline, &state);
  g_main_loop_run (state.loop);
  end = g_get_monotonic_time ();
  if (state.done)
    g_source_remove (deadline);
  g_source_remove (tick);

  print_probe ("STALL", &state.probe);
  printf ("STALL_MAX_AT_BYTES=%" G_GUINT64_FORMAT "\n", state.probe.max_gap_bytes);
  printf ("STALL_BODY_START_MS=%.1f\n", state.body_start > 0 ? (state.body_start - start) / 1000.0 : -1.0);
  printf ("STALL_SEND_SECONDS=%.3f\n", (end - start) / 1e6);
  printf ("STALL_BYTES=%" G_GOFFSET_FORMAT "\n", g_file_info_get_size (info));
  if (getrusage (RUSAGE_SELF, &usage) == 0)
    {
      printf ("STALL_CPU_SECONDS=%.3f\n", usage.ru_utime.tv_sec + usage.ru_stime.tv_sec
                                            + (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6);
      printf ("STALL_MAXRSS_KB=%ld\n", usage.ru_maxrss);
    }

  if (!state.done)
    status = 1;
  else if (state.error != NULL)
    {
      g_printerr ("bench-stall: %s\n", state.error->message);
      status = 1;
    }
  else
    {
      MailSubmission *submission = g_ptr_array_index (state.submissions, 0);

      if (mail_submission_get_status (submission) != MAIL_SUBMISSION_SENT)
        {
          const GError *failure = mail_submission_get_error (submission);

          g_printerr ("bench-stall: not sent: %s\n", failure != NULL ? failure->message : "?");
          status = 1;
        }
    }
  printf ("STALL_SENT=%d\n", status == 0);
  g_clear_error (&state.error);
  g_clear_pointer (&state.submissions, g_ptr_array_unref);
  if (state.probe.gaps != NULL)
    g_array_unref (state.probe.gaps);
  g_main_loop_unref (state.loop);
  if (schedstat_fd >= 0)
    close (schedstat_fd);
  return status;
}
