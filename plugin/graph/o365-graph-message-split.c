/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-graph-message-split.c — a large message as a small draft and its large parts. */
#include "config.h"

#include <errno.h>
#include <glib/gi18n-lib.h>
#include <glib/gstdio.h>
#include <gmime/gmime.h>

#include "mail-transport-error.h"
#include "o365-graph-line-ends.h"
#include "o365-graph-message-split.h"
#include "o365-validate.h"

#define COPY_BUFFER_SIZE (64 * 1024)

/* GMime 3.2 declares no autoptr cleanups. */
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeFilter, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)

typedef struct
{
  O365GraphUploadPart public;
  GMimeStream *decoded; /* the part's content, decoded as it is read */
} Part;

struct _O365GraphSplit
{
  GBytes *draft;
  guint64 draft_size;
  GPtrArray *parts; /* Part */
  GMimeMessage *message;
};

static void
part_free (Part *part)
{
  g_free (part->public.name);
  g_free (part->public.content_type);
  g_clear_object (&part->decoded);
  g_free (part);
}

void
o365_graph_split_free (O365GraphSplit *split)
{
  if (split == NULL)
    return;
  g_clear_pointer (&split->draft, g_bytes_unref);
  g_clear_pointer (&split->parts, g_ptr_array_unref);
  g_clear_object (&split->message);
  g_free (split);
}

GBytes *
o365_graph_split_get_draft (O365GraphSplit *split)
{
  return split->draft;
}

guint64
o365_graph_split_get_draft_size (O365GraphSplit *split)
{
  return split->draft_size;
}

guint
o365_graph_split_get_n_parts (O365GraphSplit *split)
{
  return split->parts->len;
}

const O365GraphUploadPart *
o365_graph_split_get_part (O365GraphSplit *split, guint index)
{
  return &((Part *) g_ptr_array_index (split->parts, index))->public;
}

/* --- in the worker thread ------------------------------------------------------------------- */

typedef struct
{
  GInputStream *content;
  GBytes *prefix;
  guint64 limit;
} SplitData;

static void
split_data_free (SplitData *data)
{
  g_object_unref (data->content);
  g_bytes_unref (data->prefix);
  g_free (data);
}

static GError *
unreadable (const char *why)
{
  return g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TEMPORARY,
                      _("Not sent: the message could not be read (%s)"), why);
}

/* The message with SMTP's line ends in an unlinked temporary file GMime can seek in. */
static GMimeStream *
copy_to_file (GInputStream *content, GCancellable *cancellable, GError **error)
{
  g_autoptr (O365GraphLineEnds) line_ends = o365_graph_line_ends_new ();
  g_autoptr (GInputStream) normalized = g_converter_input_stream_new (content, G_CONVERTER (line_ends));
  g_autofree char *path = NULL;
  g_autofree guint8 *buffer = g_malloc (COPY_BUFFER_SIZE);
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GMimeStream) file = NULL;
  int fd = g_file_open_tmp ("o365-graph-XXXXXX", &path, &local_error);
  gssize n;

  if (fd < 0)
    {
      *error = unreadable (local_error->message);
      return NULL;
    }
  g_unlink (path);
  file = g_mime_stream_fs_new (fd);
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (normalized), FALSE);
  while ((n = g_input_stream_read (normalized, buffer, COPY_BUFFER_SIZE, cancellable, &local_error)) > 0)
    if (g_mime_stream_write (file, (const char *) buffer, (size_t) n) != n)
      {
        *error = unreadable (g_strerror (errno));
        return NULL;
      }
  if (n < 0)
    {
      *error = g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                 ? g_steal_pointer (&local_error) : unreadable (local_error->message);
      return NULL;
    }
  g_mime_stream_reset (file);
  return g_steal_pointer (&file);
}

typedef struct
{
  GMimeMultipart *parent;
  GMimePart *part;
  gint64 length; /* encoded, as it sits in the message */
} Candidate;

