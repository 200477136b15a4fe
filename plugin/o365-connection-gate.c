/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-connection-gate.c — a FIFO lock per key. */
#include "config.h"

#include "o365-connection-gate.h"

typedef struct
{
  gboolean held;
  GQueue waiters; /* of GTask */
} Gate;

static GHashTable *gates; /* key → Gate */

static void
gate_free (Gate *gate)
{
  g_queue_clear_full (&gate->waiters, g_object_unref);
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
      g_queue_init (&gate->waiters);
      g_hash_table_insert (gates, g_strdup (key), gate);
    }
  return gate;
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
  if (!gate->held)
    {
      gate->held = TRUE;
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, g_strdup (key), g_free);
  g_queue_push_tail (&gate->waiters, task);
}

gboolean
o365_connection_gate_acquire_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_connection_gate_acquire_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
o365_connection_gate_release (const char *key)
{
  Gate *gate = lookup_gate (key, FALSE);
  GTask *next;

  g_return_if_fail (gate != NULL && gate->held);

  /* Waiters cancelled meanwhile are told so and skipped: they never held the gate. */
  while ((next = g_queue_pop_head (&gate->waiters)) != NULL)
    {
      if (!g_task_return_error_if_cancelled (next))
        {
          g_task_return_boolean (next, TRUE);
          g_object_unref (next);
          return;
        }
      g_object_unref (next);
    }
  g_hash_table_remove (gates, key);
}
