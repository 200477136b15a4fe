/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-send-limits.c — one connection per account at a time, and the per-account pacing; the
 * file lock under both, which makes them hold across processes. */
#include "config.h"

#include <glib/gstdio.h>
#include <sys/stat.h>

#include "o365-connection-gate.h"
#include "o365-file-lock.h"
#include "o365-send-pacer.h"
#include "test-utils.h"

typedef struct
{
  GPtrArray *order;
  const char *name;
} Waiter;

static void
on_acquired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Waiter *waiter = user_data;
  GError *error = NULL;

  if (o365_connection_gate_acquire_finish (result, &error))
    g_ptr_array_add (waiter->order, (gpointer) waiter->name);
  else
    {
      g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      g_ptr_array_add (waiter->order, (gpointer) "cancelled");
      g_error_free (error);
    }
}

static void
drain (void)
{
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

static void
test_gate_one_at_a_time (void)
{
  g_autoptr (GPtrArray) order = g_ptr_array_new ();
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Waiter first = { order, "first" }, second = { order, "second" }, third = { order, "third" };
  Waiter other = { order, "other-account" };

  o365_connection_gate_acquire_async ("ann", NULL, on_acquired, &first);
  o365_connection_gate_acquire_async ("ann", cancellable, on_acquired, &second);
  o365_connection_gate_acquire_async ("ann", NULL, on_acquired, &third);
  o365_connection_gate_acquire_async ("bob", NULL, on_acquired, &other);
  drain ();
  /* Another account is not held up; the same account waits. */
  g_assert_cmpuint (order->len, ==, 2);
  g_assert_cmpstr (g_ptr_array_index (order, 0), ==, "first");
  g_assert_cmpstr (g_ptr_array_index (order, 1), ==, "other-account");

  /* A waiter cancelled meanwhile is skipped; the next one gets the gate, in arrival order. */
  g_cancellable_cancel (cancellable);
  o365_connection_gate_release ("ann");
  drain ();
  g_assert_cmpuint (order->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (order, 2), ==, "cancelled");
  g_assert_cmpstr (g_ptr_array_index (order, 3), ==, "third");

  o365_connection_gate_release ("ann");
  o365_connection_gate_release ("bob");
}

static void
on_paced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GArray *times = user_data;
  gint64 now = g_get_monotonic_time ();

  g_assert_true (o365_send_pacer_wait_finish (result, NULL));
  g_array_append_val (times, now);
}

static void
test_pacer_window (void)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 start = g_get_monotonic_time ();

  /* 2 messages per 300 ms: the third waits until the first leaves the window. */
  o365_send_pacer_set_limit (2, 300);
  for (int i = 0; i < 3; i++)
    o365_send_pacer_wait_async ("ann", NULL, on_paced, times);
  while (times->len < 3)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (g_array_index (times, gint64, 1) - start, <, 100 * 1000);
  g_assert_cmpint (g_array_index (times, gint64, 2) - start, >=, 300 * 1000);
  o365_send_pacer_set_limit (O365_SEND_PACER_DEFAULT_MESSAGES, O365_SEND_PACER_DEFAULT_WINDOW_MS);
}

static void
on_told (GObject *source, GAsyncResult *result, gpointer user_data)
{
  o365_send_pacer_sent_finish (result);
  *(gboolean *) user_data = TRUE;
}

static gboolean
on_timer (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* A message counts from the end of its sending, when the server has it: one that took 200 ms
 * keeps the next one out of a 300 ms window until 300 ms after that end, not after its start. */
static void
test_pacer_counts_from_the_end (void)
{
  g_autoptr (GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  gboolean elapsed = FALSE, told = FALSE;
  gint64 ended;

  o365_send_pacer_set_limit (1, 300);
  o365_send_pacer_wait_async ("dora", NULL, on_paced, times);
  g_timeout_add (200, on_timer, &elapsed);
  while (!elapsed)
    g_main_context_iteration (NULL, TRUE);
  o365_send_pacer_sent_async ("dora", on_told, &told);
  while (!told)
    g_main_context_iteration (NULL, TRUE);
  ended = g_get_monotonic_time ();
  o365_send_pacer_wait_async ("dora", NULL, on_paced, times);
  while (times->len < 2)
    g_main_context_iteration (NULL, TRUE);

  g_assert_cmpint (g_array_index (times, gint64, 1) - ended, >=, 290 * 1000);
  o365_send_pacer_set_limit (O365_SEND_PACER_DEFAULT_MESSAGES, O365_SEND_PACER_DEFAULT_WINDOW_MS);
}

static void
on_pacing_cancelled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GError *error = NULL;

  g_assert_false (o365_send_pacer_wait_finish (result, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_error_free (error);
  *(gint64 *) user_data = g_get_monotonic_time ();
}

static void
test_pacer_cancel_is_prompt (void)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GArray) first = g_array_new (FALSE, FALSE, sizeof (gint64));
  gint64 start, done = 0;

  o365_send_pacer_set_limit (1, 60 * 1000);
  o365_send_pacer_wait_async ("carol", NULL, on_paced, first);
  drain ();
  o365_send_pacer_wait_async ("carol", cancellable, on_pacing_cancelled, &done);
  drain ();
  start = g_get_monotonic_time ();
  g_cancellable_cancel (cancellable);
  while (done == 0)
    g_main_context_iteration (NULL, TRUE);
  g_assert_cmpint (done - start, <, 500 * 1000);
  o365_send_pacer_set_limit (O365_SEND_PACER_DEFAULT_MESSAGES, O365_SEND_PACER_DEFAULT_WINDOW_MS);
}

typedef struct
{
  gboolean done;
  int fd;
  GError *error;
} LockResult;

static void
on_file_locked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  LockResult *lock = user_data;

  lock->fd = o365_file_lock_acquire_finish (result, &lock->error);
  lock->done = TRUE;
}

