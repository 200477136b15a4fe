/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-smtp-reply.c — the SMTP reply reader (RFC 5321 §4.2, enhanced codes per RFC 2034). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-transport-error.h"
#include "o365-smtp-reply.h"
#include "o365-text.h"

/* How much of an offending line an error message quotes: enough to recognise it, too little
 * to let a hostile server fill the UI. */
#define QUOTE_MAX_BYTES 40

typedef enum
{
  PARSER_READING,
  PARSER_COMPLETE,
  PARSER_FAILED,
} ParserState;

struct _O365SmtpReplyParser
{
  ParserState state;
  guint code;          /* 0 until the first line of a reply is read */
  guint n_lines;
  char *enhanced_code; /* the first one found in the reply */
  GString *text;
};

O365SmtpReplyParser *
o365_smtp_reply_parser_new (void)
{
  O365SmtpReplyParser *parser = g_new0 (O365SmtpReplyParser, 1);

  parser->text = g_string_new (NULL);
  return parser;
}

void
o365_smtp_reply_parser_free (O365SmtpReplyParser *parser)
{
  if (parser == NULL)
    return;
  g_free (parser->enhanced_code);
  g_string_free (parser->text, TRUE);
  g_free (parser);
}

static void
parser_reset (O365SmtpReplyParser *parser)
{
  parser->state = PARSER_READING;
  parser->code = 0;
  parser->n_lines = 0;
  g_clear_pointer (&parser->enhanced_code, g_free);
  g_string_truncate (parser->text, 0);
}

char *
o365_smtp_sanitize_text (const char *text, gsize length)
{
  GString *safe = g_string_sized_new (length);
  const char *p = text;
  const char *end = text + length;

  g_return_val_if_fail (text != NULL || length == 0, NULL);

  while (p < end)
    {
      const char *valid_end;

      /* Stops at the first invalid byte, NUL included. */
      g_utf8_validate_len (p, end - p, &valid_end);
      while (p < valid_end)
        {
          const char *next = g_utf8_next_char (p);

          if (o365_text_is_unsafe_char (g_utf8_get_char (p)))
            g_string_append_unichar (safe, 0xFFFD);
          else
            g_string_append_len (safe, p, next - p);
          p = next;
        }
      if (p < end)
        {
          g_string_append_unichar (safe, 0xFFFD);
          p++;
        }
    }
  return g_string_free (safe, FALSE);
}

/* A short, sanitised excerpt of @line for an error message. */
static char *
quote_line (const char *line, gsize length)
{
  gsize cut = MIN (length, QUOTE_MAX_BYTES);
  g_autofree char *safe = NULL;

  /* Cut on a character boundary so a valid multi-byte character is not shown as garbage;
   * a UTF-8 character has at most three continuation bytes. */
  for (guint i = 0; i < 3 && cut < length && ((guchar) line[cut] & 0xC0) == 0x80; i++)
    cut--;
  safe = o365_smtp_sanitize_text (line, cut);
  if (cut < length)
    return g_strconcat (safe, "…", NULL);
  return g_steal_pointer (&safe);
}

/* Advances *@i over one to three digits; FALSE when there is none. */
static gboolean
skip_digits (const char *text, gsize length, gsize *i)
{
  gsize start = *i;

  while (*i < length && *i - start < 3 && g_ascii_isdigit (text[*i]))
    (*i)++;
  return *i > start;
}

/* The length of the RFC 3463 status code ("5.7.139") of class @class that starts @text and
 * ends at a space or at the end; 0 when there is none. Only classes 2, 4 and 5 exist. */
static gsize
enhanced_code_length (const char *text, gsize length, char class)
{
  gsize i = 2;

  if (class != '2' && class != '4' && class != '5')
    return 0;
  if (length < 5 || text[0] != class || text[1] != '.')
    return 0;
  if (!skip_digits (text, length, &i) || i == length || text[i] != '.')
    return 0;
  i++;
  if (!skip_digits (text, length, &i))
    return 0;
  return (i == length || text[i] == ' ') ? i : 0;
}

static O365SmtpReplyStatus
fail (O365SmtpReplyParser *parser)
{
  parser->state = PARSER_FAILED;
  return O365_SMTP_REPLY_INVALID;
}

