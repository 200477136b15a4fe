/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-body-encoder.c — the DATA body encoder: line ends, dot-stuffing, the final dot and the
 * refusals, identical at every chunk boundary and output size, and in constant memory over a
 * large message. Every output goes through the same wire checker. */
#include "config.h"

#include <string.h>

#include "mail-transport-error.h"
#include "o365-smtp-body-encoder.h"
#include "test-utils.h"

/* Checks the wire as it streams past, holding only the current line's length: no bare CR or
 * LF, no line over 998 octets, a line beginning with '.' always stuffed, the terminating "."
 * line last (after a CRLF, or alone for an empty message), and the lines, un-stuffed, equal to
 * @reference repeated @repeats times. */
typedef struct
{
  const guint8 *reference;
  gsize reference_length;
  gsize reference_index;
  guint64 expected;
  guint64 matched;
  gboolean cr;
  gsize line_length;
  gboolean dot_first;
  gboolean terminated;
} WireCheck;

static void
wire_check_init (WireCheck *check, const guint8 *reference, gsize reference_length, guint64 repeats)
{
  *check = (WireCheck) {
    .reference = reference,
    .reference_length = reference_length,
    .expected = reference_length * repeats,
  };
}

static void
wire_check_match (WireCheck *check, guint8 octet)
{
  g_assert_cmpuint (check->matched, <, check->expected);
  g_assert_cmpint (octet, ==, check->reference[check->reference_index]);
  check->matched++;
  if (++check->reference_index == check->reference_length)
    check->reference_index = 0;
}

static void
wire_check_feed (WireCheck *check, const guint8 *data, gsize length)
{
  for (gsize i = 0; i < length; i++)
    {
      guint8 octet = data[i];

      g_assert_false (check->terminated);
      if (check->cr)
        {
          g_assert_cmpint (octet, ==, '\n');
          check->cr = FALSE;
          if (check->dot_first)
            check->terminated = TRUE;
          else
            {
              wire_check_match (check, '\r');
              wire_check_match (check, '\n');
            }
          check->line_length = 0;
          check->dot_first = FALSE;
          continue;
        }
      g_assert_cmpint (octet, !=, '\n');
      if (octet == '\r')
        {
          check->cr = TRUE;
          continue;
        }
      check->line_length++;
      g_assert_cmpuint (check->line_length, <=, O365_BODY_ENCODER_MAX_LINE);
      if (check->line_length == 1 && octet == '.')
        {
          check->dot_first = TRUE;
          continue;
        }
      if (check->dot_first)
        {
          /* Only the terminator may be a lone '.': any other such line is stuffed. */
          g_assert_cmpint (octet, ==, '.');
          check->dot_first = FALSE;
        }
      wire_check_match (check, octet);
    }
}

/* A complete message: terminated, and everything in the reference was carried. */
static void
wire_check_finish (WireCheck *check)
{
  g_assert_true (check->terminated);
  g_assert_cmpuint (check->matched, ==, check->expected);
}

/* A message refused part-way: what went out is a prefix, never a complete message. */
static void
wire_check_refused (WireCheck *check)
{
  g_assert_false (check->terminated);
  g_assert_false (check->cr);
}

/* The reference: every line end made CRLF and a last line terminated, written the obvious,
 * non-streaming way. */
static GByteArray *
normalise (const guint8 *input, gsize length)
{
  GByteArray *result = g_byte_array_new ();

  for (gsize i = 0; i < length; i++)
    {
      if (input[i] == '\r' || input[i] == '\n')
        {
          g_byte_array_append (result, (const guint8 *) "\r\n", 2);
          if (input[i] == '\r' && i + 1 < length && input[i + 1] == '\n')
            i++;
        }
      else
        g_byte_array_append (result, &input[i], 1);
    }
  if (result->len > 0 && result->data[result->len - 1] != '\n')
    g_byte_array_append (result, (const guint8 *) "\r\n", 2);
  return result;
}

