/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-smtp-reply.c — the SMTP reply reader: framing, limits, enhanced status codes and
 * sanitising, including the replies Office 365 really sends (docs/office365.md). */
#include "config.h"

#include <string.h>

#include "mail-transport-error.h"
#include "o365-smtp-reply.h"
#include "test-utils.h"

#define REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD in UTF-8 */

/* Office 365's EHLO reply before and after STARTTLS (docs/office365.md), and the text the reader makes
 * of it. */
static const char *const o365_ehlo_plain[] = {
  "250-SN4PR0501CA0054.outlook.office365.com Hello [203.0.113.7]",
  "250-SIZE 157286400",
  "250-PIPELINING",
  "250-DSN",
  "250-ENHANCEDSTATUSCODES",
  "250-STARTTLS",
  "250-8BITMIME",
  "250-BINARYMIME",
  "250-CHUNKING",
  "250 SMTPUTF8",
  NULL,
};
static const char *const o365_ehlo_tls[] = {
  "250-SN4PR0501CA0054.outlook.office365.com Hello [203.0.113.7]",
  "250-SIZE 157286400",
  "250-PIPELINING",
  "250-DSN",
  "250-ENHANCEDSTATUSCODES",
  "250-AUTH LOGIN XOAUTH2",
  "250-8BITMIME",
  "250-BINARYMIME",
  "250-CHUNKING",
  "250 SMTPUTF8",
  NULL,
};

/* Feeds @lines (NUL-terminated strings) and expects a complete reply at the last one. */
static MailReply *
parse_lines (const char *const *lines)
{
  g_autoptr (O365SmtpReplyParser) parser = o365_smtp_reply_parser_new ();
  guint n = g_strv_length ((GStrv) lines);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr (GError) error = NULL;
      O365SmtpReplyStatus status =
        o365_smtp_reply_parser_feed_line (parser, lines[i], strlen (lines[i]), &error);

      g_assert_no_error (error);
      g_assert_cmpint (status, ==, i + 1 < n ? O365_SMTP_REPLY_NEED_MORE : O365_SMTP_REPLY_COMPLETE);
    }
  return o365_smtp_reply_parser_take_reply (parser);
}

static MailReply *
parse_line (const char *line, gsize length)
{
  g_autoptr (O365SmtpReplyParser) parser = o365_smtp_reply_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (o365_smtp_reply_parser_feed_line (parser, line, length, &error), ==,
                   O365_SMTP_REPLY_COMPLETE);
  g_assert_no_error (error);
  return o365_smtp_reply_parser_take_reply (parser);
}

/* A printable, valid UTF-8 string without control characters: what may reach logs and UI. */
static void
assert_safe_text (const char *text)
{
  g_assert_true (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    g_assert_false (g_unichar_iscntrl (g_utf8_get_char (p)));
}

/* Feeds @lines; all but the last must be accepted as continuations, the last refused. */
static GError *
parse_invalid_lines (const char *const *lines)
{
  g_autoptr (O365SmtpReplyParser) parser = o365_smtp_reply_parser_new ();
  guint n = g_strv_length ((GStrv) lines);
  GError *error = NULL;

  for (guint i = 0; i < n; i++)
    {
      O365SmtpReplyStatus status =
        o365_smtp_reply_parser_feed_line (parser, lines[i], strlen (lines[i]), &error);

      if (i + 1 < n)
        {
          g_assert_no_error (error);
          g_assert_cmpint (status, ==, O365_SMTP_REPLY_NEED_MORE);
        }
      else
        g_assert_cmpint (status, ==, O365_SMTP_REPLY_INVALID);
    }
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL);
  assert_safe_text (error->message);
  return error;
}

static GError *
parse_invalid_line (const char *line, gsize length)
{
  g_autoptr (O365SmtpReplyParser) parser = o365_smtp_reply_parser_new ();
  GError *error = NULL;

  g_assert_cmpint (o365_smtp_reply_parser_feed_line (parser, line, length, &error), ==,
                   O365_SMTP_REPLY_INVALID);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL);
  assert_safe_text (error->message);
  return error;
}

