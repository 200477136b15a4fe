/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-account-editor.h — the Office 365 account settings panel: a widget a host can embed
 * (the plug-in's settings widget), wrapped in a window by GTK hosts (mail-settings-window.h).
 *
 * It edits the account's properties directly; they stay pending until Save. Signals:
 *   "done": the person saved, cancelled or removed the account; the host closes the panel.
 *   "sign-in" (MailSignIn *sign_in): “Sign in with Microsoft” starts. A host may connect to the
 *       sign-in's signals now; its "open-uri" handler runs before the panel's, which opens the
 *       desktop's browser, so a host with a browser of its own may return TRUE and show the page.
 * Destroying the panel before "done" discards the pending changes, as Cancel does (for a new
 * account, that includes a sign-in already stored in the keyring).
 */
#pragma once

#include <gtk/gtk.h>

#include "o365-gui-module.h"

G_BEGIN_DECLS

#define O365_TYPE_ACCOUNT_EDITOR (o365_account_editor_get_type ())
G_DECLARE_FINAL_TYPE (O365AccountEditor, o365_account_editor, O365, ACCOUNT_EDITOR, GtkWidget)

/* @account: an Office 365 account (a new one is not listed yet); @hooks: static. */
GtkWidget *o365_account_editor_new (const O365GuiHooks *hooks,
                                    MailAccountType *account_type,
                                    MailAccount *account);

MailAccount *o365_account_editor_get_account (O365AccountEditor *self);

G_END_DECLS
