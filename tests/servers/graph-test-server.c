/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* graph-test-server.c — the tests' Microsoft Graph on loopback. */
#include "config.h"

#include <libsoup/soup.h>
#include <stdio.h>

#include "graph-test-server.h"

struct _GraphTestServer
{
  GObject parent_instance;

  SoupServer *server;
  char *endpoint;
  char *token;
  GQueue script; /* GraphTestAnswer, as pointers */
  guint retry_after;
  GPtrArray *messages;
  guint n_requests;
  char *violation;
  GraphTestFault fault;
  GHashTable *drafts;    /* id → GraphTestDraft, not sent */
  GHashTable *uploads;   /* session → Upload */
  GPtrArray *sent;       /* GraphTestDraft */
  guint n_deleted;
  guint serial;
};

/* The request limit: Graph takes about 4 MB per request. */
#define REQUEST_LIMIT (4 * 1024 * 1024)
#define CHUNK_UNIT (320 * 1024)

typedef struct
{
  char *draft_id;
  GraphTestAttachment *attachment;
  guint64 next; /* the first byte not yet received */
  GChecksum *checksum;
} Upload;

static void
attachment_free (GraphTestAttachment *attachment)
{
  g_free (attachment->name);
  g_free (attachment->content_type);
  g_free (attachment->sha256);
  g_free (attachment);
}

static void
draft_free (GraphTestDraft *draft)
{
  g_free (draft->id);
  g_bytes_unref (draft->mime);
  g_strfreev (draft->bcc);
  g_ptr_array_unref (draft->attachments);
  g_free (draft);
}

static void
upload_free (Upload *upload)
{
  g_free (upload->draft_id);
  if (upload->attachment != NULL)
    attachment_free (upload->attachment);
  g_checksum_free (upload->checksum);
  g_free (upload);
}

G_DEFINE_FINAL_TYPE (GraphTestServer, graph_test_server, G_TYPE_OBJECT)

static void
graph_test_server_finalize (GObject *object)
{
  GraphTestServer *self = GRAPH_TEST_SERVER (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_free (self->endpoint);
  g_free (self->token);
  g_queue_clear (&self->script);
  g_ptr_array_unref (self->messages);
  g_free (self->violation);
  g_hash_table_unref (self->drafts);
  g_hash_table_unref (self->uploads);
  g_ptr_array_unref (self->sent);
  G_OBJECT_CLASS (graph_test_server_parent_class)->finalize (object);
}

static void
graph_test_server_class_init (GraphTestServerClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = graph_test_server_finalize;
}

static void
graph_test_server_init (GraphTestServer *self)
{
  g_queue_init (&self->script);
  self->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->retry_after = 2;
  self->drafts = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, (GDestroyNotify) draft_free);
  self->uploads = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) upload_free);
  self->sent = g_ptr_array_new_with_free_func ((GDestroyNotify) draft_free);
}

void
graph_test_server_set_fault (GraphTestServer *self, GraphTestFault fault)
{
  self->fault = fault;
}

GPtrArray *
graph_test_server_get_sent_drafts (GraphTestServer *self)
{
  return self->sent;
}

guint
graph_test_server_get_n_drafts (GraphTestServer *self)
{
  return g_hash_table_size (self->drafts);
}

guint
graph_test_server_get_n_deleted (GraphTestServer *self)
{
  return self->n_deleted;
}

GraphTestServer *
graph_test_server_new (const char *token)
{
  GraphTestServer *self = g_object_new (GRAPH_TEST_TYPE_SERVER, NULL);

  self->token = g_strdup (token);
  return self;
}

void
graph_test_server_set_token (GraphTestServer *self, const char *token)
{
  g_free (self->token);
  self->token = g_strdup (token);
}

void
graph_test_server_script (GraphTestServer *self, const GraphTestAnswer *answers, guint n_answers)
{
  for (guint i = 0; i < n_answers; i++)
    g_queue_push_tail (&self->script, GUINT_TO_POINTER (answers[i]));
}

void
graph_test_server_set_retry_after (GraphTestServer *self, guint seconds)
{
  self->retry_after = seconds;
}

GPtrArray *
graph_test_server_get_messages (GraphTestServer *self)
{
  return self->messages;
}

guint
graph_test_server_get_n_requests (GraphTestServer *self)
{
  return self->n_requests;
}

const char *
graph_test_server_get_violation (GraphTestServer *self)
{
  return self->violation;
}

const char *
graph_test_server_get_endpoint (GraphTestServer *self)
{
  return self->endpoint;
}

