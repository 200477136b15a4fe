/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-smtp-test-server.c — the test server proving itself against a plain GIO client: scripts
 * (recording, STARTTLS with a chosen certificate or a capped TLS version, one-write injection,
 * failures, delays, silence, floods), the office365 profile (EHLO lists, refusals, AUTH LOGIN,
 * XOAUTH2, pipelining, stored messages, round trips, redacted log) and the o365-test-server program.
 *
 * The client runs synchronously in a thread while the main thread runs the server's main context. */
#include "config.h"

#include <glib/gstdio.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>

#include "smtp-test-data.h"
#include "smtp-test-server.h"
#include "test-utils.h"

#define CLIENT_TIMEOUT_S 10
#define TEST_TIMEOUT_MS 20000
#define USER "alice@contoso.test"
#define PASSWORD "correct horse battery staple"
#define TOKEN "eyJ0eXAiOiJKV1QifQ.test-token.signature"

/* --- A minimal SMTP client, synchronous, for the client thread --- */

typedef struct {
  GIOStream *stream;  /* the TCP connection, then the TLS one */
  GByteArray *in;     /* read, not yet returned */
  guint16 port;
} Client;

static Client *
client_connect (guint16 port)
{
  g_autoptr (GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr (GError) error = NULL;
  Client *client = g_new0 (Client, 1);
  GSocketConnection *tcp;

  g_socket_client_set_timeout (socket_client, CLIENT_TIMEOUT_S);
  /* Loopback only; and the proxy resolver would want a GSettings schema the tests do not have. */
  g_socket_client_set_enable_proxy (socket_client, FALSE);
  tcp = g_socket_client_connect_to_host (socket_client, "127.0.0.1", port, NULL, &error);
  g_assert_no_error (error);
  /* Without it, a write after an unacknowledged one (the TLS Finished, then EHLO) waits out the
   * server's delayed ACK: 40 ms per handshake. */
  g_socket_set_option (g_socket_connection_get_socket (tcp), IPPROTO_TCP, TCP_NODELAY, 1, NULL);
  client->stream = G_IO_STREAM (tcp);
  client->in = g_byte_array_new ();
  client->port = port;
  return client;
}

static void
client_free (Client *client)
{
  g_io_stream_close (client->stream, NULL, NULL);
  g_object_unref (client->stream);
  g_byte_array_unref (client->in);
  g_free (client);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Client, client_free)

static void
client_send (Client *client, const char *text)
{
  g_autoptr (GError) error = NULL;

  g_output_stream_write_all (g_io_stream_get_output_stream (client->stream), text, strlen (text),
                             NULL, NULL, &error);
  g_assert_no_error (error);
}

/* One read call: returns how many bytes it added to client->in (0 at end of stream). */
static gssize
client_read_once (Client *client)
{
  guint8 chunk[16384];
  gssize n = g_input_stream_read (g_io_stream_get_input_stream (client->stream), chunk,
                                  sizeof chunk, NULL, NULL);

  if (n > 0)
    g_byte_array_append (client->in, chunk, n);
  return n;
}

/* A complete reply (every line, CRLFs included), or NULL when the server closed first. */
static char *
client_reply (Client *client)
{
  for (;;)
    {
      gsize start = 0;

      while (start < client->in->len)
        {
          const guint8 *line = client->in->data + start;
          const guint8 *crlf = memmem (line, client->in->len - start, "\r\n", 2);
          gsize end;
          char *reply;

          if (crlf == NULL)
            break;
          end = crlf + 2 - client->in->data;
          start = end;
          if (crlf - line > 3 && line[3] == '-')
            continue;
          reply = g_strndup ((const char *) client->in->data, end);
          g_byte_array_remove_range (client->in, 0, end);
          return reply;
        }
      if (client_read_once (client) <= 0)
        return NULL;
    }
}

static void
client_expect (Client *client, const char *expected)
{
  g_autofree char *reply = client_reply (client);

  g_assert_cmpstr (reply, ==, expected);
}

static void
client_command (Client *client, const char *command, const char *expected)
{
  client_send (client, command);
  client_expect (client, expected);
}

/* Starts TLS (after the 220 was read), trusting only the test CA; returns the error, if any. */
static GError *
client_starttls (Client *client, GTlsProtocolVersion *version)
{
  g_autofree char *ca = test_cert_path ("ca.pem");
  g_autoptr (GTlsDatabase) database = NULL;
  g_autoptr (GSocketConnectable) identity = g_network_address_new ("localhost", client->port);
  GIOStream *tls;
  GError *error = NULL;

  /* Anything already buffered would be a STARTTLS injection: this client must see none. */
  g_assert_cmpuint (client->in->len, ==, 0);
  database = g_tls_file_database_new (ca, &error);
  g_assert_no_error (error);
  tls = g_tls_client_connection_new (client->stream, identity, &error);
  g_assert_no_error (error);
  g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);
  if (!g_tls_connection_handshake (G_TLS_CONNECTION (tls), NULL, &error))
    {
      g_object_unref (tls);
      return error;
    }
  if (version != NULL)
    *version = g_tls_connection_get_protocol_version (G_TLS_CONNECTION (tls));
  g_object_unref (client->stream);
  client->stream = tls;
  return NULL;
}

static void
client_starttls_ok (Client *client)
{
  g_autoptr (GError) error = client_starttls (client, NULL);

  g_assert_no_error (error);
}

static char *
b64 (const char *text)
{
  return g_base64_encode ((const guchar *) text, strlen (text));
}

static char *
b64_line (const char *text)
{
  g_autofree char *encoded = b64 (text);

  return g_strconcat (encoded, "\r\n", NULL);
}

/* --- Running a client thread against a server in the main context --- */

typedef void (*ClientFunc) (gpointer data);

