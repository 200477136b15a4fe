/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-sign-in-panel.h — “Sign in with Microsoft” in the settings panel: the buttons that start
 * a sign-in (browser or code), the device code to enter, progress and Cancel, and whether the
 * keyring holds a sign-in for the settings shown.
 *
 * A sign-in stores its refresh token in the keyring as soon as it succeeds, before the account
 * is saved; o365_sign_in_panel_discard() takes it out again for an account given up.
 *
 * Properties:
 *   "account" (MailAccount): the account to sign in; set once. A change to a setting the
 *       sign-in depends on (address, tenant, app...) makes a stored sign-in outdated.
 *   "signed-in" (gboolean): the keyring holds a sign-in for the settings shown. Set by the
 *       owner for what it knows when opening; the panel sets it when a sign-in succeeds and
 *       clears it when a setting changes.
 *   "signing-in" (gboolean, read-only): a sign-in is running.
 *   "can-start" (gboolean): the settings allow a sign-in and nothing else runs.
 * Signals:
 *   "sign-in" (MailSignIn *sign_in): a sign-in starts; handlers may connect to its signals now,
 *       before the plug-in emits any. The panel's own "open-uri" handlers run before and after
 *       the others'; the later one opens the desktop's browser unless a handler returned TRUE.
 */
#pragma once

#include <gtk/gtk.h>

#include "mail-account.h"

G_BEGIN_DECLS

#define O365_TYPE_SIGN_IN_PANEL (o365_sign_in_panel_get_type ())
G_DECLARE_FINAL_TYPE (O365SignInPanel, o365_sign_in_panel, O365, SIGN_IN_PANEL, GtkWidget)

void o365_sign_in_panel_set_account (O365SignInPanel *self, MailAccount *account);
gboolean o365_sign_in_panel_get_signed_in (O365SignInPanel *self);
void o365_sign_in_panel_set_signed_in (O365SignInPanel *self, gboolean signed_in);
gboolean o365_sign_in_panel_get_signing_in (O365SignInPanel *self);
void o365_sign_in_panel_set_can_start (O365SignInPanel *self, gboolean can_start);

/* Cancels a running sign-in, if any. */
void o365_sign_in_panel_cancel (O365SignInPanel *self);
/* For an account that was never saved: cancels a running sign-in and removes from the keyring
 * what sign-ins in this panel stored (once a running one has ended). */
void o365_sign_in_panel_discard (O365SignInPanel *self);

G_END_DECLS
