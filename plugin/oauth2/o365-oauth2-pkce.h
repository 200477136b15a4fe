/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-pkce.h — the authorization code grant with PKCE (RFC 7636, S256) and a loopback
 * redirect, as a desktop public client does it (RFC 8252): a one-shot listener on 127.0.0.1 at
 * a random port, the system browser sent to Microsoft's sign-in page with
 * redirect_uri=http://127.0.0.1:PORT (Microsoft ignores the port of a registered loopback
 * address), answers without this sign-in's state ignored, the code redeemed with the verifier. The browser shows
 * a short page saying whether it worked and that the window can be closed. */
#pragma once

#include "o365-oauth2-client.h"

G_BEGIN_DECLS

/* How long the listener waits for the browser before giving up. */
#define O365_OAUTH2_BROWSER_TIMEOUT_S (10 * 60)

/* @n_bytes from the kernel's CSPRNG (getrandom), base64url without padding. Fails only when
 * the system cannot provide randomness yet (early boot). */
char *o365_oauth2_random_string (gsize n_bytes, GError **error);
/* BASE64URL(SHA256(ASCII(@verifier))), RFC 7636 §4.2. */
char *o365_oauth2_pkce_challenge (const char *verifier);

/* @login_hint (may be NULL) pre-fills the account on the sign-in page. @prompt (copied; its
 * user_data must outlive the operation): open_uri gets the sign-in address first; when it does
 * not open it, the desktop's default browser does (g_app_info_launch_default_for_uri_async). */
void o365_oauth2_pkce_flow_async (O365OAuth2Client *client,
                                  const char *login_hint,
                                  const O365OAuth2Prompt *prompt,
                                  GCancellable *cancellable,
                                  GAsyncReadyCallback callback,
                                  gpointer user_data);
O365OAuth2TokenSet *o365_oauth2_pkce_flow_finish (GAsyncResult *result, GError **error);

G_END_DECLS
