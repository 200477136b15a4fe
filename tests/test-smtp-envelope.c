/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-smtp-envelope.c — envelope refusals and the MAIL/RCPT/DATA lines. */
#include "config.h"

#include "mail-transport-error.h"
#include "o365-smtp-envelope.h"
#include "test-utils.h"

static MailOutgoing *
message (const char *sender, const char *const *recipients, goffset size, MailOutgoingFlags flags)
{
  g_autoptr (GInputStream) empty = g_memory_input_stream_new ();

  return mail_outgoing_new (sender, recipients, empty, size, flags);
}

static O365SmtpCapabilities *
office365_capabilities (void)
{
  g_autoptr (MailReply) ehlo = mail_reply_new (250, NULL,
    "example.outlook.office365.com Hello [192.0.2.1]\nSIZE 157286400\nPIPELINING\nDSN\n"
    "ENHANCEDSTATUSCODES\nAUTH LOGIN XOAUTH2\n8BITMIME\nBINARYMIME\nCHUNKING\nSMTPUTF8");

  return o365_smtp_capabilities_parse (ehlo);
}

static void
test_commands (void)
{
  const char *const recipients[] = { "bob@example.test", "carol@example.test", NULL };
  g_autoptr (O365SmtpCapabilities) capabilities = office365_capabilities ();
  g_autoptr (MailOutgoing) plain = message ("ann@contoso.test", recipients, 1234, MAIL_OUTGOING_NONE);
  g_autoptr (MailOutgoing) eight_bit = message ("ann@contoso.test", recipients, -1, MAIL_OUTGOING_8BIT_BODY);
  const char *const utf8_recipients[] = { "jörg@example.test", NULL };
  g_autoptr (MailOutgoing) utf8 = message ("ann@contoso.test", utf8_recipients, 10, MAIL_OUTGOING_NONE);
  g_autoptr (GPtrArray) commands = NULL;

  commands = o365_smtp_envelope_build_commands (plain, capabilities, NULL);
  g_assert_cmpuint (commands->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (commands, 0), ==, "MAIL FROM:<ann@contoso.test> SIZE=1234\r\n");
  g_assert_cmpstr (g_ptr_array_index (commands, 1), ==, "RCPT TO:<bob@example.test>\r\n");
  g_assert_cmpstr (g_ptr_array_index (commands, 2), ==, "RCPT TO:<carol@example.test>\r\n");
  g_assert_cmpstr (g_ptr_array_index (commands, 3), ==, "DATA\r\n");
  g_clear_pointer (&commands, g_ptr_array_unref);

  commands = o365_smtp_envelope_build_commands (eight_bit, capabilities, NULL);
  g_assert_cmpstr (g_ptr_array_index (commands, 0), ==, "MAIL FROM:<ann@contoso.test> BODY=8BITMIME\r\n");
  g_clear_pointer (&commands, g_ptr_array_unref);

  commands = o365_smtp_envelope_build_commands (utf8, capabilities, NULL);
  g_assert_cmpstr (g_ptr_array_index (commands, 0), ==,
                   "MAIL FROM:<ann@contoso.test> SIZE=10 BODY=8BITMIME SMTPUTF8\r\n");
  g_assert_cmpstr (g_ptr_array_index (commands, 1), ==, "RCPT TO:<jörg@example.test>\r\n");
}

/* DSN (RFC 3461): RET= and ENVID= (as xtext) on MAIL FROM, NOTIFY= on each RCPT TO, only
 * when the server offers DSN. */
static void
test_dsn (void)
{
  const char *const recipients[] = { "bob@example.test", "carol@example.test", NULL };
  g_autoptr (O365SmtpCapabilities) capabilities = office365_capabilities ();
  g_autoptr (MailOutgoing) dsn = message ("ann@contoso.test", recipients, 1234, MAIL_OUTGOING_NONE);
  g_autoptr (GPtrArray) commands = NULL;

  mail_outgoing_set_dsn (dsn, "SUCCESS,FAILURE", "HDRS", "id+1=a b");
  commands = o365_smtp_envelope_build_commands (dsn, capabilities, NULL);
  g_assert_cmpstr (g_ptr_array_index (commands, 0), ==,
                   "MAIL FROM:<ann@contoso.test> SIZE=1234 RET=HDRS ENVID=id+2B1+3Da+20b\r\n");
  g_assert_cmpstr (g_ptr_array_index (commands, 1), ==, "RCPT TO:<bob@example.test> NOTIFY=SUCCESS,FAILURE\r\n");
  g_assert_cmpstr (g_ptr_array_index (commands, 2), ==, "RCPT TO:<carol@example.test> NOTIFY=SUCCESS,FAILURE\r\n");
  g_clear_pointer (&commands, g_ptr_array_unref);

  /* A server without DSN gets none of it. */
  capabilities->dsn = FALSE;
  commands = o365_smtp_envelope_build_commands (dsn, capabilities, NULL);
  g_assert_cmpstr (g_ptr_array_index (commands, 0), ==, "MAIL FROM:<ann@contoso.test> SIZE=1234\r\n");
  g_assert_cmpstr (g_ptr_array_index (commands, 1), ==, "RCPT TO:<bob@example.test>\r\n");
}