/* Runs @encoder over @input as a caller would, checking the GConverter contract on every
 * call. The input arrives in pieces ending at @split and at every multiple of @chunk; output
 * goes through a buffer of @out_size octets. After a piece is used up the encoder is called
 * with no input until it asks for more (G_IO_ERROR_PARTIAL_INPUT). Returns the output: the
 * whole message, or on a refusal (error set) what was written before it. */
static GByteArray *
run_encoder (O365BodyEncoder *encoder,
             const guint8 *input,
             gsize length,
             gsize split,
             gsize chunk,
             gsize out_size,
             GError **error)
{
  g_autofree guint8 *outbuf = g_malloc (out_size);
  GByteArray *output = g_byte_array_new ();
  gsize position = 0;
  gsize piece_end = 0;
  gboolean need_piece = TRUE;

  for (;;)
    {
      GConverterResult result;
      GError *local = NULL;
      gboolean last;
      gsize bytes_read = 0;
      gsize bytes_written = 0;

      if (need_piece && piece_end < length)
        {
          need_piece = FALSE;
          piece_end = MIN (length, (position / chunk + 1) * chunk);
          if (split > position)
            piece_end = MIN (piece_end, split);
        }
      last = (piece_end == length);
      result = g_converter_convert (G_CONVERTER (encoder), input + position, piece_end - position,
                                    outbuf, out_size, last ? G_CONVERTER_INPUT_AT_END : 0,
                                    &bytes_read, &bytes_written, &local);
      g_assert_cmpuint (bytes_read, <=, piece_end - position);
      g_assert_cmpuint (bytes_written, <=, out_size);
      g_byte_array_append (output, outbuf, bytes_written);
      position += bytes_read;

      switch (result)
        {
        case G_CONVERTER_ERROR:
          g_assert_cmpuint (bytes_read + bytes_written, ==, 0);
          /* More input is asked for only when everything given was taken and written. */
          if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
            {
              g_assert_false (last);
              g_assert_cmpuint (position, ==, piece_end);
              g_error_free (local);
              need_piece = TRUE;
              break;
            }
          /* Any output size of at least one octet makes progress. */
          g_assert_false (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_NO_SPACE));
          g_propagate_error (error, local);
          return output;
        case G_CONVERTER_CONVERTED:
          g_assert_cmpuint (bytes_read + bytes_written, >, 0);
          break;
        case G_CONVERTER_FINISHED:
          g_assert_true (last);
          g_assert_cmpuint (position, ==, length);
          return output;
        case G_CONVERTER_FLUSHED:
        default:
          g_assert_not_reached ();
        }
    }
}

typedef struct
{
  gsize chunk;
  gsize out_size;
} Config;

/* Every split point with a large and a one-octet output buffer; then tiny input chunks. */
#define N_FIXED_CONFIGS 15
static const Config fixed_configs[N_FIXED_CONFIGS] = {
  { 1, 1 }, { 1, 2 }, { 1, 3 }, { 1, 5 }, { 1, 4096 },
  { 2, 1 }, { 2, 2 }, { 2, 3 }, { 2, 5 }, { 2, 4096 },
  { 3, 1 }, { 3, 2 }, { 3, 3 }, { 3, 5 }, { 3, 4096 },
};

typedef void (*ConfigFunc) (gsize split, gsize chunk, gsize out_size, gpointer user_data);

static void
foreach_config (gsize length, ConfigFunc func, gpointer user_data)
{
  for (gsize split = 0; split <= length; split++)
    {
      func (split, G_MAXSIZE, 4096, user_data);
      func (split, G_MAXSIZE, 1, user_data);
    }
  for (gsize i = 0; i < N_FIXED_CONFIGS; i++)
    func (0, fixed_configs[i].chunk, fixed_configs[i].out_size, user_data);
}

