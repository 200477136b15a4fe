/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-connection.c — buffered, recorded I/O on one client connection of the test server.
 * Bytes are recorded when they are consumed, not when they are read, so the recording holds exactly
 * what the client sent in order, with the TLS boundary at the right byte. */
#include "config.h"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <string.h>

#include "smtp-test-connection.h"
#include "smtp-test-data.h"
#include "smtp-test-tls.h"

#define READ_CHUNK (64 * 1024)
/* Bounds the memory a misbehaving client can make the recording take. */
#define MAX_RECORDED (64 * 1024 * 1024)
/* Bounds every wait for the client (and for the client to take our bytes). */
#define IDLE_TIMEOUT_S 60

struct _SmtpTestConnection {
  GObject parent_instance;

  GIOStream *stream;    /* the TCP connection, then what STARTTLS made of it; NULL once closed */
  GByteArray *buffer;   /* read from the client, not consumed yet */
  guint8 *chunk;        /* target of the pending read */
  gboolean eof;
  GByteArray *received;
  gssize tls_offset;
  gboolean record_bodies;
  guint round_trips;
  char *peer;
};

G_DEFINE_FINAL_TYPE (SmtpTestConnection, smtp_test_connection, G_TYPE_OBJECT)

/* First member of the task data of every reading operation. */
typedef struct {
  /* Runs again whenever more bytes arrived; takes over the task reference. */
  void (*step) (GTask *task);
  gboolean waited;
} ReadOp;

typedef struct {
  ReadOp op;
  SmtpTestDataDecoder decoder;
  GOutputStream *sink;
  GByteArray *out;
  guint64 written;
  gboolean done;
} DataOp;

static void
data_op_free (DataOp *data)
{
  g_clear_object (&data->sink);
  g_byte_array_unref (data->out);
  g_free (data);
}

static void
smtp_test_connection_finalize (GObject *object)
{
  SmtpTestConnection *self = SMTP_TEST_CONNECTION (object);

  g_clear_object (&self->stream);
  g_byte_array_unref (self->buffer);
  g_byte_array_unref (self->received);
  g_free (self->chunk);
  g_free (self->peer);
  G_OBJECT_CLASS (smtp_test_connection_parent_class)->finalize (object);
}

static void
smtp_test_connection_class_init (SmtpTestConnectionClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = smtp_test_connection_finalize;
}

static void
smtp_test_connection_init (SmtpTestConnection *self)
{
  self->buffer = g_byte_array_new ();
  self->received = g_byte_array_new ();
  self->chunk = g_malloc (READ_CHUNK);
  self->tls_offset = -1;
  self->record_bodies = TRUE;
}

SmtpTestConnection *
smtp_test_connection_new (GSocketConnection *tcp)
{
  SmtpTestConnection *self = g_object_new (SMTP_TEST_TYPE_CONNECTION, NULL);
  GSocket *socket = g_socket_connection_get_socket (tcp);
  g_autoptr (GSocketAddress) address = g_socket_connection_get_remote_address (tcp, NULL);

  g_socket_set_timeout (socket, IDLE_TIMEOUT_S);
  /* Each reply flight is one write; without this, Nagle would delay a flight behind the last. */
  g_socket_set_option (socket, IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  self->stream = G_IO_STREAM (g_object_ref (tcp));
  if (G_IS_INET_SOCKET_ADDRESS (address))
    {
      GInetSocketAddress *inet = G_INET_SOCKET_ADDRESS (address);
      g_autofree char *ip = g_inet_address_to_string (g_inet_socket_address_get_address (inet));

      self->peer = g_strdup_printf ("%s:%u", ip, g_inet_socket_address_get_port (inet));
    }
  else
    self->peer = g_strdup ("unknown peer");
  return self;
}

void
smtp_test_connection_set_record_bodies (SmtpTestConnection *self, gboolean record)
{
  self->record_bodies = record;
}

GBytes *
smtp_test_connection_get_received (SmtpTestConnection *self)
{
  return g_bytes_new (self->received->data, self->received->len);
}

gssize
smtp_test_connection_get_tls_offset (SmtpTestConnection *self)
{
  return self->tls_offset;
}

guint
smtp_test_connection_get_round_trips (SmtpTestConnection *self)
{
  return self->round_trips;
}

const char *
smtp_test_connection_get_peer (SmtpTestConnection *self)
{
  return self->peer;
}

/* Takes @length buffered bytes, recording them when @record. */
static gboolean
consume (SmtpTestConnection *self, gsize length, gboolean record, GError **error)
{
  gboolean fits = self->received->len + length <= MAX_RECORDED;

  if (record && fits)
    g_byte_array_append (self->received, self->buffer->data, length);
  g_byte_array_remove_range (self->buffer, 0, length);
  if (record && !fits)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE,
                   "The client sent more than %u bytes", MAX_RECORDED);
      return FALSE;
    }
  return TRUE;
}

static const guint8 *
find_crlf (SmtpTestConnection *self)
{
  /* An empty GByteArray may have no data pointer at all. */
  if (self->buffer->len < 2)
    return NULL;
  return memmem (self->buffer->data, self->buffer->len, "\r\n", 2);
}

