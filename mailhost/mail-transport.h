/* mail-transport.h — the transport interface: submit one or several messages, asynchronously,
 * over one connection. A plug-in's account creates it (mail_account_create_transport()).
 *
 * submit_finish() returns one MailSubmission per message, in order. It fails (NULL and an
 * error in MAIL_TRANSPORT_ERROR or G_IO_ERROR_CANCELLED) only when the session failed before
 * any message was started — connection, TLS or sign-in — so no message was sent. A failure
 * part-way through a batch is reported in the affected messages' submissions instead.
 *
 * Signals:
 *   "progress" (MailOutgoing *message, guint64 bytes_sent, gint64 total_bytes): while a body
 *   streams; @total_bytes is -1 when the message's size is unknown.
 *   "transcript" (const char *line): the session as a debug transcript, one line at a time,
 *   with every credential redacted; emitted only while someone is connected.
 */
#pragma once

#include <gio/gio.h>

#include "mail-outgoing.h"
#include "mail-submission.h"
#include "mail-transport-error.h"

G_BEGIN_DECLS

#define MAIL_TYPE_TRANSPORT (mail_transport_get_type ())
G_DECLARE_INTERFACE (MailTransport, mail_transport, MAIL, TRANSPORT, GObject)

struct _MailTransportInterface
{
  GTypeInterface g_iface;

  void (*submit_async) (MailTransport *self,
                        GPtrArray *messages,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data);
  GPtrArray *(*submit_finish) (MailTransport *self, GAsyncResult *result, GError **error);

  /* Connects, secures and signs in, then says goodbye: "is this account usable?". */
  void (*check_async) (MailTransport *self,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data);
  GVariant *(*check_finish) (MailTransport *self, GAsyncResult *result, GError **error);
};

/* @messages: MailOutgoing objects, at least one. */
void mail_transport_submit_async (MailTransport *self,
                                  GPtrArray *messages,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
/* Returns: (transfer container) (element-type MailSubmission). */
GPtrArray *mail_transport_submit_finish (MailTransport *self,
                                         GAsyncResult *result,
                                         GError **error);

/* Returns: (transfer full) facts about the server as an a{sv} dictionary, with at least
 * "server" (s), "tls-version" (s), "auth-mechanisms" (as, offered after TLS) and
 * "auth-mechanism" (s, the one used). */
void mail_transport_check_async (MailTransport *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
GVariant *mail_transport_check_finish (MailTransport *self, GAsyncResult *result, GError **error);

/* For implementations. */
void mail_transport_emit_progress (MailTransport *self,
                                   MailOutgoing *message,
                                   guint64 bytes_sent,
                                   gint64 total_bytes);
gboolean mail_transport_wants_transcript (MailTransport *self);
void mail_transport_emit_transcript (MailTransport *self, const char *line);

G_END_DECLS
