/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-server.c — the test server: listening, handing each connection to a scripted or an
 * office365 session, and keeping what the tests inspect afterwards. */
#include "config.h"

#define G_LOG_DOMAIN "smtp-test-server"

#include <string.h>

#include "smtp-test-server-private.h"
#include "smtp-test-tls.h"

/* An Exchange Online front-end name, as in the real greetings. */
#define DEFAULT_HOST "AM0PR01CA0001"
#define DEFAULT_CERT "server"
/* How long stop() lets cut connections finish closing. */
#define STOP_TIMEOUT_MS 5000

typedef enum {
  MODE_SCRIPTED,
  MODE_OFFICE365,
} Mode;

struct _SmtpTestServer {
  GObject parent_instance;

  Mode mode;
  SmtpTestOffice365Config config;  /* cert_dir serves both modes */
  GPtrArray *scripts;
  guint scripts_started;
  guint scripts_ended;
  guint scripts_completed;
  char *failure;
  SmtpTestServerLogFunc log_func;
  gpointer log_data;

  GSocketListener *listener;
  GCancellable *cancellable;
  GMainContext *context;
  guint16 port;

  GPtrArray *connections;  /* every SmtpTestConnection accepted, for the results */
  GPtrArray *sessions;     /* the running ones (not owned) */
  GPtrArray *data;         /* GBytes from expect_data steps */
  GPtrArray *messages;     /* SmtpTestMessage */
};

G_DEFINE_FINAL_TYPE (SmtpTestServer, smtp_test_server, G_TYPE_OBJECT)

void
smtp_test_message_free (SmtpTestMessage *message)
{
  g_free (message->mail_from);
  g_strfreev (message->rcpt_to);
  g_free (message->message_id);
  g_free (message->path);
  g_clear_pointer (&message->body, g_bytes_unref);
  g_free (message);
}

static void
replace_secret (char **slot, const char *value)
{
  if (*slot != NULL)
    explicit_bzero (*slot, strlen (*slot));
  g_free (*slot);
  *slot = g_strdup (value);
}

static void
smtp_test_server_dispose (GObject *object)
{
  SmtpTestServer *self = SMTP_TEST_SERVER (object);

  smtp_test_server_stop (self);
  /* Sessions that outlived the stop timeout finish on their own, reporting to nobody. */
  for (guint i = 0; i < self->sessions->len; i++)
    ((SmtpTestSession *) g_ptr_array_index (self->sessions, i))->server = NULL;
  g_ptr_array_set_size (self->sessions, 0);
  G_OBJECT_CLASS (smtp_test_server_parent_class)->dispose (object);
}

static void
smtp_test_server_finalize (GObject *object)
{
  SmtpTestServer *self = SMTP_TEST_SERVER (object);

  g_free (self->config.cert_dir);
  g_free (self->config.cert_name);
  g_free (self->config.host);
  g_free (self->config.user);
  replace_secret (&self->config.password, NULL);
  replace_secret (&self->config.token, NULL);
  g_free (self->config.mail_dir);
  g_free (self->config.defer_recipient);
  g_free (self->config.refuse_recipient);
  g_ptr_array_unref (self->scripts);
  g_free (self->failure);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_ptr_array_unref (self->connections);
  g_ptr_array_unref (self->sessions);
  g_ptr_array_unref (self->data);
  g_ptr_array_unref (self->messages);
  G_OBJECT_CLASS (smtp_test_server_parent_class)->finalize (object);
}

static void
smtp_test_server_class_init (SmtpTestServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = smtp_test_server_dispose;
  object_class->finalize = smtp_test_server_finalize;
}

static void
smtp_test_server_init (SmtpTestServer *self)
{
  self->config.cert_dir = g_strdup (g_getenv ("O365_TEST_CERTS"));
  self->config.cert_name = g_strdup (DEFAULT_CERT);
  self->config.host = g_strdup (DEFAULT_HOST);
  self->scripts = g_ptr_array_new_with_free_func ((GDestroyNotify) smtp_test_script_free);
  self->cancellable = g_cancellable_new ();
  self->connections = g_ptr_array_new_with_free_func (g_object_unref);
  self->sessions = g_ptr_array_new ();
  self->data = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  self->messages = g_ptr_array_new_with_free_func ((GDestroyNotify) smtp_test_message_free);
}

