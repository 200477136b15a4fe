/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-session.h — one SMTP submission session, asynchronous on the caller's main context:
 *
 *   connect → greeting → EHLO → STARTTLS (mandatory) → TLS handshake (identity, TLS ≥ 1.2)
 *   → EHLO on a fresh channel → AUTH → transactions… → QUIT
 *
 * Nothing but EHLO and STARTTLS is ever sent before TLS: no credential, no envelope. Bytes the
 * server sent after its 220 to STARTTLS (a response injection) end the session.
 */
#pragma once

#include "mail-submission.h"
#include "o365-smtp-capabilities.h"
#include "o365-smtp-config.h"
#include "o365-smtp-transaction.h"
#include "o365-smtp-transcript.h"
#include "o365-smtp-trust.h"

G_BEGIN_DECLS

#define O365_TYPE_SMTP_SESSION (o365_smtp_session_get_type ())
G_DECLARE_FINAL_TYPE (O365SmtpSession, o365_smtp_session, O365, SMTP_SESSION, GObject)

/* Copies @config. @transcript may be NULL. */
O365SmtpSession *o365_smtp_session_new (const O365SmtpConfig *config, O365Transcript *transcript);

/* The trust to verify the server with, made (and loading) before the session, e.g. while the
 * credentials are looked up; before open. Without one, open makes its own. */
void o365_smtp_session_set_trust (O365SmtpSession *self, O365SmtpTrust *trust);

void o365_smtp_session_set_progress_func (O365SmtpSession *self,
                                          O365SmtpProgressFunc func,
                                          gpointer user_data);

/* Connects, secures and signs in. */
void o365_smtp_session_open_async (O365SmtpSession *self,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
gboolean o365_smtp_session_open_finish (O365SmtpSession *self, GAsyncResult *result, GError **error);

/* Submits one message on the open session, filling @submission. Fails when the session cannot
 * be used any more (the error says why; @submission says what happened to the message). */
void o365_smtp_session_send_async (O365SmtpSession *self,
                                   MailOutgoing *message,
                                   MailSubmission *submission,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
gboolean o365_smtp_session_send_finish (O365SmtpSession *self, GAsyncResult *result, GError **error);

/* After a pause (a kept connection): NOOP, so that a connection the server closed meanwhile is
 * found before a message is started on it. FALSE when it cannot be used (then closed). */
void o365_smtp_session_check_alive_async (O365SmtpSession *self,
                                          GCancellable *cancellable,
                                          GAsyncReadyCallback callback,
                                          gpointer user_data);
gboolean o365_smtp_session_check_alive_finish (O365SmtpSession *self, GAsyncResult *result);

/* Called once QUIT is written (or could not be), before the server's answer to it. */
typedef void (*O365SmtpQuitSentFunc) (O365SmtpSession *session, gpointer user_data);

/* QUIT and close; never fails (there is nothing left to lose). @quit_sent (may be NULL) runs
 * before @callback, as soon as QUIT is on its way: what the session did is known by then, and
 * a caller can report it without waiting one more round trip (or up to the QUIT timeout) for
 * a reply that changes nothing. @callback runs once the streams are closed. */
void o365_smtp_session_close_async (O365SmtpSession *self,
                                    O365SmtpQuitSentFunc quit_sent,
                                    gpointer quit_sent_data,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
void o365_smtp_session_close_finish (O365SmtpSession *self, GAsyncResult *result);

/* After open: facts for people ("TLS 1.3", the mechanism used, the capabilities after TLS). */
const char *o365_smtp_session_get_tls_version (O365SmtpSession *self);
const char *o365_smtp_session_get_auth_mechanism (O365SmtpSession *self);
const O365SmtpCapabilities *o365_smtp_session_get_capabilities (O365SmtpSession *self);
gboolean o365_smtp_session_is_open (O365SmtpSession *self);
/* After an open that failed at AUTH because the server refused the credentials: its reply. */
const MailReply *o365_smtp_session_get_auth_refusal (O365SmtpSession *self);

G_END_DECLS
