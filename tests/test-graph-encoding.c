/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-graph-encoding.c — the pure parts of the Graph transport: the streaming base64 MIME
 * encoder (against GLib's one-shot base64, read in pieces of every size) and the table of
 * what Graph's answers mean. */
#include "config.h"

#include "mail-transport-error.h"
#include "o365-graph-explain.h"
#include "o365-graph-line-ends.h"
#include "o365-graph-mime-encoder.h"
#include "test-utils.h"

/* Encodes @prefix + @data through a GConverterInputStream read @piece bytes at a time. */
static char *
encode_in_pieces (const char *prefix, const guchar *data, gsize length, gsize piece)
{
  g_autoptr (GBytes) prefix_bytes = g_bytes_new (prefix, strlen (prefix));
  g_autoptr (O365GraphMimeEncoder) encoder = o365_graph_mime_encoder_new (prefix_bytes);
  g_autoptr (GInputStream) source = g_memory_input_stream_new_from_data (data, length, NULL);
  g_autoptr (GInputStream) stream = g_converter_input_stream_new (source, G_CONVERTER (encoder));
  GString *out = g_string_new (NULL);
  g_autofree char *buffer = g_malloc (piece);
  g_autoptr (GError) error = NULL;
  gssize n;

  while ((n = g_input_stream_read (stream, buffer, piece, NULL, &error)) > 0)
    g_string_append_len (out, buffer, n);
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
  return g_string_free (out, FALSE);
}

static void
test_encoder_matches_base64 (void)
{
  const char *prefix = "Bcc: carol@example.test\r\n";
  const gsize lengths[] = { 0, 1, 2, 3, 4, 5, 100, 4095, 4096, 4097, 65537, 300001 };
  const gsize pieces[] = { 1, 7, 8, 13, 4096, 1 << 16 };

  for (gsize l = 0; l < G_N_ELEMENTS (lengths); l++)
    {
      g_autofree guchar *data = g_malloc (lengths[l] + 1);
      g_autoptr (GByteArray) whole = g_byte_array_new ();
      g_autofree char *expected = NULL;

      for (gsize i = 0; i < lengths[l]; i++)
        data[i] = (guchar) g_random_int ();
      g_byte_array_append (whole, (const guint8 *) prefix, strlen (prefix));
      g_byte_array_append (whole, data, lengths[l]);
      expected = g_base64_encode (whole->data, whole->len);
      for (gsize p = 0; p < G_N_ELEMENTS (pieces); p++)
        {
          g_autofree char *encoded = encode_in_pieces (prefix, data, lengths[l], pieces[p]);

          g_assert_cmpstr (encoded, ==, expected);
        }
    }
}

/* @text through the line-end converter, read @piece bytes at a time. */
static char *
normalize_in_pieces (const char *text, gsize piece)
{
  g_autoptr (O365GraphLineEnds) line_ends = o365_graph_line_ends_new ();
  g_autoptr (GInputStream) source = g_memory_input_stream_new_from_data (text, strlen (text), NULL);
  g_autoptr (GInputStream) stream = g_converter_input_stream_new (source, G_CONVERTER (line_ends));
  GString *out = g_string_new (NULL);
  g_autofree char *buffer = g_malloc (piece);
  g_autoptr (GError) error = NULL;
  gssize n;

  while ((n = g_input_stream_read (stream, buffer, piece, NULL, &error)) > 0)
    g_string_append_len (out, buffer, n);
  g_assert_no_error (error);
  return g_string_free (out, FALSE);
}

/* SMTP's line ends without its dot-stuffing (o365-smtp-body-encoder.h). */
static void
test_line_ends (void)
{
  const char *cases[][2] = {
    { "", "" },
    { "a", "a\r\n" },
    { "a\nb", "a\r\nb\r\n" },
    { "a\r\nb\r\n", "a\r\nb\r\n" },
    { "a\rb\r\r\n", "a\r\nb\r\n\r\n" },
    { "\n\n.dot\n", "\r\n\r\n.dot\r\n" },
    { "x\r", "x\r\n" },
  };
  const gsize pieces[] = { 2, 3, 4096 };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    for (gsize p = 0; p < G_N_ELEMENTS (pieces); p++)
      {
        g_autofree char *normalized = normalize_in_pieces (cases[i][0], pieces[p]);

        g_assert_cmpstr (normalized, ==, cases[i][1]);
      }
}

static void
test_explanations (void)
{
  struct
  {
    guint status;
    const char *graph_code;
    MailTransportError code;
    MailFailureClass failure;
    const char *says;
  } cases[] = {
    { 403, "ErrorAccessDenied", MAIL_TRANSPORT_ERROR_AUTH_DISABLED, MAIL_FAILURE_PERMANENT, "Mail.Send" },
    { 429, "ApplicationThrottled", MAIL_TRANSPORT_ERROR_RATE_LIMITED, MAIL_FAILURE_TEMPORARY, "in 7 seconds" },
    { 503, NULL, MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "in 7 seconds" },
    { 413, NULL, MAIL_TRANSPORT_ERROR_TOO_LARGE, MAIL_FAILURE_PERMANENT, "5000000 bytes" },
    { 400, "ErrorMessageSizeExceeded", MAIL_TRANSPORT_ERROR_TOO_LARGE, MAIL_FAILURE_PERMANENT, "5000000 bytes" },
    { 502, NULL, MAIL_TRANSPORT_ERROR_TEMPORARY, MAIL_FAILURE_TEMPORARY, "HTTP 502" },
    { 400, "ErrorInvalidRecipients", MAIL_TRANSPORT_ERROR_PERMANENT, MAIL_FAILURE_PERMANENT, "ErrorInvalidRecipients" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (GError) error = o365_graph_error_new (cases[i].status, cases[i].graph_code, 7, 5000000);

      g_assert_error (error, MAIL_TRANSPORT_ERROR, (gint) cases[i].code);
      g_assert_cmpint (mail_transport_error_classify (error), ==, cases[i].failure);
      g_assert_nonnull (strstr (error->message, cases[i].says));
    }
}

static void
test_error_code_from_body (void)
{
  const char *body = "{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access is denied.\"}}";
  g_autoptr (GBytes) bytes = g_bytes_new_static (body, strlen (body));
  g_autoptr (GBytes) junk = g_bytes_new_static ("<html>", 6);
  g_autoptr (GBytes) wrong = g_bytes_new_static ("{\"error\":\"x\"}", 13);
  g_autofree char *code = o365_graph_error_code_from_body (bytes);

  g_assert_cmpstr (code, ==, "ErrorAccessDenied");
  g_assert_null (o365_graph_error_code_from_body (junk));
  g_assert_null (o365_graph_error_code_from_body (wrong));
  g_assert_null (o365_graph_error_code_from_body (NULL));
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/graph-encoding/encoder-matches-base64", test_encoder_matches_base64);
  g_test_add_func ("/graph-encoding/line-ends", test_line_ends);
  g_test_add_func ("/graph-encoding/explanations", test_explanations);
  g_test_add_func ("/graph-encoding/error-code-from-body", test_error_code_from_body);
  return g_test_run ();
}
