/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-graph-transport.c — MailTransport over Microsoft Graph's sendMail. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <json-glib/json-glib.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "o365-connection-gate.h"
#include "o365-graph-explain.h"
#include "o365-graph-line-ends.h"
#include "o365-graph-message-split.h"
#include "o365-graph-mime-encoder.h"
#include "o365-graph-transport.h"
#include "o365-oauth2-errors.h"
#include "o365-oauth2-tokens.h"
#include "o365-transport-steps.h"

/* Graph gives no message id in its 202: the final reply says what is known. */
#define ACCEPTED_TEXT "accepted by Microsoft Graph"

/* Graph takes about 4 MB per request, base64 included: messages over 3 MiB go as a draft whose
 * large attachments are uploaded in upload sessions (up to 150 MB each). */
#define REQUEST_LIMIT (3 * 1024 * 1024)
/* Upload-session chunks are multiples of 320 KiB (Graph's rule), at most 60 MiB. */
#define CHUNK_SIZE (4 * 320 * 1024)

struct _O365GraphTransport
{
  GObject parent_instance;

  char *account_id;
  char *address;
  char *endpoint;
  O365OAuth2Client *client;
  SoupSession *session;
};

static void o365_graph_transport_mail_transport_init (MailTransportInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (O365GraphTransport, o365_graph_transport, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (MAIL_TYPE_TRANSPORT,
                                                      o365_graph_transport_mail_transport_init))

static void
o365_graph_transport_finalize (GObject *object)
{
  O365GraphTransport *self = O365_GRAPH_TRANSPORT (object);

  g_free (self->account_id);
  g_free (self->address);
  g_free (self->endpoint);
  g_clear_object (&self->client);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (o365_graph_transport_parent_class)->finalize (object);
}

static void
o365_graph_transport_class_init (O365GraphTransportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = o365_graph_transport_finalize;
}

static void
o365_graph_transport_init (O365GraphTransport *self)
{
}

O365GraphTransport *
o365_graph_transport_new (const char *account_id,
                          const char *address,
                          const char *endpoint,
                          O365OAuth2Client *client,
                          guint timeout_s)
{
  O365GraphTransport *self;

  g_return_val_if_fail (account_id != NULL && address != NULL && endpoint != NULL, NULL);
  g_return_val_if_fail (O365_IS_OAUTH2_CLIENT (client), NULL);

  self = g_object_new (O365_TYPE_GRAPH_TRANSPORT, NULL);
  self->account_id = g_strdup (account_id);
  self->address = g_strdup (address);
  self->endpoint = g_strdup (endpoint);
  while (g_str_has_suffix (self->endpoint, "/"))
    self->endpoint[strlen (self->endpoint) - 1] = '\0';
  self->client = g_object_ref (client);
  self->session = soup_session_new_with_options ("timeout", timeout_s, "user-agent",
                                                 "o365-account/" PACKAGE_VERSION,
                                                 NULL);
  return self;
}

/* --- one operation: the gate, the token, requests ------------------------------------------ */

typedef void (*RequestFunc) (GTask *task);

typedef struct
{
  GPtrArray *messages;    /* MailOutgoing (submit only) */
  GPtrArray *submissions; /* MailSubmission, same order (submit only) */
  guint next;
  char *token;
  gboolean gate_held;
  gboolean token_retried;
  gboolean body_written; /* the current request's body went out entirely */
  RequestFunc request;   /* what to do once the token is there */
  gboolean start_known;  /* content_start is set for the current message */
  goffset content_start; /* where the current message starts in its stream; -1: not seekable */
  GInputStream *counting; /* the body read once to learn its length */
  guint64 counted;
  guint8 *count_buffer;
  /* A message over REQUEST_LIMIT: the draft, the part being uploaded, the first error. */
  O365GraphSplit *split;
  char *draft_id;
  guint part;
  char *upload_url;
  guint64 uploaded; /* of the current part */
  guint64 uploaded_total;
  GBytes *chunk;
  GError *failure;    /* reported once the draft is deleted */
  MailReply *failure_reply;
} OperationData;

static void
large_reset (OperationData *data)
{
  g_clear_pointer (&data->split, o365_graph_split_free);
  g_clear_pointer (&data->draft_id, g_free);
  g_clear_pointer (&data->upload_url, g_free);
  g_clear_pointer (&data->chunk, g_bytes_unref);
  g_clear_error (&data->failure);
  g_clear_pointer (&data->failure_reply, mail_reply_unref);
  data->part = 0;
  data->uploaded = data->uploaded_total = 0;
}

static void
operation_data_free (OperationData *data)
{
  g_clear_pointer (&data->messages, g_ptr_array_unref);
  g_clear_pointer (&data->submissions, g_ptr_array_unref);
  g_clear_pointer (&data->token, secret_password_free);
  g_clear_object (&data->counting);
  g_free (data->count_buffer);
  large_reset (data);
  g_free (data);
}

#define note(self, ...) o365_transport_note (MAIL_TRANSPORT (self), __VA_ARGS__)

static void
complete (GTask *task, GError *error, gpointer result, GDestroyNotify result_free)
{
  O365GraphTransport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);

  o365_transport_complete (task, self->account_id, &data->gate_held, error, result, result_free);
}

