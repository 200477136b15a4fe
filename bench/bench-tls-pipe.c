/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-tls-pipe.c — the physical reference for the 100 MB send: the same bytes through a bare TLS
 * connection over the same loopback, with the same TLS stack the engine uses (GIO's
 * GTlsConnection, glib-networking's GnuTLS backend), no SMTP and no encoder.
 *
 *   bench-tls-pipe sink --cert FILE --key FILE [--timeout SECONDS]
 *       listens on 127.0.0.1 (any free port), prints "PORT=N", accepts one connection, reads and
 *       discards the announced number of bytes, answers "OK\n" and exits
 *   bench-tls-pipe source --port N --ca FILE --file FILE
 *       connects to localhost:N (127.0.0.1), verifies the sink's certificate, sends an 8-byte
 *       length and then the file in 64 KiB writes (the engine's body chunk), waits for "OK"
 *
 * Blocking I/O on purpose: each side is a process of its own with nothing else to do. The source
 * prints PIPE_SECONDS (connect to "OK") and PIPE_DATA_SECONDS (after the handshake). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>

#define CHUNK (64 * 1024)

/* A watchdog thread: blocking I/O cannot hang forever. */
static gpointer
watchdog (gpointer user_data)
{
  g_usleep ((gulong) GPOINTER_TO_UINT (user_data) * G_USEC_PER_SEC);
  g_printerr ("bench-tls-pipe: timed out\n");
  _exit (1);
  return NULL;
}

static int
run_sink (const char *cert_path, const char *key_path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) certificate = g_tls_certificate_new_from_files (cert_path, key_path, &error);
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) effective = NULL;
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GIOStream) tls = NULL;
  g_autofree guint8 *buffer = g_malloc (CHUNK);
  guint64 expected = 0, received = 0;
  guint8 header[8];
  gsize got = 0;

  if (certificate == NULL
      || !g_socket_listener_add_address (listener, address, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                                         NULL, &effective, &error))
    goto fail;
  printf ("PORT=%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (effective)));
  fflush (stdout);
  connection = g_socket_listener_accept (listener, NULL, NULL, &error);
  if (connection == NULL)
    goto fail;
  /* No database: a sink that asks for no client certificate has no use for the system store
   * (loading it would only add to the sink's start-up). */
  tls = g_initable_new (g_tls_backend_get_server_connection_type (g_tls_backend_get_default ()), NULL, &error,
                        "base-io-stream", connection, "certificate", certificate, "database", NULL, NULL);
  if (tls == NULL)
    goto fail;
  if (!g_input_stream_read_all (g_io_stream_get_input_stream (tls), header, sizeof header, &got, NULL, &error))
    goto fail;
  if (got != sizeof header)
    {
      g_printerr ("bench-tls-pipe: the source closed early\n");
      return 1;
    }
  for (guint i = 0; i < sizeof header; i++)
    expected = (expected << 8) | header[i];
  while (received < expected)
    {
      gssize n = g_input_stream_read (g_io_stream_get_input_stream (tls), buffer,
                                      MIN ((guint64) CHUNK, expected - received), NULL, &error);

      if (n < 0)
        goto fail;
      if (n == 0)
        {
          g_printerr ("bench-tls-pipe: the source closed after %" G_GUINT64_FORMAT " bytes\n", received);
          return 1;
        }
      received += (guint64) n;
    }
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (tls), "OK\n", 3, NULL, NULL, &error))
    goto fail;
  /* Wait for the source to hang up, so the answer is not cut off by our close. */
  g_input_stream_read (g_io_stream_get_input_stream (tls), buffer, 1, NULL, NULL);
  g_io_stream_close (tls, NULL, NULL);
  return 0;

fail:
  g_printerr ("bench-tls-pipe: %s\n", error->message);
  return 1;
}

