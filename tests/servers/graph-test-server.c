/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* graph-test-server.c — the tests' Microsoft Graph on loopback. */
#include "config.h"

#include <libsoup/soup.h>

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
};

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

static void
send_mail (GraphTestServer *self, SoupServerMessage *message)
{
  const char *type =
    soup_message_headers_get_content_type (soup_server_message_get_request_headers (message), NULL);
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
  if (g_strcmp0 (type, "text/plain") != 0)
    {
      violation (self, message, "sendMail: not text/plain");
      return;
    }
  if ((mime = decode (message)) == NULL)
    {
      violation (self, message, "sendMail: the body is not base64");
      return;
    }
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
