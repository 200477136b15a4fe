/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-channel.c — bounded reply reading and single-write flights. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-transport-error.h"
#include "o365-deadline.h"
#include "o365-smtp-channel.h"
#include "o365-smtp-reply.h"

#define READ_CHUNK 16384

struct _O365SmtpChannel
{
  GObject parent_instance;

  GIOStream *stream;
  O365Transcript *transcript;
  guint timeout_ms;
  GByteArray *pending; /* received, not yet consumed; never more than one line + a chunk */
  O365SmtpReplyParser *parser;
  gboolean busy_reading;
};

G_DEFINE_FINAL_TYPE (O365SmtpChannel, o365_smtp_channel, G_TYPE_OBJECT)

static void
o365_smtp_channel_finalize (GObject *object)
{
  O365SmtpChannel *self = O365_SMTP_CHANNEL (object);

  g_clear_object (&self->stream);
  g_clear_pointer (&self->transcript, o365_transcript_unref);
  g_byte_array_unref (self->pending);
  o365_smtp_reply_parser_free (self->parser);

  G_OBJECT_CLASS (o365_smtp_channel_parent_class)->finalize (object);
}

static void
o365_smtp_channel_class_init (O365SmtpChannelClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = o365_smtp_channel_finalize;
}

static void
o365_smtp_channel_init (O365SmtpChannel *self)
{
  self->pending = g_byte_array_new ();
  self->parser = o365_smtp_reply_parser_new ();
}

O365SmtpChannel *
o365_smtp_channel_new (GIOStream *stream, O365Transcript *transcript)
{
  O365SmtpChannel *self;

  g_return_val_if_fail (G_IS_IO_STREAM (stream), NULL);

  self = g_object_new (O365_TYPE_SMTP_CHANNEL, NULL);
  self->stream = g_object_ref (stream);
  self->transcript = transcript != NULL ? o365_transcript_ref (transcript) : NULL;
  return self;
}

GIOStream *
o365_smtp_channel_get_stream (O365SmtpChannel *self)
{
  g_return_val_if_fail (O365_IS_SMTP_CHANNEL (self), NULL);
  return self->stream;
}

void
o365_smtp_channel_set_timeout (O365SmtpChannel *self, guint timeout_ms)
{
  g_return_if_fail (O365_IS_SMTP_CHANNEL (self));
  self->timeout_ms = timeout_ms;
}

gboolean
o365_smtp_channel_has_buffered_input (O365SmtpChannel *self)
{
  g_return_val_if_fail (O365_IS_SMTP_CHANNEL (self), FALSE);
  return self->pending->len > 0;
}

GError *
o365_smtp_network_error (GError *io_error, gboolean timed_out, const char *doing)
{
  g_autoptr (GError) owned = io_error;

  if (timed_out)
    return g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TIMEOUT,
                        _("The server did not respond in time while %s"), doing);
  if (g_error_matches (owned, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
      owned->domain == MAIL_TRANSPORT_ERROR)
    return g_steal_pointer (&owned);
  if (owned->domain == G_TLS_ERROR)
    return g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TLS,
                        _("Secure connection failed while %s: %s"), doing, owned->message);
  return g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                      _("The connection to the server was lost while %s: %s"), doing,
                      owned->message);
}

/* --- reading a reply ------------------------------------------------------------------------ */

typedef struct
{
  O365Deadline *deadline;
  guint8 buffer[READ_CHUNK];
} ReadData;

static void
read_data_free (ReadData *data)
{
  o365_deadline_free (data->deadline);
  g_free (data);
}

static void read_more (GTask *task);

/* Consumes complete lines from `pending`. Returns TRUE when the task was completed. */
static gboolean
parse_pending (GTask *task)
{
  O365SmtpChannel *self = g_task_get_source_object (task);

  for (;;)
    {
      /* An empty GByteArray may have no data at all, and memchr (NULL, …) is undefined. */
      guint8 *newline = self->pending->len > 0 ? memchr (self->pending->data, '\n', self->pending->len)
                                               : NULL;
      gsize line_length, consumed;
      GError *error = NULL;

      if (newline == NULL)
        {
          if (self->pending->len > O365_SMTP_REPLY_MAX_LINE + 1)
            {
              g_task_return_new_error (task, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                                       _("The server sent a reply line longer than %d octets"),
                                       O365_SMTP_REPLY_MAX_LINE);
              return TRUE;
            }
          return FALSE;
        }

      consumed = (gsize) (newline - self->pending->data) + 1;
      line_length = consumed - 1;
      if (line_length > 0 && self->pending->data[line_length - 1] == '\r')
        line_length--;

      switch (o365_smtp_reply_parser_feed_line (self->parser, (const char *) self->pending->data,
                                                line_length, &error))
        {
        case O365_SMTP_REPLY_NEED_MORE:
          g_byte_array_remove_range (self->pending, 0, consumed);
          break;
        case O365_SMTP_REPLY_COMPLETE:
          {
            MailReply *reply;

            g_byte_array_remove_range (self->pending, 0, consumed);
            reply = o365_smtp_reply_parser_take_reply (self->parser);
            o365_transcript_server (self->transcript, reply);
            g_task_return_pointer (task, reply, (GDestroyNotify) mail_reply_unref);
            return TRUE;
          }
        case O365_SMTP_REPLY_INVALID:
        default:
          g_task_return_error (task, error);
          return TRUE;
        }
    }
}

