/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-channel.h — SMTP over one GIOStream: whole replies in (bounded, parsed), flights
 * out (one write each), every operation with a timeout. A new channel is made on the TLS
 * stream after STARTTLS, so nothing read before TLS can leak into the session after it. */
#pragma once

#include <gio/gio.h>

#include "mail-reply.h"
#include "o365-smtp-transcript.h"

G_BEGIN_DECLS

#define O365_TYPE_SMTP_CHANNEL (o365_smtp_channel_get_type ())
G_DECLARE_FINAL_TYPE (O365SmtpChannel, o365_smtp_channel, O365, SMTP_CHANNEL, GObject)

/* Server replies are written to @transcript (may be NULL). */
O365SmtpChannel *o365_smtp_channel_new (GIOStream *stream, O365Transcript *transcript);
GIOStream *o365_smtp_channel_get_stream (O365SmtpChannel *self);
/* How long each read or write may wait (0: forever). */
void o365_smtp_channel_set_timeout (O365SmtpChannel *self, guint timeout_ms);

/* Bytes received but not yet consumed: after the 220 to STARTTLS this must be FALSE. */
gboolean o365_smtp_channel_has_buffered_input (O365SmtpChannel *self);

void o365_smtp_channel_read_reply_async (O365SmtpChannel *self,
                                         GCancellable *cancellable,
                                         GAsyncReadyCallback callback,
                                         gpointer user_data);
MailReply *o365_smtp_channel_read_reply_finish (O365SmtpChannel *self,
                                                GAsyncResult *result,
                                                GError **error);

/* Writes @data in one go (the caller has already transcribed it as it should appear). Takes
 * @data: callers hand over bytes made for this write. */
void o365_smtp_channel_write_async (O365SmtpChannel *self,
                                    GBytes *data,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean o365_smtp_channel_write_finish (O365SmtpChannel *self,
                                         GAsyncResult *result,
                                         GError **error);

/* Turns a GIO/TLS error from a network operation into MAIL_TRANSPORT_ERROR (cancellation
 * stays G_IO_ERROR_CANCELLED; @timed_out makes it MAIL_TRANSPORT_ERROR_TIMEOUT). */
GError *o365_smtp_network_error (GError *io_error, gboolean timed_out, const char *doing);

G_END_DECLS
