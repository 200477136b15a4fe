/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-send-pacer.c — a per-account sliding-window rate limit. */
#include "config.h"

#include "o365-send-pacer.h"

static guint max_messages = O365_SEND_PACER_DEFAULT_MESSAGES;
static guint window_ms = O365_SEND_PACER_DEFAULT_WINDOW_MS;
static GHashTable *windows; /* key → GQueue of gint64 monotonic send times (µs) */

static void
queue_free (GQueue *queue)
{
  g_queue_free_full (queue, g_free);
}

void
o365_send_pacer_set_limit (guint messages, guint milliseconds)
{
  max_messages = messages;
  window_ms = milliseconds;
  g_clear_pointer (&windows, g_hash_table_unref);
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

/* Microseconds to wait before the next send for @key (0: now), dropping expired entries. */
static gint64
delay_for (const char *key)
{
  GQueue *queue = window_for (key);
  gint64 now = g_get_monotonic_time ();
  gint64 window_us = (gint64) window_ms * 1000;

  while (!g_queue_is_empty (queue) && *(gint64 *) g_queue_peek_head (queue) <= now - window_us)
    g_free (g_queue_pop_head (queue));
  if (max_messages == 0 || g_queue_get_length (queue) < max_messages)
    return 0;
  return *(gint64 *) g_queue_peek_head (queue) + window_us - now;
}

static void
record_send (const char *key)
{
  gint64 *when = g_new (gint64, 1);

  *when = g_get_monotonic_time ();
  g_queue_push_tail (window_for (key), when);
}

static void try_now (GTask *task);

static gboolean
on_delay_over (gpointer user_data)
{
  try_now (user_data);
  return G_SOURCE_REMOVE;
}

static void
try_now (GTask *task)
{
  const char *key = g_task_get_task_data (task);
  gint64 delay;

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  delay = delay_for (key);
  if (delay > 0)
    {
      /* Rounded up, so the oldest entry has left the window when the timer fires; the
       * cancellable as a child source wakes the wait at once on cancellation. */
      g_autoptr (GSource) timer = g_timeout_source_new ((guint) ((delay + 999) / 1000));

      if (g_task_get_cancellable (task) != NULL)
        {
          g_autoptr (GSource) cancelled = g_cancellable_source_new (g_task_get_cancellable (task));

          g_source_set_dummy_callback (cancelled);
          g_source_add_child_source (timer, cancelled);
        }
      g_source_set_callback (timer, on_delay_over, task, NULL);
      g_source_attach (timer, g_main_context_get_thread_default ());
      return;
    }
  record_send (key);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
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
  try_now (task);
}

gboolean
o365_send_pacer_wait_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_send_pacer_wait_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
