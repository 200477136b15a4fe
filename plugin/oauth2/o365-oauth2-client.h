/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* o365-oauth2-client.h — the Microsoft identity platform v2 for one account: its endpoints
 * (AUTHORITY/TENANT/oauth2/v2.0/{devicecode,authorize,token}), the device-code and token
 * requests (libsoup 3, asynchronous on the caller's main context) and what its JSON answers
 * mean. Public client only: no client secret is ever sent.
 *
 * Errors are O365_OAUTH2_ERROR (o365-oauth2-errors.h) with a translated sentence saying what
 * to do; network trouble is O365_OAUTH2_ERROR_NETWORK, cancellation stays
 * G_IO_ERROR_CANCELLED. Secrets (tokens, device codes, verifiers) are wiped when the structures
 * holding them are freed, and never logged.
 */
#pragma once

#include <gio/gio.h>

#include "o365-oauth2-errors.h"

G_BEGIN_DECLS

/* What a token request yields. */
typedef struct
{
  char *access_token;
  char *refresh_token; /* NULL when none was issued */
  gint64 expires_at;   /* g_get_real_time() when the access token stops working */
} O365OAuth2TokenSet;

void o365_oauth2_token_set_free (O365OAuth2TokenSet *tokens);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (O365OAuth2TokenSet, o365_oauth2_token_set_free)

/* The device authorization response (RFC 8628 §3.2). */
typedef struct
{
  char *device_code;      /* secret: only ever sent back to the token endpoint */
  char *user_code;
  char *verification_uri;
  guint expires_in;       /* seconds */
  guint interval;         /* seconds between polls */
} O365OAuth2DeviceCode;

void o365_oauth2_device_code_free (O365OAuth2DeviceCode *code);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (O365OAuth2DeviceCode, o365_oauth2_device_code_free)

/* How a flow reaches the person; every member may be NULL. */
typedef struct
{
  /* Device code flow: show the code and the address. */
  void (*user_code) (const O365OAuth2DeviceCode *code, gpointer user_data);
  /* Browser flow: TRUE when it opened @uri itself, FALSE to have the desktop's browser open it. */
  gboolean (*open_uri) (const char *uri, gpointer user_data);
  /* Progress for people, translated. */
  void (*status) (const char *message, gpointer user_data);
  gpointer user_data;
} O365OAuth2Prompt;

void o365_oauth2_prompt_status (const O365OAuth2Prompt *prompt, const char *message);

#define O365_TYPE_OAUTH2_CLIENT (o365_oauth2_client_get_type ())
G_DECLARE_FINAL_TYPE (O365OAuth2Client, o365_oauth2_client, O365, OAUTH2_CLIENT, GObject)

/* @authority: "https://login.microsoftonline.com" and the like; plain http only on loopback
 * (tests). @tenant: organizations, common, consumers, a tenant id or a domain. @client_id: the
 * account's override, or NULL/"" for the one built in (-Doauth2_client_id). @scope: space
 * separated. Fails with NO_CLIENT_ID or INVALID_SETTING. */
O365OAuth2Client *o365_oauth2_client_new (const char *authority,
                                          const char *tenant,
                                          const char *client_id,
                                          const char *scope,
                                          GError **error);

const char *o365_oauth2_client_get_client_id (O365OAuth2Client *self);
const char *o365_oauth2_client_get_scope (O365OAuth2Client *self);
/* "AUTHORITY/TENANT/oauth2/v2.0/@name". */
char *o365_oauth2_client_dup_endpoint (O365OAuth2Client *self, const char *name);
/* The authorization request (RFC 6749 §4.1.1) with a PKCE S256 challenge (RFC 7636 §4.3).
 * @login_hint may be NULL. */
char *o365_oauth2_client_build_authorize_uri (O365OAuth2Client *self,
                                              const char *redirect_uri,
                                              const char *state,
                                              const char *code_challenge,
                                              const char *login_hint);

void o365_oauth2_client_request_device_code_async (O365OAuth2Client *self,
                                                   GCancellable *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer user_data);
O365OAuth2DeviceCode *o365_oauth2_client_request_device_code_finish (O365OAuth2Client *self,
                                                                     GAsyncResult *result,
                                                                     GError **error);

/* A token request: @grant_type plus @params (name, value, …, NULL); client_id is added. */
void o365_oauth2_client_request_token_async (O365OAuth2Client *self,
                                             const char *grant_type,
                                             const char *const *params,
                                             GCancellable *cancellable,
                                             GAsyncReadyCallback callback,
                                             gpointer user_data);
O365OAuth2TokenSet *o365_oauth2_client_request_token_finish (O365OAuth2Client *self,
                                                             GAsyncResult *result,
                                                             GError **error);

/* Pure parts, for tests. @status is the HTTP status. */
O365OAuth2TokenSet *o365_oauth2_parse_token_response (guint status,
                                                      const char *body,
                                                      gsize length,
                                                      GError **error);
O365OAuth2DeviceCode *o365_oauth2_parse_device_code_response (guint status,
                                                              const char *body,
                                                              gsize length,
                                                              GError **error);

G_END_DECLS
