/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* mail-address.c — RFC 5321 §4.1.2 Mailbox syntax with RFC 6531's UTF-8, checked by hand: it
 * is a small grammar, and the contract library links no MIME parser. */
#include "config.h"

#include <gio/gio.h>
#include <glib/gi18n-lib.h>
#include <string.h>

#include "mail-address.h"

/* RFC 5321 §4.5.3.1: local part, domain, and the path less its angle brackets. */
#define MAX_LOCAL_PART 64
#define MAX_DOMAIN 255
#define MAX_ADDRESS 254

/**
 * mail_address_error_quark:
 *
 * The quark of [error@O365Mailhost.AddressError].
 *
 * Returns: the domain's quark
 */
G_DEFINE_QUARK (mail-address-error-quark, mail_address_error)

/* RFC 5322 atext, and (RFC 6531) any non-ASCII UTF-8. */
static gboolean
is_atext (guchar c)
{
  return g_ascii_isalnum (c) || c > 127 || strchr ("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* C0 controls and DEL: a CR or LF would end the command line the address is written into. */
static const char control_characters[] =
  "\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f"
  "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f\x7f";

/* Two or more LDH labels (RFC 5321 §2.3.5 permits only fully-qualified names), each 1–63
 * characters, without a hyphen at either end. */
#define FQDN_PATTERN "^(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))+$"

/* Dot-string = Atom *("." Atom): no empty atom, so no leading, trailing or double dot. */
static gboolean
is_dot_string (const char *text, gsize length)
{
  gboolean atom_started = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      if (text[i] == '.' && atom_started)
        atom_started = FALSE;
      else if (is_atext ((guchar) text[i]))
        atom_started = TRUE;
      else
        return FALSE;
    }
  return atom_started;
}

/* The length of the Quoted-string @text starts with (qtextSMTP and quoted-pairSMTP, both
 * printable), or 0 when it does not start with a whole one. */
static gsize
quoted_string_length (const char *text)
{
  gsize i = 1;

  if (text[0] != '"')
    return 0;
  for (; text[i] != '\0' && text[i] != '"'; i++)
    if (text[i] == '\\' && text[++i] == '\0')
      return 0;
  return text[i] == '"' ? i + 1 : 0;
}

/* RFC 2047 §5: an encoded word may stand in display text, never in an addr-spec; one in an
 * address is a header that was never decoded (or one built to smuggle a different address). */
static gboolean
looks_like_encoded_word (const char *address)
{
  const char *start = strstr (address, "=?");

  return start != NULL && strstr (start + 2, "?=") != NULL;
}

/* FQDN_PATTERN, compiled once: every address a message's head holds is checked, and compiling
 * it took as long as the rest of the check. Never freed (a process-lifetime constant, like
 * GLib's own caches). */
static GRegex *
fqdn_regex (void)
{
  static GRegex *regex;

  if (g_once_init_enter (&regex))
    g_once_init_leave (&regex, g_regex_new (FQDN_PATTERN, G_REGEX_DEFAULT, G_REGEX_MATCH_DEFAULT, NULL));
  return regex;
}

/* Domain: a fully-qualified name in its ASCII (punycode) form, or an IPv4 or IPv6 address
 * literal. */
static gboolean
is_domain (const char *domain)
{
  g_autofree char *ascii = NULL;
  gsize length = strlen (domain);

  if (length > 2 && domain[0] == '[' && domain[length - 1] == ']')
    {
      g_autofree char *literal = g_strndup (domain + 1, length - 2);
      g_autoptr (GInetAddress) address = NULL;
      gboolean ipv6 = g_ascii_strncasecmp (literal, "IPv6:", 5) == 0;

      address = g_inet_address_new_from_string (ipv6 ? literal + 5 : literal);
      return address != NULL &&
             g_inet_address_get_family (address) == (ipv6 ? G_SOCKET_FAMILY_IPV6 : G_SOCKET_FAMILY_IPV4);
    }
  ascii = g_hostname_to_ascii (domain);
  return ascii != NULL && !g_hostname_is_ip_address (ascii) &&
         g_regex_match (fqdn_regex (), ascii, G_REGEX_MATCH_DEFAULT, NULL);
}

/**
 * mail_address_check:
 * @address: an address as it goes into `MAIL FROM:<…>` or `RCPT TO:<…>`, without brackets
 * @error: return location for a #GError
 *
 * Checks that @address is an RFC 5321 Mailbox: a local part (a dot-atom or a quoted string,
 * UTF-8 allowed as in RFC 6531), “@”, and a fully-qualified domain name or an address literal
 * (`[192.0.2.1]`, `[IPv6:2001:db8::1]`); no line break, NUL or other control character; at most
 * 64 octets before the “@”, 255 after it, 254 in all. An RFC 2047 encoded word (`=?utf-8?q?…?=`)
 * is display text, never an address, and is refused. The null sender (`<>`) is not an address:
 * whoever allows it checks for it first.
 *
 * Hosts check addresses with this before they queue a message; plug-ins check account
 * addresses and envelopes with it, so both sides agree on what an address is.
 *
 * Returns: %TRUE if @address is valid, else %FALSE with @error set in
 *   [error@O365Mailhost.AddressError]
 */
gboolean
mail_address_check (const char *address, GError **error)
{
  const char *at;
  gsize local_length;
  g_autofree char *shown = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (address == NULL || *address == '\0')
    {
      g_set_error_literal (error, MAIL_ADDRESS_ERROR, MAIL_ADDRESS_ERROR_EMPTY,
                           _("The address is empty"));
      return FALSE;
    }
  /* Shown with control bytes escaped: the address may be an attempt to inject a command. */
  shown = g_strescape (address, NULL);
  if (!g_utf8_validate (address, -1, NULL) || strpbrk (address, control_characters) != NULL)
    {
      g_set_error (error, MAIL_ADDRESS_ERROR, MAIL_ADDRESS_ERROR_FORBIDDEN_CHARACTER,
                   _("“%s” contains a line break or another control character"), shown);
      return FALSE;
    }
  if (looks_like_encoded_word (address))
    {
      g_set_error (error, MAIL_ADDRESS_ERROR, MAIL_ADDRESS_ERROR_ENCODED_WORD,
                   _("“%s” is an encoded word (display text), not an e-mail address"), shown);
      return FALSE;
    }
  if (address[0] == '"')
    {
      local_length = quoted_string_length (address);
      at = local_length > 0 && address[local_length] == '@' ? address + local_length : NULL;
    }
  else
    {
      at = strrchr (address, '@');
      local_length = at != NULL ? (gsize) (at - address) : 0;
    }
  if (at == NULL || local_length == 0 || at[1] == '\0')
    {
      g_set_error (error, MAIL_ADDRESS_ERROR, MAIL_ADDRESS_ERROR_NOT_ADDR_SPEC,
                   _("“%s” is not an e-mail address: it needs a name, “@” and a domain, such as "
                     "someone@example.com"), shown);
      return FALSE;
    }
  if (address[0] != '"' && !is_dot_string (address, local_length))
    {
      g_set_error (error, MAIL_ADDRESS_ERROR, MAIL_ADDRESS_ERROR_LOCAL_PART,
                   _("“%s” is not an e-mail address: the part before “@” has a space, a "
                     "misplaced dot or a character that needs quoting"), shown);
      return FALSE;
    }
  if (local_length > MAX_LOCAL_PART || strlen (at + 1) > MAX_DOMAIN || strlen (address) > MAX_ADDRESS)
    {
      g_set_error (error, MAIL_ADDRESS_ERROR, MAIL_ADDRESS_ERROR_TOO_LONG,
                   _("The address “%s” is too long (at most %d characters before “@”, %d in all)"),
                   shown, MAX_LOCAL_PART, MAX_ADDRESS);
      return FALSE;
    }
  if (!is_domain (at + 1))
    {
      g_set_error (error, MAIL_ADDRESS_ERROR, MAIL_ADDRESS_ERROR_DOMAIN,
                   _("“%s” is not an e-mail address: after “@” it needs a full domain name such "
                     "as example.com"), shown);
      return FALSE;
    }
  return TRUE;
}