gboolean
smtp_test_connection_has_line (SmtpTestConnection *self)
{
  return find_crlf (self) != NULL;
}

static void
return_error (GTask *task, GError *error)
{
  g_task_return_error (task, error);
  g_object_unref (task);
}

static void
return_closed (GTask *task)
{
  return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED,
                                           "The client closed the connection"));
}

static void
on_filled (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  SmtpTestConnection *self = g_task_get_source_object (task);
  ReadOp *op = g_task_get_task_data (task);
  GError *error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      return_error (task, error);
      return;
    }
  if (n == 0)
    self->eof = TRUE;
  else
    g_byte_array_append (self->buffer, self->chunk, n);
  op->step (task);
}

/* Waits for more bytes from the client; takes over the task reference. */
static void
fill (GTask *task)
{
  SmtpTestConnection *self = g_task_get_source_object (task);
  ReadOp *op = g_task_get_task_data (task);

  if (self->stream == NULL)
    {
      return_closed (task);
      return;
    }
  op->waited = TRUE;
  g_input_stream_read_async (g_io_stream_get_input_stream (self->stream), self->chunk, READ_CHUNK,
                             G_PRIORITY_DEFAULT, g_task_get_cancellable (task), on_filled, task);
}

static void
read_line_step (GTask *task)
{
  SmtpTestConnection *self = g_task_get_source_object (task);
  ReadOp *op = g_task_get_task_data (task);
  const guint8 *crlf = find_crlf (self);
  gsize length = crlf != NULL ? (gsize) (crlf - self->buffer->data) : self->buffer->len;
  GError *error = NULL;

  if (crlf != NULL && length <= SMTP_TEST_MAX_LINE)
    {
      g_autoptr (GBytes) line = g_bytes_new (self->buffer->data, length);

      if (!consume (self, length + 2, TRUE, &error))
        {
          return_error (task, error);
          return;
        }
      if (op->waited)
        self->round_trips++;
      g_task_return_pointer (task, g_steal_pointer (&line), (GDestroyNotify) g_bytes_unref);
      g_object_unref (task);
      return;
    }
  /* Without a CRLF yet, the last byte may be the CR of a line of exactly the maximum. */
  if (length > SMTP_TEST_MAX_LINE + (crlf == NULL) || self->eof)
    {
      gboolean too_long = !self->eof;

      /* Whatever came is still part of the recording. */
      if (!consume (self, self->buffer->len, TRUE, &error))
        return_error (task, error);
      else if (too_long)
        return_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                                         "The client sent a line longer than %u bytes",
                                         SMTP_TEST_MAX_LINE));
      else
        return_closed (task);
      return;
    }
  fill (task);
}

void
smtp_test_connection_read_line_async (SmtpTestConnection  *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ReadOp *op = g_new0 (ReadOp, 1);

  g_task_set_source_tag (task, smtp_test_connection_read_line_async);
  op->step = read_line_step;
  g_task_set_task_data (task, op, g_free);
  read_line_step (task);
}

GBytes *
smtp_test_connection_read_line_finish (SmtpTestConnection *self,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void read_data_step (GTask *task);

static void
on_data_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  DataOp *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    {
      return_error (task, error);
      return;
    }
  data->written += data->out->len;
  g_byte_array_set_size (data->out, 0);
  read_data_step (task);
}

static void
read_data_step (GTask *task)
{
  SmtpTestConnection *self = g_task_get_source_object (task);
  DataOp *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!data->done && self->buffer->len > 0)
    {
      gsize used = smtp_test_data_decoder_feed (&data->decoder, self->buffer->data,
                                                self->buffer->len, data->out, &data->done);

      if (!consume (self, used, self->record_bodies, &error))
        {
          return_error (task, error);
          return;
        }
    }
  /* One chunk at a time goes to the sink, so a large body never sits in memory. */
  if (data->out->len > 0)
    {
      g_output_stream_write_all_async (data->sink, data->out->data, data->out->len,
                                       G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                       on_data_written, task);
      return;
    }
  if (data->done)
    {
      if (data->op.waited)
        self->round_trips++;
      g_task_return_pointer (task, g_memdup2 (&data->written, sizeof data->written), g_free);
      g_object_unref (task);
      return;
    }
  if (self->eof)
    {
      return_closed (task);
      return;
    }
  fill (task);
}

void
smtp_test_connection_read_data_async (SmtpTestConnection  *self,
                                      gboolean             unstuff,
                                      GOutputStream       *sink,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  DataOp *data = g_new0 (DataOp, 1);

  g_task_set_source_tag (task, smtp_test_connection_read_data_async);
  data->op.step = read_data_step;
  smtp_test_data_decoder_init (&data->decoder, unstuff);
  data->sink = g_object_ref (sink);
  data->out = g_byte_array_new ();
  g_task_set_task_data (task, data, (GDestroyNotify) data_op_free);
  read_data_step (task);
}

guint64
smtp_test_connection_read_data_finish (SmtpTestConnection *self,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  g_autofree guint64 *written = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  written = g_task_propagate_pointer (G_TASK (result), error);
  return written != NULL ? *written : 0;
}