SmtpTestServer *
smtp_test_server_new_scripted (void)
{
  SmtpTestServer *self = g_object_new (SMTP_TEST_TYPE_SERVER, NULL);

  self->mode = MODE_SCRIPTED;
  return self;
}

SmtpTestServer *
smtp_test_server_new_office365 (void)
{
  SmtpTestServer *self = g_object_new (SMTP_TEST_TYPE_SERVER, NULL);

  self->mode = MODE_OFFICE365;
  return self;
}

void
smtp_test_server_set_cert_dir (SmtpTestServer *self, const char *cert_dir)
{
  g_free (self->config.cert_dir);
  self->config.cert_dir = g_strdup (cert_dir);
}

void
smtp_test_server_add_script (SmtpTestServer *self, SmtpTestScript *script)
{
  g_return_if_fail (self->mode == MODE_SCRIPTED);
  g_ptr_array_add (self->scripts, script);
}

void
smtp_test_server_set_certificate (SmtpTestServer *self, const char *cert_name)
{
  g_free (self->config.cert_name);
  self->config.cert_name = g_strdup (cert_name);
}

void
smtp_test_server_set_credentials (SmtpTestServer *self,
                                  const char     *user,
                                  const char     *password,
                                  const char     *token)
{
  g_free (self->config.user);
  self->config.user = g_strdup (user);
  replace_secret (&self->config.password, password);
  replace_secret (&self->config.token, token);
}

void
smtp_test_server_set_auth_disabled (SmtpTestServer *self, gboolean disabled)
{
  self->config.auth_disabled = disabled;
}

void
smtp_test_server_set_drop_after_data (SmtpTestServer *self, gboolean drop)
{
  self->config.drop_after_data = drop;
}

void
smtp_test_server_set_hang_after_data (SmtpTestServer *self, gboolean hang)
{
  self->config.hang_after_data = hang;
}

void
smtp_test_server_set_hold (SmtpTestServer *self, SmtpTestHold hold)
{
  self->config.hold = hold;
}

void
smtp_test_server_set_hang_after_quit (SmtpTestServer *self, gboolean hang)
{
  self->config.hang_after_quit = hang;
}

void
smtp_test_server_set_refused_recipients (SmtpTestServer *self, const char *defer, const char *refuse)
{
  g_free (self->config.defer_recipient);
  self->config.defer_recipient = g_strdup (defer);
  g_free (self->config.refuse_recipient);
  self->config.refuse_recipient = g_strdup (refuse);
}

void
smtp_test_server_set_mail_dir (SmtpTestServer *self, const char *mail_dir)
{
  g_free (self->config.mail_dir);
  self->config.mail_dir = g_strdup (mail_dir);
}

void
smtp_test_server_set_log_func (SmtpTestServer        *self,
                               SmtpTestServerLogFunc  func,
                               gpointer               user_data)
{
  self->log_func = func;
  self->log_data = user_data;
}

void
smtp_test_server_log (SmtpTestServer *self, const char *line)
{
  if (self->log_func != NULL)
    self->log_func (line, self->log_data);
  else
    g_debug ("%s", line);
}

static void accept_next (SmtpTestServer *self);

