/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-credentials.c — the plug-in's keyring code against a real gnome-keyring-daemon on a
 * private D-Bus session (keyring-harness): store, look up, clear; what other tools see. */
#include "config.h"

#include <libsecret/secret.h>

#include "harness-fixture.h"
#include "o365-account.h"
#include "o365-credentials.h"
#include "test-utils.h"

typedef struct
{
  gboolean done;
  gboolean ok;
  char *secret;
  GError *error;
} Wait;

static void
wait_clear (Wait *wait)
{
  g_clear_pointer (&wait->secret, secret_password_free);
  g_clear_error (&wait->error);
  wait->done = FALSE;
}

static void
on_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->ok = o365_credentials_store_finish (result, &wait->error);
  wait->done = TRUE;
}

static void
on_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->secret = o365_credentials_lookup_finish (result, &wait->error);
  wait->done = TRUE;
}

static void
on_cleared (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->ok = o365_credentials_clear_finish (result, &wait->error);
  wait->done = TRUE;
}

static void
store (const char *id, const char *address, O365SecretKind kind, const char *secret)
{
  Wait wait = { 0 };

  o365_credentials_store_async (id, address, kind, secret, NULL, on_stored, &wait);
  test_wait_for_flag (&wait.done, 10000);
  g_assert_no_error (wait.error);
  g_assert_true (wait.ok);
}

/* Returns the stored secret, or NULL with @error_code set. */
static char *
lookup (const char *id, O365SecretKind kind, gint *error_code)
{
  Wait wait = { 0 };
  char *secret;

  o365_credentials_lookup_async (id, kind, NULL, on_looked_up, &wait);
  test_wait_for_flag (&wait.done, 10000);
  if (wait.error != NULL)
    {
      g_assert_true (wait.error->domain == O365_CREDENTIALS_ERROR);
      *error_code = wait.error->code;
    }
  secret = g_steal_pointer (&wait.secret);
  wait_clear (&wait);
  return secret;
}

static void
clear (const char *id)
{
  Wait wait = { 0 };

  o365_credentials_clear_async (id, NULL, on_cleared, &wait);
  test_wait_for_flag (&wait.done, 10000);
  g_assert_no_error (wait.error);
  g_assert_true (wait.ok);
}

static char *
secret_tool_search (const char *id)
{
  const char *argv[] = { "secret-tool", "search", "--all", "account-id", id, NULL };
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                               &out, &err, NULL, &error));
  g_assert_no_error (error);
  /* secret-tool prints the attributes on stderr and the rest on stdout. */
  return g_strconcat (out, err, NULL);
}

static void
test_round_trip (void)
{
  g_autofree char *password = NULL, *app_password = NULL, *after_clear = NULL;
  g_autofree char *seen = NULL, *seen_after = NULL;
  gint code = -1;

  store ("round-trip", "ann@contoso.test", O365_SECRET_PASSWORD, "pässwörd with spaces");
  store ("round-trip", "ann@contoso.test", O365_SECRET_APP_PASSWORD, "abcdefghijklmnop");

  password = lookup ("round-trip", O365_SECRET_PASSWORD, &code);
  g_assert_cmpstr (password, ==, "pässwörd with spaces");
  app_password = lookup ("round-trip", O365_SECRET_APP_PASSWORD, &code);
  g_assert_cmpstr (app_password, ==, "abcdefghijklmnop");

  /* What a person (or Seahorse) sees: the project's schema, its attributes, a clear label. */
  seen = secret_tool_search ("round-trip");
  g_test_message ("%s", seen);
  g_assert_nonnull (strstr (seen, "schema = org.o365account.Credential"));
  g_assert_nonnull (strstr (seen, "attribute.address = ann@contoso.test"));
  g_assert_nonnull (strstr (seen, "attribute.kind = password"));
  g_assert_nonnull (strstr (seen, "attribute.kind = app-password"));
  g_assert_nonnull (strstr (seen, "label = Office 365 password for ann@contoso.test"));

  clear ("round-trip");
  after_clear = lookup ("round-trip", O365_SECRET_PASSWORD, &code);
  g_assert_null (after_clear);
  g_assert_cmpint (code, ==, O365_CREDENTIALS_ERROR_NOT_FOUND);
  seen_after = secret_tool_search ("round-trip");
  g_assert_null (strstr (seen_after, "org.o365account.Credential"));
}

static void
test_replacing_keeps_one_item (void)
{
  g_autofree char *secret = NULL, *seen = NULL;
  gint code = -1;
  const char *p;
  guint items = 0;

  store ("replace", "bob@contoso.test", O365_SECRET_PASSWORD, "first");
  store ("replace", "bob@contoso.test", O365_SECRET_PASSWORD, "second");
  secret = lookup ("replace", O365_SECRET_PASSWORD, &code);
  g_assert_cmpstr (secret, ==, "second");
  seen = secret_tool_search ("replace");
  for (p = strstr (seen, "attribute.kind"); p != NULL; p = strstr (p + 1, "attribute.kind"))
    items++;
  g_assert_cmpuint (items, ==, 1);
  clear ("replace");
}

static void
test_accounts_do_not_see_each_other (void)
{
  g_autofree char *other = NULL;
  gint code = -1;

  store ("first-account", "ann@contoso.test", O365_SECRET_PASSWORD, "ann's");
  other = lookup ("second-account", O365_SECRET_PASSWORD, &code);
  g_assert_null (other);
  g_assert_cmpint (code, ==, O365_CREDENTIALS_ERROR_NOT_FOUND);
  clear ("first-account");
}

static void
test_no_secret_service_is_a_clear_error (void)
{
  if (g_test_subprocess ())
    {
      Wait wait = { 0 };

      /* A bus nobody listens on: libsecret cannot reach any Secret Service. */
      g_setenv ("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/o365-account-test-bus", TRUE);
      o365_credentials_store_async ("nowhere", "ann@contoso.test", O365_SECRET_PASSWORD, "x",
                                    NULL, on_stored, &wait);
      test_wait_for_flag (&wait.done, 10000);
      g_assert_false (wait.ok);
      g_assert_error (wait.error, O365_CREDENTIALS_ERROR, O365_CREDENTIALS_ERROR_UNAVAILABLE);
      g_printerr ("%s", wait.error->message);
      wait_clear (&wait);
      return;
    }
  g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*keyring (Secret Service) is not available*only ever kept there*");
}

int
main (int argc, char **argv)
{
  g_autoptr (HarnessFixture) keyring = NULL;
  const char *const shared[] = { "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", NULL };
  int status;

  test_init (&argc, &argv);
  /* Subprocesses inherit the parent's bus (or replace it); only the parent starts one. */
  if (!g_test_subprocess ())
    {
      keyring = harness_fixture_start ("keyring-harness", NULL);
      for (guint i = 0; shared[i] != NULL; i++)
        g_setenv (shared[i], harness_fixture_get (keyring, shared[i]), TRUE);
    }
  g_test_add_func ("/credentials/round-trip", test_round_trip);
  g_test_add_func ("/credentials/replacing-keeps-one-item", test_replacing_keeps_one_item);
  g_test_add_func ("/credentials/accounts-do-not-see-each-other", test_accounts_do_not_see_each_other);
  g_test_add_func ("/credentials/no-secret-service-is-a-clear-error", test_no_secret_service_is_a_clear_error);
  status = g_test_run ();
  return status;
}
