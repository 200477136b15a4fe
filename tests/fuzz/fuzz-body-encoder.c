/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-body-encoder.c — libFuzzer target for the DATA body encoder (plugin/smtp/o365-smtp-body-encoder.h),
 * driven the way a GConverterOutputStream drives it, but with input split and output buffers
 * sized by the fuzzer.
 *
 * Input: byte 0 gives the number n (0–16) of schedule bytes that follow; the rest is the
 * message. Each converter call takes the next schedule byte (cyclically): its low nibble says
 * how much new input arrives when the encoder has taken all it had (nibble + 1 bytes, all the
 * rest for 15; 14 also asks for a FLUSH), bit 7 a 4 KiB output buffer instead of 1–8 bytes
 * (bits 4–6).
 *
 * Invariants, checked on the output alone: no bare CR or LF; no line over 998 octets plus
 * CRLF; CRLF.CRLF only at the very end; un-stuffing gives back the input with its line ends
 * normalised to CRLF (and a CRLF added to an unterminated last line). The message is refused
 * exactly when it holds a NUL or a line too long once stuffed, and then the output stops right
 * before the offending byte, without the final dot. Every call makes progress, and splitting
 * never changes the output (a reset and a run in one piece give the same bytes). */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "mail-transport-error.h"
#include "o365-smtp-body-encoder.h"

#define MAX_SCHEDULE 16
#define BIG_BUFFER 4096

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

typedef struct
{
  GByteArray *output;
  gboolean refused;
  guint64 line_count;
  gboolean saw_8bit;
} Run;

static void
run_clear (Run *run)
{
  g_byte_array_unref (run->output);
}

/* Converts @message (@length bytes) with calls shaped by @schedule (NULL: all the input at
 * once, 4 KiB output buffers). */
static void
run_encoder (O365BodyEncoder *encoder,
             const guint8 *message,
             gsize length,
             const guint8 *schedule,
             gsize schedule_length,
             Run *run)
{
  guint8 buffer[BIG_BUFFER];
  gsize position = 0;
  gsize available = 0;
  gsize step = 0;
  /* Each call consumes or writes a byte, or gets new input: far fewer calls than this. */
  gsize max_calls = 8 * length + 64;

  run->output = g_byte_array_new ();
  run->refused = FALSE;

  for (gsize call = 0;; call++)
    {
      guint8 shape = schedule != NULL ? schedule[step++ % schedule_length] : 0xff;
      guint arrival = shape & 0x0f;
      gsize out_size = (shape & 0x80) ? BIG_BUFFER : 1 + ((shape >> 4) & 0x07);
      GConverterFlags flags = G_CONVERTER_NO_FLAGS;
      GConverterResult result;
      gsize bytes_read = 0;
      gsize bytes_written = 0;
      g_autoptr (GError) error = NULL;

      FUZZ_CHECK (call < max_calls, "the encoder makes no progress");
      if (schedule == NULL)
        available = length;
      else if (position == available && available < length)
        available = arrival == 0x0f ? length : MIN (length, available + arrival + 1);
      if (available == length)
        flags |= G_CONVERTER_INPUT_AT_END;
      if (arrival == 0x0e)
        flags |= G_CONVERTER_FLUSH;

      result = g_converter_convert (G_CONVERTER (encoder), message + position, available - position,
                                    buffer, out_size, flags, &bytes_read, &bytes_written, &error);
      FUZZ_CHECK (bytes_read <= available - position, NULL);
      FUZZ_CHECK (bytes_written <= out_size, NULL);
      g_byte_array_append (run->output, buffer, (guint) bytes_written);
      position += bytes_read;

      if (result == G_CONVERTER_ERROR)
        {
          FUZZ_CHECK (bytes_read == 0 && bytes_written == 0, "progress reported with an error");
          /* Any output buffer makes progress, and the encoder never waits for more input. */
          FUZZ_CHECK (g_error_matches (error, MAIL_TRANSPORT_ERROR,
                                       MAIL_TRANSPORT_ERROR_INVALID_MESSAGE),
                      error != NULL ? error->message : "no GError");
          FUZZ_CHECK (fuzz_is_display_safe (error->message, strlen (error->message), FALSE), NULL);
          run->refused = TRUE;
          break;
        }
      FUZZ_CHECK (error == NULL, NULL);
      if (result == G_CONVERTER_FINISHED)
        {
          FUZZ_CHECK (position == length, "finished before the end of the input");
          break;
        }
      FUZZ_CHECK (result == G_CONVERTER_CONVERTED || result == G_CONVERTER_FLUSHED, NULL);
      FUZZ_CHECK (result != G_CONVERTER_FLUSHED || (flags & G_CONVERTER_FLUSH), NULL);
      FUZZ_CHECK (bytes_read > 0 || bytes_written > 0 || result == G_CONVERTER_FLUSHED,
                  "a call converted nothing");
    }
  run->line_count = o365_body_encoder_get_line_count (encoder);
  run->saw_8bit = o365_body_encoder_saw_8bit (encoder);
}

