/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-graph-mime-encoder.h — the body of Graph's sendMail in MIME form as a streaming
 * GConverter: base64 (no line breaks) of a prefix (header lines the transport adds, e.g. Bcc
 * for envelope-only recipients) followed by the message. Pure, no I/O; state is a few bytes
 * whatever the message size. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define O365_TYPE_GRAPH_MIME_ENCODER (o365_graph_mime_encoder_get_type ())
G_DECLARE_FINAL_TYPE (O365GraphMimeEncoder, o365_graph_mime_encoder, O365, GRAPH_MIME_ENCODER, GObject)

/* @prefix: (nullable) bytes to encode before the input. */
O365GraphMimeEncoder *o365_graph_mime_encoder_new (GBytes *prefix);

G_END_DECLS