static void
test_refusals (void)
{
  g_autoptr (O365SmtpCapabilities) capabilities = office365_capabilities ();
  g_autoptr (MailReply) bare_ehlo = mail_reply_new (250, NULL, "old.example\nSIZE 1000");
  g_autoptr (O365SmtpCapabilities) bare = o365_smtp_capabilities_parse (bare_ehlo);
  const char *const ok[] = { "bob@example.test", NULL };
  const char *const injected[] = { "bob@example.test>\r\nRCPT TO:<evil@example.test", NULL };
  const char *const utf8[] = { "jörg@example.test", NULL };
  const char *const encoded_word[] = { "=?utf-8?q?hidden=40example.test?=", NULL };
  const char *const no_domain[] = { "bob@", NULL };
  struct {
    const char *sender;
    const char *const *recipients;
    goffset size;
    MailOutgoingFlags flags;
    const O365SmtpCapabilities *capabilities;
    MailTransportError code;
  } cases[] = {
    { "ann@contoso.test\r\nRSET", ok, 10, 0, capabilities, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE },
    { "ann@contoso.test", injected, 10, 0, capabilities, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE },
    { "ann\n@contoso.test", ok, 10, 0, capabilities, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE },
    /* Not RFC 5321 Mailboxes: never written into a command line. */
    { "me@@contoso", ok, 10, 0, capabilities, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE },
    { "ann@contoso.test", encoded_word, 10, 0, capabilities, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE },
    { "ann@contoso.test", no_domain, 10, 0, capabilities, MAIL_TRANSPORT_ERROR_INVALID_MESSAGE },
    { "ann@contoso.test", ok, 157286401, 0, capabilities, MAIL_TRANSPORT_ERROR_TOO_LARGE },
    { "ann@contoso.test", ok, 1001, 0, bare, MAIL_TRANSPORT_ERROR_TOO_LARGE },
    { "ann@contoso.test", utf8, 10, 0, bare, MAIL_TRANSPORT_ERROR_UNSUPPORTED },
    { "ann@contoso.test", ok, 10, MAIL_OUTGOING_UTF8_HEADERS, bare, MAIL_TRANSPORT_ERROR_UNSUPPORTED },
    { "ann@contoso.test", ok, 10, MAIL_OUTGOING_8BIT_BODY, bare, MAIL_TRANSPORT_ERROR_UNSUPPORTED },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr (MailOutgoing) m = message (cases[i].sender, cases[i].recipients, cases[i].size, cases[i].flags);
      g_autoptr (GError) error = NULL;

      g_test_message ("case %" G_GSIZE_FORMAT, i);
      g_assert_null (o365_smtp_envelope_build_commands (m, cases[i].capabilities, &error));
      g_assert_error (error, MAIL_TRANSPORT_ERROR, (gint) cases[i].code);
    }
}

static void
test_ehlo_names (void)
{
  g_assert_true (o365_smtp_envelope_check_ehlo_name ("client.test", NULL));
  g_assert_true (o365_smtp_envelope_check_ehlo_name ("[127.0.0.1]", NULL));
  g_assert_true (o365_smtp_envelope_check_ehlo_name ("[IPv6:::1]", NULL));
  g_assert_false (o365_smtp_envelope_check_ehlo_name ("client.test\r\nMAIL FROM:<x>", NULL));
  g_assert_false (o365_smtp_envelope_check_ehlo_name ("", NULL));
  g_assert_false (o365_smtp_envelope_check_ehlo_name ("two words", NULL));
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/envelope/commands", test_commands);
  g_test_add_func ("/envelope/refusals", test_refusals);
  g_test_add_func ("/envelope/dsn", test_dsn);
  g_test_add_func ("/envelope/ehlo-names", test_ehlo_names);
  return g_test_run ();
}
