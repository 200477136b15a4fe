/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-smtp-capabilities.c — reading EHLO replies: Office 365's own (docs/office365.md) before and after
 * STARTTLS, keyword case, SIZE limits and AUTH mechanism lists. */
#include "config.h"

#include "o365-smtp-capabilities.h"
#include "test-utils.h"

/* The reply texts the reply reader makes of Office 365's EHLO reply (see test-smtp-reply). */
#define O365_GREETING "SN4PR0501CA0054.outlook.office365.com Hello [203.0.113.7]\n"
#define O365_EHLO_PLAIN                                                                        \
  O365_GREETING "SIZE 157286400\nPIPELINING\nDSN\nENHANCEDSTATUSCODES\nSTARTTLS\n8BITMIME\n"   \
                "BINARYMIME\nCHUNKING\nSMTPUTF8"
#define O365_EHLO_TLS                                                                          \
  O365_GREETING "SIZE 157286400\nPIPELINING\nDSN\nENHANCEDSTATUSCODES\nAUTH LOGIN XOAUTH2\n"   \
                "8BITMIME\nBINARYMIME\nCHUNKING\nSMTPUTF8"

static O365SmtpCapabilities *
parse_text (const char *text)
{
  g_autoptr (MailReply) reply = mail_reply_new (250, NULL, text);

  return o365_smtp_capabilities_parse (reply);
}

/* @expected: the mechanisms, space-separated, in order ("" for none). */
static void
assert_mechanisms (const O365SmtpCapabilities *capabilities, const char *expected)
{
  g_autofree char *joined = NULL;

  g_assert_nonnull (capabilities->auth_mechanisms);
  joined = g_strjoinv (" ", capabilities->auth_mechanisms);
  g_assert_cmpstr (joined, ==, expected);
}

static void
assert_nothing_offered (const O365SmtpCapabilities *capabilities)
{
  g_assert_false (capabilities->starttls);
  g_assert_false (capabilities->pipelining);
  g_assert_false (capabilities->eight_bit_mime);
  g_assert_false (capabilities->smtputf8);
  g_assert_false (capabilities->dsn);
  g_assert_false (capabilities->chunking);
  g_assert_false (capabilities->enhanced_status_codes);
  g_assert_false (capabilities->size_offered);
  g_assert_cmpuint (capabilities->size_limit, ==, 0);
  assert_mechanisms (capabilities, "");
}

static void
test_o365_before_tls (void)
{
  g_autoptr (O365SmtpCapabilities) capabilities = parse_text (O365_EHLO_PLAIN);

  g_assert_true (capabilities->starttls);
  g_assert_true (capabilities->pipelining);
  g_assert_true (capabilities->eight_bit_mime);
  g_assert_true (capabilities->smtputf8);
  g_assert_true (capabilities->dsn);
  g_assert_true (capabilities->chunking);
  g_assert_true (capabilities->enhanced_status_codes);
  g_assert_true (capabilities->size_offered);
  g_assert_cmpuint (capabilities->size_limit, ==, 157286400);
  /* No AUTH before TLS: nothing may be sent that would carry a credential. */
  assert_mechanisms (capabilities, "");
  g_assert_false (o365_smtp_capabilities_has_auth (capabilities, "LOGIN"));
  g_assert_false (o365_smtp_capabilities_has_auth (capabilities, "XOAUTH2"));
}

static void
test_o365_after_tls (void)
{
  g_autoptr (O365SmtpCapabilities) capabilities = parse_text (O365_EHLO_TLS);

  g_assert_false (capabilities->starttls);
  g_assert_true (capabilities->pipelining);
  g_assert_true (capabilities->eight_bit_mime);
  g_assert_true (capabilities->smtputf8);
  g_assert_true (capabilities->dsn);
  g_assert_true (capabilities->chunking);
  g_assert_true (capabilities->enhanced_status_codes);
  g_assert_true (capabilities->size_offered);
  g_assert_cmpuint (capabilities->size_limit, ==, 157286400);
  assert_mechanisms (capabilities, "LOGIN XOAUTH2");
  g_assert_true (o365_smtp_capabilities_has_auth (capabilities, "LOGIN"));
  g_assert_true (o365_smtp_capabilities_has_auth (capabilities, "xoauth2"));
  g_assert_false (o365_smtp_capabilities_has_auth (capabilities, "PLAIN"));
}