static void
on_token (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  GError *error = NULL;
  char *token = o365_oauth2_tokens_get_finish (result, NULL, NULL, &error);

  if (token == NULL)
    {
      complete (task, o365_oauth2_error_to_transport_error (error), NULL, NULL);
      return;
    }
  g_clear_pointer (&data->token, secret_password_free);
  data->token = token;
  data->request (task);
}

static void
request_token (GTask *task, gboolean force_refresh)
{
  O365GraphTransport *self = g_task_get_source_object (task);

  o365_oauth2_tokens_get_async (self->client, self->account_id, self->address, force_refresh,
                                g_task_get_cancellable (task), on_token, task);
}

static void
on_gate_acquired (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!o365_connection_gate_acquire_finish (result, &error))
    {
      complete (task, error, NULL, NULL);
      return;
    }
  data->gate_held = TRUE;
  request_token (task, FALSE);
}

static void
start_operation (O365GraphTransport *self,
                 gpointer source_tag,
                 OperationData *data,
                 GCancellable *cancellable,
                 GAsyncReadyCallback callback,
                 gpointer user_data)
{
  o365_transport_start_operation (self, source_tag, self->account_id, data, (GDestroyNotify) operation_data_free,
                                  cancellable, on_gate_acquired, callback, user_data);
}

static SoupMessage *
new_request (GTask *task, const char *method, const char *path)
{
  O365GraphTransport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  g_autofree char *uri = g_strconcat (self->endpoint, path, NULL);
  g_autofree char *authorization = g_strconcat ("Bearer ", data->token, NULL);
  SoupMessage *message = soup_message_new (method, uri);

  soup_message_headers_replace (soup_message_get_request_headers (message), "Authorization", authorization);
  /* The header's copy lives as long as the message; this one is wiped now. */
  memset (authorization, 0, strlen (authorization));
  note (self, "Graph: %s %s (Authorization: Bearer <token redacted>)", method, uri);
  return message;
}

/* Retry-After in seconds (Graph sends seconds), 0 when absent or not a number. */
static guint
retry_after (SoupMessage *message)
{
  const char *value = soup_message_headers_get_one (soup_message_get_response_headers (message), "Retry-After");
  guint64 seconds;

  if (value == NULL || !g_ascii_string_to_unsigned (value, 10, 0, 24 * 60 * 60, &seconds, NULL))
    return 0;
  return (guint) seconds;
}