static void
assert_contains (const char *haystack, const char *needle)
{
  if (strstr (haystack, needle) == NULL)
    g_error ("“%s” does not contain “%s”", haystack, needle);
}

static void
test_single_line (void)
{
  g_autoptr (MailReply) reply = parse_line ("220 mx.example.com ESMTP ready", 30);

  g_assert_cmpuint (mail_reply_get_code (reply), ==, 220);
  g_assert_null (mail_reply_get_enhanced_code (reply));
  g_assert_cmpstr (mail_reply_get_text (reply), ==, "mx.example.com ESMTP ready");
}

static void
test_multi_line (void)
{
  const char *const lines[] = { "250-first", "250-", "250-third line", "250 last", NULL };
  g_autoptr (MailReply) reply = parse_lines (lines);

  g_assert_cmpuint (mail_reply_get_code (reply), ==, 250);
  g_assert_null (mail_reply_get_enhanced_code (reply));
  g_assert_cmpstr (mail_reply_get_text (reply), ==, "first\n\nthird line\nlast");
}

static void
test_bare_code (void)
{
  g_autoptr (MailReply) bare = parse_line ("250", 3);
  g_autoptr (MailReply) space = parse_line ("354 ", 4);

  g_assert_cmpuint (mail_reply_get_code (bare), ==, 250);
  g_assert_null (mail_reply_get_enhanced_code (bare));
  g_assert_cmpstr (mail_reply_get_text (bare), ==, "");
  g_assert_cmpuint (mail_reply_get_code (space), ==, 354);
  g_assert_cmpstr (mail_reply_get_text (space), ==, "");
}

static void
test_code_range (void)
{
  g_autoptr (MailReply) lowest = parse_line ("200 ok", 6);
  g_autoptr (MailReply) highest = parse_line ("599 no", 6);
  const char *const refused[] = { "199 x", "100 x", "650 x", "999 x", "099 x", "000 x" };

  g_assert_cmpuint (mail_reply_get_code (lowest), ==, 200);
  g_assert_cmpuint (mail_reply_get_code (highest), ==, 599);
  for (guint i = 0; i < G_N_ELEMENTS (refused); i++)
    {
      g_autoptr (GError) error = parse_invalid_line (refused[i], strlen (refused[i]));
      g_autofree char *code = g_strdup_printf ("reply code %.3s,", refused[i]);

      assert_contains (error->message, code);
    }
}

static void
test_o365_ehlo (void)
{
  g_autoptr (MailReply) plain = parse_lines (o365_ehlo_plain);
  g_autoptr (MailReply) tls = parse_lines (o365_ehlo_tls);

  g_assert_cmpuint (mail_reply_get_code (plain), ==, 250);
  g_assert_null (mail_reply_get_enhanced_code (plain));
  g_assert_cmpstr (mail_reply_get_text (plain), ==,
                   "SN4PR0501CA0054.outlook.office365.com Hello [203.0.113.7]\n"
                   "SIZE 157286400\nPIPELINING\nDSN\nENHANCEDSTATUSCODES\nSTARTTLS\n"
                   "8BITMIME\nBINARYMIME\nCHUNKING\nSMTPUTF8");
  g_assert_cmpuint (mail_reply_get_code (tls), ==, 250);
  g_assert_null (mail_reply_get_enhanced_code (tls));
  g_assert_cmpstr (mail_reply_get_text (tls), ==,
                   "SN4PR0501CA0054.outlook.office365.com Hello [203.0.113.7]\n"
                   "SIZE 157286400\nPIPELINING\nDSN\nENHANCEDSTATUSCODES\nAUTH LOGIN XOAUTH2\n"
                   "8BITMIME\nBINARYMIME\nCHUNKING\nSMTPUTF8");
}

static void
test_o365_tls_too_old (void)
{
  const char *line = "421 4.7.66 TLS 1.0 and 1.1 are not supported";
  g_autoptr (MailReply) reply = parse_line (line, strlen (line));
  g_autofree char *string = mail_reply_to_string (reply);

  g_assert_cmpuint (mail_reply_get_code (reply), ==, 421);
  g_assert_cmpstr (mail_reply_get_enhanced_code (reply), ==, "4.7.66");
  g_assert_cmpstr (mail_reply_get_text (reply), ==, "TLS 1.0 and 1.1 are not supported");
  g_assert_true (mail_reply_is_transient (reply));
  g_assert_cmpstr (string, ==, line);
}

