/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-send-pacer.c — a per-account sliding-window rate limit, its ledger shared by processes. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "o365-file-lock.h"
#include "o365-send-pacer.h"

/* The ledger file: the monotonic send times (µs, one a line) of the last window. CLOCK_MONOTONIC
 * is one clock for every process of a boot, and the runtime directory does not outlive it. */
#define LEDGER_PURPOSE "sent"
#define LEDGER_MAX_BYTES (32 * 1024)

static gboolean limit_chosen;
static guint max_messages = O365_SEND_PACER_DEFAULT_MESSAGES;
static guint window_ms = O365_SEND_PACER_DEFAULT_WINDOW_MS;
static GHashTable *windows; /* key → GQueue of gint64 monotonic send times (µs) */
static GHashTable *pending; /* key → gint64: the time the latest wait recorded, until sent */

static void
queue_free (GQueue *queue)
{
  g_queue_free_full (queue, g_free);
}

void
o365_send_pacer_set_limit (guint messages, guint milliseconds)
{
  limit_chosen = TRUE;
  max_messages = messages;
  window_ms = milliseconds;
  g_clear_pointer (&windows, g_hash_table_unref);
  g_clear_pointer (&pending, g_hash_table_unref);
}

/* O365_ACCOUNT_SEND_RATE=N/SECONDS, once, unless a caller chose the limit: an expert and test
 * knob, not an account setting, because the limit is the service's, not the user's choice.
 * Anything else keeps the default. */
static void
choose_limit (void)
{
  const char *rate = g_getenv ("O365_ACCOUNT_SEND_RATE");
  g_auto (GStrv) parts = NULL;
  guint64 messages, seconds;

  if (limit_chosen)
    return;
  limit_chosen = TRUE;
  if (rate == NULL)
    return;
  parts = g_strsplit (rate, "/", 2);
  if (g_strv_length (parts) == 2 &&
      g_ascii_string_to_unsigned (parts[0], 10, 0, G_MAXUINT, &messages, NULL) &&
      g_ascii_string_to_unsigned (parts[1], 10, 1, G_MAXUINT / 1000, &seconds, NULL))
    {
      max_messages = (guint) messages;
      window_ms = (guint) seconds * 1000;
    }
}

static GQueue *
window_for (const char *key)
{
  GQueue *queue;

  if (windows == NULL)
    windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) queue_free);
  queue = g_hash_table_lookup (windows, key);
  if (queue == NULL)
    {
      queue = g_queue_new ();
      g_hash_table_insert (windows, g_strdup (key), queue);
    }
  return queue;
}

/* Replaces @queue by the ledger in @fd, which other processes write too. */
static void
load_ledger (GQueue *queue, int fd)
{
  char text[LEDGER_MAX_BYTES + 1];
  ssize_t length = pread (fd, text, LEDGER_MAX_BYTES, 0);
  g_auto (GStrv) lines = NULL;

  g_queue_clear_full (queue, g_free);
  if (length <= 0)
    return;
  text[length] = '\0';
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      gint64 when;

      if (g_ascii_string_to_signed (lines[i], 10, 0, G_MAXINT64, &when, NULL))
        {
          gint64 *entry = g_new (gint64, 1);

          *entry = when;
          g_queue_push_tail (queue, entry);
        }
    }
}

static void
save_ledger (GQueue *queue, int fd)
{
  g_autoptr (GString) text = g_string_new (NULL);

  for (GList *l = queue->head; l != NULL; l = l->next)
    g_string_append_printf (text, "%" G_GINT64_FORMAT "\n", *(gint64 *) l->data);
  /* A short write leaves fewer entries, never a malformed one that counts. */
  if (ftruncate (fd, 0) == 0 && pwrite (fd, text->str, text->len, 0) < 0)
    (void) ftruncate (fd, 0);
}

/* Microseconds to wait before the next send in @queue (0: now), dropping expired entries (and
 * any from the future: a ledger from before a reboot). */
static gint64
delay_for (GQueue *queue, gint64 now)
{
  gint64 window_us = (gint64) window_ms * 1000;
  GList *l = queue->head;

  while (l != NULL)
    {
      GList *next = l->next;
      gint64 when = *(gint64 *) l->data;

      if (when <= now - window_us || when > now)
        {
          g_free (l->data);
          g_queue_delete_link (queue, l);
        }
      l = next;
    }
  if (g_queue_get_length (queue) < max_messages)
    return 0;
  return *(gint64 *) g_queue_peek_nth (queue, g_queue_get_length (queue) - max_messages) + window_us - now;
}