/* Runs the main loop for @ms, or until @lock is done. */
static void
iterate_for (LockResult *lock, guint ms)
{
  gint64 end = g_get_monotonic_time () + ms * 1000;

  while (!lock->done && g_get_monotonic_time () < end)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (5000);
    }
}

/* The exit status of util-linux flock(1) trying @path without waiting: 0 if it got the lock. */
static int
other_process_tries (const char *path)
{
  const char *argv[] = { "flock", "--nonblock", path, "true", NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_NONE, &error);

  g_assert_no_error (error);
  g_assert_true (g_subprocess_wait (process, NULL, &error));
  return g_subprocess_get_exit_status (process);
}

/* The lock file: private, named by a digest (no address in a path), and locked for another
 * process while held; the same key and purpose waits, another purpose or key does not. */
static void
test_file_lock_across_processes (void)
{
  const char *key = "ann@example.test";
  g_autofree char *digest = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name = g_strconcat (digest, ".lock", NULL);
  g_autofree char *directory = g_build_filename (g_get_user_runtime_dir (), "o365-account", NULL);
  g_autofree char *path = g_build_filename (directory, name, NULL);
  LockResult held = { 0 }, waiting = { 0 }, other_purpose = { 0 }, other_key = { 0 };
  struct stat st;

  o365_file_lock_acquire_async (key, "lock", NULL, on_file_locked, &held);
  drain ();
  g_assert_true (held.done); /* free: taken at once, without a poll */
  g_assert_no_error (held.error);
  g_assert_cmpint (held.fd, >=, 0);
  g_assert_cmpint (g_stat (directory, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0700);
  g_assert_cmpint (g_stat (path, &st), ==, 0);
  g_assert_cmpint (st.st_mode & 0777, ==, 0600);
  g_assert_cmpint (other_process_tries (path), ==, 1);

  o365_file_lock_acquire_async (key, "lock", NULL, on_file_locked, &waiting);
  o365_file_lock_acquire_async (key, "ledger", NULL, on_file_locked, &other_purpose);
  o365_file_lock_acquire_async ("bob@example.test", "lock", NULL, on_file_locked, &other_key);
  drain ();
  g_assert_true (other_purpose.done && other_purpose.fd >= 0);
  g_assert_true (other_key.done && other_key.fd >= 0);
  iterate_for (&waiting, 300);
  g_assert_false (waiting.done);

  /* Released: the waiter has it within a poll, and another process still does not. */
  o365_file_lock_release (held.fd);
  iterate_for (&waiting, 2000);
  g_assert_true (waiting.done);
  g_assert_no_error (waiting.error);
  g_assert_cmpint (waiting.fd, >=, 0);
  g_assert_cmpint (other_process_tries (path), ==, 1);
  o365_file_lock_release (waiting.fd);
  g_assert_cmpint (other_process_tries (path), ==, 0);
  o365_file_lock_release (other_purpose.fd);
  o365_file_lock_release (other_key.fd);
}

/* Waiting for a lock another process holds ends with G_IO_ERROR_CANCELLED when cancelled. */
static void
test_file_lock_cancelled (void)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  LockResult held = { 0 }, waiting = { 0 };

  o365_file_lock_acquire_async ("ann@example.test", "lock", NULL, on_file_locked, &held);
  drain ();
  g_assert_true (held.done);
  g_assert_cmpint (held.fd, >=, 0);
  o365_file_lock_acquire_async ("ann@example.test", "lock", cancellable, on_file_locked, &waiting);
  iterate_for (&waiting, 100);
  g_assert_false (waiting.done);
  g_cancellable_cancel (cancellable);
  iterate_for (&waiting, 1000);
  g_assert_true (waiting.done);
  g_assert_error (waiting.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_clear_error (&waiting.error);
  o365_file_lock_release (held.fd);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/limits/gate-one-at-a-time", test_gate_one_at_a_time);
  g_test_add_func ("/limits/pacer-window", test_pacer_window);
  g_test_add_func ("/limits/pacer-cancel-is-prompt", test_pacer_cancel_is_prompt);
  g_test_add_func ("/limits/pacer-counts-from-the-end", test_pacer_counts_from_the_end);
  g_test_add_func ("/limits/file-lock-across-processes", test_file_lock_across_processes);
  g_test_add_func ("/limits/file-lock-cancelled", test_file_lock_cancelled);
  return g_test_run ();
}
