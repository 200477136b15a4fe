/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bench-encoder.c — the body encoder's throughput on its own: O365BodyEncoder (the GConverter
 * the session streams every message through) over an in-memory message, fed in 64 KiB chunks as
 * the session feeds it, into an output buffer of the size the session gives it.
 *
 *   bench-encoder [--megabytes N] [--passes N]
 *
 * The message is a header block and a base64 body (76-character lines), once with LF line ends
 * (what o365-send gets from mutt or git) and once with CRLF. Each pass gets a fresh encoder; the
 * median pass is reported. Output lines are KEY=VALUE for bench/run:
 *
 *   ENCODER_LF_MBPS=…  ENCODER_CRLF_MBPS=…  (MB = 10^6 bytes of input per second)
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "o365-smtp-body-encoder.h"

#define CHUNK (64 * 1024)

static const char base64_alphabet[] =
  "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* A message of @size bytes: headers, then base64-looking lines of 76 characters (a pool of
 * random lines, repeated: drawing every byte at random would take longer than the benchmark). */
static guint8 *
make_message (gsize size, gboolean crlf)
{
  enum { POOL = 4096, LINE = 76 };
  const char *eol = crlf ? "\r\n" : "\n";
  gsize eol_length = strlen (eol);
  g_autoptr (GString) head = g_string_new (NULL);
  g_autofree char *pool = g_malloc ((gsize) POOL * (LINE + 2));
  guint8 *message = g_malloc (size);
  GRand *rand = g_rand_new_with_seed (20240613);
  gsize line_size = LINE + eol_length;
  gsize at;

  for (gsize i = 0; i < POOL; i++)
    {
      char *line = pool + i * line_size;

      for (gsize j = 0; j < LINE; j++)
        line[j] = base64_alphabet[g_rand_int_range (rand, 0, 64)];
      memcpy (line + LINE, eol, eol_length);
    }
  g_string_append_printf (head,
                          "From: bench@example.test%sTo: rcpt@example.test%sSubject: encoder%s"
                          "MIME-Version: 1.0%sContent-Type: application/octet-stream%s"
                          "Content-Transfer-Encoding: base64%s%s",
                          eol, eol, eol, eol, eol, eol, eol);
  at = MIN (head->len, size);
  memcpy (message, head->str, at);
  for (gsize i = 0; at < size; i++)
    {
      gsize n = MIN (line_size, size - at);

      memcpy (message + at, pool + (i % POOL) * line_size, n);
      at += n;
    }
  g_rand_free (rand);
  return message;
}

/* One pass: returns the seconds taken, or a negative number on error. */
static double
encode_once (const guint8 *message, gsize size, guint8 *out, gsize out_size, guint64 *out_total,
             guint64 *lines)
{
  g_autoptr (O365BodyEncoder) encoder = o365_body_encoder_new ();
  GConverter *converter = G_CONVERTER (encoder);
  gint64 start = g_get_monotonic_time ();
  gsize offset = 0;
  guint64 written_total = 0;
  /* Bounded: every call makes progress, so chunks × a few calls each is plenty. */
  guint64 max_calls = 8 * (size / CHUNK + 2) + 16;

  for (guint64 calls = 0; calls < max_calls; calls++)
    {
      gsize length = MIN ((gsize) CHUNK, size - offset);
      gboolean at_end = offset + length == size;
      gsize read = 0, written = 0;
      g_autoptr (GError) error = NULL;
      GConverterResult result;

      result = g_converter_convert (converter, message + offset, length, out, out_size,
                                    at_end ? G_CONVERTER_INPUT_AT_END : G_CONVERTER_NO_FLAGS,
                                    &read, &written, &error);
      if (result == G_CONVERTER_ERROR)
        {
          g_printerr ("bench-encoder: %s\n", error->message);
          return -1;
        }
      offset += read;
      written_total += written;
      if (result == G_CONVERTER_FINISHED)
        {
          *out_total = written_total;
          *lines = o365_body_encoder_get_line_count (encoder);
          return (g_get_monotonic_time () - start) / 1e6;
        }
    }
  g_printerr ("bench-encoder: the encoder did not finish\n");
  return -1;
}

static int
compare_doubles (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static gboolean
run (const char *name, gsize size, guint passes)
{
  g_autofree guint8 *message = make_message (size, g_str_equal (name, "CRLF"));
  /* What the session gives the encoder: twice the input chunk, plus room for the terminator. */
  gsize out_size = 2 * CHUNK + 64;
  g_autofree guint8 *out = g_malloc (out_size);
  g_autofree double *seconds = g_new (double, passes);
  guint64 out_total = 0, lines = 0;
  double median;

  for (guint i = 0; i < passes; i++)
    {
      seconds[i] = encode_once (message, size, out, out_size, &out_total, &lines);
      if (seconds[i] < 0)
        return FALSE;
    }
  qsort (seconds, passes, sizeof *seconds, compare_doubles);
  median = seconds[passes / 2];
  printf ("ENCODER_%s_MBPS=%.0f\n", name, size / median / 1e6);
  printf ("ENCODER_%s_SECONDS=%.3f\n", name, median);
  printf ("ENCODER_%s_IN_BYTES=%" G_GSIZE_FORMAT "\n", name, size);
  printf ("ENCODER_%s_OUT_BYTES=%" G_GUINT64_FORMAT "\n", name, out_total);
  printf ("ENCODER_%s_LINES=%" G_GUINT64_FORMAT "\n", name, lines);
  return TRUE;
}

int
main (int argc, char **argv)
{
  int megabytes = 100, passes = 5;
  const GOptionEntry entries[] = {
    { "megabytes", 0, 0, G_OPTION_ARG_INT, &megabytes, "Message size in MB (default 100)", "N" },
    { "passes", 0, 0, G_OPTION_ARG_INT, &passes, "Passes per line-end style (default 5)", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("— the body encoder's throughput");
  g_autoptr (GError) error = NULL;
  gsize size;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || megabytes < 1 || megabytes > 2000
      || passes < 1 || passes > 100)
    {
      g_printerr ("bench-encoder: %s\n", error != NULL ? error->message : "--megabytes 1-2000, --passes 1-100");
      return 64;
    }
  size = (gsize) megabytes * 1000 * 1000;
  printf ("ENCODER_CHUNK=%d\n", CHUNK);
  if (!run ("LF", size, passes) || !run ("CRLF", size, passes))
    return 1;
  return 0;
}