typedef struct
{
  const guint8 *input;
  gsize length;
  GByteArray *reference;
  GByteArray *first;     /* the first configuration's output; every other must equal it */
  guint64 lines;         /* the line count after a complete run */
  guint error_line;      /* refusals: the line named */
  const char *error_part;
} Case;

static gboolean
has_8bit (const guint8 *input, gsize length)
{
  for (gsize i = 0; i < length; i++)
    if (input[i] > 127)
      return TRUE;
  return FALSE;
}

static guint64
count_crlf (const GByteArray *bytes)
{
  guint64 count = 0;

  for (guint i = 1; i < bytes->len; i++)
    if (bytes->data[i - 1] == '\r' && bytes->data[i] == '\n')
      count++;
  return count;
}

static void
same_as_first (Case *c, GByteArray *output)
{
  if (c->first == NULL)
    c->first = g_byte_array_ref (output);
  else
    g_assert_cmpmem (output->data, output->len, c->first->data, c->first->len);
}

static void
encode_config (gsize split, gsize chunk, gsize out_size, gpointer user_data)
{
  Case *c = user_data;
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) output = NULL;
  WireCheck check;

  output = run_encoder (encoder, c->input, c->length, split, chunk, out_size, &error);
  g_assert_no_error (error);
  wire_check_init (&check, c->reference->data, c->reference->len, 1);
  wire_check_feed (&check, output->data, output->len);
  wire_check_finish (&check);
  same_as_first (c, output);
  g_assert_cmpuint (o365_body_encoder_get_line_count (encoder), ==, c->lines);
  g_assert_cmpint (o365_body_encoder_saw_8bit (encoder), ==, has_8bit (c->input, c->length));
}

/* Encodes @input (@length octets, -1 for a string) in every configuration: each output passes
 * the wire checker and equals @expected (when given). */
static void
check_encoding_len (const char *input, gssize length, const char *expected)
{
  Case c = {
    .input = (const guint8 *) input,
    .length = length < 0 ? strlen (input) : (gsize) length,
  };

  c.reference = normalise (c.input, c.length);
  /* Lines: the normalised message's CRLFs. */
  c.lines = count_crlf (c.reference);
  foreach_config (c.length, encode_config, &c);
  if (expected != NULL)
    g_assert_cmpmem (c.first->data, c.first->len, expected, strlen (expected));
  g_byte_array_unref (c.reference);
  g_byte_array_unref (c.first);
}

static void
check_encoding (const char *input, const char *expected)
{
  check_encoding_len (input, -1, expected);
}

static void
refuse_config (gsize split, gsize chunk, gsize out_size, gpointer user_data)
{
  Case *c = user_data;
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (GByteArray) output = NULL;
  g_autofree char *line = g_strdup_printf ("Line %u ", c->error_line);
  WireCheck check;

  output = run_encoder (encoder, c->input, c->length, split, chunk, out_size, &error);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE);
  g_assert_nonnull (strstr (error->message, line));
  g_assert_nonnull (strstr (error->message, c->error_part));
  wire_check_init (&check, c->reference->data, c->reference->len, 1);
  wire_check_feed (&check, output->data, output->len);
  wire_check_refused (&check);
  same_as_first (c, output);
  g_assert_cmpuint (o365_body_encoder_get_line_count (encoder), ==, c->error_line - 1);
}

/* @input is refused in every configuration, naming line @line and containing @part; what
 * was written before is always the same safe prefix. */
static void
check_refused_len (const char *input, gssize length, guint line, const char *part)
{
  Case c = {
    .input = (const guint8 *) input,
    .length = length < 0 ? strlen (input) : (gsize) length,
    .error_line = line,
    .error_part = part,
  };

  c.reference = normalise (c.input, c.length);
  foreach_config (c.length, refuse_config, &c);
  g_byte_array_unref (c.reference);
  g_byte_array_unref (c.first);
}

static char *
repeat (char octet, gsize count)
{
  char *text = g_malloc (count + 1);

  memset (text, octet, count);
  text[count] = '\0';
  return text;
}

