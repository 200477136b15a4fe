/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-account.c — the reference host program for managing accounts.
 *
 *   o365-account list-types                 the account types the plug-ins provide
 *   o365-account add ADDRESS [options]      a new account; its password goes to the keyring
 *                                           (--auth oauth2: “Sign in with Microsoft” here)
 *   o365-account edit ADDRESS [options]     change its settings (--auth oauth2: sign in first)
 *   o365-account sign-in ADDRESS [--browser] sign in with Microsoft again
 *   o365-account list                       the configured accounts
 *   o365-account show ADDRESS               one account's settings (never its secret)
 *   o365-account remove ADDRESS             settings and keyring items
 *   o365-account test ADDRESS               connect, STARTTLS, sign in, QUIT
 *   o365-account flush [ADDRESS]            send what the outbox holds (as o365-send --flush)
 *   o365-account setup [ADDRESS]            the settings dialog, for a new or an existing account
 *   o365-account --version                  the version and the libraries in use (also after
 *                                           any command)
 *
 * Exit codes follow sysexits.h, as sendmail-compatible tools do.
 */
#include "config.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gi18n.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <sysexits.h>
#include <unistd.h>

#include "host-accounts.h"
#include "host-complain.h"
#include "host-endpoint.h"
#include "host-exit-status.h"
#include "host-outbox.h"
#include "host-password.h"
#include "host-schema.h"
#include "host-secrets.h"
#include "host-version.h"
#include "mail-account-registry.h"
#include "mail-i18n.h"
#include "mail-sign-in.h"
#include "mail-transport.h"

typedef int (*CommandFunc) (int argc, char **argv);

typedef struct
{
  const char *name;
  CommandFunc run;
  const char *arguments;
  const char *summary;
  const char *example; /* a command line, for COMMAND --help */
} Command;

static const Command *find_command (const char *name);

#define complain(...) host_complain ("o365-account", __VA_ARGS__)

static int
fail (int status, const GError *error)
{
  complain ("%s", error->message);
  return status;
}

/* Needs no account, keyring or settings. */
static int
print_version (void)
{
  host_version_print ("o365-account");
  return EX_OK;
}

/* Parses @entries (NULL: none) from argv (after the command name); leaves the positional
 * arguments. Returns -1 to go on, else the status to exit with (the reason printed). */
static int
parse_options (const char *parameter, const GOptionEntry *entries, int *argc, char ***argv)
{
  g_autoptr (GOptionContext) context = g_option_context_new (parameter);
  g_autoptr (GError) error = NULL;
  const Command *command = find_command ((*argv)[0]);
  gboolean version = FALSE;

  /* COMMAND --help: what it does in one line, and an example. */
  if (command != NULL)
    {
      g_autofree char *example = g_strdup_printf (_("Example:\n  %s"), command->example);

      g_option_context_set_summary (context, _(command->summary));
      g_option_context_set_description (context, example);
    }
  if (entries != NULL)
    g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  host_version_add_option (context, &version);
  if (!g_option_context_parse (context, argc, argv, &error))
    return fail (EX_USAGE, error);
  if (version)
    return print_version ();
  return -1;
}

/* The plug-ins, in *@loader; returns -1, else the status to exit with (the reason printed). */
static int
load_plugins (MailPluginLoader **loader)
{
  return host_load_plugins_checked ("o365-account", loader);
}

/* How the commands that act on one account begin: their options, exactly one ADDRESS (else
 * @usage), the plug-ins and the account. Returns -1 with *@loader and *@account set, else the
 * status to exit with (the reason printed). */
static int
open_account (const GOptionEntry *entries, const char *usage, int *argc, char ***argv,
              MailPluginLoader **loader, MailAccount **account)
{
  g_autoptr (GError) error = NULL;
  int status = parse_options (_("ADDRESS"), entries, argc, argv);

  if (status >= 0)
    return status;
  if (*argc != 2)
    {
      g_printerr ("%s", usage);
      return EX_USAGE;
    }
  status = load_plugins (loader);
  if (status >= 0)
    return status;
  *account = host_find_account (*loader, (*argv)[1], &error);
  return *account != NULL ? -1 : fail (EX_NOUSER, error);
}

static void
print_debug_line (MailTransport *transport, const char *line, gpointer user_data)
{
  g_printerr ("%s\n", line);
}

/* --- list-types ----------------------------------------------------------------------------- */

