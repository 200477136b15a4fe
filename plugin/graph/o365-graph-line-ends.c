/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-graph-line-ends.c — LF, CR, CRLF → CRLF, and a final CRLF, as a GConverter. */
#include "config.h"

#include "o365-graph-line-ends.h"

struct _O365GraphLineEnds
{
  GObject parent_instance;

  gboolean after_cr;   /* the last input byte was a CR (already written as CRLF) */
  gboolean line_open;  /* something was written since the last CRLF */
};

static void o365_graph_line_ends_converter_init (GConverterIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (O365GraphLineEnds, o365_graph_line_ends, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_CONVERTER, o365_graph_line_ends_converter_init))

static void
o365_graph_line_ends_class_init (O365GraphLineEndsClass *klass)
{
}

static void
o365_graph_line_ends_init (O365GraphLineEnds *self)
{
}

O365GraphLineEnds *
o365_graph_line_ends_new (void)
{
  return g_object_new (O365_TYPE_GRAPH_LINE_ENDS, NULL);
}

static GConverterResult
o365_graph_line_ends_convert (GConverter *converter,
                              const void *inbuf,
                              gsize inbuf_size,
                              void *outbuf,
                              gsize outbuf_size,
                              GConverterFlags flags,
                              gsize *bytes_read,
                              gsize *bytes_written,
                              GError **error)
{
  O365GraphLineEnds *self = O365_GRAPH_LINE_ENDS (converter);
  const guchar *in = inbuf;
  guchar *out = outbuf;
  gsize read = 0, written = 0;

  if (outbuf_size < 2)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "need room for 2 bytes");
      return G_CONVERTER_ERROR;
    }
  /* Each input byte becomes at most two output bytes. */
  while (read < inbuf_size && outbuf_size - written >= 2)
    {
      guchar c = in[read++];

      if (c == '\n' && self->after_cr)
        {
          self->after_cr = FALSE;
          continue;
        }
      self->after_cr = c == '\r';
      if (c == '\r' || c == '\n')
        {
          out[written++] = '\r';
          out[written++] = '\n';
          self->line_open = FALSE;
        }
      else
        {
          out[written++] = c;
          self->line_open = TRUE;
        }
    }
  *bytes_read = read;
  if (read == inbuf_size && (flags & G_CONVERTER_INPUT_AT_END))
    {
      if (self->line_open && outbuf_size - written < 2)
        {
          *bytes_written = written;
          return G_CONVERTER_CONVERTED;
        }
      if (self->line_open)
        {
          out[written++] = '\r';
          out[written++] = '\n';
          self->line_open = FALSE;
        }
      *bytes_written = written;
      return G_CONVERTER_FINISHED;
    }
  if (read == 0 && written == 0)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "more input needed");
      return G_CONVERTER_ERROR;
    }
  *bytes_written = written;
  return G_CONVERTER_CONVERTED;
}

static void
o365_graph_line_ends_reset (GConverter *converter)
{
  O365GraphLineEnds *self = O365_GRAPH_LINE_ENDS (converter);

  self->after_cr = self->line_open = FALSE;
}

static void
o365_graph_line_ends_converter_init (GConverterIface *iface)
{
  iface->convert = o365_graph_line_ends_convert;
  iface->reset = o365_graph_line_ends_reset;
}
