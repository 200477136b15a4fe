/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-gui-module.h — the contract between the plug-in and its settings-dialog module
 * (office365-gui.so, built from gui/). The dialog links GTK, so the plug-in opens that module
 * only when a host asks for the settings widget: headless hosts never map GTK.
 *
 * The module exports one function, O365_GUI_ENTRY_POINT, of type O365GuiCreateFunc. It must
 * not contain the plug-in's own GTypes (a second copy would try to register them again), so
 * what it needs of the account model beyond the MailAccount interface comes as O365GuiHooks.
 */
#pragma once

#include <gmodule.h>

#include "mail-account-type.h"
#include "mail-transport.h"

G_BEGIN_DECLS

/* Bump when O365GuiHooks or the entry point change. */
#define O365_GUI_ABI_VERSION 1
#define O365_GUI_ENTRY_POINT "o365_gui_create_settings_widget"
/* Where the module is, relative to the plug-in's directory: the same in the build tree
 * (build/plugin, build/gui) and once installed ($libdir/o365-account/{plugins,gui}). */
#define O365_GUI_MODULE_RELATIVE_PATH ".." G_DIR_SEPARATOR_S "gui" G_DIR_SEPARATOR_S "office365-gui." G_MODULE_SUFFIX

typedef struct
{
  guint abi_version; /* O365_GUI_ABI_VERSION */

  /* One setting as it is now, pending changes included; the error is for the person. */
  gboolean (*validate_property) (MailAccount *account, const char *property, GError **error);
  /* A transport for the pending settings; @secret is a password typed but not stored yet, or
   * NULL to use the one in the keyring. */
  MailTransport *(*create_transport) (MailAccount *account, const char *secret, GError **error);
  /* Drops the pending changes. */
  void (*revert) (MailAccount *account);
} O365GuiHooks;

/* Returns: (transfer full) a GtkWidget editing @account (not yet listed for a new account), or
 * NULL with an error (e.g. GTK not initialised by the host). */
typedef GObject *(*O365GuiCreateFunc) (const O365GuiHooks *hooks,
                                       MailAccountType *type,
                                       MailAccount *account,
                                       GError **error);

/* The entry point itself, defined (and exported) by the dialog module only. */
G_MODULE_EXPORT GObject *o365_gui_create_settings_widget (const O365GuiHooks *hooks,
                                                          MailAccountType *type,
                                                          MailAccount *account,
                                                          GError **error);

G_END_DECLS
