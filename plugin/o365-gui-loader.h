/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-gui-loader.h — opens the settings-dialog module on first use (see o365-gui-module.h). */
#pragma once

#include "o365-gui-module.h"

G_BEGIN_DECLS

/* Loads @module_path once (made resident: it registers GTypes) and asks it for the widget. */
GObject *o365_gui_loader_create_widget (const char *module_path,
                                        const O365GuiHooks *hooks,
                                        MailAccountType *type,
                                        MailAccount *account,
                                        GError **error);

G_END_DECLS
