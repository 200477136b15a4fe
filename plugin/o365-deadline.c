/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-deadline.c — per-operation timeouts through cancellation. */
#include "config.h"

#include "o365-deadline.h"

struct _O365Deadline
{
  GCancellable *cancellable;
  GCancellable *caller_cancellable;
  gulong caller_handler;
  GSource *timer;
  gboolean expired;
};

static gboolean
on_timer (gpointer user_data)
{
  O365Deadline *deadline = user_data;

  deadline->expired = TRUE;
  g_cancellable_cancel (deadline->cancellable);
  return G_SOURCE_REMOVE;
}

static void
on_caller_cancelled (GCancellable *caller, gpointer user_data)
{
  /* May run in another thread; cancelling is thread-safe. */
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

O365Deadline *
o365_deadline_new (guint timeout_ms, GCancellable *caller_cancellable)
{
  O365Deadline *deadline = g_new0 (O365Deadline, 1);

  deadline->cancellable = g_cancellable_new ();
  if (caller_cancellable != NULL)
    {
      deadline->caller_cancellable = g_object_ref (caller_cancellable);
      deadline->caller_handler = g_cancellable_connect (caller_cancellable,
                                                        G_CALLBACK (on_caller_cancelled),
                                                        g_object_ref (deadline->cancellable),
                                                        g_object_unref);
    }
  if (timeout_ms > 0)
    {
      deadline->timer = g_timeout_source_new (timeout_ms);
      g_source_set_callback (deadline->timer, on_timer, deadline, NULL);
      g_source_set_static_name (deadline->timer, "[o365] operation timeout");
      g_source_attach (deadline->timer, g_main_context_get_thread_default ());
    }
  return deadline;
}

GCancellable *
o365_deadline_get_cancellable (O365Deadline *deadline)
{
  return deadline->cancellable;
}

gboolean
o365_deadline_expired (O365Deadline *deadline)
{
  return deadline->expired;
}

void
o365_deadline_free (O365Deadline *deadline)
{
  if (deadline == NULL)
    return;
  if (deadline->timer != NULL)
    {
      g_source_destroy (deadline->timer);
      g_source_unref (deadline->timer);
    }
  if (deadline->caller_cancellable != NULL)
    {
      g_cancellable_disconnect (deadline->caller_cancellable, deadline->caller_handler);
      g_object_unref (deadline->caller_cancellable);
    }
  g_object_unref (deadline->cancellable);
  g_free (deadline);
}