O365SmtpReplyStatus
o365_smtp_reply_parser_feed_line (O365SmtpReplyParser *parser,
                                  const char *line,
                                  gsize length,
                                  GError **error)
{
  gboolean last;
  guint code;
  const char *text;
  gsize text_length;
  gsize enhanced_length;
  g_autofree char *safe_text = NULL;

  g_return_val_if_fail (parser != NULL, O365_SMTP_REPLY_INVALID);
  g_return_val_if_fail (parser->state == PARSER_READING, O365_SMTP_REPLY_INVALID);
  g_return_val_if_fail (line != NULL || length == 0, O365_SMTP_REPLY_INVALID);
  g_return_val_if_fail (error == NULL || *error == NULL, O365_SMTP_REPLY_INVALID);

  if (length > O365_SMTP_REPLY_MAX_LINE)
    {
      g_autofree char *quoted = quote_line (line, length);

      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                   /* Translators: %u is a number of bytes, %s the start of the server's line. */
                   _("The server sent a reply line longer than %u bytes: “%s”"),
                   O365_SMTP_REPLY_MAX_LINE, quoted);
      return fail (parser);
    }

  if (length < 3 || !g_ascii_isdigit (line[0]) || !g_ascii_isdigit (line[1])
      || !g_ascii_isdigit (line[2]))
    {
      g_autofree char *quoted = quote_line (line, length);

      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                   /* Translators: %s is the start of the server's line. */
                   _("The server sent a reply without a three-digit code: “%s”"), quoted);
      return fail (parser);
    }
  code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');

  if (line[0] < '2' || line[0] > '5')
    {
      g_autofree char *quoted = quote_line (line, length);

      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                   /* Translators: %03u is the reply code, %s the start of the server's line. */
                   _("The server sent the reply code %03u, which SMTP does not allow: “%s”"),
                   code, quoted);
      return fail (parser);
    }

  if (length > 3 && line[3] != '-' && line[3] != ' ')
    {
      g_autofree char *quoted = quote_line (line, length);

      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                   /* Translators: %s is the start of the server's line. */
                   _("The server sent a reply code followed by neither a space nor a hyphen: “%s”"),
                   quoted);
      return fail (parser);
    }
  last = length == 3 || line[3] == ' ';

  if (parser->code != 0 && code != parser->code)
    {
      g_autofree char *quoted = quote_line (line, length);

      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                   /* Translators: both %u are reply codes, %s is the start of the server's line. */
                   _("The server changed the reply code from %u to %u within one reply: “%s”"),
                   parser->code, code, quoted);
      return fail (parser);
    }

  /* A continuation on the last allowed line means the reply is already too long: fail now
   * rather than wait for a line that would be refused anyway. */
  if (!last && parser->n_lines + 1 >= O365_SMTP_REPLY_MAX_LINES)
    {
      g_set_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL,
                   /* Translators: %u is a number of lines. */
                   _("The server sent a reply of more than %u lines"),
                   O365_SMTP_REPLY_MAX_LINES);
      return fail (parser);
    }

  parser->code = code;
  parser->n_lines++;

  text = length > 4 ? line + 4 : "";
  text_length = length > 4 ? length - 4 : 0;
  enhanced_length = enhanced_code_length (text, text_length, line[0]);
  if (enhanced_length > 0)
    {
      /* Lines should repeat one code (RFC 2034); the first stands for the reply. */
      if (parser->enhanced_code == NULL)
        parser->enhanced_code = g_strndup (text, enhanced_length);
      /* The code and the one space that separates it from the text. */
      if (enhanced_length < text_length)
        enhanced_length++;
      text += enhanced_length;
      text_length -= enhanced_length;
    }

  safe_text = o365_smtp_sanitize_text (text, text_length);
  if (parser->n_lines > 1)
    g_string_append_c (parser->text, '\n');
  g_string_append (parser->text, safe_text);

  if (!last)
    return O365_SMTP_REPLY_NEED_MORE;
  parser->state = PARSER_COMPLETE;
  return O365_SMTP_REPLY_COMPLETE;
}

MailReply *
o365_smtp_reply_parser_take_reply (O365SmtpReplyParser *parser)
{
  MailReply *reply;

  g_return_val_if_fail (parser != NULL, NULL);
  g_return_val_if_fail (parser->state == PARSER_COMPLETE, NULL);

  reply = mail_reply_new (parser->code, parser->enhanced_code, parser->text->str);
  parser_reset (parser);
  return reply;
}
