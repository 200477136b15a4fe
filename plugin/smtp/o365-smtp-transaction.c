/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-transaction.c — MAIL/RCPT/DATA, the streamed body and the final reply. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-transport-error.h"
#include "o365-smtp-body-encoder.h"
#include "o365-smtp-explain.h"
#include "o365-smtp-envelope.h"
#include "o365-smtp-transaction.h"

/* Body chunks: big enough for few TLS records per write, small enough for constant memory. */
#define BODY_CHUNK (64 * 1024)

typedef struct
{
  O365SmtpTransactionContext context;
  MailOutgoing *message;
  MailSubmission *submission;

  GPtrArray *commands;     /* [RSET] MAIL RCPT… DATA, each with CRLF */
  guint first_rcpt;        /* index of the first RCPT in commands */
  guint next_reply;        /* index of the command whose reply comes next */
  gboolean pipelined;
  guint accepted;          /* recipients the server accepted */
  GError *refusal;         /* why the transaction failed, once it has */
  MailReply *refusal_reply;
  gboolean needs_reset;

  GConverter *encoder;
  guint8 *chunk;
  GByteArray *encoded;
  guint64 body_bytes_read;
  gboolean terminator_sent;
} TransactionData;

static void
transaction_data_free (TransactionData *data)
{
  g_clear_object (&data->message);
  g_clear_object (&data->submission);
  g_clear_pointer (&data->commands, g_ptr_array_unref);
  g_clear_error (&data->refusal);
  g_clear_pointer (&data->refusal_reply, mail_reply_unref);
  g_clear_object (&data->encoder);
  g_free (data->chunk);
  g_clear_pointer (&data->encoded, g_byte_array_unref);
  g_free (data);
}

static O365SmtpStage
stage_of (TransactionData *data, guint index)
{
  if (index + 1 == data->commands->len)
    return O365_SMTP_STAGE_DATA;
  if (index >= data->first_rcpt)
    return O365_SMTP_STAGE_RCPT;
  if (index + 1 == data->first_rcpt)
    return O365_SMTP_STAGE_MAIL;
  return O365_SMTP_STAGE_RSET;
}

/* Ends the operation (taking @task): the transaction is over, cleanly or not, and the channel
 * can go on. */
static void
finish_usable (GTask *task)
{
  TransactionData *data = g_task_get_task_data (task);

  if (data->refusal != NULL)
    mail_submission_set_failed (data->submission, g_steal_pointer (&data->refusal), data->refusal_reply);
  g_task_return_boolean (task, TRUE);
  g_object_unref (task);
}

/* Ends the operation (taking @task): the channel is unusable. @message_error is what the
 * message suffered (NULL: the session's failure). */
static void
finish_dead (GTask *task, GError *session_error, GError *message_error, MailReply *reply)
{
  TransactionData *data = g_task_get_task_data (task);

  /* Before the final dot nothing was delivered, and the message itself was not at fault: a
   * server that broke the protocol must not get it thrown away as permanently failed. */
  if (message_error == NULL && mail_transport_error_classify (session_error) == MAIL_FAILURE_PERMANENT)
    message_error = g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                 _("Not sent: the connection failed (%s)"), session_error->message);
  else if (message_error == NULL)
    message_error = g_error_copy (session_error);
  mail_submission_set_failed (data->submission, message_error, reply);
  g_task_return_error (task, session_error);
  g_object_unref (task);
}

static void
refuse (TransactionData *data, GError *error, MailReply *reply)
{
  if (data->refusal != NULL)
    {
      g_error_free (error);
      return;
    }
  data->refusal = error;
  data->refusal_reply = reply != NULL ? mail_reply_ref (reply) : NULL;
}

static void send_next_command (GTask *task);
static void read_next_reply (GTask *task);
static void abort_data (GTask *task);
static void stream_body (GTask *task);

static void
on_commands_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!o365_smtp_channel_write_finish (O365_SMTP_CHANNEL (source), result, &error))
    {
      finish_dead (g_steal_pointer (&task), error, NULL, NULL);
      return;
    }
  read_next_reply (g_steal_pointer (&task));
}

static void
write_commands (GTask *task, guint from, guint to)
{
  TransactionData *data = g_task_get_task_data (task);
  g_autoptr (GString) flight = g_string_new (NULL);

  for (guint i = from; i < to; i++)
    g_string_append (flight, g_ptr_array_index (data->commands, i));
  o365_transcript_client_commands (data->context.transcript, flight->str);
  o365_smtp_channel_write_async (data->context.channel, g_string_free_to_bytes (g_steal_pointer (&flight)),
                                 g_task_get_cancellable (task), on_commands_written, task);
}