/* The refused token is renewed once and the request made once more. */
static gboolean
retry_with_new_token (GTask *task, SoupMessage *message)
{
  O365GraphTransport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);

  if (soup_message_get_status (message) != SOUP_STATUS_UNAUTHORIZED || data->token_retried)
    return FALSE;
  data->token_retried = TRUE;
  note (self, "OAuth2: Microsoft Graph refused the access token; renewing it and trying once more");
  request_token (task, TRUE);
  return TRUE;
}

/* --- submit --------------------------------------------------------------------------------- */

static void send_next (GTask *task);

/* "Bcc:" for the envelope's recipients: Graph takes the recipients from the MIME headers and
 * delivers to Bcc without showing it to anyone. Folded, so no line is too long. */
static GBytes *
envelope_header (MailOutgoing *message)
{
  const char *const *recipients = mail_outgoing_get_recipients (message);
  GString *header = g_string_new ("Bcc: ");

  for (guint i = 0; recipients[i] != NULL; i++)
    g_string_append_printf (header, "%s%s", i > 0 ? ",\r\n " : "", recipients[i]);
  g_string_append (header, "\r\n");
  return g_string_free_to_bytes (header);
}

static void
on_wrote_body (SoupMessage *message, gpointer user_data)
{
  OperationData *data = user_data;

  data->body_written = TRUE;
}

static void
on_wrote_body_data (SoupMessage *message, guint chunk_size, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  MailOutgoing *outgoing = g_ptr_array_index (data->messages, data->next);
  guint64 *sent = g_object_get_data (G_OBJECT (message), "o365-sent");

  /* Progress in message bytes: base64 carries three in four. */
  *sent += chunk_size;
  mail_transport_emit_progress (g_task_get_source_object (task), outgoing, *sent / 4 * 3,
                                mail_outgoing_get_size (outgoing));
}

static void post_current (GTask *task);

static void
advance (GTask *task)
{
  OperationData *data = g_task_get_task_data (task);

  data->next++;
  data->token_retried = FALSE;
  data->start_known = FALSE;
  large_reset (data);
  data->request = send_next;
  send_next (task);
}

static void
fail_current (GTask *task, GError *error, MailReply *reply)
{
  OperationData *data = g_task_get_task_data (task);

  mail_submission_set_failed (g_ptr_array_index (data->submissions, data->next), error, reply);
  advance (task);
}

static GError *
network_error (OperationData *data, const GError *error)
{
  /* Once the whole request is out, Graph may have sent the message: never resend blindly. */
  if (data->body_written)
    return g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_STATUS_UNKNOWN,
                        _("The connection to Microsoft Graph broke after the message was sent: it "
                          "may or may not have been delivered (%s)"), error->message);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TIMEOUT,
                        _("Microsoft Graph did not answer in time (%s)"), error->message);
  return g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_CONNECT,
                      _("Could not reach Microsoft Graph (%s)"), error->message);
}

static void
on_posted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365GraphTransport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  MailSubmission *submission = g_ptr_array_index (data->submissions, data->next);
  MailOutgoing *outgoing = g_ptr_array_index (data->messages, data->next);
  g_autofree char *graph_code = NULL;
  guint status, seconds;

  if (body == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          fail_current (task, g_steal_pointer (&error), NULL);
          return;
        }
      fail_current (task, network_error (data, error), NULL);
      return;
    }
  status = soup_message_get_status (message);
  note (self, "Graph: HTTP %u %s", status, soup_message_get_reason_phrase (message));
  if (status == SOUP_STATUS_ACCEPTED)
    {
      g_autoptr (MailReply) reply = mail_reply_new (202, NULL, ACCEPTED_TEXT);

      mail_submission_set_sent (submission, reply);
      advance (task);
      return;
    }
  if (retry_with_new_token (task, message))
    return;
  graph_code = o365_graph_error_code_from_body (body);
  seconds = retry_after (message);
  mail_submission_set_retry_after (submission, seconds);
  {
    g_autoptr (MailReply) reply = status >= 200 && status <= 599
                                    ? mail_reply_new (status, NULL, graph_code) : NULL;

    fail_current (task, o365_graph_error_new (status, graph_code, seconds, mail_outgoing_get_size (outgoing)),
                  reply);
  }
}

