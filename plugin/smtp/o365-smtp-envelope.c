/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-envelope.c — envelope checks and MAIL/RCPT/DATA command lines. */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-address.h"
#include "mail-transport-error.h"
#include "o365-smtp-envelope.h"

static gboolean
is_ascii (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p > 127)
      return FALSE;
  return TRUE;
}

static gboolean
has_forbidden_bytes (const char *text, const char *also_forbidden)
{
  for (const char *p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f || strchr (also_forbidden, *p) != NULL)
      return TRUE;
  return FALSE;
}

gboolean
o365_smtp_envelope_check_address (const char *address, GError **error)
{
  g_autoptr (GError) address_error = NULL;

  g_return_val_if_fail (address != NULL, FALSE);

  /* The contract's check is the one hosts run before queueing; here it guards the command
   * lines against whatever a host passed anyway. */
  if (!mail_address_check (address, &address_error))
    {
      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
                   _("Refusing the envelope address: %s"), address_error->message);
      return FALSE;
    }
  return TRUE;
}

gboolean
o365_smtp_envelope_check_ehlo_name (const char *name, GError **error)
{
  g_autofree char *shown = NULL;

  g_return_val_if_fail (name != NULL, FALSE);

  if (*name != '\0' && strlen (name) <= 255 && is_ascii (name) && !has_forbidden_bytes (name, " <>"))
    return TRUE;
  shown = g_strescape (name, NULL);
  g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE,
               _("Refusing the EHLO name “%s”: it must be a plain domain name or address literal"),
               shown);
  return FALSE;
}

static gboolean
needs_smtputf8 (MailOutgoing *message)
{
  const char *const *recipients = mail_outgoing_get_recipients (message);

  if (mail_outgoing_get_flags (message) & MAIL_OUTGOING_UTF8_HEADERS)
    return TRUE;
  if (!is_ascii (mail_outgoing_get_sender (message)))
    return TRUE;
  for (gsize i = 0; recipients[i] != NULL; i++)
    if (!is_ascii (recipients[i]))
      return TRUE;
  return FALSE;
}

/* RFC 3461 §4: xtext, "+" and "=" and what is not printable ASCII written as +XX. */
static void
append_xtext (GString *out, const char *text)
{
  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p < 33 || *p > 126 || *p == '+' || *p == '=')
        g_string_append_printf (out, "+%02X", *p);
      else
        g_string_append_c (out, (char) *p);
    }
}

GPtrArray *
o365_smtp_envelope_build_commands (MailOutgoing *message,
                                   const O365SmtpCapabilities *capabilities,
                                   GError **error)
{
  g_autoptr (GPtrArray) commands = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GString) mail = g_string_new (NULL);
  const char *sender = mail_outgoing_get_sender (message);
  const char *const *recipients = mail_outgoing_get_recipients (message);
  gboolean eight_bit = (mail_outgoing_get_flags (message) & MAIL_OUTGOING_8BIT_BODY) != 0;
  gboolean smtputf8 = needs_smtputf8 (message);
  goffset size = mail_outgoing_get_size (message);
  gboolean dsn = capabilities->dsn;

  g_return_val_if_fail (MAIL_IS_OUTGOING (message), NULL);
  g_return_val_if_fail (capabilities != NULL, NULL);

  /* The null reverse-path "<>" (bounces) is allowed as the sender, nowhere else. */
  if ((*sender != '\0' && !o365_smtp_envelope_check_address (sender, error)))
    return NULL;
  for (gsize i = 0; recipients[i] != NULL; i++)
    if (!o365_smtp_envelope_check_address (recipients[i], error))
      return NULL;

  if (smtputf8 && !capabilities->smtputf8)
    {
      g_set_error_literal (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_UNSUPPORTED,
                           _("The message has non-ASCII addresses or headers, but the server does "
                             "not offer SMTPUTF8"));
      return NULL;
    }
  if (eight_bit && !capabilities->eight_bit_mime)
    {
      g_set_error_literal (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_UNSUPPORTED,
                           _("The message contains 8-bit text, but the server does not offer "
                             "8BITMIME; encode it (quoted-printable or base64) and send again"));
      return NULL;
    }
  if (capabilities->size_offered && capabilities->size_limit > 0 && size > 0 &&
      (guint64) size > capabilities->size_limit)
    {
      g_autofree char *have = g_format_size ((guint64) size);
      g_autofree char *limit = g_format_size (capabilities->size_limit);

      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TOO_LARGE,
                   _("The message is too large for this server: %s, and it accepts at most %s"),
                   have, limit);
      return NULL;
    }

  g_string_append_printf (mail, "MAIL FROM:<%s>", sender);
  if (capabilities->size_offered && size >= 0)
    g_string_append_printf (mail, " SIZE=%" G_GOFFSET_FORMAT, size);
  /* RFC 6531 §3.4: SMTPUTF8 messages may carry 8-bit text, so declare it too. */
  if ((eight_bit || smtputf8) && capabilities->eight_bit_mime)
    g_string_append (mail, " BODY=8BITMIME");
  if (smtputf8)
    g_string_append (mail, " SMTPUTF8");
  /* RFC 3461: only to a server that offers DSN; others would refuse the parameters. */
  if (dsn && mail_outgoing_get_dsn_return (message) != NULL)
    g_string_append_printf (mail, " RET=%s", mail_outgoing_get_dsn_return (message));
  if (dsn && mail_outgoing_get_envid (message) != NULL)
    {
      g_string_append (mail, " ENVID=");
      append_xtext (mail, mail_outgoing_get_envid (message));
    }
  g_string_append (mail, "\r\n");
  g_ptr_array_add (commands, g_string_free (g_steal_pointer (&mail), FALSE));

  for (gsize i = 0; recipients[i] != NULL; i++)
    {
      if (dsn && mail_outgoing_get_dsn_notify (message) != NULL)
        g_ptr_array_add (commands, g_strdup_printf ("RCPT TO:<%s> NOTIFY=%s\r\n", recipients[i],
                                                    mail_outgoing_get_dsn_notify (message)));
      else
        g_ptr_array_add (commands, g_strdup_printf ("RCPT TO:<%s>\r\n", recipients[i]));
    }
  g_ptr_array_add (commands, g_strdup ("DATA\r\n"));
  return g_steal_pointer (&commands);
}