static void
reply_error (SoupServerMessage *message, guint status, const char *code, const char *text)
{
  g_autofree char *body = g_strdup_printf ("{\"error\":{\"code\":\"%s\",\"message\":\"%s\","
                                           "\"innerError\":{\"request-id\":\"00000000-0000-0000-0000-000000000000\"}}}",
                                           code, text);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, body, strlen (body));
}

static void
violation (GraphTestServer *self, SoupServerMessage *message, const char *what)
{
  if (self->violation == NULL)
    self->violation = g_strdup (what);
  reply_error (message, SOUP_STATUS_BAD_REQUEST, "ErrorInvalidRequest", what);
}

static gboolean
has_token (GraphTestServer *self, SoupServerMessage *message)
{
  const char *authorization =
    soup_message_headers_get_one (soup_server_message_get_request_headers (message), "Authorization");

  return self->token != NULL && authorization != NULL && g_str_has_prefix (authorization, "Bearer ") &&
         g_str_equal (authorization + strlen ("Bearer "), self->token);
}

/* The base64 of MIME form: only the alphabet, no line breaks needed (Graph takes both). */
static GBytes *
decode (SoupServerMessage *message)
{
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  gsize length;
  const char *data = g_bytes_get_data (body, &length);
  g_autofree char *text = g_strndup (data, length);
  guchar *decoded;
  gsize decoded_length;

  if (length % 4 != 0)
    return NULL;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isalnum (text[i]) && text[i] != '+' && text[i] != '/' && text[i] != '=')
      return NULL;
  decoded = g_base64_decode (text, &decoded_length);
  return g_bytes_new_take (decoded, decoded_length);
}

static void
drop (SoupServerMessage *message)
{
  g_autoptr (GIOStream) stream = soup_server_message_steal_connection (message);

  g_io_stream_close (stream, NULL, NULL);
}

/* The decoded MIME of a sendMail or draft request (@what names it), or NULL once the request
 * was answered: not text/plain, over the request limit (413) or not base64. */
static GBytes *
mime_of (GraphTestServer *self, SoupServerMessage *message, const char *what)
{
  const char *type =
    soup_message_headers_get_content_type (soup_server_message_get_request_headers (message), NULL);
  GBytes *mime;

  if (g_strcmp0 (type, "text/plain") != 0)
    {
      g_autofree char *why = g_strdup_printf ("%s: not text/plain", what);

      violation (self, message, why);
      return NULL;
    }
  if (soup_server_message_get_request_body (message)->length > REQUEST_LIMIT)
    {
      reply_error (message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "ErrorMessageSizeExceeded",
                   "The message exceeds the maximum supported size.");
      return NULL;
    }
  if ((mime = decode (message)) == NULL)
    {
      g_autofree char *why = g_strdup_printf ("%s: the body is not base64", what);

      violation (self, message, why);
    }
  return mime;
}

static void
send_mail (GraphTestServer *self, SoupServerMessage *message)
{
  GraphTestAnswer answer = g_queue_is_empty (&self->script)
                             ? GRAPH_TEST_ANSWER_ACCEPT
                             : GPOINTER_TO_UINT (g_queue_pop_head (&self->script));
  g_autoptr (GBytes) mime = NULL;

  if (answer == GRAPH_TEST_ANSWER_UNAUTHORIZED || !has_token (self, message))
    {
      reply_error (message, SOUP_STATUS_UNAUTHORIZED, "InvalidAuthenticationToken",
                   "Access token has expired or is not yet valid.");
      return;
    }
  if ((mime = mime_of (self, message, "sendMail")) == NULL)
    return;
  switch (answer)
    {
    case GRAPH_TEST_ANSWER_FORBIDDEN:
      reply_error (message, SOUP_STATUS_FORBIDDEN, "ErrorAccessDenied", "Access is denied. Check credentials and try again.");
      return;
    case GRAPH_TEST_ANSWER_THROTTLED:
      {
        g_autofree char *seconds = g_strdup_printf ("%u", self->retry_after);

        soup_message_headers_replace (soup_server_message_get_response_headers (message), "Retry-After", seconds);
        reply_error (message, 429, "ApplicationThrottled",
                     "Application is over its MailboxConcurrency limit.");
        return;
      }
    case GRAPH_TEST_ANSWER_TOO_LARGE:
      reply_error (message, SOUP_STATUS_REQUEST_ENTITY_TOO_LARGE, "ErrorMessageSizeExceeded",
                   "The message exceeds the maximum supported size.");
      return;
    case GRAPH_TEST_ANSWER_SERVER_ERROR:
      reply_error (message, SOUP_STATUS_INTERNAL_SERVER_ERROR, "ErrorInternalServerError", "Internal server error.");
      return;
    case GRAPH_TEST_ANSWER_DROP:
      drop (message);
      return;
    case GRAPH_TEST_ANSWER_ACCEPT:
    case GRAPH_TEST_ANSWER_UNAUTHORIZED:
      break;
    }
  g_ptr_array_add (self->messages, g_steal_pointer (&mime));
  soup_server_message_set_status (message, SOUP_STATUS_ACCEPTED, NULL);
}


