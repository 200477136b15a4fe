/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* message-head.h — the header block of a message handed to o365-send: where it ends, its Bcc
 * fields taken out byte-exactly, and the addresses sendmail's -t reads from it. The message is
 * never re-serialised: every byte outside a Bcc field is transmitted as the client wrote it
 * (o365-send adds only the empty line a head without one lacks). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where the header block of @data ends, as sendmail and Postfix see it: at the first empty line
 * (LF or CRLF), or at the first line that is not a header field ("name:", or after a field a
 * continuation line starting with a space or tab), which then starts the body. Only lines
 * ending in LF are judged unless @complete says @data is all of the message. FALSE when more
 * input is needed; else @head_end is where the fields end, @body_start where the body starts:
 * after the empty line, or at @head_end when there is none. */
gboolean message_head_find_end (const char *data, gsize length, gboolean complete, gsize *head_end,
                                gsize *body_start);

/* Whether @head holds a CR that is not followed by LF: the SMTP engine would write it as a line
 * end, which the parsing here (and sendmail's and Postfix's) does not see. */
gboolean message_head_has_bare_cr (GBytes *head);

/* @head without its Bcc and Resent-Bcc fields, each with its folded continuation lines. Field
 * names compare case-insensitively ("bcc:", "BCC :"); every other byte is kept as it is. */
GBytes *message_head_remove_bcc (GBytes *head);

/* The addresses of every To, Cc and Bcc field, in order, groups flattened, duplicates
 * (compared case-insensitively) and what is not an envelope address (mail_address_check())
 * left out. An empty array when there are none. As sendmail's
 * -t does, a resent message's Resent-To, Resent-Cc and Resent-Bcc fields take their place when
 * it has any of them. */
char **message_head_dup_recipients (GBytes *head);

/* The address of the first From mailbox that is an envelope address, or NULL. */
char *message_head_dup_from (GBytes *head);

/* The first field that holds text but no address GMime can parse ("To: bob@"), as
 * "Name: value", or NULL; among the From fields if @from, the To, Cc and Bcc fields if
 * @recipients. The functions above leave such a field out; a sender refuses the message
 * rather than lose a recipient (or pick another sender) silently. */
char *message_head_dup_unparsable_field (GBytes *head, gboolean from, gboolean recipients);

/* Whether every address read from the From fields (if @from) and the -t recipient fields (if
 * @recipients) is an envelope address; FALSE with the first that is not in @error
 * (MAIL_ADDRESS_ERROR, naming it). The functions above leave such an address out; a sender
 * refuses the message instead. */
gboolean message_head_check_addresses (GBytes *head, gboolean from, gboolean recipients, GError **error);

/* Whether any octet of @data (any part of a message) is above 127: it needs 8BITMIME, and in
 * the header block SMTPUTF8. */
gboolean message_has_8bit (const guint8 *data, gsize length);

G_END_DECLS