static void
test_o365_auth_disabled (void)
{
  const char *line = "535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is "
                     "disabled for the Tenant.";
  g_autoptr (MailReply) reply = parse_line (line, strlen (line));

  g_assert_cmpuint (mail_reply_get_code (reply), ==, 535);
  g_assert_cmpstr (mail_reply_get_enhanced_code (reply), ==, "5.7.139");
  g_assert_cmpstr (mail_reply_get_text (reply), ==,
                   "Authentication unsuccessful, SmtpClientAuthentication is disabled for the "
                   "Tenant.");
  g_assert_false (mail_reply_is_positive (reply));
  g_assert_false (mail_reply_is_transient (reply));
}

static void
test_o365_message_id (void)
{
  const char *line = "250 2.0.0 OK <PH0PR11MB4966.namprd11.prod.outlook.com> "
                     "[Hostname=PH0PR11MB4966.namprd11.prod.outlook.com]";
  g_autoptr (MailReply) reply = parse_line (line, strlen (line));

  g_assert_cmpuint (mail_reply_get_code (reply), ==, 250);
  g_assert_cmpstr (mail_reply_get_enhanced_code (reply), ==, "2.0.0");
  g_assert_cmpstr (mail_reply_get_text (reply), ==,
                   "OK <PH0PR11MB4966.namprd11.prod.outlook.com> "
                   "[Hostname=PH0PR11MB4966.namprd11.prod.outlook.com]");
  {
    g_autofree char *id = mail_reply_dup_message_id (reply);
    const char *plain = "250 2.0.0 OK";
    const char *refused = "550 5.7.1 <bob@example.test> refused";
    g_autoptr (MailReply) without = parse_line (plain, strlen (plain));
    g_autoptr (MailReply) negative = parse_line (refused, strlen (refused));

    g_assert_cmpstr (id, ==, "PH0PR11MB4966.namprd11.prod.outlook.com");
    g_assert_null (mail_reply_dup_message_id (without));
    g_assert_null (mail_reply_dup_message_id (negative));
  }
}

static void
test_enhanced_multi_line (void)
{
  const char *const lines[] = {
    "550-5.7.708 Access denied,",
    "550 5.7.708 traffic not accepted from this IP",
    NULL,
  };
  const char *const only_later[] = { "250-hello", "250-2.1.5 second", "250 2.0.0 third", NULL };
  g_autoptr (MailReply) reply = parse_lines (lines);
  g_autoptr (MailReply) later = parse_lines (only_later);

  g_assert_cmpuint (mail_reply_get_code (reply), ==, 550);
  g_assert_cmpstr (mail_reply_get_enhanced_code (reply), ==, "5.7.708");
  g_assert_cmpstr (mail_reply_get_text (reply), ==,
                   "Access denied,\ntraffic not accepted from this IP");
  /* The first code found is the reply's; every line loses its own. */
  g_assert_cmpstr (mail_reply_get_enhanced_code (later), ==, "2.1.5");
  g_assert_cmpstr (mail_reply_get_text (later), ==, "hello\nsecond\nthird");
}