static void
on_accepted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GWeakRef *weak = user_data;
  g_autoptr (SmtpTestServer) self = g_weak_ref_get (weak);
  g_autoptr (GError) error = NULL;
  g_autoptr (GSocketConnection) tcp = g_socket_listener_accept_finish (G_SOCKET_LISTENER (source),
                                                                        result, NULL, &error);
  g_autoptr (SmtpTestConnection) conn = NULL;
  g_autofree char *line = NULL;
  guint id;

  g_weak_ref_clear (weak);
  g_free (weak);
  if (self == NULL || g_cancellable_is_cancelled (self->cancellable))
    return;
  if (tcp == NULL)
    {
      /* Out of file descriptors and the like: say so, and keep listening. */
      line = g_strdup_printf ("accept failed: %s", error->message);
      smtp_test_server_log (self, line);
      accept_next (self);
      return;
    }
  conn = smtp_test_connection_new (tcp);
  g_ptr_array_add (self->connections, g_object_ref (conn));
  id = self->connections->len;
  line = g_strdup_printf ("[conn %u] connected from %s", id, smtp_test_connection_get_peer (conn));
  smtp_test_server_log (self, line);
  if (self->mode == MODE_OFFICE365)
    smtp_test_office365_run (self, conn, id, &self->config);
  else if (self->scripts_started < self->scripts->len)
    smtp_test_script_run (self, conn, id, g_ptr_array_index (self->scripts, self->scripts_started++),
                          self->config.cert_dir);
  else
    {
      if (self->failure == NULL)
        self->failure = g_strdup_printf ("connection %u: no script left for it", id);
      smtp_test_connection_close_async (conn, NULL, NULL);
    }
  accept_next (self);
}

static void
accept_next (SmtpTestServer *self)
{
  /* The pending accept must not keep the server alive: it holds a weak reference. */
  GWeakRef *weak = g_new0 (GWeakRef, 1);

  g_weak_ref_init (weak, self);
  g_socket_listener_accept_async (self->listener, self->cancellable, on_accepted, weak);
}

gboolean
smtp_test_server_start (SmtpTestServer *self, guint16 port, GError **error)
{
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr (GSocketAddress) effective = NULL;
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();

  g_return_val_if_fail (self->listener == NULL, FALSE);
  if (self->mode == MODE_OFFICE365)
    {
      g_autoptr (GTlsCertificate) certificate = NULL;

      if (self->config.cert_dir == NULL)
        {
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                               "No certificate directory (set O365_TEST_CERTS)");
          return FALSE;
        }
      /* A missing certificate shows now, not at the first STARTTLS. */
      certificate = smtp_test_tls_load_certificate (self->config.cert_dir, self->config.cert_name,
                                                    error);
      if (certificate == NULL)
        return FALSE;
    }
  if (!g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM,
                                      G_SOCKET_PROTOCOL_TCP, NULL, &effective, error))
    return FALSE;
  self->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective));
  self->listener = g_steal_pointer (&listener);
  self->context = g_main_context_ref_thread_default ();
  accept_next (self);
  return TRUE;
}

guint16
smtp_test_server_get_port (SmtpTestServer *self)
{
  return self->port;
}

const char *
smtp_test_server_get_host (SmtpTestServer *self)
{
  return self->config.host;
}

static gboolean
on_wait_timeout (gpointer user_data)
{
  gboolean *timed_out = user_data;

  *timed_out = TRUE;
  return G_SOURCE_REMOVE;
}

static gboolean
no_session (SmtpTestServer *self)
{
  return self->sessions->len == 0;
}

static gboolean
idle (SmtpTestServer *self)
{
  return self->sessions->len == 0
         && (self->mode != MODE_SCRIPTED || self->scripts_ended >= self->scripts->len);
}

static gboolean
iterate_until (SmtpTestServer *self, gboolean (*done) (SmtpTestServer *self), guint timeout_ms)
{
  gboolean timed_out = FALSE;
  GSource *timeout = g_timeout_source_new (timeout_ms);

  g_source_set_callback (timeout, on_wait_timeout, &timed_out, NULL);
  g_source_attach (timeout, self->context);
  while (!done (self) && !timed_out)
    g_main_context_iteration (self->context, TRUE);
  g_source_destroy (timeout);
  g_source_unref (timeout);
  return done (self);
}

void
smtp_test_server_stop (SmtpTestServer *self)
{
  if (self->listener == NULL)
    return;
  g_cancellable_cancel (self->cancellable);
  g_socket_listener_close (self->listener);
  g_clear_object (&self->listener);
  for (guint i = 0; i < self->sessions->len; i++)
    g_cancellable_cancel (((SmtpTestSession *) g_ptr_array_index (self->sessions, i))->cancellable);
  iterate_until (self, no_session, STOP_TIMEOUT_MS);
}