static void
unauthorized (SoupServerMessage *message)
{
  reply_error (message, SOUP_STATUS_UNAUTHORIZED, "InvalidAuthenticationToken",
               "Access token has expired or is not yet valid.");
}

static void
reply_json (SoupServerMessage *message, guint status, const char *json)
{
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json", SOUP_MEMORY_COPY, json, strlen (json));
}

/* The top-level Bcc header of @mime taken out (unfolded, split at commas). */
static GBytes *
take_bcc (GBytes *mime, char ***bcc)
{
  gsize length;
  const char *data = g_bytes_get_data (mime, &length);
  const char *end = g_strstr_len (data, length, "\r\n\r\n");
  const char *line = data, *start = NULL, *stop = NULL;
  GString *rest;

  *bcc = g_new0 (char *, 1);
  if (end == NULL)
    return g_bytes_ref (mime);
  while (line < end + 2)
    {
      const char *next = strstr (line, "\r\n") + 2;

      if (start == NULL && g_ascii_strncasecmp (line, "Bcc:", 4) == 0)
        start = line;
      else if (start != NULL && stop == NULL && *line != ' ' && *line != '\t')
        stop = line;
      line = next;
    }
  if (start == NULL)
    return g_bytes_ref (mime);
  if (stop == NULL)
    stop = end + 2;
  {
    g_autofree char *value = g_strndup (start + 4, stop - start - 4);
    g_auto (GStrv) addresses = NULL;
    GPtrArray *list = g_ptr_array_new ();

    g_strdelimit (value, "\r\n\t", ' ');
    addresses = g_strsplit (value, ",", -1);
    for (guint i = 0; addresses[i] != NULL; i++)
      if (*g_strstrip (addresses[i]) != '\0')
        g_ptr_array_add (list, g_strdup (addresses[i]));
    g_ptr_array_add (list, NULL);
    g_free (*bcc);
    *bcc = (char **) g_ptr_array_free (list, FALSE);
  }
  rest = g_string_new_len (data, start - data);
  g_string_append_len (rest, stop, length - (stop - data));
  return g_string_free_to_bytes (rest);
}

static void
create_draft (GraphTestServer *self, SoupServerMessage *message)
{
  g_autoptr (GBytes) mime = NULL;
  GraphTestDraft *draft;
  g_autofree char *json = NULL;

  if (!has_token (self, message))
    {
      unauthorized (message);
      return;
    }
  if ((mime = mime_of (self, message, "messages")) == NULL)
    return;
  if (self->fault == GRAPH_TEST_FAULT_THROTTLED_DRAFT)
    {
      g_autofree char *seconds = g_strdup_printf ("%u", self->retry_after);

      soup_message_headers_replace (soup_server_message_get_response_headers (message), "Retry-After", seconds);
      reply_error (message, 429, "ApplicationThrottled", "Application is over its MailboxConcurrency limit.");
      return;
    }
  draft = g_new0 (GraphTestDraft, 1);
  draft->id = g_strdup_printf ("AAMkAGraftDraft%u", ++self->serial);
  draft->mime = take_bcc (mime, &draft->bcc);
  draft->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) attachment_free);
  g_hash_table_insert (self->drafts, draft->id, draft);
  json = g_strdup_printf ("{\"id\":\"%s\",\"isDraft\":true}", draft->id);
  reply_json (message, SOUP_STATUS_CREATED, json);
}