static void
test_enhanced_bounds (void)
{
  static const struct
  {
    const char *line;
    const char *enhanced;
    const char *text;
  } cases[] = {
    { "250 2.0.0", "2.0.0", "" },
    { "250 2.0.0 ", "2.0.0", "" },
    { "250 2.0.0  two spaces", "2.0.0", " two spaces" },
    { "550 5.123.456 widest", "5.123.456", "widest" },
    { "450 4.1.1 x", "4.1.1", "x" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (MailReply) reply = parse_line (cases[i].line, strlen (cases[i].line));

      g_assert_cmpstr (mail_reply_get_enhanced_code (reply), ==, cases[i].enhanced);
      g_assert_cmpstr (mail_reply_get_text (reply), ==, cases[i].text);
    }
}

static void
test_enhanced_class_mismatch (void)
{
  const char *const lines[] = {
    "250 5.0.0 OK",
    "550 2.1.0 refused",
    "451 5.7.3 STARTTLS is required to send mail",
    "354 3.0.0 Start mail input",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr (MailReply) reply = parse_line (lines[i], strlen (lines[i]));

      g_assert_null (mail_reply_get_enhanced_code (reply));
      g_assert_cmpstr (mail_reply_get_text (reply), ==, lines[i] + 4);
    }
}

static void
test_enhanced_malformed (void)
{
  const char *const lines[] = {
    "550 5.7.1390 detail has four digits",
    "550 5.1234.1 subject has four digits",
    "550 5.7 only two parts",
    "550 5..1 empty subject",
    "550 5.7. empty detail",
    "550 5.7.1x letter after detail",
    "550 5.7.1.2 four parts",
    "550 5.a.1 letter",
    "550 .5.7.1 leading dot",
    "550 55.7.1 two-digit class",
    "550 5-7-1 hyphens",
  };
  const char *tab = "550 5.7.1\tonly a space ends the code";
  g_autoptr (MailReply) tab_reply = parse_line (tab, strlen (tab));

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr (MailReply) reply = parse_line (lines[i], strlen (lines[i]));

      g_assert_null (mail_reply_get_enhanced_code (reply));
      g_assert_cmpstr (mail_reply_get_text (reply), ==, lines[i] + 4);
    }
  g_assert_null (mail_reply_get_enhanced_code (tab_reply));
  g_assert_cmpstr (mail_reply_get_text (tab_reply), ==,
                   "5.7.1" REPLACEMENT "only a space ends the code");
}

static void
test_inconsistent_codes (void)
{
  const char *const changed[] = { "250-first", "251 second", NULL };
  const char *const later[] = { "250-first", "250-second", "550 third", NULL };
  g_autoptr (GError) error = parse_invalid_lines (changed);
  g_autoptr (GError) later_error = parse_invalid_lines (later);

  assert_contains (error->message, "250");
  assert_contains (error->message, "251");
  assert_contains (error->message, "“251 second”");
  assert_contains (later_error->message, "550");
}

static void
test_bad_separators (void)
{
  const char *const lines[] = {
    "250x", "25 ", "2500", "250_OK", "250\tOK", "250=OK", "", "2", "25", "abc", "2a0 OK",
    " 250 OK", "-250 OK", "+50 OK", "250OK",
  };
  const char *const in_continuation[] = { "250-first", "250+second", NULL };
  g_autoptr (GError) continuation_error = parse_invalid_lines (in_continuation);

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr (GError) error = parse_invalid_line (lines[i], strlen (lines[i]));
      g_autofree char *quote = g_strdup_printf ("“%s”", lines[i]);

      /* " 250 OK", "\t" and the empty line are quoted sanitised, the others verbatim. */
      if (strchr (lines[i], '\t') == NULL)
        assert_contains (error->message, quote);
    }
  assert_contains (continuation_error->message, "“250+second”");
}

static void
test_separator_messages (void)
{
  g_autoptr (GError) no_code = parse_invalid_line ("25 ", 3);
  g_autoptr (GError) bad_separator = parse_invalid_line ("250x", 4);
  g_autoptr (GError) four_digits = parse_invalid_line ("2500", 4);

  assert_contains (no_code->message, "three-digit code");
  assert_contains (no_code->message, "“25 ”");
  assert_contains (bad_separator->message, "“250x”");
  assert_contains (four_digits->message, "“2500”");
}

