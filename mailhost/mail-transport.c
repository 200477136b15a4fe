/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-transport.c — the transport interface, its wrappers and its progress signal. */
#include "config.h"

#include "mail-transport.h"

/**
 * MailTransport:
 *
 * Submits one or several messages, asynchronously, over one connection. A plug-in's account
 * makes it ([method@O365Mailhost.Account.create_transport]).
 *
 * Everything runs on the main context the call was made from: start
 * [method@O365Mailhost.Transport.submit_async] and keep that context iterating (a
 * [struct@GLib.MainLoop]) until the callback runs.
 */
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
  /**
   * MailTransport::progress:
   * @self: the transport
   * @message: the message whose body is streaming
   * @bytes_sent: octets of it sent so far
   * @total_bytes: its size, or -1 when unknown
   *
   * Emitted while a body streams.
   */
  signals[SIGNAL_PROGRESS] =
    g_signal_new ("progress", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 3,
                  MAIL_TYPE_OUTGOING, G_TYPE_UINT64, G_TYPE_INT64);
  /**
   * MailTransport::transcript:
   * @self: the transport
   * @line: one line of the session, every credential redacted
   *
   * The session as a debug transcript, one line at a time; emitted only while someone is
   * connected (see [method@O365Mailhost.Transport.wants_transcript]).
   */
  signals[SIGNAL_TRANSCRIPT] =
    g_signal_new ("transcript", G_TYPE_FROM_INTERFACE (iface), G_SIGNAL_RUN_LAST, 0,
                  NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

/**
 * mail_transport_submit_async:
 * @self: a transport
 * @messages: (element-type MailOutgoing): the messages, at least one
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when every message has its outcome
 * @user_data: data for @callback
 *
 * Connects, secures and signs in, then submits the messages one after another over that one
 * connection. Call [method@O365Mailhost.Transport.submit_finish] from @callback.
 */
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

/**
 * mail_transport_submit_finish:
 * @self: a transport
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@O365Mailhost.Transport.submit_async]: one submission per message, in
 * order. It fails (%NULL, and an error in [error@O365Mailhost.TransportError] or
 * `G_IO_ERROR_CANCELLED`) only when the session failed before any message was started
 * (connection, TLS or sign-in), so that no message was sent. A failure part-way through a
 * batch is reported in the affected messages' submissions instead. The array unrefs the
 * submissions when it is freed.
 *
 * Returns: (transfer container) (element-type MailSubmission): the submissions
 */
GPtrArray *
mail_transport_submit_finish (MailTransport *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MAIL_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  return MAIL_TRANSPORT_GET_IFACE (self)->submit_finish (self, result, error);
}

/**
 * mail_transport_set_idle_timeout:
 * @self: a transport
 * @seconds: how long an unused connection stays open; 0 (the default) closes it after each
 *   submission
 *
 * After a submission, keeps the connection open for up to @seconds, so that the next
 * [method@O365Mailhost.Transport.submit_async] goes out over it without connecting, securing
 * and signing in again; the transport checks that it is still alive (the server may have
 * closed it) before it uses it, and opens a new one if not. Meant for hosts that send now and
 * then over a long time, such as an agent or a mail client; a short-lived program leaves it at
 * 0. While the connection is kept, the account's other processes wait for it (one connection
 * per account), so keep @seconds short. A transport that cannot keep its connection ignores
 * this (the method is optional, ABI 1.3).
 *
 * Since: 1.3
 */
void
mail_transport_set_idle_timeout (MailTransport *self, guint seconds)
{
  MailTransportInterface *iface;

  g_return_if_fail (MAIL_IS_TRANSPORT (self));

  iface = MAIL_TRANSPORT_GET_IFACE (self);
  if (iface->set_idle_timeout != NULL)
    iface->set_idle_timeout (self, seconds);
}

/**
 * mail_transport_emit_progress:
 * @self: a transport
 * @message: the message whose body is streaming
 * @bytes_sent: octets of it sent so far
 * @total_bytes: its size, or -1 when unknown
 *
 * For implementations: emits [signal@O365Mailhost.Transport::progress].
 */
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

/**
 * mail_transport_check_async:
 * @self: a transport
 * @cancellable: (nullable): a #GCancellable
 * @callback: (scope async): called when the check has ended
 * @user_data: data for @callback
 *
 * Connects, secures and signs in, then says goodbye: “is this account usable?”. Call
 * [method@O365Mailhost.Transport.check_finish] from @callback.
 */
void
mail_transport_check_async (MailTransport *self,
                            GCancellable *cancellable,
                            GAsyncReadyCallback callback,
                            gpointer user_data)
{
  g_return_if_fail (MAIL_IS_TRANSPORT (self));
  MAIL_TRANSPORT_GET_IFACE (self)->check_async (self, cancellable, callback, user_data);
}

/**
 * mail_transport_check_finish:
 * @self: a transport
 * @result: the result passed to the callback
 * @error: return location for a #GError
 *
 * Finishes [method@O365Mailhost.Transport.check_async].
 *
 * Returns: (transfer full): facts about the server as an `a{sv}` dictionary, with at least
 *   `server` (s), `tls-version` (s), `auth-mechanisms` (as, offered after TLS) and
 *   `auth-mechanism` (s, the one used); %NULL with @error set on failure
 */
GVariant *
mail_transport_check_finish (MailTransport *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (MAIL_IS_TRANSPORT (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  return MAIL_TRANSPORT_GET_IFACE (self)->check_finish (self, result, error);
}

/**
 * mail_transport_wants_transcript:
 * @self: a transport
 *
 * For implementations: whether anyone is connected to
 * [signal@O365Mailhost.Transport::transcript], so that building the lines is worth it.
 *
 * Returns: whether the transcript is wanted
 */
gboolean
mail_transport_wants_transcript (MailTransport *self)
{
  g_return_val_if_fail (MAIL_IS_TRANSPORT (self), FALSE);
  return g_signal_has_handler_pending (self, signals[SIGNAL_TRANSCRIPT], 0, TRUE);
}

/**
 * mail_transport_emit_transcript:
 * @self: a transport
 * @line: one line of the session, every credential redacted
 *
 * For implementations: emits [signal@O365Mailhost.Transport::transcript].
 */
void
mail_transport_emit_transcript (MailTransport *self, const char *line)
{
  g_return_if_fail (MAIL_IS_TRANSPORT (self));
  g_signal_emit (self, signals[SIGNAL_TRANSCRIPT], 0, line);
}
