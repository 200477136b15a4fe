/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-body-encoder.c — line-end normalisation, dot-stuffing and the final dot, streamed.
 *
 * A CR is written as CRLF as soon as it is read, and a LF right after it is then skipped, so
 * no decision ever waits for the next chunk. The only output held back is the tail of a
 * short sequence ("\r\n", "..", "\r\n.\r\n") that did not fit in the caller's buffer.
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "mail-transport-error.h"
#include "o365-smtp-body-encoder.h"

#define TERMINATOR "\r\n.\r\n"

struct _O365BodyEncoder
{
  GObject parent_instance;

  guint64 lines;         /* lines written with their CRLF */
  gsize line_length;     /* octets of the current line written, a stuffed '.' included */
  gboolean line_stuffed; /* the current line began with '.' and got a second one */
  gboolean after_cr;     /* the last byte read was CR: a LF now completes its CRLF */
  gboolean saw_8bit;
  gboolean terminated;   /* the final dot is written or pending */

  char pending[sizeof TERMINATOR - 1];
  guint8 pending_start;
  guint8 pending_end;
};

static void o365_body_encoder_converter_init (GConverterIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (O365BodyEncoder, o365_body_encoder, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_CONVERTER,
                                                      o365_body_encoder_converter_init))

static void
o365_body_encoder_class_init (O365BodyEncoderClass *klass)
{
}

static void
o365_body_encoder_init (O365BodyEncoder *self)
{
}

O365BodyEncoder *
o365_body_encoder_new (void)
{
  return g_object_new (O365_TYPE_BODY_ENCODER, NULL);
}

guint64
o365_body_encoder_get_line_count (O365BodyEncoder *self)
{
  g_return_val_if_fail (O365_IS_BODY_ENCODER (self), 0);

  return self->lines;
}

gboolean
o365_body_encoder_saw_8bit (O365BodyEncoder *self)
{
  g_return_val_if_fail (O365_IS_BODY_ENCODER (self), FALSE);

  return self->saw_8bit;
}

static gboolean
has_pending (O365BodyEncoder *self)
{
  return self->pending_start < self->pending_end;
}

static void
write_pending (O365BodyEncoder *self, guchar **out, guchar *out_end)
{
  gsize n = MIN ((gsize) (self->pending_end - self->pending_start), (gsize) (out_end - *out));

  memcpy (*out, self->pending + self->pending_start, n);
  *out += n;
  self->pending_start += n;
}

/* Writes @sequence, keeping what does not fit; only called with nothing pending. */
static void
emit (O365BodyEncoder *self, const char *sequence, gsize length, guchar **out, guchar *out_end)
{
  g_assert (length <= sizeof self->pending);

  memcpy (self->pending, sequence, length);
  self->pending_start = 0;
  self->pending_end = length;
  write_pending (self, out, out_end);
}

static void
set_refusal (O365BodyEncoder *self, gboolean nul, GError **error)
{
  g_autofree char *line = g_strdup_printf ("%" G_GUINT64_FORMAT, self->lines + 1);

  if (nul)
    g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
                 _("Line %s of the message contains a NUL byte, which mail servers do not accept"),
                 line);
  else if (self->line_stuffed)
    g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
                 _("Line %s of the message is longer than the 998 bytes mail servers accept, "
                   "counting the second “.” added to a line that begins with one"),
                 line);
  else
    g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
                 _("Line %s of the message is longer than the 998 bytes mail servers accept"),
                 line);
}

static GConverterResult
o365_body_encoder_convert (GConverter *converter,
                           const void *inbuf,
                           gsize inbuf_size,
                           void *outbuf,
                           gsize outbuf_size,
                           GConverterFlags flags,
                           gsize *bytes_read,
                           gsize *bytes_written,
                           GError **error)
{
  O365BodyEncoder *self = O365_BODY_ENCODER (converter);
  const guchar *in = inbuf;
  const guchar *in_end = in + inbuf_size;
  guchar *out = outbuf;
  guchar *out_end = out + outbuf_size;
  gboolean refused = FALSE;
  gboolean refused_nul = FALSE;

  write_pending (self, &out, out_end);

  while (!self->terminated && !has_pending (self) && in < in_end && out < out_end)
    {
      guchar c = *in;
      gsize limit;
      gsize run;
      guchar high = 0;

      if (c == '\n' && self->after_cr)
        {
          self->after_cr = FALSE;
          in++;
          continue;
        }
      if (c == '\r' || c == '\n')
        {
          emit (self, "\r\n", 2, &out, out_end);
          self->after_cr = (c == '\r');
          self->lines++;
          self->line_length = 0;
          self->line_stuffed = FALSE;
          in++;
          continue;
        }
      if (c == '\0')
        {
          refused = refused_nul = TRUE;
          break;
        }
      self->after_cr = FALSE;
      if (c == '.' && self->line_length == 0)
        {
          emit (self, "..", 2, &out, out_end);
          self->line_length = 2;
          self->line_stuffed = TRUE;
          in++;
          continue;
        }
      if (self->line_length >= O365_BODY_ENCODER_MAX_LINE)
        {
          refused = TRUE;
          break;
        }

      /* Copy a run of ordinary octets at once: this loop is where the time goes. */
      limit = MIN ((gsize) (in_end - in), (gsize) (out_end - out));
      limit = MIN (limit, O365_BODY_ENCODER_MAX_LINE - self->line_length);
      for (run = 0; run < limit; run++)
        {
          guchar b = in[run];

          if (b == '\r' || b == '\n' || b == '\0')
            break;
          high |= b;
        }
      memcpy (out, in, run);
      in += run;
      out += run;
      self->line_length += run;
      if (high & 0x80)
        self->saw_8bit = TRUE;
    }

  if (!refused && !self->terminated && !has_pending (self) && in == in_end &&
      (flags & G_CONVERTER_INPUT_AT_END))
    {
      /* An unterminated last line gets its CRLF first. */
      if (self->line_length > 0)
        {
          emit (self, TERMINATOR, strlen (TERMINATOR), &out, out_end);
          self->lines++;
        }
      else
        emit (self, &TERMINATOR[2], strlen (TERMINATOR) - 2, &out, out_end);
      self->terminated = TRUE;
    }

  *bytes_read = in - (const guchar *) inbuf;
  *bytes_written = out - (guchar *) outbuf;

  /* The contract: report progress first, the refusal on the next call. */
  if (refused && *bytes_read == 0 && *bytes_written == 0)
    {
      set_refusal (self, refused_nul, error);
      return G_CONVERTER_ERROR;
    }
  if (has_pending (self) || refused)
    return G_CONVERTER_CONVERTED;
  if (self->terminated)
    return G_CONVERTER_FINISHED;
  if (in < in_end)
    return G_CONVERTER_CONVERTED;
  if (flags & G_CONVERTER_FLUSH)
    return G_CONVERTER_FLUSHED;
  if (*bytes_read > 0 || *bytes_written > 0)
    return G_CONVERTER_CONVERTED;

  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, _("Need more input"));
  return G_CONVERTER_ERROR;
}

static void
o365_body_encoder_reset (GConverter *converter)
{
  O365BodyEncoder *self = O365_BODY_ENCODER (converter);

  self->lines = 0;
  self->line_length = 0;
  self->line_stuffed = FALSE;
  self->after_cr = FALSE;
  self->saw_8bit = FALSE;
  self->terminated = FALSE;
  self->pending_start = self->pending_end = 0;
}

static void
o365_body_encoder_converter_init (GConverterIface *iface)
{
  iface->convert = o365_body_encoder_convert;
  iface->reset = o365_body_encoder_reset;
}
