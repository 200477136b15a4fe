/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-tls-identity.c — RFC 9525 name matching, and the check on the test certificates. */
#include "config.h"

#include "mail-transport-error.h"
#include "o365-smtp-tls-identity.h"
#include "test-utils.h"

static void
test_name_matching (void)
{
  struct { const char *pattern, *host; gboolean match; } cases[] = {
    { "smtp.office365.com", "smtp.office365.com", TRUE },
    { "SMTP.Office365.COM", "smtp.office365.com", TRUE },
    { "smtp.office365.com.", "smtp.office365.com", TRUE },
    { "*.office365.com", "smtp.office365.com", TRUE },
    { "*.office365.com", "office365.com", FALSE },
    { "*.office365.com", "a.smtp.office365.com", FALSE },
    { "*.com", "office365.com", FALSE },
    { "*", "localhost", FALSE },
    { "*.localhost", "localhost", FALSE },
    { "s*.office365.com", "smtp.office365.com", FALSE },
    { "*smtp.office365.com", "smtp.office365.com", FALSE },
    { "smtp.*.com", "smtp.office365.com", FALSE },
    { "local*", "localhost", FALSE },
    { "outlook.com", "smtp.office365.com", FALSE },
    { "127.0.0.1", "127.0.0.1", FALSE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_test_message ("%s vs %s", cases[i].pattern, cases[i].host);
      g_assert_cmpint (o365_tls_dns_name_matches (cases[i].pattern, cases[i].host), ==, cases[i].match);
    }
}

static void
check_certificate (const char *name, const char *host, gboolean valid)
{
  g_autofree char *path = test_cert_path (name);
  g_autoptr (GError) error = NULL;
  g_autoptr (GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, &error);

  g_assert_no_error (error);
  g_test_message ("%s for %s", name, host);
  g_assert_cmpint (o365_tls_identity_check (certificate, host, &error), ==, valid);
  if (!valid)
    {
      g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TLS);
      g_assert_nonnull (strstr (error->message, host));
    }
}

static void
test_test_certificates (void)
{
  check_certificate ("server.pem", "localhost", TRUE);
  check_certificate ("server.pem", "other.test", FALSE);
  check_certificate ("wrong-name.pem", "localhost", FALSE);
  /* CN=localhost but no subjectAltName: GnuTLS would accept it, RFC 9525 does not. */
  check_certificate ("cn-only.pem", "localhost", FALSE);
  check_certificate ("bad-wildcard.pem", "localhost", FALSE);
  check_certificate ("partial-wildcard.pem", "localhost", FALSE);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/tls-identity/name-matching", test_name_matching);
  g_test_add_func ("/tls-identity/test-certificates", test_test_certificates);
  return g_test_run ();
}