static void
print_account_type (MailAccountType *type, MailPlugin *plugin)
{
  const MailPluginInfo *info = mail_plugin_get_info (plugin);
  const MailEndpoint *preferred = mail_account_type_get_default_endpoint (type);
  g_autofree char *username = mail_account_type_dup_default_username (type, "someone@example.com");
  const MailEndpoint *const *endpoints;
  guint n_endpoints = 0;

  g_print ("%s\t%s\n", mail_account_type_get_id (type), mail_account_type_get_display_name (type));
  g_print (_("  plug-in:      %s %s (%s), %s\n"), info->id, info->version, info->license,
           mail_plugin_get_path (plugin));
  g_print (_("  server:       %s\n"), preferred->host);
  g_print (_("  port:         %u\n"), preferred->port);
  g_print (_("  security:     %s\n"), mail_security_to_string (preferred->security));
  g_print (_("  user name:    the e-mail address (someone@example.com → %s)\n"), username);
  g_print (_("  endpoints:\n"));
  endpoints = mail_account_type_get_endpoints (type, &n_endpoints);
  for (guint i = 0; i < n_endpoints; i++)
    g_print ("    %-10s %s:%u %s — %s\n", endpoints[i]->id, endpoints[i]->host, endpoints[i]->port,
             mail_security_to_string (endpoints[i]->security), endpoints[i]->name);
}

static int
command_list_types (int argc, char **argv)
{
  g_autoptr (MailPluginLoader) loader = NULL;
  GPtrArray *plugins;
  guint shown = 0;
  int status = parse_options ("", NULL, &argc, &argv);

  if (status >= 0 || (status = load_plugins (&loader)) >= 0)
    return status;

  plugins = mail_plugin_loader_get_plugins (loader);
  for (guint i = 0; i < plugins->len; i++)
    {
      MailPlugin *plugin = g_ptr_array_index (plugins, i);
      GListModel *types = mail_plugin_get_account_types (plugin);

      for (guint j = 0; j < g_list_model_get_n_items (types); j++)
        {
          g_autoptr (MailAccountType) type = g_list_model_get_item (types, j);

          if (shown++ > 0)
            g_print ("\n");
          print_account_type (type, plugin);
        }
    }
  if (shown == 0)
    {
      complain (_("the plug-ins loaded provide no account type"));
      return EX_UNAVAILABLE;
    }
  return EX_OK;
}

/* --- add ------------------------------------------------------------------------------------ */

/* Printed on stdout, flushed at once: the person (or a script) acts on it while we wait. */
static void
on_user_code (MailSignIn *sign_in, const char *verification_uri, const char *user_code, guint expires_in,
              gpointer user_data)
{
  g_print (_("To sign in, open %s in a web browser (on this or any other device) and enter the "
             "code %s\n"), verification_uri, user_code);
  g_print (_("The code is valid for %u minutes.\n"), (expires_in + 59) / 60);
  fflush (stdout);
}

static gboolean
on_open_uri (MailSignIn *sign_in, const char *uri, gpointer user_data)
{
  g_print (_("Opening the sign-in page in your web browser. If no browser opens, open this "
             "address in a browser on this computer:\n  %s\n"), uri);
  fflush (stdout);
  /* The desktop's default browser opens it (the plug-in asks). */
  return FALSE;
}

static void
on_sign_in_status (MailSignIn *sign_in, const char *message, gpointer user_data)
{
  g_printerr ("%s\n", message);
}

static gboolean
on_interrupt (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

/* “Sign in with Microsoft” in this terminal: the device code flow, or with @browser the browser
 * flow; Ctrl-C cancels it cleanly. The refresh token goes to the keyring, never to a file,
 * the settings or the command line. */
static gboolean
sign_in_here (MailAccount *account, gboolean browser, GError **error)
{
  g_autoptr (MailSignIn) sign_in = mail_sign_in_new (browser ? MAIL_SIGN_IN_FLOW_BROWSER
                                                             : MAIL_SIGN_IN_FLOW_DEVICE_CODE);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GAsyncResult) result = NULL;
  guint interrupt;

  if (!mail_account_can_sign_in (account))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                           _("This kind of account has no “Sign in with Microsoft”"));
      return FALSE;
    }
  g_signal_connect (sign_in, "user-code", G_CALLBACK (on_user_code), NULL);
  g_signal_connect (sign_in, "open-uri", G_CALLBACK (on_open_uri), NULL);
  g_signal_connect (sign_in, "status", G_CALLBACK (on_sign_in_status), NULL);
  interrupt = g_unix_signal_add (SIGINT, on_interrupt, cancellable);
  mail_account_sign_in_async (account, sign_in, cancellable, host_keep_result, &result);
  host_wait_for_result (&result);
  g_source_remove (interrupt);
  return mail_account_sign_in_finish (account, result, error);
}

static gboolean
set_if_given (MailAccount *account, const char *property, const char *value)
{
  if (value == NULL)
    return TRUE;
  if (g_object_class_find_property (G_OBJECT_GET_CLASS (account), property) == NULL)
    return FALSE;
  g_object_set (account, property, value, NULL);
  return TRUE;
}

/* The settings add and edit take: one table, so that a new setting is one line in each. */
typedef struct
{
  char *auth, *server, *ca_file, *display_name, *username, *type_id, *endpoint;
  char *tenant, *client_id, *authority, *transport;
  gboolean password_stdin, browser;
  int port, timeout;
} AccountOptions;

