/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-reply.h — the SMTP reply reader: pure, no I/O (fed line by line by the session,
 * fuzzed on its own).
 *
 * Rules (RFC 5321 §4.2, RFC 2034): every line is three digits then '-' (more lines follow) or
 * ' '/end of line (last line); all lines of a reply carry the same code; the first digit is
 * 2–5. Lines are bounded in length and a reply in line count, so a hostile server cannot make
 * the client buffer without end. An enhanced status code ("5.7.139") is recognised when its
 * class digit matches the reply's. Text handed on is sanitised: NUL, other control bytes and
 * invalid UTF-8 never reach logs or UI.
 */
#pragma once

#include "mail-reply.h"

G_BEGIN_DECLS

/* Longest reply line accepted, CRLF excluded. RFC 5321 says 512; real servers exceed it. */
#define O365_SMTP_REPLY_MAX_LINE 2048
/* Most lines accepted in one reply (an EHLO reply has about a dozen); a continuation on the
 * last allowed line is already refused. */
#define O365_SMTP_REPLY_MAX_LINES 64

typedef enum
{
  O365_SMTP_REPLY_NEED_MORE, /* a continuation line ('-') was read */
  O365_SMTP_REPLY_COMPLETE,  /* the last line was read: take the reply */
  O365_SMTP_REPLY_INVALID,   /* protocol violation: error set, the connection must be dropped */
} O365SmtpReplyStatus;

typedef struct _O365SmtpReplyParser O365SmtpReplyParser;

O365SmtpReplyParser *o365_smtp_reply_parser_new (void);
void o365_smtp_reply_parser_free (O365SmtpReplyParser *parser);

/* Feeds one line, without its line ending; @line may contain NUL bytes (they are refused or
 * sanitised, never passed on). Errors are MAIL_TRANSPORT_ERROR_PROTOCOL. */
O365SmtpReplyStatus o365_smtp_reply_parser_feed_line (O365SmtpReplyParser *parser,
                                                      const char *line,
                                                      gsize length,
                                                      GError **error);

/* After COMPLETE: the reply (text lines joined by '\n', enhanced codes removed from each
 * line); resets the parser for the next reply. */
MailReply *o365_smtp_reply_parser_take_reply (O365SmtpReplyParser *parser);

/* Replaces control characters (C0 incl. NUL and ESC, DEL, C1, line/paragraph separators) and
 * each byte of invalid UTF-8 in @text (length @length) by U+FFFD; the result is valid UTF-8,
 * safe for logs and UI. Shared with the transcript. */
char *o365_smtp_sanitize_text (const char *text, gsize length);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (O365SmtpReplyParser, o365_smtp_reply_parser_free)

G_END_DECLS
