/* mail-transport.c — the transport interface, its wrappers and its progress signal. */
#include "config.h"

#include "mail-transport.h"

G_DEFINE_INTERFACE (MailTransport, mail_transport, G_TYPE_OBJECT)

enum
{
  SIGNAL_PROGRESS,
  SIGNAL_TRANSCRIPT,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
mail_transport_default_init (MailTransportInterface *iface)
{
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3,
                  MAIL_TYPE_OUTGOING, G_TYPE_UINT64, G_TYPE_INT64);
  signals[SIGNAL_TRANSCRIPT] =
    g_signal_new ("transcript", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

void
mail_transport_submit_async (MailTransport *self,
                             GPtrArray *messages,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_return_if_fail (MAIL_IS_TRANSPORT (self));
  g_return_if_fail (messages != NULL && messages->len > 0);
  g_return_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable));

  MAIL_TRANSPORT_GET_IFACE (self)->submit_async (self, messages, cancellable, callback, user_data);
}

GPtrArray *
mail_transport_submit_finish (MailTransport *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MAIL_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return MAIL_TRANSPORT_GET_IFACE (self)->submit_finish (self, result, error);
}

void
mail_transport_emit_progress (MailTransport *self,
                              MailOutgoing *message,
                              guint64 bytes_sent,
                              gint64 total_bytes)
{
  g_return_if_fail (MAIL_IS_TRANSPORT (self));
  g_return_if_fail (MAIL_IS_OUTGOING (message));

  g_signal_emit (self, signals[SIGNAL_PROGRESS], 0, message, bytes_sent, total_bytes);
}

void
mail_transport_check_async (MailTransport *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_return_if_fail (MAIL_IS_TRANSPORT (self));
  MAIL_TRANSPORT_GET_IFACE (self)->check_async (self, cancellable, callback, user_data);
}

GVariant *
mail_transport_check_finish (MailTransport *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MAIL_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  return MAIL_TRANSPORT_GET_IFACE (self)->check_finish (self, result, error);
}

gboolean
mail_transport_wants_transcript (MailTransport *self)
{
  g_return_val_if_fail (MAIL_IS_TRANSPORT (self), FALSE);
  return g_signal_has_handler_pending (self, signals[SIGNAL_TRANSCRIPT], 0, TRUE);
}

void
mail_transport_emit_transcript (MailTransport *self, const char *line)
{
  g_return_if_fail (MAIL_IS_TRANSPORT (self));
  g_signal_emit (self, signals[SIGNAL_TRANSCRIPT], 0, line);
}