static void
test_line_length (void)
{
  g_autoptr (GString) line = g_string_new ("250 ");
  g_autoptr (MailReply) reply = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *quote = NULL;

  while (line->len < O365_SMTP_REPLY_MAX_LINE)
    g_string_append_c (line, 'a');
  reply = parse_line (line->str, line->len);
  g_assert_cmpuint (strlen (mail_reply_get_text (reply)), ==, O365_SMTP_REPLY_MAX_LINE - 4);
  g_assert_cmpstr (mail_reply_get_text (reply), ==, line->str + 4);

  g_string_append_c (line, 'a');
  error = parse_invalid_line (line->str, line->len);
  /* The message quotes a short prefix, not the whole line. */
  quote = g_strdup_printf ("“250 %.36s…”", line->str + 4);
  assert_contains (error->message, quote);
  assert_contains (error->message, "2048");
  g_assert_cmpuint (strlen (error->message), <, 200);
}

static void
test_line_count (void)
{
  g_autoptr (GPtrArray) lines = g_ptr_array_new ();
  g_autoptr (MailReply) reply = NULL;
  g_autoptr (GError) error = NULL;
  const char *text;
  guint newlines = 0;

  for (guint i = 1; i < O365_SMTP_REPLY_MAX_LINES; i++)
    g_ptr_array_add (lines, "250-x");
  g_ptr_array_add (lines, "250 last");
  g_ptr_array_add (lines, NULL);
  reply = parse_lines ((const char *const *) lines->pdata);
  text = mail_reply_get_text (reply);
  for (const char *p = text; *p != '\0'; p++)
    newlines += *p == '\n';
  g_assert_cmpuint (newlines, ==, O365_SMTP_REPLY_MAX_LINES - 1);
  g_assert_true (g_str_has_suffix (text, "x\nx\nlast"));

  /* A continuation on the last allowed line announces one line too many. */
  g_ptr_array_index (lines, O365_SMTP_REPLY_MAX_LINES - 1) = "250-x";
  error = parse_invalid_lines ((const char *const *) lines->pdata);
  assert_contains (error->message, "more than 64 lines");
}

static void
test_nul_bytes (void)
{
  static const char text_nul[] = "250 a\0b";
  static const char code_nul[] = "25\0 x";
  static const char separator_nul[] = "250\0x";
  g_autoptr (MailReply) reply = parse_line (text_nul, sizeof text_nul - 1);
  g_autoptr (GError) code_error = parse_invalid_line (code_nul, sizeof code_nul - 1);
  g_autoptr (GError) separator_error = parse_invalid_line (separator_nul, sizeof separator_nul - 1);

  g_assert_cmpstr (mail_reply_get_text (reply), ==, "a" REPLACEMENT "b");
  assert_contains (code_error->message, "“25" REPLACEMENT " x”");
  assert_contains (separator_error->message, "“250" REPLACEMENT "x”");
}

static void
test_control_bytes (void)
{
  const char *line = "250 a\x1b[31mred\x7f\r\t\x01\n2.0.0";
  g_autoptr (MailReply) reply = parse_line (line, strlen (line));
  const char *bad = "25\x1b[2J";
  g_autoptr (GError) error = parse_invalid_line (bad, strlen (bad));

  g_assert_cmpstr (mail_reply_get_text (reply), ==,
                   "a" REPLACEMENT "[31mred" REPLACEMENT REPLACEMENT REPLACEMENT REPLACEMENT
                   REPLACEMENT "2.0.0");
  assert_contains (error->message, "“25" REPLACEMENT "[2J”");
}

static void
test_invalid_utf8 (void)
{
  const char *line = "250 caf\xe9 \xc0\xaf \xff ok";
  g_autoptr (MailReply) reply = parse_line (line, strlen (line));
  const char *truncated = "250 end\xe2\x82";
  g_autoptr (MailReply) cut = parse_line (truncated, strlen (truncated));
  const char *bad = "\xff\xfe" "0 x";
  g_autoptr (GError) error = parse_invalid_line (bad, strlen (bad));

  g_assert_cmpstr (mail_reply_get_text (reply), ==,
                   "caf" REPLACEMENT " " REPLACEMENT REPLACEMENT " " REPLACEMENT " ok");
  g_assert_cmpstr (mail_reply_get_text (cut), ==, "end" REPLACEMENT REPLACEMENT);
  assert_contains (error->message, "“" REPLACEMENT REPLACEMENT "0 x”");
}

