/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-submission.h — the outcome of submitting one MailOutgoing: per-recipient replies and
 * the server's final reply (which may carry the server-assigned message id). */
#pragma once

#include <gio/gio.h>

#include "mail-outgoing.h"
#include "mail-reply.h"

G_BEGIN_DECLS

/**
 * MailSubmissionStatus:
 * @MAIL_SUBMISSION_NOT_ATTEMPTED: the session ended before this message was started
 * @MAIL_SUBMISSION_SENT: the server accepted it (2xx after the final dot)
 * @MAIL_SUBMISSION_FAILED: refused or not sent: see the error
 * @MAIL_SUBMISSION_STATUS_UNKNOWN: the body was sent, no final reply: never resend silently
 *
 * What became of one message.
 */
typedef enum
{
  MAIL_SUBMISSION_NOT_ATTEMPTED,
  MAIL_SUBMISSION_SENT,
  MAIL_SUBMISSION_FAILED,
  MAIL_SUBMISSION_STATUS_UNKNOWN,
} MailSubmissionStatus;

#define MAIL_TYPE_SUBMISSION (mail_submission_get_type ())
G_DECLARE_FINAL_TYPE (MailSubmission, mail_submission, MAIL, SUBMISSION, GObject)

/* For transports, which build the outcome as the session goes. */
MailSubmission *mail_submission_new (MailOutgoing *outgoing);
void mail_submission_add_recipient_reply (MailSubmission *self,
                                          const char *recipient,
                                          MailReply *reply);
void mail_submission_add_recipient_refusal (MailSubmission *self,
                                            const char *recipient,
                                            MailReply *reply,
                                            GError *error);
void mail_submission_set_sent (MailSubmission *self, MailReply *final_reply);
void mail_submission_set_failed (MailSubmission *self, GError *error, MailReply *reply);
void mail_submission_set_retry_after (MailSubmission *self, guint seconds);

/* For hosts. */
MailOutgoing *mail_submission_get_outgoing (MailSubmission *self);
MailSubmissionStatus mail_submission_get_status (MailSubmission *self);
const GError *mail_submission_get_error (MailSubmission *self);
MailReply *mail_submission_get_final_reply (MailSubmission *self);
guint mail_submission_get_n_recipients (MailSubmission *self);
const char *mail_submission_get_recipient (MailSubmission *self, guint index);
MailReply *mail_submission_get_recipient_reply (MailSubmission *self, guint index);
const GError *mail_submission_get_recipient_error (MailSubmission *self, guint index);
guint mail_submission_get_retry_after (MailSubmission *self);

G_END_DECLS