static void
account_options_clear (AccountOptions *options)
{
  g_free (options->auth);
  g_free (options->server);
  g_free (options->ca_file);
  g_free (options->display_name);
  g_free (options->username);
  g_free (options->type_id);
  g_free (options->endpoint);
  g_free (options->tenant);
  g_free (options->client_id);
  g_free (options->authority);
  g_free (options->transport);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (AccountOptions, account_options_clear)

/* Returns: (transfer full): the option table writing into @o. */
static GOptionEntry *
account_option_entries (AccountOptions *o)
{
  const GOptionEntry entries[] = {
    { "auth", 0, 0, G_OPTION_ARG_STRING, &o->auth, N_("Sign-in method: password, app-password or oauth2"), N_("METHOD") },
    { "endpoint", 0, 0, G_OPTION_ARG_STRING, &o->endpoint, N_("Service preset, as list-types shows them (sets server and port)"), N_("ID") },
    { "server", 0, 0, G_OPTION_ARG_STRING, &o->server, N_("Submission server (default: smtp.office365.com)"), N_("HOST") },
    { "port", 0, 0, G_OPTION_ARG_INT, &o->port, N_("Submission port (default: 587)"), N_("N") },
    { "timeout", 0, 0, G_OPTION_ARG_INT, &o->timeout, N_("Network timeout in seconds (default: 300)"), N_("SECONDS") },
    { "ca-file", 0, 0, G_OPTION_ARG_FILENAME, &o->ca_file, N_("Extra trusted CA certificates (PEM)"), N_("FILE") },
    { "display-name", 0, 0, G_OPTION_ARG_STRING, &o->display_name, N_("Your name as recipients see it"), N_("NAME") },
    { "username", 0, 0, G_OPTION_ARG_STRING, &o->username, N_("Sign-in name when it is not the address"), N_("NAME") },
    { "type", 0, 0, G_OPTION_ARG_STRING, &o->type_id, N_("Account type (default: office365)"), N_("TYPE") },
    { "password-stdin", 0, 0, G_OPTION_ARG_NONE, &o->password_stdin, N_("Read the password from standard input"), NULL },
    { "browser", 0, 0, G_OPTION_ARG_NONE, &o->browser, N_("oauth2: sign in in this computer’s web browser instead of with a code"), NULL },
    { "tenant", 0, 0, G_OPTION_ARG_STRING, &o->tenant, N_("oauth2: organizations (default), common, consumers, a tenant id or domain"), N_("TENANT") },
    { "client-id", 0, 0, G_OPTION_ARG_STRING, &o->client_id, N_("oauth2: the Application (client) ID to sign in with, instead of the built-in one"), N_("ID") },
    { "oauth2-authority", 0, 0, G_OPTION_ARG_STRING, &o->authority, N_("oauth2: the identity platform, instead of the endpoint's (https://…)"), N_("URL") },
    { "transport", 0, 0, G_OPTION_ARG_STRING, &o->transport, N_("How to send: smtp, graph (Microsoft Graph, oauth2 only) or auto (default: SMTP, Graph once SMTP AUTH is off)"), N_("TRANSPORT") },
    { NULL },
  };

  return g_memdup2 (entries, sizeof entries);
}

/* The checks that need no plug-in; returns -1, else the status to exit with (the reason
 * printed). @auth is the method the account will have. */
static int
check_account_options (const AccountOptions *o, const char *auth, gboolean adding)
{
  if (!g_str_equal (auth, "password") && !g_str_equal (auth, "app-password") && !g_str_equal (auth, "oauth2"))
    {
      complain (_("--auth must be password, app-password or oauth2"));
      return EX_USAGE;
    }
  /* An account being edited may get its app and tenant first, then sign in. */
  if (!g_str_equal (auth, "oauth2") && (o->browser || (adding && (o->tenant != NULL || o->client_id != NULL || o->authority != NULL))))
    {
      complain (_("--browser, --tenant, --client-id and --oauth2-authority go with --auth oauth2"));
      return EX_USAGE;
    }
  if (o->port < 0 || o->port > 65535)
    {
      complain (_("the port must be a number from 1 to 65535"));
      return EX_USAGE;
    }
  if (o->timeout < 0)
    {
      complain (_("the timeout must be a number of seconds"));
      return EX_USAGE;
    }
  /* Found now rather than as a TLS failure at the first send. */
  if (o->ca_file != NULL && (!g_file_test (o->ca_file, G_FILE_TEST_IS_REGULAR) || access (o->ca_file, R_OK) != 0))
    {
      complain (_("cannot read the CA file %s"), o->ca_file);
      return EX_CONFIG;
    }
  return -1;
}

/* Sets what @o gives on @account (an endpoint also sets its server and port, unless given);
 * returns -1, else the status to exit with (the reason printed). */
static int
apply_account_options (MailAccount *account, MailAccountType *type, const AccountOptions *o)
{
  const char *server = o->server;
  guint port = o->port;

  if (o->endpoint != NULL)
    {
      const MailEndpoint *endpoint = mail_account_type_find_endpoint (type, o->endpoint);

      if (endpoint == NULL)
        {
          complain (_("unknown endpoint “%s” (o365-account list-types shows them)"), o->endpoint);
          return EX_USAGE;
        }
      if (server == NULL)
        server = endpoint->host;
      if (port == 0)
        port = endpoint->port;
    }
  if (!set_if_given (account, "display-name", o->display_name) || !set_if_given (account, "server", server) ||
      !set_if_given (account, "endpoint", o->endpoint) || !set_if_given (account, "ca-file", o->ca_file) ||
      !set_if_given (account, "username", o->username) || !set_if_given (account, "oauth2-tenant", o->tenant) ||
      !set_if_given (account, "oauth2-client-id", o->client_id) ||
      !set_if_given (account, "oauth2-authority", o->authority) ||
      !set_if_given (account, "transport", o->transport))
    {
      complain (_("this account type does not take one of the options given"));
      return EX_USAGE;
    }
  if (port > 0)
    g_object_set (account, "port", port, NULL);
  if (o->timeout > 0)
    g_object_set (account, "timeout", (guint) o->timeout, NULL);
  return -1;
}

static int
sign_in_failed (GError *error)
{
  return fail (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ? EX_TEMPFAIL : EX_NOPERM, error);
}

/* Reads the (app) password and stores it for @account; returns -1, else the status to exit with. */
static int
store_password (MailAccount *account, const char *auth, gboolean from_stdin)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  char *password = host_read_password (g_str_equal (auth, "app-password") ? _("App password: ") : _("Password: "),
                                       from_stdin, &error);

  if (password == NULL)
    return fail (EX_NOINPUT, error);
  mail_account_store_secret_async (account, password, NULL, host_keep_result, &result);
  host_password_free (password);
  host_wait_for_result (&result);
  if (!mail_account_store_secret_finish (account, result, &error))
    return fail (EX_UNAVAILABLE, error);
  return -1;
}

