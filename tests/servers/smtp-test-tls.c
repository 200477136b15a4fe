/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-tls.c — STARTTLS for the test server: a GTlsServerConnection in this process, or a
 * helper process when the test caps the protocol version (see smtp-test-tls.h for why). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "smtp-test-tls.h"

typedef struct {
  GIOStream *base;
  GSubprocess *helper;
  GSocketConnection *plain;
  GDataInputStream *status;
  char *protocol;
} Upgrade;

static void
upgrade_free (Upgrade *upgrade)
{
  g_clear_object (&upgrade->base);
  /* A helper that never reported stops now; once it has, it lives exactly as long as the
   * connection it relays (it exits when either side closes). */
  if (upgrade->helper != NULL)
    g_subprocess_force_exit (upgrade->helper);
  g_clear_object (&upgrade->helper);
  g_clear_object (&upgrade->plain);
  g_clear_object (&upgrade->status);
  g_free (upgrade->protocol);
  g_free (upgrade);
}

GIOStream *
smtp_test_tls_server_connection_new (GIOStream       *base,
                                     GTlsCertificate *certificate,
                                     GError         **error)
{
  GTlsBackend *backend = g_tls_backend_get_default ();

  /* An explicit NULL database: the default one makes glib-networking load the system trust store
   * for every connection (about 50 ms), and a server that asks for no client certificate has no
   * use for it. */
  return g_initable_new (g_tls_backend_get_server_connection_type (backend), NULL, error,
                         "base-io-stream", base,
                         "certificate", certificate,
                         "database", NULL,
                         NULL);
}

const char *
smtp_test_tls_protocol_name (GTlsProtocolVersion version)
{
  switch (version)
    {
    case G_TLS_PROTOCOL_VERSION_SSL_3_0:
      return "SSL 3.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      return "TLS 1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      return "TLS 1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
      return "TLS 1.2";
    case G_TLS_PROTOCOL_VERSION_TLS_1_3:
      return "TLS 1.3";
    default:
      return "an unknown TLS version";
    }
}

static char *
cert_dir_file (const char *cert_dir, const char *stem, const char *suffix)
{
  g_autofree char *base = g_strconcat (stem, suffix, NULL);

  return g_build_filename (cert_dir, base, NULL);
}

static char *
key_file_for (const char *cert_dir, const char *name, GError **error)
{
  g_autofree char *own_key = cert_dir_file (cert_dir, name, ".key");
  g_autofree char *chain_file = cert_dir_file (cert_dir, name, ".pem");
  g_autoptr (GTlsCertificate) chain = NULL;
  g_autoptr (GDir) dir = NULL;
  const char *entry;

  if (g_file_test (own_key, G_FILE_TEST_EXISTS))
    return g_steal_pointer (&own_key);

  chain = g_tls_certificate_new_from_file (chain_file, error);
  dir = chain != NULL ? g_dir_open (cert_dir, 0, error) : NULL;
  if (dir == NULL)
    return NULL;
  while ((entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *stem = NULL;
      g_autofree char *key = NULL;
      g_autofree char *leaf_file = NULL;
      g_autoptr (GTlsCertificate) leaf = NULL;

      if (!g_str_has_suffix (entry, ".pem"))
        continue;
      stem = g_strndup (entry, strlen (entry) - strlen (".pem"));
      key = cert_dir_file (cert_dir, stem, ".key");
      if (!g_file_test (key, G_FILE_TEST_EXISTS))
        continue;
      leaf_file = g_build_filename (cert_dir, entry, NULL);
      leaf = g_tls_certificate_new_from_file (leaf_file, NULL);
      if (leaf != NULL && g_tls_certificate_is_same (leaf, chain))
        return g_steal_pointer (&key);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
               "No private key for test certificate “%s” in %s", name, cert_dir);
  return NULL;
}

static gboolean
certificate_files (const char *cert_dir,
                   const char *name,
                   char      **cert_file,
                   char      **key_file,
                   GError    **error)
{
  g_autofree char *cert = cert_dir_file (cert_dir, name, ".pem");

  if (strchr (name, G_DIR_SEPARATOR) != NULL || !g_file_test (cert, G_FILE_TEST_EXISTS))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "No test certificate “%s” in %s", name, cert_dir);
      return FALSE;
    }
  *key_file = key_file_for (cert_dir, name, error);
  if (*key_file == NULL)
    return FALSE;
  *cert_file = g_steal_pointer (&cert);
  return TRUE;
}

GTlsCertificate *
smtp_test_tls_load_certificate (const char *cert_dir, const char *name, GError **error)
{
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;

  if (!certificate_files (cert_dir, name, &cert_file, &key_file, error))
    return NULL;
  return g_tls_certificate_new_from_files (cert_file, key_file, error);
}

