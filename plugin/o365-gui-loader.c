/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-gui-loader.c — the dialog module is opened lazily, bound immediately and locally, and
 * never closed, like the plug-in itself. */
#include "config.h"

#include <glib/gi18n-lib.h>
#include <gmodule.h>

#include "o365-gui-loader.h"

static GMutex lock;
static O365GuiCreateFunc create_func;

static O365GuiCreateFunc
open_module (const char *module_path, GError **error)
{
  GModule *module;
  gpointer symbol = NULL;

  module = g_module_open (module_path, G_MODULE_BIND_LOCAL);
  if (module == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("The settings dialog cannot be loaded (%s): %s"), module_path, g_module_error ());
      return NULL;
    }
  if (!g_module_symbol (module, O365_GUI_ENTRY_POINT, &symbol) || symbol == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
                   _("%s is not the settings dialog module: %s"), module_path, g_module_error ());
      g_module_close (module);
      return NULL;
    }
  g_module_make_resident (module);
  return (O365GuiCreateFunc) symbol;
}

GObject *
o365_gui_loader_create_widget (const char *module_path,
                               const O365GuiHooks *hooks,
                               MailAccountType *type,
                               MailAccount *account,
                               GError **error)
{
  O365GuiCreateFunc create;

  g_return_val_if_fail (module_path != NULL, NULL);

  g_mutex_lock (&lock);
  if (create_func == NULL)
    create_func = open_module (module_path, error);
  create = create_func;
  g_mutex_unlock (&lock);
  return create != NULL ? create (hooks, type, account, error) : NULL;
}
