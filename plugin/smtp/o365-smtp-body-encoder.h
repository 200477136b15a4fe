/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-body-encoder.h — the SMTP DATA payload as a streaming GConverter: pure, no I/O (the
 * session pipes the message through it; fuzzed on its own).
 *
 * Input: an RFC 5322 message with LF, CRLF, CR or mixed line ends. Output: every line ended
 * by CRLF (a bare LF or bare CR becomes CRLF, CRLF stays one CRLF), a line beginning with '.'
 * gets a second '.' (RFC 5321 §4.5.2), then the terminating ".\r\n", preceded by a CRLF when
 * the last line had none. The wire therefore never carries a bare CR or LF, "\n.\n" or
 * "\r.\r". An empty message gives just ".\r\n": the CRLF ending the DATA command is the
 * first half of CRLF.CRLF (RFC 5321 §4.1.1.4).
 *
 * State is a few bytes whatever the message size; no line is buffered, and any output size
 * of at least one byte makes progress. A NUL byte, or a line that would exceed 998 octets on
 * the wire (CRLF excluded, a stuffed '.' included), stops the output with
 * MAIL_TRANSPORT_ERROR_INVALID_MESSAGE naming the line before its offending byte is written.
 * What was written until then is not a complete message: the session must drop the
 * connection instead of sending the final dot.
 */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* The longest line on the wire, CRLF excluded (RFC 5321 §4.5.3.1.6). */
#define O365_BODY_ENCODER_MAX_LINE 998

#define O365_TYPE_BODY_ENCODER (o365_body_encoder_get_type ())
G_DECLARE_FINAL_TYPE (O365BodyEncoder, o365_body_encoder, O365, BODY_ENCODER, GObject)

O365BodyEncoder *o365_body_encoder_new (void);

/* Lines written so far with their CRLF; once the converter has finished, the number of lines
 * in the message (the terminating "." not counted). */
guint64 o365_body_encoder_get_line_count (O365BodyEncoder *self);

/* Whether an octet above 127 has been seen: the message then needs BODY=8BITMIME. */
gboolean o365_body_encoder_saw_8bit (O365BodyEncoder *self);

G_END_DECLS