/* Judges one envelope reply. Returns FALSE if the channel is unusable (task completed). */
static gboolean
judge_reply (GTask *task, guint index, MailReply *reply)
{
  TransactionData *data = g_task_get_task_data (task);
  O365SmtpStage stage = stage_of (data, index);
  guint code = mail_reply_get_code (reply);
  const char *recipient = NULL;

  if (stage == O365_SMTP_STAGE_RCPT)
    recipient = mail_outgoing_get_recipients (data->message)[index - data->first_rcpt];
  if (code == 421)
    {
      finish_dead (g_object_ref (task), o365_explain_reply (stage, reply), NULL, reply);
      return FALSE;
    }

  switch (stage)
    {
    case O365_SMTP_STAGE_RSET:
      if (code / 100 != 2)
        {
          finish_dead (g_object_ref (task), o365_explain_reply (stage, reply), NULL, reply);
          return FALSE;
        }
      data->needs_reset = FALSE;
      break;
    case O365_SMTP_STAGE_MAIL:
      data->needs_reset = TRUE;
      if (code / 100 != 2)
        refuse (data, o365_explain_reply (stage, reply), reply);
      break;
    case O365_SMTP_STAGE_RCPT:
      if (code / 100 == 2)
        {
          mail_submission_add_recipient_reply (data->submission, recipient, reply);
          data->accepted++;
          break;
        }
      /* Each refusal with its explanation, so that the host keeps the message for the
       * recipients refused for a while and reports the others. */
      mail_submission_add_recipient_refusal (data->submission, recipient, reply,
                                             o365_explain_reply (stage, reply));
      if (index + 2 == data->commands->len && data->accepted == 0)
        {
          GError *error = o365_explain_reply (stage, reply);

          g_prefix_error (&error, _("No recipient was accepted. "));
          refuse (data, error, reply);
        }
      break;
    case O365_SMTP_STAGE_DATA:
      if (code != 354 && data->refusal == NULL)
        refuse (data, o365_explain_reply (stage, reply), reply);
      break;
    default:
      g_assert_not_reached ();
    }
  return TRUE;
}

static void
on_envelope_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TransactionData *data = g_task_get_task_data (task);
  g_autoptr (MailReply) reply = NULL;
  GError *error = NULL;
  guint index = data->next_reply++;

  reply = o365_smtp_channel_read_reply_finish (O365_SMTP_CHANNEL (source), result, &error);
  if (reply == NULL)
    {
      finish_dead (g_steal_pointer (&task), error, NULL, NULL);
      return;
    }
  if (!judge_reply (task, index, reply))
    return;

  if (index + 1 < data->commands->len)
    {
      /* Without pipelining, a refusal ends the envelope here (the rest was never sent). */
      if (data->pipelined)
        read_next_reply (g_steal_pointer (&task));
      else if (data->refusal != NULL && stage_of (data, index) != O365_SMTP_STAGE_RCPT)
        finish_usable (g_steal_pointer (&task));
      else if (data->refusal != NULL && index + 2 == data->commands->len)
        finish_usable (g_steal_pointer (&task)); /* every recipient refused: no DATA */
      else
        send_next_command (g_steal_pointer (&task));
      return;
    }

  /* That was the reply to DATA. */
  if (mail_reply_get_code (reply) == 354)
    {
      if (data->refusal != NULL)
        abort_data (g_steal_pointer (&task));
      else
        stream_body (g_steal_pointer (&task));
      return;
    }
  finish_usable (g_steal_pointer (&task));
}

static void
read_next_reply (GTask *task)
{
  TransactionData *data = g_task_get_task_data (task);

  o365_smtp_channel_read_reply_async (data->context.channel, g_task_get_cancellable (task),
                                      on_envelope_reply, task);
}

static void
send_next_command (GTask *task)
{
  TransactionData *data = g_task_get_task_data (task);

  write_commands (task, data->next_reply, data->next_reply + 1);
}

/* --- a DATA the server accepted although the transaction had failed ------------------------ */

static void
on_abort_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (MailReply) reply = NULL;
  GError *error = NULL;

  reply = o365_smtp_channel_read_reply_finish (O365_SMTP_CHANNEL (source), result, &error);
  if (reply == NULL)
    {
      finish_dead (g_steal_pointer (&task), error, NULL, NULL);
      return;
    }
  finish_usable (g_steal_pointer (&task));
}

static void
on_abort_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!o365_smtp_channel_write_finish (O365_SMTP_CHANNEL (source), result, &error))
    {
      finish_dead (g_steal_pointer (&task), error, NULL, NULL);
      return;
    }
  {
    GTask *owned = g_steal_pointer (&task);

    o365_smtp_channel_read_reply_async (O365_SMTP_CHANNEL (source), g_task_get_cancellable (owned),
                                        on_abort_reply, owned);
  }
}

