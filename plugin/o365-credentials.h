/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-credentials.h — an account's secrets in the system keyring (Secret Service, through
 * libsecret's asynchronous API). Nothing secret is ever kept anywhere else: no Secret Service
 * means an error, never a fallback file.
 *
 * Items use the schema "org.o365account.Credential" (SECRET_SCHEMA_DONT_MATCH_NAME) with the
 * attributes account-id, address and kind (password, app-password, oauth2-refresh-token), and a
 * label a person recognises in Seahorse: "Office 365 password for someone@example.com".
 */
#pragma once

#include <gio/gio.h>
#include <libsecret/secret.h>

G_BEGIN_DECLS

typedef enum
{
  O365_SECRET_PASSWORD,
  O365_SECRET_APP_PASSWORD,
  O365_SECRET_OAUTH2_REFRESH_TOKEN,
} O365SecretKind;

#define O365_CREDENTIALS_ERROR (o365_credentials_error_quark ())
GQuark o365_credentials_error_quark (void);

typedef enum
{
  O365_CREDENTIALS_ERROR_UNAVAILABLE, /* no Secret Service, or it refused */
  O365_CREDENTIALS_ERROR_LOCKED,      /* the keyring stayed locked (prompt dismissed) */
  O365_CREDENTIALS_ERROR_NOT_FOUND,   /* nothing stored for this account and kind */
} O365CredentialsError;

const SecretSchema *o365_credentials_get_schema (void);
const char *o365_secret_kind_to_string (O365SecretKind kind);
/* "password" / "app-password" / "oauth2" → the kind of secret that sign-in method uses. */
gboolean o365_secret_kind_from_auth_method (const char *auth_method, O365SecretKind *kind);

void o365_credentials_store_async (const char *account_id,
                                   const char *address,
                                   O365SecretKind kind,
                                   const char *secret,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
gboolean o365_credentials_store_finish (GAsyncResult *result, GError **error);

void o365_credentials_lookup_async (const char *account_id,
                                    O365SecretKind kind,
                                    GCancellable *cancellable,
                                    GAsyncReadyCallback callback,
                                    gpointer user_data);
/* Returns: the secret; release it with secret_password_free() (which wipes it). */
char *o365_credentials_lookup_finish (GAsyncResult *result, GError **error);

/* Removes every secret of the account (all kinds). Succeeds when there was none. */
void o365_credentials_clear_async (const char *account_id,
                                   GCancellable *cancellable,
                                   GAsyncReadyCallback callback,
                                   gpointer user_data);
/* Removes the account's secret of one kind, e.g. its password once it signs in with Microsoft. */
void o365_credentials_clear_kind_async (const char *account_id,
                                        O365SecretKind kind,
                                        GCancellable *cancellable,
                                        GAsyncReadyCallback callback,
                                        gpointer user_data);
gboolean o365_credentials_clear_finish (GAsyncResult *result, GError **error);

G_END_DECLS
