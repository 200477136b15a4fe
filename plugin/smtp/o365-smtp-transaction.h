/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-transaction.h — one mail transaction on an authenticated channel: the envelope
 * (pipelined as one flight when offered), the streamed body, the final reply.
 *
 * The submission is always filled in: per-recipient replies, and sent / failed / status
 * unknown. The operation itself fails only when the connection cannot be used for another
 * message (the error says why); a clean refusal leaves it usable, and the next transaction
 * then starts with RSET.
 */
#pragma once

#include "mail-submission.h"
#include "o365-smtp-capabilities.h"
#include "o365-smtp-channel.h"

G_BEGIN_DECLS

typedef void (*O365SmtpProgressFunc) (MailOutgoing *message,
                                      guint64 bytes_sent,
                                      gint64 total_bytes,
                                      gpointer user_data);

typedef struct
{
  O365SmtpChannel *channel;
  const O365SmtpCapabilities *capabilities;
  O365Transcript *transcript;
  gboolean reset_first;          /* the previous transaction did not complete */
  guint timeout_ms;
  guint data_end_timeout_ms;
  O365SmtpProgressFunc progress;
  gpointer progress_data;
} O365SmtpTransactionContext;

/* @context must stay valid until the operation completes. */
void o365_smtp_transaction_run_async (const O365SmtpTransactionContext *context,
                                      MailOutgoing *message,
                                      MailSubmission *submission,
                                      GCancellable *cancellable,
                                      GAsyncReadyCallback callback,
                                      gpointer user_data);
/* Returns: TRUE if the channel can carry another transaction; @needs_reset then tells whether
 * the server may still hold part of a transaction (the next one must start with RSET). */
gboolean o365_smtp_transaction_run_finish (GAsyncResult *result,
                                           gboolean *needs_reset,
                                           GError **error);

G_END_DECLS