/* The request body: the message with SMTP's line ends (o365-graph-line-ends.h) behind the
 * Bcc header, in base64. Streamed: a few buffers whatever the message size. The message's own
 * stream stays open for a second read. */
static GInputStream *
new_body (MailOutgoing *outgoing)
{
  g_autoptr (GBytes) prefix = envelope_header (outgoing);
  g_autoptr (O365GraphLineEnds) line_ends = o365_graph_line_ends_new ();
  g_autoptr (O365GraphMimeEncoder) encoder = o365_graph_mime_encoder_new (prefix);
  g_autoptr (GInputStream) normalized =
    g_converter_input_stream_new (mail_outgoing_get_content (outgoing), G_CONVERTER (line_ends));

  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (normalized), FALSE);
  return g_converter_input_stream_new (normalized, G_CONVERTER (encoder));
}

static void
send_body (GTask *task, gssize length)
{
  O365GraphTransport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  MailOutgoing *outgoing = g_ptr_array_index (data->messages, data->next);
  g_autoptr (GInputStream) body = new_body (outgoing);
  g_autoptr (SoupMessage) message = new_request (task, SOUP_METHOD_POST, "/v1.0/me/sendMail");

  /* -1 (a stream that cannot be read twice): chunked. */
  soup_message_set_request_body (message, "text/plain", body, length);
  data->body_written = FALSE;
  g_object_set_data_full (G_OBJECT (message), "o365-sent", g_new0 (guint64, 1), g_free);
  g_signal_connect (message, "wrote-body", G_CALLBACK (on_wrote_body), data);
  g_signal_connect (message, "wrote-body-data", G_CALLBACK (on_wrote_body_data), task);
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    on_posted, task);
}

static void
fail_unreadable (GTask *task)
{
  fail_current (task, g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                   _("Not sent: the message could not be read again for a second try")),
                NULL);
}

/* Back to the current message's first byte, for another read. */
static gboolean
rewind_content (OperationData *data)
{
  MailOutgoing *outgoing = g_ptr_array_index (data->messages, data->next);

  return data->content_start >= 0 &&
         g_seekable_seek (G_SEEKABLE (mail_outgoing_get_content (outgoing)), data->content_start, G_SEEK_SET,
                          NULL, NULL);
}

/* --- a message over one request's limit: a draft, upload sessions, send -------------------- */

static void create_session (GTask *task);
static void read_chunk (GTask *task);
static void send_draft (GTask *task);

/* One step of a large message, with the token: @step is what a renewed token redoes. */
static void
send_step (GTask *task, SoupMessage *message, RequestFunc step, GAsyncReadyCallback callback)
{
  O365GraphTransport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);

  data->request = step;
  data->body_written = FALSE;
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    callback, task);
}

static void
on_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  g_autoptr (MailReply) reply = g_steal_pointer (&data->failure_reply);

  /* Whether or not the draft went away, the message was not sent: the answer is not read. */
  GBytes *answer = soup_session_send_and_read_finish (SOUP_SESSION (source), result, NULL);

  g_clear_pointer (&answer, g_bytes_unref);
  fail_current (task, g_steal_pointer (&data->failure), reply);
}

/* The message fails with @error; a draft it left behind is deleted first. */
static void
fail_large (GTask *task, GError *error, MailReply *reply)
{
  O365GraphTransport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  g_autofree char *path = NULL;
  g_autoptr (SoupMessage) message = NULL;

  if (data->draft_id == NULL)
    {
      fail_current (task, error, reply);
      return;
    }
  g_clear_error (&data->failure);
  g_clear_pointer (&data->failure_reply, mail_reply_unref);
  data->failure = error;
  data->failure_reply = reply != NULL ? mail_reply_ref (reply) : NULL;
  path = g_strconcat ("/v1.0/me/messages/", data->draft_id, NULL);
  message = new_request (task, SOUP_METHOD_DELETE, path);
  /* Not cancellable: a cancelled send still removes its draft. */
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, NULL, on_deleted, task);
}

