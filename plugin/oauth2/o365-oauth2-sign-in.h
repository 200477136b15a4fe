/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-sign-in.h — “Sign in with Microsoft” for one account, as hosts ask for it
 * (mail_account_sign_in_async): the device code flow or the browser flow, then the refresh
 * token into the keyring and the access token into memory (o365-oauth2-tokens.h). Progress,
 * the code to show and the page to open reach the host through the MailSignIn's signals.
 * @address labels the keyring item; @login_hint (the sign-in name, may be NULL) pre-fills the
 * browser's sign-in page. */
#pragma once

#include "mail-sign-in.h"
#include "o365-oauth2-client.h"

G_BEGIN_DECLS

void o365_oauth2_sign_in_async (O365OAuth2Client *client,
                                const char *account_id,
                                const char *address,
                                const char *login_hint,
                                MailSignIn *sign_in,
                                GCancellable *cancellable,
                                GAsyncReadyCallback callback,
                                gpointer user_data);
gboolean o365_oauth2_sign_in_finish (GAsyncResult *result, GError **error);

G_END_DECLS