static void
test_lf (void)
{
  check_encoding ("Subject: hi\n\nbody\n", "Subject: hi\r\n\r\nbody\r\n.\r\n");
  check_encoding ("\n\n", "\r\n\r\n.\r\n");
}

static void
test_crlf (void)
{
  check_encoding ("Subject: hi\r\n\r\nbody\r\n", "Subject: hi\r\n\r\nbody\r\n.\r\n");
  check_encoding ("\r\n\r\n", "\r\n\r\n.\r\n");
}

static void
test_bare_cr (void)
{
  check_encoding ("Subject: hi\r\rbody\r", "Subject: hi\r\n\r\nbody\r\n.\r\n");
  check_encoding ("\r", "\r\n.\r\n");
}

static void
test_mixed (void)
{
  check_encoding ("a\r\nb\nc\rd\n", "a\r\nb\r\nc\r\nd\r\n.\r\n");
  /* CR CR LF is a bare CR then a CRLF; LF CR is two line ends. */
  check_encoding ("a\r\r\nb", "a\r\n\r\nb\r\n.\r\n");
  check_encoding ("a\n\rb", "a\r\n\r\nb\r\n.\r\n");
  check_encoding ("a\r\n\nb\n\r\n", "a\r\n\r\nb\r\n\r\n.\r\n");
}

/* A CR ending one call is acted on at once; the LF opening the next completes that CRLF. */
static void
test_cr_at_chunk_end (void)
{
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  GConverter *converter = G_CONVERTER (encoder);
  char out[64];
  gsize bytes_read, bytes_written;
  GConverterResult result;

  result = g_converter_convert (converter, "a\r", 2, out, sizeof out, 0,
                                &bytes_read, &bytes_written, NULL);
  g_assert_cmpint (result, ==, G_CONVERTER_CONVERTED);
  g_assert_cmpuint (bytes_read, ==, 2);
  g_assert_cmpmem (out, bytes_written, "a\r\n", 3);

  result = g_converter_convert (converter, "\nb", 2, out, sizeof out, G_CONVERTER_INPUT_AT_END,
                                &bytes_read, &bytes_written, NULL);
  g_assert_cmpint (result, ==, G_CONVERTER_FINISHED);
  g_assert_cmpuint (bytes_read, ==, 2);
  g_assert_cmpmem (out, bytes_written, "b\r\n.\r\n", 6);
  g_assert_cmpuint (o365_body_encoder_get_line_count (encoder), ==, 2);

  check_encoding ("line one\r\nline two\r\n", "line one\r\nline two\r\n.\r\n");
}

static void
test_leading_dot_first_line (void)
{
  check_encoding (".hidden\n", "..hidden\r\n.\r\n");
  check_encoding (".", "..\r\n.\r\n");
}

static void
test_dot_lines (void)
{
  check_encoding ("a\n.b\n..c\nd.e\n.\n", "a\r\n..b\r\n...c\r\nd.e\r\n..\r\n.\r\n");
  check_encoding ("a\n.\nb\n", "a\r\n..\r\nb\r\n.\r\n");
  check_encoding ("..\n", "...\r\n.\r\n");
  check_encoding ("...", "....\r\n.\r\n");
}

static void
test_no_final_newline (void)
{
  check_encoding ("a\nb", "a\r\nb\r\n.\r\n");
  check_encoding ("a\n.", "a\r\n..\r\n.\r\n");
  check_encoding ("x", "x\r\n.\r\n");
}

/* An empty message is the terminator alone: the CRLF ending "DATA" is the first half of
 * CRLF.CRLF (RFC 5321 §4.1.1.4). */
static void
test_empty (void)
{
  check_encoding ("", ".\r\n");
}