static int
save_account (MailAccount *account)
{
  g_autoptr (GError) error = NULL;

  if (!mail_account_save (account, &error))
    return fail (EX_SOFTWARE, error);
  host_sync_settings ();
  return -1;
}

static int
command_add (int argc, char **argv)
{
  g_auto (AccountOptions) options = { 0 };
  g_autofree GOptionEntry *entries = account_option_entries (&options);
  g_autoptr (GError) error = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (MailAccount) existing = NULL;
  g_autoptr (MailAccount) account = NULL;
  g_autofree char *id = NULL;
  MailAccountType *type;
  const char *address, *auth;
  int status = parse_options (_("ADDRESS"), entries, &argc, &argv);

  if (status >= 0)
    return status;
  if (argc != 2)
    {
      g_printerr (_("Usage: o365-account add ADDRESS [--auth password|app-password|oauth2] "
                    "[--server HOST] [--port N] [--ca-file PEM] [--password-stdin] [--browser] "
                    "[--tenant TENANT] [--client-id ID]\n"));
      return EX_USAGE;
    }
  address = argv[1];
  auth = options.auth != NULL ? options.auth : "password";
  status = check_account_options (&options, auth, TRUE);
  if (status >= 0)
    return status;

  status = load_plugins (&loader);
  if (status >= 0)
    return status;
  type = mail_plugin_loader_find_account_type (loader, options.type_id != NULL ? options.type_id : "office365");
  if (type == NULL)
    {
      complain (_("no plug-in provides the account type “%s”"),
                  options.type_id != NULL ? options.type_id : "office365");
      return EX_UNAVAILABLE;
    }
  existing = host_find_account (loader, address, NULL);
  if (existing != NULL)
    {
      complain (_("an account with the address %s already exists (change it with "
                    "“o365-account edit %s”)"), address, address);
      return EX_CANTCREAT;
    }

  id = mail_account_registry_new_id ();
  account = mail_account_type_create_account (type, id, &error);
  if (account == NULL)
    return fail (EX_SOFTWARE, error);
  g_object_set (account, "address", address, NULL);
  if (options.endpoint == NULL && options.server == NULL)
    {
      const MailEndpoint *endpoint = host_suggest_endpoint (type, address);

      if (endpoint != NULL)
        {
          options.endpoint = g_strdup (endpoint->id);
          g_print (_("Service: %s (%s)\n"), endpoint->name, endpoint->id);
        }
    }
  if (!set_if_given (account, "auth-method", auth))
    {
      complain (_("this account type does not take one of the options given"));
      return EX_USAGE;
    }
  status = apply_account_options (account, type, &options);
  if (status >= 0)
    return status;
  if (!mail_account_validate (account, &error))
    return fail (EX_DATAERR, error);

  /* The secret first: an account is only listed once its credential is safely stored. */
  if (g_str_equal (auth, "oauth2"))
    {
      if (!sign_in_here (account, options.browser, &error))
        return sign_in_failed (error);
      if ((status = save_account (account)) >= 0)
        return status;
      g_print (_("Added %s; its sign-in with Microsoft is in the system keyring.\n"), address);
      return EX_OK;
    }
  if ((status = store_password (account, auth, options.password_stdin)) >= 0 ||
      (status = save_account (account)) >= 0)
    return status;
  g_print (_("Added %s; its %s is in the system keyring.\n"), address,
           g_str_equal (auth, "app-password") ? _("app password") : _("password"));
  return EX_OK;
}