static void
create_upload_session (GraphTestServer *self, SoupServerMessage *message, const char *draft_id)
{
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_request_body (message));
  const char *data = g_bytes_get_data (body, NULL);
  const char *type = NULL;
  gint64 size = -1;
  Upload *upload;
  g_autofree char *session = NULL, *json = NULL;

  if (!has_token (self, message) || self->fault == GRAPH_TEST_FAULT_UNAUTHORIZED_SESSION)
    {
      /* Once: the renewed token is taken. */
      if (self->fault == GRAPH_TEST_FAULT_UNAUTHORIZED_SESSION)
        self->fault = GRAPH_TEST_FAULT_NONE;
      unauthorized (message);
      return;
    }
  if (!g_hash_table_contains (self->drafts, draft_id))
    {
      reply_error (message, SOUP_STATUS_NOT_FOUND, "ErrorItemNotFound", "The specified object was not found in the store.");
      return;
    }
  /* {"AttachmentItem": {"attachmentType", "name", "size", "contentType"}}, read crudely. */
  if (data == NULL || strstr (data, "\"AttachmentItem\"") == NULL)
    {
      violation (self, message, "createUploadSession: no AttachmentItem");
      return;
    }
  {
    g_autoptr (GRegex) regex = g_regex_new ("\"attachmentType\":\"([^\"]*)\".*\"name\":\"([^\"]*)\".*"
                                            "\"size\":([0-9]+).*\"contentType\":\"([^\"]*)\"", 0, 0, NULL);
    g_autoptr (GMatchInfo) match = NULL;

    if (!g_regex_match_full (regex, data, g_bytes_get_size (body), 0, 0, &match, NULL))
      {
        violation (self, message, "createUploadSession: AttachmentItem incomplete");
        return;
      }
    upload = g_new0 (Upload, 1);
    upload->draft_id = g_strdup (draft_id);
    upload->attachment = g_new0 (GraphTestAttachment, 1);
    upload->attachment->name = g_match_info_fetch (match, 2);
    upload->attachment->content_type = g_match_info_fetch (match, 4);
    {
      g_autofree char *kind = g_match_info_fetch (match, 1);
      g_autofree char *number = g_match_info_fetch (match, 3);

      size = g_ascii_strtoll (number, NULL, 10);
      type = g_str_equal (kind, "file") ? "file" : NULL;
    }
    upload->attachment->size = (guint64) size;
    upload->checksum = g_checksum_new (G_CHECKSUM_SHA256);
  }
  if (type == NULL || size <= 0 || size > 150 * 1024 * 1024)
    {
      upload_free (upload);
      violation (self, message, "createUploadSession: not a file of 1 byte to 150 MB");
      return;
    }
  session = g_strdup_printf ("session%u", ++self->serial);
  g_hash_table_insert (self->uploads, g_strdup (session), upload);
  json = g_strdup_printf ("{\"uploadUrl\":\"%s/upload/%s?sig=opaque\",\"expirationDateTime\":"
                          "\"2030-01-01T00:00:00Z\",\"nextExpectedRanges\":[\"0-\"]}", self->endpoint, session);
  reply_json (message, SOUP_STATUS_CREATED, json);
}

static void
range_error (SoupServerMessage *message)
{
  reply_error (message, SOUP_STATUS_REQUESTED_RANGE_NOT_SATISFIABLE, "InvalidRange",
               "The Content-Range is not the next expected range.");
}

static void
put_chunk (GraphTestServer *self, SoupServerMessage *message, const char *session)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  Upload *upload = g_hash_table_lookup (self->uploads, session);
  const char *range = soup_message_headers_get_one (headers, "Content-Range");
  guint64 start, end, total;
  GraphTestDraft *draft;
  g_autoptr (GBytes) bytes = NULL;

  if (upload == NULL)
    {
      reply_error (message, SOUP_STATUS_NOT_FOUND, "ItemNotFound", "The upload session was not found.");
      return;
    }
  if (soup_message_headers_get_one (headers, "Authorization") != NULL)
    {
      violation (self, message, "upload: an Authorization header (the uploadUrl needs none)");
      return;
    }
  if (range == NULL ||
      sscanf (range, "bytes %" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, &start, &end, &total) != 3 ||
      start != upload->next || end < start || end >= total || total != upload->attachment->size ||
      (guint64) body->length != end - start + 1 ||
      (end + 1 < total && (end - start + 1) % CHUNK_UNIT != 0) ||
      (self->fault == GRAPH_TEST_FAULT_CHUNK_RANGE && upload->attachment->n_chunks == 1))
    {
      range_error (message);
      return;
    }
  bytes = soup_message_body_flatten (body);
  g_checksum_update (upload->checksum, g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));
  upload->attachment->n_chunks++;
  upload->next = end + 1;
  if (upload->next < total)
    {
      g_autofree char *json = g_strdup_printf ("{\"expirationDateTime\":\"2030-01-01T00:00:00Z\","
                                               "\"nextExpectedRanges\":[\"%" G_GUINT64_FORMAT "-\"]}",
                                               upload->next);

      reply_json (message, SOUP_STATUS_OK, json);
      return;
    }
  draft = g_hash_table_lookup (self->drafts, upload->draft_id);
  if (draft != NULL)
    {
      upload->attachment->sha256 = g_strdup (g_checksum_get_string (upload->checksum));
      g_ptr_array_add (draft->attachments, g_steal_pointer (&upload->attachment));
    }
  g_hash_table_remove (self->uploads, session);
  reply_json (message, SOUP_STATUS_CREATED, "{\"id\":\"attachment\"}");
}

