/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-capabilities.h — what an EHLO reply offers (RFC 5321 §4.1.1.1 and the extensions
 * the engine uses). Pure; parsed afresh after STARTTLS (nothing from before TLS survives). */
#pragma once

#include "mail-reply.h"

G_BEGIN_DECLS

typedef struct
{
  gboolean starttls;
  gboolean pipelining;        /* RFC 2920 */
  gboolean eight_bit_mime;    /* RFC 6152 */
  gboolean smtputf8;          /* RFC 6531 */
  gboolean dsn;               /* RFC 3461 */
  gboolean chunking;          /* RFC 3030 */
  gboolean enhanced_status_codes; /* RFC 2034 */
  gboolean size_offered;      /* RFC 1870 */
  guint64 size_limit;         /* 0 when SIZE has no (or a zero) limit */
  GStrv auth_mechanisms;      /* upper-case, in the server's order; never NULL */
} O365SmtpCapabilities;

/* Parses the lines of an EHLO reply (the first line is the server's greeting and is skipped).
 * Unknown keywords are ignored; "AUTH=LOGIN" (old syntax) counts as AUTH. Never fails: a
 * malformed parameter just leaves that extension unrecognised. */
O365SmtpCapabilities *o365_smtp_capabilities_parse (const MailReply *ehlo_reply);
void o365_smtp_capabilities_free (O365SmtpCapabilities *capabilities);

/* Case-insensitive. */
gboolean o365_smtp_capabilities_has_auth (const O365SmtpCapabilities *capabilities,
                                          const char *mechanism);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (O365SmtpCapabilities, o365_smtp_capabilities_free)

G_END_DECLS
