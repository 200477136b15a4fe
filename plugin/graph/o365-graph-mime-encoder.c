/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-graph-mime-encoder.c — prefix + message → base64, as a GConverter. */
#include "config.h"

#include "o365-graph-mime-encoder.h"

struct _O365GraphMimeEncoder
{
  GObject parent_instance;

  GBytes *prefix;
  gsize prefix_done; /* bytes of the prefix encoded so far */
  int state;         /* g_base64_encode_step()'s */
  int save;
};

static void o365_graph_mime_encoder_converter_init (GConverterIface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (O365GraphMimeEncoder, o365_graph_mime_encoder, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (G_TYPE_CONVERTER,
                                                      o365_graph_mime_encoder_converter_init))

static void
o365_graph_mime_encoder_finalize (GObject *object)
{
  O365GraphMimeEncoder *self = O365_GRAPH_MIME_ENCODER (object);

  g_clear_pointer (&self->prefix, g_bytes_unref);
  G_OBJECT_CLASS (o365_graph_mime_encoder_parent_class)->finalize (object);
}

static void
o365_graph_mime_encoder_class_init (O365GraphMimeEncoderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = o365_graph_mime_encoder_finalize;
}

static void
o365_graph_mime_encoder_init (O365GraphMimeEncoder *self)
{
}

O365GraphMimeEncoder *
o365_graph_mime_encoder_new (GBytes *prefix)
{
  O365GraphMimeEncoder *self = g_object_new (O365_TYPE_GRAPH_MIME_ENCODER, NULL);

  self->prefix = prefix != NULL ? g_bytes_ref (prefix) : g_bytes_new_static ("", 0);
  return self;
}

/* g_base64_encode_step() writes at most (len / 3 + 1) * 4 bytes: how much input fits in @room. */
static gsize
input_for_room (gsize room)
{
  return room >= 8 ? (room / 4 - 1) * 3 : 0;
}

static GConverterResult
o365_graph_mime_encoder_convert (GConverter *converter,
                                 const void *inbuf,
                                 gsize inbuf_size,
                                 void *outbuf,
                                 gsize outbuf_size,
                                 GConverterFlags flags,
                                 gsize *bytes_read,
                                 gsize *bytes_written,
                                 GError **error)
{
  O365GraphMimeEncoder *self = O365_GRAPH_MIME_ENCODER (converter);
  gsize prefix_length;
  const guchar *prefix = g_bytes_get_data (self->prefix, &prefix_length);
  char *out = outbuf;
  gsize written = 0, fit;

  *bytes_read = 0;
  *bytes_written = 0;
  if (outbuf_size < 8)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NO_SPACE, "need room for 8 bytes");
      return G_CONVERTER_ERROR;
    }
  if (self->prefix_done < prefix_length)
    {
      fit = MIN (prefix_length - self->prefix_done, input_for_room (outbuf_size));
      written = g_base64_encode_step (prefix + self->prefix_done, fit, FALSE, out, &self->state,
                                      &self->save);
      self->prefix_done += fit;
      if (self->prefix_done < prefix_length || input_for_room (outbuf_size - written) == 0)
        {
          *bytes_written = written;
          return G_CONVERTER_CONVERTED;
        }
    }
  if (inbuf_size == 0 && (flags & G_CONVERTER_INPUT_AT_END) == 0)
    {
      if (written > 0)
        {
          *bytes_written = written;
          return G_CONVERTER_CONVERTED;
        }
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT, "more input needed");
      return G_CONVERTER_ERROR;
    }
  /* Fewer than three bytes wait in the state for the next call: progress all the same. */
  fit = MIN (inbuf_size, input_for_room (outbuf_size - written));
  written += g_base64_encode_step (inbuf, fit, FALSE, out + written, &self->state, &self->save);
  *bytes_read = fit;
  if (fit == inbuf_size && (flags & G_CONVERTER_INPUT_AT_END) && outbuf_size - written >= 4)
    {
      written += g_base64_encode_close (FALSE, out + written, &self->state, &self->save);
      *bytes_written = written;
      return G_CONVERTER_FINISHED;
    }
  *bytes_written = written;
  return G_CONVERTER_CONVERTED;
}

static void
o365_graph_mime_encoder_reset (GConverter *converter)
{
  O365GraphMimeEncoder *self = O365_GRAPH_MIME_ENCODER (converter);

  self->prefix_done = 0;
  self->state = self->save = 0;
}

static void
o365_graph_mime_encoder_converter_init (GConverterIface *iface)
{
  iface->convert = o365_graph_mime_encoder_convert;
  iface->reset = o365_graph_mime_encoder_reset;
}
