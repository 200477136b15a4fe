/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* fuzz-reply.c — libFuzzer target for the SMTP reply reader (plugin/smtp/o365-smtp-reply.h).
 *
 * The input is what a server sends: it is cut into lines at LF with one trailing CR removed,
 * exactly as the channel does, and fed line by line. Invariants: no crash; a complete reply
 * has a code of 200–599 equal to its lines' code, one text line per line read, text that is
 * valid UTF-8 without control bytes, and an enhanced code of the reply's class; a refusal is
 * a protocol error with a displayable message. */
#include "config.h"

#include <string.h>

#include "fuzz-common.h"
#include "mail-transport-error.h"
#include "o365-smtp-reply.h"

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  fuzz_init ();
  return 0;
}

/* RFC 3463: class "." subject "." detail, 1–3 digits each; only classes 2, 4 and 5. */
static gboolean
is_enhanced_code (const char *code, char class)
{
  const char *p;

  if (strchr ("245", class) == NULL || code[0] != class || code[1] != '.')
    return FALSE;
  p = code + 2;
  for (int part = 0; part < 2; part++)
    {
      const char *digits = p;

      while (g_ascii_isdigit (*p))
        p++;
      if (p == digits || p - digits > 3)
        return FALSE;
      if (part == 0 && *p++ != '.')
        return FALSE;
    }
  return *p == '\0';
}

static guint
count_newlines (const char *text)
{
  guint n = 0;

  for (const char *p = strchr (text, '\n'); p != NULL; p = strchr (p + 1, '\n'))
    n++;
  return n;
}

static void
check_reply (MailReply *reply, guint expected_code, guint n_lines)
{
  const char *text = mail_reply_get_text (reply);
  const char *enhanced = mail_reply_get_enhanced_code (reply);
  g_autofree char *one_line = mail_reply_to_string (reply);

  FUZZ_CHECK (mail_reply_get_code (reply) == expected_code, NULL);
  FUZZ_CHECK (expected_code >= 200 && expected_code <= 599, NULL);
  FUZZ_CHECK (n_lines >= 1 && n_lines <= O365_SMTP_REPLY_MAX_LINES, NULL);
  /* Sanitised text has no LF of its own: the separators are exactly the lines. */
  FUZZ_CHECK (count_newlines (text) + 1 == n_lines, "one text line per reply line");
  FUZZ_CHECK (fuzz_is_display_safe (text, strlen (text), TRUE), text);
  FUZZ_CHECK (fuzz_is_display_safe (one_line, strlen (one_line), FALSE), one_line);
  if (enhanced != NULL)
    FUZZ_CHECK (is_enhanced_code (enhanced, (char) ('0' + expected_code / 100)), enhanced);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (O365SmtpReplyParser) parser = o365_smtp_reply_parser_new ();
  const char *p = (const char *) data;
  const char *end = p + size;
  guint code = 0;
  guint n_lines = 0;

  /* The sanitiser on its own: always displayable, and the identity on displayable text. */
  {
    g_autofree char *safe = o365_smtp_sanitize_text ((const char *) data, size);

    FUZZ_CHECK (fuzz_is_display_safe (safe, strlen (safe), FALSE), NULL);
    if (fuzz_is_display_safe ((const char *) data, size, FALSE))
      FUZZ_CHECK (strlen (safe) == size && memcmp (safe, data, size) == 0, "changed safe text");
  }

  while (p < end)
    {
      const char *newline = memchr (p, '\n', (gsize) (end - p));
      gsize length = (gsize) ((newline != NULL ? newline : end) - p);
      gsize consumed = newline != NULL ? length + 1 : length;
      g_autoptr (GError) error = NULL;

      if (length > 0 && p[length - 1] == '\r')
        length--;
      if (n_lines == 0 && length >= 3)
        code = (guint) ((p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0'));
      n_lines++;

      switch (o365_smtp_reply_parser_feed_line (parser, p, length, &error))
        {
        case O365_SMTP_REPLY_NEED_MORE:
          FUZZ_CHECK (error == NULL, NULL);
          FUZZ_CHECK (n_lines < O365_SMTP_REPLY_MAX_LINES, "reply longer than the limit");
          break;
        case O365_SMTP_REPLY_COMPLETE:
          {
            g_autoptr (MailReply) reply = o365_smtp_reply_parser_take_reply (parser);

            FUZZ_CHECK (error == NULL, NULL);
            FUZZ_CHECK (reply != NULL, NULL);
            check_reply (reply, code, n_lines);
            n_lines = 0;
          }
          break;
        case O365_SMTP_REPLY_INVALID:
          FUZZ_CHECK (g_error_matches (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL),
                      NULL);
          FUZZ_CHECK (fuzz_is_display_safe (error->message, strlen (error->message), FALSE),
                      error->message);
          /* The session drops the connection; a new one starts with a new parser. */
          o365_smtp_reply_parser_free (parser);
          parser = o365_smtp_reply_parser_new ();
          n_lines = 0;
          break;
        default:
          FUZZ_CHECK (FALSE, "unknown status");
        }
      p += consumed;
    }
  return 0;
}