static void
test_longest_line (void)
{
  g_autofree char *line = repeat ('x', O365_BODY_ENCODER_MAX_LINE);
  g_autofree char *dotted = repeat ('x', O365_BODY_ENCODER_MAX_LINE - 1);
  g_autofree char *input = NULL;
  g_autofree char *expected = NULL;

  dotted[0] = '.';
  input = g_strconcat ("a\n", line, "\n", dotted, "\r", line, NULL);
  expected = g_strconcat ("a\r\n", line, "\r\n.", dotted, "\r\n", line, "\r\n.\r\n", NULL);
  check_encoding (input, expected);
}

static void
test_line_too_long (void)
{
  g_autofree char *line = repeat ('x', O365_BODY_ENCODER_MAX_LINE + 1);
  g_autofree char *middle = g_strconcat ("a\r\nb\n", line, "\nc\n", NULL);
  g_autofree char *last = g_strconcat ("a\r\r", line, NULL);

  check_refused_len (middle, -1, 3, "998");
  check_refused_len (last, -1, 3, "998");
  check_refused_len (line, -1, 1, "998");
}

/* A 998-octet line that begins with '.' is 999 octets once stuffed. */
static void
test_dot_line_too_long (void)
{
  g_autofree char *line = repeat ('x', O365_BODY_ENCODER_MAX_LINE);
  g_autofree char *input = NULL;

  line[0] = '.';
  input = g_strconcat ("a\n", line, "\n", NULL);
  check_refused_len (input, -1, 2, "“.”");
  check_refused_len (line, -1, 1, "“.”");
}

static void
test_nul (void)
{
  check_refused_len ("a\nb\0c\n", 6, 2, "NUL");
  check_refused_len ("\0", 1, 1, "NUL");
  check_refused_len ("a\r\r\nb\0", 6, 3, "NUL");
  check_refused_len (".\0", 2, 1, "NUL");
}

/* Output made before a refusal is reported first; the refusal comes on the next call,
 * without anything read. */
static void
test_refusal_after_progress (void)
{
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  g_autoptr (GError) error = NULL;
  char out[64];
  gsize bytes_read, bytes_written;
  GConverterResult result;

  result = g_converter_convert (G_CONVERTER (encoder), "ab\0c", 4, out, sizeof out,
                                G_CONVERTER_INPUT_AT_END, &bytes_read, &bytes_written, &error);
  g_assert_no_error (error);
  g_assert_cmpint (result, ==, G_CONVERTER_CONVERTED);
  g_assert_cmpmem (out, bytes_written, "ab", 2);
  g_assert_cmpuint (bytes_read, ==, 2);

  result = g_converter_convert (G_CONVERTER (encoder), "\0c", 2, out, sizeof out,
                                G_CONVERTER_INPUT_AT_END, &bytes_read, &bytes_written, &error);
  g_assert_cmpint (result, ==, G_CONVERTER_ERROR);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE);
  g_assert_cmpstr (error->message, ==,
                   "Line 1 of the message contains a NUL byte, which mail servers do not accept");
}

static void
test_8bit (void)
{
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  g_autoptr (GByteArray) output = NULL;
  const char *input = "Subject: caf\xc3\xa9\n\nna\xefve\n";

  check_encoding (input, "Subject: caf\xc3\xa9\r\n\r\nna\xefve\r\n.\r\n");
  check_encoding (".\xff\n", "..\xff\r\n.\r\n");

  output = run_encoder (encoder, (const guint8 *) "plain\n", 6, 0, G_MAXSIZE, 64, NULL);
  g_assert_false (o365_body_encoder_saw_8bit (encoder));
}

/* Inputs that try to end DATA early (or confuse a lax server into it) go out stuffed. */
static void
test_smuggling (void)
{
  check_encoding ("a\n.\nMAIL FROM:<x@example.com>\n",
                  "a\r\n..\r\nMAIL FROM:<x@example.com>\r\n.\r\n");
  check_encoding ("a\r.\rRSET\r", "a\r\n..\r\nRSET\r\n.\r\n");
  check_encoding ("a\r\n.\nb", "a\r\n..\r\nb\r\n.\r\n");
  check_encoding ("a\n.\r\nb", "a\r\n..\r\nb\r\n.\r\n");
  check_encoding ("a\r\n.\r\nRSET\r\n", "a\r\n..\r\nRSET\r\n.\r\n");
  check_encoding ("\n.\n", "\r\n..\r\n.\r\n");
  check_encoding ("\r.\r", "\r\n..\r\n.\r\n");
  check_encoding ("a\r\n\r.\r\n", "a\r\n\r\n..\r\n.\r\n");
}

