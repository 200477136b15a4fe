/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-envelope.h — the envelope of one message, checked and turned into the
 * MAIL/RCPT/DATA commands (RFC 5321 §4.1.1.2–4, RFC 1870 SIZE, RFC 6152 8BITMIME,
 * RFC 6531 SMTPUTF8). Pure: the session writes what this builds. */
#pragma once

#include "mail-outgoing.h"
#include "o365-smtp-capabilities.h"

G_BEGIN_DECLS

/* Refuses what is not an RFC 5321 Mailbox (mail_address_check()): so nothing that would change
 * the meaning of a command line (CR, LF, control bytes, '<', '>', spaces), no encoded word. */
gboolean o365_smtp_envelope_check_address (const char *address, GError **error);
/* The same for an EHLO name (a domain or an address literal). */
gboolean o365_smtp_envelope_check_ehlo_name (const char *name, GError **error);

/* Checks @message against the server's @capabilities (SIZE, 8BITMIME, SMTPUTF8) and builds the
 * transaction's command lines, each ending in CRLF: MAIL FROM, one RCPT TO per recipient, DATA.
 * With PIPELINING they go out as one flight; without it, one at a time. */
GPtrArray *o365_smtp_envelope_build_commands (MailOutgoing *message,
                                              const O365SmtpCapabilities *capabilities,
                                              GError **error);

G_END_DECLS
