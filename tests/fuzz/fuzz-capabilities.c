/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-capabilities.c — libFuzzer target for the EHLO capability parser
 * (plugin/smtp/o365-smtp-capabilities.h).
 *
 * The input's lines become an EHLO reply twice: as the text of a MailReply built directly
 * (any bytes the parser might ever meet), and as "250-" lines read by the reply parser (what
 * the session really hands over). Invariants: no crash; the mechanism list is never NULL and
 * holds distinct names of 1–20 of A–Z 0–9 - _; has_auth() agrees with it in any case; a SIZE
 * limit exists only when SIZE was offered. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "o365-smtp-capabilities.h"
#include "o365-smtp-reply.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

static gboolean
is_mechanism_name (const char *name)
{
  gsize length = strlen (name);

  if (length == 0 || length > 20)
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (!g_ascii_isupper (name[i]) && !g_ascii_isdigit (name[i]) && name[i] != '-' && name[i] != '_')
      return FALSE;
  return TRUE;
}

static void
check_capabilities (const MailReply *reply)
{
  g_autoptr (O365SmtpCapabilities) capabilities = o365_smtp_capabilities_parse (reply);
  GStrv mechanisms;

  FUZZ_CHECK (capabilities != NULL, NULL);
  mechanisms = capabilities->auth_mechanisms;
  FUZZ_CHECK (mechanisms != NULL, NULL);
  FUZZ_CHECK (capabilities->size_offered || capabilities->size_limit == 0, NULL);
  for (guint i = 0; mechanisms[i] != NULL; i++)
    {
      g_autofree char *lower = g_ascii_strdown (mechanisms[i], -1);

      FUZZ_CHECK (is_mechanism_name (mechanisms[i]), mechanisms[i]);
      for (guint j = 0; j < i; j++)
        FUZZ_CHECK (strcmp (mechanisms[i], mechanisms[j]) != 0, "duplicate mechanism");
      FUZZ_CHECK (o365_smtp_capabilities_has_auth (capabilities, mechanisms[i]), NULL);
      FUZZ_CHECK (o365_smtp_capabilities_has_auth (capabilities, lower), NULL);
    }
  /* A name that cannot be valid is never offered. */
  FUZZ_CHECK (!o365_smtp_capabilities_has_auth (capabilities, ""), NULL);
  FUZZ_CHECK (!o365_smtp_capabilities_has_auth (capabilities, "X Y"), NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (O365SmtpReplyParser) parser = o365_smtp_reply_parser_new ();
  g_auto (GStrv) lines = NULL;
  guint n_lines;

  /* The raw text, up to a NUL (a C string cannot carry more). */
  {
    g_autoptr (MailReply) reply = mail_reply_new (250, NULL, text);

    check_capabilities (reply);
  }

  /* The same lines as the session reads them, with "250-"/"250 " in front. */
  lines = g_strsplit (text, "\n", -1);
  n_lines = g_strv_length (lines);
  if (n_lines == 0 || n_lines > O365_SMTP_REPLY_MAX_LINES)
    return 0;
  for (guint i = 0; i < n_lines; i++)
    {
      gboolean last = i + 1 == n_lines;
      g_autofree char *line = g_strconcat (last ? "250 " : "250-", lines[i], NULL);
      g_autoptr (GError) error = NULL;
      O365SmtpReplyStatus status = o365_smtp_reply_parser_feed_line (parser, line, strlen (line),
                                                                     &error);

      if (status == O365_SMTP_REPLY_INVALID)
        return 0;
      FUZZ_CHECK (status == (last ? O365_SMTP_REPLY_COMPLETE : O365_SMTP_REPLY_NEED_MORE), NULL);
    }
  {
    g_autoptr (MailReply) reply = o365_smtp_reply_parser_take_reply (parser);

    check_capabilities (reply);
  }
  return 0;
}
