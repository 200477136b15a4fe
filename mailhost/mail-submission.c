/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-submission.c — the outcome of one message's submission. */
#include "config.h"

#include "mail-submission.h"
#include "mail-transport-error.h"

typedef struct
{
  char *recipient;
  MailReply *reply;
  GError *error; /* why it was refused, with the transport's explanation; NULL if accepted */
} RecipientReply;

/**
 * MailSubmission:
 *
 * The outcome of submitting one [class@O365Mailhost.Outgoing]: its status, the reply to each
 * recipient, and the server's final reply, which carries the server-assigned message id
 * (Office 365: `250 2.0.0 OK <id> [Hostname=…]`).
 *
 * Transports build it as the session goes; hosts get one per message from
 * [method@O365Mailhost.Transport.submit_finish].
 */
struct _MailSubmission
{
  GObject parent_instance;

  MailOutgoing *outgoing;
  MailSubmissionStatus status;
  GError *error;
  MailReply *final_reply;
  GArray *recipients; /* of RecipientReply */
  guint retry_after;  /* seconds the server asked to wait before the next attempt, or 0 */
};

G_DEFINE_FINAL_TYPE (MailSubmission, mail_submission, G_TYPE_OBJECT)

static void
recipient_reply_clear (gpointer data)
{
  RecipientReply *entry = data;

  g_free (entry->recipient);
  g_clear_pointer (&entry->reply, mail_reply_unref);
  g_clear_error (&entry->error);
}

static void
mail_submission_finalize (GObject *object)
{
  MailSubmission *self = MAIL_SUBMISSION (object);

  g_clear_object (&self->outgoing);
  g_clear_error (&self->error);
  g_clear_pointer (&self->final_reply, mail_reply_unref);
  g_array_unref (self->recipients);

  G_OBJECT_CLASS (mail_submission_parent_class)->finalize (object);
}

static void
mail_submission_class_init (MailSubmissionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = mail_submission_finalize;
}

static void
mail_submission_init (MailSubmission *self)
{
  self->status = MAIL_SUBMISSION_NOT_ATTEMPTED;
  self->recipients = g_array_new (FALSE, TRUE, sizeof (RecipientReply));
  g_array_set_clear_func (self->recipients, recipient_reply_clear);
}

/**
 * mail_submission_new:
 * @outgoing: the message
 *
 * For transports: a submission not attempted yet.
 *
 * Returns: (transfer full): the submission
 */
MailSubmission *
mail_submission_new (MailOutgoing *outgoing)
{
  MailSubmission *self;

  g_return_val_if_fail (MAIL_IS_OUTGOING (outgoing), NULL);

  self = g_object_new (MAIL_TYPE_SUBMISSION, NULL);
  self->outgoing = g_object_ref (outgoing);
  return self;
}

/**
 * mail_submission_add_recipient_reply:
 * @self: a submission
 * @recipient: an envelope recipient
 * @reply: the server's reply to its RCPT TO
 *
 * For transports: records a recipient's reply.
 */
void
mail_submission_add_recipient_reply (MailSubmission *self, const char *recipient, MailReply *reply)
{
  RecipientReply entry;

  g_return_if_fail (MAIL_IS_SUBMISSION (self));
  g_return_if_fail (recipient != NULL && reply != NULL);

  entry.recipient = g_strdup (recipient);
  entry.reply = mail_reply_ref (reply);
  entry.error = NULL;
  g_array_append_val (self->recipients, entry);
}

/**
 * mail_submission_add_recipient_refusal:
 * @self: a submission
 * @recipient: an envelope recipient
 * @reply: the server's negative reply to its RCPT TO
 * @error: (transfer full): what the refusal means, in the transport's words; its class
 *   ([func@O365Mailhost.TransportError.classify]) says whether the recipient may be tried again
 *
 * For transports: records a recipient the server refused. The message may still be sent to the
 * others; hosts keep it for the recipients refused for a while and report the others.
 */
void
mail_submission_add_recipient_refusal (MailSubmission *self, const char *recipient, MailReply *reply, GError *error)
{
  g_return_if_fail (MAIL_IS_SUBMISSION (self));
  g_return_if_fail (recipient != NULL && reply != NULL && error != NULL);

  mail_submission_add_recipient_reply (self, recipient, reply);
  g_array_index (self->recipients, RecipientReply, self->recipients->len - 1).error = error;
}

/**
 * mail_submission_set_sent:
 * @self: a submission
 * @final_reply: the server's positive reply to the final dot
 *
 * For transports: the message was accepted.
 */
void
mail_submission_set_sent (MailSubmission *self, MailReply *final_reply)
{
  g_return_if_fail (MAIL_IS_SUBMISSION (self));
  g_return_if_fail (final_reply != NULL && mail_reply_is_positive (final_reply));

  self->status = MAIL_SUBMISSION_SENT;
  g_clear_error (&self->error);
  g_clear_pointer (&self->final_reply, mail_reply_unref);
  self->final_reply = mail_reply_ref (final_reply);
}

/**
 * mail_submission_set_failed:
 * @self: a submission
 * @error: (transfer full): why the message was not sent
 * @reply: (nullable): the server's reply that caused it, if any
 *
 * For transports: the message failed, or its status is unknown when @error is
 * `MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN` (see [func@O365Mailhost.TransportError.classify]).
 */