static void
test_valid_utf8_kept (void)
{
  const char *line = "550 5.1.1 Empfänger unbekannt — 收件人 € 😀";
  g_autoptr (MailReply) reply = parse_line (line, strlen (line));

  g_assert_cmpstr (mail_reply_get_enhanced_code (reply), ==, "5.1.1");
  g_assert_cmpstr (mail_reply_get_text (reply), ==, "Empfänger unbekannt — 收件人 € 😀");
}

static void
test_sanitize (void)
{
  static const struct
  {
    const char *in;
    gssize length; /* -1: strlen */
    const char *out;
  } cases[] = {
    { "", -1, "" },
    { "plain text", -1, "plain text" },
    { "nul\0inside", 10, "nul" REPLACEMENT "inside" },
    { "\x1b]0;title\x07", -1, REPLACEMENT "]0;title" REPLACEMENT },
    { "del\x7f", -1, "del" REPLACEMENT },
    { "c1 \xc2\x9b" "31m", -1, "c1 " REPLACEMENT "31m" },             /* U+009B CSI */
    { "line\xe2\x80\xa8sep", -1, "line" REPLACEMENT "sep" },           /* U+2028 */
    /* Bidirectional controls: U+202E RLO, U+2066 LRI, U+200F RLM. */
    { "a\xe2\x80\xae" "b\xe2\x81\xa6" "c\xe2\x80\x8f", -1, "a" REPLACEMENT "b" REPLACEMENT "c" REPLACEMENT },
    { "overlong \xc0\x80", -1, "overlong " REPLACEMENT REPLACEMENT },
    { "surrogate \xed\xa0\x80", -1, "surrogate " REPLACEMENT REPLACEMENT REPLACEMENT },
    { "ok \xc3\xa9", -1, "ok \xc3\xa9" },
  };
  g_autofree char *empty = o365_smtp_sanitize_text (NULL, 0);

  g_assert_cmpstr (empty, ==, "");
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      gsize length = cases[i].length < 0 ? strlen (cases[i].in) : (gsize) cases[i].length;
      g_autofree char *out = o365_smtp_sanitize_text (cases[i].in, length);

      g_assert_cmpstr (out, ==, cases[i].out);
      assert_safe_text (out);
    }
}

static void
test_quote_boundary (void)
{
  /* "é" occupies bytes 39 and 40: the quote stops before it rather than split it. */
  g_autoptr (GString) line = g_string_new ("25x");
  g_autoptr (GError) error = NULL;
  g_autofree char *expected = NULL;

  while (line->len < 39)
    g_string_append_c (line, 'y');
  g_string_append (line, "\xc3\xa9 tail");
  error = parse_invalid_line (line->str, line->len);
  expected = g_strdup_printf ("“%.39s…”", line->str);
  assert_contains (error->message, expected);
  g_assert_null (strstr (error->message, REPLACEMENT));
}

static void
test_reset_after_take (void)
{
  g_autoptr (O365SmtpReplyParser) parser = o365_smtp_reply_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (MailReply) first = NULL;
  g_autoptr (MailReply) second = NULL;

  g_assert_cmpint (o365_smtp_reply_parser_feed_line (parser, "250-2.0.0 one", 13, &error), ==,
                   O365_SMTP_REPLY_NEED_MORE);
  g_assert_cmpint (o365_smtp_reply_parser_feed_line (parser, "250 2.0.0 two", 13, &error), ==,
                   O365_SMTP_REPLY_COMPLETE);
  first = o365_smtp_reply_parser_take_reply (parser);
  /* A new reply may carry another code; nothing of the previous one remains. */
  g_assert_cmpint (o365_smtp_reply_parser_feed_line (parser, "354 go ahead", 12, &error), ==,
                   O365_SMTP_REPLY_COMPLETE);
  g_assert_no_error (error);
  second = o365_smtp_reply_parser_take_reply (parser);

  g_assert_cmpuint (mail_reply_get_code (first), ==, 250);
  g_assert_cmpstr (mail_reply_get_enhanced_code (first), ==, "2.0.0");
  g_assert_cmpstr (mail_reply_get_text (first), ==, "one\ntwo");
  g_assert_cmpuint (mail_reply_get_code (second), ==, 354);
  g_assert_null (mail_reply_get_enhanced_code (second));
  g_assert_cmpstr (mail_reply_get_text (second), ==, "go ahead");
}