typedef struct {
  ClientFunc func;
  gpointer data;
  gboolean done;
} ClientRun;

static gboolean
on_client_done (gpointer user_data)
{
  ((ClientRun *) user_data)->done = TRUE;
  return G_SOURCE_REMOVE;
}

static gpointer
client_thread (gpointer user_data)
{
  ClientRun *run = user_data;

  run->func (run->data);
  g_idle_add (on_client_done, run);
  return NULL;
}

static void
run_client (ClientFunc func, gpointer data)
{
  ClientRun run = { func, data, FALSE };
  GThread *thread = g_thread_new ("client", client_thread, &run);

  test_wait_for_flag (&run.done, TEST_TIMEOUT_MS);
  g_thread_join (thread);
}

static SmtpTestServer *
start_scripted (SmtpTestScript *first, ...)
{
  g_autoptr (GError) error = NULL;
  SmtpTestServer *server = smtp_test_server_new_scripted ();
  va_list args;

  va_start (args, first);
  for (SmtpTestScript *s = first; s != NULL; s = va_arg (args, SmtpTestScript *))
    smtp_test_server_add_script (server, s);
  va_end (args);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  g_assert_no_error (error);
  return server;
}

static void
assert_bytes (GBytes *bytes, const char *expected, gsize expected_length)
{
  g_assert_cmpmem (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes), expected, expected_length);
}

/* --- The DATA decoder --- */

typedef struct {
  const char *wire;
  const char *raw;     /* the body as sent */
  const char *unstuffed;
  gsize consumed;      /* 0: all of it */
} DataCase;

static void
check_decoder (const DataCase *c, gboolean unstuff, gsize chunk)
{
  SmtpTestDataDecoder decoder;
  g_autoptr (GByteArray) out = g_byte_array_new ();
  gsize wire_length = strlen (c->wire);
  gsize consumed = 0;
  gboolean done = FALSE;
  const char *expected = unstuff ? c->unstuffed : c->raw;

  smtp_test_data_decoder_init (&decoder, unstuff);
  while (!done && consumed < wire_length)
    {
      gsize length = MIN (chunk, wire_length - consumed);

      consumed += smtp_test_data_decoder_feed (&decoder, (const guint8 *) c->wire + consumed,
                                               length, out, &done);
    }
  g_assert_true (done);
  g_assert_cmpuint (consumed, ==, c->consumed != 0 ? c->consumed : wire_length);
  g_assert_cmpmem (out->data, out->len, expected, strlen (expected));
}

static void
test_data_decoder (void)
{
  static const DataCase cases[] = {
    { "Hello\r\n.\r\n", "Hello\r\n", "Hello\r\n", 0 },
    { ".\r\n", "", "", 0 },
    { "..leading\r\n.\r\nQUIT\r\n", "..leading\r\n", ".leading\r\n", 14 },
    /* Only CRLF.CRLF ends the body: bare LF and CR never do. */
    { "a\n.\nb\r.\rc\r\n.\r\n", "a\n.\nb\r.\rc\r\n", "a\n.\nb\r.\rc\r\n", 0 },
    { ".\rX\r\n.\r\n", ".\rX\r\n", "\rX\r\n", 0 },
    { "x\r\n.y\r\n..\r\n.\r\n", "x\r\n.y\r\n..\r\n", "x\r\ny\r\n.\r\n", 0 },
  };

  /* Every chunk size, so the terminator and the stuffed dots fall across chunk boundaries. */
  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      for (gsize chunk = 1; chunk <= 16; chunk++)
        {
          check_decoder (&cases[i], FALSE, chunk);
          check_decoder (&cases[i], TRUE, chunk);
        }
    }
}

/* --- Scripts --- */

static const char plain_part[] = "EHLO client.test\r\nSTARTTLS\r\n";
static const char tls_part[] =
  "EHLO client.test\r\n"
  "MAIL FROM:<a@b.test>\r\n"
  "RCPT TO:<c@d.test>\r\n"
  "DATA\r\n"
  "Subject: hi\r\n\r\n..dot\r\nend\r\n.\r\n"
  "QUIT\r\n";

static void
starttls_client (gpointer data)
{
  g_autoptr (Client) client = client_connect (GPOINTER_TO_UINT (data));
  GTlsProtocolVersion version = G_TLS_PROTOCOL_VERSION_UNKNOWN;
  g_autoptr (GError) error = NULL;

  client_expect (client, "220 test ESMTP\r\n");
  client_command (client, "EHLO client.test\r\n", "250-test\r\n250 STARTTLS\r\n");
  client_command (client, "STARTTLS\r\n", "220 Ready\r\n");
  error = client_starttls (client, &version);
  g_assert_no_error (error);
  g_assert_cmpint (version, >=, G_TLS_PROTOCOL_VERSION_TLS_1_2);
  client_command (client, "EHLO client.test\r\n", "250 test\r\n");
  /* The envelope pipelined, then the body. */
  client_send (client, "MAIL FROM:<a@b.test>\r\nRCPT TO:<c@d.test>\r\nDATA\r\n");
  client_expect (client, "250 ok\r\n");
  client_expect (client, "250 ok\r\n");
  client_expect (client, "354 go\r\n");
  client_command (client, "Subject: hi\r\n\r\n..dot\r\nend\r\n.\r\n", "250 queued\r\n");
  client_command (client, "QUIT\r\n", "221 bye\r\n");
  g_assert_null (client_reply (client));
}

