/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-graph-message-split.h — a message too large for one Graph request split with GMime:
 * the largest leaf parts (attachments) are taken out of the MIME tree until the rest fits, the
 * rest becomes the draft (base64 MIME, with the transport's prefix), and each part taken out is
 * read back decoded, chunk by chunk, for an upload session. The message is copied once to an
 * unlinked temporary file so that GMime parses it without holding it in memory; the parts are
 * windows on that file. The blocking work runs in a worker thread (GTask). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _O365GraphSplit O365GraphSplit;

/* One attachment taken out of the message. */
typedef struct
{
  char *name;         /* the file name, or "attachment" */
  char *content_type; /* "application/octet-stream" and the like */
  guint64 size;       /* decoded */
} O365GraphUploadPart;

/* @content: the message from its current position to its end (left open, read in a thread);
 * @prefix: bytes put before the draft's MIME (the Bcc header); @limit: the most message bytes
 * one request may carry. */
void o365_graph_split_async (GInputStream *content,
                             GBytes *prefix,
                             guint64 limit,
                             GCancellable *cancellable,
                             GAsyncReadyCallback callback,
                             gpointer user_data);
O365GraphSplit *o365_graph_split_finish (GAsyncResult *result, GError **error);
void o365_graph_split_free (O365GraphSplit *split);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (O365GraphSplit, o365_graph_split_free)

/* The base64 of the prefix and the message without the parts taken out. */
GBytes *o365_graph_split_get_draft (O365GraphSplit *split);
/* Bytes of the message without the parts, before base64 (at most @limit unless nothing could
 * be taken out). */
guint64 o365_graph_split_get_draft_size (O365GraphSplit *split);
guint o365_graph_split_get_n_parts (O365GraphSplit *split);
const O365GraphUploadPart *o365_graph_split_get_part (O365GraphSplit *split, guint index);

/* The next at most @size decoded bytes of part @index (fewer only at its end), in a thread. */
void o365_graph_split_read_async (O365GraphSplit *split,
                                  guint index,
                                  gsize size,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
GBytes *o365_graph_split_read_finish (GAsyncResult *result, GError **error);

G_END_DECLS