static void
read_part_step (GTask *task)
{
  SmtpTestConnection *self = g_task_get_source_object (task);
  gsize length = MIN (self->buffer->len, READ_CHUNK);
  GError *error = NULL;

  if (length > 0)
    {
      if (!consume (self, length, self->record_bodies, &error))
        return_error (task, error);
      else
        {
          g_task_return_pointer (task, g_memdup2 (&length, sizeof length), g_free);
          g_object_unref (task);
        }
      return;
    }
  if (self->eof)
    {
      return_closed (task);
      return;
    }
  fill (task);
}

void
smtp_test_connection_read_part_async (SmtpTestConnection  *self,
                                      GCancellable        *cancellable,
                                      GAsyncReadyCallback  callback,
                                      gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ReadOp *op = g_new0 (ReadOp, 1);

  g_task_set_source_tag (task, smtp_test_connection_read_part_async);
  op->step = read_part_step;
  g_task_set_task_data (task, op, g_free);
  read_part_step (task);
}

gsize
smtp_test_connection_read_part_finish (SmtpTestConnection *self,
                                       GAsyncResult       *result,
                                       GError            **error)
{
  g_autofree gsize *length = NULL;

  g_return_val_if_fail (g_task_is_valid (result, self), 0);
  length = g_task_propagate_pointer (G_TASK (result), error);
  return length != NULL ? *length : 0;
}

static void
drain_step (GTask *task)
{
  SmtpTestConnection *self = g_task_get_source_object (task);
  GError *error = NULL;

  if (!consume (self, self->buffer->len, TRUE, &error))
    return_error (task, error);
  else if (self->eof)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
    }
  else
    fill (task);
}

void
smtp_test_connection_drain_async (SmtpTestConnection  *self,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  ReadOp *op = g_new0 (ReadOp, 1);

  g_task_set_source_tag (task, smtp_test_connection_drain_async);
  op->step = drain_step;
  g_task_set_task_data (task, op, g_free);
  drain_step (task);
}

gboolean
smtp_test_connection_drain_finish (SmtpTestConnection *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_written (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
smtp_test_connection_write_async (SmtpTestConnection  *self,
                                  GBytes              *bytes,
                                  GCancellable        *cancellable,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  gsize size;
  const void *data = g_bytes_get_data (bytes, &size);

  g_task_set_source_tag (task, smtp_test_connection_write_async);
  g_task_set_task_data (task, g_bytes_ref (bytes), (GDestroyNotify) g_bytes_unref);
  if (self->stream == NULL)
    {
      return_closed (task);
      return;
    }
  g_output_stream_write_all_async (g_io_stream_get_output_stream (self->stream), data, size,
                                   G_PRIORITY_DEFAULT, cancellable, on_written, task);
}

gboolean
smtp_test_connection_write_finish (SmtpTestConnection *self,
                                   GAsyncResult       *result,
                                   GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
on_upgraded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  SmtpTestConnection *self = g_task_get_source_object (task);
  GError *error = NULL;
  char *protocol = NULL;
  GIOStream *stream = smtp_test_tls_upgrade_finish (result, &protocol, &error);

  if (stream == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_clear_object (&self->stream);
  self->stream = stream;
  self->eof = FALSE;
  g_task_return_pointer (task, protocol, g_free);
}

void
smtp_test_connection_starttls_async (SmtpTestConnection  *self,
                                     const char          *cert_dir,
                                     const char          *cert_name,
                                     GTlsProtocolVersion  max_version,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, smtp_test_connection_starttls_async);
  if (self->stream == NULL)
    {
      return_closed (task);
      return;
    }
  if (!consume (self, self->buffer->len, TRUE, &error))
    {
      return_error (task, error);
      return;
    }
  self->tls_offset = self->received->len;
  smtp_test_tls_upgrade_async (self->stream, cert_dir, cert_name, max_version, cancellable,
                               on_upgraded, task);
}

char *
smtp_test_connection_starttls_finish (SmtpTestConnection *self,
                                      GAsyncResult       *result,
                                      GError            **error)
{
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
on_closed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;

  /* A client that is already gone makes close_notify fail: the connection is closed either way. */
  g_io_stream_close_finish (G_IO_STREAM (source), result, NULL);
  g_task_return_boolean (task, TRUE);
}

void
smtp_test_connection_close_async (SmtpTestConnection  *self,
                                  GAsyncReadyCallback  callback,
                                  gpointer             user_data)
{
  GTask *task = g_task_new (self, NULL, callback, user_data);
  g_autoptr (GIOStream) stream = g_steal_pointer (&self->stream);

  g_task_set_source_tag (task, smtp_test_connection_close_async);
  if (stream == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_io_stream_close_async (stream, G_PRIORITY_DEFAULT, NULL, on_closed, task);
}

void
smtp_test_connection_close_finish (SmtpTestConnection *self, GAsyncResult *result)
{
  g_return_if_fail (g_task_is_valid (result, self));
  g_task_propagate_boolean (G_TASK (result), NULL);
}