static void
test_script_starttls_recording (void)
{
  SmtpTestScript *script = smtp_test_script_new ();
  g_autoptr (SmtpTestServer) server = NULL;
  g_autoptr (GBytes) received = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autofree char *expected = g_strconcat (plain_part, tls_part, NULL);
  static const char expected_body[] = "Subject: hi\r\n\r\n..dot\r\nend\r\n";

  smtp_test_script_send (script, "220 test ESMTP\r\n");
  smtp_test_script_expect_line (script, "EHLO client.test");
  smtp_test_script_send (script, "250-test\r\n250 STARTTLS\r\n");
  smtp_test_script_expect_line (script, "STARTTLS");
  smtp_test_script_send (script, "220 Ready\r\n");
  smtp_test_script_starttls (script, "server", G_TLS_PROTOCOL_VERSION_UNKNOWN);
  smtp_test_script_expect_line (script, "EHLO client.test");
  smtp_test_script_send (script, "250 test\r\n");
  smtp_test_script_expect_prefix (script, "MAIL FROM:<a@");
  smtp_test_script_expect_line (script, "RCPT TO:<c@d.test>");
  smtp_test_script_expect_line (script, "DATA");
  smtp_test_script_send (script, "250 ok\r\n250 ok\r\n354 go\r\n");
  smtp_test_script_expect_data (script);
  smtp_test_script_send (script, "250 queued\r\n");
  smtp_test_script_expect_line (script, "QUIT");
  smtp_test_script_send (script, "221 bye\r\n");
  server = start_scripted (script, NULL);

  run_client (starttls_client, GUINT_TO_POINTER (smtp_test_server_get_port (server)));
  g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));

  g_assert_null (smtp_test_server_get_script_failure (server));
  g_assert_true (smtp_test_server_get_script_completed (server));
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 1);
  received = smtp_test_server_get_received (server, 0);
  assert_bytes (received, expected, strlen (expected));
  g_assert_cmpint (smtp_test_server_get_tls_offset (server, 0), ==, strlen (plain_part));
  g_assert_true (smtp_test_server_received_contains (server, "RCPT TO:<c@d.test>"));
  g_assert_false (smtp_test_server_received_contains_plaintext (server, "RCPT TO"));
  g_assert_true (smtp_test_server_received_contains_plaintext (server, "STARTTLS\r\n"));
  body = smtp_test_server_get_data (server, 0);
  assert_bytes (body, expected_body, strlen (expected_body));
  /* EHLO, STARTTLS, EHLO, the pipelined envelope, the body, QUIT. */
  g_assert_cmpuint (smtp_test_server_get_round_trips (server), ==, 6);
}

static void
injection_client (gpointer data)
{
  g_autoptr (Client) client = client_connect (GPOINTER_TO_UINT (data));

  client_expect (client, "220 test\r\n");
  client_send (client, "STARTTLS\r\n");
  /* The reply and the injected line come in one write, so in one read. */
  g_assert_cmpint (client_read_once (client), ==, strlen ("220 Ready\r\n250-x\r\n"));
  g_assert_cmpmem (client->in->data, client->in->len, "220 Ready\r\n250-x\r\n", 18);
}

static void
test_script_one_write_injection (void)
{
  SmtpTestScript *script = smtp_test_script_new ();
  g_autoptr (SmtpTestServer) server = NULL;

  smtp_test_script_send (script, "220 test\r\n");
  smtp_test_script_expect_line (script, "STARTTLS");
  smtp_test_script_send (script, "220 Ready\r\n250-x\r\n");
  smtp_test_script_silence (script);
  server = start_scripted (script, NULL);

  run_client (injection_client, GUINT_TO_POINTER (smtp_test_server_get_port (server)));
  g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));
  g_assert_true (smtp_test_server_get_script_completed (server));
}

static void
mismatch_client (gpointer data)
{
  g_autoptr (Client) client = client_connect (GPOINTER_TO_UINT (data));

  client_expect (client, "220 test\r\n");
  client_send (client, "EHLO wrong.test\r\n");
  /* The server gives up on a failed script: the connection ends. */
  g_assert_null (client_reply (client));
}

static void
test_script_failure_recorded (void)
{
  SmtpTestScript *script = smtp_test_script_new ();
  g_autoptr (SmtpTestServer) server = NULL;
  const char *failure;

  smtp_test_script_send (script, "220 test\r\n");
  smtp_test_script_expect_line (script, "EHLO right.test");
  smtp_test_script_send (script, "250 never sent\r\n");
  server = start_scripted (script, NULL);

  run_client (mismatch_client, GUINT_TO_POINTER (smtp_test_server_get_port (server)));
  g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));
  g_assert_false (smtp_test_server_get_script_completed (server));
  failure = smtp_test_server_get_script_failure (server);
  g_assert_nonnull (failure);
  g_test_message ("failure: %s", failure);
  g_assert_nonnull (strstr (failure, "connection 1, step 2"));
  g_assert_nonnull (strstr (failure, "EHLO right.test"));
  g_assert_nonnull (strstr (failure, "EHLO wrong.test"));
}

static void
tls_cap_client (gpointer data)
{
  g_autoptr (Client) client = client_connect (GPOINTER_TO_UINT (data));
  GTlsProtocolVersion version = G_TLS_PROTOCOL_VERSION_UNKNOWN;
  g_autoptr (GError) error = NULL;

  client_command (client, "STARTTLS\r\n", "220 Ready\r\n");
  error = client_starttls (client, &version);
  g_assert_no_error (error);
  g_assert_cmpint (version, ==, G_TLS_PROTOCOL_VERSION_TLS_1_1);
  client_command (client, "EHLO client.test\r\n", "250 old server\r\n");
  g_assert_null (client_reply (client));
}