/* --- edit ----------------------------------------------------------------------------------- */

static char *string_property (MailAccount *account, const char *name);

static int
command_edit (int argc, char **argv)
{
  g_auto (AccountOptions) options = { 0 };
  g_autofree GOptionEntry *entries = account_option_entries (&options);
  g_autoptr (GError) error = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (MailAccount) account = NULL;
  g_autofree char *old_auth = NULL, *account_id = NULL, *type_id = NULL;
  MailAccountType *type;
  const char *auth;
  int status = open_account (entries,
                             _("Usage: o365-account edit ADDRESS [--auth password|app-password|oauth2] "
                               "[--password-stdin] [--client-id ID] [--tenant TENANT] [--endpoint ID] "
                               "[--server HOST] [--port N] [--timeout SECONDS] [--username NAME] "
                               "[--display-name NAME] [--ca-file PEM] [--browser]\n"),
                             &argc, &argv, &loader, &account);

  if (status >= 0)
    return status;
  if (options.type_id != NULL)
    {
      complain (_("an account’s type cannot be changed; remove it and add it again"));
      return EX_USAGE;
    }
  old_auth = string_property (account, "auth-method");
  auth = options.auth != NULL ? options.auth : old_auth;
  status = check_account_options (&options, auth, FALSE);
  if (status >= 0)
    return status;
  account_id = mail_account_dup_id (account);
  type_id = mail_account_registry_dup_type (account_id);
  type = mail_plugin_loader_find_account_type (loader, type_id != NULL ? type_id : "office365");
  if (type == NULL)
    {
      complain (_("no plug-in provides the account type “%s”"), type_id);
      return EX_UNAVAILABLE;
    }
  status = apply_account_options (account, type, &options);
  if (status >= 0)
    return status;
  if (!mail_account_validate (account, &error))
    return fail (EX_DATAERR, error);

  /* To “Sign in with Microsoft”: the method changes (and the password leaves the keyring) only
   * once the sign-in succeeded — the plug-in does both — so a failed one changes nothing. */
  if (g_str_equal (auth, "oauth2") && !g_str_equal (old_auth, "oauth2"))
    {
      if (!sign_in_here (account, options.browser, &error))
        return sign_in_failed (error);
      if ((status = save_account (account)) >= 0)
        return status;
      g_print (_("Changed %s; it signs in with Microsoft now, and its password is no longer in the "
                 "keyring.\n"), argv[1]);
      return EX_OK;
    }
  if (!g_str_equal (auth, "oauth2") && (!g_str_equal (auth, old_auth) || options.password_stdin))
    {
      g_object_set (account, "auth-method", auth, NULL);
      if ((status = store_password (account, auth, options.password_stdin)) >= 0)
        return status;
    }
  if ((status = save_account (account)) >= 0)
    return status;
  g_print (_("Changed %s.\n"), argv[1]);
  return EX_OK;
}

/* --- sign-in -------------------------------------------------------------------------------- */

static int
command_sign_in (int argc, char **argv)
{
  gboolean browser = FALSE;
  const GOptionEntry entries[] = {
    { "browser", 0, 0, G_OPTION_ARG_NONE, &browser, N_("Sign in in this computer’s web browser instead of with a code"), NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (MailAccount) account = NULL;
  int status = open_account (entries, _("Usage: o365-account sign-in ADDRESS [--browser]\n"), &argc, &argv,
                             &loader, &account);

  if (status >= 0)
    return status;
  if (!sign_in_here (account, browser, &error))
    return sign_in_failed (error);
  host_sync_settings ();
  g_print (_("Signed in; the new sign-in for %s is in the system keyring.\n"), argv[1]);
  return EX_OK;
}

/* --- list, show ----------------------------------------------------------------------------- */

static char *
string_property (MailAccount *account, const char *name)
{
  char *value = NULL;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (account), name) == NULL)
    return g_strdup ("");
  g_object_get (account, name, &value, NULL);
  return value;
}