static void
on_handshake (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Upgrade *upgrade = g_task_get_task_data (task);
  GError *error = NULL;

  if (!g_tls_connection_handshake_finish (G_TLS_CONNECTION (source), result, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  upgrade->protocol = g_strdup (smtp_test_tls_protocol_name (
    g_tls_connection_get_protocol_version (G_TLS_CONNECTION (source))));
  g_task_return_pointer (task, g_object_ref (source), g_object_unref);
}

static void
on_helper_status (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Upgrade *upgrade = g_task_get_task_data (task);
  GError *error = NULL;
  g_autofree char *line = g_data_input_stream_read_line_finish_utf8 (upgrade->status, result,
                                                                     NULL, &error);

  if (error != NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  if (line == NULL || !g_str_has_prefix (line, "OK "))
    {
      g_task_return_new_error (task, G_TLS_ERROR, G_TLS_ERROR_HANDSHAKE,
                               "TLS handshake (helper process) failed: %s",
                               line != NULL && g_str_has_prefix (line, "FAIL ")
                                 ? line + strlen ("FAIL ") : "no result");
      return;
    }
  upgrade->protocol = g_strdup (line + strlen ("OK "));
  g_clear_object (&upgrade->helper);
  g_task_return_pointer (task, g_steal_pointer (&upgrade->plain), g_object_unref);
}

static const char *
helper_max_version (GTlsProtocolVersion max_version)
{
  switch (max_version)
    {
    case G_TLS_PROTOCOL_VERSION_TLS_1_0:
      return "1.0";
    case G_TLS_PROTOCOL_VERSION_TLS_1_1:
      return "1.1";
    case G_TLS_PROTOCOL_VERSION_TLS_1_2:
      return "1.2";
    default:
      return NULL;
    }
}

/* The helper gets the client's TCP socket as fd 3 and one end of a socket pair as fd 4, shakes
 * hands, prints "OK <version>" or "FAIL <reason>" and then relays plaintext over fd 4. */
static gboolean
spawn_helper (Upgrade            *upgrade,
              const char         *cert_file,
              const char         *key_file,
              GTlsProtocolVersion max_version,
              GError            **error)
{
  const char *max_arg = helper_max_version (max_version);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSocket) socket = NULL;
  GSocket *tcp;
  int pair[2];
  int tcp_fd;

  if (max_arg == NULL || !G_IS_SOCKET_CONNECTION (upgrade->base))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   "A TLS version cap needs TLS 1.0, 1.1 or 1.2 on a plain TCP connection");
      return FALSE;
    }
  tcp = g_socket_connection_get_socket (G_SOCKET_CONNECTION (upgrade->base));
  if (socketpair (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "socketpair: %s",
                   g_strerror (errno));
      return FALSE;
    }
  tcp_fd = fcntl (g_socket_get_fd (tcp), F_DUPFD_CLOEXEC, 0);
  if (tcp_fd < 0)
    {
      int saved = errno;

      close (pair[0]);
      close (pair[1]);
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "dup: %s",
                   g_strerror (saved));
      return FALSE;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_subprocess_launcher_take_fd (launcher, tcp_fd, 3);
  g_subprocess_launcher_take_fd (launcher, pair[1], 4);
  upgrade->helper = g_subprocess_launcher_spawn (launcher, error, SMTP_TEST_TLS_HELPER,
                                                 cert_file, key_file, max_arg, NULL);
  socket = upgrade->helper != NULL ? g_socket_new_from_fd (pair[0], error) : NULL;
  if (socket == NULL)
    {
      close (pair[0]);
      return FALSE;
    }
  g_socket_set_timeout (socket, g_socket_get_timeout (tcp));
  upgrade->plain = g_socket_connection_factory_create_connection (socket);
  upgrade->status = g_data_input_stream_new (g_subprocess_get_stdout_pipe (upgrade->helper));
  /* The helper holds its own copy of the TCP socket: closing ours lets the client see the
   * connection end when the helper ends it. */
  return g_io_stream_close (upgrade->base, NULL, error);
}

void
smtp_test_tls_upgrade_async (GIOStream           *base,
                             const char          *cert_dir,
                             const char          *cert_name,
                             GTlsProtocolVersion  max_version,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  Upgrade *upgrade = g_new0 (Upgrade, 1);
  g_autofree char *cert_file = NULL;
  g_autofree char *key_file = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GIOStream) tls = NULL;
  GError *error = NULL;

  g_task_set_source_tag (task, smtp_test_tls_upgrade_async);
  upgrade->base = g_object_ref (base);
  g_task_set_task_data (task, upgrade, (GDestroyNotify) upgrade_free);

  if (!certificate_files (cert_dir, cert_name, &cert_file, &key_file, &error))
    {
      g_task_return_error (task, error);
      return;
    }
  if (max_version != G_TLS_PROTOCOL_VERSION_UNKNOWN)
    {
      if (!spawn_helper (upgrade, cert_file, key_file, max_version, &error))
        g_task_return_error (task, error);
      else
        g_data_input_stream_read_line_async (upgrade->status, G_PRIORITY_DEFAULT, cancellable,
                                             on_helper_status, g_steal_pointer (&task));
      return;
    }
  certificate = g_tls_certificate_new_from_files (cert_file, key_file, &error);
  if (certificate != NULL)
    tls = smtp_test_tls_server_connection_new (base, certificate, &error);
  if (tls == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  g_tls_connection_handshake_async (G_TLS_CONNECTION (tls), G_PRIORITY_DEFAULT, cancellable,
                                    on_handshake, g_steal_pointer (&task));
}

GIOStream *
smtp_test_tls_upgrade_finish (GAsyncResult *result, char **protocol, GError **error)
{
  GTask *task = G_TASK (result);
  Upgrade *upgrade = g_task_get_task_data (task);
  GIOStream *stream;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (task) == smtp_test_tls_upgrade_async, NULL);

  stream = g_task_propagate_pointer (task, error);
  if (stream != NULL && protocol != NULL)
    *protocol = g_strdup (upgrade->protocol);
  return stream;
}