/* The answer to one step of a large message: its body on a 2xx; NULL once the message failed
 * (the draft deleted unless the send request went out) or, when @may_renew, the step is being
 * redone with a renewed token. */
static GBytes *
large_answer (GTask *task, GObject *source, GAsyncResult *result, gboolean may_renew)
{
  O365GraphTransport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  MailOutgoing *outgoing = g_ptr_array_index (data->messages, data->next);
  GError *error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autofree char *graph_code = NULL;
  guint status, seconds;

  if (body == NULL)
    {
      GError *converted = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                            ? g_error_copy (error) : network_error (data, error);

      g_error_free (error);
      /* After the send request, the draft may be on its way: it stays. */
      if (data->body_written)
        fail_current (task, converted, NULL);
      else
        fail_large (task, converted, NULL);
      return NULL;
    }
  status = soup_message_get_status (message);
  note (self, "Graph: HTTP %u %s", status, soup_message_get_reason_phrase (message));
  if (SOUP_STATUS_IS_SUCCESSFUL (status))
    return g_steal_pointer (&body);
  if (may_renew && retry_with_new_token (task, message))
    return NULL;
  graph_code = o365_graph_error_code_from_body (body);
  seconds = retry_after (message);
  mail_submission_set_retry_after (g_ptr_array_index (data->submissions, data->next), seconds);
  {
    g_autoptr (MailReply) reply = status >= 200 && status <= 599 ? mail_reply_new (status, NULL, graph_code) : NULL;

    fail_large (task, o365_graph_error_new (status, graph_code, seconds, mail_outgoing_get_size (outgoing)),
                reply);
  }
  return NULL;
}

static GError *
unexpected_answer (SoupMessage *message)
{
  return g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                      _("Microsoft Graph gave an answer this program does not understand (HTTP %u)"),
                      message != NULL ? soup_message_get_status (message) : 0);
}

static void
on_sent_draft (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  g_autoptr (GBytes) body = large_answer (task, source, result, TRUE);
  g_autoptr (MailReply) reply = NULL;

  if (body == NULL)
    return;
  reply = mail_reply_new (202, NULL, ACCEPTED_TEXT);
  mail_submission_set_sent (g_ptr_array_index (data->submissions, data->next), reply);
  advance (task);
}

static void
send_draft (GTask *task)
{
  OperationData *data = g_task_get_task_data (task);
  g_autofree char *path = g_strconcat ("/v1.0/me/messages/", data->draft_id, "/send", NULL);
  g_autoptr (SoupMessage) message = new_request (task, SOUP_METHOD_POST, path);

  soup_message_set_request_body_from_bytes (message, NULL, NULL);
  soup_message_headers_set_content_length (soup_message_get_request_headers (message), 0);
  g_signal_connect (message, "wrote-body", G_CALLBACK (on_wrote_body), data);
  send_step (task, message, send_draft, on_sent_draft);
}