/* Every leaf part below a multipart: what may be taken out. */
static void
collect_candidates (GMimeObject *object, GArray *candidates)
{
  if (!GMIME_IS_MULTIPART (object))
    return;
  for (int i = 0; i < g_mime_multipart_get_count (GMIME_MULTIPART (object)); i++)
    {
      GMimeObject *child = g_mime_multipart_get_part (GMIME_MULTIPART (object), i);
      GMimeDataWrapper *content;
      Candidate candidate = { GMIME_MULTIPART (object), NULL, 0 };

      if (GMIME_IS_MULTIPART (child))
        {
          collect_candidates (child, candidates);
          continue;
        }
      if (!GMIME_IS_PART (child) || (content = g_mime_part_get_content (GMIME_PART (child))) == NULL)
        continue;
      candidate.part = GMIME_PART (child);
      candidate.length = g_mime_stream_length (g_mime_data_wrapper_get_stream (content));
      g_array_append_val (candidates, candidate);
    }
}

static int
by_length_descending (gconstpointer a, gconstpointer b)
{
  gint64 la = ((const Candidate *) a)->length, lb = ((const Candidate *) b)->length;

  return la < lb ? 1 : la > lb ? -1 : 0;
}

/* Its decoded content, read from the start, and its decoded size (read through once). */
static Part *
take_out (const Candidate *candidate, GError **error)
{
  GMimeDataWrapper *content = g_mime_part_get_content (candidate->part);
  GMimeContentEncoding encoding = g_mime_data_wrapper_get_encoding (content);
  GMimeStream *decoded = g_mime_stream_filter_new (g_mime_data_wrapper_get_stream (content));
  g_autofree char *buffer = g_malloc (COPY_BUFFER_SIZE);
  const char *name = g_mime_part_get_filename (candidate->part);
  Part *part = g_new0 (Part, 1);
  ssize_t n;

  if (encoding != GMIME_CONTENT_ENCODING_DEFAULT)
    {
      g_autoptr (GMimeFilter) filter = g_mime_filter_basic_new (encoding, FALSE);

      g_mime_stream_filter_add (GMIME_STREAM_FILTER (decoded), filter);
    }
  part->decoded = decoded;
  part->public.name = g_strdup (name != NULL ? name : "attachment");
  part->public.content_type =
    g_mime_content_type_get_mime_type (g_mime_object_get_content_type (GMIME_OBJECT (candidate->part)));
  while ((n = g_mime_stream_read (decoded, buffer, COPY_BUFFER_SIZE)) > 0)
    part->public.size += (guint64) n;
  if (n < 0 || g_mime_stream_reset (decoded) < 0)
    {
      *error = unreadable (g_strerror (errno));
      part_free (part);
      return NULL;
    }
  g_object_ref (candidate->part); /* the decoded stream reads the part's window on the file */
  g_object_set_data_full (G_OBJECT (decoded), "o365-part", candidate->part, g_object_unref);
  return part;
}

/* The prefix and the message as it is now, base64. */
static GBytes *
draft_of (GMimeMessage *message, GBytes *prefix, guint64 *size)
{
  g_autoptr (GMimeStream) memory = g_mime_stream_mem_new ();
  GMimeFormatOptions *options = g_mime_format_options_new ();
  GByteArray *bytes;
  gsize prefix_length;
  const guchar *prefix_data = g_bytes_get_data (prefix, &prefix_length);

  g_mime_format_options_set_newline_format (options, GMIME_NEWLINE_FORMAT_DOS);
  g_mime_stream_write (memory, (const char *) prefix_data, prefix_length);
  g_mime_object_write_to_stream (GMIME_OBJECT (message), options, memory);
  g_mime_format_options_free (options);
  bytes = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (memory));
  *size = bytes->len;
  return g_bytes_new_take (g_base64_encode (bytes->data, bytes->len), (bytes->len + 2) / 3 * 4);
}