static void
record_send (GQueue *queue, gint64 now)
{
  gint64 *when = g_new (gint64, 1);

  *when = now;
  g_queue_push_tail (queue, when);
}

static void try_now (GTask *task);

static gboolean
on_delay_over (gpointer user_data)
{
  try_now (user_data);
  return G_SOURCE_REMOVE;
}

static void
wait_for (GTask *task, gint64 delay)
{
  /* Rounded up, so the oldest entry has left the window when the timer fires; the cancellable
   * as a child source wakes the wait at once on cancellation. */
  g_autoptr (GSource) timer = g_timeout_source_new ((guint) ((delay + 999) / 1000));

  if (g_task_get_cancellable (task) != NULL)
    {
      g_autoptr (GSource) cancelled = g_cancellable_source_new (g_task_get_cancellable (task));

      g_source_set_dummy_callback (cancelled);
      g_source_add_child_source (timer, cancelled);
    }
  g_source_set_callback (timer, on_delay_over, task, NULL);
  g_source_attach (timer, g_main_context_get_thread_default ());
}

/* With the ledger locked (@fd, or -1: this process's count has to do): sends now or waits. */
static void
on_ledger_locked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  GError *error = NULL;
  int fd = o365_file_lock_acquire_finish (result, &error);
  GQueue *queue;
  gint64 now, delay;

  if (error != NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  queue = window_for (g_task_get_task_data (task));
  if (fd >= 0)
    load_ledger (queue, fd);
  now = g_get_monotonic_time ();
  delay = delay_for (queue, now);
  if (delay == 0)
    {
      record_send (queue, now);
      if (pending == NULL)
        pending = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
      g_hash_table_insert (pending, g_strdup (g_task_get_task_data (task)), g_memdup2 (&now, sizeof now));
    }
  if (fd >= 0)
    save_ledger (queue, fd);
  o365_file_lock_release (fd);
  if (delay > 0)
    {
      wait_for (task, delay);
      return;
    }
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

static void
try_now (GTask *task)
{
  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (max_messages == 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  o365_file_lock_acquire_async (g_task_get_task_data (task), LEDGER_PURPOSE, g_task_get_cancellable (task),
                                on_ledger_locked, task);
}

void
o365_send_pacer_wait_async (const char *key,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);

  g_task_set_source_tag (task, o365_send_pacer_wait_async);
  g_task_set_task_data (task, g_strdup (key), g_free);
  choose_limit ();
  try_now (task);
}

gboolean
o365_send_pacer_wait_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_send_pacer_wait_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* --- sent ----------------------------------------------------------------------------------- */

static gint
compare_times (gconstpointer a, gconstpointer b, gpointer user_data)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

static void
on_ledger_locked_for_sent (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  const char *key = g_task_get_task_data (task);
  int fd = o365_file_lock_acquire_finish (result, NULL);
  GQueue *queue = window_for (key);
  const gint64 *recorded = pending != NULL ? g_hash_table_lookup (pending, key) : NULL;

  /* Without the lock (an error) the entry keeps its start time, as the window was counted
   * before: nothing is lost but the precision. */
  if (fd >= 0)
    load_ledger (queue, fd);
  for (GList *l = queue->head; l != NULL && recorded != NULL; l = l->next)
    if (*(gint64 *) l->data == *recorded)
      {
        *(gint64 *) l->data = g_get_monotonic_time ();
        g_queue_sort (queue, compare_times, NULL);
        break;
      }
  if (pending != NULL)
    g_hash_table_remove (pending, key);
  if (fd >= 0)
    save_ledger (queue, fd);
  o365_file_lock_release (fd);
  g_task_return_boolean (task, TRUE);
}

void
o365_send_pacer_sent_async (const char *key, GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);

  g_task_set_source_tag (task, o365_send_pacer_sent_async);
  g_task_set_task_data (task, g_strdup (key), g_free);
  if (pending == NULL || !g_hash_table_contains (pending, key))
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  o365_file_lock_acquire_async (key, LEDGER_PURPOSE, NULL, on_ledger_locked_for_sent, task);
}

void
o365_send_pacer_sent_finish (GAsyncResult *result)
{
  g_return_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_send_pacer_sent_async);
  g_task_propagate_boolean (G_TASK (result), NULL);
}
