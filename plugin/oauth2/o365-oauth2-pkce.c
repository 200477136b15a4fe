/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-pkce.c — the browser sign-in: verifier, listener, browser, redemption. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>

#include <glib/gi18n-lib.h>
#include <libsecret/secret.h>
#include <libsoup/soup.h>

#include "o365-deadline.h"
#include "o365-oauth2-errors.h"
#include "o365-oauth2-pkce.h"

/* 32 bytes make the 43-character verifier RFC 7636 §4.1 recommends; the state only has to be
 * unguessable. */
#define VERIFIER_BYTES 32
#define STATE_BYTES 16
/* The listener stays up after the answer only until its page is delivered, at most this long. */
#define PAGE_DELIVERY_TIMEOUT_S 10

static char *
base64url (const guchar *data, gsize length)
{
  char *text = g_base64_encode (data, length);
  char *padding;

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
    }
  padding = strchr (text, '=');
  if (padding != NULL)
    *padding = '\0';
  return text;
}

char *
o365_oauth2_random_string (gsize n_bytes, GError **error)
{
  guchar *bytes = g_malloc (n_bytes);
  gsize have = 0;
  char *text;

  /* GLib's g_random is not cryptographic; the kernel's generator is. Non-blocking: it only
   * ever waits before the pool is first seeded, at early boot. */
  while (have < n_bytes)
    {
      ssize_t n = getrandom (bytes + have, n_bytes - have, GRND_NONBLOCK);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        {
          int saved = errno;

          explicit_bzero (bytes, n_bytes);
          g_free (bytes);
          g_set_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_BROWSER,
                       _("The system cannot provide random numbers yet (%s): try again in a moment"),
                       g_strerror (saved));
          return NULL;
        }
      have += (gsize) n;
    }
  text = base64url (bytes, n_bytes);
  explicit_bzero (bytes, n_bytes);
  g_free (bytes);
  return text;
}

char *
o365_oauth2_pkce_challenge (const char *verifier)
{
  g_autoptr (GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize length = sizeof digest;

  g_checksum_update (checksum, (const guchar *) verifier, (gssize) strlen (verifier));
  g_checksum_get_digest (checksum, digest, &length);
  return base64url (digest, length);
}

/* --- the page the browser shows ------------------------------------------------------------ */

static void
set_page (SoupServerMessage *message, guint status, const char *title, const char *text)
{
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_text = g_markup_escape_text (text, -1);
  g_autofree char *html = g_strdup_printf ("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                                           "<title>%s</title></head>\n<body><h1>%s</h1>\n<p>%s</p>"
                                           "</body></html>\n",
                                           escaped_title, escaped_title, escaped_text);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  /* The address bar holds the code: nothing may be cached, fetched or referred onwards. */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  /* One answer per connection: no idle connection keeps the listener busy after its page. */
  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_replace (headers, "Content-Security-Policy", "default-src 'none'");
  soup_message_headers_replace (headers, "Referrer-Policy", "no-referrer");
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    html, strlen (html));
}

/* --- closing the listener once its last page is out ---------------------------------------- */

typedef struct
{
  SoupServer *server;
  SoupServerMessage *message;
  gulong finished_handler;
  GSource *timeout;
} Closing;

static void
close_listener (Closing *closing)
{
  if (closing->message != NULL)
    {
      g_signal_handler_disconnect (closing->message, closing->finished_handler);
      g_object_unref (closing->message);
    }
  g_source_destroy (closing->timeout);
  g_source_unref (closing->timeout);
  soup_server_disconnect (closing->server);
  g_object_unref (closing->server);
  g_free (closing);
}

static gboolean
on_close_idle (gpointer user_data)
{
  close_listener (user_data);
  return G_SOURCE_REMOVE;
}

static void
on_page_delivered (SoupServerMessage *message, gpointer user_data)
{
  /* Not from inside libsoup's own signal emission. */
  g_idle_add (on_close_idle, user_data);
}

