/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-transport.h — the transport interface: submit one or several messages, asynchronously,
 * over one connection. A plug-in's account creates it (mail_account_create_transport()). */
#pragma once

#include <gio/gio.h>

#include "mail-outgoing.h"
#include "mail-submission.h"
#include "mail-transport-error.h"

G_BEGIN_DECLS

#define MAIL_TYPE_TRANSPORT (mail_transport_get_type ())
G_DECLARE_INTERFACE (MailTransport, mail_transport, MAIL, TRANSPORT, GObject)

/**
 * MailTransportInterface:
 * @g_iface: the parent interface
 * @submit_async: submits messages over one connection
 * @submit_finish: finishes @submit_async: one submission per message, in order
 * @check_async: connects, secures and signs in, then says goodbye
 * @check_finish: finishes @check_async: facts about the server
 * @set_idle_timeout: optional (ABI 1.3): keep the connection open between submissions; see
 *   [method@O365Mailhost.Transport.set_idle_timeout]
 *
 * What a plug-in's transport implements.
 */
struct _MailTransportInterface
{
  GTypeInterface g_iface;

  void (*submit_async) (MailTransport *self,
                        GPtrArray *messages,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data);
  GPtrArray *(*submit_finish) (MailTransport *self, GAsyncResult *result, GError **error);

  void (*check_async) (MailTransport *self,
                       GCancellable *cancellable,
                       GAsyncReadyCallback callback,
                       gpointer user_data);
  GVariant *(*check_finish) (MailTransport *self, GAsyncResult *result, GError **error);

  void (*set_idle_timeout) (MailTransport *self, guint seconds);
};

void mail_transport_submit_async (MailTransport *self,
                                  GPtrArray *messages,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
GPtrArray *mail_transport_submit_finish (MailTransport *self,
                                         GAsyncResult *result,
                                         GError **error);

void mail_transport_check_async (MailTransport *self,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data);
GVariant *mail_transport_check_finish (MailTransport *self, GAsyncResult *result, GError **error);

void mail_transport_set_idle_timeout (MailTransport *self, guint seconds);

/* For implementations. */
void mail_transport_emit_progress (MailTransport *self,
                                   MailOutgoing *message,
                                   guint64 bytes_sent,
                                   gint64 total_bytes);
gboolean mail_transport_wants_transcript (MailTransport *self);
void mail_transport_emit_transcript (MailTransport *self, const char *line);

G_END_DECLS