static void
send_draft (GraphTestServer *self, SoupServerMessage *message, const char *draft_id)
{
  gpointer key, draft;

  if (!has_token (self, message))
    {
      unauthorized (message);
      return;
    }
  if (!g_hash_table_lookup_extended (self->drafts, draft_id, &key, &draft))
    {
      reply_error (message, SOUP_STATUS_NOT_FOUND, "ErrorItemNotFound", "The specified object was not found in the store.");
      return;
    }
  /* Sent, as Graph would, even when the answer never arrives. */
  g_hash_table_steal (self->drafts, draft_id);
  g_ptr_array_add (self->sent, draft);
  if (self->fault == GRAPH_TEST_FAULT_DROP_SEND)
    {
      drop (message);
      return;
    }
  soup_server_message_set_status (message, SOUP_STATUS_ACCEPTED, NULL);
}

static void
delete_draft (GraphTestServer *self, SoupServerMessage *message, const char *draft_id)
{
  if (!has_token (self, message))
    {
      unauthorized (message);
      return;
    }
  if (!g_hash_table_remove (self->drafts, draft_id))
    {
      reply_error (message, SOUP_STATUS_NOT_FOUND, "ErrorItemNotFound", "The specified object was not found in the store.");
      return;
    }
  self->n_deleted++;
  soup_server_message_set_status (message, SOUP_STATUS_NO_CONTENT, NULL);
}

/* /v1.0/me/messages/{id}[/rest] → id and rest ("" for none). */
static gboolean
draft_path (const char *path, char **id, const char **rest)
{
  const char *prefix = "/v1.0/me/messages/";
  const char *slash;

  if (!g_str_has_prefix (path, prefix))
    return FALSE;
  path += strlen (prefix);
  slash = strchr (path, '/');
  *id = slash != NULL ? g_strndup (path, slash - path) : g_strdup (path);
  *rest = slash != NULL ? slash : "";
  return **id != '\0';
}

static gboolean
draft_request (GraphTestServer *self, SoupServerMessage *message, const char *path, const char *method)
{
  g_autofree char *id = NULL;
  const char *rest;

  if (g_str_equal (path, "/v1.0/me/messages") && method == SOUP_METHOD_POST)
    create_draft (self, message);
  else if (g_str_has_prefix (path, "/upload/") && method == SOUP_METHOD_PUT)
    put_chunk (self, message, path + strlen ("/upload/"));
  else if (!draft_path (path, &id, &rest))
    return FALSE;
  else if (g_str_equal (rest, "/attachments/createUploadSession") && method == SOUP_METHOD_POST)
    create_upload_session (self, message, id);
  else if (g_str_equal (rest, "/send") && method == SOUP_METHOD_POST)
    send_draft (self, message, id);
  else if (g_str_equal (rest, "") && method == SOUP_METHOD_DELETE)
    delete_draft (self, message, id);
  else
    return FALSE;
  return TRUE;
}

static void
on_request (SoupServer *server,
            SoupServerMessage *message,
            const char *path,
            GHashTable *query,
            gpointer user_data)
{
  GraphTestServer *self = user_data;
  const char *method = soup_server_message_get_method (message);

  self->n_requests++;
  if (g_str_equal (path, "/v1.0/me/sendMail") && method == SOUP_METHOD_POST)
    {
      send_mail (self, message);
      return;
    }
  if (draft_request (self, message, path, method))
    return;
  if (g_str_equal (path, "/v1.0/me") && method == SOUP_METHOD_GET)
    {
      const char *body = "{\"displayName\":\"Alice\",\"mail\":\"alice@example.test\"}";

      if (!has_token (self, message))
        {
          reply_error (message, SOUP_STATUS_UNAUTHORIZED, "InvalidAuthenticationToken",
                       "Access token has expired or is not yet valid.");
          return;
        }
      soup_server_message_set_status (message, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (message, "application/json", SOUP_MEMORY_STATIC, body, strlen (body));
      return;
    }
  reply_error (message, SOUP_STATUS_NOT_FOUND, "ResourceNotFound", "Resource not found.");
}

gboolean
graph_test_server_start (GraphTestServer *self, GError **error)
{
  GSList *uris;

  self->server = soup_server_new ("server-header", "graph-test-server", NULL);
  soup_server_add_handler (self->server, NULL, on_request, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    return FALSE;
  uris = soup_server_get_uris (self->server);
  self->endpoint = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return TRUE;
}