static void
on_chunk_put (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body = large_answer (task, source, result, FALSE);
  const O365GraphUploadPart *part;
  MailOutgoing *outgoing = g_ptr_array_index (data->messages, data->next);
  gsize length;

  if (body == NULL)
    return;
  part = o365_graph_split_get_part (data->split, data->part);
  length = g_bytes_get_size (data->chunk);
  g_clear_pointer (&data->chunk, g_bytes_unref);
  data->uploaded += length;
  data->uploaded_total += length;
  mail_transport_emit_progress (g_task_get_source_object (task), outgoing,
                                MIN (data->uploaded_total, (guint64) mail_outgoing_get_size (outgoing)),
                                mail_outgoing_get_size (outgoing));
  if (data->uploaded < part->size)
    {
      /* 200 with nextExpectedRanges: more to come. */
      if (soup_message_get_status (message) != SOUP_STATUS_OK)
        {
          fail_large (task, unexpected_answer (message), NULL);
          return;
        }
      read_chunk (task);
      return;
    }
  /* 201: the attachment is complete. */
  if (soup_message_get_status (message) != SOUP_STATUS_CREATED)
    {
      fail_large (task, unexpected_answer (message), NULL);
      return;
    }
  data->part++;
  data->uploaded = 0;
  g_clear_pointer (&data->upload_url, g_free);
  if (data->part < o365_graph_split_get_n_parts (data->split))
    create_session (task);
  else
    send_draft (task);
}

static void
on_chunk_read (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365GraphTransport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  GError *error = NULL;
  const O365GraphUploadPart *part = o365_graph_split_get_part (data->split, data->part);
  g_autoptr (SoupMessage) message = NULL;
  g_autofree char *range = NULL;
  gsize length;

  data->chunk = o365_graph_split_read_finish (result, &error);
  if (data->chunk == NULL)
    {
      fail_large (task, error, NULL);
      return;
    }
  length = g_bytes_get_size (data->chunk);
  if (length == 0 || data->uploaded + length > part->size)
    {
      fail_large (task, g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                     _("Not sent: the message changed while it was being sent")),
                  NULL);
      return;
    }
  range = g_strdup_printf ("bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT,
                           data->uploaded, data->uploaded + length - 1, part->size);
  /* The upload URL carries its own authorization: no bearer token goes with it. */
  message = soup_message_new (SOUP_METHOD_PUT, data->upload_url);
  if (message == NULL)
    {
      fail_large (task, unexpected_answer (NULL), NULL);
      return;
    }
  soup_message_headers_replace (soup_message_get_request_headers (message), "Content-Range", range);
  soup_message_set_request_body_from_bytes (message, "application/octet-stream", data->chunk);
  note (self, "Graph: PUT <upload URL> (Content-Range: %s)", range);
  data->body_written = FALSE;
  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    on_chunk_put, task);
}

static void
read_chunk (GTask *task)
{
  OperationData *data = g_task_get_task_data (task);

  o365_graph_split_read_async (data->split, data->part, CHUNK_SIZE, g_task_get_cancellable (task), on_chunk_read,
                               task);
}

static void
on_session (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body = large_answer (task, source, result, TRUE);
  g_autoptr (GUri) uri = NULL;

  if (body == NULL)
    return;
  data->upload_url = o365_graph_answer_string (body, NULL, "uploadUrl");
  /* Only https, or http to this computer (the tests), as the endpoint itself. */
  if (data->upload_url == NULL || (uri = g_uri_parse (data->upload_url, G_URI_FLAGS_NONE, NULL)) == NULL ||
      (g_strcmp0 (g_uri_get_scheme (uri), "https") != 0 &&
       !(g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 && g_strcmp0 (g_uri_get_host (uri), "127.0.0.1") == 0)))
    {
      fail_large (task, unexpected_answer (message), NULL);
      return;
    }
  read_chunk (task);
}

static void
create_session (GTask *task)
{
  OperationData *data = g_task_get_task_data (task);
  const O365GraphUploadPart *part = o365_graph_split_get_part (data->split, data->part);
  g_autofree char *path = g_strconcat ("/v1.0/me/messages/", data->draft_id, "/attachments/createUploadSession",
                                       NULL);
  g_autoptr (SoupMessage) message = new_request (task, SOUP_METHOD_POST, path);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GBytes) json = NULL;
  char *text;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "AttachmentItem");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "attachmentType");
  json_builder_add_string_value (builder, "file");
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, part->name);
  json_builder_set_member_name (builder, "size");
  json_builder_add_int_value (builder, (gint64) part->size);
  json_builder_set_member_name (builder, "contentType");
  json_builder_add_string_value (builder, part->content_type);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = json_to_string (root, FALSE);
  json = g_bytes_new_take (text, strlen (text));
  soup_message_set_request_body_from_bytes (message, "application/json", json);
  send_step (task, message, create_session, on_session);
}

