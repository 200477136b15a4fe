/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-connection-gate.c — a FIFO lock per key, and a file lock per key across processes. */
#include "config.h"

#include "o365-connection-gate.h"
#include "o365-file-lock.h"

typedef struct
{
  gboolean held;
  int lock_fd;    /* the file lock, while this process holds the gate, or -1 */
  GQueue waiters; /* of GTask */
} Gate;

static GHashTable *gates; /* key → Gate */

static void
gate_free (Gate *gate)
{
  g_queue_clear_full (&gate->waiters, g_object_unref);
  o365_file_lock_release (gate->lock_fd);
  g_free (gate);
}

static Gate *
lookup_gate (const char *key, gboolean create)
{
  Gate *gate;

  if (gates == NULL)
    gates = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) gate_free);
  gate = g_hash_table_lookup (gates, key);
  if (gate == NULL && create)
    {
      gate = g_new0 (Gate, 1);
      gate->lock_fd = -1;
      g_queue_init (&gate->waiters);
      g_hash_table_insert (gates, g_strdup (key), gate);
    }
  return gate;
}

static void gate_release (const char *key);

static void
on_file_locked (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  const char *key = g_task_get_task_data (task);
  GError *error = NULL;
  int fd = o365_file_lock_acquire_finish (result, &error);

  if (error != NULL)
    {
      gate_release (key);
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  lookup_gate (key, FALSE)->lock_fd = fd;
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* Gives the gate to @task (taken), which may have to wait for other processes first. */
static void
enter (GTask *task, Gate *gate, const char *key)
{
  if (gate->lock_fd >= 0)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  /* Other processes first; without a lock file the in-process gate has to do. */
  o365_file_lock_acquire_async (key, "lock", g_task_get_cancellable (task), on_file_locked, task);
}

void
o365_connection_gate_acquire_async (const char *key,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  Gate *gate = lookup_gate (key, TRUE);

  g_task_set_source_tag (task, o365_connection_gate_acquire_async);
  g_task_set_task_data (task, g_strdup (key), g_free);
  if (!gate->held)
    {
      gate->held = TRUE;
      enter (task, gate, key);
      return;
    }
  g_queue_push_tail (&gate->waiters, task);
}

gboolean
o365_connection_gate_acquire_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_connection_gate_acquire_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
gate_release (const char *key)
{
  Gate *gate = lookup_gate (key, FALSE);
  GTask *next;

  g_return_if_fail (gate != NULL && gate->held);

  /* Waiters cancelled meanwhile are told so and skipped: they never held the gate. The file
   * lock stays with this process while its own waiters go on. */
  while ((next = g_queue_pop_head (&gate->waiters)) != NULL)
    {
      if (!g_task_return_error_if_cancelled (next))
        {
          enter (next, gate, key);
          return;
        }
      g_object_unref (next);
    }
  g_hash_table_remove (gates, key);
}

void
o365_connection_gate_release (const char *key)
{
  gate_release (key);
}