static void
test_script_tls_version_cap (void)
{
  SmtpTestScript *script = smtp_test_script_new ();
  g_autoptr (SmtpTestServer) server = NULL;
  g_autoptr (GBytes) received = NULL;
  static const char expected[] = "STARTTLS\r\nEHLO client.test\r\n";

  smtp_test_script_expect_line (script, "STARTTLS");
  smtp_test_script_send (script, "220 Ready\r\n");
  smtp_test_script_starttls (script, "server", G_TLS_PROTOCOL_VERSION_TLS_1_1);
  smtp_test_script_expect_line (script, "EHLO client.test");
  smtp_test_script_send (script, "250 old server\r\n");
  server = start_scripted (script, NULL);

  run_client (tls_cap_client, GUINT_TO_POINTER (smtp_test_server_get_port (server)));
  g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));
  g_assert_null (smtp_test_server_get_script_failure (server));
  received = smtp_test_server_get_received (server, 0);
  assert_bytes (received, expected, strlen (expected));
  g_assert_cmpint (smtp_test_server_get_tls_offset (server, 0), ==, strlen ("STARTTLS\r\n"));
}

static void
certificates_client (gpointer data)
{
  guint16 port = GPOINTER_TO_UINT (data);

  {
    g_autoptr (Client) client = client_connect (port);

    client_command (client, "STARTTLS\r\n", "220 Ready\r\n");
    client_starttls_ok (client);
    client_command (client, "QUIT\r\n", "221 bye\r\n");
  }
  {
    g_autoptr (Client) client = client_connect (port);
    g_autoptr (GError) error = NULL;

    client_command (client, "STARTTLS\r\n", "220 Ready\r\n");
    error = client_starttls (client, NULL);
    g_assert_error (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE);
  }
}

static SmtpTestScript *
tls_script (const char *cert_name)
{
  SmtpTestScript *script = smtp_test_script_new ();

  smtp_test_script_expect_line (script, "STARTTLS");
  smtp_test_script_send (script, "220 Ready\r\n");
  smtp_test_script_starttls (script, cert_name, G_TLS_PROTOCOL_VERSION_UNKNOWN);
  smtp_test_script_expect_line (script, "QUIT");
  smtp_test_script_send (script, "221 bye\r\n");
  return script;
}

static void
test_script_certificate_per_connection (void)
{
  /* chain-full.pem has no key of its own: the leaf's key is found by the server. */
  g_autoptr (SmtpTestServer) server = start_scripted (tls_script ("chain-full"), tls_script ("expired"),
                                                      NULL);
  const char *failure;

  run_client (certificates_client, GUINT_TO_POINTER (smtp_test_server_get_port (server)));
  g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));
  failure = smtp_test_server_get_script_failure (server);
  g_assert_nonnull (failure);
  g_assert_nonnull (strstr (failure, "connection 2, step 3"));
  g_assert_nonnull (strstr (failure, "TLS handshake failed"));
  g_assert_cmpint (smtp_test_server_get_tls_offset (server, 1), ==, strlen ("STARTTLS\r\n"));
}

static void
timing_client (gpointer data)
{
  guint16 port = GPOINTER_TO_UINT (data);

  {
    g_autoptr (Client) client = client_connect (port);
    gint64 start = g_get_monotonic_time ();
    gsize flood = 0;

    client_expect (client, "220 hi\r\n");
    client_expect (client, "250 later\r\n");
    g_assert_cmpint (g_get_monotonic_time () - start, >=, 250 * G_TIME_SPAN_MILLISECOND);
    /* The flood may already have begun in the read that brought "250 later". */
    while (flood < 1024 * 1024)
      {
        static const char pattern[] = "250-flood\r\n";

        if (client->in->len == 0)
          g_assert_cmpint (client_read_once (client), >, 0);
        for (guint i = 0; i < client->in->len; i++)
          g_assert_cmpint (client->in->data[i], ==, pattern[(flood + i) % strlen (pattern)]);
        flood += client->in->len;
        g_byte_array_set_size (client->in, 0);
      }
  }
  {
    g_autoptr (Client) client = client_connect (port);

    client_expect (client, "220 quiet\r\n");
    client_send (client, "NOOP\r\n");
  }
  {
    g_autoptr (Client) client = client_connect (port);

    client_expect (client, "220 bye\r\n");
    g_assert_null (client_reply (client));
  }
}

static void
test_script_delay_flood_silence_close (void)
{
  SmtpTestScript *flood = smtp_test_script_new ();
  SmtpTestScript *quiet = smtp_test_script_new ();
  SmtpTestScript *closing = smtp_test_script_new ();
  g_autoptr (SmtpTestServer) server = NULL;

  smtp_test_script_send (flood, "220 hi\r\n");
  smtp_test_script_delay (flood, 300);
  smtp_test_script_send (flood, "250 later\r\n");
  smtp_test_script_send_endless (flood, "250-flood\r\n");
  smtp_test_script_send (quiet, "220 quiet\r\n");
  smtp_test_script_silence (quiet);
  smtp_test_script_send (closing, "220 bye\r\n");
  smtp_test_script_close (closing);
  smtp_test_script_send (closing, "never\r\n");
  server = start_scripted (flood, quiet, closing, NULL);

  run_client (timing_client, GUINT_TO_POINTER (smtp_test_server_get_port (server)));
  g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));
  g_assert_null (smtp_test_server_get_script_failure (server));
  g_assert_true (smtp_test_server_get_script_completed (server));
  /* What the client said during the silence is recorded. */
  g_assert_true (smtp_test_server_received_contains (server, "NOOP\r\n"));
}

static void
first_connection_client (gpointer data)
{
  g_autoptr (Client) client = client_connect (GPOINTER_TO_UINT (data));

  client_expect (client, "220 only one\r\n");
}

static void
extra_connection_client (gpointer data)
{
  g_autoptr (Client) client = client_connect (GPOINTER_TO_UINT (data));

  g_assert_null (client_reply (client));
}