static int
run_source (int port, const char *ca_path, const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsDatabase) database = g_tls_file_database_new (ca_path, &error);
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, port);
  g_autoptr (GSocketConnectable) identity = g_network_address_new ("localhost", port);
  g_autoptr (GSocketConnection) connection = NULL;
  g_autoptr (GIOStream) tls = NULL;
  g_autoptr (GFile) file = g_file_new_for_path (path);
  g_autoptr (GFileInputStream) in = NULL;
  g_autoptr (GFileInfo) info = NULL;
  g_autofree guint8 *buffer = g_malloc (CHUNK);
  guint64 size, sent = 0;
  guint8 header[8];
  char answer[3];
  gsize got = 0;
  gint64 start, data_start;

  if (database == NULL)
    goto fail;
  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE, G_FILE_QUERY_INFO_NONE, NULL, &error);
  in = info != NULL ? g_file_read (file, NULL, &error) : NULL;
  if (in == NULL)
    goto fail;
  size = (guint64) g_file_info_get_size (info);

  start = g_get_monotonic_time ();
  g_socket_client_set_enable_proxy (client, FALSE);
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (address), NULL, &error);
  if (connection == NULL)
    goto fail;
  tls = g_tls_client_connection_new (G_IO_STREAM (connection), identity, &error);
  if (tls == NULL)
    goto fail;
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    goto fail;
  data_start = g_get_monotonic_time ();
  for (guint i = 0; i < sizeof header; i++)
    header[i] = (guint8) (size >> (8 * (7 - i)));
  if (!g_output_stream_write_all (g_io_stream_get_output_stream (tls), header, sizeof header, NULL, NULL, &error))
    goto fail;
  while (sent < size)
    {
      gssize n = g_input_stream_read (G_INPUT_STREAM (in), buffer, CHUNK, NULL, &error);

      if (n < 0)
        goto fail;
      if (n == 0)
        break;
      if (!g_output_stream_write_all (g_io_stream_get_output_stream (tls), buffer, (gsize) n, NULL, NULL, &error))
        goto fail;
      sent += (guint64) n;
    }
  if (!g_input_stream_read_all (g_io_stream_get_input_stream (tls), answer, sizeof answer, &got, NULL, &error))
    goto fail;
  if (got != sizeof answer || memcmp (answer, "OK\n", 3) != 0)
    {
      g_printerr ("bench-tls-pipe: no OK from the sink\n");
      return 1;
    }
  printf ("PIPE_SECONDS=%.3f\n", (g_get_monotonic_time () - start) / 1e6);
  printf ("PIPE_DATA_SECONDS=%.3f\n", (g_get_monotonic_time () - data_start) / 1e6);
  printf ("PIPE_BYTES=%" G_GUINT64_FORMAT "\n", sent);
  printf ("PIPE_TLS=%s\n", g_tls_connection_get_protocol_version (G_TLS_CONNECTION (tls)) == G_TLS_PROTOCOL_VERSION_TLS_1_3
                             ? "TLS 1.3" : "other");
  printf ("PIPE_CIPHER=%s\n", g_tls_connection_get_ciphersuite_name (G_TLS_CONNECTION (tls)));
  g_io_stream_close (tls, NULL, NULL);
  return 0;

fail:
  g_printerr ("bench-tls-pipe: %s\n", error->message);
  return 1;
}

int
main (int argc, char **argv)
{
  int port = 0, timeout_s = 300;
  g_autofree char *cert = NULL, *key = NULL, *ca = NULL, *file = NULL;
  const GOptionEntry entries[] = {
    { "port", 0, 0, G_OPTION_ARG_INT, &port, "source: the sink's port on 127.0.0.1", "N" },
    { "cert", 0, 0, G_OPTION_ARG_FILENAME, &cert, "sink: certificate (PEM)", "FILE" },
    { "key", 0, 0, G_OPTION_ARG_FILENAME, &key, "sink: private key (PEM)", "FILE" },
    { "ca", 0, 0, G_OPTION_ARG_FILENAME, &ca, "source: CA certificate to trust", "FILE" },
    { "file", 0, 0, G_OPTION_ARG_FILENAME, &file, "source: the bytes to send", "FILE" },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &timeout_s, "Give up after this long (default 300)", "SECONDS" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("sink|source — a bare TLS pipe on 127.0.0.1");
  g_autoptr (GError) error = NULL;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("bench-tls-pipe: %s\n", error->message);
      return 64;
    }
  if (timeout_s <= 0)
    return 64;
  g_thread_unref (g_thread_new ("watchdog", watchdog, GUINT_TO_POINTER ((guint) timeout_s)));
  if (argc == 2 && g_str_equal (argv[1], "sink") && cert != NULL && key != NULL)
    return run_sink (cert, key);
  if (argc == 2 && g_str_equal (argv[1], "source") && port > 0 && port <= G_MAXUINT16 && ca != NULL && file != NULL)
    return run_source (port, ca, file);
  g_printerr ("bench-tls-pipe: sink --cert FILE --key FILE | source --port N --ca FILE --file FILE\n");
  return 64;
}
