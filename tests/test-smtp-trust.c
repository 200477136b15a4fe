/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-smtp-trust.c — what verifies the server (issue 12.8): the extra CA file as the anchor,
 * its read errors, the system store consulted for what the extra CA does not know. */
#include "config.h"

#include "mail-transport-error.h"
#include "o365-smtp-trust.h"
#include "test-utils.h"

#define WAIT_MS 10000

typedef struct
{
  gboolean done;
  gboolean ok;
  GError *error;
  GTlsCertificateFlags errors;
} Wait;

static void
on_loaded (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->ok = o365_smtp_trust_wait_finish (O365_SMTP_TRUST (source), result, &wait->error);
  wait->done = TRUE;
}

static void
on_verified (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->errors = o365_smtp_trust_verify_with_system_finish (O365_SMTP_TRUST (source), result, &wait->error);
  wait->done = TRUE;
}

static O365SmtpTrust *
loaded_trust (const char *ca_file, GError **error)
{
  O365SmtpTrust *trust = o365_smtp_trust_new (ca_file);
  Wait wait = { 0 };

  o365_smtp_trust_wait_async (trust, NULL, on_loaded, &wait);
  test_wait_for_flag (&wait.done, WAIT_MS);
  if (wait.error != NULL)
    g_propagate_error (error, wait.error);
  return trust;
}

static GTlsCertificateFlags
verify (O365SmtpTrust *trust, const char *cert_name, const char *host)
{
  g_autofree char *path = test_cert_path (cert_name);
  g_autoptr (GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, NULL);
  g_autoptr (GSocketConnectable) identity = g_network_address_new (host, 587);

  g_assert_nonnull (certificate);
  return g_tls_database_verify_chain (G_TLS_DATABASE (trust), certificate, G_TLS_DATABASE_PURPOSE_AUTHENTICATE_SERVER,
                                      identity, NULL, G_TLS_DATABASE_VERIFY_NONE, NULL, NULL);
}

/* The extra CA vouches for its own server, and for no other name or issuer. */
static void
test_extra_ca_is_the_anchor (void)
{
  g_autofree char *ca = test_cert_path ("ca.pem");
  g_autoptr (GError) error = NULL;
  g_autoptr (O365SmtpTrust) trust = loaded_trust (ca, &error);

  g_assert_no_error (error);
  g_assert_true (o365_smtp_trust_has_extra_ca (trust));
  g_assert_cmpint (verify (trust, "server.pem", "localhost"), ==, 0);
  g_assert_cmpint (verify (trust, "server.pem", "elsewhere.test"), ==, G_TLS_CERTIFICATE_BAD_IDENTITY);
  g_assert_cmpint (verify (trust, "other-ca-leaf.pem", "localhost"), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
  g_assert_true (verify (trust, "expired.pem", "localhost") & G_TLS_CERTIFICATE_EXPIRED);
}

/* An unreadable extra CA file is said at the join, in the contract's words. */
static void
test_unreadable_ca_file (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (O365SmtpTrust) trust = loaded_trust ("/nonexistent/ca.pem", &error);

  g_assert_error (error, MAIL_TRANSPORT_ERROR, MAIL_TRANSPORT_ERROR_TLS);
  g_assert_nonnull (strstr (error->message, "/nonexistent/ca.pem"));
  g_assert_true (o365_smtp_trust_has_extra_ca (trust));
}

/* What the extra CA does not know goes to the system store, in a worker thread; the tests' CA
 * is in no system store. Without an extra CA the system store is the anchor. */
static void
test_system_store (void)
{
  g_autofree char *ca = test_cert_path ("ca.pem");
  g_autofree char *path = test_cert_path ("server.pem");
  g_autoptr (GTlsCertificate) certificate = g_tls_certificate_new_from_file (path, NULL);
  g_autoptr (GSocketConnectable) identity = g_network_address_new ("localhost", 587);
  g_autoptr (GError) error = NULL;
  g_autoptr (O365SmtpTrust) with_extra = loaded_trust (ca, &error);
  g_autoptr (O365SmtpTrust) system_only = NULL;
  Wait wait = { 0 };

  g_assert_no_error (error);
  o365_smtp_trust_verify_with_system_async (with_extra, certificate, identity, NULL, on_verified, &wait);
  test_wait_for_flag (&wait.done, WAIT_MS);
  g_assert_no_error (wait.error);
  g_assert_cmpint (wait.errors, ==, G_TLS_CERTIFICATE_UNKNOWN_CA);

  system_only = loaded_trust (NULL, &error);
  g_assert_no_error (error);
  g_assert_false (o365_smtp_trust_has_extra_ca (system_only));
  g_assert_cmpint (verify (system_only, "server.pem", "localhost"), ==, G_TLS_CERTIFICATE_UNKNOWN_CA);
}

int
main (int argc, char **argv)
{
  test_init (&argc, &argv);
  g_test_add_func ("/trust/extra-ca-is-the-anchor", test_extra_ca_is_the_anchor);
  g_test_add_func ("/trust/unreadable-ca-file", test_unreadable_ca_file);
  g_test_add_func ("/trust/system-store", test_system_store);
  return g_test_run ();
}
