/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* host.c — a mail host built outside the tree, against the installed contract only:
 *
 *   cc host.c -o host $(pkg-config --cflags --libs o365-mailhost-1)
 *   O365_ACCOUNT_PLUGIN_PATH=DIR ./host ADDRESS SERVER PORT CA_FILE RECIPIENT... < password
 *
 * It loads the plug-ins in $O365_ACCOUNT_PLUGIN_PATH (or the installed directory), adds an
 * office365 account for ADDRESS with the password read from stdin (into the keyring), sends one
 * message to the RECIPIENTs and removes the account again. It says what it did on stdout, one
 * "what: value" line each, for tests/test-installed-host.py to check. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <o365-mailhost.h>

static const char message_text[] =
  "From: Installed Host <installed@contoso.test>\n"
  "To: Bob <bob@example.test>\n"
  "Subject: from a host built against the installed headers\n"
  "\n"
  "Built with pkg-config o365-mailhost-1.\n";

static void
on_done (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

/* Runs the default main context until on_done() has set @result. */
static GAsyncResult *
wait_for (GAsyncResult **result)
{
  while (*result == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *result;
}

static char *
read_password (void)
{
  char line[1024];

  if (fgets (line, sizeof line, stdin) == NULL)
    return NULL;
  line[strcspn (line, "\r\n")] = '\0';
  return g_strdup (line);
}

static int
fail (const char *what, const GError *error)
{
  g_printerr ("host: %s: %s\n", what, error != NULL ? error->message : "failed");
  return EXIT_FAILURE;
}

int
main (int argc, char **argv)
{
  g_autoptr (MailPluginLoader) loader = mail_plugin_loader_new ();
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  g_autoptr (GPtrArray) types = NULL;
  g_autoptr (MailAccount) account = NULL;
  g_autoptr (MailTransport) transport = NULL;
  g_autoptr (GInputStream) content = NULL;
  g_autoptr (MailOutgoing) message = NULL;
  g_autoptr (GPtrArray) messages = g_ptr_array_new ();
  g_autoptr (GPtrArray) submissions = NULL;
  g_autoptr (GAsyncResult) stored = NULL, sent = NULL, removed = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *account_id = mail_account_registry_new_id ();
  g_autofree char *password = NULL;
  g_autofree char *status = NULL;
  MailAccountType *type;
  MailSubmission *submission;
  MailReply *final_reply;
  gboolean ok;

  if (argc < 6)
    {
      g_printerr ("usage: %s ADDRESS SERVER PORT CA_FILE RECIPIENT... < password\n", argv[0]);
      return 2;
    }

  ok = mail_plugin_loader_load_all (loader, failures, &error);
  for (guint i = 0; i < failures->len; i++)
    g_printerr ("host: %s\n", ((GError *) g_ptr_array_index (failures, i))->message);
  if (!ok)
    return fail ("loading plug-ins", error);
  for (guint i = 0; i < mail_plugin_loader_get_plugins (loader)->len; i++)
    g_print ("plugin: %s\n",
             mail_plugin_get_path (g_ptr_array_index (mail_plugin_loader_get_plugins (loader), i)));
  types = mail_plugin_loader_list_account_types (loader);
  for (guint i = 0; i < types->len; i++)
    g_print ("account-type: %s\n", mail_account_type_get_id (g_ptr_array_index (types, i)));

  type = mail_plugin_loader_find_account_type (loader, "office365");
  if (type == NULL)
    return fail ("no office365 account type", NULL);
  account = mail_account_type_create_account (type, account_id, &error);
  if (account == NULL)
    return fail ("creating the account", error);
  g_object_set (account, "address", argv[1], "server", argv[2],
                "port", (guint) g_ascii_strtoull (argv[3], NULL, 10), "ca-file", argv[4],
                "auth-method", "password", NULL);
  if (!mail_account_save (account, &error))
    return fail ("saving the account", error);

  password = read_password ();
  if (password == NULL)
    return fail ("no password on stdin", NULL);
  mail_account_store_secret_async (account, password, NULL, on_done, &stored);
  if (!mail_account_store_secret_finish (account, wait_for (&stored), &error))
    return fail ("storing the password", error);

  content = g_memory_input_stream_new_from_data (message_text, -1, NULL);
  message = mail_outgoing_new (argv[1], (const char *const *) argv + 5, content,
                               (goffset) strlen (message_text), MAIL_OUTGOING_NONE);
  g_ptr_array_add (messages, message);
  transport = mail_account_create_transport (account, &error);
  if (transport == NULL)
    return fail ("creating the transport", error);
  mail_transport_submit_async (transport, messages, NULL, on_done, &sent);
  submissions = mail_transport_submit_finish (transport, wait_for (&sent), &error);
  if (submissions == NULL)
    return fail ("sending", error);

  submission = g_ptr_array_index (submissions, 0);
  for (guint i = 0; i < mail_submission_get_n_recipients (submission); i++)
    {
      MailReply *recipient_reply = mail_submission_get_recipient_reply (submission, i);
      g_autofree char *reply = mail_reply_to_string (recipient_reply);

      g_print ("recipient: %s: %s\n", mail_submission_get_recipient (submission, i), reply);
    }
  final_reply = mail_submission_get_final_reply (submission);
  if (final_reply != NULL)
    {
      g_autofree char *reply = mail_reply_to_string (final_reply);

      g_print ("final-reply: %s\n", reply);
    }
  status = g_enum_to_string (MAIL_TYPE_SUBMISSION_STATUS, mail_submission_get_status (submission));
  g_print ("status: %s\n", status);

  mail_account_remove_async (account, NULL, on_done, &removed);
  if (!mail_account_remove_finish (account, wait_for (&removed), &error))
    return fail ("removing the account", error);
  return mail_submission_get_status (submission) == MAIL_SUBMISSION_SENT ? EXIT_SUCCESS
                                                                        : EXIT_FAILURE;
}