/* RFC 2920 §3.1: after a 354 the client must end the data; an empty message is sent and its
 * fate ignored, since the envelope already failed. */
static void
abort_data (GTask *task)
{
  TransactionData *data = g_task_get_task_data (task);

  o365_transcript_client_commands (data->context.transcript, ".\r\n");
  o365_smtp_channel_write_async (data->context.channel, g_bytes_new_static (".\r\n", 3),
                                 g_task_get_cancellable (task), on_abort_written, task);
}

/* --- the body ------------------------------------------------------------------------------- */

static void
on_final_reply (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TransactionData *data = g_task_get_task_data (task);
  g_autoptr (MailReply) reply = NULL;
  GError *error = NULL;

  o365_smtp_channel_set_timeout (data->context.channel, data->context.timeout_ms);
  reply = o365_smtp_channel_read_reply_finish (O365_SMTP_CHANNEL (source), result, &error);
  if (reply == NULL)
    {
      GError *unknown = g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN,
                                     _("The whole message was sent but the server’s answer never "
                                       "came (%s). It may or may not have been accepted: check the "
                                       "Sent Items folder before sending it again."),
                                     error->message);
      finish_dead (g_steal_pointer (&task), error, unknown, NULL);
      return;
    }

  data->needs_reset = FALSE;
  if (mail_reply_get_code (reply) / 100 == 2)
    mail_submission_set_sent (data->submission, reply);
  else if (mail_reply_get_code (reply) == 421)
    {
      finish_dead (g_steal_pointer (&task), o365_explain_reply (O365_SMTP_STAGE_DATA_END, reply),
                   NULL, reply);
      return;
    }
  else
    refuse (data, o365_explain_reply (O365_SMTP_STAGE_DATA_END, reply), reply);
  finish_usable (g_steal_pointer (&task));
}

/* Runs the encoder over @length bytes of input (all of it), appending to data->encoded. */
static gboolean
encode (TransactionData *data, const guint8 *input, gsize length, gboolean at_end, GError **error)
{
  gsize consumed = 0;

  for (;;)
    {
      guint old_length = data->encoded->len;
      gsize space = 2 * (length - consumed) + 64;
      gsize read = 0, written = 0;
      GConverterResult result;
      GError *local_error = NULL;

      g_byte_array_set_size (data->encoded, old_length + (guint) space);
      result = g_converter_convert (data->encoder, input + consumed, length - consumed,
                                    data->encoded->data + old_length, space,
                                    at_end ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS,
                                    &read, &written, &local_error);
      g_byte_array_set_size (data->encoded, old_length + (guint) written);
      if (result == G_CONVERTER_ERROR)
        {
          if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_NO_SPACE))
            {
              g_clear_error (&local_error);
              continue;
            }
          g_propagate_error (error, local_error);
          return FALSE;
        }
      consumed += read;
      if (result == G_CONVERTER_FINISHED || (!at_end && consumed == length))
        return TRUE;
    }
}

static void read_body_chunk (GTask *task);

static void
on_body_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TransactionData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!o365_smtp_channel_write_finish (O365_SMTP_CHANNEL (source), result, &error))
    {
      if (data->terminator_sent)
        {
          GError *unknown = g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN,
                                         _("The connection failed while the end of the message "
                                           "was being sent (%s). It may or may not have been "
                                           "accepted: check the Sent Items folder before sending "
                                           "it again."), error->message);
          finish_dead (g_steal_pointer (&task), error, unknown, NULL);
        }
      else
        finish_dead (g_steal_pointer (&task), error, NULL, NULL);
      return;
    }

  if (data->context.progress != NULL)
    data->context.progress (data->message, data->body_bytes_read,
                            mail_outgoing_get_size (data->message), data->context.progress_data);

  if (data->terminator_sent)
    {
      GTask *owned = g_steal_pointer (&task);

      o365_smtp_channel_set_timeout (data->context.channel, data->context.data_end_timeout_ms);
      o365_smtp_channel_read_reply_async (data->context.channel, g_task_get_cancellable (owned),
                                          on_final_reply, owned);
    }
  else
    read_body_chunk (g_steal_pointer (&task));
}

static void
write_encoded (GTask *task)
{
  TransactionData *data = g_task_get_task_data (task);
  GBytes *bytes = g_byte_array_free_to_bytes (g_steal_pointer (&data->encoded));

  data->encoded = g_byte_array_sized_new (2 * BODY_CHUNK + 64);
  o365_smtp_channel_write_async (data->context.channel, bytes, g_task_get_cancellable (task),
                                 on_body_written, task);
}

/* The message cannot be sent as it is, and the server is already reading its body: only
 * closing the connection keeps a truncated message from being delivered. */