static gboolean
on_delivery_timeout (gpointer user_data)
{
  close_listener (user_data);
  return G_SOURCE_REMOVE;
}

/* Takes @server; it stops listening once @message's page is delivered (or now, if NULL). */
static void
release_listener (SoupServer *server, SoupServerMessage *message)
{
  Closing *closing;

  if (message == NULL)
    {
      soup_server_disconnect (server);
      g_object_unref (server);
      return;
    }
  closing = g_new0 (Closing, 1);
  closing->server = server;
  closing->message = g_object_ref (message);
  closing->finished_handler = g_signal_connect (message, "finished", G_CALLBACK (on_page_delivered), closing);
  closing->timeout = g_timeout_source_new_seconds (PAGE_DELIVERY_TIMEOUT_S);
  g_source_set_static_name (closing->timeout, "[o365] sign-in page delivery");
  g_source_set_callback (closing->timeout, on_delivery_timeout, closing, NULL);
  g_source_attach (closing->timeout, g_main_context_get_thread_default ());
}

/* --- the flow -------------------------------------------------------------------------------- */

typedef struct
{
  O365OAuth2Prompt prompt;
  char *verifier;            /* secret */
  char *state;
  char *redirect_uri;
  char *authorize_uri;
  SoupServer *server;        /* NULL once released */
  O365Deadline *deadline;
  GSource *stopped;          /* the deadline's cancellable, until the browser answers */
  SoupServerMessage *answer; /* the browser's request, paused while the code is redeemed */
  gboolean answered;
  gboolean done;
} PkceData;

static void
stop_watching (PkceData *data)
{
  if (data->stopped != NULL)
    {
      g_source_destroy (data->stopped);
      g_clear_pointer (&data->stopped, g_source_unref);
    }
}

static void
pkce_data_free (PkceData *data)
{
  stop_watching (data);
  if (data->server != NULL)
    release_listener (g_steal_pointer (&data->server), NULL);
  g_clear_object (&data->answer);
  g_clear_pointer (&data->deadline, o365_deadline_free);
  secret_password_free (data->verifier);
  g_free (data->state);
  g_free (data->redirect_uri);
  g_free (data->authorize_uri);
  g_free (data);
}

/* Completes the flow: the listener stops once @page_message's page is out. Touch nothing of
 * the task after this: its callback may run at once and drop it. */
static void
finish (GTask *task, SoupServerMessage *page_message, O365OAuth2TokenSet *tokens, GError *error)
{
  PkceData *data = g_task_get_task_data (task);

  data->done = TRUE;
  stop_watching (data);
  if (data->server != NULL)
    release_listener (g_steal_pointer (&data->server), page_message);
  if (tokens != NULL)
    g_task_return_pointer (task, tokens, (GDestroyNotify) o365_oauth2_token_set_free);
  else
    g_task_return_error (task, error);
}

static GError *
stopped_error (PkceData *data)
{
  if (o365_deadline_expired (data->deadline))
    return g_error_new (O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_TIMEOUT,
                        _("No answer came from the browser within %u minutes: start the sign-in "
                          "again"), O365_OAUTH2_BROWSER_TIMEOUT_S / 60);
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, _("The sign-in was cancelled"));
}

static gboolean
on_stopped (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  PkceData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->stopped, g_source_unref);
  if (!data->answered && !data->done)
    finish (task, NULL, NULL, stopped_error (data));
  return G_SOURCE_REMOVE;
}

static void
on_redeemed (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  PkceData *data = g_task_get_task_data (task);
  g_autoptr (SoupServerMessage) answer = g_steal_pointer (&data->answer);
  GError *error = NULL;
  O365OAuth2TokenSet *tokens;

  tokens = o365_oauth2_client_request_token_finish (O365_OAUTH2_CLIENT (source), result, &error);
  if (tokens == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (error);
      error = stopped_error (data);
    }
  if (tokens != NULL)
    set_page (answer, SOUP_STATUS_OK, _("You are signed in"),
              _("You can close this window and return to the application."));
  else
    set_page (answer, SOUP_STATUS_OK, _("Sign-in failed"), error->message);
  soup_server_message_unpause (answer);
  finish (task, answer, tokens, error);
}

