/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-address.h — the one check of an e-mail address that hosts and plug-ins share: the
 * RFC 5321 Mailbox an SMTP envelope (and an account) may carry. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * MAIL_ADDRESS_ERROR:
 *
 * The error domain of [func@O365Mailhost.address_check] (see
 * [error@O365Mailhost.AddressError]).
 */
#define MAIL_ADDRESS_ERROR (mail_address_error_quark ())
GQuark mail_address_error_quark (void);

/**
 * MailAddressError:
 * @MAIL_ADDRESS_ERROR_EMPTY: there is no address
 * @MAIL_ADDRESS_ERROR_FORBIDDEN_CHARACTER: a line break, NUL or other control character,
 *   or text that is not UTF-8
 * @MAIL_ADDRESS_ERROR_NOT_ADDR_SPEC: not a local part, “@” and a domain
 * @MAIL_ADDRESS_ERROR_LOCAL_PART: the part before “@” is neither a dot-atom nor a quoted string
 * @MAIL_ADDRESS_ERROR_DOMAIN: the domain is neither a full domain name nor an address literal
 * @MAIL_ADDRESS_ERROR_TOO_LONG: longer than RFC 5321 allows (local part 64, domain 255,
 *   address 254 octets)
 * @MAIL_ADDRESS_ERROR_ENCODED_WORD: an RFC 2047 encoded word, which is display text and
 *   never an address
 *
 * Why [func@O365Mailhost.address_check] refused an address.
 */
typedef enum
{
  MAIL_ADDRESS_ERROR_EMPTY,
  MAIL_ADDRESS_ERROR_FORBIDDEN_CHARACTER,
  MAIL_ADDRESS_ERROR_NOT_ADDR_SPEC,
  MAIL_ADDRESS_ERROR_LOCAL_PART,
  MAIL_ADDRESS_ERROR_DOMAIN,
  MAIL_ADDRESS_ERROR_TOO_LONG,
  MAIL_ADDRESS_ERROR_ENCODED_WORD,
} MailAddressError;

gboolean mail_address_check (const char *address, GError **error);

G_END_DECLS