static void
test_script_unexpected_connection (void)
{
  SmtpTestScript *script = smtp_test_script_new ();
  g_autoptr (SmtpTestServer) server = NULL;

  smtp_test_script_send (script, "220 only one\r\n");
  smtp_test_script_silence (script);
  server = start_scripted (script, NULL);
  run_client (first_connection_client, GUINT_TO_POINTER (smtp_test_server_get_port (server)));
  run_client (extra_connection_client, GUINT_TO_POINTER (smtp_test_server_get_port (server)));
  g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));
  g_assert_cmpstr (smtp_test_server_get_script_failure (server), ==, "connection 2: no script left for it");
}

/* --- The office365 profile --- */

typedef struct {
  guint16 port;
  const char *host;
  char *message_reply;
} O365Client;

static char *
ehlo_reply (const char *host, gboolean tls)
{
  return g_strdup_printf ("250-%s.outlook.office365.com Hello [127.0.0.1]\r\n"
                          "250-SIZE 157286400\r\n"
                          "250-PIPELINING\r\n"
                          "250-DSN\r\n"
                          "250-ENHANCEDSTATUSCODES\r\n"
                          "250-%s\r\n"
                          "250-8BITMIME\r\n"
                          "250-BINARYMIME\r\n"
                          "250-CHUNKING\r\n"
                          "250 SMTPUTF8\r\n",
                          host, tls ? "AUTH LOGIN XOAUTH2" : "STARTTLS");
}

/* Greeting, EHLO, STARTTLS, EHLO: a client ready to authenticate. */
static Client *
o365_connect (O365Client *o)
{
  Client *client = client_connect (o->port);
  g_autofree char *greeting = client_reply (client);
  g_autofree char *greeting_start = g_strdup_printf ("220 %s.outlook.office365.com Microsoft ESMTP MAIL Service ready at ", o->host);
  g_autofree char *plain_ehlo = ehlo_reply (o->host, FALSE);
  g_autofree char *tls_ehlo = ehlo_reply (o->host, TRUE);

  g_assert_true (g_str_has_prefix (greeting, greeting_start));
  g_assert_true (g_str_has_suffix (greeting, " +0000\r\n"));
  client_command (client, "EHLO client.test\r\n", plain_ehlo);
  client_command (client, "STARTTLS\r\n", "220 2.0.0 SMTP server ready\r\n");
  client_starttls_ok (client);
  client_command (client, "EHLO client.test\r\n", tls_ehlo);
  return client;
}

static void
o365_login_client (gpointer data)
{
  O365Client *o = data;
  g_autoptr (Client) client = client_connect (o->port);
  g_autofree char *greeting = client_reply (client);
  g_autofree char *plain_ehlo = ehlo_reply (o->host, FALSE);
  g_autofree char *tls_ehlo = ehlo_reply (o->host, TRUE);
  g_autofree char *user = b64_line (USER);
  g_autofree char *password = b64_line (PASSWORD);
  g_autofree char *wrong = b64_line ("not the password");

  g_assert_nonnull (greeting);
  client_command (client, "MAIL FROM:<" USER ">\r\n", "503 5.5.2 Send hello first\r\n");
  client_command (client, "EHLO bad_name!\r\n", "501 5.5.4 Invalid domain name\r\n");
  client_command (client, "EHLO client.test\r\n", plain_ehlo);
  client_command (client, "AUTH LOGIN\r\n", "451 5.7.3 STARTTLS is required to send mail\r\n");
  client_command (client, "STARTTLS\r\n", "220 2.0.0 SMTP server ready\r\n");
  client_starttls_ok (client);
  client_command (client, "MAIL FROM:<" USER ">\r\n", "503 5.5.2 Send hello first\r\n");
  client_command (client, "EHLO client.test\r\n", tls_ehlo);
  client_command (client, "MAIL FROM:<" USER ">\r\n", "530 5.7.57 Client not authenticated to send mail\r\n");
  client_command (client, "AUTH PLAIN\r\n", "504 5.7.4 Unrecognized authentication type\r\n");
  client_command (client, "AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n");
  client_command (client, user, "334 UGFzc3dvcmQ6\r\n");
  client_command (client, wrong, "535 5.7.3 Authentication unsuccessful\r\n");
  client_command (client, "AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n");
  client_command (client, user, "334 UGFzc3dvcmQ6\r\n");
  client_command (client, password, "235 2.7.0 Authentication successful\r\n");
  /* The envelope in one write: the replies come back in one flight. */
  client_send (client, "MAIL FROM:<" USER "> SIZE=100\r\nRCPT TO:<bob@example.test>\r\n"
                       "RCPT TO:<carol@example.test>\r\nDATA\r\n");
  g_assert_cmpint (client_read_once (client), >, 0);
  g_assert_nonnull (memmem (client->in->data, client->in->len, "354 Start", 9));
  client_expect (client, "250 2.1.0 Sender OK\r\n");
  client_expect (client, "250 2.1.5 Recipient OK\r\n");
  client_expect (client, "250 2.1.5 Recipient OK\r\n");
  client_expect (client, "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
  client_send (client, "Subject: test\r\n\r\n..leading dot\r\nlast\r\n.\r\n");
  o->message_reply = client_reply (client);
  client_command (client, "QUIT\r\n", "221 2.0.0 Service closing transmission channel\r\n");
  g_assert_null (client_reply (client));
}

static void
collect_log (const char *line, gpointer user_data)
{
  g_string_append_printf (user_data, "%s\n", line);
}

static void
test_office365_login_and_message (void)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (GError) error = NULL;
  g_autofree char *mail_dir = g_dir_make_tmp ("o365-mail-XXXXXX", &error);
  g_autoptr (GString) log = g_string_new (NULL);
  g_autofree char *password_b64 = b64 (PASSWORD);
  g_autofree char *user_b64 = b64 (USER);
  g_autofree char *stored = NULL;
  g_autofree char *expected_reply = NULL;
  O365Client o = { 0 };
  const SmtpTestMessage *message;
  static const char expected_body[] = "Subject: test\r\n\r\n.leading dot\r\nlast\r\n";

  g_assert_no_error (error);
  smtp_test_server_set_credentials (server, USER, PASSWORD, NULL);
  smtp_test_server_set_mail_dir (server, mail_dir);
  smtp_test_server_set_log_func (server, collect_log, log);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  g_assert_no_error (error);
  o.port = smtp_test_server_get_port (server);
  o.host = smtp_test_server_get_host (server);

  run_client (o365_login_client, &o);
  g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));

  g_assert_cmpuint (smtp_test_server_get_n_messages (server), ==, 1);
  message = smtp_test_server_get_message (server, 0);
  g_assert_cmpstr (message->mail_from, ==, USER);
  g_assert_cmpuint (g_strv_length (message->rcpt_to), ==, 2);
  g_assert_cmpstr (message->rcpt_to[1], ==, "carol@example.test");
  expected_reply = g_strdup_printf ("250 2.0.0 OK <%s> [Hostname=%s.prod.outlook.com]\r\n",
                                    message->message_id, o.host);
  g_assert_cmpstr (o.message_reply, ==, expected_reply);
  g_assert_true (g_str_has_suffix (message->message_id, ".outlook.office365.com"));
  g_assert_nonnull (message->path);
  g_assert_true (g_str_has_prefix (message->path, mail_dir));
  g_assert_true (g_str_has_suffix (message->path, ".eml"));
  g_assert_true (g_file_get_contents (message->path, &stored, NULL, NULL));
  g_assert_cmpstr (stored, ==, expected_body);
  g_assert_cmpuint (message->size, ==, strlen (expected_body));
  g_assert_null (message->body);

  /* Bodies stay out of the recording in this profile; credentials never cross in plaintext. */
  g_assert_false (smtp_test_server_received_contains (server, "leading dot"));
  g_assert_true (smtp_test_server_received_contains (server, password_b64));
  g_assert_false (smtp_test_server_received_contains_plaintext (server, password_b64));
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 1);
  /* 15 commands and AUTH responses sent one by one, the pipelined envelope, the body, QUIT. */
  g_assert_cmpuint (smtp_test_server_get_round_trips (server), ==, 18);

  g_test_message ("server log:\n%s", log->str);
  g_assert_nonnull (strstr (log->str, "C: AUTH LOGIN\n"));
  g_assert_nonnull (strstr (log->str, "C: <AUTH response, "));
  g_assert_nonnull (strstr (log->str, "TLS established (TLS 1."));
  g_assert_null (strstr (log->str, PASSWORD));
  g_assert_null (strstr (log->str, password_b64));
  g_assert_null (strstr (log->str, user_b64));
  g_assert_null (strstr (log->str, "leading dot"));

  g_unlink (message->path);
  g_rmdir (mail_dir);
  g_free (o.message_reply);
}