gboolean
smtp_test_server_wait_idle (SmtpTestServer *self, guint timeout_ms)
{
  g_return_val_if_fail (self->context != NULL, FALSE);
  return iterate_until (self, idle, timeout_ms);
}

void
smtp_test_server_session_started (SmtpTestServer *self, SmtpTestSession *session)
{
  g_ptr_array_add (self->sessions, session);
}

void
smtp_test_server_session_ended (SmtpTestServer *self, SmtpTestSession *session)
{
  g_ptr_array_remove_fast (self->sessions, session);
}

void
smtp_test_server_script_ended (SmtpTestServer *self, const char *failure)
{
  self->scripts_ended++;
  if (failure == NULL)
    self->scripts_completed++;
  else if (self->failure == NULL)
    self->failure = g_strdup (failure);
}

void
smtp_test_server_take_data (SmtpTestServer *self, GBytes *data)
{
  g_ptr_array_add (self->data, data);
}

void
smtp_test_server_take_message (SmtpTestServer *self, SmtpTestMessage *message)
{
  g_ptr_array_add (self->messages, message);
}

guint
smtp_test_server_get_n_connections (SmtpTestServer *self)
{
  return self->connections->len;
}

static SmtpTestConnection *
connection (SmtpTestServer *self, guint index)
{
  g_return_val_if_fail (index < self->connections->len, NULL);
  return g_ptr_array_index (self->connections, index);
}

GBytes *
smtp_test_server_get_received (SmtpTestServer *self, guint index)
{
  SmtpTestConnection *conn = connection (self, index);

  return conn != NULL ? smtp_test_connection_get_received (conn) : NULL;
}

gssize
smtp_test_server_get_tls_offset (SmtpTestServer *self, guint index)
{
  SmtpTestConnection *conn = connection (self, index);

  return conn != NULL ? smtp_test_connection_get_tls_offset (conn) : -1;
}

static gboolean
contains (SmtpTestServer *self, const char *needle, gboolean plaintext_only)
{
  for (guint i = 0; i < self->connections->len; i++)
    {
      SmtpTestConnection *conn = g_ptr_array_index (self->connections, i);
      g_autoptr (GBytes) received = smtp_test_connection_get_received (conn);
      gssize tls_offset = smtp_test_connection_get_tls_offset (conn);
      gsize length;
      const void *data = g_bytes_get_data (received, &length);

      if (plaintext_only && tls_offset >= 0)
        length = tls_offset;
      if (length > 0 && memmem (data, length, needle, strlen (needle)) != NULL)
        return TRUE;
    }
  return FALSE;
}

gboolean
smtp_test_server_received_contains (SmtpTestServer *self, const char *needle)
{
  return contains (self, needle, FALSE);
}

gboolean
smtp_test_server_received_contains_plaintext (SmtpTestServer *self, const char *needle)
{
  return contains (self, needle, TRUE);
}

gboolean
smtp_test_server_get_script_completed (SmtpTestServer *self)
{
  return self->failure == NULL && self->scripts->len > 0
         && self->scripts_completed == self->scripts->len;
}

const char *
smtp_test_server_get_script_failure (SmtpTestServer *self)
{
  return self->failure;
}

GBytes *
smtp_test_server_get_data (SmtpTestServer *self, guint index)
{
  g_return_val_if_fail (index < self->data->len, NULL);
  return g_bytes_ref (g_ptr_array_index (self->data, index));
}

guint
smtp_test_server_get_n_messages (SmtpTestServer *self)
{
  return self->messages->len;
}

const SmtpTestMessage *
smtp_test_server_get_message (SmtpTestServer *self, guint index)
{
  g_return_val_if_fail (index < self->messages->len, NULL);
  return g_ptr_array_index (self->messages, index);
}

guint
smtp_test_server_get_round_trips (SmtpTestServer *self)
{
  guint total = 0;

  for (guint i = 0; i < self->connections->len; i++)
    total += smtp_test_connection_get_round_trips (g_ptr_array_index (self->connections, i));
  return total;
}