static void
on_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  O365SmtpChannel *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  self->busy_reading = FALSE;
  if (n < 0)
    {
      g_task_return_error (task, o365_smtp_network_error (error, o365_deadline_expired (data->deadline),
                                                          _("waiting for a reply")));
      return;
    }
  if (n == 0)
    {
      g_task_return_new_error (task, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                               _("The server closed the connection without replying"));
      return;
    }
  g_byte_array_append (self->pending, data->buffer, (guint) n);
  if (!parse_pending (task))
    read_more (g_steal_pointer (&task));
}

static void
read_more (GTask *task)
{
  O365SmtpChannel *self = g_task_get_source_object (task);
  ReadData *data = g_task_get_task_data (task);

  self->busy_reading = TRUE;
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), data->buffer,
                             sizeof data->buffer, G_PRIORITY_DEFAULT,
                             o365_deadline_get_cancellable (data->deadline), on_read, task);
}

void
o365_smtp_channel_read_reply_async (O365SmtpChannel *self,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  ReadData *data;

  g_return_if_fail (O365_IS_SMTP_CHANNEL (self));
  g_return_if_fail (!self->busy_reading);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_smtp_channel_read_reply_async);
  data = g_new0 (ReadData, 1);
  g_task_set_task_data (task, data, (GDestroyNotify) read_data_free);

  /* A pipelined flight's replies may already be buffered. */
  if (parse_pending (task))
    return;
  data->deadline = o365_deadline_new (self->timeout_ms, cancellable);
  read_more (g_steal_pointer (&task));
}

MailReply *
o365_smtp_channel_read_reply_finish (O365SmtpChannel *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_smtp_channel_read_reply_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- writing a flight ----------------------------------------------------------------------- */

typedef struct
{
  O365Deadline *deadline;
  GBytes *data;
} WriteData;

static void
write_data_free (WriteData *data)
{
  o365_deadline_free (data->deadline);
  g_bytes_unref (data->data);
  g_free (data);
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  WriteData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_task_return_error (task, o365_smtp_network_error (error, o365_deadline_expired (data->deadline),
                                                        _("sending")));
  else
    g_task_return_boolean (task, TRUE);
}

void
o365_smtp_channel_write_async (O365SmtpChannel *self,
                               GBytes *bytes,
                               GCancellable *cancellable,
                               GAsyncReadyCallback callback,
                               gpointer user_data)
{
  GTask *task;
  WriteData *data;
  gsize length = 0;
  gconstpointer buffer;

  g_return_if_fail (O365_IS_SMTP_CHANNEL (self));
  g_return_if_fail (bytes != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_smtp_channel_write_async);
  data = g_new0 (WriteData, 1);
  data->deadline = o365_deadline_new (self->timeout_ms, cancellable);
  data->data = bytes;
  g_task_set_task_data (task, data, (GDestroyNotify) write_data_free);

  /* Every reply read so far has been consumed by the command it answers, so bytes still waiting
   * here answer commands not yet sent: an early "220" for a STARTTLS, a "250" for a final dot
   * never written. Taking them as answers would let the server (or an attacker before TLS)
   * skip steps. */
  if (self->pending->len > 0)
    {
      g_task_return_new_error (task, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                               _("The server sent replies to commands that were never sent "
                                 "(out of step, or a response injection); the connection was "
                                 "closed."));
      g_object_unref (task);
      return;
    }

  buffer = g_bytes_get_data (bytes, &length);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), buffer, length,
                                   G_PRIORITY_DEFAULT, o365_deadline_get_cancellable (data->deadline),
                                   on_written, task);
}

gboolean
o365_smtp_channel_write_finish (O365SmtpChannel *self, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_smtp_channel_write_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