static void
o365_xoauth2_client (gpointer data)
{
  O365Client *o = data;
  g_autofree char *good = b64_line ("user=" USER "\001auth=Bearer " TOKEN "\001\001");
  g_autofree char *bad = b64_line ("user=" USER "\001auth=Bearer expired\001\001");
  g_autofree char *inline_good = g_strconcat ("AUTH XOAUTH2 ", good, NULL);
  g_autofree char *inline_bad = g_strconcat ("AUTH XOAUTH2 ", bad, NULL);

  {
    g_autoptr (Client) client = o365_connect (o);

    client_command (client, inline_good, "235 2.7.0 Authentication successful\r\n");
    client_command (client, "QUIT\r\n", "221 2.0.0 Service closing transmission channel\r\n");
  }
  {
    g_autoptr (Client) client = o365_connect (o);

    client_command (client, "AUTH XOAUTH2\r\n", "334 \r\n");
    client_command (client, good, "235 2.7.0 Authentication successful\r\n");
  }
  {
    g_autoptr (Client) client = o365_connect (o);
    g_autofree char *challenge = NULL;
    g_autofree guchar *json = NULL;
    gsize json_length;

    client_send (client, inline_bad);
    challenge = client_reply (client);
    g_assert_true (g_str_has_prefix (challenge, "334 "));
    challenge[strlen (challenge) - 2] = '\0';
    json = g_base64_decode (challenge + 4, &json_length);
    g_assert_nonnull (g_strstr_len ((const char *) json, json_length, "\"status\":\"401\""));
    client_command (client, "\r\n", "535 5.7.3 Authentication unsuccessful\r\n");
    client_command (client, "AUTH XOAUTH2 not*base64\r\n", "501 5.5.2 Cannot Base64-decode Client responses\r\n");
  }
}

static void
test_office365_xoauth2 (void)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (GError) error = NULL;
  O365Client o = { 0 };

  smtp_test_server_set_credentials (server, USER, NULL, TOKEN);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  g_assert_no_error (error);
  o.port = smtp_test_server_get_port (server);
  o.host = smtp_test_server_get_host (server);

  run_client (o365_xoauth2_client, &o);
  g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));
  g_assert_cmpuint (smtp_test_server_get_n_connections (server), ==, 3);
  g_assert_false (smtp_test_server_received_contains_plaintext (server, "XOAUTH2"));
}

#define AUTH_DISABLED "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled " \
                      "for the Tenant. Visit https://aka.ms/smtp_auth_disabled for more information.\r\n"