static void
split_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  SplitData *data = task_data;
  GError *error = NULL;
  g_autoptr (GMimeStream) file = NULL;
  g_autoptr (GMimeParser) parser = NULL;
  g_autoptr (GArray) candidates = g_array_new (FALSE, FALSE, sizeof (Candidate));
  O365GraphSplit *split;
  gint64 rest;

  o365_ensure_gmime ();
  if ((file = copy_to_file (data->content, cancellable, &error)) == NULL)
    {
      g_task_return_error (task, error);
      return;
    }
  rest = g_mime_stream_length (file);
  parser = g_mime_parser_new_with_stream (file);
  g_mime_parser_set_persist_stream (parser, TRUE);
  split = g_new0 (O365GraphSplit, 1);
  split->parts = g_ptr_array_new_with_free_func ((GDestroyNotify) part_free);
  split->message = g_mime_parser_construct_message (parser, NULL);
  if (split->message == NULL)
    {
      o365_graph_split_free (split);
      g_task_return_error (task, g_error_new (MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PERMANENT,
                                              _("Not sent: the message is not a MIME message")));
      return;
    }
  collect_candidates (g_mime_message_get_mime_part (split->message), candidates);
  g_array_sort (candidates, by_length_descending);
  /* The largest first, until the rest fits in one request. */
  for (guint i = 0; i < candidates->len && (guint64) rest > data->limit; i++)
    {
      const Candidate *candidate = &g_array_index (candidates, Candidate, i);
      Part *part = take_out (candidate, &error);
      int index;

      if (part == NULL)
        {
          o365_graph_split_free (split);
          g_task_return_error (task, error);
          return;
        }
      g_ptr_array_add (split->parts, part);
      index = g_mime_multipart_index_of (candidate->parent, GMIME_OBJECT (candidate->part));
      g_object_unref (g_mime_multipart_remove_at (candidate->parent, index));
      rest -= candidate->length;
    }
  split->draft = draft_of (split->message, data->prefix, &split->draft_size);
  g_task_return_pointer (task, split, (GDestroyNotify) o365_graph_split_free);
}

void
o365_graph_split_async (GInputStream *content,
                        GBytes *prefix,
                        guint64 limit,
                        GCancellable *cancellable,
                        GAsyncReadyCallback callback,
                        gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  SplitData *data = g_new0 (SplitData, 1);

  g_task_set_source_tag (task, o365_graph_split_async);
  data->content = g_object_ref (content);
  data->prefix = g_bytes_ref (prefix);
  data->limit = limit;
  g_task_set_task_data (task, data, (GDestroyNotify) split_data_free);
  g_task_run_in_thread (task, split_in_thread);
  g_object_unref (task);
}

O365GraphSplit *
o365_graph_split_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_graph_split_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* --- reading a part, a chunk at a time ------------------------------------------------------ */

typedef struct
{
  GMimeStream *decoded;
  gsize size;
} ReadData;

static void
read_in_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  ReadData *data = task_data;
  guint8 *buffer = g_malloc (data->size);
  gsize done = 0;
  ssize_t n = 0;

  while (done < data->size && (n = g_mime_stream_read (data->decoded, (char *) buffer + done, data->size - done)) > 0)
    done += (gsize) n;
  if (n < 0)
    {
      g_free (buffer);
      g_task_return_error (task, unreadable (g_strerror (errno)));
      return;
    }
  g_task_return_pointer (task, g_bytes_new_take (buffer, done), (GDestroyNotify) g_bytes_unref);
}

void
o365_graph_split_read_async (O365GraphSplit *split,
                             guint index,
                             gsize size,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data)
{
  GTask *task = g_task_new (NULL, cancellable, callback, user_data);
  ReadData *data = g_new0 (ReadData, 1);

  g_task_set_source_tag (task, o365_graph_split_read_async);
  data->decoded = ((Part *) g_ptr_array_index (split->parts, index))->decoded;
  data->size = size;
  g_task_set_task_data (task, data, g_free);
  g_task_run_in_thread (task, read_in_thread);
  g_object_unref (task);
}

GBytes *
o365_graph_split_read_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == o365_graph_split_read_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
