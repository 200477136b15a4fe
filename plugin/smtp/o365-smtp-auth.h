/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-auth.h — the SMTP AUTH exchange (RFC 4954) on an established TLS channel.
 *
 * Mechanism: the configured one if the server offers it; else for passwords PLAIN, then LOGIN;
 * for OAuth2 XOAUTH2. An initial response goes on the AUTH line only while the line stays
 * within O365_SMTP_AUTH_MAX_INLINE_LINE; longer ones (big OAuth2 tokens) use the 334
 * continuation. Every credential byte is redacted in the transcript and wiped after sending.
 */
#pragma once

#include "o365-smtp-capabilities.h"
#include "o365-smtp-channel.h"
#include "o365-smtp-config.h"

G_BEGIN_DECLS

/* Office 365 accepts long AUTH lines, so typical access tokens cost no extra round trip; the
 * bigger tokens Microsoft now issues (over 4 KB) go through the continuation every server
 * accepts. PLAIN and LOGIN responses are far shorter. */
#define O365_SMTP_AUTH_MAX_INLINE_LINE 4096

/* Picks the mechanism, or fails with MAIL_TRANSPORT_ERROR_AUTH_UNSUPPORTED naming what the
 * server offers. */
const char *o365_smtp_auth_choose_mechanism (const O365SmtpCapabilities *capabilities,
                                             const O365SmtpConfig *config,
                                             GError **error);

void o365_smtp_auth_async (O365SmtpChannel *channel,
                           const O365SmtpCapabilities *capabilities,
                           const O365SmtpConfig *config,
                           O365Transcript *transcript,
                           GCancellable *cancellable,
                           GAsyncReadyCallback callback,
                           gpointer user_data);
/* Returns: the mechanism that succeeded ("LOGIN", …), or NULL with an error. */
const char *o365_smtp_auth_finish (GAsyncResult *result, GError **error);
/* The server's final negative reply when it refused the credentials ("535 5.7.3 …"), or NULL
 * (success, or a failure of another kind). */
MailReply *o365_smtp_auth_dup_refusal (GAsyncResult *result);

G_END_DECLS