/* memcmp() must not see NULL, which an empty GByteArray may hold. */
static gboolean
same_bytes (const guint8 *a, gsize a_length, const guint8 *b, gsize b_length)
{
  return a_length == b_length && (a_length == 0 || memcmp (a, b, a_length) == 0);
}

/* The message with every CRLF, CR and LF as CRLF; a last line without one gets one. */
static GByteArray *
normalise (const guint8 *message, gsize length)
{
  GByteArray *text = g_byte_array_sized_new ((guint) (2 * length + 2));

  for (gsize i = 0; i < length; i++)
    {
      if (message[i] == '\r' || message[i] == '\n')
        {
          g_byte_array_append (text, (const guint8 *) "\r\n", 2);
          if (message[i] == '\r' && i + 1 < length && message[i + 1] == '\n')
            i++;
        }
      else
        g_byte_array_append (text, &message[i], 1);
    }
  if (text->len > 0 && text->data[text->len - 1] != '\n')
    g_byte_array_append (text, (const guint8 *) "\r\n", 2);
  return text;
}

/* The wire form without any limit: each normalised line stuffed, then ".\r\n". Sets
 * *@refusal_at to the offset of the first NUL or of the first octet past 998 in a line, or
 * G_MAXSIZE when there is none. */
static GByteArray *
unlimited_wire (const GByteArray *normalised, gsize *refusal_at)
{
  GByteArray *wire = g_byte_array_sized_new (2 * normalised->len + 3);
  gsize start = 0;

  *refusal_at = G_MAXSIZE;
  while (start < normalised->len)
    {
      const guint8 *line = normalised->data + start;
      const guint8 *crlf = memmem (line, normalised->len - start, "\r\n", 2);
      gsize line_length = (gsize) (crlf - line);
      gsize wire_start = wire->len;
      gsize wire_length;

      if (line_length > 0 && line[0] == '.')
        g_byte_array_append (wire, (const guint8 *) ".", 1);
      g_byte_array_append (wire, line, (guint) line_length);
      wire_length = wire->len - wire_start;
      if (*refusal_at == G_MAXSIZE)
        {
          const guint8 *nul = memchr (wire->data + wire_start, '\0', wire_length);

          if (nul != NULL)
            *refusal_at = (gsize) (nul - wire->data);
          if (wire_length > O365_BODY_ENCODER_MAX_LINE)
            *refusal_at = MIN (*refusal_at, wire_start + O365_BODY_ENCODER_MAX_LINE);
        }
      g_byte_array_append (wire, (const guint8 *) "\r\n", 2);
      start += line_length + 2;
    }
  g_byte_array_append (wire, (const guint8 *) ".\r\n", 3);
  return wire;
}

