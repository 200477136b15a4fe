/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-account-setup.c — the GTK host behind “o365-account setup [ADDRESS]”: the account type's
 * settings widget in a window, for a new account or an existing one.
 *
 * It is its own program so that o365-account itself never links GTK: every other command runs
 * without a display, and only this one needs one.
 */
#include "config.h"

#include <glib/gi18n.h>
#include <locale.h>
#include <sysexits.h>

#include "host-accounts.h"
#include "host-secrets.h"
#include "host-version.h"
#include "mail-account-registry.h"
#include "mail-i18n.h"
#include "mail-settings-window.h"

#define DEFAULT_TYPE "office365"

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

static void
on_destroy (GtkWidget *window, gboolean *closed)
{
  *closed = TRUE;
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (MailPluginLoader) loader = NULL;
  g_autoptr (MailAccount) account = NULL;
  g_autoptr (GObject) widget = NULL;
  g_autofree char *title = NULL;
  g_autofree char *address = NULL;
  MailAccountType *type;
  GtkWidget *window;
  gboolean closed = FALSE, version = FALSE;

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
      g_printerr (_("Error: no display; “o365-account setup” needs a graphical session (the other "
                    "commands do not)\n"));
      return EX_UNAVAILABLE;
    }

  loader = host_load_plugins (&error);
  if (loader == NULL)
    goto failed;
  type = mail_plugin_loader_find_account_type (loader, DEFAULT_TYPE);
  if (type == NULL)
    {
      g_printerr (_("Error: no plug-in provides the account type “%s”\n"), DEFAULT_TYPE);
      return EX_UNAVAILABLE;
    }
  account = open_account (loader, type, argc == 2 ? argv[1] : NULL, &error);
  if (account == NULL)
    goto failed;
  widget = mail_account_type_create_settings_widget (type, account, &error);
  if (widget == NULL)
    goto failed;

  address = mail_account_dup_address (account);
  if (is_listed (account))
    /* TRANSLATORS: window title: the address, then the account type ("Microsoft 365 / Office 365") */
    title = g_strdup_printf (_("%s — %s"), address, mail_account_type_get_display_name (type));
  else
    /* TRANSLATORS: window title; %s is the account type ("Microsoft 365 / Office 365") */
    title = g_strdup_printf (_("New %s Account"), mail_account_type_get_display_name (type));
  window = mail_settings_window_new (GTK_WIDGET (widget), title);
  g_signal_connect (window, "destroy", G_CALLBACK (on_destroy), &closed);
  gtk_window_present (GTK_WINDOW (window));
  while (!closed)
    g_main_context_iteration (NULL, TRUE);
  host_sync_settings ();
  return EX_OK;

failed:
  g_printerr (_("Error: %s\n"), error->message);
  return EX_UNAVAILABLE;
}