static int
command_list (int argc, char **argv)
{
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (GPtrArray) accounts = NULL;
  int status = parse_options ("", NULL, &argc, &argv);

  if (status >= 0 || (status = load_plugins (&loader)) >= 0)
    return status;
  accounts = host_list_accounts (loader);
  if (accounts->len == 0)
    {
      g_print (_("No accounts. Add one with “o365-account add ADDRESS”.\n"));
      return EX_OK;
    }
  for (guint i = 0; i < accounts->len; i++)
    {
      MailAccount *account = g_ptr_array_index (accounts, i);
      g_autofree char *address = mail_account_dup_address (account);
      g_autofree char *server = string_property (account, "server");
      g_autofree char *auth = string_property (account, "auth-method");
      guint port = 0;

      g_object_get (account, "port", &port, NULL);
      g_print ("%s\t%s:%u\t%s\n", address, server, port, auth);
    }
  return EX_OK;
}

static int
command_show (int argc, char **argv)
{
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (MailAccount) account = NULL;
  g_autofree GParamSpec **properties = NULL;
  guint n_properties = 0;
  int status = open_account (NULL, _("Usage: o365-account show ADDRESS\n"), &argc, &argv, &loader, &account);

  if (status >= 0)
    return status;

  /* Every property is a setting; secrets never are. */
  properties = g_object_class_list_properties (G_OBJECT_GET_CLASS (account), &n_properties);
  for (guint i = 0; i < n_properties; i++)
    {
      g_auto (GValue) value = G_VALUE_INIT;
      g_auto (GValue) text = G_VALUE_INIT;

      g_value_init (&value, properties[i]->value_type);
      g_object_get_property (G_OBJECT (account), properties[i]->name, &value);
      g_value_init (&text, G_TYPE_STRING);
      if (g_value_transform (&value, &text))
        g_print ("%-18s %s\n", properties[i]->name, g_value_get_string (&text) ? g_value_get_string (&text) : "");
    }
  g_print ("%-18s %s\n", "secret", _("in the system keyring (never shown)"));
  return EX_OK;
}

/* --- remove --------------------------------------------------------------------------------- */

/* How many messages of @address wait in the outbox (queued or held), or -1 (printed). */
static int
count_waiting_messages (Outbox *outbox, const char *address)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = outbox_list (outbox, &error);
  int count = 0;

  if (entries == NULL)
    {
      fail (EX_IOERR, error);
      return -1;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      OutboxEntry *entry = g_ptr_array_index (entries, i);

      if (entry->state != OUTBOX_STATE_FAILED && g_ascii_strcasecmp (entry->account, address) == 0)
        count++;
    }
  return count;
}

/* A person at a terminal says yes; anyone else must have said --force. */
static gboolean
confirm_removal (const char *address, int waiting)
{
  char answer[16] = "";

  g_printerr (ngettext ("o365-account: warning: %s has %d message in the outbox, not yet sent; removing "
                        "the account moves it to failed/.\n",
                        "o365-account: warning: %s has %d messages in the outbox, not yet sent; removing "
                        "the account moves them to failed/.\n", waiting),
              address, waiting);
  if (!isatty (STDIN_FILENO))
    {
      g_printerr (_("o365-account: not removed; send them first (o365-account flush %s) or remove it "
                    "with --force\n"), address);
      return FALSE;
    }
  g_printerr (_("Remove %s anyway? [y/N] "), address);
  if (fgets (answer, sizeof answer, stdin) == NULL)
    return FALSE;
  /* Translators: the letter that answers yes to “[y/N]”. */
  return answer[0] == 'y' || answer[0] == 'Y' || g_str_has_prefix (answer, _("y"));
}

/* The account's messages would fail on every --flush for want of it: they go to failed/, with
 * the reason, so that nothing is lost and nothing retries forever. Entries another process is
 * sending just now are left to it. */
static void
move_waiting_messages_to_failed (Outbox *outbox, const char *address)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) entries = outbox_claim (outbox, address, TRUE, &error);
  g_autofree char *reason = g_strdup_printf (_("its account %s was removed"), address);
  guint moved = 0;

  if (entries == NULL)
    {
      fail (EX_IOERR, error);
      return;
    }
  for (guint i = 0; i < entries->len; i++)
    {
      g_autofree char *path = outbox_entry_move_to_failed (outbox, g_ptr_array_index (entries, i), reason, &error);

      if (path == NULL)
        {
          fail (EX_IOERR, error);
          g_clear_error (&error);
          continue;
        }
      moved++;
    }
  if (moved > 0)
    g_print (ngettext ("Moved %u message of %s to %s/failed/.\n", "Moved %u messages of %s to %s/failed/.\n",
                       moved),
             moved, address, outbox_get_directory (outbox));
}

