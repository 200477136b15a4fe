/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-tls-helper.c — the TLS end of a STARTTLS upgrade with a capped protocol version, for the
 * test server (smtp-test-tls.c). glib-networking 2.74 reads G_TLS_GNUTLS_PRIORITY once per process,
 * so a version cap for one connection needs a process of its own.
 *
 * usage: smtp-test-tls-helper CERT.pem KEY.key MAX   (MAX: 1.0, 1.1 or 1.2)
 * fd 3: the client's TCP socket, after the server's "220" to STARTTLS
 * fd 4: the plaintext side, relayed both ways once the handshake is done
 * stdout: one line, "OK TLS 1.1" or "FAIL <reason>". */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "smtp-test-tls.h"

/* Bounds the handshake and every later read or write towards the client. */
#define CLIENT_TIMEOUT_S 60

static const char *
priority_for (const char *max, GTlsProtocolVersion *version)
{
  if (g_str_equal (max, "1.0"))
    {
      *version = G_TLS_PROTOCOL_VERSION_TLS_1_0;
      return "NORMAL:-VERS-ALL:+VERS-TLS1.0";
    }
  if (g_str_equal (max, "1.1"))
    {
      *version = G_TLS_PROTOCOL_VERSION_TLS_1_1;
      return "NORMAL:-VERS-ALL:+VERS-TLS1.1:+VERS-TLS1.0";
    }
  if (g_str_equal (max, "1.2"))
    {
      *version = G_TLS_PROTOCOL_VERSION_TLS_1_2;
      return "NORMAL:-VERS-ALL:+VERS-TLS1.2:+VERS-TLS1.1:+VERS-TLS1.0";
    }
  return NULL;
}

static GIOStream *
stream_from_fd (int fd, guint timeout_s, GError **error)
{
  g_autoptr (GSocket) socket = g_socket_new_from_fd (fd, error);

  if (socket == NULL)
    return NULL;
  g_socket_set_timeout (socket, timeout_s);
  return G_IO_STREAM (g_socket_connection_factory_create_connection (socket));
}

static void
on_spliced (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GMainLoop *loop = user_data;

  /* Either side closing ends the relay; the other side is closed with it. */
  g_io_stream_splice_finish (result, NULL);
  g_main_loop_quit (loop);
}

static int
fail (const char *message)
{
  printf ("FAIL %s\n", message);
  fflush (stdout);
  return 1;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GIOStream) tcp = NULL;
  g_autoptr (GIOStream) plain = NULL;
  g_autoptr (GIOStream) tls = NULL;
  g_autoptr (GTlsCertificate) certificate = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  GTlsProtocolVersion max_version = G_TLS_PROTOCOL_VERSION_UNKNOWN;
  GTlsProtocolVersion version;
  const char *priority;

  if (argc != 4 || (priority = priority_for (argv[3], &max_version)) == NULL)
    return fail ("usage: smtp-test-tls-helper CERT KEY 1.0|1.1|1.2");
  /* Before anything touches TLS: both are read once, when the backend loads. */
  g_setenv ("GIO_USE_TLS", "gnutls", TRUE);
  g_setenv ("G_TLS_GNUTLS_PRIORITY", priority, TRUE);

  tcp = stream_from_fd (3, CLIENT_TIMEOUT_S, &error);
  if (tcp != NULL)
    plain = stream_from_fd (4, 0, &error);
  if (plain != NULL)
    certificate = g_tls_certificate_new_from_files (argv[1], argv[2], &error);
  if (certificate != NULL)
    tls = smtp_test_tls_server_connection_new (tcp, certificate, &error);
  if (tls == NULL || !g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    return fail (error->message);

  version = g_tls_connection_get_protocol_version (G_TLS_CONNECTION (tls));
  /* A backend that ignored the priority string would make a "TLS 1.1 only" test meaningless. */
  if (version > max_version)
    return fail ("the TLS backend negotiated a version above the cap");
  printf ("OK %s\n", smtp_test_tls_protocol_name (version));
  fflush (stdout);

  loop = g_main_loop_new (NULL, FALSE);
  g_io_stream_splice_async (tls, plain, G_IO_STREAM_SPLICE_CLOSE_STREAM1 | G_IO_STREAM_SPLICE_CLOSE_STREAM2,
                            G_PRIORITY_DEFAULT, NULL, on_spliced, loop);
  g_main_loop_run (loop);
  return 0;
}
