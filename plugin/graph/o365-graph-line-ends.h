/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-graph-line-ends.h — the message as SMTP submits it, without the dot-stuffing: every line
 * ended by CRLF (a bare LF or CR becomes CRLF, CRLF stays one CRLF) and a CRLF after a last line
 * that had none, as a streaming GConverter. Graph then receives the very octets SMTP's DATA
 * carries (smtp/o365-smtp-body-encoder.h does the same on the SMTP side, with the stuffing). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define O365_TYPE_GRAPH_LINE_ENDS (o365_graph_line_ends_get_type ())
G_DECLARE_FINAL_TYPE (O365GraphLineEnds, o365_graph_line_ends, O365, GRAPH_LINE_ENDS, GObject)

O365GraphLineEnds *o365_graph_line_ends_new (void);

G_END_DECLS
