/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* test-host-cycle.c — a mail client's whole life with the plug-in, in one process: the Office 365
 * plug-in loaded, unloaded and loaded again through the host's loader, then one message sent
 * through the account it provides (its password in a real gnome-keyring, the tests'
 * Office-365-like server), then the account removed.
 *
 * Only the host library is linked: everything the plug-in does runs from the module. The ASan
 * build checks it for leaks like every test; .ci/sanitize also runs it under valgrind memcheck
 * (the "valgrind" suite), which sees what ASan cannot: uninitialised reads, and the module's
 * own code as a host without sanitizers loads it. */
#include "config.h"

#include "harness-fixture.h"
#include "mail-account-type.h"
#include "mail-account.h"
#include "mail-plugin-loader.h"
#include "mail-transport.h"
#include "smtp-test-server.h"
#include "test-utils.h"

#define USER "alice@contoso.test"
#define PASSWORD "correct horse battery staple"
#define WAIT_MS 60000

static const char message_text[] =
  "From: Alice <alice@contoso.test>\n"
  "To: Bob <bob@example.test>\n"
  "Subject: one cycle\n"
  "\n"
  "Sent after the plug-in was loaded, unloaded and loaded again.\n"
  ".a line with a leading dot\n";

typedef struct
{
  gboolean done;
  GAsyncResult *result;
} Wait;

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  wait->done = TRUE;
}

static MailAccount *
create_account (MailPluginLoader *loader, SmtpTestServer *server)
{
  MailAccountType *type = mail_plugin_loader_find_account_type (loader, "office365");
  g_autoptr (GError) error = NULL;
  g_autofree char *ca_file = test_cert_path ("ca.pem");
  MailAccount *account;

  g_assert_nonnull (type);
  account = mail_account_type_create_account (type, "cycle", &error);
  g_assert_no_error (error);
  g_object_set (account,
                "address", USER,
                "server", "localhost",
                "port", (guint) smtp_test_server_get_port (server),
                "ca-file", ca_file,
                "auth-method", "password",
                NULL);
  return account;
}

static void
store_password (MailAccount *account)
{
  Wait wait = { 0 };
  g_autoptr (GError) error = NULL;

  mail_account_store_secret_async (account, PASSWORD, NULL, on_done, &wait);
  test_wait_for_flag (&wait.done, WAIT_MS);
  g_assert_true (mail_account_store_secret_finish (account, wait.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

static void
send_one (MailAccount *account)
{
  const char *const recipients[] = { "bob@example.test", NULL };
  g_autoptr (GInputStream) content = g_memory_input_stream_new_from_data (message_text, -1, NULL);
  g_autoptr (MailOutgoing) message = mail_outgoing_new (USER, recipients, content,
                                                        (goffset) strlen (message_text),
                                                        MAIL_OUTGOING_NONE);
  g_autoptr (GPtrArray) messages = g_ptr_array_new ();
  g_autoptr (GPtrArray) submissions = NULL;
  g_autoptr (MailTransport) transport = NULL;
  g_autoptr (GError) error = NULL;
  Wait wait = { 0 };
  MailSubmission *submission;

  transport = mail_account_create_transport (account, &error);
  g_assert_no_error (error);
  g_ptr_array_add (messages, message);
  mail_transport_submit_async (transport, messages, NULL, on_done, &wait);
  test_wait_for_flag (&wait.done, WAIT_MS);
  submissions = mail_transport_submit_finish (transport, wait.result, &error);
  g_object_unref (wait.result);
  g_assert_no_error (error);
  g_assert_cmpuint (submissions->len, ==, 1);
  submission = g_ptr_array_index (submissions, 0);
  if (mail_submission_get_error (submission) != NULL)
    g_test_message ("%s", mail_submission_get_error (submission)->message);
  g_assert_cmpint (mail_submission_get_status (submission), ==, MAIL_SUBMISSION_SENT);
}

static void
remove_account (MailAccount *account)
{
  Wait wait = { 0 };
  g_autoptr (GError) error = NULL;

  mail_account_remove_async (account, NULL, on_done, &wait);
  test_wait_for_flag (&wait.done, WAIT_MS);
  g_assert_true (mail_account_remove_finish (account, wait.result, &error));
  g_assert_no_error (error);
  g_object_unref (wait.result);
}

static void
test_load_unload_load_send (void)
{
  g_autoptr (SmtpTestServer) server = smtp_test_server_new_office365 ();
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (MailAccount) account = NULL;
  g_autoptr (GError) error = NULL;
  MailPlugin *plugin;

  smtp_test_server_set_credentials (server, USER, PASSWORD, NULL);
  g_assert_true (smtp_test_server_start (server, 0, &error));
  g_assert_no_error (error);

  g_assert_true (mail_plugin_loader_load_all (loader, failures, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (failures->len, ==, 0);
  plugin = mail_plugin_loader_find_plugin (loader, "office365");
  g_assert_nonnull (plugin);
  mail_plugin_deactivate (plugin);
  g_assert_null (mail_plugin_loader_find_account_type (loader, "office365"));
  g_assert_true (mail_plugin_activate (plugin, &error));
  g_assert_no_error (error);

  account = create_account (loader, server);
  store_password (account);
  send_one (account);
  remove_account (account);

  g_assert_true (smtp_test_server_wait_idle (server, WAIT_MS));
  g_assert_cmpuint (smtp_test_server_get_n_messages (server), ==, 1);
  g_assert_cmpstr (smtp_test_server_get_message (server, 0)->mail_from, ==, USER);
  smtp_test_server_stop (server);
}

int
main (int argc, char **argv)
{
  g_autoptr (HarnessFixture) keyring = NULL;
  const char *const shared[] = { "DBUS_SESSION_BUS_ADDRESS", "GNOME_KEYRING_CONTROL", NULL };
  int status;

  test_init (&argc, &argv);
  keyring = harness_fixture_start ("keyring-harness", NULL);
  for (guint i = 0; shared[i] != NULL; i++)
    g_setenv (shared[i], harness_fixture_get (keyring, shared[i]), TRUE);
  g_test_add_func ("/host-cycle/load-unload-load-send", test_load_unload_load_send);
  status = g_test_run ();
  harness_fixture_stop (keyring);
  return status;
}