/* Random messages from the troublesome octets; only the wire checker and the agreement of
 * every configuration judge them (reproduce with --seed). */
static void
test_random (void)
{
  static const char alphabet[] = { 'a', '.', '.', '\r', '\n', '\n', ' ', '\xe9' };

  for (guint n = 0; n < 300; n++)
    {
      gsize length = g_test_rand_int_range (0, 24);
      g_autofree char *input = g_malloc (length + 1);

      for (gsize i = 0; i < length; i++)
        input[i] = alphabet[g_test_rand_int_range (0, sizeof alphabet)];
      input[length] = '\0';
      check_encoding_len (input, length, NULL);
    }
}

static void
test_reset (void)
{
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  GConverter *converter = G_CONVERTER (encoder);
  g_autoptr (GByteArray) output = NULL;
  g_autoptr (GByteArray) again = NULL;
  g_autoptr (GError) error = NULL;
  char out[64];
  gsize bytes_read, bytes_written;

  /* Mid-line after a CR with 8-bit seen: a reset forgets it all, so the LF starts a new message
   * with an empty line. */
  g_assert_cmpint (g_converter_convert (converter, "\xe9\r", 2, out, sizeof out, 0,
                                        &bytes_read, &bytes_written, NULL),
                   ==, G_CONVERTER_CONVERTED);
  g_converter_reset (converter);
  output = run_encoder (encoder, (const guint8 *) "\nb", 2, 0, G_MAXSIZE, 64, NULL);
  g_assert_cmpmem (output->data, output->len, "\r\nb\r\n.\r\n", 8);
  g_assert_cmpuint (o365_body_encoder_get_line_count (encoder), ==, 2);
  g_assert_false (o365_body_encoder_saw_8bit (encoder));

  /* Finished: further calls read nothing and stay finished, until a reset. */
  g_assert_cmpint (g_converter_convert (converter, "more", 4, out, sizeof out,
                                        G_CONVERTER_INPUT_AT_END, &bytes_read, &bytes_written, NULL),
                   ==, G_CONVERTER_FINISHED);
  g_assert_cmpuint (bytes_read + bytes_written, ==, 0);
  g_converter_reset (converter);
  again = run_encoder (encoder, (const guint8 *) "\nb", 2, 0, G_MAXSIZE, 1, NULL);
  g_assert_cmpmem (again->data, again->len, output->data, output->len);

  /* Refused: a reset makes the encoder usable for the next message. */
  g_converter_reset (converter);
  g_clear_pointer (&output, g_byte_array_unref);
  output = run_encoder (encoder, (const guint8 *) "a\0", 2, 0, G_MAXSIZE, 64, &error);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE);
  g_converter_reset (converter);
  g_clear_pointer (&output, g_byte_array_unref);
  output = run_encoder (encoder, (const guint8 *) ".", 1, 0, G_MAXSIZE, 64, NULL);
  g_assert_cmpmem (output->data, output->len, "..\r\n.\r\n", 7);
}