void
mail_submission_set_failed (MailSubmission *self, GError *error, MailReply *reply)
{
  g_return_if_fail (MAIL_IS_SUBMISSION (self));
  g_return_if_fail (error != NULL);

  self->status = mail_transport_error_classify (error) == MAIL_FAILURE_STATUS_UNKNOWN
                   ? MAIL_SUBMISSION_STATUS_UNKNOWN
                   : MAIL_SUBMISSION_FAILED;
  g_clear_error (&self->error);
  self->error = error;
  g_clear_pointer (&self->final_reply, mail_reply_unref);
  if (reply != NULL)
    self->final_reply = mail_reply_ref (reply);
}

/**
 * mail_submission_set_retry_after:
 * @self: a submission
 * @seconds: how long the server asked to wait before the message is tried again, 0 for no hint
 *
 * For transports: records the server's hint for a temporary failure (HTTP `Retry-After` on a
 * 429 or 503 from Microsoft Graph), so that hosts do not try again sooner.
 */
void
mail_submission_set_retry_after (MailSubmission *self, guint seconds)
{
  g_return_if_fail (MAIL_IS_SUBMISSION (self));
  self->retry_after = seconds;
}

/**
 * mail_submission_get_outgoing:
 * @self: a submission
 *
 * The message this is the outcome of.
 *
 * Returns: (transfer none): the message
 */
MailOutgoing *
mail_submission_get_outgoing (MailSubmission *self)
{
  g_return_val_if_fail (MAIL_IS_SUBMISSION (self), NULL);
  return self->outgoing;
}

/**
 * mail_submission_get_status:
 * @self: a submission
 *
 * What became of the message.
 *
 * Returns: what became of the message
 */
MailSubmissionStatus
mail_submission_get_status (MailSubmission *self)
{
  g_return_val_if_fail (MAIL_IS_SUBMISSION (self), MAIL_SUBMISSION_NOT_ATTEMPTED);
  return self->status;
}

/**
 * mail_submission_get_error:
 * @self: a submission
 *
 * Why the message failed.
 *
 * Returns: (transfer none) (nullable): why the message failed, or %NULL
 */
const GError *
mail_submission_get_error (MailSubmission *self)
{
  g_return_val_if_fail (MAIL_IS_SUBMISSION (self), NULL);
  return self->error;
}

/**
 * mail_submission_get_final_reply:
 * @self: a submission
 *
 * The server's final reply.
 *
 * Returns: (transfer none) (nullable): the server's reply to the final dot, or the reply that
 *   made the message fail; %NULL if there was none
 */
MailReply *
mail_submission_get_final_reply (MailSubmission *self)
{
  g_return_val_if_fail (MAIL_IS_SUBMISSION (self), NULL);
  return self->final_reply;
}

/**
 * mail_submission_get_n_recipients:
 * @self: a submission
 *
 * The number of recipients with a reply.
 *
 * Returns: how many recipients have a reply
 */
guint
mail_submission_get_n_recipients (MailSubmission *self)
{
  g_return_val_if_fail (MAIL_IS_SUBMISSION (self), 0);
  return self->recipients->len;
}

/**
 * mail_submission_get_recipient:
 * @self: a submission
 * @index: below [method@O365Mailhost.Submission.get_n_recipients]
 *
 * A recipient with a reply.
 *
 * Returns: (transfer none): the recipient
 */
const char *
mail_submission_get_recipient (MailSubmission *self, guint index)
{
  g_return_val_if_fail (MAIL_IS_SUBMISSION (self), NULL);
  g_return_val_if_fail (index < self->recipients->len, NULL);
  return g_array_index (self->recipients, RecipientReply, index).recipient;
}

/**
 * mail_submission_get_recipient_reply:
 * @self: a submission
 * @index: below [method@O365Mailhost.Submission.get_n_recipients]
 *
 * The reply to a recipient.
 *
 * Returns: (transfer none): the server's reply to the recipient's RCPT TO
 */
MailReply *
mail_submission_get_recipient_reply (MailSubmission *self, guint index)
{
  g_return_val_if_fail (MAIL_IS_SUBMISSION (self), NULL);
  g_return_val_if_fail (index < self->recipients->len, NULL);
  return g_array_index (self->recipients, RecipientReply, index).reply;
}

/**
 * mail_submission_get_recipient_error:
 * @self: a submission
 * @index: below [method@O365Mailhost.Submission.get_n_recipients]
 *
 * Why a recipient was refused, as recorded by
 * [method@O365Mailhost.Submission.add_recipient_refusal].
 *
 * Returns: (transfer none) (nullable): the refusal with its explanation, or %NULL if the
 *   recipient was accepted
 */
const GError *
mail_submission_get_recipient_error (MailSubmission *self, guint index)
{
  g_return_val_if_fail (MAIL_IS_SUBMISSION (self), NULL);
  g_return_val_if_fail (index < self->recipients->len, NULL);
  return g_array_index (self->recipients, RecipientReply, index).error;
}

/**
 * mail_submission_get_retry_after:
 * @self: a submission
 *
 * How long the server asked to wait before the message is tried again, as recorded by
 * [method@O365Mailhost.Submission.set_retry_after]. Hosts that keep the message queued should
 * not try it again sooner.
 *
 * Returns: the number of seconds, or 0 when the server gave no hint
 */
guint
mail_submission_get_retry_after (MailSubmission *self)
{
  g_return_val_if_fail (MAIL_IS_SUBMISSION (self), 0);
  return self->retry_after;
}