static void
o365_disabled_client (gpointer data)
{
  O365Client *o = data;
  g_autoptr (Client) client = o365_connect (o);
  g_autofree char *user = b64_line (USER);
  g_autofree char *password = b64_line (PASSWORD);
  g_autofree char *token = b64_line ("user=" USER "\001auth=Bearer " TOKEN "\001\001");
  g_autofree char *inline_token = g_strconcat ("AUTH XOAUTH2 ", token, NULL);

  client_command (client, "AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n");
  client_command (client, user, "334 UGFzc3dvcmQ6\r\n");
  client_command (client, password, AUTH_DISABLED);
  /* OAuth does not get round the tenant switch either (docs/office365.md). */
  client_command (client, inline_token, AUTH_DISABLED);
  client_command (client, "MAIL FROM:<" USER ">\r\n", "530 5.7.57 Client not authenticated to send mail\r\n");
}

static void
test_office365_auth_disabled (void)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (GError) error = NULL;
  O365Client o = { 0 };

  smtp_test_server_set_credentials (server, USER, PASSWORD, TOKEN);
  smtp_test_server_set_auth_disabled (server, TRUE);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  g_assert_no_error (error);
  o.port = smtp_test_server_get_port (server);
  o.host = smtp_test_server_get_host (server);
  run_client (o365_disabled_client, &o);
  g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));
  g_assert_cmpuint (smtp_test_server_get_n_messages (server), ==, 0);
}

/* --- Holding a connection at a stage (for kill -9 tests) --- */

/* Whether the server has sent anything within @ms (it must not, while it holds). */
static gboolean
client_hears_within (Client *client, guint ms)
{
  g_autoptr (GIOStream) base = NULL;
  GSocket *socket;

  if (G_IS_TLS_CONNECTION (client->stream))
    g_object_get (client->stream, "base-io-stream", &base, NULL);
  else
    base = g_object_ref (client->stream);
  socket = g_socket_connection_get_socket (G_SOCKET_CONNECTION (base));
  g_usleep (ms * 1000);
  return client->in->len > 0 || (g_socket_condition_check (socket, G_IO_IN) & G_IO_IN) != 0;
}

typedef struct {
  O365Client o;
  SmtpTestHold hold;
  gboolean heard;  /* the server answered while it should hold */
} HoldClient;

static void
hold_client (gpointer data)
{
  HoldClient *h = data;
  g_autoptr (Client) client = NULL;
  g_autofree char *user = b64_line (USER);
  g_autofree char *password = b64_line (PASSWORD);

  if (h->hold == SMTP_TEST_HOLD_GREETING)
    {
      client = client_connect (h->o.port);
      h->heard = client_hears_within (client, 300);
      return;
    }
  client = o365_connect (&h->o);
  client_command (client, "AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n");
  client_command (client, user, "334 UGFzc3dvcmQ6\r\n");
  client_command (client, password, "235 2.7.0 Authentication successful\r\n");
  client_command (client, "MAIL FROM:<" USER ">\r\n", "250 2.1.0 Sender OK\r\n");
  client_command (client, "RCPT TO:<bob@example.test>\r\n", "250 2.1.5 Recipient OK\r\n");
  client_command (client, "DATA\r\n", "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
  client_send (client, "Subject: held\r\n\r\nThe first part of the body.\r\n");
  if (h->hold == SMTP_TEST_HOLD_AFTER_DOT)
    client_send (client, "The rest.\r\n.\r\n");
  h->heard = client_hears_within (client, 300);
}

static void
check_hold (SmtpTestHold hold, const char *marker)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) log = g_string_new (NULL);
  HoldClient h = { .hold = hold };

  smtp_test_server_set_credentials (server, USER, PASSWORD, NULL);
  smtp_test_server_set_hold (server, hold);
  smtp_test_server_set_log_func (server, collect_log, log);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  g_assert_no_error (error);
  h.o.port = smtp_test_server_get_port (server);
  h.o.host = smtp_test_server_get_host (server);

  run_client (hold_client, &h);
  g_test_message ("server log:\n%s", log->str);
  g_assert_false (h.heard);
  g_assert_nonnull (strstr (log->str, marker));
  if (hold == SMTP_TEST_HOLD_DATA)
    {
      /* Nothing is read any more, so the client's going away goes unseen until the stop. */
      g_assert_null (strstr (log->str, "] closed"));
      smtp_test_server_stop (server);
    }
  else
    g_assert_true (smtp_test_server_wait_idle (server, TEST_TIMEOUT_MS));
  g_assert_nonnull (strstr (log->str, "] closed"));
  /* After the final dot the message is kept (the client cannot know it was): a resend shows. */
  g_assert_cmpuint (smtp_test_server_get_n_messages (server), ==, hold == SMTP_TEST_HOLD_AFTER_DOT ? 1 : 0);
  g_assert_null (strstr (log->str, hold == SMTP_TEST_HOLD_GREETING ? "S: 220" : "S: 250 2.0.0 OK"));
}

static void
test_office365_hold_greeting (void)
{
  check_hold (SMTP_TEST_HOLD_GREETING, "holding at the greeting");
}

static void
test_office365_hold_data (void)
{
  check_hold (SMTP_TEST_HOLD_DATA, "holding during DATA after ");
}

static void
test_office365_hold_after_dot (void)
{
  check_hold (SMTP_TEST_HOLD_AFTER_DOT, "holding after the final dot");
}

/* --- The o365-test-server program --- */