/* No input and nothing owed: ask for more; on a flush, report flushed; at the end, finish. */
static void
test_contract (void)
{
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  GConverter *converter = G_CONVERTER (encoder);
  g_autoptr (GError) error = NULL;
  char out[64];
  gsize bytes_read, bytes_written;

  g_assert_cmpint (g_converter_convert (converter, "", 0, out, sizeof out, 0,
                                        &bytes_read, &bytes_written, &error),
                   ==, G_CONVERTER_ERROR);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT);

  g_assert_cmpint (g_converter_convert (converter, "a\r", 2, out, sizeof out, G_CONVERTER_FLUSH,
                                        &bytes_read, &bytes_written, NULL),
                   ==, G_CONVERTER_FLUSHED);
  g_assert_cmpmem (out, bytes_written, "a\r\n", 3);

  /* With a one-octet buffer the CRLF owed comes out over two calls, then the flush is done. */
  g_assert_cmpint (g_converter_convert (converter, "b\n", 2, out, 2, G_CONVERTER_FLUSH,
                                        &bytes_read, &bytes_written, NULL),
                   ==, G_CONVERTER_CONVERTED);
  g_assert_cmpmem (out, bytes_written, "b\r", 2);
  g_assert_cmpuint (bytes_read, ==, 2);
  g_assert_cmpint (g_converter_convert (converter, "", 0, out, 1, G_CONVERTER_FLUSH,
                                        &bytes_read, &bytes_written, NULL),
                   ==, G_CONVERTER_FLUSHED);
  g_assert_cmpmem (out, bytes_written, "\n", 1);

  g_assert_cmpint (g_converter_convert (converter, "", 0, out, sizeof out, G_CONVERTER_INPUT_AT_END,
                                        &bytes_read, &bytes_written, NULL),
                   ==, G_CONVERTER_FINISHED);
  g_assert_cmpmem (out, bytes_written, ".\r\n", 3);
}

