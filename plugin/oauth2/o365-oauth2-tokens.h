/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-tokens.h — an account's OAuth2 tokens. The access token lives only in this
 * process's memory, with its expiry; the refresh token lives only in the keyring (kind
 * oauth2-refresh-token) and is replaced there by the new one each time Microsoft rotates it.
 * Main-context only.
 *
 * A refresh holds the account's refresh lock (a file lock in $XDG_RUNTIME_DIR/o365-account,
 * o365-file-lock.h) from reading the refresh token until the rotated one is stored, so that
 * refreshes of one account never overlap, in a process or across processes (a rotated token
 * redeemed again may be refused, or revoke the sign-in). One that waited takes the access token
 * the other left in memory, if in this process, else redeems the rotated refresh token. Without
 * a runtime directory a refused refresh still re-reads the keyring once before giving up. */
#pragma once

#include "o365-oauth2-client.h"

G_BEGIN_DECLS

/* An access token with less than this left is renewed before use: a session must not run into
 * its expiry halfway through a batch. */
#define O365_OAUTH2_REFRESH_MARGIN_S (5 * 60)

/* The access token for @account_id: the one in memory while it is good for the margin, else a
 * new one from the refresh token in the keyring (which the rotated one then replaces).
 * @force_refresh: renew even if memory holds one (the server just refused it). Access tokens
 * are kept per scope of @client (SMTP and Graph are different audiences); the one refresh token
 * serves every scope (the identity platform redeems it for any resource the app may use). */
void o365_oauth2_tokens_get_async (O365OAuth2Client *client,
                                   const char *account_id,
                                   const char *address,
                                   gboolean force_refresh,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
/* Returns: the access token, to release with secret_password_free(); @refreshed: whether it
 * was just obtained; @expires_at: g_get_real_time() of its expiry. Either may be NULL.
 * Errors: O365_OAUTH2_ERROR (NOT_SIGNED_IN, INVALID_GRANT…), O365_CREDENTIALS_ERROR. */
char *o365_oauth2_tokens_get_finish (GAsyncResult *result,
                                     gboolean *refreshed,
                                     gint64 *expires_at,
                                     GError **error);

/* After a sign-in: the refresh token into the keyring (replacing any), the access token into
 * memory as the one for @scope. Fails when @tokens carry no refresh token. */
void o365_oauth2_tokens_save_async (const char *account_id,
                                    const char *address,
                                    const char *scope,
                                    const O365OAuth2TokenSet *tokens,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
gboolean o365_oauth2_tokens_save_finish (GAsyncResult *result, GError **error);

/* Drops the access token held for @account_id (its account was removed or signed in anew). */
void o365_oauth2_tokens_forget (const char *account_id);

G_END_DECLS