static void
on_draft_created (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  g_autoptr (GBytes) body = large_answer (task, source, result, TRUE);
  g_autofree char *id = NULL;

  if (body == NULL)
    return;
  id = o365_graph_answer_string (body, NULL, "id");
  if (id == NULL || *id == '\0')
    {
      fail_current (task, unexpected_answer (message), NULL);
      return;
    }
  /* Kept escaped: it goes into the paths of the next requests. */
  data->draft_id = g_uri_escape_string (id, NULL, FALSE);
  if (o365_graph_split_get_n_parts (data->split) > 0)
    create_session (task);
  else
    send_draft (task);
}

static void
create_draft (GTask *task)
{
  OperationData *data = g_task_get_task_data (task);
  g_autoptr (SoupMessage) message = new_request (task, SOUP_METHOD_POST, "/v1.0/me/messages");

  soup_message_set_request_body_from_bytes (message, "text/plain", o365_graph_split_get_draft (data->split));
  send_step (task, message, create_draft, on_draft_created);
}

static void
on_split (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->split = o365_graph_split_finish (result, &error);
  if (data->split == NULL)
    {
      fail_current (task, error, NULL);
      return;
    }
  create_draft (task);
}

/* Graph's sendMail takes one request of about 4 MB: a larger message becomes a draft without
 * its large attachments, which follow through upload sessions, and then the draft is sent. */
static void
send_large (GTask *task)
{
  OperationData *data = g_task_get_task_data (task);
  MailOutgoing *outgoing = g_ptr_array_index (data->messages, data->next);
  g_autoptr (GBytes) prefix = envelope_header (outgoing);

  large_reset (data);
  o365_graph_split_async (mail_outgoing_get_content (outgoing), prefix, REQUEST_LIMIT, g_task_get_cancellable (task),
                          on_split, task);
}

#define COUNT_BUFFER_SIZE (64 * 1024)

/* The message's size is only a hint (line ends may change it): the body is read once to know
 * its exact length, as Content-Length, then again to send it. */
static void
on_counted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  OperationData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n > 0)
    {
      data->counted += (guint64) n;
      g_input_stream_read_async (data->counting, data->count_buffer, COUNT_BUFFER_SIZE, G_PRIORITY_DEFAULT,
                                 g_task_get_cancellable (task), on_counted, task);
      return;
    }
  g_clear_object (&data->counting);
  if (n < 0)
    {
      fail_current (task, g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                            ? g_steal_pointer (&error)
                            : g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                                           _("Not sent: the message could not be read (%s)"), error->message),
                    NULL);
      return;
    }
  if (!rewind_content (data))
    {
      fail_unreadable (task);
      return;
    }
  if (data->counted / 4 * 3 > REQUEST_LIMIT)
    {
      send_large (task);
      return;
    }
  send_body (task, (gssize) data->counted);
}

static void
post_current (GTask *task)
{
  OperationData *data = g_task_get_task_data (task);
  MailOutgoing *outgoing = g_ptr_array_index (data->messages, data->next);
  GInputStream *content = mail_outgoing_get_content (outgoing);

  if (!data->start_known)
    {
      data->start_known = TRUE;
      data->content_start = G_IS_SEEKABLE (content) && g_seekable_can_seek (G_SEEKABLE (content))
                              ? g_seekable_tell (G_SEEKABLE (content)) : -1;
    }
  /* A second try (new token) starts the message again from its first byte. */
  else if (!rewind_content (data))
    {
      fail_unreadable (task);
      return;
    }
  if (data->content_start < 0)
    {
      send_body (task, -1);
      return;
    }
  if (data->count_buffer == NULL)
    data->count_buffer = g_malloc (COUNT_BUFFER_SIZE);
  data->counting = new_body (outgoing);
  data->counted = 0;
  g_input_stream_read_async (data->counting, data->count_buffer, COUNT_BUFFER_SIZE, G_PRIORITY_DEFAULT,
                             g_task_get_cancellable (task), on_counted, task);
}

