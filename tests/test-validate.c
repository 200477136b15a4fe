/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-validate.c — settings checks refuse bad values with messages a person can act on. */
#include "config.h"

#include "o365-validate.h"
#include "test-utils.h"

static void
test_addresses (void)
{
  const char *good[] = {
    "someone@example.com", "first.last@contoso.onmicrosoft.com", "a+tag@sub.example.co.uk",
    "jörg@müller.example",
  };
  struct { const char *address; const char *message_part; } bad[] = {
    { "", "Enter your e-mail address" },
    { "someone", "such as someone@example.com" },
    { "@example.com", "someone@example.com" },
    { "someone@", "someone@example.com" },
    { "Some One <someone@example.com>", "without a name" },
    { "someone@example.com, other@example.com", "Enter one e-mail address" },
    { "some one@example.com", "someone@example.com" },
    { "someone@example.com\r\nRCPT TO:<x@y>", "not allowed" },
    { "someone@exa_mple.com", "a domain" },
    { "someone@-example.com", "a domain" },
    /* RFC 5321 §2.3.5 allows only fully-qualified domains; Office 365 has no other. */
    { "alice@localhost", "a domain" },
    { "a@b", "a domain" },
    { "me@@contoso", "someone@example.com" },
    { "bob@", "someone@example.com" },
    { ".alice@example.com", "someone@example.com" },
    { "=?utf-8?q?hidden?=@example.com", "not encoded text" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("good: %s", good[i]);
      g_assert_true (o365_validate_address (good[i], &error));
      g_assert_no_error (error);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("bad: %s", bad[i].address);
      g_assert_false (o365_validate_address (bad[i].address, &error));
      g_assert_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_ADDRESS);
      g_assert_nonnull (strstr (error->message, bad[i].message_part));
    }
}

static void
test_servers (void)
{
  const char *good[] = { "smtp.office365.com", "localhost", "smtp.partner.outlook.cn", "SMTP.Office365.US." };
  const char *bad[] = { "", "127.0.0.1", "::1", "smtp office365.com", "smtp..com", "-smtp.com",
                        "smtp_1.example", "smtp.office365.com:587" };

  for (gsize i = 0; i < G_N_ELEMENTS (good); i++)
    g_assert_true (o365_validate_server (good[i], NULL));
  for (gsize i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("bad server: %s", bad[i]);
      g_assert_false (o365_validate_server (bad[i], &error));
      g_assert_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_SERVER);
    }
  {
    g_autoptr (GError) error = NULL;

    g_assert_false (o365_validate_server ("10.0.0.1", &error));
    g_assert_nonnull (strstr (error->message, "not its IP address"));
  }
}

static void
test_ports_and_timeouts (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (o365_validate_port (1, NULL));
  g_assert_true (o365_validate_port (587, NULL));
  g_assert_true (o365_validate_port (65535, NULL));
  g_assert_false (o365_validate_port (0, NULL));
  g_assert_false (o365_validate_port (65536, &error));
  g_assert_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_PORT);
  g_assert_nonnull (strstr (error->message, "1 to 65535"));
  g_clear_error (&error);

  g_assert_true (o365_validate_timeout (O365_TIMEOUT_MIN_SECONDS, NULL));
  g_assert_true (o365_validate_timeout (O365_TIMEOUT_MAX_SECONDS, NULL));
  g_assert_false (o365_validate_timeout (O365_TIMEOUT_MIN_SECONDS - 1, NULL));
  g_assert_false (o365_validate_timeout (O365_TIMEOUT_MAX_SECONDS + 1, &error));
  g_assert_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_TIMEOUT);
}

static void
test_usernames (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (o365_validate_username ("", NULL));
  g_assert_true (o365_validate_username ("upn@contoso.onmicrosoft.com", NULL));
  g_assert_false (o365_validate_username ("user\nAUTH PLAIN", &error));
  g_assert_error (error, O365_SETTINGS_ERROR, O365_SETTINGS_ERROR_INVALID_USERNAME);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/validate/addresses", test_addresses);
  g_test_add_func ("/validate/servers", test_servers);
  g_test_add_func ("/validate/ports-and-timeouts", test_ports_and_timeouts);
  g_test_add_func ("/validate/usernames", test_usernames);
  return g_test_run ();
}
