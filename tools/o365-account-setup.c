/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-account-setup.c — the GTK host behind “o365-account setup [ADDRESS]”: the account type's
 * settings widget in a window, for a new account or an existing one.
 *
 * It is its own program so that o365-account itself never links GTK: every other command runs
 * without a display, and only this one needs one.
 *
 * A GtkApplication (org.o365account.Setup, with its .desktop file and AppStream metainfo in
 * data/): one process on the session bus holds every setup window, and running
 * “o365-account setup ADDRESS” again brings up the window already open for ADDRESS instead of a
 * second one for the same account.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sysexits.h>

#include "host-accounts.h"
#include "host-complain.h"
#include "host-secrets.h"
#include "host-version.h"
#include "mail-account-registry.h"
#include "mail-i18n.h"
#include "mail-settings-window.h"

#define DEFAULT_TYPE "office365"
#define APPLICATION_ID "org.o365account.Setup"

/* What the first instance keeps for the windows it opens. */
typedef struct
{
  MailPluginLoader *loader;
  MailAccountType *type;
  GHashTable *windows; /* casefolded address → its window (not owned) */
} Setup;

/* The account at @address, or a new, unlisted one with that address (or none yet). */
static MailAccount *
open_account (MailPluginLoader *loader, MailAccountType *type, const char *address, GError **error)
{
  g_autoptr (GError) lookup_error = NULL;
  g_autofree char *id = NULL;
  MailAccount *account;

  if (address != NULL)
    {
      account = host_find_account (loader, address, &lookup_error);
      if (account != NULL)
        return account;
      if (!g_error_matches (lookup_error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          g_propagate_error (error, g_steal_pointer (&lookup_error));
          return NULL;
        }
    }
  id = mail_account_registry_new_id ();
  account = mail_account_type_create_account (type, id, error);
  if (account != NULL && address != NULL)
    g_object_set (account, "address", address, NULL);
  return account;
}

static gboolean
is_listed (MailAccount *account)
{
  g_autofree char *id = mail_account_dup_id (account);
  g_auto (GStrv) listed = mail_account_registry_list (NULL);

  return g_strv_contains ((const char *const *) listed, id);
}

/* The window for @address (casefolded), open already in this process. */
static GtkWidget *
find_window (Setup *setup, const char *key)
{
  return key != NULL ? g_hash_table_lookup (setup->windows, key) : NULL;
}

static void
on_window_destroyed (GtkWidget *window, Setup *setup)
{
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, setup->windows);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == window)
      g_hash_table_iter_remove (&iter);
}

static gboolean
load_plugins (Setup *setup, GError **error)
{
  if (setup->loader != NULL)
    return TRUE;
  setup->loader = host_load_plugins (error);
  if (setup->loader == NULL)
    return FALSE;
  setup->type = mail_plugin_loader_find_account_type (setup->loader, DEFAULT_TYPE);
  if (setup->type == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, _("no plug-in provides the account type “%s”"),
                   DEFAULT_TYPE);
      return FALSE;
    }
  return TRUE;
}

/* A new window with the settings widget for @address (NULL: a new account). */
static GtkWidget *
open_window (GtkApplication *application, Setup *setup, const char *address, GError **error)
{
  g_autoptr (MailAccount) account = NULL;
  g_autoptr (GObject) widget = NULL;
  g_autofree char *title = NULL;
  g_autofree char *shown_address = NULL;
  GtkWidget *window;

  account = open_account (setup->loader, setup->type, address, error);
  if (account == NULL)
    return NULL;
  widget = mail_account_type_create_settings_widget (setup->type, account, error);
  if (widget == NULL)
    return NULL;
  shown_address = mail_account_dup_address (account);
  if (is_listed (account))
    /* TRANSLATORS: window title: the address, then the account type ("Microsoft 365 / Office 365") */
    title = g_strdup_printf (_("%s — %s"), shown_address, mail_account_type_get_display_name (setup->type));
  else
    /* TRANSLATORS: window title; %s is the account type ("Microsoft 365 / Office 365") */
    title = g_strdup_printf (_("New %s Account"), mail_account_type_get_display_name (setup->type));
  window = mail_settings_window_new (GTK_WIDGET (widget), title);
  gtk_window_set_application (GTK_WINDOW (window), application);
  return window;
}

/* Runs in the first instance, for its own command line and for each later one's. */
static int
on_command_line (GApplication *application, GApplicationCommandLine *command_line, Setup *setup)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) argv = NULL;
  g_autofree char *key = NULL;
  const char *address;
  GtkWidget *window;
  int argc = 0;

  argv = g_application_command_line_get_arguments (command_line, &argc);
  address = argc >= 2 ? argv[1] : NULL;
  key = address != NULL ? g_utf8_casefold (address, -1) : NULL;
  window = find_window (setup, key);
  if (window != NULL)
    {
      gtk_window_present (GTK_WINDOW (window));
      return EX_OK;
    }
  if (!load_plugins (setup, &error) ||
      (window = open_window (GTK_APPLICATION (application), setup, address, &error)) == NULL)
    {
      g_application_command_line_printerr (command_line, "o365-account-setup: %s\n", error->message);
      return EX_UNAVAILABLE;
    }
  if (key != NULL)
    g_hash_table_insert (setup->windows, g_steal_pointer (&key), window);
  g_signal_connect (window, "destroy", G_CALLBACK (on_window_destroyed), setup);
  gtk_window_present (GTK_WINDOW (window));
  return EX_OK;
}

static void
on_shutdown (GApplication *application, Setup *setup)
{
  host_sync_settings ();
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GtkApplication) application = NULL;
  Setup setup = { 0 };
  gboolean version = FALSE;
  int status;

  host_protect_secrets ();
  setlocale (LC_ALL, "");
  mail_bind_textdomain (GETTEXT_PACKAGE, LOCALEDIR);
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("o365-account-setup");

  context = g_option_context_new (_("[ADDRESS] — add or edit an account in a window"));
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  host_version_add_option (context, &version);
  if (!g_option_context_parse (context, &argc, &argv, &error) || argc > 2)
    {
      g_printerr (_("Usage: o365-account setup [ADDRESS]\n"));
      return EX_USAGE;
    }
  /* Before GTK: it needs no display. */
  if (version)
    {
      host_version_print ("o365-account-setup");
      return EX_OK;
    }
  if (!gtk_init_check ())
    {
      host_complain ("o365-account", _("no display; “o365-account setup” needs a graphical session (the "
                                      "other commands do not)"));
      return EX_UNAVAILABLE;
    }

  gtk_window_set_default_icon_name (APPLICATION_ID);
  setup.windows = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  application = gtk_application_new (APPLICATION_ID, G_APPLICATION_HANDLES_COMMAND_LINE);
  g_signal_connect (application, "command-line", G_CALLBACK (on_command_line), &setup);
  g_signal_connect (application, "shutdown", G_CALLBACK (on_shutdown), &setup);
  /* The options are parsed above: what is left is the program and the address. */
  status = g_application_run (G_APPLICATION (application), argc, argv);
  g_hash_table_unref (setup.windows);
  g_clear_object (&setup.loader);
  return status;
}