static const char *
query_get (GHashTable *query, const char *name)
{
  return query != NULL ? g_hash_table_lookup (query, name) : NULL;
}

static void
on_request (SoupServer *server,
            SoupServerMessage *message,
            const char *path,
            GHashTable *query,
            gpointer user_data)
{
  g_autoptr (GTask) task = g_weak_ref_get (user_data);
  PkceData *data = task != NULL ? g_task_get_task_data (task) : NULL;
  const char *code = query_get (query, "code");
  const char *error_code = query_get (query, "error");
  const char *state = query_get (query, "state");
  O365OAuth2Client *client;

  if (data == NULL || data->answered || data->done)
    {
      set_page (message, SOUP_STATUS_GONE, _("Sign-in over"),
                _("This sign-in has already received its answer. You can close this window."));
      return;
    }
  if (soup_server_message_get_method (message) != SOUP_METHOD_GET)
    {
      set_page (message, SOUP_STATUS_METHOD_NOT_ALLOWED, _("Not a sign-in answer"),
                _("This address only takes the answer of Microsoft’s sign-in page."));
      return;
    }
  /* favicon.ico and the like: not the answer, keep waiting for it. */
  if (!g_str_equal (path, "/"))
    {
      set_page (message, SOUP_STATUS_NOT_FOUND, _("Not found"), _("There is nothing here."));
      return;
    }
  if (code == NULL && error_code == NULL)
    {
      set_page (message, SOUP_STATUS_BAD_REQUEST, _("Not a sign-in answer"),
                _("This address only takes the answer of Microsoft’s sign-in page."));
      return;
    }

  /* Whoever else can make this browser load a loopback address cannot know the state. Such a
   * request gets an error page and is otherwise ignored: the real answer may still come, and a
   * stray or hostile request must not be able to end the sign-in. */
  if (state == NULL || !g_str_equal (state, data->state))
    {
      set_page (message, SOUP_STATUS_BAD_REQUEST, _("Sign-in refused"),
                _("This answer does not belong to the sign-in in progress, so it was ignored. "
                  "You can close this window."));
      return;
    }

  data->answered = TRUE;
  stop_watching (data);
  client = g_task_get_source_object (task);
  if (error_code != NULL)
    {
      GError *error = o365_oauth2_error_from_response (error_code, query_get (query, "error_description"),
                                                       NULL, 0, o365_oauth2_client_get_client_id (client));

      set_page (message, SOUP_STATUS_OK, _("Sign-in failed"), error->message);
      finish (task, message, NULL, error);
      return;
    }

  {
    const char *params[] = {
      "code", code,
      "redirect_uri", data->redirect_uri,
      "code_verifier", data->verifier,
      "scope", o365_oauth2_client_get_scope (client),
      NULL,
    };

    /* The browser waits for its page until the code is redeemed, so the page can tell. */
    data->answer = g_object_ref (message);
    soup_server_message_pause (message);
    o365_oauth2_prompt_status (&data->prompt, _("Signed in at Microsoft; getting the tokens…"));
    o365_oauth2_client_request_token_async (client, "authorization_code", params,
                                            o365_deadline_get_cancellable (data->deadline),
                                            on_redeemed, g_object_ref (task));
  }
}

static void
weak_ref_free (gpointer weak)
{
  g_weak_ref_clear (weak);
  g_free (weak);
}

