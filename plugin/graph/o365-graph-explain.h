/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-graph-explain.h — what Microsoft Graph's answers to sendMail mean, from a table: the
 * MAIL_TRANSPORT_ERROR code and a sentence saying what to do (docs/office365.md, "Graph"). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @status: the HTTP status (not 2xx); @graph_code: the "error"."code" of the body, or NULL;
 * @retry_after_s: Retry-After in seconds (0: none); @size: the message's size, or -1. */
GError *o365_graph_error_new (guint status, const char *graph_code, guint retry_after_s, gint64 size);

/* "error"."code" of a Graph error body, or NULL (free it). */
char *o365_graph_error_code_from_body (GBytes *body);

/* The string member @name of a JSON answer, at the top (@object NULL) or in the object member
 * @object; NULL when absent or not a string (free it). */
char *o365_graph_answer_string (GBytes *body, const char *object, const char *name);

G_END_DECLS
