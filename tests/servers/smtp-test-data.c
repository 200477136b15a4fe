/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* smtp-test-data.c — DATA body decoder: a byte state machine, so a terminator or a stuffed dot split
 * across reads is still recognised and nothing but the current chunk is held in memory. */
#include "config.h"

#include "smtp-test-data.h"

enum {
  LINE_START,  /* after CRLF (the DATA command's own CRLF counts) */
  IN_LINE,
  AFTER_CR,
  DOT,         /* "." at the start of a line */
  DOT_CR,      /* ".\r" at the start of a line: the terminator if LF follows */
};

void
smtp_test_data_decoder_init (SmtpTestDataDecoder *decoder, gboolean unstuff)
{
  decoder->state = LINE_START;
  decoder->unstuff = unstuff;
}

static void
emit (GByteArray *out, guint8 byte)
{
  g_byte_array_append (out, &byte, 1);
}

/* A byte inside a line; only CRLF ends a line, so a bare LF or CR never starts one. */
static int
in_line (GByteArray *out, guint8 byte)
{
  emit (out, byte);
  return byte == '\r' ? AFTER_CR : IN_LINE;
}

gsize
smtp_test_data_decoder_feed (SmtpTestDataDecoder *decoder,
                             const guint8        *data,
                             gsize                length,
                             GByteArray          *out,
                             gboolean            *done)
{
  *done = FALSE;
  for (gsize i = 0; i < length; i++)
    {
      guint8 byte = data[i];

      switch (decoder->state)
        {
        case LINE_START:
          decoder->state = byte == '.' ? DOT : in_line (out, byte);
          break;
        case IN_LINE:
          decoder->state = in_line (out, byte);
          break;
        case AFTER_CR:
          if (byte == '\n')
            {
              emit (out, byte);
              decoder->state = LINE_START;
            }
          else
            decoder->state = in_line (out, byte);
          break;
        case DOT:
          if (byte == '\r')
            decoder->state = DOT_CR;
          else
            {
              if (!decoder->unstuff)
                emit (out, '.');
              decoder->state = in_line (out, byte);
            }
          break;
        case DOT_CR:
          if (byte == '\n')
            {
              *done = TRUE;
              decoder->state = LINE_START;
              return i + 1;
            }
          /* ".\rX": not the terminator; the dot was stuffing, the CR is data. */
          if (!decoder->unstuff)
            emit (out, '.');
          emit (out, '\r');
          decoder->state = in_line (out, byte);
          break;
        default:
          g_assert_not_reached ();
        }
    }
  return length;
}
