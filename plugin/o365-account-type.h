/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-account-type.h — the "office365" account type (implements MailAccountType). */
#pragma once

#include "mail-account-type.h"

G_BEGIN_DECLS

#define O365_TYPE_ACCOUNT_TYPE (o365_account_type_get_type ())
G_DECLARE_FINAL_TYPE (O365AccountType, o365_account_type, O365, ACCOUNT_TYPE, GObject)

O365AccountType *o365_account_type_new (void);
/* The settings-dialog module (see o365-gui-module.h), opened only when a host asks for the
 * settings widget. */
void o365_account_type_set_gui_module (O365AccountType *self, const char *module_path);

G_END_DECLS