static void
test_line_count_resets (void)
{
  g_autoptr (O365SmtpReplyParser) parser = o365_smtp_reply_parser_new ();

  for (guint reply = 0; reply < 2; reply++)
    {
      g_autoptr (MailReply) taken = NULL;

      for (guint i = 1; i < O365_SMTP_REPLY_MAX_LINES; i++)
        g_assert_cmpint (o365_smtp_reply_parser_feed_line (parser, "250-x", 5, NULL), ==,
                         O365_SMTP_REPLY_NEED_MORE);
      g_assert_cmpint (o365_smtp_reply_parser_feed_line (parser, "250 y", 5, NULL), ==,
                       O365_SMTP_REPLY_COMPLETE);
      taken = o365_smtp_reply_parser_take_reply (parser);
      g_assert_cmpuint (mail_reply_get_code (taken), ==, 250);
    }
}

static void
test_refused_after_invalid (void)
{
  g_autoptr (O365SmtpReplyParser) parser = o365_smtp_reply_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (o365_smtp_reply_parser_feed_line (parser, "250x", 4, &error), ==,
                   O365_SMTP_REPLY_INVALID);
  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_PROTOCOL);
  /* The connection is to be dropped: a later line is a caller bug, not a reply. */
  g_test_expect_message ("o365-plugin", G_LOG_LEVEL_CRITICAL, "*parser->state == PARSER_READING*");
  g_assert_cmpint (o365_smtp_reply_parser_feed_line (parser, "250 OK", 6, NULL), ==,
                   O365_SMTP_REPLY_INVALID);
  g_test_assert_expected_messages ();
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);

  g_test_add_func ("/smtp-reply/single-line", test_single_line);
  g_test_add_func ("/smtp-reply/multi-line", test_multi_line);
  g_test_add_func ("/smtp-reply/bare-code", test_bare_code);
  g_test_add_func ("/smtp-reply/code-range", test_code_range);
  g_test_add_func ("/smtp-reply/o365/ehlo", test_o365_ehlo);
  g_test_add_func ("/smtp-reply/o365/tls-too-old", test_o365_tls_too_old);
  g_test_add_func ("/smtp-reply/o365/auth-disabled", test_o365_auth_disabled);
  g_test_add_func ("/smtp-reply/o365/message-id", test_o365_message_id);
  g_test_add_func ("/smtp-reply/enhanced/multi-line", test_enhanced_multi_line);
  g_test_add_func ("/smtp-reply/enhanced/bounds", test_enhanced_bounds);
  g_test_add_func ("/smtp-reply/enhanced/class-mismatch", test_enhanced_class_mismatch);
  g_test_add_func ("/smtp-reply/enhanced/malformed", test_enhanced_malformed);
  g_test_add_func ("/smtp-reply/inconsistent-codes", test_inconsistent_codes);
  g_test_add_func ("/smtp-reply/bad-separators", test_bad_separators);
  g_test_add_func ("/smtp-reply/separator-messages", test_separator_messages);
  g_test_add_func ("/smtp-reply/line-length", test_line_length);
  g_test_add_func ("/smtp-reply/line-count", test_line_count);
  g_test_add_func ("/smtp-reply/line-count-resets", test_line_count_resets);
  g_test_add_func ("/smtp-reply/nul-bytes", test_nul_bytes);
  g_test_add_func ("/smtp-reply/control-bytes", test_control_bytes);
  g_test_add_func ("/smtp-reply/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/smtp-reply/valid-utf8-kept", test_valid_utf8_kept);
  g_test_add_func ("/smtp-reply/sanitize", test_sanitize);
  g_test_add_func ("/smtp-reply/quote-boundary", test_quote_boundary);
  g_test_add_func ("/smtp-reply/reset-after-take", test_reset_after_take);
  g_test_add_func ("/smtp-reply/refused-after-invalid", test_refused_after_invalid);

  return g_test_run ();
}