static void
send_next (GTask *task)
{
  OperationData *data = g_task_get_task_data (task);

  if (data->next == data->messages->len)
    complete (task, NULL, g_ptr_array_ref (data->submissions), (GDestroyNotify) g_ptr_array_unref);
  else
    post_current (task);
}

static void
o365_graph_transport_submit_async (MailTransport *transport,
                                   GPtrArray *messages,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  OperationData *data = g_new0 (OperationData, 1);

  o365_transport_prepare_batch (messages, &data->messages, &data->submissions);
  /* After the first token, and after a renewed one: (re)post the current message. */
  data->request = send_next;
  start_operation (O365_GRAPH_TRANSPORT (transport), o365_graph_transport_submit_async, data, cancellable,
                   callback, user_data);
}

static GPtrArray *
o365_graph_transport_submit_finish (MailTransport *transport, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_graph_transport_submit_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- check: a token for Mail.Send and GET /me ------------------------------------------------ */

static void
on_me (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  O365GraphTransport *self = g_task_get_source_object (task);
  OperationData *data = g_task_get_task_data (task);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);
  GError *error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  g_autofree char *graph_code = NULL;
  guint status;

  if (body == NULL)
    {
      GError *converted = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                            ? g_error_copy (error) : network_error (data, error);

      g_error_free (error);
      complete (task, converted, NULL, NULL);
      return;
    }
  status = soup_message_get_status (message);
  note (self, "Graph: HTTP %u %s", status, soup_message_get_reason_phrase (message));
  if (status == SOUP_STATUS_OK)
    {
      g_auto (GVariantDict) facts = G_VARIANT_DICT_INIT (NULL);

      g_variant_dict_insert (&facts, "server", "s", self->endpoint);
      g_variant_dict_insert (&facts, "transport", "s", "graph");
      g_variant_dict_insert (&facts, "auth-mechanism", "s", "OAuth2 bearer (Mail.Send)");
      complete (task, NULL, g_variant_ref_sink (g_variant_dict_end (&facts)), (GDestroyNotify) g_variant_unref);
      return;
    }
  if (retry_with_new_token (task, message))
    return;
  graph_code = o365_graph_error_code_from_body (body);
  complete (task, o365_graph_error_new (status, graph_code, retry_after (message), -1), NULL, NULL);
}

static void
get_me (GTask *task)
{
  O365GraphTransport *self = g_task_get_source_object (task);
  g_autoptr (SoupMessage) message = new_request (task, SOUP_METHOD_GET, "/v1.0/me");

  soup_session_send_and_read_async (self->session, message, G_PRIORITY_DEFAULT, g_task_get_cancellable (task),
                                    on_me, task);
}

static void
o365_graph_transport_check_async (MailTransport *transport,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  OperationData *data = g_new0 (OperationData, 1);

  data->request = get_me;
  start_operation (O365_GRAPH_TRANSPORT (transport), o365_graph_transport_check_async, data, cancellable,
                   callback, user_data);
}

static GVariant *
o365_graph_transport_check_finish (MailTransport *transport, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_graph_transport_check_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
o365_graph_transport_mail_transport_init (MailTransportInterface *iface)
{
  iface->submit_async = o365_graph_transport_submit_async;
  iface->submit_finish = o365_graph_transport_submit_finish;
  iface->check_async = o365_graph_transport_check_async;
  iface->check_finish = o365_graph_transport_check_finish;
}
