/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-capabilities.c — reads the extensions an EHLO reply advertises. */
#include "config.h"

#include "o365-smtp-capabilities.h"

/* RFC 4422 §3.1: a mechanism name is 1–20 of A–Z, 0–9, '-' and '_'. */
#define SASL_MECHANISM_MAX 20

static gboolean
is_sasl_mechanism_name (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > SASL_MECHANISM_MAX)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isupper (name[i]) && !g_ascii_isdigit (name[i]) && name[i] != '-'
        && name[i] != '_')
      return FALSE;
  return TRUE;
}

/* Adds each valid name of @params to @mechanisms once; servers differ in case, we keep
 * upper case. */
static void
add_auth_mechanisms (GPtrArray *mechanisms, char **params)
{
  for (guint i = 0; params[i] != NULL; i++)
    {
      g_autofree char *name = g_ascii_strup (params[i], -1);
      gboolean seen = FALSE;

      if (!is_sasl_mechanism_name (name))
        continue;
      for (guint j = 0; j < mechanisms->len && !seen; j++)
        seen = strcmp (g_ptr_array_index (mechanisms, j), name) == 0;
      if (!seen)
        g_ptr_array_add (mechanisms, g_steal_pointer (&name));
    }
}

/* "SIZE" or "SIZE <n>"; anything else leaves SIZE unrecognised. A limit too large for
 * 64 bits cannot constrain any message we could send, so it counts as no limit. */
static void
parse_size (O365SmtpCapabilities *capabilities, char **params)
{
  g_autoptr (GError) error = NULL;
  guint64 limit = 0;

  if (params[0] != NULL && params[1] != NULL)
    return;
  if (params[0] != NULL
      && !g_ascii_string_to_unsigned (params[0], 10, 0, G_MAXUINT64, &limit, &error))
    {
      if (!g_error_matches (error, G_NUMBER_PARSER_ERROR, G_NUMBER_PARSER_ERROR_OUT_OF_BOUNDS))
        return;
      limit = 0;
    }
  capabilities->size_offered = TRUE;
  capabilities->size_limit = limit;
}

/* Splits an ehlo-line into keyword and parameters, dropping the empty words that repeated
 * spaces leave. The old "AUTH=LOGIN PLAIN" form becomes "AUTH LOGIN PLAIN". */
static GStrv
split_ehlo_line (const char *line)
{
  g_auto (GStrv) words = g_strsplit (line, " ", -1);
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  gboolean first = TRUE;

  for (guint i = 0; words[i] != NULL; i++)
    {
      if (*words[i] == '\0')
        continue;
      if (first && g_ascii_strncasecmp (words[i], "AUTH=", 5) == 0)
        {
          g_strv_builder_add (builder, "AUTH");
          if (words[i][5] != '\0')
            g_strv_builder_add (builder, words[i] + 5);
        }
      else
        g_strv_builder_add (builder, words[i]);
      first = FALSE;
    }
  return g_strv_builder_end (builder);
}

O365SmtpCapabilities *
o365_smtp_capabilities_parse (const MailReply *ehlo_reply)
{
  O365SmtpCapabilities *capabilities;
  g_autoptr (GPtrArray) mechanisms = NULL;
  g_auto (GStrv) lines = NULL;

  g_return_val_if_fail (ehlo_reply != NULL, NULL);

  capabilities = g_new0 (O365SmtpCapabilities, 1);
  mechanisms = g_ptr_array_new_with_free_func (g_free);
  lines = g_strsplit (mail_reply_get_text (ehlo_reply), "\n", -1);

  /* lines[0] is the greeting ("<host> Hello [ip]"), not an extension. */
  for (guint i = 1; lines[0] != NULL && lines[i] != NULL; i++)
    {
      g_auto (GStrv) words = split_ehlo_line (lines[i]);
      const char *keyword = words[0];

      if (keyword == NULL)
        continue;
      if (g_ascii_strcasecmp (keyword, "STARTTLS") == 0)
        capabilities->starttls = TRUE;
      else if (g_ascii_strcasecmp (keyword, "PIPELINING") == 0)
        capabilities->pipelining = TRUE;
      else if (g_ascii_strcasecmp (keyword, "8BITMIME") == 0)
        capabilities->eight_bit_mime = TRUE;
      else if (g_ascii_strcasecmp (keyword, "SMTPUTF8") == 0)
        capabilities->smtputf8 = TRUE;
      else if (g_ascii_strcasecmp (keyword, "DSN") == 0)
        capabilities->dsn = TRUE;
      else if (g_ascii_strcasecmp (keyword, "CHUNKING") == 0)
        capabilities->chunking = TRUE;
      else if (g_ascii_strcasecmp (keyword, "ENHANCEDSTATUSCODES") == 0)
        capabilities->enhanced_status_codes = TRUE;
      else if (g_ascii_strcasecmp (keyword, "SIZE") == 0)
        parse_size (capabilities, words + 1);
      else if (g_ascii_strcasecmp (keyword, "AUTH") == 0)
        add_auth_mechanisms (mechanisms, words + 1);
    }

  g_ptr_array_add (mechanisms, NULL);
  capabilities->auth_mechanisms = (GStrv) g_ptr_array_free (g_steal_pointer (&mechanisms), FALSE);
  return capabilities;
}

void
o365_smtp_capabilities_free (O365SmtpCapabilities *capabilities)
{
  if (capabilities == NULL)
    return;
  g_strfreev (capabilities->auth_mechanisms);
  g_free (capabilities);
}

gboolean
o365_smtp_capabilities_has_auth (const O365SmtpCapabilities *capabilities,
                                 const char *mechanism)
{
  g_return_val_if_fail (capabilities != NULL, FALSE);
  g_return_val_if_fail (mechanism != NULL, FALSE);

  for (guint i = 0; capabilities->auth_mechanisms[i] != NULL; i++)
    if (g_ascii_strcasecmp (capabilities->auth_mechanisms[i], mechanism) == 0)
      return TRUE;
  return FALSE;
}