static void
on_browser_launched (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  PkceData *data = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (g_app_info_launch_default_for_uri_finish (result, &error) || data->done ||
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  {
    g_autofree char *message =
      g_strdup_printf (_("Could not open a web browser (%s). Open this address in a browser on "
                         "this computer to sign in: %s"), error->message, data->authorize_uri);

    o365_oauth2_prompt_status (&data->prompt, message);
  }
}

/* Listens on 127.0.0.1 at a port the system picks; returns that port, or 0 with an error. */
static guint
listen_on_loopback (SoupServer *server, GError **error)
{
  GError *listen_error = NULL;
  GSList *uris;
  guint port = 0;

  if (!soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &listen_error))
    {
      g_set_error (error, O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_BROWSER,
                   _("Could not listen on 127.0.0.1 for the browser’s answer: %s"), listen_error->message);
      g_error_free (listen_error);
      return 0;
    }
  uris = soup_server_get_uris (server);
  if (uris != NULL)
    port = (guint) g_uri_get_port (uris->data);
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return port;
}

void
o365_oauth2_pkce_flow_async (O365OAuth2Client *client,
                             const char *login_hint,
                             const O365OAuth2Prompt *prompt,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  g_autoptr (GTask) task = NULL;
  g_autofree char *challenge = NULL;
  GError *error = NULL;
  PkceData *data;
  GWeakRef *weak;
  guint port;

  g_return_if_fail (O365_IS_OAUTH2_CLIENT (client));

  task = g_task_new (client, cancellable, callback, user_data);
  g_task_set_source_tag (task, o365_oauth2_pkce_flow_async);
  data = g_new0 (PkceData, 1);
  if (prompt != NULL)
    data->prompt = *prompt;
  g_task_set_task_data (task, data, (GDestroyNotify) pkce_data_free);

  data->verifier = o365_oauth2_random_string (VERIFIER_BYTES, &error);
  data->state = data->verifier != NULL ? o365_oauth2_random_string (STATE_BYTES, &error) : NULL;
  if (data->state == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  challenge = o365_oauth2_pkce_challenge (data->verifier);

  data->server = soup_server_new ("server-header", "o365-account", NULL);
  weak = g_new0 (GWeakRef, 1);
  g_weak_ref_init (weak, task);
  soup_server_add_handler (data->server, NULL, on_request, weak, weak_ref_free);
  port = listen_on_loopback (data->server, &error);
  if (port == 0)
    {
      g_task_return_error (task, error != NULL ? error
                                               : g_error_new_literal (O365_OAUTH2_ERROR, O365_OAUTH2_ERROR_BROWSER,
                                                                      _("Could not listen for the browser’s answer")));
      return;
    }
  /* The address the listener is bound to, not "localhost": that name may resolve to ::1 first,
   * where another program could listen on the same port (RFC 8252 §8.3). */
  data->redirect_uri = g_strdup_printf ("http://127.0.0.1:%u", port);
  data->authorize_uri = o365_oauth2_client_build_authorize_uri (client, data->redirect_uri, data->state,
                                                                challenge, login_hint);

  data->deadline = o365_deadline_new (O365_OAUTH2_BROWSER_TIMEOUT_S * 1000, cancellable);
  data->stopped = g_cancellable_source_new (o365_deadline_get_cancellable (data->deadline));
  g_source_set_static_name (data->stopped, "[o365] browser sign-in stopped");
  g_source_set_callback (data->stopped, G_SOURCE_FUNC (on_stopped), g_object_ref (task), g_object_unref);
  g_source_attach (data->stopped, g_task_get_context (task));

  o365_oauth2_prompt_status (&data->prompt, _("Waiting for you to sign in in your web browser…"));
  if (data->prompt.open_uri == NULL || !data->prompt.open_uri (data->authorize_uri, data->prompt.user_data))
    g_app_info_launch_default_for_uri_async (data->authorize_uri, NULL,
                                             o365_deadline_get_cancellable (data->deadline),
                                             on_browser_launched, g_object_ref (task));
}

O365OAuth2TokenSet *
o365_oauth2_pkce_flow_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_oauth2_pkce_flow_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