static void
test_greeting_skipped (void)
{
  g_autoptr (O365SmtpCapabilities) keyword = parse_text ("STARTTLS");
  g_autoptr (O365SmtpCapabilities) auth = parse_text ("AUTH PLAIN\nPIPELINING");
  g_autoptr (O365SmtpCapabilities) empty = parse_text ("");
  g_autoptr (O365SmtpCapabilities) greeting_only = parse_text ("mx.example.com Hello");

  assert_nothing_offered (keyword);
  assert_mechanisms (auth, "");
  g_assert_true (auth->pipelining);
  assert_nothing_offered (empty);
  assert_nothing_offered (greeting_only);
}

static void
test_case_insensitive (void)
{
  g_autoptr (O365SmtpCapabilities) capabilities =
    parse_text ("mx\nstarttls\nPipelining\n8bitmime\nSmtpUtf8\ndsn\nchunking\n"
                "EnhancedStatusCodes\nsize 1000\nauth login Plain xoauth2");

  g_assert_true (capabilities->starttls);
  g_assert_true (capabilities->pipelining);
  g_assert_true (capabilities->eight_bit_mime);
  g_assert_true (capabilities->smtputf8);
  g_assert_true (capabilities->dsn);
  g_assert_true (capabilities->chunking);
  g_assert_true (capabilities->enhanced_status_codes);
  g_assert_true (capabilities->size_offered);
  g_assert_cmpuint (capabilities->size_limit, ==, 1000);
  assert_mechanisms (capabilities, "LOGIN PLAIN XOAUTH2");
  g_assert_true (o365_smtp_capabilities_has_auth (capabilities, "Plain"));
}

static void
test_unknown_keywords (void)
{
  g_autoptr (O365SmtpCapabilities) capabilities =
    parse_text ("mx\nBINARYMIME\nX-EXPS GSSAPI NTLM\nSTARTTLSX\n8BITMIMES\nXPIPELINING\n"
                "AUTHX LOGIN\nX AUTH=PLAIN\nSIZEX 10\nVRFY\nHELP");

  assert_nothing_offered (capabilities);
}

static void
test_spaces (void)
{
  g_autoptr (O365SmtpCapabilities) capabilities =
    parse_text ("mx\n  AUTH   LOGIN  XOAUTH2 \nSIZE  2000\n STARTTLS");

  assert_mechanisms (capabilities, "LOGIN XOAUTH2");
  g_assert_true (capabilities->size_offered);
  g_assert_cmpuint (capabilities->size_limit, ==, 2000);
  g_assert_true (capabilities->starttls);
}

