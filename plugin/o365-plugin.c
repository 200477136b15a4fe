/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-plugin.c — the module's entry points, and nothing else is exported (see plugin.map).
 *
 * The plug-in's GTypes are ordinary static types: the host makes the module resident before
 * its load code first runs, so they stay valid through unload → load cycles.
 */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "mail-i18n.h"
#include "mail-plugin.h"
#include "o365-account-type.h"
#include "o365-gui-module.h"

MAIL_PLUGIN_DECLARE_ABI;

static const char *const provides[] = { "account-type:office365", NULL };

const MailPluginInfo *
mail_plugin_query (void)
{
  static MailPluginInfo info;
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      mail_bind_textdomain (GETTEXT_PACKAGE, LOCALEDIR);
      info.abi = mail_plugin_abi;
      info.id = "office365";
      info.name = _("Office 365");
      info.description = _("Send mail through a Microsoft 365 / Office 365 mailbox");
      info.version = PACKAGE_VERSION;
      info.license = "LGPL-2.1-or-later";
      info.provides = provides;
      g_once_init_leave (&initialized, 1);
    }
  return &info;
}

gboolean
mail_plugin_load (MailPlugin *plugin, GError **error)
{
  g_autoptr (O365AccountType) account_type = o365_account_type_new ();
  g_autofree char *dir = g_path_get_dirname (mail_plugin_get_path (plugin));
  g_autofree char *gui_module = g_build_filename (dir, O365_GUI_MODULE_RELATIVE_PATH, NULL);

  /* Only the path: the dialog module and GTK are opened when a host asks for the widget. */
  o365_account_type_set_gui_module (account_type, gui_module);
  mail_plugin_add_account_type (plugin, MAIL_ACCOUNT_TYPE (account_type));
  return TRUE;
}

void
mail_plugin_unload (MailPlugin *plugin)
{
  /* The host has already dropped the account type it was given; nothing else is held. */
}
