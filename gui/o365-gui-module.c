/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-gui-module.c — the one entry point of the settings-dialog module (see
 * plugin/gui-module/o365-gui-module.h); everything else in the module is hidden (gui.map). */
#include "config.h"

#include <glib/gi18n-lib.h>

#include "o365-account-editor.h"

GObject *
o365_gui_create_settings_widget (const O365GuiHooks *hooks,
                                 MailAccountType *type,
                                 MailAccount *account,
                                 GError **error)
{
  if (hooks == NULL || hooks->abi_version != O365_GUI_ABI_VERSION)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The settings dialog module does not match the plug-in (version %u, expected %u)"),
                   hooks != NULL ? hooks->abi_version : 0, O365_GUI_ABI_VERSION);
      return NULL;
    }
  /* Only a GTK host asks for a widget, and it has opened its display already; creating widgets
   * without that would abort. */
  if (!gtk_is_initialized ())
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                           _("The settings dialog needs GTK: the host must initialise it (gtk_init) first"));
      return NULL;
    }
  return G_OBJECT (g_object_ref_sink (o365_account_editor_new (hooks, type, account)));
}