/* Through a GConverterOutputStream: flush() pushes out what was written, close() ends it. */
static void
test_output_stream (void)
{
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  g_autoptr (GOutputStream) sink = g_memory_output_stream_new_resizable ();
  g_autoptr (GOutputStream) stream = g_converter_output_stream_new (sink, G_CONVERTER (encoder));
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (sink);
  g_autoptr (GError) error = NULL;

  g_assert_true (g_output_stream_write_all (stream, "a\r", 2, NULL, NULL, &error));
  g_assert_true (g_output_stream_flush (stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (g_memory_output_stream_get_data (memory),
                   g_memory_output_stream_get_data_size (memory), "a\r\n", 3);
  g_assert_true (g_output_stream_write_all (stream, "\n.b", 3, NULL, NULL, &error));
  g_assert_true (g_output_stream_close (stream, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpmem (g_memory_output_stream_get_data (memory),
                   g_memory_output_stream_get_data_size (memory), "a\r\n..b\r\n.\r\n", 11);
}

#define STREAM_BLOCK (64 * 1024)
#define STREAM_BLOCKS 800 /* 50 MiB */

/* A block of random lines — mixed line ends, leading dots, 8-bit octets, up to the longest
 * allowed — ending in LF, so that repeated blocks normalise to the repeated normalised block. */
static guint8 *
make_block (void)
{
  g_autoptr (GRand) rand = g_rand_new_with_seed (5321);
  GByteArray *block = g_byte_array_sized_new (STREAM_BLOCK);
  static const char *endings[] = { "\n", "\r\n", "\r" };

  while (block->len < STREAM_BLOCK - O365_BODY_ENCODER_MAX_LINE - 1)
    {
      gsize length = g_rand_boolean (rand) ? (gsize) g_rand_int_range (rand, 0, 100)
                                            : (gsize) g_rand_int_range (rand, 0, O365_BODY_ENCODER_MAX_LINE);
      const char *ending = endings[g_rand_int_range (rand, 0, G_N_ELEMENTS (endings))];

      for (gsize i = 0; i < length; i++)
        {
          guint8 octet = g_rand_int_range (rand, 0, 20) == 0 ? g_rand_int_range (rand, 128, 256)
                                                             : g_rand_int_range (rand, ' ', 127);

          if (i == 0 && g_rand_int_range (rand, 0, 4) == 0)
            octet = '.';
          g_byte_array_append (block, &octet, 1);
        }
      g_byte_array_append (block, (const guint8 *) ending, strlen (ending));
    }
  while (block->len < STREAM_BLOCK - 1)
    g_byte_array_append (block, (const guint8 *) "x", 1);
  g_byte_array_append (block, (const guint8 *) "\n", 1);
  return g_byte_array_free (block, FALSE);
}

/* 50 MiB through a GConverterInputStream in 64 KiB reads, checked as it streams: the source
 * shares one block and the checker keeps no output, so nothing grows with the message. */
static void
test_large_stream (void)
{
  g_autoptr (GBytes) block = g_bytes_new_take (make_block (), STREAM_BLOCK);
  g_autoptr (GByteArray) reference = normalise (g_bytes_get_data (block, NULL), STREAM_BLOCK);
  g_autoptr (GInputStream) source = g_memory_input_stream_new ();
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  g_autoptr (GInputStream) stream = NULL;
  g_autofree guint8 *buffer = g_malloc (STREAM_BLOCK);
  g_autoptr (GError) error = NULL;
  guint64 total = 0;
  gint64 start;
  gdouble seconds;
  WireCheck check;
  gssize n;

  for (guint i = 0; i < STREAM_BLOCKS; i++)
    g_memory_input_stream_add_bytes (G_MEMORY_INPUT_STREAM (source), block);
  stream = g_converter_input_stream_new (source, G_CONVERTER (encoder));
  wire_check_init (&check, reference->data, reference->len, STREAM_BLOCKS);

  start = g_get_monotonic_time ();
  while ((n = g_input_stream_read (stream, buffer, STREAM_BLOCK, NULL, &error)) > 0)
    {
      wire_check_feed (&check, buffer, n);
      total += n;
    }
  seconds = (g_get_monotonic_time () - start) / (gdouble) G_USEC_PER_SEC;
  g_assert_no_error (error);
  g_assert_cmpint (n, ==, 0);
  wire_check_finish (&check);
  g_assert_cmpuint (o365_body_encoder_get_line_count (encoder), ==,
                    count_crlf (reference) * STREAM_BLOCKS);
  g_assert_true (o365_body_encoder_saw_8bit (encoder));
  g_test_message ("%" G_GUINT64_FORMAT " octets out in %.2f s, encoded and checked (%.0f MB/s)",
                  total, seconds, STREAM_BLOCK * (gdouble) STREAM_BLOCKS / 1e6 / seconds);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/body-encoder/lf", test_lf);
  g_test_add_func ("/body-encoder/crlf", test_crlf);
  g_test_add_func ("/body-encoder/bare-cr", test_bare_cr);
  g_test_add_func ("/body-encoder/mixed", test_mixed);
  g_test_add_func ("/body-encoder/cr-at-chunk-end", test_cr_at_chunk_end);
  g_test_add_func ("/body-encoder/leading-dot-first-line", test_leading_dot_first_line);
  g_test_add_func ("/body-encoder/dot-lines", test_dot_lines);
  g_test_add_func ("/body-encoder/no-final-newline", test_no_final_newline);
  g_test_add_func ("/body-encoder/empty", test_empty);
  g_test_add_func ("/body-encoder/longest-line", test_longest_line);
  g_test_add_func ("/body-encoder/line-too-long", test_line_too_long);
  g_test_add_func ("/body-encoder/dot-line-too-long", test_dot_line_too_long);
  g_test_add_func ("/body-encoder/nul", test_nul);
  g_test_add_func ("/body-encoder/refusal-after-progress", test_refusal_after_progress);
  g_test_add_func ("/body-encoder/8bit", test_8bit);
  g_test_add_func ("/body-encoder/smuggling", test_smuggling);
  g_test_add_func ("/body-encoder/random", test_random);
  g_test_add_func ("/body-encoder/reset", test_reset);
  g_test_add_func ("/body-encoder/contract", test_contract);
  g_test_add_func ("/body-encoder/output-stream", test_output_stream);
  g_test_add_func ("/body-encoder/large-stream", test_large_stream);
  return g_test_run ();
}