static int
command_remove (int argc, char **argv)
{
  gboolean force = FALSE;
  const GOptionEntry entries[] = {
    { "force", 0, 0, G_OPTION_ARG_NONE, &force, N_("Remove it even while the outbox holds messages of it (they move to failed/)"), NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (MailAccount) account = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (Outbox) outbox = NULL;
  g_autofree char *address = NULL;
  int waiting;
  int status = open_account (entries, _("Usage: o365-account remove ADDRESS [--force]\n"), &argc, &argv, &loader,
                             &account);

  if (status >= 0)
    return status;
  address = mail_account_dup_address (account);
  outbox = outbox_open (NULL, &error);
  if (outbox == NULL)
    return fail (EX_CANTCREAT, error);
  waiting = count_waiting_messages (outbox, address);
  if (waiting < 0)
    return EX_IOERR;
  if (waiting > 0 && !force && !confirm_removal (address, waiting))
    return EX_TEMPFAIL;
  mail_account_remove_async (account, NULL, host_keep_result, &result);
  host_wait_for_result (&result);
  if (!mail_account_remove_finish (account, result, &error))
    return fail (EX_UNAVAILABLE, error);
  host_sync_settings ();
  g_print (_("Removed %s and its keyring items.\n"), argv[1]);
  move_waiting_messages_to_failed (outbox, address);
  return EX_OK;
}

/* --- test ----------------------------------------------------------------------------------- */

static int
command_test (int argc, char **argv)
{
  gboolean debug = FALSE;
  const GOptionEntry entries[] = {
    { "debug", 0, 0, G_OPTION_ARG_NONE, &debug, N_("Print the session transcript (credentials redacted) on stderr"), NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (MailAccount) account = NULL;
  g_autoptr (MailTransport) transport = NULL;
  g_autofree char *mechanisms = NULL;
  g_autofree const char **offered = NULL;
  const char *server = NULL, *tls = NULL, *used = NULL, *sent_through = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GVariant) facts = NULL;
  int status = open_account (entries, _("Usage: o365-account test ADDRESS [--debug]\n"), &argc, &argv, &loader,
                             &account);

  if (status >= 0)
    return status;
  transport = mail_account_create_transport (account, &error);
  if (transport == NULL)
    return fail (EX_CONFIG, error);
  if (debug)
    g_signal_connect (transport, "transcript", G_CALLBACK (print_debug_line), NULL);

  mail_transport_check_async (transport, NULL, host_keep_result, &result);
  host_wait_for_result (&result);
  facts = mail_transport_check_finish (transport, result, &error);
  if (facts == NULL)
    {
      complain (_("the test failed: %s"), error->message);
      return host_exit_status_for_error (error);
    }

  g_variant_lookup (facts, "server", "&s", &server);
  if (g_variant_lookup (facts, "transport", "&s", &sent_through) && g_str_equal (sent_through, "graph"))
    {
      /* Microsoft Graph: a token for Mail.Send and an authenticated GET /me worked. */
      g_print (_("Microsoft Graph at %s works.\n"), server);
      g_print (_("  signed in with:    a token for Mail.Send (“Sign in with Microsoft”)\n"));
      return EX_OK;
    }
  g_variant_lookup (facts, "tls-version", "&s", &tls);
  g_variant_lookup (facts, "auth-mechanism", "&s", &used);
  g_variant_lookup (facts, "auth-mechanisms", "^a&s", &offered);
  mechanisms = offered != NULL ? g_strjoinv (" ", (char **) offered) : g_strdup ("");
  g_print (_("Connection to %s works.\n"), server);
  g_print (_("  security:          STARTTLS, %s, certificate valid\n"), tls);
  g_print (_("  sign-in offered:   %s\n"), mechanisms);
  g_print (_("  signed in with:    %s\n"), used);
  return EX_OK;
}

/* --- flush ---------------------------------------------------------------------------------- */

static int
command_flush (int argc, char **argv)
{
  gboolean include_unknown = FALSE, debug = FALSE;
  const GOptionEntry entries[] = {
    { "include-unknown", 0, 0, G_OPTION_ARG_NONE, &include_unknown,
      N_("Also resend messages whose delivery status is unknown"), NULL },
    { "debug", 0, 0, G_OPTION_ARG_NONE, &debug, N_("Print the session transcript (credentials redacted) on stderr"), NULL },
    { NULL },
  };
  g_autoptr (GError) error = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (Outbox) outbox = NULL;
  int status = parse_options (_("[ADDRESS]"), entries, &argc, &argv);

  if (status >= 0)
    return status;
  if (argc > 2)
    {
      g_printerr (_("Usage: o365-account flush [ADDRESS] [--include-unknown] [--debug]\n"));
      return EX_USAGE;
    }
  outbox = outbox_open (NULL, &error);
  if (outbox == NULL)
    return fail (EX_CANTCREAT, error);
  status = load_plugins (&loader);
  if (status >= 0)
    return status;
  return host_outbox_flush (outbox, loader, argc == 2 ? argv[1] : NULL, include_unknown, debug);
}

/* --- setup ---------------------------------------------------------------------------------- */

/* The dialog is its own program (o365-account-setup, which links GTK), so that this one never
 * needs a display. $O365_ACCOUNT_LIBEXECDIR points at the build tree, as GIT_EXEC_PATH does. */
static int
command_setup (int argc, char **argv)
{
  const char *dir = g_getenv ("O365_ACCOUNT_LIBEXECDIR");
  g_autofree char *helper = g_build_filename (dir != NULL && *dir != '\0' ? dir : LIBEXECDIR,
                                              "o365-account-setup", NULL);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();

  g_ptr_array_add (args, helper);
  for (int i = 1; i < argc; i++)
    g_ptr_array_add (args, argv[i]);
  g_ptr_array_add (args, NULL);
  execv (helper, (char **) args->pdata);
  complain (_("cannot run %s: %s"), helper, g_strerror (errno));
  return EX_UNAVAILABLE;
}

/* --- main ----------------------------------------------------------------------------------- */

static const Command commands[] = {
  { "list-types", command_list_types, "", N_("Show the account types the plug-ins provide"),
    "o365-account list-types" },
  { "add", command_add, N_("ADDRESS"), N_("Add an account (the password goes to the keyring)"),
    "o365-account add you@contoso.com --auth oauth2" },
  { "edit", command_edit, N_("ADDRESS"), N_("Change an account’s settings or sign-in method"),
    "o365-account edit you@contoso.com --auth oauth2 --client-id ID" },
  { "sign-in", command_sign_in, N_("ADDRESS"), N_("Sign in with Microsoft again (oauth2 accounts)"),
    "o365-account sign-in you@contoso.com --browser" },
  { "list", command_list, "", N_("List the configured accounts"), "o365-account list" },
  { "show", command_show, N_("ADDRESS"), N_("Show an account’s settings"), "o365-account show you@contoso.com" },
  { "remove", command_remove, N_("ADDRESS"), N_("Remove an account and its keyring items"),
    "o365-account remove you@contoso.com" },
  { "test", command_test, N_("ADDRESS"), N_("Connect, secure, sign in and disconnect"),
    "o365-account test you@contoso.com --debug" },
  { "flush", command_flush, N_("[ADDRESS]"), N_("Send the messages queued in the outbox"), "o365-account flush" },
  { "setup", command_setup, N_("[ADDRESS]"), N_("Add or edit an account in a window"),
    "o365-account setup you@contoso.com" },
};

static const Command *
find_command (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    if (g_str_equal (name, commands[i].name))
      return &commands[i];
  return NULL;
}

/* Asked for (--help): on standard output, as GNU programs do; after a mistake: on stderr. */
static void
print_usage (gboolean requested)
{
  g_autoptr (GString) text = g_string_new (_("Usage: o365-account COMMAND [ARGUMENTS…]\n\nCommands:\n"));

  for (gsize i = 0; i < G_N_ELEMENTS (commands); i++)
    g_string_append_printf (text, "  %-11s %-10s %s\n", commands[i].name,
                            /* gettext ("") is the catalogue's header, not a translation */
                            commands[i].arguments[0] != '\0' ? _(commands[i].arguments) : "",
                            _(commands[i].summary));
  g_string_append (text, _("\nOptions:\n"));
  g_string_append_printf (text, "  %-22s %s\n", "--help, -h",
                          _("Show this help (COMMAND --help: the command’s options)"));
  g_string_append_printf (text, "  %-22s %s\n", "--version", _("Show the version and the libraries in use"));
  if (requested)
    g_print ("%s", text->str);
  else
    g_printerr ("%s", text->str);
}

int
main (int argc, char **argv)
{
  const Command *command;

  host_protect_secrets ();
  setlocale (LC_ALL, "");
  mail_bind_textdomain (GETTEXT_PACKAGE, LOCALEDIR);
  textdomain (GETTEXT_PACKAGE);

  if (argc < 2 || g_str_equal (argv[1], "--help") || g_str_equal (argv[1], "-h"))
    {
      print_usage (argc >= 2);
      return argc < 2 ? EX_USAGE : EX_OK;
    }
  if (g_str_equal (argv[1], "--version"))
    return print_version ();
  command = find_command (argv[1]);
  if (command != NULL)
    {
      /* “Usage: o365-account add [OPTION…] ADDRESS” in COMMAND --help. */
      g_autofree char *prgname = g_strdup_printf ("o365-account %s", command->name);

      g_set_prgname (prgname);
      return command->run (argc - 1, argv + 1);
    }

  complain (_("unknown command “%s”"), argv[1]);
  g_printerr ("\n");
  print_usage (FALSE);
  return EX_USAGE;
}
