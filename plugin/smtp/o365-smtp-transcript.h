/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-transcript.h — the opt-in debug transcript of an SMTP session (for `--debug`).
 *
 * Lines are "C: …" (client), "S: …" (server) and "*  …" (notes such as TLS parameters). What
 * the client sends during AUTH is never written, not even encoded: the line shows the command
 * and mechanism, then "<credentials redacted>". Message bodies appear as their size only.
 */
#pragma once

#include "mail-reply.h"

G_BEGIN_DECLS

typedef void (*O365TranscriptFunc) (const char *line, gpointer user_data);

typedef struct _O365Transcript O365Transcript;

O365Transcript *o365_transcript_new (O365TranscriptFunc func,
                                     gpointer user_data,
                                     GDestroyNotify destroy);
O365Transcript *o365_transcript_ref (O365Transcript *transcript);
void o365_transcript_unref (O365Transcript *transcript);

/* Each takes a NULL transcript (transcript off) and then does nothing. */
void o365_transcript_client_commands (O365Transcript *transcript, const char *commands);
void o365_transcript_client_secret (O365Transcript *transcript, const char *visible_prefix);
void o365_transcript_server (O365Transcript *transcript, const MailReply *reply);
void o365_transcript_note (O365Transcript *transcript, const char *format, ...) G_GNUC_PRINTF (2, 3);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (O365Transcript, o365_transcript_unref)

G_END_DECLS