static void
abandon_body (GTask *task, GError *message_error)
{
  GError *session_error = g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                       _("The connection was closed to stop a message that "
                                         "could not be sent: %s"), message_error->message);

  finish_dead (task, session_error, message_error, NULL);
}

static void
on_end_approved (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TransactionData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!mail_outgoing_approve_end_finish (MAIL_OUTGOING (source), result, &error))
    {
      GError *message_error = error;

      /* The end of data was never sent: the server does not have the message. */
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          message_error = g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                       _("Not sent: the end of the message was held back (%s)"),
                                       error->message);
          g_error_free (error);
        }
      abandon_body (g_steal_pointer (&task), message_error);
      return;
    }
  if (!encode (data, data->chunk, 0, TRUE, &error))
    {
      abandon_body (g_steal_pointer (&task), error);
      return;
    }
  data->terminator_sent = TRUE;
  write_encoded (g_steal_pointer (&task));
}

static void
on_body_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  TransactionData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_prefix_error (&error, _("Could not read the message: "));
      abandon_body (g_steal_pointer (&task), error);
      return;
    }
  data->body_bytes_read += (guint64) n;
  if (n == 0)
    {
      /* The host records that the message is in flight before the server can have it. */
      GTask *owned = g_steal_pointer (&task);

      mail_outgoing_approve_end_async (data->message, g_task_get_cancellable (owned), on_end_approved, owned);
      return;
    }
  if (!encode (data, data->chunk, (gsize) n, FALSE, &error))
    {
      abandon_body (g_steal_pointer (&task), error);
      return;
    }
  write_encoded (g_steal_pointer (&task));
}

static void
read_body_chunk (GTask *task)
{
  TransactionData *data = g_task_get_task_data (task);

  g_input_stream_read_async (mail_outgoing_get_content (data->message), data->chunk, BODY_CHUNK,
                             G_PRIORITY_DEFAULT, g_task_get_cancellable (task), on_body_read, task);
}

static void
stream_body (GTask *task)
{
  TransactionData *data = g_task_get_task_data (task);

  if (data->context.transcript != NULL)
    {
      g_autofree char *note = g_strdup_printf ("<message body, %" G_GOFFSET_FORMAT " octets>",
                                               mail_outgoing_get_size (data->message));

      o365_transcript_client_commands (data->context.transcript, note);
    }
  data->encoder = G_CONVERTER (o365_body_encoder_new ());
  data->chunk = g_malloc (BODY_CHUNK);
  data->encoded = g_byte_array_sized_new (2 * BODY_CHUNK + 64);
  read_body_chunk (task);
}

/* --- start ---------------------------------------------------------------------------------- */

void
o365_smtp_transaction_run_async (const O365SmtpTransactionContext *context,
                                 MailOutgoing *message,
                                 MailSubmission *submission,
                                 GCancellable *cancellable,
                                 GAsyncReadyCallback callback,
                                 gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (context->channel, cancellable, callback, user_data);
  g_autoptr (GPtrArray) envelope = NULL;
  TransactionData *data;
  GError *error = NULL;

  g_task_set_source_tag (task, o365_smtp_transaction_run_async);
  data = g_new0 (TransactionData, 1);
  data->context = *context;
  data->message = g_object_ref (message);
  data->submission = g_object_ref (submission);
  data->needs_reset = context->reset_first;
  data->pipelined = context->capabilities->pipelining;
  g_task_set_task_data (task, data, (GDestroyNotify) transaction_data_free);

  /* Checked before anything is sent, so a bad message costs nothing and the session goes on. */
  envelope = o365_smtp_envelope_build_commands (message, context->capabilities, &error);
  if (envelope == NULL)
    {
      refuse (data, error, NULL);
      finish_usable (g_steal_pointer (&task));
      return;
    }

  data->commands = g_ptr_array_new_with_free_func (g_free);
  if (context->reset_first)
    g_ptr_array_add (data->commands, g_strdup ("RSET\r\n"));
  data->first_rcpt = data->commands->len + 1;
  for (guint i = 0; i < envelope->len; i++)
    g_ptr_array_add (data->commands, g_steal_pointer (&g_ptr_array_index (envelope, i)));

  if (data->pipelined)
    write_commands (g_steal_pointer (&task), 0, data->commands->len);
  else
    send_next_command (g_steal_pointer (&task));
}

gboolean
o365_smtp_transaction_run_finish (GAsyncResult *result, gboolean *needs_reset, GError **error)
{
  TransactionData *data;

  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_smtp_transaction_run_async, FALSE);

  data = g_task_get_task_data (G_TASK (result));
  if (needs_reset != NULL)
    *needs_reset = data->needs_reset;
  return g_task_propagate_boolean (G_TASK (result), error);
}
