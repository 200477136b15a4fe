/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-address.c — the contract's one address check: RFC 5321 Mailboxes pass, everything a
 * server must never see as one (no domain, a bare label, an encoded word, a line break) fails. */
#include "config.h"

#include "mail-address.h"
#include "test-utils.h"

static void
test_valid (void)
{
  g_autofree char *local_64 = g_strnfill (64, 'a');
  g_autofree char *longest = g_strdup_printf ("%s@example.com", local_64);
  const char *good[] = {
    "someone@example.com", "first.last+tag@sub.example.co.uk", "jörg@müller.example",
    "\"with space\"@example.com", "\"quoted\\\"quote\"@example.com", "o'brien@example.ie",
    "user@[192.0.2.1]", "user@[IPv6:2001:db8::1]", longest,
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("good: %s", good[i]);
      g_assert_true (mail_address_check (good[i], &error));
      g_assert_no_error (error);
    }
}

static void
test_invalid (void)
{
  g_autofree char *local_65 = g_strnfill (65, 'a');
  g_autofree char *long_local = g_strdup_printf ("%s@example.com", local_65);
  g_autofree char *label_64 = g_strnfill (64, 'b');
  g_autofree char *long_label = g_strdup_printf ("a@%s.example.com", label_64);
  g_autofree char *labels = g_strnfill (250, 'c');
  g_autofree char *long_address = NULL;
  struct { const char *address; MailAddressError code; } bad[] = {
    { "", MAIL_ADDRESS_ERROR_EMPTY },
    { "a@example.com\r\nRSET", MAIL_ADDRESS_ERROR_FORBIDDEN_CHARACTER },
    { "a\n@example.com", MAIL_ADDRESS_ERROR_FORBIDDEN_CHARACTER },
    { "a\t@example.com", MAIL_ADDRESS_ERROR_FORBIDDEN_CHARACTER },
    { "\xff@example.com", MAIL_ADDRESS_ERROR_FORBIDDEN_CHARACTER },
    { "not an address", MAIL_ADDRESS_ERROR_NOT_ADDR_SPEC },
    { "bob@", MAIL_ADDRESS_ERROR_NOT_ADDR_SPEC },
    { "@example.com", MAIL_ADDRESS_ERROR_NOT_ADDR_SPEC },
    { "\"unterminated@example.com", MAIL_ADDRESS_ERROR_NOT_ADDR_SPEC },
    { "=?utf-8?q?hidden=40example.test?=", MAIL_ADDRESS_ERROR_ENCODED_WORD },
    { "=?utf-8?q?hidden?=@example.test", MAIL_ADDRESS_ERROR_ENCODED_WORD },
    { "me@@contoso", MAIL_ADDRESS_ERROR_LOCAL_PART },
    { "a b@example.com", MAIL_ADDRESS_ERROR_LOCAL_PART },
    { ".a@example.com", MAIL_ADDRESS_ERROR_LOCAL_PART },
    { "a..b@example.com", MAIL_ADDRESS_ERROR_LOCAL_PART },
    { "a.@example.com", MAIL_ADDRESS_ERROR_LOCAL_PART },
    { "<a@example.com>", MAIL_ADDRESS_ERROR_LOCAL_PART },
    { "a@b", MAIL_ADDRESS_ERROR_DOMAIN },
    { "a@localhost", MAIL_ADDRESS_ERROR_DOMAIN },
    { "a@example..com", MAIL_ADDRESS_ERROR_DOMAIN },
    { "a@example.com.", MAIL_ADDRESS_ERROR_DOMAIN },
    { "a@-example.com", MAIL_ADDRESS_ERROR_DOMAIN },
    { "a@exa_mple.com", MAIL_ADDRESS_ERROR_DOMAIN },
    { "a@example.com>", MAIL_ADDRESS_ERROR_DOMAIN },
    { "a@192.0.2.1", MAIL_ADDRESS_ERROR_DOMAIN },
    { "a@[192.0.2.999]", MAIL_ADDRESS_ERROR_DOMAIN },
    { "a@[IPv6:192.0.2.1]", MAIL_ADDRESS_ERROR_DOMAIN },
    { long_label, MAIL_ADDRESS_ERROR_DOMAIN },
    { long_local, MAIL_ADDRESS_ERROR_TOO_LONG },
    { NULL, MAIL_ADDRESS_ERROR_TOO_LONG },
  };

  /* 255 octets: one more than a path of 256 with its brackets allows. */
  labels[60] = labels[120] = labels[180] = labels[240] = '.';
  long_address = g_strdup_printf ("a@%s.com", labels);
  long_address[255] = '\0';
  bad[G_N_ELEMENTS (bad) - 1].address = long_address;
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("bad: %s", bad[i].address);
      g_assert_false (mail_address_check (bad[i].address, &error));
      g_assert_error (error, MAIL_ADDRESS_ERROR, (gint) bad[i].code);
    }
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/address/valid", test_valid);
  g_test_add_func ("/address/invalid", test_invalid);
  return g_test_run ();
}