/* The invariants that hold for any complete DATA payload, from the output alone. */
static void
check_wire (const GByteArray *output, const GByteArray *normalised, guint64 line_count)
{
  const guint8 *data = output->data;
  gsize length = output->len;
  g_autoptr (GByteArray) unstuffed = g_byte_array_new ();
  guint64 lines = 0;
  gsize line_start = 0;

  FUZZ_CHECK (length >= 3 && memcmp (data + length - 3, ".\r\n", 3) == 0, "no final dot");
  FUZZ_CHECK (length == 3 || (length >= 5 && data[length - 5] == '\r' && data[length - 4] == '\n'),
              "the final dot is not on a line of its own");
  for (gsize i = 0; i < length; i++)
    {
      if (data[i] == '\r')
        FUZZ_CHECK (i + 1 < length && data[i + 1] == '\n', "bare CR");
      if (data[i] == '\n')
        FUZZ_CHECK (i > 0 && data[i - 1] == '\r', "bare LF");
    }
  /* Line by line, the final "." excluded; CRLF "." CRLF inside would end the DATA early. */
  while (line_start < length - 3)
    {
      const guint8 *line = data + line_start;
      const guint8 *crlf = memmem (line, length - line_start, "\r\n", 2);
      gsize line_length = (gsize) (crlf - line);

      FUZZ_CHECK (line_length + 2 <= 1000, "a line over 1000 octets with its CRLF");
      FUZZ_CHECK (!(line_length == 1 && line[0] == '.'), "CRLF.CRLF before the end");
      if (line_length > 0 && line[0] == '.')
        {
          FUZZ_CHECK (line_length >= 2 && line[1] == '.', "a leading dot not doubled");
          line++;
          line_length--;
        }
      g_byte_array_append (unstuffed, line, (guint) line_length);
      g_byte_array_append (unstuffed, (const guint8 *) "\r\n", 2);
      line_start = (gsize) (crlf - data) + 2;
      lines++;
    }
  FUZZ_CHECK (line_start == length - 3, NULL);
  FUZZ_CHECK (same_bytes (unstuffed->data, unstuffed->len, normalised->data, normalised->len),
              "un-stuffing does not give back the normalised input");
  FUZZ_CHECK (line_count == lines, "line count");
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  gsize schedule_length = size > 0 ? MIN ((gsize) data[0] % (MAX_SCHEDULE + 1), size - 1) : 0;
  const guint8 *schedule = size > 0 ? data + 1 : NULL;
  const guint8 *message = data + (size > 0 ? 1 + schedule_length : 0);
  gsize length = size - (size > 0 ? 1 + schedule_length : 0);
  g_autoptr (GByteArray) normalised = normalise (message, length);
  g_autoptr (GByteArray) wire = NULL;
  gsize refusal_at;
  gboolean eight_bit = FALSE;
  Run chunked, whole;

  wire = unlimited_wire (normalised, &refusal_at);
  for (gsize i = 0; i < length; i++)
    eight_bit |= message[i] >= 0x80;

  run_encoder (encoder, message, length, schedule_length > 0 ? schedule : NULL, schedule_length,
               &chunked);
  if (refusal_at == G_MAXSIZE)
    {
      FUZZ_CHECK (!chunked.refused, "a valid message was refused");
      check_wire (chunked.output, normalised, chunked.line_count);
      FUZZ_CHECK (same_bytes (chunked.output->data, chunked.output->len, wire->data, wire->len),
                  NULL);
      FUZZ_CHECK (chunked.saw_8bit == eight_bit, "8-bit detection");
    }
  else
    {
      FUZZ_CHECK (chunked.refused, "a NUL or an over-long line was sent");
      FUZZ_CHECK (chunked.output->len == refusal_at, "the output does not stop at the offending byte");
      FUZZ_CHECK (same_bytes (chunked.output->data, refusal_at, wire->data, refusal_at), NULL);
    }

  /* Splitting must not matter: the same message in one piece after a reset. */
  g_converter_reset (G_CONVERTER (encoder));
  run_encoder (encoder, message, length, NULL, 0, &whole);
  FUZZ_CHECK (whole.refused == chunked.refused, NULL);
  FUZZ_CHECK (same_bytes (whole.output->data, whole.output->len, chunked.output->data,
                          chunked.output->len),
              "the output depends on how the input was split");

  run_clear (&chunked);
  run_clear (&whole);
  return 0;
}