static void
program_client (gpointer data)
{
  O365Client *o = data;
  g_autoptr (Client) client = o365_connect (o);
  g_autofree char *user = b64_line (USER);
  g_autofree char *password = b64_line (PASSWORD);
  g_autofree char *reply = NULL;

  client_command (client, "AUTH LOGIN\r\n", "334 VXNlcm5hbWU6\r\n");
  client_command (client, user, "334 UGFzc3dvcmQ6\r\n");
  client_command (client, password, "235 2.7.0 Authentication successful\r\n");
  client_send (client, "MAIL FROM:<" USER ">\r\nRCPT TO:<bob@example.test>\r\nDATA\r\n");
  client_expect (client, "250 2.1.0 Sender OK\r\n");
  client_expect (client, "250 2.1.5 Recipient OK\r\n");
  client_expect (client, "354 Start mail input; end with <CRLF>.<CRLF>\r\n");
  client_send (client, "Subject: from the program test\r\n\r\nhello\r\n.\r\n");
  reply = client_reply (client);
  g_assert_true (g_str_has_prefix (reply, "250 2.0.0 OK <"));
  client_command (client, "QUIT\r\n", "221 2.0.0 Service closing transmission channel\r\n");
}

/* An aborted test must not leave the server running. */
static void
die_with_parent (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGTERM);
}

typedef struct {
  gboolean done;
  char *err;
} Communicated;

static void
on_communicated (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Communicated *c = user_data;
  g_autoptr (GError) error = NULL;

  g_subprocess_communicate_utf8_finish (G_SUBPROCESS (source), result, NULL, &c->err, &error);
  g_assert_no_error (error);
  c->done = TRUE;
}

static void
test_program (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *program = test_build_path ("servers", "o365-test-server", NULL);
  g_autofree char *work = g_dir_make_tmp ("o365-program-XXXXXX", &error);
  g_autofree char *password_file = g_build_filename (work, "password", NULL);
  g_autofree char *mail_dir = g_build_filename (work, "mail", NULL);
  g_autofree char *certs = test_cert_path ("");
  g_autofree char *password_b64 = b64 (PASSWORD);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GSubprocess) server = NULL;
  g_autoptr (GDataInputStream) out = NULL;
  g_autofree char *port_line = NULL;
  Communicated communicated = { FALSE, NULL };
  g_autofree char *err = NULL;
  g_autoptr (GDir) dir = NULL;
  O365Client o = { 0 };
  guint stored = 0;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (password_file, PASSWORD "\n", -1, NULL));
  g_assert_cmpint (g_mkdir (mail_dir, 0700), ==, 0);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_child_setup (launcher, die_with_parent, NULL, NULL);
  server = g_subprocess_launcher_spawn (launcher, &error, program, "--port", "0", "--cert-dir", certs,
                                        "--user", USER, "--password-file", password_file,
                                        "--mail-dir", mail_dir, NULL);
  g_assert_no_error (error);
  out = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  port_line = g_data_input_stream_read_line_utf8 (out, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (port_line);
  g_assert_true (g_str_has_prefix (port_line, "PORT="));
  o.port = (guint16) g_ascii_strtoull (port_line + 5, NULL, 10);
  o.host = "AM0PR01CA0001";

  run_client (program_client, &o);
  g_subprocess_send_signal (server, SIGTERM);
  g_subprocess_communicate_utf8_async (server, NULL, NULL, on_communicated, &communicated);
  test_wait_for_flag (&communicated.done, TEST_TIMEOUT_MS);
  err = communicated.err;
  g_assert_true (g_subprocess_get_if_exited (server));
  g_assert_cmpint (g_subprocess_get_exit_status (server), ==, 0);

  g_test_message ("o365-test-server stderr:\n%s", err);
  g_assert_nonnull (strstr (err, "listening on 127.0.0.1:"));
  g_assert_nonnull (strstr (err, "C: EHLO client.test"));
  g_assert_nonnull (strstr (err, "TLS established"));
  g_assert_nonnull (strstr (err, "accepted"));
  g_assert_nonnull (strstr (err, "stopping: 1 connection(s), 1 message(s)"));
  g_assert_null (strstr (err, PASSWORD));
  g_assert_null (strstr (err, password_b64));

  dir = g_dir_open (mail_dir, 0, &error);
  g_assert_no_error (error);
  for (const char *name; (name = g_dir_read_name (dir)) != NULL;)
    {
      g_autofree char *path = g_build_filename (mail_dir, name, NULL);

      g_assert_true (g_str_has_suffix (name, ".eml"));
      stored++;
      g_unlink (path);
    }
  g_assert_cmpuint (stored, ==, 1);
  g_rmdir (mail_dir);
  g_unlink (password_file);
  g_rmdir (work);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/smtp-test-server/data-decoder", test_data_decoder);
  g_test_add_func ("/smtp-test-server/script/starttls-recording", test_script_starttls_recording);
  g_test_add_func ("/smtp-test-server/script/one-write-injection", test_script_one_write_injection);
  g_test_add_func ("/smtp-test-server/script/failure-recorded", test_script_failure_recorded);
  g_test_add_func ("/smtp-test-server/script/tls-version-cap", test_script_tls_version_cap);
  g_test_add_func ("/smtp-test-server/script/certificate-per-connection", test_script_certificate_per_connection);
  g_test_add_func ("/smtp-test-server/script/delay-flood-silence-close", test_script_delay_flood_silence_close);
  g_test_add_func ("/smtp-test-server/script/unexpected-connection", test_script_unexpected_connection);
  g_test_add_func ("/smtp-test-server/office365/login-and-message", test_office365_login_and_message);
  g_test_add_func ("/smtp-test-server/office365/xoauth2", test_office365_xoauth2);
  g_test_add_func ("/smtp-test-server/office365/auth-disabled", test_office365_auth_disabled);
  g_test_add_func ("/smtp-test-server/office365/hold-greeting", test_office365_hold_greeting);
  g_test_add_func ("/smtp-test-server/office365/hold-data", test_office365_hold_data);
  g_test_add_func ("/smtp-test-server/office365/hold-after-dot", test_office365_hold_after_dot);
  g_test_add_func ("/smtp-test-server/program", test_program);
  return g_test_run ();
}