static void
test_size (void)
{
  static const struct
  {
    const char *line;
    gboolean offered;
    guint64 limit;
  } cases[] = {
    { "SIZE", TRUE, 0 },
    { "SIZE 0", TRUE, 0 },
    { "SIZE 1", TRUE, 1 },
    { "SIZE 157286400", TRUE, 157286400 },
    { "SIZE 0036700160", TRUE, 36700160 },
    { "SIZE 18446744073709551615", TRUE, G_MAXUINT64 },
    /* Beyond 64 bits: offered, but no limit we could ever reach. */
    { "SIZE 18446744073709551616", TRUE, 0 },
    { "SIZE 99999999999999999999999999999", TRUE, 0 },
    /* Malformed: SIZE stays unrecognised. */
    { "SIZE abc", FALSE, 0 },
    { "SIZE -1", FALSE, 0 },
    { "SIZE +5", FALSE, 0 },
    { "SIZE 12k", FALSE, 0 },
    { "SIZE 0x10", FALSE, 0 },
    { "SIZE 10 20", FALSE, 0 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *text = g_strconcat ("mx\n", cases[i].line, NULL);
      g_autoptr (O365SmtpCapabilities) capabilities = parse_text (text);

      g_test_message ("%s", cases[i].line);
      g_assert_cmpint (capabilities->size_offered, ==, cases[i].offered);
      g_assert_cmpuint (capabilities->size_limit, ==, cases[i].limit);
    }
}

static void
test_auth_old_syntax (void)
{
  g_autoptr (O365SmtpCapabilities) merged =
    parse_text ("mx\nAUTH LOGIN PLAIN\nAUTH=LOGIN PLAIN CRAM-MD5");
  g_autoptr (O365SmtpCapabilities) old_only = parse_text ("mx\nauth=login");
  g_autoptr (O365SmtpCapabilities) empty = parse_text ("mx\nAUTH=\nAUTH");

  assert_mechanisms (merged, "LOGIN PLAIN CRAM-MD5");
  assert_mechanisms (old_only, "LOGIN");
  assert_mechanisms (empty, "");
}

static void
test_auth_duplicates (void)
{
  g_autoptr (O365SmtpCapabilities) capabilities =
    parse_text ("mx\nAUTH XOAUTH2 login LOGIN xoauth2\nAUTH Login OAUTHBEARER");

  assert_mechanisms (capabilities, "XOAUTH2 LOGIN OAUTHBEARER");
}

static void
test_auth_invalid_names (void)
{
  /* 20 characters is the longest name RFC 4422 allows. */
  g_autoptr (O365SmtpCapabilities) capabilities =
    parse_text ("mx\nAUTH LOGIN X.Y ABCDEFGHIJKLMNOPQRST ABCDEFGHIJKLMNOPQRSTU SCRAM-SHA-256 "
                "X_OAUTH a/b \xc3\xa9t\xc3\xa9 PL\xef\xbf\xbd" "AIN GSSAPI");

  assert_mechanisms (capabilities, "LOGIN ABCDEFGHIJKLMNOPQRST SCRAM-SHA-256 X_OAUTH GSSAPI");
  g_assert_false (o365_smtp_capabilities_has_auth (capabilities, "ABCDEFGHIJKLMNOPQRSTU"));
  g_assert_false (o365_smtp_capabilities_has_auth (capabilities, "X.Y"));
}

static void
test_keyword_parameters_ignored (void)
{
  /* Parameters of the plain extensions do not stop them from counting. */
  g_autoptr (O365SmtpCapabilities) capabilities =
    parse_text ("mx\nSTARTTLS now\nDSN RET\nPIPELINING x");

  g_assert_true (capabilities->starttls);
  g_assert_true (capabilities->dsn);
  g_assert_true (capabilities->pipelining);
  g_assert_false (capabilities->chunking);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);

  g_test_add_func ("/smtp-capabilities/o365/before-tls", test_o365_before_tls);
  g_test_add_func ("/smtp-capabilities/o365/after-tls", test_o365_after_tls);
  g_test_add_func ("/smtp-capabilities/greeting-skipped", test_greeting_skipped);
  g_test_add_func ("/smtp-capabilities/case-insensitive", test_case_insensitive);
  g_test_add_func ("/smtp-capabilities/unknown-keywords", test_unknown_keywords);
  g_test_add_func ("/smtp-capabilities/spaces", test_spaces);
  g_test_add_func ("/smtp-capabilities/size", test_size);
  g_test_add_func ("/smtp-capabilities/auth/old-syntax", test_auth_old_syntax);
  g_test_add_func ("/smtp-capabilities/auth/duplicates", test_auth_duplicates);
  g_test_add_func ("/smtp-capabilities/auth/invalid-names", test_auth_invalid_names);
  g_test_add_func ("/smtp-capabilities/keyword-parameters", test_keyword_parameters_ignored);

  return g_test_run ();
}
